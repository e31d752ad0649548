"""VGG (Simonyan and Zisserman 2014): networks built from repeated blocks of 3x3 convolutions.

A block is ``num_convs`` times (conv 3x3, padding 1 -> [BatchNorm2d] -> ReLU), which keeps the
height and width, then a 2x2 max pool with stride 2, which halves them. A VGG is a list of
block specs ``((num_convs, out_channels), ...)`` followed by a dense classifier::

    features    the blocks, one flat Sequential      (N, C, H, W) -> (N, c_last, H/2^b, W/2^b)
    avgpool     AdaptiveAvgPool2d(pool_size)         -> (N, c_last, *pool_size)
    classifier  flatten; dense hidden, ReLU, dropout; dense hidden, ReLU, dropout;
                dense num_classes                    -> (N, num_classes)

``vgg11`` ... ``vgg19`` build torchvision's ImageNet networks with its layer indices, so
``features`` can be indexed as there (style transfer picks ``vgg19().features[:k]``) and the
state_dict keys and shapes equal torchvision's (``features.0.weight``, ...,
``classifier.6.bias``). ``vgg11_small`` is the MNIST-sized configuration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from shendu import nn
from shendu.models.lenet import init_cnn
from shendu.models.registry import Recipe, register_model
from shendu.nn import init
from shendu.tensor import Tensor

__all__ = ["VGG", "VGG_ARCHS", "vgg11", "vgg11_bn", "vgg11_small", "vgg13", "vgg13_bn", "vgg16",
           "vgg16_bn", "vgg19", "vgg19_bn", "vgg_block"]

# (num_convs, out_channels) per block, as in Table 1 of the paper (configurations A, B, D, E)
VGG_ARCHS: dict[str, tuple[tuple[int, int], ...]] = {
    "vgg11": ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)),
    "vgg13": ((2, 64), (2, 128), (2, 256), (2, 512), (2, 512)),
    "vgg16": ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)),
    "vgg19": ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512)),
}


def vgg_block(num_convs: int, in_channels: int, out_channels: int, batch_norm: bool = False,
              ceil_mode: bool = False) -> list[nn.Module]:
    """The layers of one VGG block: ``num_convs`` x (Conv2d 3x3 padding 1 -> [BatchNorm2d] ->
    ReLU), then MaxPool2d(2, 2). A list (not a Sequential) so that VGG's ``features`` is flat
    and indexed as torchvision's.

    Shape: ``(N, in_channels, H, W)`` to ``(N, out_channels, H // 2, W // 2)`` (rounded up with
    ``ceil_mode=True``).
    """
    layers: list[nn.Module] = []
    for i in range(num_convs):
        layers.append(nn.Conv2d(in_channels if i == 0 else out_channels, out_channels,
                                kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=ceil_mode))
    return layers


def _check_arch(arch) -> tuple[tuple[int, int], ...]:
    """``arch`` as a tuple of (num_convs, out_channels) pairs of positive ints, or an error."""
    if not isinstance(arch, Sequence) or isinstance(arch, str) or len(arch) == 0:
        raise TypeError(f"VGG: arch must be a non-empty sequence of (num_convs, out_channels) "
                        f"pairs, got {arch!r}")
    for i, spec in enumerate(arch):
        if (not isinstance(spec, Sequence) or len(spec) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in spec)):
            raise TypeError(f"VGG: block {i} of arch must be a pair of ints (num_convs, "
                            f"out_channels), got {spec!r}")
        if spec[0] < 1 or spec[1] < 1:
            raise ValueError(f"VGG: block {i} of arch needs num_convs >= 1 and out_channels >= "
                             f"1, got {tuple(spec)}")
    return tuple((int(n), int(c)) for n, c in arch)


class VGG(nn.Module):
    """A VGG network from block specs (see the module docstring for the layers).

    Args:
        arch: ``((num_convs, out_channels), ...)``, one pair per block.
        num_classes: the number of outputs (logits).
        in_channels: the image's channels.
        batch_norm: put BatchNorm2d between each convolution and its ReLU (``vgg11_bn``).
        hidden: the width of the two hidden dense layers (4096 in the paper).
        dropout: the dropout probability after each hidden dense layer.
        pool_size: the output size of ``avgpool``, (7, 7) as torchvision: the first dense layer
            has ``c_last * pool_size[0] * pool_size[1]`` inputs.
        ceil_mode: round the pooled sizes up (``MaxPool2d(ceil_mode=True)``), so that five
            blocks fit on a 28x28 image: 28 -> 14 -> 7 -> 4 -> 2 -> 1.
        image_size: if given, check at construction that an ``image_size`` x ``image_size``
            input survives every pool (a forward pass checks its input in any case).
        init_weights: initialise as torchvision: convolutions from kaiming_normal_ (fan_out,
            ReLU), dense weights from N(0, 0.01^2), biases 0, BatchNorm weight 1 and bias 0.
            With False the layers keep their own (PyTorch default) initialisation.

    Shape: ``(N, in_channels, H, W)`` to ``(N, num_classes)``; H and W must be at least
    2^(number of blocks) (without ``ceil_mode``).

    >>> net = VGG(((1, 8), (1, 16)), num_classes=10, in_channels=1, hidden=32, pool_size=(1, 1))
    >>> net(shendu.randn(2, 1, 8, 8)).shape
    (2, 10)
    """

    def __init__(self, arch: Sequence[tuple[int, int]], num_classes: int = 1000,
                 in_channels: int = 3, batch_norm: bool = False, hidden: int = 4096,
                 dropout: float = 0.5, pool_size: tuple[int, int] = (7, 7),
                 ceil_mode: bool = False, image_size: int | None = None,
                 init_weights: bool = True) -> None:
        super().__init__()
        self.arch = _check_arch(arch)
        self.batch_norm = batch_norm
        self.ceil_mode = ceil_mode
        if image_size is not None:
            problem = self._size_problem(image_size, image_size)
            if problem:
                raise ValueError(f"VGG: image_size={image_size} is too small: {problem}")
        layers: list[nn.Module] = []
        channels = in_channels
        for num_convs, out_channels in self.arch:
            layers += vgg_block(num_convs, channels, out_channels, batch_norm, ceil_mode)
            channels = out_channels
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(pool_size)
        self.classifier = nn.Sequential(
            nn.Linear(channels * math.prod(_pair(pool_size)), hidden), nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, num_classes),
        )
        if init_weights:
            self._init_weights()

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
                init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm2d):
                init.ones_(module.weight)
                init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                init.normal_(module.weight, 0.0, 0.01)
                init.zeros_(module.bias)

    def _size_problem(self, height: int, width: int) -> str:
        """Why an input of ``height`` x ``width`` cannot pass the blocks; "" if it can."""
        index = -1  # the index of the block's pool in ``features``
        for block, (num_convs, _) in enumerate(self.arch, start=1):
            index += num_convs * (3 if self.batch_norm else 2) + 1
            if min(height, width) < 2 and not self.ceil_mode:
                return (f"block {block} of {len(self.arch)} (features.{index}, MaxPool2d 2x2) "
                        f"gets a {height}x{width} map and would pool it to 0 pixels; "
                        f"{len(self.arch)} blocks need inputs of at least "
                        f"{2 ** len(self.arch)}x{2 ** len(self.arch)}")
            height, width = _halve(height, self.ceil_mode), _halve(width, self.ceil_mode)
        return ""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 4:
            problem = self._size_problem(x.shape[2], x.shape[3])
            if problem:
                raise self.input_error(f"input of shape {tuple(x.shape)} is too small: {problem}")
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))

    def extra_repr(self) -> str:
        return f"arch={self.arch}"


def _pair(size) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else tuple(size)


def _halve(size: int, ceil_mode: bool) -> int:
    """The output size of MaxPool2d(2, 2) on ``size`` pixels."""
    return -(-size // 2) if ceil_mode else size // 2


def _vgg(name: str, num_classes: int, batch_norm: bool, **kwargs) -> VGG:
    return VGG(VGG_ARCHS[name], num_classes=num_classes, batch_norm=batch_norm, **kwargs)


def vgg11(num_classes: int = 1000, batch_norm: bool = False, **kwargs) -> VGG:
    """VGG-11 (configuration A) for 3x224x224 ImageNet images, torchvision's layout:
    132,863,336 parameters (132,868,840 with ``batch_norm=True``). ``kwargs`` go to
    :class:`VGG`."""
    return _vgg("vgg11", num_classes, batch_norm, **kwargs)


def vgg13(num_classes: int = 1000, batch_norm: bool = False, **kwargs) -> VGG:
    """VGG-13 (configuration B), torchvision's layout: 133,047,848 parameters."""
    return _vgg("vgg13", num_classes, batch_norm, **kwargs)


