"""ResNet (He et al. 2016, "Deep residual learning for image recognition") with basic blocks:
ResNet-18 and ResNet-34.

A residual block learns the change f(x) - x instead of f(x):

    y = ReLU(bn2(conv2(ReLU(bn1(conv1(x))))) + shortcut(x))

with two 3x3 convs. The shortcut is the identity, or, where the block changes the shape
(stride 2 or a new channel count), a 1x1 conv with the block's stride followed by batch norm
(torchvision's ``downsample``). Stacking blocks this way lets the identity flow through the
whole network, so very deep networks still train.

The network is a stem (7x7 conv, stride 2, batch norm, ReLU, 3x3 max pool, stride 2), four
stages (``layer1`` ... ``layer4``) of basic blocks with 64, 128, 256, 512 channels (the first
block of stages 2-4 halves height and width), global average pooling and one linear layer:
torchvision's layout and state_dict keys (conv1, bn1, layer1.0.conv1, ..., fc).
"""

from __future__ import annotations

from collections.abc import Sequence

from shendu import nn
from shendu.models.registry import Recipe, register_model
from shendu.models.sizes import check_input_size
from shendu.tensor import Tensor

__all__ = ["BasicBlock", "ResNet", "resnet18", "resnet34", "resnet18_mnist"]


class BasicBlock(nn.Module):
    """The residual block of ResNet-18/34: two 3x3 convs with batch norm, and the input
    added back before the last ReLU (see the module docstring).

    Args:
        in_channels: channels of the input.
        out_channels: channels of both convs and of the output.
        stride: the stride of the first conv (2 halves height and width).

    ``downsample`` (1x1 conv with ``stride``, then batch norm) exists when stride != 1 or the
    channel count changes; otherwise it is None and the shortcut is the identity.

    Shape: ``(N, in_channels, H, W)`` to ``(N, out_channels, ceil(H / stride),
    ceil(W / stride))``.

    >>> BasicBlock(64, 128, stride=2)(shendu.randn(2, 64, 8, 8)).shape
    (2, 128, 4, 4)
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        for what, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("stride", stride)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"BasicBlock: {what} must be a positive int, got {value!r}")
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels))

    def forward(self, x: Tensor) -> Tensor:
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(y + shortcut)


class ResNet(nn.Module):
    """ResNet with basic blocks in torchvision's layout:

        conv1 (7x7, stride 2) -> bn1 -> relu -> maxpool (3x3, stride 2, padding 1)
        -> layer1 ... layer4 -> avgpool (global) -> flatten -> fc

    Args:
        layers: the number of blocks in each of the four stages: (2, 2, 2, 2) for ResNet-18,
            (3, 4, 6, 3) for ResNet-34.
        num_classes: outputs of ``fc``.
        in_channels: channels of the images.
        widths: the channels of the four stages (the stem has ``widths[0]``).

    Shape: ``(N, in_channels, H, W)`` to ``(N, num_classes)``; a 224x224 image is 56x56 in
    layer1 and 7x7 in layer4, a 28x28 one 7x7 in layer1 and 1x1 in layer4.
    """

    def __init__(self, layers: Sequence[int] = (2, 2, 2, 2), num_classes: int = 1000,
                 in_channels: int = 3, widths: Sequence[int] = (64, 128, 256, 512)) -> None:
        super().__init__()
        if len(layers) != 4 or len(widths) != 4 or min(layers) < 1:
            raise ValueError(f"ResNet: expected four stages, each of at least one block, and "
                             f"four widths, got layers={tuple(layers)}, widths={tuple(widths)}")
        self.conv1 = nn.Conv2d(in_channels, widths[0], 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = widths[0]
        for i, (blocks, width) in enumerate(zip(layers, widths)):
            stride = 1 if i == 0 else 2
            stage = [BasicBlock(channels, width, stride)]
            stage += [BasicBlock(width, width) for _ in range(blocks - 1)]
            self.add_module(f"layer{i + 1}", nn.Sequential(*stage))
            channels = width
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        # padded 3x3 convs and pools never empty the input; this checks the stem's sizes anyway
        check_input_size(self, x.shape, [("conv1", self.conv1), ("maxpool", self.maxpool)])
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def resnet18(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-18 for 3x224x224 ImageNet images, torchvision's layout and state_dict keys
    (11,689,512 parameters for 1000 classes)."""
    return ResNet((2, 2, 2, 2), num_classes, in_channels)


def resnet34(num_classes: int = 1000, in_channels: int = 3) -> ResNet:
    """ResNet-34 for 3x224x224 ImageNet images, torchvision's layout and state_dict keys
    (21,797,672 parameters for 1000 classes)."""
    return ResNet((3, 4, 6, 3), num_classes, in_channels)


@register_model("resnet18", "ResNet-18, the MNIST-sized configuration: 2-2-2-2 basic blocks "
                "with 16-32-64-128 channels (a quarter of d2l's) on 1x28x28 images",
                recipe=Recipe(optimizer="adam", lr=5e-4, epochs=3, batch_size=32))
def resnet18_mnist(num_classes: int = 10, in_channels: int = 1,
                   widths: Sequence[int] = (16, 32, 64, 128)) -> ResNet:
    """ResNet-18 for 1x28x28 images (MNIST, Fashion-MNIST): d2l's ResNet-18 (the same stem
    and 2-2-2-2 basic blocks) with a quarter of its channels, 16-32-64-128 instead of
    64-128-256-512, which divides the cost by about 16 so that an epoch fits the CPU budget
    of the test suite (``widths=(64, 128, 256, 512)`` gives d2l's). A 28x28 image is 7x7 in
    layer1, 4x4 in layer2, 2x2 in layer3 and 1x1 in layer4."""
    return ResNet((2, 2, 2, 2), num_classes, in_channels, widths)
