"""LeNet-5 (LeCun et al. 1998) in the three forms the curriculum teaches, for 1x28x28 images:

* ``"1998"``: the original as d2l writes it: sigmoid activations and average pooling;
* ``"modern"``: ReLU and max pooling (the registry's ``"lenet"``, the CLI's default model);
* ``"bn"``: the 1998 network with batch normalization after each convolution and each hidden
  dense layer, before the activation (d2l's BNLeNet, Ioffe and Szegedy 2015).

All three are :class:`shendu.nn.Sequential` s with the same layer indices for the layers that
hold weights in the first two forms, so a checkpoint saved from ``lenet()`` has the keys
``0.weight``, ``0.bias``, ``3.weight``, ... ``11.bias``::

    conv 5x5, 6 channels, padding 2   (N, C, 28, 28) -> (N, 6, 28, 28)
    activation, pool 2x2              -> (N, 6, 14, 14)
    conv 5x5, 16 channels             -> (N, 16, 10, 10)
    activation, pool 2x2              -> (N, 16, 5, 5)
    flatten                           -> (N, 400)
    dense 120, activation, dense 84, activation, dense num_classes -> (N, num_classes)
"""

from __future__ import annotations

from shendu import nn
from shendu.models.registry import Recipe, register_model
from shendu.nn import init
from shendu.tensor import Tensor

__all__ = ["LeNet", "bn_lenet", "init_cnn", "lenet", "lenet_1998"]

VARIANTS = ("modern", "1998", "bn")


def init_cnn(model: nn.Module, scheme: str = "xavier") -> nn.Module:
    """Initialise every Conv2d and Linear of ``model`` in place: zero biases and weights drawn
    by ``scheme``. Returns ``model``.

    * ``"xavier"`` (d2l's ``init_cnn``; Glorot and Bengio 2010): W ~ U(-a, a) with
      a = sqrt(6 / (fan_in + fan_out)): the variance of the activations and of the gradients
      both stay near 1, which sigmoid networks need to leave their first plateau quickly
      (PyTorch's default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), is three times smaller in
      variance).
    * ``"kaiming"`` (He et al. 2015): W ~ N(0, 2 / fan_in), which keeps the variance of the
      activations through a deep stack of ReLU layers; Xavier halves it at every ReLU, so a
      plain 8-convolution ReLU network starts with almost constant logits.
    """
    if scheme not in ("xavier", "kaiming"):
        raise ValueError(f"init_cnn: scheme must be 'xavier' or 'kaiming', got {scheme!r}")
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            if scheme == "xavier":
                init.xavier_uniform_(module.weight)
            else:
                init.kaiming_normal_(module.weight, nonlinearity="relu")
            if module.bias is not None:
                init.zeros_(module.bias)
    return model


def _activation(variant: str) -> nn.Module:
    return nn.ReLU() if variant == "modern" else nn.Sigmoid()


def _pool(variant: str) -> nn.Module:
    return nn.MaxPool2d(2) if variant == "modern" else nn.AvgPool2d(2)


def _layers(variant: str, num_classes: int, in_channels: int) -> list[nn.Module]:
    """The layers of one variant, in order; BN only in ``"bn"``."""
    bn = variant == "bn"

    def conv_stage(conv: nn.Conv2d) -> list[nn.Module]:
        norm = [nn.BatchNorm2d(conv.out_channels)] if bn else []
        return [conv, *norm, _activation(variant), _pool(variant)]

    def dense_stage(dense: nn.Linear) -> list[nn.Module]:
        norm = [nn.BatchNorm1d(dense.out_features)] if bn else []
        return [dense, *norm, _activation(variant)]

    return [
        *conv_stage(nn.Conv2d(in_channels, 6, kernel_size=5, padding=2)),
        *conv_stage(nn.Conv2d(6, 16, kernel_size=5)),
        nn.Flatten(),
        *dense_stage(nn.Linear(16 * 5 * 5, 120)),
        *dense_stage(nn.Linear(120, 84)),
        nn.Linear(84, num_classes),
    ]