def vgg16(num_classes: int = 1000, batch_norm: bool = False, **kwargs) -> VGG:
    """VGG-16 (configuration D), torchvision's layout: 138,357,544 parameters."""
    return _vgg("vgg16", num_classes, batch_norm, **kwargs)


def vgg19(num_classes: int = 1000, batch_norm: bool = False, **kwargs) -> VGG:
    """VGG-19 (configuration E), torchvision's layout: 143,667,240 parameters. Style transfer
    takes its ``features`` (e.g. ``features[:29]``, up to the ReLU after conv5_1)."""
    return _vgg("vgg19", num_classes, batch_norm, **kwargs)


def vgg11_bn(num_classes: int = 1000, **kwargs) -> VGG:
    """VGG-11 with BatchNorm2d after every convolution (torchvision's ``vgg11_bn``)."""
    return vgg11(num_classes, batch_norm=True, **kwargs)


def vgg13_bn(num_classes: int = 1000, **kwargs) -> VGG:
    """VGG-13 with BatchNorm2d after every convolution (torchvision's ``vgg13_bn``)."""
    return vgg13(num_classes, batch_norm=True, **kwargs)


def vgg16_bn(num_classes: int = 1000, **kwargs) -> VGG:
    """VGG-16 with BatchNorm2d after every convolution (torchvision's ``vgg16_bn``)."""
    return vgg16(num_classes, batch_norm=True, **kwargs)


