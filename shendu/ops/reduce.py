"""Reductions: sum, mean, max/min, amax/amin, prod, var/std, logsumexp, norm, and the
non-differentiable argmax/argmin/any/all.

``dim`` is ``None`` (every dimension), an int (negative counts from the end) or a tuple of
ints, as in PyTorch. A reduction's backward spreads the gradient back over the reduced axes:
:func:`_keep` puts them back as size-1 axes and broadcasting does the rest.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from shendu import backend
from shendu.autograd.function import Function
from shendu.backend import broadcast_to, get_array_module
from shendu.ops.dims import normalize_dim
from shendu.ops.elementwise import Abs, Cast, Clone, Sqrt, maximum, minimum
from shendu.ops.results import ValuesIndices
from shendu.tensor import Tensor


# ---------------------------------------------------------------------------- dims
def _axis(op: str, dim, ndim: int) -> int:
    """One ``dim`` as an axis in [0, ndim) (a 0-d tensor accepts 0 and -1, as PyTorch)."""
    return normalize_dim(dim, ndim, op)


def _axes(op: str, dim, ndim: int, empty_is_all: bool = True) -> tuple:
    """``dim`` as a sorted tuple of distinct axes. ``None`` means every axis, and so does
    ``()`` unless ``empty_is_all`` is False (``any``/``all`` reduce nothing over ``()``)."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims and empty_is_all:
        return tuple(range(ndim))
    axes = [_axis(op, d, ndim) for d in dims]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: dim={dim!r} names the same dimension more than once")
    return tuple(sorted(axes)) if ndim > 0 else ()


def _int_dim(op: str, dim) -> None:
    """Ops that reduce one dimension at a time (max, argmax, prod) take an int dim only."""
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r} (use amax/amin or sum over "
                        "several dims)")


def _count(shape: tuple, axes: tuple) -> int:
    """How many elements each reduced slice holds."""
    return math.prod(shape[a] for a in axes)


def _check_nonempty(op: str, shape: tuple, axes: tuple) -> None:
    """max, min and their kin have no identity: an empty slice has no answer."""
    for a in axes:
        if shape[a] == 0:
            raise ValueError(
                f"{op}: cannot reduce over dim {a} of size 0 (input shape {shape}): the "
                "operation has no identity; reduce over a non-empty dim"
            )


def _keep(grad: np.ndarray, axes: tuple, keepdim: bool) -> np.ndarray:
    """``grad`` of a reduction with the reduced axes back as size-1 axes (so it broadcasts
    against the input)."""
    if keepdim or grad.ndim == 0:  # a 0-d gradient broadcasts as it is
        return grad
    shape = list(grad.shape)
    for axis in axes:  # ascending, so each insert lands at its final position
        shape.insert(axis, 1)
    return grad.reshape(shape)


def _squeeze(out: np.ndarray, axes: tuple, keepdim: bool) -> np.ndarray:
    return out if keepdim else out.squeeze(axis=axes)


def _require_float(op: str, input: Tensor) -> None:
    if input.dtype.kind != "f":
        raise TypeError(
            f"{op}: expected a floating-point tensor, got dtype {input.dtype}; convert it "
            "first (x.float())"
        )


def _cast(input: Tensor, dtype) -> Tensor:
    dtype = backend.to_dtype(dtype)
    return input if dtype is None or dtype == input.dtype else Cast.apply(input, dtype)


