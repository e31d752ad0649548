"""GoogLeNet (Szegedy et al. 2015, "Going deeper with convolutions"): a stem of plain
convolutions, then nine Inception blocks in three groups separated by max pooling, then global
average pooling and one linear layer.

An Inception block runs four paths side by side on the same input and concatenates their
outputs on the channel dim:

    path 1: 1x1 conv                          -> c1 channels
    path 2: 1x1 conv (c2a) -> 3x3 conv        -> c2b channels
    path 3: 1x1 conv (c3a) -> 5x5 conv        -> c3b channels
    path 4: 3x3 max pool (stride 1) -> 1x1 conv -> c4 channels

so it outputs c1 + c2b + c3b + c4 channels at the input's height and width. The 1x1 convs in
front of the 3x3 and 5x5 ones reduce the channels and so the cost.

:func:`googlenet` builds the PyTorch reference layout (torchvision's ``GoogLeNet`` without the
auxiliary classifiers): every conv is a "BasicConv2d" (conv without bias, batch norm with
eps=1e-3, ReLU), and path 3 uses a 3x3 conv where the paper uses 5x5 (torchvision's choice,
kept so that its state_dict keys and shapes match). :func:`googlenet_mnist` is the
configuration for 1x28x28 images: the paper's 5x5 path 3, d2l's max pools, half the width.
"""

from __future__ import annotations

from collections.abc import Sequence

import shendu
from shendu import nn
from shendu.models.registry import Recipe, register_model
from shendu.models.sizes import check_input_size
from shendu.tensor import Tensor

__all__ = ["BasicConv2d", "Inception", "GoogLeNet", "INCEPTION_PLAN", "googlenet",
           "googlenet_mnist"]

# The paper's Table 1 (and torchvision's): name -> (in_channels, c1, (c2a, c2b), (c3a, c3b), c4)
INCEPTION_PLAN: dict[str, tuple] = {
    "inception3a": (192, 64, (96, 128), (16, 32), 32),
    "inception3b": (256, 128, (128, 192), (32, 96), 64),
    "inception4a": (480, 192, (96, 208), (16, 48), 64),
    "inception4b": (512, 160, (112, 224), (24, 64), 64),
    "inception4c": (512, 128, (128, 256), (24, 64), 64),
    "inception4d": (512, 112, (144, 288), (32, 64), 64),
    "inception4e": (528, 256, (160, 320), (32, 128), 128),
    "inception5a": (832, 256, (160, 320), (32, 128), 128),
    "inception5b": (832, 384, (192, 384), (48, 128), 128),
}
# a max pool (kernel 3, stride 2; kernel 2 before group 5, as torchvision) follows these blocks
_POOL_AFTER = {"inception3b": ("maxpool3", 3), "inception4e": ("maxpool4", 2)}


