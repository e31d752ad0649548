"""Activation functions: the rectifiers (ReLU and its kin), the smooth ones (ELU, GELU, softplus,
SiLU), the normalising ones (softmax, log-softmax, softmin, sparsemax) and maxout.

Each op whose formula is more than one primitive is fused into one :class:`Function`, its
backward a closed form, so that a layer's activation costs one node of the graph and keeps only
the arrays its derivative needs. The functional forms at the bottom have PyTorch's
names, arguments and defaults (``shendu.nn.functional`` re-exports them); ``sparsemax`` and
``maxout``, which PyTorch lacks, follow their papers.

Functions that take ``inplace`` (as PyTorch's) accept it for compatibility and always compute
out of place: the input is never changed, and the result is a new tensor.

GELU needs the error function, which NumPy lacks (SciPy is no dependency and ``math.erf`` takes
one number at a time): :func:`erf_array` and :func:`erfc_array` are vectorised versions,
accurate to a few units in the last place in float64.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from shendu import backend
from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.ops.dims import normalize_dim
from shendu.ops.elementwise import Cast, Relu, Sigmoid, logistic, neg, tanh
from shendu.ops.reduce import amax
from shendu.ops.shape import reshape
from shendu.tensor import Tensor

__all__ = [
    "threshold", "heaviside", "relu", "relu6", "leaky_relu", "prelu", "hardtanh", "elu",
    "gelu", "softplus", "silu", "sigmoid", "tanh", "softmax", "log_softmax", "softmin",
    "sparsemax", "maxout",
]

_SQRT1_2 = 1 / math.sqrt(2.0)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_CUBIC = 0.044715  # the cubic coefficient of GELU's tanh approximation


# ---------------------------------------------------------------------------- helpers
def _one_where(mask: np.ndarray, other, dtype) -> np.ndarray:
    """1 where ``mask`` holds, else ``other`` (a number or an array that broadcasts), as
    ``~mask * other + mask`` in ``dtype``: exact, and several times faster than ``np.where``
    on a mask without long runs (np.where branches per element, and mispredicts on random
    signs)."""
    out = np.multiply(~mask, other, dtype=dtype)
    out += mask
    return out


# ---------------------------------------------------------------------------- rectifiers
class Threshold(Function):
    @staticmethod
    def forward(ctx, x, threshold, value):
        xp = get_array_module(x)
        keep = x > threshold
        ctx.save_for_backward(keep)
        return xp.where(keep, x, xp.asarray(value, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (keep,) = ctx.saved_tensors
        return grad * keep, None, None  # d/dx = 1 where x > threshold, else 0 (a constant)


class Hardtanh(Function):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return get_array_module(x).clip(x, low, high).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # d clip(x)/dx = 1 strictly inside (low, high), else 0 (at the corners too, as PyTorch)
        return grad * ((x > ctx.low) & (x < ctx.high)), None, None


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, slope):
        xp = get_array_module(x)
        ctx.save_for_backward(x > 0)
        ctx.slope = slope
        # x for x > 0, else slope x: the larger of the two when slope <= 1, else the smaller
        return xp.maximum(x, x * slope) if slope <= 1 else xp.minimum(x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        # d/dx = 1 for x > 0, else the slope
        return grad * _one_where(positive, ctx.slope, grad.dtype), None


class PRelu(Function):
    """max(0, x) + w min(0, x) with a learnable slope ``w``: one shared, or one per channel
    (dim 1 of ``x``)."""

    @staticmethod
    def forward(ctx, x, weight):
        xp = get_array_module(x)
        # the weight against the channel dim: (C,) -> (C, 1, ..., 1), broadcasting from dim 1
        if weight.size == 1:
            w = weight.reshape(())
        else:
            w = weight.reshape((weight.size,) + (1,) * (x.ndim - 2))
        ctx.save_for_backward(x, w)
        ctx.weight_shape = weight.shape
        y = w * xp.minimum(x, 0)
        y += xp.maximum(x, 0)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        xp = get_array_module(x)
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gx = grad * _one_where(x > 0, w, grad.dtype)  # d/dx = 1 for x > 0, else w
        if ctx.needs_input_grad[1]:
            # d/dw = min(0, x), summed over every position that shares the weight
            gw = grad * xp.minimum(x, 0)
            gw = gw.sum() if w.ndim == 0 else gw.sum(axis=tuple(a for a in range(x.ndim) if a != 1))
            gw = gw.reshape(ctx.weight_shape)
        return gx, gw


# ---------------------------------------------------------------------------- smooth
class Elu(Function):
    @staticmethod
    def forward(ctx, x, alpha):
        xp = get_array_module(x)
        # alpha (e^x - 1) for x <= 0, with expm1 for accuracy near 0 and min(x, 0) so that a
        # large positive x (which takes the other branch) cannot overflow
        negative = alpha * xp.expm1(xp.minimum(x, 0))  # 0 where x > 0
        ctx.save_for_backward(x > 0, negative)
        ctx.alpha = alpha
        return negative + xp.maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        positive, negative = ctx.saved_tensors
        # d/dx = 1 for x > 0, else alpha e^x = elu(x) + alpha
        return grad * _one_where(positive, negative + ctx.alpha, grad.dtype), None


class Gelu(Function):
    @staticmethod
    def forward(ctx, x, approximate):
        xp = get_array_module(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            t = xp.tanh(_SQRT_2_OVER_PI * (x + _GELU_CUBIC * x * x * x))
            ctx.save_for_backward(x, t)
            return 0.5 * x * (1 + t)
        # x Phi(x), with the normal CDF Phi(x) = erfc(-x / sqrt 2) / 2 (accurate in both tails)
        cdf = 0.5 * erfc_array(x * -_SQRT1_2)
        ctx.save_for_backward(x, cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        x, saved = ctx.saved_tensors
        xp = get_array_module(x)
        if ctx.approximate == "tanh":
            t = saved
            # d/dx = (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 0.044715 x^2)
            inner = _SQRT_2_OVER_PI * (1 + 3 * _GELU_CUBIC * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner), None
        # d x Phi(x)/dx = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi); |x| is capped at
        # 40 in phi, where it is 0 already, so that x^2 cannot overflow
        capped = xp.minimum(xp.abs(x), 40)
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * capped * capped)
        return grad * (saved + x * pdf), None


class Softplus(Function):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = get_array_module(x)
        bx = x * beta if beta != 1 else x
        # ln(1 + e^z) / beta for z = beta x, as max(z, 0) + ln(1 + e^-|z|): no overflow for any
        # z (and 9x faster than np.logaddexp). Above the threshold (z > threshold) it is x
        # itself, as in PyTorch
        y = xp.log1p(xp.exp(-xp.abs(bx)))
        y += xp.maximum(bx, 0)
        if beta != 1:
            y /= beta
        linear = bx > threshold
        ctx.save_for_backward(bx, linear)
        return xp.where(linear, x, y)

    @staticmethod
    def backward(ctx, grad):
        bx, linear = ctx.saved_tensors
        # d/dx = sigmoid(beta x) (1 in the linear part)
        return grad * get_array_module(grad).where(linear, 1, logistic(bx)), None, None


class Silu(Function):
    @staticmethod
    def forward(ctx, x):
        s = logistic(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        # d x sigma(x)/dx = sigma(x) (1 + x (1 - sigma(x)))
        return grad * s * (1 + x * (1 - s))


# ---------------------------------------------------------------------------- normalising
def _minus_max(x: np.ndarray, axis) -> np.ndarray:
    """x - max(x) along ``axis``: every exponent is then <= 0, so e^x cannot overflow. A slice
    whose max is not finite (all -inf, or holding inf or NaN) gives NaN, as in PyTorch, without
    NumPy's warning."""
    m = x.max(axis=axis, keepdims=True, initial=-np.inf)  # -inf for an empty slice
    if np.isfinite(m).all():
        out = x - m
    else:
        with np.errstate(invalid="ignore"):
            out = x - m
    return out if x.ndim else np.asarray(out)  # 0-d: an array (a scalar takes no out=)