class LeNet(nn.Sequential):
    """LeNet-5 for ``in_channels`` x 28 x 28 images (see the module docstring for the layers).

    Args:
        num_classes: the number of outputs (logits).
        in_channels: the image's channels (1 for MNIST).
        variant: ``"modern"`` (ReLU, max pooling), ``"1998"`` (sigmoid, average pooling) or
            ``"bn"`` (the 1998 network with BatchNorm2d/BatchNorm1d before each activation).

    Shape: ``(N, in_channels, 28, 28)`` to ``(N, num_classes)``.

    The first convolution pads by 2 so that a 28x28 MNIST digit is seen as the 32x32 input of
    the 1998 paper. The 1998 paper's scaled tanh, trainable subsampling, partial C3 connections
    and RBF output layer are left out, as in d2l.

    >>> LeNet(variant="1998")(shendu.randn(2, 1, 28, 28)).shape
    (2, 10)
    """

    image_size = 28

    def __init__(self, num_classes: int = 10, in_channels: int = 1,
                 variant: str = "modern") -> None:
        if variant not in VARIANTS:
            raise ValueError(f"LeNet: variant must be one of {', '.join(map(repr, VARIANTS))}, "
                             f"got {variant!r}")
        super().__init__(*_layers(variant, num_classes, in_channels))
        self.variant = variant

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim != 4 or tuple(input.shape[2:]) != (self.image_size, self.image_size):
            raise self.input_error(
                f"expected input of shape (N, C, {self.image_size}, {self.image_size}) (the "
                f"dense layer after the convolutions takes 16 x 5 x 5 = 400 features), got "
                f"{tuple(input.shape)}")
        return super().forward(input)

    def extra_repr(self) -> str:
        return f"variant={self.variant!r}"


@register_model("lenet", "LeNet-5 with ReLU and max pooling (6 and 16 channels, 120-84-10)",
                recipe=Recipe(optimizer="adam", lr=0.002, epochs=3, batch_size=128,
                              lr_step_gamma=0.5))
def lenet(num_classes: int = 10, in_channels: int = 1) -> LeNet:
    """LeNet-5, modern variant: conv 5x5 (padding 2) -> ReLU -> max pool 2 -> conv 5x5 -> ReLU
    -> max pool 2 -> 120 -> 84 -> classes, on 28x28 inputs (state_dict keys ``0.weight`` ...
    ``11.bias``)."""
    return LeNet(num_classes, in_channels, variant="modern")


@register_model("lenet-1998", "LeNet-5 as in 1998 (sigmoid, average pooling), MNIST-sized "
                "configuration (1x28x28, 6 and 16 channels, 120-84-10)",
                recipe=Recipe(optimizer="adam", lr=0.005, epochs=10, batch_size=128,
                              lr_step_gamma=0.8))
def lenet_1998(num_classes: int = 10, in_channels: int = 1) -> LeNet:
    """LeNet-5 with sigmoid activations and 2x2 average pooling (the 1998 original as d2l
    writes it), on 28x28 inputs, Xavier-initialised (:func:`init_cnn`)."""
    return init_cnn(LeNet(num_classes, in_channels, variant="1998"))


@register_model("bn-lenet", "LeNet-5 (sigmoid, average pooling) with batch normalization, "
                "MNIST-sized configuration (1x28x28)",
                recipe=Recipe(optimizer="adam", lr=0.005, epochs=5, batch_size=128,
                              lr_step_gamma=0.7))
def bn_lenet(num_classes: int = 10, in_channels: int = 1) -> LeNet:
    """LeNet-5 with BatchNorm before every sigmoid (d2l's BNLeNet), on 28x28 inputs,
    Xavier-initialised (:func:`init_cnn`)."""
    return init_cnn(LeNet(num_classes, in_channels, variant="bn"))