class BasicConv2d(nn.Module):
    """conv (no bias) -> batch norm (eps=1e-3) -> ReLU, as torchvision's GoogLeNet.

    Keyword arguments (kernel_size, stride, padding) go to :class:`~shendu.nn.Conv2d`.

    Shape: ``(N, in_channels, H, W)`` to ``(N, out_channels, H_out, W_out)``.
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        return self.bn(self.conv(x)).relu()


class Inception(nn.Module):
    """The Inception block: four parallel paths concatenated on the channel dim (see the module
    docstring).

    Args:
        in_channels: channels of the input.
        c1: output channels of path 1 (1x1 conv).
        c2: ``(c2a, c2b)``: the 1x1 reduction and the 3x3 conv of path 2.
        c3: ``(c3a, c3b)``: the 1x1 reduction and the large conv of path 3.
        c4: output channels of path 4 (3x3 max pool, then 1x1 conv).
        path3_kernel: the large kernel of path 3: 5 as in the paper, 3 in torchvision.

    Shape: ``(N, in_channels, H, W)`` to ``(N, c1 + c2b + c3b + c4, H, W)``.

    >>> Inception(192, 64, (96, 128), (16, 32), 32)(shendu.randn(2, 192, 7, 7)).shape
    (2, 256, 7, 7)
    """

    def __init__(self, in_channels: int, c1: int, c2: Sequence[int], c3: Sequence[int], c4: int,
                 path3_kernel: int = 5) -> None:
        super().__init__()
        _check_channels(in_channels, c1, c2, c3, c4)
        if path3_kernel not in (3, 5):
            raise ValueError(f"Inception: path3_kernel must be 3 or 5, got {path3_kernel!r}")
        (c2a, c2b), (c3a, c3b) = c2, c3
        self.out_channels = self.output_channels(in_channels, c1, c2, c3, c4)
        # torchvision's attribute names: branch1 ... branch4
        self.branch1 = BasicConv2d(in_channels, c1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, c2a, kernel_size=1),
                                     BasicConv2d(c2a, c2b, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(
            BasicConv2d(in_channels, c3a, kernel_size=1),
            BasicConv2d(c3a, c3b, kernel_size=path3_kernel, padding=path3_kernel // 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_channels, c4, kernel_size=1))

    @staticmethod
    def output_channels(in_channels: int, c1: int, c2: Sequence[int], c3: Sequence[int],
                        c4: int) -> int:
        """The channels an Inception block with these arguments outputs: c1 + c2b + c3b + c4."""
        return c1 + c2[1] + c3[1] + c4

    def forward(self, x: Tensor) -> Tensor:
        paths = (self.branch1, self.branch2, self.branch3, self.branch4)
        return shendu.cat([path(x) for path in paths], dim=1)


def _check_channels(in_channels, c1, c2, c3, c4, block: str = "Inception") -> None:
    """Every channel count of an Inception block must be a positive int (``block`` names it in
    the error)."""
    shapes_ok = all(isinstance(c, Sequence) and len(c) == 2 for c in (c2, c3))
    counts = [in_channels, c1, *(c2 if shapes_ok else ()), *(c3 if shapes_ok else ()), c4]
    if not shapes_ok or not all(isinstance(c, int) and c > 0 for c in counts):
        raise ValueError(f"{block}: expected positive int channel counts in_channels, c1, "
                         f"(c2a, c2b), (c3a, c3b), c4, got in_channels={in_channels!r}, "
                         f"c1={c1!r}, c2={c2!r}, c3={c3!r}, c4={c4!r}")


class GoogLeNet(nn.Module):
    """GoogLeNet in torchvision's layout (no auxiliary classifiers):

        conv1 (7x7, stride 2) -> maxpool1 -> conv2 (1x1) -> conv3 (3x3) -> maxpool2
        -> inception3a, 3b -> maxpool3 -> inception4a ... 4e -> maxpool4
        -> inception5a, 5b -> avgpool (global) -> flatten -> dropout -> fc

    With the default ``pooling="torchvision"`` every max pool has kernel 3 and stride 2
    (maxpool4: kernel 2) and rounds up (``ceil_mode``), so a 224x224 image is 7x7 before the
    global pooling and a 28x28 one 1x1.

    Args:
        num_classes: outputs of ``fc``.
        in_channels: channels of the images.
        plan: the Inception blocks, name -> ``(in_channels, c1, (c2a, c2b), (c3a, c3b), c4)``
            (default: the paper's :data:`INCEPTION_PLAN`); each block's in_channels must equal
            the previous block's output (conv3's 192 channels for the first).
        path3_kernel: 3 (torchvision) or 5 (the paper).
        dropout: the dropout probability in front of ``fc``.
        width: every channel count (stem and blocks) is multiplied by this and rounded (at
            least 1); 0.5 halves the network's width and divides its cost by about 4.
        pooling: "torchvision": the max pools between stages round up (``ceil_mode``, kernel
            3, stride 2; kernel 2 for maxpool4); "d2l": kernel 3, stride 2, padding 1, as in
            d2l's GoogLeNet (a 28x28 image is then 4x4 in group 3 and 2x2 in group 4 instead
            of 3x3 and 1x1).

    Shape: ``(N, in_channels, H, W)`` to ``(N, num_classes)``; H, W >= 15 with torchvision's
    pooling (smaller inputs raise a ValueError naming the pool), any size with d2l's.
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3,
                 plan: dict[str, tuple] | None = None, path3_kernel: int = 3,
                 dropout: float = 0.2, width: float = 1.0,
                 pooling: str = "torchvision") -> None:
        super().__init__()
        if pooling not in ("torchvision", "d2l"):
            raise ValueError(f"GoogLeNet: pooling must be 'torchvision' or 'd2l', got "
                             f"{pooling!r}")
        plan = INCEPTION_PLAN if plan is None else plan
        channels, previous = 192, "conv3"
        for name, spec in plan.items():  # check the plan as given, before any scaling
            _check_chain(name, spec, previous, channels)
            channels, previous = Inception.output_channels(*spec), name
        c1, c2, c3 = (_scale(c, width) for c in (64, 64, 192))
        self.conv1 = BasicConv2d(in_channels, c1, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = _stage_pool(pooling)
        self.conv2 = BasicConv2d(c1, c2, kernel_size=1)
        self.conv3 = BasicConv2d(c2, c3, kernel_size=3, padding=1)
        self.maxpool2 = _stage_pool(pooling)
        channels, self.block_names = c3, []
        for name, (_, *outs) in plan.items():
            block = Inception(channels, *_scale(outs, width), path3_kernel=path3_kernel)
            self.add_module(name, block)
            self.block_names.append(name)
            channels = block.out_channels
            if name in _POOL_AFTER:
                pool, kernel = _POOL_AFTER[name]
                self.add_module(pool, _stage_pool(pooling, kernel))
                self.block_names.append(pool)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        stem = ("conv1", "maxpool1", "conv2", "conv3", "maxpool2")
        sizing = [name for name in stem + tuple(self.block_names) if "maxpool" in name
                  or name.startswith("conv")]
        check_input_size(self, x.shape, [(name, getattr(self, name)) for name in sizing])
        for name in stem + tuple(self.block_names):  # the blocks and the pools between them
            x = getattr(self, name)(x)
        return self.fc(self.dropout(self.avgpool(x).flatten(1)))


def _stage_pool(pooling: str, kernel: int = 3) -> nn.MaxPool2d:
    """The max pool between stages: torchvision's (rounding up) or d2l's (padding 1)."""
    if pooling == "d2l":
        return nn.MaxPool2d(3, stride=2, padding=1)
    return nn.MaxPool2d(kernel, stride=2, ceil_mode=True)


def _scale(channels, width: float):
    """A channel count (or a nested list of them) times ``width``, rounded, at least 1."""
    if isinstance(channels, (tuple, list)):
        return tuple(_scale(c, width) for c in channels)
    return channels if width == 1 else max(1, round(channels * width))


def _check_chain(name: str, spec: tuple, previous: str, channels: int) -> None:
    """Block ``name`` must take the ``channels`` that the block before it puts out."""
    if not isinstance(spec, tuple) or len(spec) != 5:
        raise ValueError(f"GoogLeNet: block {name} expected (in_channels, c1, (c2a, c2b), "
                         f"(c3a, c3b), c4), got {spec!r}")
    _check_channels(*spec, block=f"GoogLeNet: block {name}")
    if spec[0] != channels:
        raise ValueError(f"GoogLeNet: block {name} expects in_channels={spec[0]}, but "
                         f"{previous} before it outputs {channels} channels")


# ------------------------------------------------------------------------- factories
def googlenet(num_classes: int = 1000, in_channels: int = 3) -> GoogLeNet:
    """GoogLeNet for 3x224x224 ImageNet images with torchvision's layout and state_dict keys
    (``googlenet(aux_logits=False)``: 6,624,904 parameters for 1000 classes; path 3 uses 3x3
    convs, not the paper's 5x5)."""
    return GoogLeNet(num_classes, in_channels, path3_kernel=3)


@register_model("googlenet", "GoogLeNet, the MNIST-sized configuration: the paper's nine "
                "Inception blocks (5x5 path 3) at half width, with batch norm and d2l's max "
                "pools, on 1x28x28 images",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=3, batch_size=32))
def googlenet_mnist(num_classes: int = 10, in_channels: int = 1,
                    width: float = 0.5) -> GoogLeNet:
    """GoogLeNet for 1x28x28 images (MNIST, Fashion-MNIST): d2l's GoogLeNet (the paper's
    layout, 5x5 path 3, max pools with kernel 3, stride 2 and padding 1) with torchvision's
    batch-normalised convolutions (d2l's has no batch norm; with it one epoch of Adam gets
    far), at half the paper's width (``width=0.5``: every channel count halved, 32-32-96 in
    the stem, 128 out of inception3a, ..., 512 out of inception5b), which divides the cost of
    an epoch by about 4; ``width=1`` gives the paper's channels. A 28x28 image is 14x14 after
    conv1, 7x7 after maxpool1, 4x4 in group 3, 2x2 in group 4 and 1x1 in group 5."""
    return GoogLeNet(num_classes, in_channels, path3_kernel=5, width=width, pooling="d2l")
