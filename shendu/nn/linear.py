"""Fully connected layers (``Linear`` and its Keras-style form ``Dense``) and the reshaping
layers ``Flatten`` and ``Unflatten``."""

from __future__ import annotations

import math

import numpy as np

from shendu import backend
from shendu.nn import functional as F
from shendu.nn import init
from shendu.nn.module import Module
from shendu.nn.parameter import Parameter
from shendu.nn.regularizers import Regularizer
from shendu.ops.shape import flatten, unflatten
from shendu.tensor import Tensor

__all__ = ["Linear", "Dense", "Flatten", "Unflatten"]


def _factory_dtype(device, dtype) -> np.dtype:
    """The dtype of new parameters (float32 by default); ``device`` may only be the CPU."""
    if device is not None and not str(device).startswith("cpu"):
        raise ValueError(f"device {device!r} is not supported: shendu runs on the CPU")
    dtype = backend.to_dtype(dtype) or backend.default_float
    if not backend.is_floating(dtype):
        raise TypeError(f"parameters must have a floating dtype, got {dtype}")
    return dtype


def _empty_parameter(shape: tuple, dtype) -> Parameter:
    return Parameter(Tensor._make(np.empty(shape, dtype=dtype)))


def _attach_regularizers(layer: Module, weight_regularizer, bias_regularizer) -> None:
    """The Keras-style constructor arguments: ``layer.regularize(weight=..., bias=...)``."""
    if bias_regularizer is not None and layer.bias is None:
        raise ValueError(f"{type(layer).__name__}: bias_regularizer={bias_regularizer!r} was "
                         "given, but the layer has no bias (bias=False)")
    penalties = {"weight": weight_regularizer, "bias": bias_regularizer}
    penalties = {key: value for key, value in penalties.items() if value is not None}
    if penalties:
        layer.regularize(**penalties)


class Linear(Module):
    """Fully connected layer: y = x W^T + b.

    Args:
        in_features: the size of each input sample's last dim.
        out_features: the size of each output sample's last dim.
        bias: whether to learn an additive bias.
        dtype: of the parameters (float32 by default).
        weight_regularizer, bias_regularizer: keyword-only, a penalty on the weight or the
            bias (``shendu.nn.L1``, ``L2``, ``L1L2``), summed by ``regularization_loss()``
            (Keras's ``kernel_regularizer``); the same as ``.regularize(weight=...)``.

    Shape: ``(*, in_features)`` to ``(*, out_features)``.

    Attributes:
        weight: ``(out_features, in_features)``, initialised from U(-k, k) with
            k = 1 / sqrt(in_features) (PyTorch's kaiming_uniform_ with a = sqrt(5)).
        bias: ``(out_features,)``, from U(-k, k) as well.

    >>> layer = shendu.nn.Linear(20, 30)
    >>> layer(shendu.randn(128, 20)).shape
    (128, 30)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None, *, weight_regularizer: Regularizer | None = None,
                 bias_regularizer: Regularizer | None = None) -> None:
        super().__init__()
        dtype = _factory_dtype(device, dtype)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty_parameter((out_features, in_features), dtype)
        if bias:
            self.bias = _empty_parameter((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        _attach_regularizers(self, weight_regularizer, bias_regularizer)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again, as PyTorch initialises them."""
        # kaiming_uniform_ with a = sqrt(5): gain sqrt(2 / (1 + 5)) = sqrt(1/3), bound
        # sqrt(3) * gain / sqrt(fan_in) = 1 / sqrt(fan_in)
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise self.input_error(f"expected input of shape (*, {self.in_features}) "
                                   f"(last dim in_features={self.in_features}), got shape "
                                   f"{input.shape}")
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


_ACTIVATION_ALIASES = {"swish": "silu", "exponential": "exp"}


class Dense(Linear):
    """Keras-style fully connected layer: ``activation(x W^T + b)``.

    Args:
        in_features, out_features, bias: as :class:`Linear` (same parameters, same
            initialisation, same state_dict keys).
        activation: None or ``"linear"`` (none), a callable applied to the output, or the name
            of a function of ``shendu.nn.functional`` (``"relu"``, ``"sigmoid"``, ``"tanh"``,
            ``"softmax"``, ``"log_softmax"``, ``"gelu"``, ...; Keras's ``"swish"`` is
            ``silu``). ``softmax`` and ``log_softmax`` are taken over the last dim. A name is
            looked up when the layer is called.
        weight_regularizer, bias_regularizer: keyword-only penalties, as :class:`Linear`.

    >>> layer = shendu.nn.Dense(4, 3, activation="softmax")
    """

    def __init__(self, in_features: int, out_features: int, activation=None, bias: bool = True,
                 device=None, dtype=None, *, weight_regularizer: Regularizer | None = None,
                 bias_regularizer: Regularizer | None = None) -> None:
        if not (activation is None or callable(activation) or isinstance(activation, str)):
            raise TypeError(f"Dense: activation must be None, a name or a callable, got "
                            f"{type(activation).__name__}")
        super().__init__(in_features, out_features, bias, device, dtype,
                         weight_regularizer=weight_regularizer,
                         bias_regularizer=bias_regularizer)
        self.activation = activation

    def _activation(self):
        """The activation as a function of one tensor (None for none)."""
        activation = self.activation
        if activation is None or callable(activation):
            return activation
        name = _ACTIVATION_ALIASES.get(activation, activation)
        if name == "linear":
            return None
        fn = getattr(F, name, None)
        if fn is None:
            import shendu  # relu, sigmoid, tanh, exp also live at the top level

            fn = getattr(shendu, name, None)
        if not callable(fn) or isinstance(fn, type):
            raise ValueError(f"Dense: unknown activation {activation!r}; expected None, a "
                             "callable or the name of a function of shendu.nn.functional "
                             "('relu', 'sigmoid', 'tanh', 'softmax', ...)")
        if name in ("softmax", "log_softmax"):
            return lambda x: fn(x, dim=-1)
        return fn

    def forward(self, input: Tensor) -> Tensor:
        out = super().forward(input)
        activation = self._activation()
        return out if activation is None else activation(out)

    def extra_repr(self) -> str:
        activation = self.activation
        if activation is not None and not isinstance(activation, str):
            activation = getattr(activation, "__name__", type(activation).__name__)
        return super().extra_repr() + f", activation={activation!r}"


class Flatten(Module):
    """Merge dims ``start_dim`` to ``end_dim`` into one (by default every dim but the batch).

    Shape: ``(N, C, H, W)`` to ``(N, C*H*W)`` with the defaults.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        ndim = max(input.ndim, 1)
        if not (-ndim <= self.start_dim < ndim and -ndim <= self.end_dim < ndim):
            raise self.input_error(f"expected an input that has dims start_dim={self.start_dim} "
                                   f"and end_dim={self.end_dim}, got shape {input.shape} "
                                   f"({input.ndim} dims)")
        return flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size`` (one entry may be -1).

    Shape: ``(N, C*H*W)`` to ``(N, C, H, W)`` with dim=1, unflattened_size=(C, H, W).
    """

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        sizes = self.unflattened_size
        ndim = input.ndim
        known = math.prod(s for s in sizes if s != -1)
        fits = -ndim <= self.dim < ndim and (
            input.shape[self.dim] == known if -1 not in sizes
            else known > 0 and input.shape[self.dim] % known == 0)
        if not fits:
            raise self.input_error(f"expected dim {self.dim} of the input to have "
                                   f"{known if -1 not in sizes else f'a multiple of {known}'} "
                                   f"elements to unflatten into {sizes}, got shape "
                                   f"{input.shape}")
        return unflatten(input, self.dim, sizes)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
