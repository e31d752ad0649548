"""DenseNet (Huang et al. 2017, "Densely connected convolutional networks").

Where a ResNet block adds its input to its output, a dense layer concatenates: inside a dense
block, layer i sees the channel-wise concatenation of the block's input and the outputs of
all layers before it, and adds ``growth_rate`` new channels:

    x_i = H_i(cat(x_0, x_1, ..., x_{i-1}))        (cat on the channel dim)

so a block of L layers on C channels outputs C + L * growth_rate channels. H is
BN -> ReLU -> 3x3 conv; in DenseNet-BC (the ImageNet models) it is the "bottleneck"
BN -> ReLU -> 1x1 conv (to bn_size * growth_rate channels) -> BN -> ReLU -> 3x3 conv. Between
blocks a transition layer (BN -> ReLU -> 1x1 conv halving the channels -> 2x2 average pool,
stride 2) keeps the width and the size in check.

:func:`densenet121` has torchvision's layout and state_dict keys
('features.denseblock1.denselayer1.norm1.weight', ...). :func:`densenet_mnist` is the
configuration for 1x28x28 images.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import shendu
from shendu import nn
from shendu.models.registry import Recipe, register_model
from shendu.models.sizes import check_input_size
from shendu.tensor import Tensor

__all__ = ["DenseLayer", "DenseBlock", "Transition", "DenseNet", "densenet121",
           "densenet_mnist"]


class DenseLayer(nn.Module):
    """One layer H of a dense block: from the concatenated ``in_channels`` to ``growth_rate``
    new channels.

    With ``bn_size`` (DenseNet-BC, torchvision's ``_DenseLayer``): norm1 -> relu1 -> conv1
    (1x1, to bn_size * growth_rate) -> norm2 -> relu2 -> conv2 (3x3, to growth_rate).
    With ``bn_size=None`` (d2l's ``conv_block``): norm1 -> relu1 -> conv1 (3x3, to
    growth_rate). The convs have no bias (the batch norm that follows, or that the next layer
    applies, shifts anyway).

    Shape: ``(N, in_channels, H, W)`` to ``(N, growth_rate, H, W)``.
    """

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int | None = 4) -> None:
        super().__init__()
        self.bottleneck = bn_size is not None
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.relu1 = nn.ReLU(inplace=True)
        if not self.bottleneck:
            self.conv1 = nn.Conv2d(in_channels, growth_rate, 3, padding=1, bias=False)
            return
        self.conv1 = nn.Conv2d(in_channels, bn_size * growth_rate, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv1(self.relu1(self.norm1(x)))
        if self.bottleneck:
            y = self.conv2(self.relu2(self.norm2(y)))
        return y


class DenseBlock(nn.Module):
    """``num_layers`` dense layers (``denselayer1``, ...), each fed the concatenation of the
    block's input and every earlier layer's output.

    Shape: ``(N, in_channels, H, W)`` to ``(N, in_channels + num_layers * growth_rate, H, W)``.

    >>> DenseBlock(2, 3, growth_rate=10, bn_size=None)(shendu.randn(4, 3, 8, 8)).shape
    (4, 23, 8, 8)
    """

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int,
                 bn_size: int | None = 4) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = DenseLayer(in_channels + i * growth_rate, growth_rate, bn_size)
            self.add_module(f"denselayer{i + 1}", layer)
        self.out_channels = in_channels + num_layers * growth_rate

    def forward(self, x: Tensor) -> Tensor:
        features = [x]
        for layer in self.children():
            # concatenating once per layer copies the growing input each time; fine at
            # these sizes, and the gradient of cat is a plain split
            features.append(layer(shendu.cat(features, dim=1)))
        return shendu.cat(features, dim=1)


class Transition(nn.Sequential):
    """Between dense blocks: norm -> relu -> conv (1x1, to ``out_channels``) -> pool (2x2
    average, stride 2).

    Shape: ``(N, in_channels, H, W)`` to ``(N, out_channels, floor(H / 2), floor(W / 2))``.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(OrderedDict([
            ("norm", nn.BatchNorm2d(in_channels)),
            ("relu", nn.ReLU(inplace=True)),
            ("conv", nn.Conv2d(in_channels, out_channels, 1, bias=False)),
            ("pool", nn.AvgPool2d(2, stride=2)),
        ]))


class DenseNet(nn.Module):
    """DenseNet in torchvision's layout: ``features`` (a Sequential) then ``classifier``:

        features: conv0 (7x7, stride 2) -> norm0 -> relu0 [-> pool0 (3x3 max, stride 2)]
                  -> denseblock1 -> transition1 -> ... -> denseblockK -> norm5
        then ReLU -> global average pool -> flatten -> classifier (Linear)

    Each transition halves the channels (rounding down) and the height and width.

    Args:
        growth_rate: k, the channels each dense layer adds.
        block_config: the number of layers in each dense block.
        num_init_features: the channels of conv0.
        bn_size: the bottleneck's width factor (1x1 conv to bn_size * k channels), or None
            for plain BN-ReLU-3x3 conv layers (d2l).
        num_classes: outputs of ``classifier``.
        in_channels: channels of the images.
        stem_pool: keep the 3x3 max pool ``pool0`` of the stem.

    Shape: ``(N, in_channels, H, W)`` to ``(N, num_classes)``.
    """

    def __init__(self, growth_rate: int = 32, block_config: Sequence[int] = (6, 12, 24, 16),
                 num_init_features: int = 64, bn_size: int | None = 4,
                 num_classes: int = 1000, in_channels: int = 3, stem_pool: bool = True) -> None:
        super().__init__()
        stem = [("conv0", nn.Conv2d(in_channels, num_init_features, 7, stride=2, padding=3,
                                    bias=False)),
                ("norm0", nn.BatchNorm2d(num_init_features)),
                ("relu0", nn.ReLU(inplace=True))]
        if stem_pool:
            stem.append(("pool0", nn.MaxPool2d(3, stride=2, padding=1)))
        self.features = nn.Sequential(OrderedDict(stem))
        channels = num_init_features
        for i, num_layers in enumerate(block_config):
            block = DenseBlock(num_layers, channels, growth_rate, bn_size)
            self.features.add_module(f"denseblock{i + 1}", block)
            channels = block.out_channels
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}",
                                         Transition(channels, channels // 2))
                channels //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(channels))
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        stages = [(f"features.{name}", module) for name, module in self.features.named_children()
                  if isinstance(module, (nn.Conv2d, nn.MaxPool2d, Transition))]
        check_input_size(self, x.shape, stages)
        x = self.features(x).relu()
        x = x.mean(dim=(2, 3))  # global average pooling
        return self.classifier(x)


def densenet121(num_classes: int = 1000, in_channels: int = 3) -> DenseNet:
    """DenseNet-121 (DenseNet-BC, k = 32, blocks of 6, 12, 24, 16 bottleneck layers) for
    3x224x224 ImageNet images, torchvision's layout and state_dict keys (7,978,856 parameters
    for 1000 classes; inputs of at least 29x29)."""
    return DenseNet(32, (6, 12, 24, 16), 64, 4, num_classes, in_channels)


@register_model("densenet", "DenseNet, the MNIST-sized configuration: d2l's stem, 3 dense "
                "blocks of 4 BN-ReLU-conv layers, growth rate 16, on 1x28x28 images",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=3, batch_size=32))
def densenet_mnist(num_classes: int = 10, in_channels: int = 1, growth_rate: int = 16,
                   block_config: Sequence[int] = (4, 4, 4),
                   num_init_features: int = 32) -> DenseNet:
    """DenseNet for 1x28x28 images (MNIST, Fashion-MNIST), reduced from d2l's DenseNet (which
    feeds 96x96 images): the same stem (7x7 conv, stride 2, batch norm, ReLU, 3x3 max pool),
    dense blocks of four BN-ReLU-3x3-conv layers and transitions halving the channels, but

    * three dense blocks instead of four: a 28x28 image is 7x7 after the stem, 3x3 after the
      first transition and 1x1 after the second; a third would leave nothing;
    * half d2l's widths: growth rate 16 instead of 32 and 32 channels after the stem instead
      of 64, which with the missing block cuts the cost of an epoch about 4-fold, to fit the
      CPU budget of the test suite.

    Channels: 32 -> block 1 -> 96 -> transition -> 48 -> block 2 -> 112 -> transition -> 56
    -> block 3 -> 120 -> classifier."""
    return DenseNet(growth_rate, block_config, num_init_features, None, num_classes,
                    in_channels)