# ---------------------------------------------------------------------------- sum and mean
class Sum(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        # integers and bools sum to int64, as PyTorch (NumPy would give uint64 for uint8)
        dtype = np.int64 if x.dtype.kind in "biu" else None
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        # d sum(x)/dx_i = 1: every element of a slice gets the slice's gradient
        return broadcast_to(_keep(grad, ctx.axes, ctx.keepdim), ctx.shape), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        ctx.n = _count(x.shape, axes)
        if ctx.n == 0:  # the mean of nothing is nan (as PyTorch), without NumPy's warning
            return get_array_module(x).full_like(x.sum(axis=axes, keepdims=keepdim), np.nan)
        return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        # d mean(x)/dx_i = 1/n (an empty slice has no elements to receive a gradient)
        share = _keep(grad, ctx.axes, ctx.keepdim) / (ctx.n or 1)
        return broadcast_to(share, ctx.shape), None, None


# ---------------------------------------------------------------------------- max and min
class AMax(Function):
    pick = np.max  # AMin changes only this

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = type(ctx).pick(x, axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        # d max(x)/dx_i = 1/k at each of the k elements equal to the max, else 0: tied maxima
        # share the gradient evenly (as PyTorch's amax and max())
        is_max = x == _keep(out, ctx.axes, ctx.keepdim)
        ties = is_max.sum(axis=ctx.axes, keepdims=True, dtype=grad.dtype)
        return is_max * (_keep(grad, ctx.axes, ctx.keepdim) / ties), None, None


class AMin(AMax):
    # forward and backward are AMax's: the gradient goes evenly to the elements equal to the min
    pick = np.min


class TakeAlongDim(Function):
    """The element at ``index`` in each slice along ``axis`` (``index`` has the input's shape
    with size 1 along ``axis``): the values of ``max(x, dim)`` and ``min(x, dim)``."""

    @staticmethod
    def forward(ctx, x, index, axis, keepdim):
        ctx.shape, ctx.index, ctx.axis, ctx.keepdim = x.shape, index, axis, keepdim
        out = get_array_module(x).take_along_axis(x, index, axis=axis)
        return _squeeze(out, (axis,), keepdim)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        # d x[index]/dx_i = 1 at the chosen index, else 0
        gx = xp.zeros(ctx.shape, dtype=grad.dtype)
        xp.put_along_axis(gx, ctx.index, _keep(grad, (ctx.axis,), ctx.keepdim), axis=ctx.axis)
        return gx, None, None, None


# ---------------------------------------------------------------------------- products
class Prod(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.keepdim = axes, keepdim
        dtype = np.int64 if x.dtype.kind in "biu" else None
        return x.prod(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # d prod(x)/dx_i = prod_{j != i} x_j: the product of the others, not prod(x) / x_i,
        # so that it stays right where the slice holds zeros
        return _keep(grad, ctx.axes, ctx.keepdim) * _product_of_others(x, ctx.axes), None, None


def _product_of_others(x: np.ndarray, axes: tuple) -> np.ndarray:
    """For each element, the product of the other elements of its slice over ``axes``, from
    exclusive cumulative products taken from both ends (no division)."""
    xp = get_array_module(x)
    n = _count(x.shape, axes)
    if n == 0:
        return xp.zeros_like(x)
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = xp.transpose(x, order)  # the reduced axes last, flattened into one of length n
    flat = moved.reshape(moved.shape[: len(kept)] + (n,))
    # before[i] = x_0 ... x_(i-1), after[i] = x_(i+1) ... x_(n-1); the others are before * after
    before = xp.empty_like(flat)
    before[..., 0] = 1
    xp.cumprod(flat[..., :-1], axis=-1, out=before[..., 1:])
    after = xp.empty_like(flat)
    after[..., -1] = 1
    xp.cumprod(flat[..., :0:-1], axis=-1, out=after[..., -2::-1])
    before *= after
    return xp.transpose(before.reshape(moved.shape), np.argsort(order))


# ---------------------------------------------------------------------------- statistics
class Var(Function):
    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        xp = get_array_module(x)
        n = _count(x.shape, axes)
        # degrees of freedom; PyTorch clamps them at 0 (giving inf or nan)
        ctx.dof = builtins.max(n - correction, 0)
        ctx.axes, ctx.keepdim = axes, keepdim
        if n == 0:  # the variance of nothing is nan, as PyTorch (and x has no gradient)
            ctx.save_for_backward(x)
            return xp.full_like(x.sum(axis=axes, keepdims=keepdim), np.nan)
        centered = x - x.mean(axis=axes, keepdims=True)
        ctx.save_for_backward(centered)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=axes, keepdims=keepdim) / ctx.dof

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        # d var(x)/dx_i = 2 (x_i - mean(x)) / (n - correction)  (the mean's own term sums to 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 2 * _keep(grad, ctx.axes, ctx.keepdim) * centered / ctx.dof, None, None, None


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = get_array_module(x)
        # log sum exp(x) = m + log sum exp(x - m) with m the max, so that exp cannot overflow;
        # an infinite (or empty, -inf) max is replaced by 0 to avoid inf - inf
        m = x.max(axis=axes, keepdims=True, initial=-np.inf)
        m = xp.where(xp.isfinite(m), m, 0).astype(x.dtype, copy=False)
        with np.errstate(divide="ignore"):
            out = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        out = _squeeze(out, axes, keepdim)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        xp = get_array_module(x)
        # d logsumexp(x)/dx_i = exp(x_i - logsumexp(x)) = softmax(x)_i
        softmax = xp.exp(x - _keep(out, ctx.axes, ctx.keepdim))
        return _keep(grad, ctx.axes, ctx.keepdim) * softmax, None, None


class Norm(Function):
    """The vector p-norm (sum |x_i|^p)^(1/p) over ``axes`` for a finite p (p = 0 counts the
    non-zero elements)."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        xp = get_array_module(x)
        if p == 2:
            out = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        elif p == 1:
            out = xp.abs(x).sum(axis=axes, keepdims=keepdim)
        elif p == 0:
            out = (x != 0).sum(axis=axes, keepdims=keepdim, dtype=x.dtype)
        else:
            with np.errstate(divide="ignore"):
                out = (xp.abs(x) ** p).sum(axis=axes, keepdims=keepdim) ** (1 / p)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        xp, p = get_array_module(x), ctx.p
        if p == 0:
            return xp.zeros_like(x), None, None, None  # a count does not change with x
        norm = _keep(out, ctx.axes, ctx.keepdim)
        # d ||x||_p/dx_i = sign(x_i) |x_i|^(p-1) / ||x||_p^(p-1), taken as 0 where x_i = 0
        # and where ||x||_p = 0 (as PyTorch: the zero vector gets a zero gradient)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                slope, scale = x, _keep(grad, ctx.axes, ctx.keepdim) / norm
            else:
                slope = xp.where(x == 0, 0, xp.sign(x) * xp.abs(x) ** (p - 1))
                scale = _keep(grad, ctx.axes, ctx.keepdim) / norm ** (p - 1)
            scale = xp.where(norm == 0, 0, scale)
        return slope * scale, None, None, None


# ---------------------------------------------------------------------------- functional API
def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of the elements over ``dim`` (all of them when ``dim`` is None or ``()``).

    Args:
        dim: an int or a tuple of ints; negative dims count from the end.
        keepdim: keep each reduced dim as size 1.
        dtype: cast the input to this dtype first (e.g. to sum float32 in float64).

    Integers and bools sum to int64. Shape: the input's without the reduced dims.
    """
    input = _cast(input, dtype)
    return Sum.apply(input, _axes("sum", dim, input.ndim), keepdim)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of the elements over ``dim``: sum(x) / n. An empty slice gives nan.

    Integer tensors need ``dtype`` (as in PyTorch): ``x.mean(dtype=shendu.float32)``.
    """
    input = _cast(input, dtype)
    if input.dtype.kind != "f":
        raise TypeError(
            f"mean: could not infer the output dtype: the input has dtype {input.dtype}, not "
            "a floating-point dtype; convert it (x.float()) or pass dtype=shendu.float32"
        )
    return Mean.apply(input, _axes("mean", dim, input.ndim), keepdim)


def amax(input, dim=(), keepdim: bool = False) -> Tensor:
    """Largest element over ``dim`` (all dims when ``dim`` is ``()`` or None).

    The gradient is shared evenly among tied maxima. An empty slice raises ValueError.
    """
    axes = _axes("amax", dim, input.ndim)
    _check_nonempty("amax", input.shape, axes)
    return AMax.apply(input, axes, keepdim)


def amin(input, dim=(), keepdim: bool = False) -> Tensor:
    """Smallest element over ``dim`` (all dims when ``dim`` is ``()`` or None); tied minima
    share the gradient evenly."""
    axes = _axes("amin", dim, input.ndim)
    _check_nonempty("amin", input.shape, axes)
    return AMin.apply(input, axes, keepdim)


def _max_or_min(op: str, input, dim, keepdim, whole: type[Function], find):
    if dim is None:
        axes = tuple(range(input.ndim))
        _check_nonempty(op, input.shape, axes)
        return whole.apply(input, axes, keepdim)
    _int_dim(op, dim)
    axis = _axis(op, dim, input.ndim)
    if input.ndim == 0:  # the only element, at index 0
        return ValuesIndices(Clone.apply(input), Tensor._make(np.zeros((), dtype=np.int64)))
    _check_nonempty(op, input.shape, (axis,))
    index = find(input.data, axis=axis, keepdims=True)
    values = TakeAlongDim.apply(input, index, axis, keepdim)
    indices = _squeeze(index, (axis,), keepdim).astype(np.int64, copy=False)
    return ValuesIndices(values, Tensor._make(indices))


def max(input, dim=None, keepdim: bool = False) -> Tensor | ValuesIndices:
    """The largest element, or the largest along ``dim`` with its index.

    - ``max(input)``: a 0-d tensor; tied maxima share the gradient evenly.
    - ``max(input, dim, keepdim=False)``: ``ValuesIndices(values, indices)``, where indices
      (int64) are the first position of the max along ``dim`` and the gradient of values goes
      to that position only. Shape: the input's without ``dim`` (size 1 with ``keepdim``).
    - ``max(input, other)`` with a Tensor ``other``: the elementwise :func:`maximum`.
    """
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    return _max_or_min("max", input, dim, keepdim, AMax, np.argmax)


def min(input, dim=None, keepdim: bool = False) -> Tensor | ValuesIndices:
    """The smallest element, or ``ValuesIndices`` of the smallest along ``dim``, or the
    elementwise :func:`minimum` with a Tensor; see :func:`max`."""
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    return _max_or_min("min", input, dim, keepdim, AMin, np.argmin)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of the elements over ``dim`` (an int, or None for all).

    The gradient is the product of the other elements, exact even where the input holds
    zeros. Integers and bools give int64; ``dtype`` casts the input first.
    """
    input = _cast(input, dtype)
    _int_dim("prod", dim)
    return Prod.apply(input, _axes("prod", dim, input.ndim), keepdim)


def _correction(op: str, dim, unbiased, correction):
    """Sort out PyTorch's two calling conventions, ``var(x, dim, *, correction=1)`` and the
    older ``var(x, dim, unbiased=True)`` (also ``var(x, unbiased)``). Returns (dim, correction).
    """
    if isinstance(dim, bool):  # var(x, False): the legacy var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{op}: unbiased given twice")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}: give either correction or unbiased, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Variance over ``dim``: sum((x - mean(x))^2) / (n - correction).

    ``correction=1`` (the default) is Bessel's correction, the sample variance; 0 gives the
    population variance. PyTorch's older ``unbiased=True/False`` means correction 1/0. With
    n <= correction the result is inf or nan, as in PyTorch.
    """
    dim, correction = _correction("var", dim, unbiased, correction)
    _require_float("var", input)
    return Var.apply(input, _axes("var", dim, input.ndim), correction, keepdim)


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """Standard deviation over ``dim``: sqrt(var(input, dim, correction=...)); see :func:`var`.
    """
    dim, correction = _correction("std", dim, unbiased, correction)
    _require_float("std", input)
    return Sqrt.apply(Var.apply(input, _axes("std", dim, input.ndim), correction, keepdim))


def logsumexp(input, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over ``dim``, computed as m + log(sum(exp(input - m))) with m the
    max, so large inputs do not overflow. Its gradient is softmax(input) along ``dim``.
    Integers are converted to float32 first; an empty slice gives -inf."""
    if input.dtype.kind != "f":
        input = Cast.apply(input, backend.default_float)
    return LogSumExp.apply(input, _axes("logsumexp", dim, input.ndim), keepdim)


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """Vector norm over ``dim`` (all elements when None), as ``torch.norm``.

    Args:
        p: ``"fro"`` or 2: sqrt(sum x^2); 1: sum |x|; ``inf``: max |x|; ``-inf``: min |x|;
            another number: (sum |x|^p)^(1/p); 0: the number of non-zero elements.
        dim: an int or a tuple of ints (``"fro"`` takes at most two).
        dtype: cast the input to this dtype first.

    The gradient at the zero vector is 0 (not nan), as PyTorch's.
    """
    input = _cast(input, dtype)
    _require_float("norm", input)
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(f"norm: p={p!r} is not supported; use 'fro' or a number "
                             "(the nuclear norm needs an SVD)")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise ValueError(f"norm: p='fro' takes at most 2 dims, got dim={dim!r}; use p=2 "
                             "for the 2-norm over more dims")
        p = 2
    if not isinstance(p, numbers.Real) or isinstance(p, bool):
        raise TypeError(f"norm: p must be 'fro' or a number, got {p!r}")
    axes = _axes("norm", dim, input.ndim)
    if math.isinf(p):
        _check_nonempty("norm", input.shape, axes)
        reduce = AMax if p > 0 else AMin
        return reduce.apply(Abs.apply(input), axes, keepdim)  # max |x| or min |x|
    return Norm.apply(input, float(p), axes, keepdim)


# ---------------------------------------------------------------------------- not differentiable
def _arg(op: str, input, dim, keepdim: bool, find) -> Tensor:
    x = input.data
    if dim is None:
        if x.size == 0:
            raise ValueError(f"{op}: the input is empty (shape {x.shape}); there is no index to "
                             "return")
        index = np.asarray(find(x), dtype=np.int64)  # into the flattened input
        return Tensor._make(index.reshape((1,) * x.ndim) if keepdim else index)
    _int_dim(op, dim)
    axis = _axis(op, dim, x.ndim)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64))
    _check_nonempty(op, x.shape, (axis,))
    return Tensor._make(np.asarray(find(x, axis=axis, keepdims=keepdim), dtype=np.int64))


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first largest element along ``dim``, or into the flattened input
    when ``dim`` is None. Not differentiable."""
    return _arg("argmax", input, dim, keepdim, np.argmax)


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the first smallest element along ``dim``, or into the flattened input
    when ``dim`` is None. Not differentiable."""
    return _arg("argmin", input, dim, keepdim, np.argmin)


def _logical(op: str, input, dim, keepdim: bool, reduce) -> Tensor:
    x = input.data
    out = reduce(x, axis=_axes(op, dim, x.ndim, empty_is_all=False), keepdims=keepdim)
    # PyTorch keeps uint8 for uint8 input; every other dtype gives bool
    return Tensor._make(np.asarray(out, dtype=np.uint8 if x.dtype == np.uint8 else np.bool_))


def any(input, dim=None, keepdim: bool = False) -> Tensor:
    """Whether any element over ``dim`` is non-zero (a bool tensor; an empty slice gives
    False). ``dim=()`` reduces nothing, as in PyTorch."""
    return _logical("any", input, dim, keepdim, np.any)


def all(input, dim=None, keepdim: bool = False) -> Tensor:
    """Whether every element over ``dim`` is non-zero (a bool tensor; an empty slice gives
    True). ``dim=()`` reduces nothing, as in PyTorch."""
    return _logical("all", input, dim, keepdim, np.all)