def _empty(ctx, x: np.ndarray) -> np.ndarray:
    """The output of softmax and its kin for an input with no elements (whose sums over an
    empty dim would be 0, and their log a warning)."""
    ctx.save_for_backward(x)
    return x.copy()


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        if x.size == 0:
            return _empty(ctx, x)
        y = _minus_max(x, axis)  # e^(x - m) / sum e^(x - m), m the max: no overflow
        get_array_module(x).exp(y, out=y)
        y /= y.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        # d y_i/dx_j = y_i (delta_ij - y_j), so grad_x = y (g - sum(g y))
        gx = grad - (grad * y).sum(axis=ctx.axis, keepdims=True)
        gx *= y
        return gx, None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, axis):
        xp = get_array_module(x)
        ctx.axis = axis
        if x.size == 0:
            return _empty(ctx, x)
        # x - m - ln(sum e^(x - m)), m the max: no overflow, and no log of an underflowed 0
        y = _minus_max(x, axis)
        y -= xp.log(xp.exp(y).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        # d y_i/dx_j = delta_ij - softmax_j, so grad_x = g - e^y sum(g)
        gx = get_array_module(y).exp(y)
        gx *= -grad.sum(axis=ctx.axis, keepdims=True)
        gx += grad
        return gx, None


class Sparsemax(Function):
    """Martins & Astudillo (2016): the Euclidean projection of z onto the probability simplex,
    p = argmin_{p in simplex} ||p - z||^2 = max(z - tau, 0)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = get_array_module(x)
        ctx.axis = axis
        # Along the last axis: z sorted in decreasing order, z_(1) >= ... >= z_(n). The support
        # is the k largest, k = max{k : 1 + k z_(k) > sum_{j<=k} z_(j)}, and the threshold
        # tau = (sum_{j<=k} z_(j) - 1) / k makes the kept z - tau sum to 1
        z = xp.moveaxis(x, axis, -1)
        n = z.shape[-1]
        if n == 0:
            ctx.save_for_backward(x)
            return x.copy()
        ranked = xp.flip(xp.sort(z, axis=-1), axis=-1)
        cumulative = xp.cumsum(ranked, axis=-1)
        k = xp.arange(1, n + 1, dtype=x.dtype)
        size = (1 + k * ranked > cumulative).sum(axis=-1, keepdims=True)
        tau = xp.take_along_axis(cumulative, size - 1, axis=-1)
        tau -= 1
        tau /= size.astype(x.dtype)
        p = xp.maximum(x - xp.moveaxis(tau, -1, axis), 0)
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, grad):
        (p,) = ctx.saved_tensors
        # The Jacobian is diag(s) - s s^T / |S| on the support S (s its indicator): the gradient
        # is g minus its mean over the support, there, and 0 off it
        inside = p > 0
        axis = ctx.axis
        mean = (grad * inside).sum(axis=axis, keepdims=True)
        mean /= inside.sum(axis=axis, keepdims=True, dtype=grad.dtype)
        gx = grad - mean
        gx *= inside
        return gx, None


# ---------------------------------------------------------------------------- erf
# Accurate to a few ulp in float64 (the tests compare with math.erf and math.erfc):
#
#   erf, |x| < 1: the Maclaurin series erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)),
#       whose terms shrink fast enough that the alternating signs lose nothing;
#   erf, |x| >= 1: sign(x) (1 - erfc(|x|));
#   erfc, x >= 0: e^(-x^2) erfcx(x), and erfc(-x) = 2 - erfc(x). The scaled function
#       erfcx(x) = e^(x^2) erfc(x) is smooth: (1 + 2x) erfcx(x) goes from 1 at x = 0 to
#       2/sqrt(pi) at infinity, and in u = (x - 4) / (x + 4), which maps [0, inf) onto [-1, 1),
#       a polynomial of degree 22 matches it to double precision. That polynomial is the
#       Chebyshev interpolant through 48 points, made once on first use from the continued
#       fraction sqrt(pi) erfcx(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) (Abramowitz &
#       Stegun 7.1.14) for x >= 1 and from the series above for x < 1.
#
# e^(-x^2) is taken from x = hi + lo, with hi holding half the mantissa bits so that hi^2 is
# exact: e^(-x^2) = e^(-hi^2) e^(-lo (x + hi)). Rounding x^2 first would cost x^2 ulp (600 ulp
# at x = 25). float32 squares in float64 instead (exact there) and uses fewer terms (its eps is
# larger); float16 and integers are computed in float32.
_ERFCX_CENTER = 4.0  # u = (x - 4) / (x + 4)
_CHEBYSHEV_POINTS = 48
_CONTINUED_FRACTION_DEPTH = 500  # enough for 17 digits at x = 1, the slowest point


def _maclaurin_erf_coefficients(eps: float) -> list:
    """2/sqrt(pi) (-1)^n / (n! (2n+1)) for n = 0, 1, ... until the term at |x| = 1 is below
    eps/16 (the coefficients of erf(x)/x as a polynomial in x^2)."""
    coefficients = []
    for n in range(64):
        size = 1 / (math.factorial(n) * (2 * n + 1))
        coefficients.append((-1) ** n * size * 2 / math.sqrt(math.pi))
        if size < eps / 16:
            break
    return coefficients


def _horner(coefficients, t: np.ndarray) -> np.ndarray:
    """sum_k coefficients[k] t^k, in place on one new array."""
    p = t * coefficients[-1]
    p += coefficients[-2]
    for a in coefficients[-3::-1]:
        p *= t
        p += a
    return p


def _scaled_erfcx(x: np.ndarray) -> np.ndarray:
    """(1 + 2x) e^(x^2) erfc(x) in float64, slowly and accurately (for fitting)."""
    out = np.empty_like(x)
    small = x < 1
    xs = x[small]
    maclaurin = _maclaurin_erf_coefficients(np.finfo(np.float64).eps)
    out[small] = (1 - xs * _horner(maclaurin, xs * xs)) * np.exp(xs * xs)
    xl = x[~small]
    t = xl.copy()  # the continued fraction, evaluated from its tail up
    for k in range(_CONTINUED_FRACTION_DEPTH, 0, -1):
        t = xl + (k / 2) / t
    out[~small] = 1 / (t * math.sqrt(math.pi))
    return (1 + 2 * x) * out


def _chebyshev_interpolant(f, n: int) -> np.ndarray:
    """The Chebyshev coefficients c_0..c_(n-1) of the polynomial through f at the n points
    cos(pi (2j+1) / (2n)) of [-1, 1]; the angles are reduced exactly (mod 2 pi) first."""
    odd = 2 * np.arange(n) + 1
    values = f(np.cos(np.pi * odd / (2 * n)))
    angles = np.outer(np.arange(n), odd) % (4 * n)
    c = (2.0 / n) * (np.cos(np.pi * angles / (2 * n)) @ values)
    c[0] /= 2
    return c


@functools.cache
def _erf_tables(dtype: np.dtype) -> tuple:
    """(Maclaurin coefficients of erf(x)/x in x^2, power coefficients of (1 + 2x) erfcx(x) in
    u), both cut where their terms fall below ``dtype``'s precision."""
    eps = float(np.finfo(dtype).eps)

    def in_u(u):
        return _scaled_erfcx(_ERFCX_CENTER * (1 + u) / (1 - u))

    c = _chebyshev_interpolant(in_u, _CHEBYSHEV_POINTS)
    keep = int(np.nonzero(np.abs(c) > eps * abs(c[0]))[0][-1]) + 1
    power = np.polynomial.chebyshev.cheb2poly(c[:keep])  # sum |power| is 2: well conditioned
    maclaurin = np.array(_maclaurin_erf_coefficients(eps), dtype=dtype)
    return maclaurin, power.astype(dtype)


def _exp_minus_square(x: np.ndarray) -> np.ndarray:
    """e^(-x^2) without the rounding error of x^2; written in place on few arrays, as it runs
    on every element of a GELU."""
    if x.dtype == np.float32:
        # the square of a float32 is exact in float64: one exp there, rounded once back
        square = np.square(x, dtype=np.float64)
        np.negative(square, out=square)
        np.exp(square, out=square)
        return square.astype(np.float32)
    # float64: Veltkamp's split x = hi + lo, hi with 26 bits, so that hi^2 is exact
    c = x * 134217729.0  # 2^27 + 1
    hi = c - x
    np.subtract(c, hi, out=hi)  # hi = c - (c - x): x rounded to half its mantissa bits
    lo = np.subtract(x, hi, out=c)
    cross = x + hi
    cross *= lo  # lo (x + hi) = x^2 - hi^2
    np.negative(cross, out=cross)
    np.exp(cross, out=cross)
    np.multiply(hi, hi, out=hi)  # exact
    np.negative(hi, out=hi)
    np.exp(hi, out=hi)
    hi *= cross
    return hi


def _erfc_of_abs(ax: np.ndarray, power: np.ndarray) -> np.ndarray:
    """erfc(|x|) = e^(-x^2) ((1 + 2x) erfcx(x)) / (1 + 2x), from |x|."""
    ax = np.minimum(ax, 28)  # erfc is 0 in double beyond 27.3; this keeps x^2 finite
    u = ax + _ERFCX_CENTER
    np.divide(ax - _ERFCX_CENTER, u, out=u)
    scaled = _horner(power, u)
    np.multiply(ax, 2, out=u)
    u += 1
    scaled /= u
    scaled *= _exp_minus_square(ax)
    return scaled


def _as_float(x) -> np.ndarray:
    """``x`` as a 1-d float32 or float64 array (0-d arrays would turn into scalars on the way,
    which cannot take ``out=``); the callers reshape the result back."""
    x = np.asarray(x)
    x = x if x.dtype in (np.float32, np.float64) else x.astype(np.float32)
    return x.reshape(-1)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """The complementary error function 1 - erf(x) = 2/sqrt(pi) int_x^inf e^(-t^2) dt of an
    ndarray, elementwise, accurate relative to its value in both tails (float16 and integers
    are computed in float32; other floats keep their dtype)."""
    shape = np.shape(x)
    x = _as_float(x)
    e = _erfc_of_abs(np.abs(x), _erf_tables(x.dtype)[1])
    # erfc(x) = 2 - erfc(-x) for x < 0; adding (2 - 2e) [x < 0] keeps e exact elsewhere
    flip = e * -2
    flip += 2
    flip *= x < 0
    e += flip
    return e.reshape(shape)


def erf_array(x: np.ndarray) -> np.ndarray:
    """The error function erf(x) = 2/sqrt(pi) int_0^x e^(-t^2) dt of an ndarray, elementwise
    (float16 and integers are computed in float32; other floats keep their dtype)."""
    shape = np.shape(x)
    x = _as_float(x)
    maclaurin, power = _erf_tables(x.dtype)
    ax = np.abs(x)
    near_zero = np.clip(x, -1, 1)
    near_zero *= _horner(maclaurin, near_zero * near_zero)
    away = np.copysign(1 - _erfc_of_abs(ax, power), x)
    # the series where |x| < 1, else the tail (masks multiplied, as in _one_where: both are finite)
    small = ax < 1
    near_zero *= small
    away *= ~small
    away += near_zero
    return away.reshape(shape)


# ---------------------------------------------------------------------------- helpers
def _require_float(op: str, input) -> None:
    dtype = input.dtype if isinstance(input, Tensor) else np.asarray(input).dtype
    if dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point tensor, got dtype {dtype}; convert "
                        "it first (x.float())")


