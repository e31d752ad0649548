"""Network in Network (Lin, Chen and Yan 2013): each block is a convolution followed by two 1x1
convolutions (a small MLP applied at every pixel), all with ReLU; max pooling between the
blocks, dropout before the last block, and no dense layers at all: the last block has one
channel per class and global average pooling turns each channel into a logit::

    nin_block(c1, k1, s1, p1) -> max pool 3/2
    nin_block(c2, k2, s2, p2) -> max pool 3/2
    ...
    dropout -> nin_block(num_classes, 3, 1, 1) -> global average pool -> flatten

As in d2l, the last block ends with a ReLU too, so the logits are nonnegative. In d2l all three
convolutions of the class block have ``num_classes`` channels; with ``class_hidden`` the first
two have ``class_hidden`` channels, as in the paper's networks (e.g. 192-192-10 on CIFAR-10).
"""

from __future__ import annotations

from collections.abc import Sequence

from shendu import nn
from shendu.models.registry import Recipe, register_model

__all__ = ["NIN_IMAGENET_ARCH", "NIN_SMALL_ARCH", "NiN", "nin", "nin_block", "nin_small"]

# (out_channels, kernel_size, stride, padding) of the blocks before the class block
NIN_IMAGENET_ARCH = ((96, 11, 4, 0), (256, 5, 1, 2), (384, 3, 1, 1))
NIN_SMALL_ARCH = ((12, 5, 1, 2), (24, 5, 1, 2), (48, 3, 1, 1))


def nin_block(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
              padding: int = 0, hidden_channels: int | None = None,
              batch_norm: bool = False) -> nn.Sequential:
    """Conv2d(kernel_size, stride, padding) -> ReLU -> Conv2d 1x1 -> ReLU -> Conv2d 1x1 -> ReLU.

    The first two convolutions have ``hidden_channels`` outputs (``out_channels`` if None, as in
    d2l), the last one ``out_channels``. With ``batch_norm`` each convolution is followed by
    BatchNorm2d before its ReLU.

    Shape: ``(N, in_channels, H, W)`` to ``(N, out_channels, H', W')`` with
    H' = (H + 2 padding - kernel_size) // stride + 1.
    """
    hidden = out_channels if hidden_channels is None else hidden_channels
    convs = [nn.Conv2d(in_channels, hidden, kernel_size, stride=stride, padding=padding),
             nn.Conv2d(hidden, hidden, kernel_size=1), nn.Conv2d(hidden, out_channels, 1)]
    layers: list[nn.Module] = []
    for conv in convs:
        layers += [conv, nn.BatchNorm2d(conv.out_channels), nn.ReLU()] if batch_norm \
            else [conv, nn.ReLU()]
    return nn.Sequential(*layers)


def _check_arch(arch) -> tuple[tuple[int, int, int, int], ...]:
    if not isinstance(arch, Sequence) or isinstance(arch, str) or len(arch) == 0:
        raise TypeError(f"NiN: arch must be a non-empty sequence of (out_channels, kernel_size, "
                        f"stride, padding) tuples, got {arch!r}")
    for i, spec in enumerate(arch):
        if (not isinstance(spec, Sequence) or len(spec) != 4
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in spec)):
            raise TypeError(f"NiN: block {i} of arch must be 4 ints (out_channels, kernel_size, "
                            f"stride, padding), got {spec!r}")
        if min(spec[:3]) < 1 or spec[3] < 0:
            raise ValueError(f"NiN: block {i} of arch needs positive out_channels, kernel_size "
                             f"and stride and a nonnegative padding, got {tuple(spec)}")
    return tuple(tuple(spec) for spec in arch)


class NiN(nn.Sequential):
    """Network in Network (see the module docstring for the layers).

    Args:
        arch: ``((out_channels, kernel_size, stride, padding), ...)`` of the blocks that come
            before the class block, each followed by MaxPool2d(3, stride=2).
        num_classes: the channels of the class block, one logit each.
        in_channels: the image's channels.
        dropout: the dropout probability before the class block.
        class_hidden: the channels of the class block's first two convolutions;
            ``num_classes`` if None (d2l).
        batch_norm: BatchNorm2d after every convolution (before its ReLU).

    Shape: ``(N, in_channels, H, W)`` to ``(N, num_classes)``. The input must leave at least a
    3x3 map before each pool (224x224 for the ImageNet arch, 28x28 for the small one).

    >>> NiN(NIN_SMALL_ARCH, num_classes=10, in_channels=1)(shendu.randn(2, 1, 28, 28)).shape
    (2, 10)
    """

    def __init__(self, arch: Sequence[tuple[int, int, int, int]] = NIN_IMAGENET_ARCH,
                 num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5,
                 class_hidden: int | None = None, batch_norm: bool = False) -> None:
        arch = _check_arch(arch)
        layers: list[nn.Module] = []
        channels = in_channels
        for out_channels, kernel_size, stride, padding in arch:
            layers += [nin_block(channels, out_channels, kernel_size, stride, padding,
                                 batch_norm=batch_norm),
                       nn.MaxPool2d(kernel_size=3, stride=2)]
            channels = out_channels
        layers += [nn.Dropout(dropout),
                   nin_block(channels, num_classes, 3, 1, 1, class_hidden, batch_norm),
                   nn.GlobalAvgPool2d(), nn.Flatten()]
        super().__init__(*layers)
        self.arch = arch


def nin(num_classes: int = 1000, in_channels: int = 3, dropout: float = 0.5) -> NiN:
    """NiN for 224x224 images as d2l builds it: blocks of 96 (11x11, stride 4), 256 (5x5) and
    384 (3x3) channels, then the class block."""
    return NiN(NIN_IMAGENET_ARCH, num_classes, in_channels, dropout)


@register_model("nin", "Network in Network (conv + two 1x1 convs per block, global average "
                "pooling, no dense layers), MNIST-sized configuration: 12-24-48 channels, "
                "class block 48-48-10, batch norm, dropout 0.2",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=5, batch_size=128,
                              lr_step_gamma=0.7))
def nin_small(num_classes: int = 10, in_channels: int = 1, dropout: float = 0.2,
              arch: Sequence[tuple[int, int, int, int]] = NIN_SMALL_ARCH,
              class_hidden: int | None = 48) -> NiN:
    """NiN for 1x28x28 images: blocks of 12 (5x5), 24 (5x5) and 48 (3x3) channels (``arch``),
    stride 1 and "same" padding, each followed by a 3/2 max pool (28 -> 13 -> 6 -> 2), then
    dropout and the class block on the 2x2 map. d2l's ImageNet widths are 96-256-384 with an
    11x11/4 first block on 224x224 inputs.

    Three choices differ from d2l's NiN, each needed to learn MNIST reliably in one epoch on
    5,000 images (see tests/test_models_classic_cnn.py):

    * the class block is conv 3x3 -> 1x1 -> 1x1 with ``class_hidden`` = 48 channels before the
      last 1x1 convolution, as in the paper's CIFAR-10 network (192-192-10), instead of d2l's
      10-10-10: ReLU layers only 10 channels wide lose whole classes to dead units early on;
    * batch normalisation after every convolution: without it twelve stacked ReLU layers
      trained for one short epoch ended anywhere between 45% and 92% depending on the seed and
      on the BLAS build's rounding (with it: 95.5 to 96.3% over four seeds);
    * dropout 0.2 instead of 0.5 before the class block.

    Shape: ``(N, in_channels, 28, 28)`` to ``(N, num_classes)``.
    """
    return NiN(arch, num_classes, in_channels, dropout, class_hidden, batch_norm=True)
