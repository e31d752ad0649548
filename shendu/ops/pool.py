"""Pooling, local response normalization and interpolation, stateless (``shendu.nn.functional``
gathers them): ``max_pool1d/2d/3d``, ``avg_pool1d/2d/3d``, ``adaptive_avg_pool1d/2d/3d``,
``adaptive_max_pool1d/2d/3d``, ``local_response_norm`` and ``interpolate``.

Every op works on the *planes* of its input: the leading dims (N, C), or C alone for an unbatched
input, are merged into one axis B, so a 2-D op sees a ``(B, H, W)`` array.

**Windows.** Window o, kernel offset k of a pooling op reads the (padded) input at
``o * stride + k * dilation`` in each spatial dim. One strided view (``as_strided``, no copy)
of shape ``(B, *out, *kernel)`` holds every window; ``view[..., k]`` is then the strided view
of offset ``k`` over all windows at once. The ops loop over the few kernel offsets (4 for a
2x2 kernel, 9 for 3x3), each step one vectorised operation on an output-sized array: a running
max or sum in forward, an add of the gradient into the offset's positions in backward (col2im,
as Chainer's). Measured on (128, 6, 28, 28) float32, this is about ten times faster than
copying the windows out and reducing over their last axes (NumPy reduces short inner axes
slowly), and it needs no window-sized temporary.

**The common case** -- kernel == stride, no padding, no dilation (the 2x2 pooling of LeNet and
VGG) -- tiles the input into disjoint blocks, so the window view is a plain
``reshape(B, H/k, k, W/k, k)`` (then transposed, still a view), and in backward every input
element receives exactly one value: the gradient is written block-wise into an uninitialised
array (max pooling) or is one broadcast + reshape (average pooling), with no zero fill, no
accumulation and no padding.

**Max pooling** keeps, for each window, the offset of its max: the first one in window order
when values tie (as PyTorch's kernel, which replaces its running max only when a value is
strictly larger); a NaN is the max and the last NaN of a window is reported (as PyTorch).
Padding is -inf and never the max. Backward sends each output's gradient to that one position,
accumulating where windows overlap. ``return_indices`` gives PyTorch's indices: the flat
position in the input plane (``h * W + w`` in 2-D).

**Adaptive pooling** uses PyTorch's windows: output i of a dim of input size L and output size
O covers ``[floor(i L / O), ceil((i + 1) L / O))``. Both pools are separable over the spatial
dims, so they are done one dim at a time: average pooling as one matrix product per dim (an
``(L, O)`` 0/1 matrix marking the windows, which sums them; then one division by the window
sizes; backward is the product with the transpose), max pooling as one gather of the windows
per dim, padded to the longest window with -inf, and an argmax (the first max of each row of
maxima is the first max of the window in row-major order).

**Interpolation** is separable too: along each spatial dim, output j takes input ``i0[j]``
(nearest) or ``(1 - w[j]) x[i0[j]] + w[j] x[i1[j]]`` (linear), with PyTorch's index formulas;
bilinear is linear along W, then along H. Backward sums each output's gradient back to its
sources; the indices are sorted, so the sum over a source is ``np.add.reduceat`` over a run.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from shendu.autograd.function import Function
from shendu.tensor import Tensor

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "local_response_norm", "interpolate",
]


class OpInputError(ValueError):
    """Bad input or arguments to a pooling op: the message is ``"{op}: {detail}"``; a layer
    re-raises ``detail`` under its own path in the model (``features.3 (MaxPool2d): ...``)."""

    def __init__(self, op: str, detail: str) -> None:
        super().__init__(f"{op}: {detail}")
        self.op = op
        self.detail = detail


# ---------------------------------------------------------------------------- arguments
_SHAPES = {1: "(C, L) or 3-D (N, C, L)", 2: "(C, H, W) or 4-D (N, C, H, W)",
           3: "(C, D, H, W) or 5-D (N, C, D, H, W)"}
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


def _ints(value, d: int, name: str, op: str) -> tuple:
    """``value`` (an int, or a sequence of 1 or ``d`` ints) as a tuple of ``d`` ints."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(items) == 1:
        items = items * d
    if len(items) != d:
        raise TypeError(f"{op}: {name} must be an int or a tuple of {d} ints, got {value!r}")
    try:
        if any(isinstance(v, bool) for v in items):
            raise TypeError
        return tuple(operator.index(v) for v in items)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or a tuple of {d} ints, got "
                        f"{value!r}") from None


def _split_shape(op: str, shape: tuple, d: int) -> tuple:
    """(leading dims, spatial dims) of an input of ``d`` spatial dims, batched or not."""
    if len(shape) not in (d + 1, d + 2):
        raise OpInputError(op, f"expected a {d + 1}-D {_SHAPES[d]} input, got shape {shape}")
    lead, spatial = shape[:-d], shape[-d:]
    if 0 in spatial:
        raise OpInputError(op, f"expected an input with non-empty spatial dims "
                               f"({_SPATIAL[d]}), got shape {shape}")
    return lead, spatial


def _check_float(op: str, input) -> None:
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got dtype {input.dtype} "
                        f"(convert it first, e.g. x.float())")


