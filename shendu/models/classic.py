"""The first models of the curriculum that ``shendu train`` knows: softmax regression, the
multilayer perceptron and LeNet-5 (its modern variant with ReLU and max pooling)."""

from __future__ import annotations

from shendu import nn
from shendu.models.registry import Recipe, register_model


@register_model("softmax", "softmax regression: Flatten -> Linear(784, 10)",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=10, batch_size=256))
def softmax_regression(num_classes: int = 10, in_channels: int = 1,
                       image_size: int = 28) -> nn.Module:
    """o = x W^T + b on the flattened image; the softmax lives in the cross-entropy loss."""
    return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * image_size ** 2, num_classes))


@register_model("mlp", "multilayer perceptron 784-256-256-10, ReLU, dropout 0.2",
                recipe=Recipe(optimizer="adam", lr=2e-3, epochs=10, batch_size=128,
                              lr_step_gamma=0.7, random_shift=0.08))
def mlp(num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
        hidden: tuple[int, ...] = (256, 256), dropout: float = 0.2) -> nn.Module:
    """Flatten -> (Linear -> ReLU -> Dropout) per hidden layer -> Linear."""
    layers: list[nn.Module] = [nn.Flatten()]
    width = in_channels * image_size ** 2
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
        width = size
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)


@register_model("lenet", "LeNet-5 with ReLU and max pooling (6 and 16 channels, 120-84-10)",
                recipe=Recipe(optimizer="adam", lr=0.002, epochs=3, batch_size=128,
                              lr_step_gamma=0.5))
def lenet(num_classes: int = 10, in_channels: int = 1) -> nn.Module:
    """conv 5x5 (padding 2) -> ReLU -> max pool 2 -> conv 5x5 -> ReLU -> max pool 2 ->
    120 -> 84 -> classes, on 28x28 inputs."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, num_classes),
    )
