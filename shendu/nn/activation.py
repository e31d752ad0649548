"""Activation modules, as ``torch.nn``'s: each holds its settings (``extra_repr`` shows them like
PyTorch's repr) and its ``forward`` is one call into ``shendu.nn.functional``. ``PReLU`` and
``Maxout`` have parameters; the others have none.

Modules that take ``inplace`` (as PyTorch's) accept it and always compute out of place: the
input is never changed, and the result is a new tensor (it is shown in the repr all the same).

The generalised rectifier g(x) = max(0, x) + a min(0, x) covers the family (Goodfellow et al.,
*Deep Learning*, 6.3.1): a = 0 is :class:`ReLU`, a small fixed a is :class:`LeakyReLU`, a
learned a is :class:`PReLU`, and a = -1 is the absolute-value rectifier |x|, which is
``shendu.abs`` (there is no module for it).
"""

from __future__ import annotations

import numpy as np

from shendu.nn.linear import Linear
from shendu.nn.module import Module
from shendu.nn.parameter import Parameter
from shendu.ops import activation as F
from shendu.ops.elementwise import sign
from shendu.tensor import Tensor

__all__ = [
    "Threshold", "Sign", "Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU",
    "GELU", "Softplus", "SiLU", "Swish", "Hardtanh", "Softmax", "LogSoftmax", "Softmin",
    "Sparsemax", "Maxout",
]


def _inplace(inplace: bool, first: bool = False) -> str:
    """The ``inplace=True`` part of an extra_repr (empty when False, as PyTorch)."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class Threshold(Module):
    """y = x if x > threshold else value.

    Args:
        threshold: the value to compare with.
        value: what replaces the elements at or below ``threshold``.
        inplace: accepted for PyTorch compatibility; computed out of place.

    Shape: any; the output has the input's shape.
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace(self.inplace)}"


class Sign(Module):
    """sign(x): -1, 0 or 1 elementwise. Not differentiable (its output does not require grad):
    a hard threshold unit, as in the perceptron."""

    def forward(self, input: Tensor) -> Tensor:
        return sign(input)


