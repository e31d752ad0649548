"""The first models of the curriculum that ``shendu train`` knows: softmax regression and the
multilayer perceptron (LeNet-5 lives in :mod:`shendu.models.lenet` and is re-exported here)."""

from __future__ import annotations

from shendu import nn
from shendu.models.lenet import lenet  # noqa: F401
from shendu.models.registry import Recipe, register_model

__all__ = ["MLP", "SoftmaxRegression", "lenet", "mlp", "softmax_regression"]


class SoftmaxRegression(nn.Sequential):
    """Softmax regression: o = x W^T + b on the flattened image; the softmax lives in the
    cross-entropy loss.

    Layers: ``0`` Flatten, ``1`` Linear(in_channels * image_size**2, num_classes), so the
    state_dict keys are ``1.weight`` and ``1.bias``.

    Shape: ``(N, in_channels, image_size, image_size)`` to ``(N, num_classes)``.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1,
                 image_size: int = 28) -> None:
        super().__init__(nn.Flatten(), nn.Linear(in_channels * image_size ** 2, num_classes))


class MLP(nn.Sequential):
    """Multilayer perceptron: Flatten -> (Linear -> ReLU -> Dropout) per hidden layer ->
    Linear, h = dropout(relu(x W^T + b)).

    Layers: ``0`` Flatten, then three per hidden layer, then the output layer; with the default
    ``hidden=(256, 256)`` the weights are ``1.*``, ``4.*`` and ``7.*``.

    Shape: ``(N, in_channels, image_size, image_size)`` to ``(N, num_classes)``.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
                 hidden: tuple[int, ...] = (256, 256), dropout: float = 0.2) -> None:
        layers: list[nn.Module] = [nn.Flatten()]
        width = in_channels * image_size ** 2
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, num_classes))
        super().__init__(*layers)


@register_model("softmax", "softmax regression: Flatten -> Linear(784, 10)",
                recipe=Recipe(optimizer="adam", lr=1e-3, epochs=10, batch_size=256))
def softmax_regression(num_classes: int = 10, in_channels: int = 1,
                       image_size: int = 28) -> SoftmaxRegression:
    """o = x W^T + b on the flattened image (see :class:`SoftmaxRegression`)."""
    return SoftmaxRegression(num_classes, in_channels, image_size)


@register_model("mlp", "multilayer perceptron 784-256-256-10, ReLU, dropout 0.2",
                recipe=Recipe(optimizer="adam", lr=2e-3, epochs=10, batch_size=128,
                              lr_step_gamma=0.7, random_shift=0.08))
def mlp(num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
        hidden: tuple[int, ...] = (256, 256), dropout: float = 0.2) -> MLP:
    """Flatten -> (Linear -> ReLU -> Dropout) per hidden layer -> Linear (see :class:`MLP`)."""
    return MLP(num_classes, in_channels, image_size, hidden, dropout)