def vgg19_bn(num_classes: int = 1000, **kwargs) -> VGG:
    """VGG-19 with BatchNorm2d after every convolution (torchvision's ``vgg19_bn``)."""
    return vgg19(num_classes, batch_norm=True, **kwargs)


SMALL_RATIO = 8  # VGG-11's channels divided by this in the MNIST-sized configuration


@register_model("vgg11", "VGG-11 (8 conv + 3 dense layers), MNIST-sized configuration: "
                "channels / 8, pools rounded up, dense 256, dropout 0.2, He initialisation",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=5, batch_size=128,
                              lr_step_gamma=0.7))
def vgg11_small(num_classes: int = 10, in_channels: int = 1, ratio: int = SMALL_RATIO,
                hidden: int = 256, dropout: float = 0.2) -> VGG:
    """VGG-11 for 1x28x28 images: the five blocks of configuration A with the channels divided
    by ``ratio`` (d2l's trick; 8, 16, 32, 64, 64 by default), pools that round up
    (28 -> 14 -> 7 -> 4 -> 2 -> 1, so all five blocks fit), ``avgpool`` to 1x1 and two hidden
    dense layers of ``hidden`` units with dropout 0.2 (0.5 in the paper).

    d2l trains VGG-11 with ratio 4 on 224x224 Fashion-MNIST; here the images stay 28x28 and the
    ratio is 8 so that an epoch costs about 2 M multiply-adds per image on a CPU. Weights are
    He-initialised, N(0, 2 / fan_in) (:func:`~shendu.models.lenet.init_cnn` with
    ``scheme="kaiming"``): with d2l's Xavier initialisation the eleven ReLU layers shrink the
    signal so much that one epoch on 5,000 images ends near 81% instead of above 90%; with
    dropout 0.5 instead of 0.2 the one epoch also falls short.

    Shape: ``(N, in_channels, 28, 28)`` to ``(N, num_classes)``.
    """
    arch = tuple((n, c // ratio) for n, c in VGG_ARCHS["vgg11"])
    return init_cnn(VGG(arch, num_classes=num_classes, in_channels=in_channels, hidden=hidden,
                        dropout=dropout, pool_size=(1, 1), ceil_mode=True, image_size=28,
                        init_weights=False), scheme="kaiming")
