"""AlexNet (Krizhevsky, Sutskever and Hinton 2012): five convolutions and three dense layers,
ReLU, overlapping 3x3 max pooling with stride 2, dropout in the classifier and, in the paper,
local response normalization after the first two convolutions.

The layout is torchvision's (one GPU's worth of channels, 64-192-384-256-256)::

    features    conv 11x11 stride 4 -> ReLU -> [LRN] -> max pool 3/2
                conv 5x5 -> ReLU -> [LRN] -> max pool 3/2
                conv 3x3 -> ReLU -> conv 3x3 -> ReLU -> conv 3x3 -> ReLU -> max pool 3/2
    avgpool     AdaptiveAvgPool2d((6, 6))                 (N, 256, 6, 6)
    classifier  dropout -> dense 4096 -> ReLU -> dropout -> dense 4096 -> ReLU
                -> dense num_classes                      (N, num_classes)

``alexnet()`` has torchvision's 61,100,840 parameters and state_dict keys. With ``lrn=True``
each LocalResponseNorm is one more entry of ``features`` (it has no weights), so the indices
of the later layers move: ``features.3.weight`` (the second convolution) becomes
``features.4.weight``, and so on; torchvision checkpoints load only with ``lrn=False``.
``alexnet_small`` is the MNIST-sized configuration, with LRN.
"""

from __future__ import annotations

import math

from shendu import nn
from shendu.models.lenet import init_cnn
from shendu.models.registry import Recipe, register_model
from shendu.tensor import Tensor

__all__ = ["AlexNet", "alexnet", "alexnet_small"]


def _lrn() -> nn.LocalResponseNorm:
    """The paper's normalization, n = 5, k = 2, beta = 0.75, with PyTorch's alpha = 1e-4 (which
    PyTorch divides by n: alpha / n * sum of squares)."""
    return nn.LocalResponseNorm(size=5, alpha=1e-4, beta=0.75, k=2.0)


class AlexNet(nn.Module):
    """AlexNet with torchvision's layout (see the module docstring), sizes as arguments.

    Args:
        num_classes: the number of outputs (logits).
        in_channels: the image's channels.
        widths: the output channels of the five convolutions.
        hidden: the width of the two hidden dense layers.
        dropout: the dropout probability before each hidden dense layer.
        lrn: insert LocalResponseNorm after the first two ReLUs (shifts the indices of
            ``features``, see the module docstring).
        stem: (kernel_size, stride, padding) of the first convolution; (11, 4, 2) for 224x224
            images.
        pool_size: the output size of ``avgpool``; the first dense layer has
            ``widths[-1] * pool_size[0] * pool_size[1]`` inputs.

    Shape: ``(N, in_channels, H, W)`` to ``(N, num_classes)``; with the ImageNet stem H and W
    must be at least 63 (each 3/2 pool needs a 3x3 map).

    >>> AlexNet(num_classes=10, hidden=64)(shendu.randn(1, 3, 64, 64)).shape
    (1, 10)
    """

    def __init__(self, num_classes: int = 1000, in_channels: int = 3,
                 widths: tuple[int, int, int, int, int] = (64, 192, 384, 256, 256),
                 hidden: int = 4096, dropout: float = 0.5, lrn: bool = False,
                 stem: tuple[int, int, int] = (11, 4, 2),
                 pool_size: tuple[int, int] = (6, 6)) -> None:
        super().__init__()
        if len(widths) != 5:
            raise ValueError(f"AlexNet: widths must give the channels of 5 convolutions, got "
                             f"{widths!r}")
        self.lrn = lrn
        c1, c2, c3, c4, c5 = widths
        kernel, stride, padding = stem
        norm = [_lrn()] if lrn else []
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, kernel_size=kernel, stride=stride, padding=padding),
            nn.ReLU(), *norm, nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5, padding=2), nn.ReLU(), *norm,
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(c2, c3, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(c3, c4, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(c4, c5, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d(pool_size)
        pooled = math.prod((pool_size, pool_size) if isinstance(pool_size, int) else pool_size)
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(c5 * pooled, hidden), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))

    def extra_repr(self) -> str:
        return f"lrn={self.lrn}"


def alexnet(num_classes: int = 1000, in_channels: int = 3, lrn: bool = False,
            dropout: float = 0.5) -> AlexNet:
    """AlexNet for 3x224x224 ImageNet images with torchvision's layout and 61,100,840
    parameters (for 1000 classes); ``lrn=True`` adds the paper's LocalResponseNorm."""
    return AlexNet(num_classes, in_channels, lrn=lrn, dropout=dropout)


@register_model("alexnet", "AlexNet (5 conv + 3 dense, ReLU, LRN, dropout), MNIST-sized "
                "configuration: 5x5 stem, 12-24-32-32-24 channels, dense 256, dropout 0.2",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=5, batch_size=128,
                              lr_step_gamma=0.7))
def alexnet_small(num_classes: int = 10, in_channels: int = 1,
                  widths: tuple[int, int, int, int, int] = (12, 24, 32, 32, 24),
                  hidden: int = 256, dropout: float = 0.2, lrn: bool = True) -> AlexNet:
    """AlexNet for 1x28x28 images: the first convolution is 5x5 with stride 1 and padding 2
    (the 11x11/4 stem would leave nothing of a 28x28 image), the channels are 12-24-32-32-24
    (a fifth to a twelfth of torchvision's 64-192-384-256-256), the hidden dense layers have
    256 units, and LRN is on. The three 3/2 pools give 28 -> 13 -> 6 -> 2, and ``avgpool``
    keeps the 2x2 map. Weights are Xavier-initialised as in d2l
    (:func:`~shendu.models.lenet.init_cnn`). Dropout is 0.2 rather than the paper's 0.5: the
    dense layers are 16 times narrower, and with 0.5 one epoch on 5,000 MNIST images ended at
    89% instead of 92-94%.

    Shape: ``(N, in_channels, 28, 28)`` to ``(N, num_classes)``.
    """
    return init_cnn(AlexNet(num_classes, in_channels, widths=widths, hidden=hidden,
                            dropout=dropout, lrn=lrn, stem=(5, 1, 2), pool_size=(2, 2)))
