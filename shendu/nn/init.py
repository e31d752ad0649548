"""Initialisation schemes, as ``torch.nn.init``: each fills a tensor in place and returns it.

The fill is not recorded for backward (it works on a Parameter that requires grad, without
``no_grad``), keeps the tensor's array and dtype, and counts as an in-place change: a graph
that saved the tensor before it was re-initialised refuses to run backward. Random draws come
from shendu's global generator, so ``shendu.manual_seed`` makes them reproducible, or from a
``numpy.random.Generator`` passed as ``generator``. Samples are drawn in float64 and rounded to
the tensor's dtype.

Fans: for a weight of shape (out, in, *kernel), with receptive field r = prod(kernel) (1 for a
matrix),

    fan_in = in * r,    fan_out = out * r

(a Linear weight is (out_features, in_features), a Conv2d weight (out, in/groups, kH, kW)).
Gains, from :func:`calculate_gain`: 1 (linear, conv, sigmoid), 5/3 (tanh), sqrt(2) (ReLU),
sqrt(2 / (1 + a^2)) (leaky ReLU of negative slope a), 3/4 (SELU).

=================  ==============================================================
scheme             distribution
=================  ==============================================================
xavier_uniform_    U(-b, b),      b = gain * sqrt(6 / (fan_in + fan_out))
xavier_normal_     N(0, std^2),   std = gain * sqrt(2 / (fan_in + fan_out))
kaiming_uniform_   U(-b, b),      b = gain * sqrt(3 / fan)
kaiming_normal_    N(0, std^2),   std = gain / sqrt(fan)
=================  ==============================================================

A uniform U(-b, b) has variance b^2 / 3, so each uniform scheme has the variance of its normal
twin: 2 gain^2 / (fan_in + fan_out) for Xavier, gain^2 / fan for Kaiming.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from shendu import random as _random
from shendu.autograd import versions
from shendu.tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_",
    "eye_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_",
]

# The same names as torch.nn.init.calculate_gain accepts ("leaky_relu" takes a parameter).
_GAINS = {
    "linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
    "conv_transpose1d": 1.0, "conv_transpose2d": 1.0, "conv_transpose3d": 1.0,
    "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale of the weights before ``nonlinearity``.

    ========================  ==========================
    nonlinearity              gain
    ========================  ==========================
    linear, conv*, sigmoid    1
    tanh                      5/3
    relu                      sqrt(2)
    leaky_relu                sqrt(2 / (1 + a^2)), a = ``param`` (0.01 by default)
    selu                      3/4
    ========================  ==========================

    Args:
        nonlinearity: the name of the function (as in ``nn.functional``).
        param: the negative slope of ``"leaky_relu"`` (ignored for the others).

    >>> calculate_gain("leaky_relu", 0.2)  # doctest: +ELLIPSIS
    1.386...
    """
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, (int, float)):
            raise ValueError(f"calculate_gain: the negative slope of leaky_relu must be a "
                             f"number, got {param!r}")
        else:
            slope = param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in _GAINS:
        raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected "
                         f"one of {sorted([*_GAINS, 'leaky_relu'])}")
    return _GAINS[nonlinearity]


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape (out, in, *kernel): (in * r, out * r) with
    r = prod(kernel)."""
    if tensor.ndim < 2:
        raise ValueError(f"fan in and fan out can not be computed for a tensor with fewer than "
                         f"2 dimensions, got shape {tuple(tensor.shape)}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """The fan that ``mode`` ("fan_in" or "fan_out", any case) names."""
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} is not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


# ---------------------------------------------------------------------------- filling
def _check(tensor, op: str, random: bool = False) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(tensor).__name__}")
    if random and not np.issubdtype(tensor.dtype, np.floating):
        raise TypeError(f"{op}: random initialisation needs a floating-point tensor, got dtype "
                        f"{tensor.dtype}")


def _fill(tensor: Tensor, values, op: str) -> Tensor:
    """Write ``values`` (broadcast, rounded to the tensor's dtype) into ``tensor.data`` in place:
    the same array, no graph, and an in-place change for the saved-tensor check."""
    if not tensor.data.flags.writeable:
        raise RuntimeError(f"{op}: the tensor's memory is read-only (an expand() view?)")
    np.copyto(tensor.data, values, casting="unsafe")
    versions.bump(tensor)
    return tensor


def _generator(generator: np.random.Generator | None) -> np.random.Generator:
    return _random.get_generator() if generator is None else generator


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: np.random.Generator | None = None) -> Tensor:
    """Fill with samples of U(a, b): mean (a + b) / 2, variance (b - a)^2 / 12."""
    _check(tensor, "uniform_", random=True)
    if not a <= b:
        raise ValueError(f"uniform_: expects a <= b, got a={a}, b={b}")
    return _fill(tensor, _generator(generator).uniform(a, b, size=tensor.shape), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """Fill with samples of N(mean, std^2)."""
    _check(tensor, "normal_", random=True)
    if not std >= 0:
        raise ValueError(f"normal_: expects std >= 0, got {std}")
    return _fill(tensor, _generator(generator).normal(mean, std, size=tensor.shape), "normal_")


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: np.random.Generator | None = None) -> Tensor:
    """Fill with samples of N(mean, std^2) conditioned on lying in [a, b] (``a`` and ``b`` are
    values, not multiples of ``std``).

    Exact rejection sampling, as PyTorch: when [a, b] holds more than 30% of the normal's
    mass, draw N(mean, std^2) and redraw what falls outside; otherwise draw x from U(a, b) and
    keep it with probability exp(-((x - mean)^2 - (m - mean)^2) / (2 std^2)), where m is the
    point of [a, b] closest to ``mean`` (the density relative to its peak on [a, b]).
    """
    _check(tensor, "trunc_normal_", random=True)
    if not a < b:
        raise ValueError(f"trunc_normal_: expects a < b, got a={a}, b={b}")
    if not std > 0:
        raise ValueError(f"trunc_normal_: expects std > 0, got {std}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("trunc_normal_: mean is more than 2 std from [a, b]; sampling may be slow",
                      stacklevel=2)
    gen = _generator(generator)
    mass = _normal_cdf((b - mean) / std) - _normal_cdf((a - mean) / std)
    values = np.empty(tensor.shape)
    pending = np.ones(tensor.shape, dtype=bool)
    count = values.size
    while count:
        if mass > 0.3:
            draw = gen.normal(mean, std, size=count)
            keep = (draw >= a) & (draw <= b)
        else:
            peak = min(max(mean, a), b)
            draw = gen.uniform(a, b, size=count)
            log_ratio = -((draw - mean) ** 2 - (peak - mean) ** 2) / (2 * std**2)
            keep = np.log(gen.random(count)) < log_ratio
        slots = np.flatnonzero(pending)[keep]
        values.flat[slots] = draw[keep]
        pending.flat[slots] = False
        count -= slots.size
    return _fill(tensor, values, "trunc_normal_")


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    _check(tensor, "constant_")
    return _fill(tensor, val, "constant_")


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    _check(tensor, "zeros_")
    return _fill(tensor, 0, "zeros_")


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    _check(tensor, "ones_")
    return _fill(tensor, 1, "ones_")


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix: ones on the main diagonal, zeros elsewhere
    (a non-square matrix keeps as many inputs as it can)."""
    _check(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only tensors with 2 dimensions are supported, got shape "
                         f"{tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape), "eye_")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: np.random.Generator | None = None) -> Tensor:
    """Glorot and Bengio (2010): U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out)), so that
    Var = 2 gain^2 / (fan_in + fan_out), the harmonic mean of what keeps the variance of the
    activations (1 / fan_in) and of the gradients (1 / fan_out) constant across layers."""
    _check(tensor, "xavier_uniform_", random=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if tensor.data.size == 0:
        return tensor
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: np.random.Generator | None = None) -> Tensor:
    """Glorot and Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    _check(tensor, "xavier_normal_", random=True)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if tensor.data.size == 0:
        return tensor
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    """std = gain / sqrt(fan)."""
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def _is_empty(tensor: Tensor, op: str) -> bool:
    """PyTorch's Kaiming functions leave a zero-element tensor alone, with a warning."""
    _check(tensor, op, random=True)
    if tensor.data.size == 0:
        warnings.warn(f"{op}: initialising a zero-element tensor is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan), so Var = gain^2 / fan.

    Args:
        a: the negative slope of the leaky ReLU after this layer (used with "leaky_relu" only).
        mode: "fan_in" keeps the variance of the activations in the forward pass, "fan_out"
            that of the gradients in the backward pass.
        nonlinearity: the name given to :func:`calculate_gain` ("relu" or "leaky_relu").

    Linear and Conv layers use a = sqrt(5): gain = sqrt(2 / 6), so b = 1 / sqrt(fan_in).
    """
    if _is_empty(tensor, "kaiming_uniform_"):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan) (arguments as
    :func:`kaiming_uniform_`)."""
    if _is_empty(tensor, "kaiming_normal_"):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0,
                generator: np.random.Generator | None = None) -> Tensor:
    """Saxe et al. (2013): ``gain`` times a (semi-)orthogonal matrix; dimensions after the
    first are flattened, giving a (rows, cols) matrix W with W^T W = gain^2 I when
    rows >= cols, W W^T = gain^2 I otherwise.

    W = Q diag(sign(diag(R))) from the QR decomposition of a standard Gaussian matrix (of its
    transpose when rows < cols); fixing the signs makes Q uniformly (Haar) distributed
    (Mezzadri 2007).
    """
    _check(tensor, "orthogonal_", random=True)
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, "
                         f"got shape {tuple(tensor.shape)}")
    if tensor.data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    flat = _generator(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape), "orthogonal_")


def _normal_cdf(x: float) -> float:
    """Phi(x) = (1 + erf(x / sqrt(2))) / 2."""
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