def _softmax_input(op: str, input, dim, dtype) -> tuple:
    """The (cast) input and the axis of softmax and its kin."""
    if dim is None:
        raise TypeError(
            f"{op}: dim is required. PyTorch's deprecated implicit choice (dim 0 for 0-, 1- and "
            "3-d input, dim 1 otherwise) is not followed, as it silently normalises over the "
            "batch of a 3-d input; pass dim=-1 to normalise over the last dimension"
        )
    if dtype is not None:
        dtype = backend.to_dtype(dtype)
        if dtype != input.dtype:
            input = Cast.apply(input, dtype)
    _require_float(op, input)
    axis = normalize_dim(dim, input.ndim, op)
    return input, axis if input.ndim else None


# ---------------------------------------------------------------------------- functional API
def threshold(input, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``input`` where it is greater than ``threshold``, else ``value``:
    y = x if x > threshold else value.

    ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    """
    return Threshold.apply(input, threshold, value)


def heaviside(input, values) -> Tensor:
    """The Heaviside step function, as ``torch.heaviside``: 0 where input < 0, ``values`` where
    input == 0, 1 where input > 0 (NaN gives 0). ``values`` (a tensor or a number) broadcasts
    against ``input``. Not differentiable."""
    x = input.data if isinstance(input, Tensor) else np.asarray(input)
    if isinstance(values, Tensor):
        if values.dtype != x.dtype:
            raise TypeError(f"heaviside: input and values must have the same dtype, got "
                            f"{x.dtype} and {values.dtype}")
        v = values.data
    else:
        v = np.asarray(values, dtype=x.dtype)
    try:
        out = np.where(x == 0, v, x > 0).astype(x.dtype, copy=False)
    except ValueError as err:
        raise ValueError(f"heaviside: input of shape {x.shape} and values of shape {v.shape} "
                         f"cannot be broadcast together ({err})") from None
    return Tensor._make(out)


def relu(input, inplace: bool = False) -> Tensor:
    """The rectified linear unit, max(0, x) (``inplace`` is accepted; computed out of place).
    """
    return Relu.apply(input)


def relu6(input, inplace: bool = False) -> Tensor:
    """min(max(0, x), 6): ReLU capped at 6, i.e. ``hardtanh(input, 0, 6)`` (computed out of
    place)."""
    return hardtanh(input, 0.0, 6.0)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """min(max(x, min_val), max_val): a piecewise-linear tanh. Its gradient is 1 strictly
    between the bounds and 0 elsewhere (computed out of place)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not be greater than max_val "
                         f"({max_val})")
    return Hardtanh.apply(input, min_val, max_val)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """Leaky ReLU: x for x > 0, negative_slope * x otherwise (computed out of place)."""
    _require_float("leaky_relu", input)
    return LeakyRelu.apply(input, negative_slope)