class Geometry(NamedTuple):
    """Where the windows of a pooling op lie, per spatial dim.

    ``padded`` is the length of the padded input that the windows read: ``padding`` before
    the input, then as much as the last window needs (more than ``padding`` at the end when
    ``ceil_mode`` lets the last window hang over; less when the last input elements are in no
    window).
    """

    size: tuple  # input spatial size
    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    out: tuple  # output spatial size
    padded: tuple
    blocks: bool  # kernel == stride, no padding or dilation: the windows tile the input

    @property
    def offsets(self) -> list:
        """Every kernel offset, in window (row-major) order."""
        return list(np.ndindex(*self.kernel))


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                ceil_mode: bool) -> int:
    """PyTorch's pooling output size:

        out = floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1

    rounded up instead of down with ``ceil_mode``, where the last window must then still start
    inside the input or the left padding.
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def pool_geometry(op: str, input_shape: tuple, d: int, kernel_size, stride, padding, dilation,
                  ceil_mode: bool) -> Geometry:
    """Check the arguments of a pooling op over the last ``d`` dims of an input of shape
    ``input_shape`` and work out its windows; raises :class:`OpInputError` naming ``op`` when
    they do not fit."""
    spatial = _split_shape(op, input_shape, d)[1]
    kernel = _ints(kernel_size, d, "kernel_size", op)
    stride = kernel if stride is None or stride == () or stride == [] else \
        _ints(stride, d, "stride", op)
    padding = _ints(padding, d, "padding", op)
    dilation = _ints(dilation, d, "dilation", op)
    for name, values, low in (("kernel_size", kernel, 1), ("stride", stride, 1),
                              ("padding", padding, 0), ("dilation", dilation, 1)):
        if min(values) < low:
            raise OpInputError(op, f"{name} must be {'positive' if low else 'non-negative'}, "
                                   f"got {values if d > 1 else values[0]}")
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise OpInputError(op, f"padding {padding} must be at most half of kernel_size "
                               f"{kernel} (padding <= kernel_size // 2 in every dim)")
    out = tuple(output_size(*args, ceil_mode)
                for args in zip(spatial, kernel, stride, padding, dilation))
    if min(out) < 1:
        effective = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
        padded = tuple(n + 2 * p for n, p in zip(spatial, padding))
        raise OpInputError(op, (
            f"the output would have size {out} for an input of shape {input_shape}: "
            f"out = floor((in + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1 "
            f"must be at least 1, with kernel_size={kernel}, stride={stride}, "
            f"padding={padding}, dilation={dilation}; the kernel spans {effective}, the padded "
            f"input is {padded}"))
    padded = tuple((o - 1) * s + dl * (k - 1) + 1
                   for o, s, k, dl in zip(out, stride, kernel, dilation))
    blocks = (kernel == stride and not any(padding) and all(dl == 1 for dl in dilation)
              and all(n <= size for n, size in zip(padded, spatial)))
    return Geometry(spatial, kernel, stride, padding, dilation, out, padded, blocks)


# ---------------------------------------------------------------------------- windows
def _pad(planes: np.ndarray, g: Geometry, fill) -> np.ndarray:
    """The planes (B, *size) padded with ``fill`` (or cropped) to (B, *g.padded); the planes
    themselves, no copy, when no padding is needed."""
    if not any(g.padding) and all(n <= size for n, size in zip(g.padded, g.size)):
        return planes
    out = np.full(planes.shape[:1] + g.padded, fill, dtype=planes.dtype)
    out[_inner(g)] = planes[_kept(g)]
    return out


def _kept(g: Geometry) -> tuple:
    """The part of a plane that lies inside the padded input (all of it, unless the last
    elements are in no window)."""
    return (slice(None),) + tuple(slice(0, min(n, m - p))
                                  for n, m, p in zip(g.size, g.padded, g.padding))


def _inner(g: Geometry) -> tuple:
    """Where that part lies in the padded input."""
    return (slice(None),) + tuple(slice(p, p + min(n, m - p))
                                  for n, m, p in zip(g.size, g.padded, g.padding))


def _unpad(padded: np.ndarray, g: Geometry) -> np.ndarray:
    """The gradient of the planes from the gradient of the padded input: the inner part
    (the padding is constant; input elements in no window get 0)."""
    inner = padded[_inner(g)]
    if inner.shape[1:] == g.size:
        return inner
    out = np.zeros(padded.shape[:1] + g.size, dtype=padded.dtype)
    out[_kept(g)] = inner
    return out


def _windows(padded: np.ndarray, g: Geometry, writeable: bool = False) -> np.ndarray:
    """The (B, *out, *kernel) strided view of every window of the padded planes: element
    [b, o, k] is padded[b, o * stride + k * dilation]. No copy."""
    lead, steps = padded.strides[:1], padded.strides[1:]
    strides = (lead + tuple(t * s for t, s in zip(steps, g.stride))
               + tuple(t * dl for t, dl in zip(steps, g.dilation)))
    return as_strided(padded, padded.shape[:1] + g.out + g.kernel, strides,
                      writeable=writeable)


def _block_shape(g: Geometry) -> tuple:
    """(out_1, k_1, out_2, k_2, ...): the tiled part of a plane split into blocks."""
    return tuple(n for pair in zip(g.out, g.kernel) for n in pair)


def _block_order(d: int) -> tuple:
    """The transpose of (B, out_1, k_1, out_2, k_2, ...) to (B, *out, *kernel)."""
    return (0,) + tuple(range(1, 2 * d, 2)) + tuple(range(2, 2 * d + 1, 2))


def _window_view(planes: np.ndarray, g: Geometry, fill) -> np.ndarray:
    """(B, *out, *kernel): every window of the planes, a view.

    Blocks (kernel == stride, no padding or dilation) are a reshape: the tiled part of each
    plane split into (out, kernel) per dim, transposed. Otherwise the input is padded with
    ``fill`` where needed and viewed through :func:`_windows`."""
    if g.blocks:
        tiled = planes[(slice(None),) + tuple(slice(0, o * k) for o, k in zip(g.out, g.kernel))]
        blocks = tiled.reshape(planes.shape[:1] + _block_shape(g))
        return blocks.transpose(_block_order(len(g.out)))
    return _windows(_pad(planes, g, fill), g)


def _empty_blocks(b: int, g: Geometry, dtype) -> tuple:
    """An uninitialised gradient for the tiled planes, and its (B, *out, *kernel) view."""
    blocks = np.empty((b,) + _block_shape(g), dtype=dtype)
    return blocks, blocks.transpose(_block_order(len(g.out)))


def _untile(blocks: np.ndarray, g: Geometry) -> np.ndarray:
    """The gradient of the planes from that of their tiled part (0 for the untiled rest)."""
    tiled = blocks.reshape(blocks.shape[:1] + tuple(o * k for o, k in zip(g.out, g.kernel)))
    if tiled.shape[1:] == g.size:
        return tiled
    out = np.zeros(blocks.shape[:1] + g.size, dtype=blocks.dtype)
    out[(slice(None),) + tuple(slice(0, n) for n in tiled.shape[1:])] = tiled
    return out


def _planes(x: np.ndarray, d: int) -> np.ndarray:
    """x (*lead, *spatial) as (B, *spatial): one plane per (sample, channel)."""
    return x.reshape((math.prod(x.shape[:-d]),) + x.shape[-d:])


def _lowest(dtype):
    """The padding of max pooling: below every value (-inf, or the smallest integer)."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# ---------------------------------------------------------------------------- max pooling