class Sigmoid(Module):
    """The logistic function 1 / (1 + e^-x), computed without overflow for any x."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class ReLU(Module):
    """The rectified linear unit max(0, x) (``inplace`` accepted; computed out of place).

    >>> nn.ReLU()(shendu.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


class Hardtanh(Module):
    """min(max(x, min_val), max_val); the gradient is 1 strictly between the bounds, else 0.

    Args:
        min_val, max_val: the bounds (min_val < max_val).
        inplace: accepted for PyTorch compatibility; computed out of place.
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if not max_val > min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val "
                             f"({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(0, x), 6) (``inplace`` accepted; computed out of place)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise (Maas et al. 2013).

    Args:
        negative_slope: the slope for negative inputs.
        inplace: accepted for PyTorch compatibility; computed out of place.
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace(self.inplace)}"


class PReLU(Module):
    """Parametric ReLU (He et al. 2015): max(0, x) + a min(0, x) with a learned slope a.

    Args:
        num_parameters: 1 (one slope shared by every element) or the number of channels
            (dim 1 of the input), one slope each.
        init: the initial slope.

    Attributes:
        weight: the slopes, a Parameter of shape ``(num_parameters,)`` (state_dict key
            ``weight``, as PyTorch's).

    Shape: ``(N, C, *)`` with C == num_parameters when num_parameters > 1, else any.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or (
                num_parameters < 1):
            raise ValueError(f"PReLU: num_parameters must be a positive int, got "
                             f"{num_parameters!r}")
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(np.full(num_parameters, init, dtype=np.float32))

    def forward(self, input: Tensor) -> Tensor:
        n = self.num_parameters
        if n > 1 and (input.ndim < 2 or input.shape[1] != n):
            raise self.input_error(
                f"expected an input with {n} channels in dim 1 (one per slope), got shape "
                f"{tuple(input.shape)}"
            )
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x for x > 0, alpha (e^x - 1) otherwise (Clevert et al. 2015).

    Args:
        alpha: the value the negative side tends to is -alpha.
        inplace: accepted for PyTorch compatibility; computed out of place.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace(self.inplace)}"


class GELU(Module):
    """x Phi(x), Phi the standard normal CDF (Hendrycks & Gimpel 2016).

    Args:
        approximate: ``"none"`` (exact, through erf) or ``"tanh"``
            (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))).
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """ln(1 + e^(beta x)) / beta, a smooth ReLU; x itself where beta x > threshold.

    Args:
        beta: the sharpness (larger is closer to ReLU).
        threshold: above beta x > threshold the function is taken as linear.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if beta == 0:
            raise ValueError("Softplus: beta must not be 0")
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(Module):
    """x sigmoid(x), the sigmoid linear unit, also called swish (Ramachandran et al. 2017)
    (``inplace`` accepted; computed out of place)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)

    def extra_repr(self) -> str:
        return _inplace(self.inplace, first=True)


Swish = SiLU  # the same function under its other name


class _Normalize(Module):
    """Softmax and its kin: a function along ``dim``, which must be given (PyTorch's implicit
    choice when ``dim`` is None is deprecated there and not followed here)."""

    _function = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        if dim is None:
            raise TypeError(
                f"{type(self).__name__}: dim is required (e.g. dim=-1 for the last "
                "dimension). PyTorch's deprecated implicit choice (dim 0 for 0-, 1- and 3-d "
                "input, dim 1 otherwise) is not followed: it silently normalises over the "
                "batch of a 3-d input"
            )
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._function(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_Normalize):
    """softmax(x)_i = e^(x_i) / sum_j e^(x_j) along ``dim``: non-negative and summing to 1,
    computed without overflow. ``dim`` is required: PyTorch's deprecated implicit choice for
    ``dim=None`` is not followed, and None raises TypeError.

    >>> nn.Softmax(dim=-1)(shendu.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """

    _function = staticmethod(F.softmax)


class LogSoftmax(_Normalize):
    """ln softmax(x)_i = x_i - ln sum_j e^(x_j) along ``dim`` (required), in one stable step.
    """

    _function = staticmethod(F.log_softmax)


class Softmin(_Normalize):
    """softmin(x) = softmax(-x) along ``dim`` (required)."""

    _function = staticmethod(F.softmin)


class Sparsemax(Module):
    """Sparsemax (Martins & Astudillo 2016): the Euclidean projection onto the probability
    simplex along ``dim``, max(x - tau, 0) with tau making it sum to 1. Like softmax it gives
    probabilities, but with exact zeros. (Not in PyTorch.)

    Args:
        dim: the dimension to normalise over.
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.sparsemax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Maxout(Linear):
    """A maxout layer (Goodfellow et al. 2013): ``num_pieces`` affine maps per output feature and
    the max over them, h_i(x) = max_{j < k} (x W^T + b)_(i k + j) for k = ``num_pieces``.
    A maxout unit is a learned convex piecewise-linear activation. (Not in PyTorch.)

    It is a :class:`Linear` layer with ``out_features * num_pieces`` outputs (same parameters,
    initialisation and input checks) followed by the max over each group of k.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        num_pieces: k, the number of affine pieces per output feature.
        bias: whether the affine maps have a bias.

    Attributes:
        weight: ``(out_features * num_pieces, in_features)``; rows ``i*k ... i*k + k - 1`` are
            the pieces of output feature i.
        bias: ``(out_features * num_pieces,)``.

    Shape: ``(*, in_features)`` to ``(*, out_features)``.
    """

    def __init__(self, in_features: int, out_features: int, num_pieces: int,
                 bias: bool = True) -> None:
        for name, value in (("in_features", in_features), ("out_features", out_features),
                            ("num_pieces", num_pieces)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Maxout: {name} must be a positive int, got {value!r}")
        super().__init__(in_features, out_features * num_pieces, bias)
        self.out_features = out_features  # the layer's outputs, after the max
        self.num_pieces = num_pieces

    def forward(self, input: Tensor) -> Tensor:
        return F.maxout(super().forward(input), self.num_pieces, dim=-1)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"num_pieces={self.num_pieces}, bias={self.bias is not None}")