def prelu(input, weight) -> Tensor:
    """Parametric ReLU (He et al. 2015): max(0, x) + w min(0, x) with learnable slopes ``w``.

    Args:
        weight: a 1-d tensor of one slope (shared by every element) or of C slopes, one per
            channel, the channel being dim 1 of ``input`` (as PyTorch).
    """
    _require_float("prelu", input)
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-d, got shape {weight.shape}")
    n = weight.data.size
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if channels != n:
            raise ValueError(
                f"prelu: weight has {n} slopes but the input (shape {input.shape}) has "
                f"{channels} channel(s) in dim 1; use one slope or one per channel"
            )
    return PRelu.apply(input, weight)


def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit (Clevert et al. 2015): x for x > 0, alpha (e^x - 1) otherwise
    (computed out of place)."""
    _require_float("elu", input)
    return Elu.apply(input, alpha)


def gelu(input, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit (Hendrycks & Gimpel 2016): x Phi(x), with Phi the standard
    normal CDF, Phi(x) = (1 + erf(x / sqrt 2)) / 2.

    Args:
        approximate: ``"none"`` (exact, through erf) or ``"tanh"``:
            0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).

    The exact gradient is Phi(x) + x phi(x), phi the normal density.
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    _require_float("gelu", input)
    return Gelu.apply(input, approximate)


def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """A smooth ReLU: ln(1 + e^(beta x)) / beta, and x itself where beta x > threshold.

    Computed without overflow for any x; its gradient is sigmoid(beta x).
    """
    if beta == 0:
        raise ValueError("softplus: beta must not be 0")
    _require_float("softplus", input)
    return Softplus.apply(input, beta, threshold)


def silu(input, inplace: bool = False) -> Tensor:
    """Sigmoid linear unit, also called swish: x sigmoid(x) = x / (1 + e^-x) (computed out of
    place)."""
    _require_float("silu", input)
    return Silu.apply(input)


def sigmoid(input, alpha: float = 1.0) -> Tensor:
    """The logistic function with slope ``alpha``: 1 / (1 + e^(-alpha x)).

    ``alpha = 1`` (the default) is the standard sigmoid, as ``torch.sigmoid``. Stable for any
    x: no overflow in either tail.
    """
    _require_float("sigmoid", input)
    return Sigmoid.apply(input if alpha == 1 else input * alpha)


def softmax(input, dim: int | None = None, *, dtype=None) -> Tensor:
    """softmax(x)_i = e^(x_i) / sum_j e^(x_j) along ``dim``: non-negative, summing to 1.

    Computed as e^(x - m) / sum e^(x - m) with m the max along ``dim``, so no input overflows.

    Args:
        dim: the dimension to normalise over (required: PyTorch's deprecated implicit choice
            is not followed).
        dtype: cast the input to this dtype first.
    """
    input, axis = _softmax_input("softmax", input, dim, dtype)
    return Softmax.apply(input, axis)


def log_softmax(input, dim: int | None = None, *, dtype=None) -> Tensor:
    """ln softmax(x)_i = x_i - ln sum_j e^(x_j) along ``dim``, computed stably in one step
    (more accurate than ``softmax(x).log()``, which gives -inf where softmax underflows)."""
    input, axis = _softmax_input("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, axis)


def softmin(input, dim: int | None = None, *, dtype=None) -> Tensor:
    """softmin(x) = softmax(-x) along ``dim``: e^(-x_i) / sum_j e^(-x_j)."""
    input, axis = _softmax_input("softmin", input, dim, dtype)
    return Softmax.apply(neg(input), axis)


def sparsemax(input, dim: int = -1) -> Tensor:
    """Sparsemax (Martins & Astudillo 2016): the Euclidean projection of ``input`` onto the
    probability simplex along ``dim``, max(x - tau, 0) with tau chosen so that the result
    sums to 1. Unlike softmax it gives exact zeros.

    With z sorted so that z_(1) >= ... >= z_(n), the support size is
    k = max{k : 1 + k z_(k) > sum_{j<=k} z_(j)} and tau = (sum_{j<=k} z_(j) - 1) / k.
    The gradient is g_i minus the mean of g over the support, for i in the support, else 0.
    """
    _require_float("sparsemax", input)
    axis = normalize_dim(dim, input.ndim, "sparsemax")
    if input.ndim == 0:  # one element: the simplex is the single point 1
        return reshape(Sparsemax.apply(reshape(input, (1,)), 0), ())
    return Sparsemax.apply(input, axis)


def maxout(input, num_pieces: int, dim: int = -1) -> Tensor:
    """Maxout (Goodfellow et al. 2013): the max over groups of ``num_pieces`` consecutive
    features along ``dim``, h_i = max_{j < k} z_(i k + j) for k = ``num_pieces``.

    Shape: ``dim`` of size ``m * num_pieces`` becomes size ``m``. Tied maxima share the
    gradient evenly.
    """
    if isinstance(num_pieces, bool) or not isinstance(num_pieces, numbers.Integral) or (
            num_pieces < 1):
        raise ValueError(f"maxout: num_pieces must be a positive int, got {num_pieces!r}")
    num_pieces = int(num_pieces)
    if input.ndim == 0:
        raise ValueError("maxout: the input must have at least one dimension, got a 0-d tensor")
    axis = normalize_dim(dim, input.ndim, "maxout")
    size = input.shape[axis]
    if size % num_pieces:
        raise ValueError(f"maxout: dim {dim} of the input (shape {tuple(input.shape)}) has size "
                         f"{size}, which is not a multiple of num_pieces={num_pieces}")
    shape = input.shape[:axis] + (size // num_pieces, num_pieces) + input.shape[axis + 1:]
    return amax(reshape(input, shape), dim=axis + 1)