def _max_and_offset(windows: np.ndarray, g: Geometry, padded: bool) -> tuple:
    """The max of each window and the offset (index in window order) of its first max."""
    views = [windows[(Ellipsis,) + k] for k in g.offsets]
    out = views[0].copy()
    for v in views[1:]:
        np.maximum(out, v, out=out)  # a NaN propagates
    offset = np.zeros(out.shape, dtype=np.uint8 if len(views) <= 256 else np.int32)
    hit = np.empty(out.shape, dtype=bool)
    # from the last offset to the first, so the first offset holding the max is written last;
    # written as arithmetic (offset = offset * !hit + k * hit), which is three times faster
    # than a masked assignment on random masks
    for k in range(len(views) - 1, -1, -1):
        np.equal(views[k], out, out=hit)
        offset *= ~hit
        offset += hit * offset.dtype.type(k)
    if padded:
        _first_valid_where_all_lowest(offset, out, g)
    if out.dtype.kind == "f":
        nan = np.isnan(out)
        if nan.any():  # PyTorch takes any NaN as the new max: the last NaN is reported
            for k, v in enumerate(views):
                np.copyto(offset, k, where=nan & np.isnan(v))
    return out, offset


def _first_valid_where_all_lowest(offset: np.ndarray, out: np.ndarray, g: Geometry) -> None:
    """Where a window's max is the padding value (every input element in it is -inf), point
    at its first element inside the input, as PyTorch does, not at the padding."""
    lowest = out == _lowest(out.dtype)
    if not lowest.any():
        return
    first = 0
    for dim, (o, k, s, p, dl) in enumerate(zip(g.out, g.kernel, g.stride, g.padding,
                                               g.dilation)):
        start = np.arange(o) * s - p
        k_first = np.where(start < 0, -(start // dl), 0)  # ceil(-start / dilation)
        shape = (o,) + (1,) * (len(g.out) - dim - 1)
        first = first * k + k_first.reshape(shape)
    np.copyto(offset, np.broadcast_to(first, out.shape).astype(offset.dtype), where=lowest)


def _flat_indices(offset: np.ndarray, g: Geometry) -> np.ndarray:
    """PyTorch's max-pooling indices: the flat position in the input plane of each window's
    max, from its offset: position = o * stride - padding + k * dilation per dim."""
    d = len(g.out)
    flat = np.zeros(offset.shape, dtype=np.int64)
    rest = offset.astype(np.int64)
    for dim in reversed(range(d)):  # unravel the offset, last dim first
        rest, k = np.divmod(rest, g.kernel[dim])
        start = np.arange(g.out[dim]) * g.stride[dim] - g.padding[dim]
        position = start.reshape((-1,) + (1,) * (d - dim - 1)) + k * g.dilation[dim]
        flat += position * math.prod(g.size[dim + 1:])
    return flat


class MaxPool(Function):
    @staticmethod
    def forward(ctx, x, g, indices_out):
        d = len(g.out)
        lead = x.shape[:-d]
        windows = _window_view(_planes(x, d), g, _lowest(x.dtype))
        out, offset = _max_and_offset(windows, g, padded=not g.blocks and any(g.padding))
        ctx.save_for_backward(offset)
        ctx.g, ctx.input_shape = g, x.shape
        if indices_out is not None:  # a list: Function.apply returns one array, the values
            indices_out.append(_flat_indices(offset, g).reshape(lead + g.out))
        return out.reshape(lead + g.out)

    @staticmethod
    def backward(ctx, grad):
        (offset,) = ctx.saved_tensors
        g = ctx.g
        grad = grad.reshape(offset.shape)
        # d max(window)/d x = 1 at the window's (first) max, 0 elsewhere: offset k gets the
        # gradients of the windows whose max it holds
        if g.blocks:  # disjoint windows: each input element is written once
            blocks, view = _empty_blocks(grad.shape[0], g, grad.dtype)
            for k, index in enumerate(g.offsets):
                np.multiply(grad, offset == k, out=view[(Ellipsis,) + index])
            gx = _untile(blocks, g)
        else:  # overlapping windows: accumulate, offset by offset, into the padded input
            padded = np.zeros(grad.shape[:1] + g.padded, dtype=grad.dtype)
            view = _windows(padded, g, writeable=True)
            for k, index in enumerate(g.offsets):
                view[(Ellipsis,) + index] += grad * (offset == k)
            gx = _unpad(padded, g)
        return gx.reshape(ctx.input_shape), None, None


# ---------------------------------------------------------------------------- average pooling
def _divisor(g: Geometry, count_include_pad: bool, divisor_override):
    """What each window's sum is divided by: ``divisor_override``, or the number of positions
    of the window inside the padded input (``count_include_pad``) or inside the input itself,
    as PyTorch counts them (a window hanging over the padded input in ceil mode counts only
    the part inside). A number when every window has the same divisor, else an (*out) array.
    """
    if divisor_override is not None:
        return divisor_override
    if g.blocks:
        return math.prod(g.kernel)
    counts = 1
    for dim, (n, o, k, s, p) in enumerate(zip(g.size, g.out, g.kernel, g.stride, g.padding)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts = counts * (end - start).reshape((o,) + (1,) * (len(g.out) - dim - 1))
    counts = np.broadcast_to(counts, g.out)
    return int(counts.flat[0]) if (counts == counts.flat[0]).all() else counts


class AvgPool(Function):
    @staticmethod
    def forward(ctx, x, g, count_include_pad, divisor_override):
        d = len(g.out)
        windows = _window_view(_planes(x, d), g, 0)
        offsets = g.offsets
        total = windows[(Ellipsis,) + offsets[0]].copy()
        for k in offsets[1:]:  # the window sums, one kernel offset at a time
            total += windows[(Ellipsis,) + k]
        divisor = _divisor(g, count_include_pad, divisor_override)
        if isinstance(divisor, np.ndarray):
            divisor = divisor.astype(x.dtype)
        total /= divisor  # in place: total is a fresh array
        ctx.g, ctx.divisor, ctx.input_shape = g, divisor, x.shape
        return total.reshape(x.shape[:-d] + g.out)

    @staticmethod
    def backward(ctx, grad):
        g = ctx.g
        # d mean(window)/d x = 1 / divisor at each position of the window
        share = grad.reshape((-1,) + g.out) / ctx.divisor
        if g.blocks:  # disjoint windows: each input element is written once
            blocks, view = _empty_blocks(share.shape[0], g, share.dtype)
            for k in g.offsets:  # (3x faster than one broadcast copy into the blocks)
                view[(Ellipsis,) + k] = share
            gx = _untile(blocks, g)
        else:
            padded = np.zeros(share.shape[:1] + g.padded, dtype=share.dtype)
            view = _windows(padded, g, writeable=True)
            for k in g.offsets:
                view[(Ellipsis,) + k] += share
            gx = _unpad(padded, g)
        return gx.reshape(ctx.input_shape), None, None, None



# ---------------------------------------------------------------------------- adaptive pooling
def adaptive_windows(size: int, out: int) -> tuple:
    """PyTorch's adaptive-pooling windows along one dim: output i covers input positions
    [start_i, end_i) with start_i = floor(i size / out), end_i = ceil((i + 1) size / out).
    Neighbouring windows overlap by one position when ``out`` does not divide ``size``."""
    i = np.arange(out)
    start = i * size // out
    end = -(-(i + 1) * size // out)
    return start, end


def _window_matrix(size: int, out: int, dtype) -> tuple:
    """(size, out) 0/1 matrix whose column i marks the window of output i (so x @ matrix sums
    each window of x's last dim), and the window lengths."""
    start, end = adaptive_windows(size, out)
    rows = np.arange(size)[:, None]
    return ((rows >= start) & (rows < end)).astype(dtype), end - start


def _along(x: np.ndarray, axis: int, matrix: np.ndarray) -> np.ndarray:
    """x with dim ``axis`` replaced by its product with ``matrix`` (one BLAS matmul)."""
    return np.moveaxis(np.moveaxis(x, axis, -1) @ matrix, -1, axis)


class AdaptiveAvgPool(Function):
    @staticmethod
    def forward(ctx, x, out):
        d = len(out)
        lead, size = x.shape[:-d], x.shape[-d:]
        # the sum over a box is the sum along each of its sides: one 0/1 matrix per dim, then
        # one division by the box's size (as PyTorch: sum / (window height * window width))
        matrices, count = [], np.ones((), dtype=np.int64)
        for n, o in zip(size, out):
            m, lengths = _window_matrix(n, o, x.dtype)
            matrices.append(m)
            count = np.multiply.outer(count, lengths)
        y = _planes(x, d)
        for axis, m in enumerate(matrices, start=1):
            y = _along(y, axis, m)
        y = y / count.astype(x.dtype)
        ctx.matrices, ctx.count, ctx.input_shape = matrices, count.astype(x.dtype), x.shape
        return y.reshape(lead + out)

    @staticmethod
    def backward(ctx, grad):
        d = len(ctx.matrices)
        # d mean(box)/dx = 1 / size of the box at each of its positions
        g = grad.reshape((-1,) + grad.shape[-d:]) / ctx.count
        for axis, m in enumerate(ctx.matrices, start=1):
            g = _along(g, axis, m.T)  # the sums' transpose: spread over each window
        return np.ascontiguousarray(g).reshape(ctx.input_shape), None


def _adaptive_max(planes: np.ndarray, out: tuple) -> tuple:
    """The max of every adaptive window of the planes (B, *size) and its flat index in the
    plane, one spatial dim at a time, last dim first.

    Along a dim, each window's elements are gathered (shorter windows padded to the longest
    with the lowest value) and reduced with argmax. Reducing the rows of a 2-D window first and
    then the column of row maxima finds the max of the window and, among ties, the first row
    holding it and the first position in that row: the first max in row-major order, which is
    what PyTorch reports. A NaN is the max; PyTorch reports the last NaN, so the last is taken.
    """
    size = planes.shape[1:]
    d = len(size)
    values, flat = planes, None
    for axis in range(d, 0, -1):
        n, o = size[axis - 1], out[axis - 1]
        start, end = adaptive_windows(n, o)
        longest = int((end - start).max())
        index = np.minimum(start[:, None] + np.arange(longest), end[:, None] - 1)  # (o, longest)
        gathered = values.take(index, axis=axis)  # (..., o, longest, ...)
        trailing = (1,) * (values.ndim - axis - 1)
        inside = (np.arange(longest) < (end - start)[:, None]).reshape((o, longest) + trailing)
        if not inside.all():
            gathered = np.where(inside, gathered, _lowest(values.dtype))
        arg = gathered.argmax(axis=axis + 1)
        if gathered.dtype.kind == "f":
            nan = np.isnan(gathered)
            if nan.any():
                last = longest - 1 - np.flip(nan, axis=axis + 1).argmax(axis=axis + 1)
                arg = np.where(nan.any(axis=axis + 1), last, arg)
        values = np.take_along_axis(gathered, np.expand_dims(arg, axis + 1), axis + 1)
        values = values.squeeze(axis + 1)
        rows = np.arange(o).reshape((o,) + trailing)
        position = index[rows, arg]  # the input position along this dim of each max
        step = math.prod(size[axis:])  # its stride in the flat plane index
        if flat is None:
            flat = position * step
        else:  # the position found in the dims after this one, at the chosen rows
            flat = position * step + np.take_along_axis(flat, position, axis)
    return values, flat.astype(np.int64, copy=False)


class AdaptiveMaxPool(Function):
    @staticmethod
    def forward(ctx, x, out, indices_out):
        d = len(out)
        lead = x.shape[:-d]
        values, flat = _adaptive_max(_planes(x, d), out)
        ctx.save_for_backward(flat)
        ctx.input_shape = x.shape
        if indices_out is not None:  # a list: Function.apply returns one array, the values
            indices_out.append(flat.reshape(lead + out))
        return values.reshape(lead + out)

    @staticmethod
    def backward(ctx, grad):
        (flat,) = ctx.saved_tensors
        # d max(window)/d x = 1 at the window's max: each output's gradient goes back to its
        # max, summed where overlapping windows share one (one bincount over flat positions)
        b = flat.shape[0]
        plane = math.prod(ctx.input_shape[-(flat.ndim - 1):])
        positions = flat + (np.arange(b) * plane).reshape((b,) + (1,) * (flat.ndim - 1))
        gx = np.bincount(positions.ravel(), weights=grad.reshape(-1), minlength=b * plane)
        return gx.astype(grad.dtype, copy=False).reshape(ctx.input_shape), None, None


# ---------------------------------------------------------------------------- local response norm
def _channel_window_sum(a: np.ndarray, before: int, after: int) -> np.ndarray:
    """s[:, c] = a[:, c - before] + ... + a[:, c + after], zero outside the channels: a loop
    over the few window offsets, each one slice add over the whole array (exact sums, unlike
    a difference of cumulative sums)."""
    c = a.shape[1]
    padded = np.zeros((a.shape[0], c + before + after) + a.shape[2:], dtype=a.dtype)
    padded[:, before:before + c] = a
    total = padded[:, :c].copy()
    for i in range(1, before + after + 1):
        total += padded[:, i:i + c]
    return total


class LocalResponseNorm(Function):
    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        # b_c = a_c / (k + alpha/n * sum of a^2 over the n channels around c)^beta, the window
        # reaching n // 2 channels back and (n - 1) // 2 ahead (Krizhevsky et al. 2012)
        d = _channel_window_sum(x * x, size // 2, (size - 1) // 2)
        d *= alpha / size
        d += k
        scale = d**beta
        y = x / scale
        ctx.save_for_backward(x, y, d, scale)
        ctx.size, ctx.alpha, ctx.beta = size, alpha, beta
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y, d, scale = ctx.saved_tensors
        n = ctx.size
        # d b_i/d a_j = [i == j] d_i^-beta - 2 alpha beta / n a_i a_j d_i^(-beta-1) for each i
        # whose window holds j (a_i d_i^(-beta-1) = b_i / d_i): the sum over those i is a
        # window sum with the reach mirrored
        around = _channel_window_sum(grad * y / d, (n - 1) // 2, n // 2)
        gx = grad / scale - (2 * ctx.alpha * ctx.beta / n) * x * around
        return gx, None, None, None, None


# ---------------------------------------------------------------------------- interpolation
class Plan(NamedTuple):
    """How interpolation fills one spatial dim: output j is input ``i0[j]`` (nearest, w is
    None) or ``(1 - w[j]) * input[i0[j]] + w[j] * input[i1[j]]`` (linear)."""

    axis: int
    size: int  # input size along the dim
    i0: np.ndarray
    i1: np.ndarray | None
    w: np.ndarray | None


def _nearest_index(size: int, out: int, scale, exact: bool, shortcuts: bool) -> np.ndarray:
    """PyTorch's source index of nearest interpolation, computed in float32 as its kernel does:
    ``nearest``: floor(j * size / out), ``nearest-exact``: floor((j + 0.5) * size / out), at
    most size - 1. ``scale`` is the user's scale factor (size / out is then taken as
    1 / scale) or None.

    With ``shortcuts`` (``nearest`` on 2 spatial dims) out == size is a copy and
    out == 2 size takes j // 2 whatever the scale factor, as PyTorch 2.13's 2-D kernel. Its
    1-D and 3-D forward kernels use the formula (floor(j / 1.2) for a size-3 input and
    scale_factor=1.2, not a copy) while their backward takes the shortcuts; shendu follows
    the forward of each and differentiates that.
    """
    j = np.arange(out)
    if shortcuts and not exact and out == size:
        return j
    if shortcuts and not exact and out == 2 * size:
        return j // 2
    ratio = np.float32(1.0 / scale) if scale else np.float32(size) / np.float32(out)
    if exact:
        source = np.floor(((j + 0.5) * np.float64(ratio)).astype(np.float32))
    else:
        source = np.floor(j.astype(np.float32) * ratio)
    return np.minimum(source.astype(np.int64), size - 1)


def _linear_index(size: int, out: int, scale, align_corners: bool, dtype) -> tuple:
    """PyTorch's (i0, i1, w) of linear interpolation, in the input's precision as its kernel:
    the source position is j * (size - 1) / (out - 1) with ``align_corners`` (corner pixels
    centre on corner pixels), else (j + 0.5) * size / out - 0.5, clamped at 0 (pixel areas
    align); i0 = floor, i1 = i0 + 1 (or i0 at the last position), w = position - i0."""
    j = np.arange(out)
    if out == size:  # a copy
        return j, j, np.zeros(out, dtype=dtype)
    t = np.dtype(dtype).type
    if align_corners:
        ratio = t(size - 1) / t(out - 1) if out > 1 else t(0)
        source = ratio * j.astype(dtype)
    else:
        ratio = t(1.0 / scale) if scale else t(size) / t(out)
        source = np.maximum(ratio * (j.astype(dtype) + t(0.5)) - t(0.5), t(0))
    i0 = np.minimum(np.floor(source.astype(np.float32)).astype(np.int64), size - 1)
    w = np.clip(source - i0.astype(dtype), 0, 1).astype(dtype)
    i1 = i0 + (i0 < size - 1)
    return i0, i1, w


def _sum_into(g: np.ndarray, index: np.ndarray, axis: int, size: int) -> np.ndarray:
    """out[..., i, ...] = the sum of g[..., j, ...] over the j with index[j] == i (0 for an i
    no j points at). ``index`` is sorted, so the j of each i are one run: np.add.reduceat."""
    starts = np.flatnonzero(np.concatenate(([True], index[1:] != index[:-1])))
    sums = np.add.reduceat(g, starts, axis=axis)
    if sums.shape[axis] == size:  # every input position is a source (upsampling)
        return sums
    out = np.zeros(g.shape[:axis] + (size,) + g.shape[axis + 1:], dtype=g.dtype)
    out[(slice(None),) * axis + (index[starts],)] = sums
    return out


def _along_axis(w: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    return w.reshape((-1,) + (1,) * (ndim - axis - 1))


class Interpolate(Function):
    @staticmethod
    def forward(ctx, x, plans):
        for p in plans:  # one spatial dim after the other (separable)
            if p.w is None:
                x = x.take(p.i0, axis=p.axis)
            else:
                w = _along_axis(p.w, p.axis, x.ndim)
                x = x.take(p.i0, axis=p.axis) * (1 - w) + x.take(p.i1, axis=p.axis) * w
        ctx.plans = plans
        return x

    @staticmethod
    def backward(ctx, grad):
        g = grad
        for p in reversed(ctx.plans):
            if p.w is None:  # d x[i0[j]]/dx[i] = [i0[j] == i]
                g = _sum_into(g, p.i0, p.axis, p.size)
            else:  # d ((1 - w) x[i0] + w x[i1])/dx = 1 - w at i0, w at i1
                w = _along_axis(p.w, p.axis, g.ndim)
                g = _sum_into(g * (1 - w), p.i0, p.axis, p.size) + \
                    _sum_into(g * w, p.i1, p.axis, p.size)
        return g, None


# ---------------------------------------------------------------------------- functional API
def _max_pool(op: str, d: int, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    if input.dtype.kind not in "fiu":
        raise TypeError(f"{op}: expected a floating-point or integer input, got dtype "
                        f"{input.dtype}")
    g = pool_geometry(op, input.shape, d, kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        return MaxPool.apply(input, g, None)
    indices = []
    out = MaxPool.apply(input, g, indices)
    return out, Tensor._make(indices[0])


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """1-D max pooling: the max of each window of ``kernel_size`` elements, ``dilation`` apart,
    windows ``stride`` apart, over an input padded with -inf by ``padding`` on both sides.

    Args:
        kernel_size: the window size (an int or a 1-tuple).
        stride: the step between windows; None (the default) means ``kernel_size``.
        padding: -inf added at both ends, at most ``kernel_size // 2``.
        dilation: the step between the elements of a window.
        ceil_mode: round the output size up, so the windows may reach past the input.
        return_indices: also return, for each output, the position of its max in the input
            (of the first max in window order when values tie).

    Shape: ``(N, C, L_in)`` or ``(C, L_in)`` to ``(N, C, L_out)`` or ``(C, L_out)`` with

    out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

    per spatial dim (rounded up with ``ceil_mode``, as long as the last window then starts
    inside the input or the left padding)

    Returns: the pooled tensor, and the int64 indices when ``return_indices``.

    >>> F.max_pool1d(shendu.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]]), 2)
    tensor([[[3., 5.]]])
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """2-D max pooling: the max of each ``kernel_size`` window of every channel, windows
    ``stride`` apart, over an input padded with -inf by ``padding``.

    Args:
        kernel_size: the window size, an int or ``(kH, kW)``.
        stride: the step between windows; None (the default) means ``kernel_size``.
        padding: -inf added on both sides of each spatial dim, at most ``kernel_size // 2``.
        dilation: the step between the elements of a window.
        ceil_mode: round the output size up, so the windows may reach past the input.
        return_indices: also return the flat position ``h * W_in + w`` of each output's max in
            its input plane (of the first max in window order when values tie), as PyTorch.

    Shape: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)`` with

    out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

    per spatial dim (rounded up with ``ceil_mode``, as long as the last window then starts
    inside the input or the left padding)

    Returns: the pooled tensor, and the int64 indices when ``return_indices``.

    >>> F.max_pool2d(shendu.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """3-D max pooling over ``(D, H, W)``; arguments as :func:`max_pool2d` with 3-tuples.
    Indices are flat positions ``(d * H_in + h) * W_in + w`` in the input volume.

    Shape: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)`` to
    ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)`` with

    out = floor((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

    per spatial dim (rounded up with ``ceil_mode``, as long as the last window then starts
    inside the input or the left padding)
    """
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def _avg_pool(op: str, d: int, input, kernel_size, stride, padding, ceil_mode,
              count_include_pad, divisor_override=None) -> Tensor:
    _check_float(op, input)
    g = pool_geometry(op, input.shape, d, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override,
                                                                numbers.Integral):
            raise TypeError(f"{op}: divisor_override must be an int, got {divisor_override!r}")
        if divisor_override == 0:
            raise OpInputError(op, "divisor_override must not be zero")
    return AvgPool.apply(input, g, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling: the mean of each window of ``kernel_size`` elements, windows
    ``stride`` apart, over an input padded with zeros by ``padding``.

    Args:
        kernel_size: the window size (an int or a 1-tuple).
        stride: the step between windows; None (the default) means ``kernel_size``.
        padding: zeros added at both ends, at most ``kernel_size // 2``.
        ceil_mode: round the output size up; a window reaching past the padded input averages
            the part inside it.
        count_include_pad: divide by the number of positions in the padded input (True) or in
            the input alone (False).

    Shape: ``(N, C, L_in)`` or ``(C, L_in)`` to ``(N, C, L_out)`` or ``(C, L_out)`` with

    out = floor((in + 2 * padding - kernel_size) / stride) + 1

    per spatial dim (rounded up with ``ceil_mode``, as long as the last window then starts
    inside the input or the left padding)

    >>> F.avg_pool1d(shendu.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]]]), 3, stride=2)
    tensor([[[2., 4., 6.]]])
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """2-D average pooling: the mean of each ``kernel_size`` window of every channel.

    Args:
        kernel_size: the window size, an int or ``(kH, kW)``.
        stride: the step between windows; None (the default) means ``kernel_size``.
        padding: zeros added on both sides of each spatial dim, at most ``kernel_size // 2``.
        ceil_mode: round the output size up; a window reaching past the padded input averages
            the part inside it.
        count_include_pad: divide by the number of positions in the padded input (True) or in
            the input alone (False).
        divisor_override: divide every window's sum by this number instead.

    Shape: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)`` with

    out = floor((in + 2 * padding - kernel_size) / stride) + 1

    per spatial dim (rounded up with ``ceil_mode``, as long as the last window then starts
    inside the input or the left padding)

    >>> F.avg_pool2d(shendu.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """3-D average pooling over ``(D, H, W)``; arguments as :func:`avg_pool2d` with 3-tuples.

    Shape: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)`` to
    ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)`` with

    out = floor((in + 2 * padding - kernel_size) / stride) + 1

    per spatial dim (rounded up with ``ceil_mode``, as long as the last window then starts
    inside the input or the left padding)
    """
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _adaptive_size(op: str, output_size, spatial: tuple) -> tuple:
    """``output_size`` (an int, or a tuple whose None entries keep the input's size) as a
    tuple of positive ints (PyTorch also takes 0, for an empty output)."""
    d = len(spatial)
    items = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,)
    if len(items) == 1:
        items = items * d
    if len(items) != d or any(isinstance(v, bool) for v in items):
        raise TypeError(f"{op}: output_size must be an int or a tuple of {d} ints (or None), "
                        f"got {output_size!r}")
    try:
        sizes = tuple(n if v is None else operator.index(v) for v, n in zip(items, spatial))
    except TypeError:
        raise TypeError(f"{op}: output_size must be an int or a tuple of {d} ints (or None), "
                        f"got {output_size!r}") from None
    if min(sizes) < 1:
        raise OpInputError(op, f"output_size must be positive, got {output_size!r}")
    return sizes


def _adaptive_pool(op: str, d: int, input, output_size, return_indices=None):
    spatial = _split_shape(op, input.shape, d)[1]
    out = _adaptive_size(op, output_size, spatial)
    if return_indices is None:  # average pooling
        _check_float(op, input)
        return AdaptiveAvgPool.apply(input, out)
    if input.dtype.kind not in "fiu":
        raise TypeError(f"{op}: expected a floating-point or integer input, got dtype "
                        f"{input.dtype}")
    if not return_indices:
        return AdaptiveMaxPool.apply(input, out, None)
    indices = []
    values = AdaptiveMaxPool.apply(input, out, indices)
    return values, Tensor._make(indices[0])


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """1-D adaptive average pooling: the mean of ``output_size`` windows that cover the input.

    Output i of a spatial dim of input size L and output size O pools the input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1: PyTorch's windows (neighbours overlap
    where O does not divide L; they are the blocks of size L / O where it does).

    Shape: ``(N, C, L_in)`` or ``(C, L_in)`` to ``(N, C, output_size)`` or
    ``(C, output_size)``.
    """
    return _adaptive_pool("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """2-D adaptive average pooling to ``output_size`` = ``(H_out, W_out)`` (an int for a
    square; None in a tuple keeps that input size). ``output_size=1`` is global average
    pooling (the mean of each channel).

    Output i of a spatial dim of input size L and output size O pools the input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1: PyTorch's windows (neighbours overlap
    where O does not divide L; they are the blocks of size L / O where it does).

    Shape: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)``.

    >>> F.adaptive_avg_pool2d(shendu.ones(2, 3, 7, 5), 1).shape
    (2, 3, 1, 1)
    """
    return _adaptive_pool("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input, output_size) -> Tensor:
    """3-D adaptive average pooling to ``output_size`` = ``(D_out, H_out, W_out)``.

    Output i of a spatial dim of input size L and output size O pools the input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1: PyTorch's windows (neighbours overlap
    where O does not divide L; they are the blocks of size L / O where it does).

    Shape: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)`` to
    ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``.
    """
    return _adaptive_pool("adaptive_avg_pool3d", 3, input, output_size)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """1-D adaptive max pooling: the max of ``output_size`` windows that cover the input, and
    with ``return_indices`` the position of each max (the first one when values tie).

    Output i of a spatial dim of input size L and output size O pools the input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1: PyTorch's windows (neighbours overlap
    where O does not divide L; they are the blocks of size L / O where it does).

    Shape: ``(N, C, L_in)`` or ``(C, L_in)`` to ``(N, C, output_size)`` or
    ``(C, output_size)``.
    """
    return _adaptive_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """2-D adaptive max pooling to ``output_size`` = ``(H_out, W_out)``; indices are flat
    positions ``h * W_in + w`` in the input plane (the first max in row-major order on ties).

    Output i of a spatial dim of input size L and output size O pools the input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1: PyTorch's windows (neighbours overlap
    where O does not divide L; they are the blocks of size L / O where it does).

    Shape: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)``.
    """
    return _adaptive_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices: bool = False):
    """3-D adaptive max pooling to ``output_size`` = ``(D_out, H_out, W_out)``.

    Output i of a spatial dim of input size L and output size O pools the input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1: PyTorch's windows (neighbours overlap
    where O does not divide L; they are the blocks of size L / O where it does).

    Shape: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)`` to
    ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``.
    """
    return _adaptive_pool("adaptive_max_pool3d", 3, input, output_size, return_indices)


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalization across channels (AlexNet, Krizhevsky et al. 2012):

        b_c = a_c / (k + alpha / n * sum_{c'} a_{c'}^2) ** beta

    where the sum runs over the n = ``size`` channels c - n // 2 to c + (n - 1) // 2, channels
    outside [0, C) counting as 0 (PyTorch's formula).

    Shape: ``(N, C, *)`` with at least one dim after C, unchanged.
    """
    op = "local_response_norm"
    if input.ndim < 3:
        raise OpInputError(op, f"expected an input of 3 or more dims (N, C, *), got shape "
                               f"{input.shape}")
    _check_float(op, input)
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise OpInputError(op, f"size must be a positive int, got {size!r}")
    if input.data.size == 0:
        return input
    return LocalResponseNorm.apply(input, int(size), float(alpha), float(beta), float(k))


_MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 1, "bilinear": 2,
          "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims of ``input`` (``torch.nn.functional.interpolate``).

    Args:
        size: the output spatial size, an int or one int per spatial dim.
        scale_factor: instead of ``size``: multiply each spatial size by it (rounded down).
            Unless ``recompute_scale_factor``, it is also the scale of the index formulas
            (input position = output position / scale_factor), as PyTorch.
        mode: ``"nearest"`` (input position floor(j * in / out), PyTorch's legacy rule),
            ``"nearest-exact"`` (floor((j + 0.5) * in / out)), ``"linear"`` (3-D input),
            ``"bilinear"`` (4-D), ``"trilinear"`` (5-D), or ``"area"`` (adaptive average
            pooling).
        align_corners: for the linear modes only. True: the corner pixels of input and output
            coincide, input position = j * (in - 1) / (out - 1). False (the default): pixels
            are areas, input position = (j + 0.5) * in / out - 0.5, clamped at 0.
        recompute_scale_factor: compute the scale of the index formulas from the sizes.
        antialias: not supported.

    Shape: ``(N, C, *in)`` to ``(N, C, *out)`` with 1 to 3 spatial dims.

    >>> F.interpolate(shendu.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    """
    op = "interpolate"
    if mode not in _MODES:
        raise ValueError(f"{op}: unknown mode {mode!r}; expected one of {sorted(_MODES)}")
    if antialias:
        raise NotImplementedError(f"{op}: antialias=True is not supported")
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError(f"{op}: align_corners can only be set with the linear modes "
                             f"(linear, bilinear, trilinear), not with mode={mode!r}")
    elif align_corners is None:
        align_corners = False
    if input.ndim not in (3, 4, 5) or _MODES[mode] not in (None, input.ndim - 2):
        if _MODES[mode] is None:
            wanted = "a 3-D (N, C, L), 4-D (N, C, H, W) or 5-D (N, C, D, H, W)"
        else:
            wanted = f"a {_MODES[mode] + 2}-D"
        raise OpInputError(op, f"mode={mode!r} expects {wanted} input, got shape {input.shape}")
    d = input.ndim - 2
    spatial = input.shape[2:]
    out, scales = _interpolation_size(op, input.shape, size, scale_factor,
                                      recompute_scale_factor)
    if mode == "area":
        return _adaptive_pool(op, d, input, out)
    if mode != "nearest" and mode != "nearest-exact":
        _check_float(op, input)
    plans = []
    for axis in range(input.ndim - 1, 1, -1):  # the last dim first, as PyTorch's kernels
        n, o, scale = spatial[axis - 2], out[axis - 2], scales[axis - 2]
        if mode.startswith("nearest"):
            i0 = _nearest_index(n, o, scale, exact=mode == "nearest-exact", shortcuts=d == 2)
            plans.append(Plan(axis, n, i0, None, None))
        else:
            i0, i1, w = _linear_index(n, o, scale, align_corners, input.dtype)
            plans.append(Plan(axis, n, i0, i1, w))
    return Interpolate.apply(input, tuple(plans))


def _interpolation_size(op: str, shape: tuple, size, scale_factor,
                        recompute_scale_factor) -> tuple:
    """(output size, scale for the index formulas or None) per spatial dim of an input of
    shape ``shape``."""
    spatial = shape[2:]
    d = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor, got "
                         f"size={size!r}, scale_factor={scale_factor!r}")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(f"{op}: recompute_scale_factor is not meaningful with an "
                             f"explicit size")
        sizes = tuple(size) if isinstance(size, (tuple, list)) else (size,) * d
        if len(sizes) != d:
            raise OpInputError(op, f"size {sizes} must have one entry per spatial dim of the "
                                   f"input of shape {shape}")
        out = _ints(sizes, d, "size", op)
        scales = (None,) * d
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) \
            else (scale_factor,) * d
        if len(factors) != d:
            raise OpInputError(op, f"scale_factor {factors} must have one entry per spatial "
                                   f"dim of the input of shape {shape}")
        if not all(isinstance(f, numbers.Real) and not isinstance(f, bool) and f > 0
                   for f in factors):
            raise OpInputError(op, f"scale_factor must be positive, got {scale_factor!r}")
        out = tuple(int(math.floor(n * float(f))) for n, f in zip(spatial, factors))
        scales = (None,) * d if recompute_scale_factor else tuple(float(f) for f in factors)
    if min(out) < 1:
        raise OpInputError(op, f"the output size {out} must be at least 1 in every spatial "
                               f"dim (input of shape {shape}, size={size!r}, "
                               f"scale_factor={scale_factor!r})")
    return out, scales
