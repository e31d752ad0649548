"""Shape ops: reshape and its relatives (view, flatten, squeeze, ...), permute and transpose,
expand, repeat and tile, flip, roll, cat, stack, split, chunk and pad.

No op here computes anything: each moves, copies or drops elements, so each backward moves the
gradient back the same way (a reshape is undone by a reshape, a permutation by the inverse
permutation, a copy by a sum over the copies). ``reshape``, ``permute``, ``expand`` and ``flip``
return NumPy views of their input where NumPy can, so they cost no copy (as PyTorch's views).
"""

from __future__ import annotations

import math
import operator

import numpy as np

from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.ops.dims import normalize_dim
from shendu.ops.elementwise import _weak_float
from shendu.tensor import Tensor


# ---------------------------------------------------------------------------- helpers
def _sizes(args: tuple, op: str) -> tuple:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])`` (as PyTorch accepts), as a
    tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    try:
        return tuple(map(operator.index, args))
    except TypeError:
        raise TypeError(f"{op}: sizes must be ints, got {args!r}") from None


def _dims(args: tuple, ndim: int, op: str) -> tuple:
    """Dims given as ints or one sequence, normalized; repeating a dim is an error."""
    dims = tuple(normalize_dim(d, ndim, op) for d in _sizes(args, op))
    if len(set(dims)) != len(dims):
        raise ValueError(f"{op}: dims {_sizes(args, op)} repeat a dimension")
    return dims


def _ndim(x) -> int:
    return np.ndim(x.data if isinstance(x, Tensor) else x)


def take_backward(grad: np.ndarray, dim: int, index: np.ndarray, size: int) -> np.ndarray:
    """The gradient of ``x.take(index, axis=dim)`` for an ``x`` with ``size`` entries along
    ``dim``: each taken element's gradient is added back at its (non-negative) index, repeated
    indices accumulating.

    One ``np.add.at`` over flat positions (NumPy's fast path for a 1-d target: faster than
    ``bincount`` or an n-d ``add.at``).
    """
    shape = grad.shape
    pre, post = math.prod(shape[:dim]), math.prod(shape[dim + 1:])
    positions = np.arange(pre).reshape(pre, 1, 1) * size + index.reshape(1, -1, 1)
    positions = positions * post + np.arange(post)
    total = np.zeros(shape[:dim] + (size,) + shape[dim + 1:], dtype=grad.dtype)
    np.add.at(total.reshape(-1), positions.ravel(), grad.ravel())  # (a view of total)
    return total


# ---------------------------------------------------------------------------- ops
class Reshape(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError as err:
            raise ValueError(f"reshape: shape {tuple(shape)} is invalid for an input of shape "
                             f"{x.shape} ({x.size} elements): {err}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape), None  # the same values in a new shape: reshape back


class Permute(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = tuple(np.argsort(ctx.dims))
        return grad.transpose(inverse), None  # undo the permutation with its inverse


class Expand(Function):
    @staticmethod
    def forward(ctx, x, shape):
        return get_array_module(x).broadcast_to(x, shape)  # a read-only view, no copy

    @staticmethod
    def backward(ctx, grad):
        # d expand(x)/dx: every copy passes its gradient back; the engine's unbroadcast sums them
        return grad, None


class Repeat(Function):
    @staticmethod
    def forward(ctx, x, repeats):
        ctx.input_shape, ctx.repeats = x.shape, repeats
        return get_array_module(x).tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        repeats, shape = ctx.repeats, ctx.input_shape
        padded = (1,) * (len(repeats) - len(shape)) + shape
        # view the output as (r0, s0, r1, s1, ...): each input element is copied once per tile,
        # so its gradient is the sum over the r axes
        tiles = [size for pair in zip(repeats, padded, strict=True) for size in pair]
        g = grad.reshape(tiles).sum(axis=tuple(range(0, 2 * len(padded), 2)))
        return g.reshape(shape), None


class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return get_array_module(x).flip(x, dims)  # a view

    @staticmethod
    def backward(ctx, grad):
        return get_array_module(grad).flip(grad, ctx.dims), None  # a flip is its own inverse


class Roll(Function):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return get_array_module(x).roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts)
        return get_array_module(grad).roll(grad, back, ctx.dims), None, None  # roll back by -shifts


class Cat(Function):
    @staticmethod
    def forward(ctx, *xs, dim):
        try:
            out = get_array_module(*xs).concatenate(xs, axis=dim)
        except ValueError as err:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(f"cat: shapes {shapes} must match except in dimension {dim} "
                             f"({err})") from None
        ctx.dim, ctx.sizes = dim, [x.shape[dim] for x in xs]
        return _weak_float(out, *xs) if out.dtype == np.float64 else out

    @staticmethod
    def backward(ctx, grad):
        # each input's gradient is its own slice of the output's gradient
        lead = (slice(None),) * ctx.dim
        grads, start = [], 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad, strict=True):
            grads.append(grad[lead + (slice(start, start + size),)] if needed else None)
            start += size
        return tuple(grads)


class Stack(Function):
    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        try:
            out = get_array_module(*xs).stack(xs, axis=dim)
        except ValueError as err:
            shapes = ", ".join(str(x.shape) for x in xs)
            raise ValueError(f"stack: expects tensors of equal shape, got {shapes} "
                             f"({err})") from None
        return _weak_float(out, *xs) if out.dtype == np.float64 else out

    @staticmethod
    def backward(ctx, grad):
        # input i is the output's slice i along dim, and so is its gradient
        lead = (slice(None),) * ctx.dim
        return tuple(grad[lead + (i,)] if needed else None
                     for i, needed in enumerate(ctx.needs_input_grad))


class Pad(Function):
    @staticmethod
    def forward(ctx, x, widths, value):
        # widths: (before, after) per dim; negative widths crop
        out_shape, src, dst = [], [], []
        for n, (before, after) in zip(x.shape, widths, strict=True):
            # output position j holds input position j - before, where that exists
            m = n + before + after
            start = max(before, 0)
            stop = max(min(m, n + before), start)
            out_shape.append(m)
            dst.append(slice(start, stop))
            src.append(slice(start - before, stop - before))
        src, dst = tuple(src), tuple(dst)
        ctx.input_shape, ctx.src, ctx.dst = x.shape, src, dst
        out = get_array_module(x).full(out_shape, value, dtype=x.dtype)
        out[dst] = x[src]
        return out

    @staticmethod
    def backward(ctx, grad):
        # the padding is constant (gradient 0); kept elements pass their gradient, cropped get 0
        kept = grad[ctx.dst]
        if kept.shape == ctx.input_shape:
            return kept, None, None
        g = get_array_module(grad).zeros(ctx.input_shape, dtype=grad.dtype)
        g[ctx.src] = kept
        return g, None, None


class PadByIndex(Function):
    """reflect, replicate and circular padding: along each padded dim, output position j copies
    input position ``positions[j]``; output[start:start + kept] is the (cropped) input itself."""

    @staticmethod
    def forward(ctx, x, index_maps):
        ctx.input_shape, ctx.index_maps = x.shape, index_maps
        for dim, positions, _, _ in index_maps:
            x = x.take(positions, axis=dim)
        return x

    @staticmethod
    def backward(ctx, grad):
        # each input element receives the summed gradient of its copies: the one in the middle
        # plus the mirrored / repeated / wrapped ones in the border (a few rows: a short loop)
        xp = get_array_module(grad)
        for dim, positions, start, kept in reversed(ctx.index_maps):
            lead = (slice(None),) * dim
            g = xp.zeros(grad.shape[:dim] + (ctx.input_shape[dim],) + grad.shape[dim + 1:],
                         dtype=grad.dtype)
            first = int(positions[start]) if kept else 0
            g[lead + (slice(first, first + kept),)] = grad[lead + (slice(start, start + kept),)]
            for j in (*range(start), *range(start + kept, len(positions))):
                g[lead + (positions[j],)] += grad[lead + (j,)]
            grad = g
        return grad, None


# ---------------------------------------------------------------------------- functional API
def reshape(input, *shape) -> Tensor:
    """The same elements in a new shape; one size may be -1 (inferred).

    Accepts ``reshape(x, (2, 3))``, ``x.reshape(2, 3)`` and ``x.reshape((2, 3))``. Returns a
    view of ``input``'s data when NumPy can (always for a contiguous input).

    Shape: ``(*)`` to ``shape``, with the same number of elements.

    >>> shendu.arange(6).reshape(2, -1).shape
    (2, 3)
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    if shape and min(shape) < -1:
        raise ValueError(f"reshape: invalid size in shape {tuple(shape)} (sizes must be >= 0, "
                         "or -1 for one inferred size)")
    return Reshape.apply(input, shape)


def view(input, *shape) -> Tensor:
    """:func:`reshape` (PyTorch's ``view`` needs compatible strides; here any input works, and a
    view of the data is returned where NumPy can make one)."""
    return reshape(input, *shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim`` to ``end_dim`` (inclusive) into one; a 0-d tensor becomes 1-d.

    Shape: ``(A, B, C, D)`` with start_dim=1, end_dim=2 gives ``(A, B*C, D)``.
    """
    shape = input.shape
    if not shape:
        return Reshape.apply(input, (1,))
    start = normalize_dim(start_dim, len(shape), "flatten")
    end = normalize_dim(end_dim, len(shape), "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                         f"for a tensor of shape {shape}")
    merged = math.prod(shape[start:end + 1])
    return Reshape.apply(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one of them may be -1).

    Shape: ``(A, B*C, D)`` with dim=1, sizes=(B, C) gives ``(A, B, C, D)``.
    """
    shape = input.shape
    if not shape:
        raise ValueError("unflatten: a 0-d tensor has no dimension to unflatten")
    d = normalize_dim(dim, len(shape), "unflatten")
    sizes = _sizes((sizes,), "unflatten")
    known = math.prod(s for s in sizes if s != -1)
    if sizes.count(-1) == 1 and known and shape[d] % known == 0:
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    if sizes.count(-1) or min(sizes, default=0) < 0 or math.prod(sizes) != shape[d]:
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to the size {shape[d]} of "
                         f"dim {dim} of a tensor of shape {shape}")
    return Reshape.apply(input, shape[:d] + sizes + shape[d + 1:])


def squeeze(input, dim=None) -> Tensor:
    """Drop dims of size 1: all of them, or those in ``dim`` (an int or a tuple). Naming a dim
    whose size is not 1 leaves it in place (as PyTorch).

    Shape: ``(A, 1, B, 1)`` gives ``(A, B)``; with dim=1, ``(A, B, 1)``.
    """
    shape = input.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = _dims((dim,), len(shape), "squeeze")
        new = tuple(s for i, s in enumerate(shape) if s != 1 or i not in dims)
    return Reshape.apply(input, new)


def unsqueeze(input, dim: int) -> Tensor:
    """Insert a dim of size 1 at position ``dim`` (from -ndim-1 to ndim).

    Shape: ``(A, B)`` with dim=1 gives ``(A, 1, B)``; with dim=-1, ``(A, B, 1)``.
    """
    shape = input.shape
    d = normalize_dim(dim, len(shape) + 1, "unsqueeze")
    return Reshape.apply(input, shape[:d] + (1,) + shape[d:])


def permute(input, *dims) -> Tensor:
    """Reorder the dims: output dim i is input dim ``dims[i]``. A view, no copy.

    Accepts ``x.permute(2, 0, 1)`` and ``permute(x, (2, 0, 1))``.

    Shape: ``(A, B, C)`` with dims (2, 0, 1) gives ``(C, A, B)``.
    """
    dims = _dims(dims, input.ndim, "permute")
    if len(dims) != input.ndim:
        raise ValueError(f"permute: dims {dims} are not a permutation of the {input.ndim} dims "
                         f"of a tensor of shape {input.shape}")
    return Permute.apply(input, dims)


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """Swap dims ``dim0`` and ``dim1``. A view, no copy.

    Shape: ``(A, B, C)`` with dims (0, 2) gives ``(C, B, A)``.
    """
    ndim = input.ndim
    d0 = normalize_dim(dim0, ndim, "transpose")
    d1 = normalize_dim(dim1, ndim, "transpose")
    dims = list(range(ndim))
    if ndim:
        dims[d0], dims[d1] = d1, d0
    return Permute.apply(input, tuple(dims))


def swapaxes(input, axis0: int, axis1: int) -> Tensor:
    """Alias of :func:`transpose` (NumPy's name)."""
    return transpose(input, axis0, axis1)


def t(input) -> Tensor:
    """Transpose a matrix; a 0-d or 1-d tensor is returned as it is (a new view).

    Shape: ``(A, B)`` gives ``(B, A)``.
    """
    ndim = input.ndim
    if ndim > 2:
        raise ValueError(f"t: expects a tensor with at most 2 dims, got shape {input.shape}; "
                         "use transpose(dim0, dim1) or mT")
    return Permute.apply(input, (1, 0) if ndim == 2 else tuple(range(ndim)))


def expand(input, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` without copying (a read-only view); -1 keeps a dim's
    size, and new leading dims may be added. The gradient sums over the copies.

    Shape: ``(3, 1)`` with sizes (2, 3, 4) or (2, -1, 4) gives ``(2, 3, 4)``.
    """
    sizes = _sizes(sizes, "expand")
    shape = input.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes {sizes} are fewer than the "
                         f"{len(shape)} dims of a tensor of shape {shape}")
    target = list(sizes)
    for i, size in enumerate(sizes):
        if i < lead:
            if size < 0:
                raise ValueError(f"expand: size {size} is not allowed for the new leading "
                                 f"dim {i} (sizes {sizes})")
            continue
        old = shape[i - lead]
        if size == -1:
            target[i] = old
        elif size != old and old != 1 or size < 0:
            raise ValueError(f"expand: size {size} does not match the size {old} of "
                             f"non-singleton dim {i - lead} (sizes {sizes}, tensor shape {shape})")
    return Expand.apply(input, tuple(target))


def expand_as(input, other) -> Tensor:
    """:func:`expand` to ``other``'s shape."""
    return expand(input, other.shape)


def repeat(input, *repeats) -> Tensor:
    """Tile ``input`` ``repeats[i]`` times along each dim (a copy); extra leading repeats add
    new dims (PyTorch's ``Tensor.repeat``, NumPy's ``tile``).

    Shape: ``(A, B)`` with repeats (2, 3) gives ``(2A, 3B)``; with (4, 2, 3), ``(4, 2A, 3B)``.
    """
    repeats = _sizes(repeats, "repeat")
    if len(repeats) < input.ndim:
        raise ValueError(f"repeat: {len(repeats)} repeats {repeats} are fewer than the "
                         f"{input.ndim} dims of a tensor of shape {input.shape}")
    if repeats and min(repeats) < 0:
        raise ValueError(f"repeat: repeats must be >= 0, got {repeats}")
    return Repeat.apply(input, repeats)


def tile(input, dims, *more_dims) -> Tensor:
    """Like :func:`repeat`, except that fewer repeats than dims are padded with leading 1s.

    Accepts ``tile(x, (2, 3))`` and ``x.tile(2, 3)``.

    Shape: ``(A, B)`` with dims (3,) gives ``(A, 3B)``.
    """
    dims = _sizes((dims, *more_dims) if more_dims else (dims,), "tile")
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def flip(input, dims, *more_dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (an int or a sequence). A view.

    Accepts ``flip(x, (0, 1))``, ``x.flip(0)`` and ``x.flip(0, 1)``.
    """
    dims = _dims((dims, *more_dims) if more_dims else (dims,), input.ndim, "flip")
    return Flip.apply(input, dims if input.ndim else ())


def roll(input, shifts, dims=None) -> Tensor:
    """Shift elements cyclically by ``shifts`` along ``dims`` (ints or tuples of equal length);
    without ``dims`` the flattened tensor is rolled and the shape restored.

    >>> shendu.tensor([1, 2, 3, 4]).roll(1)
    tensor([4, 1, 2, 3])
    """
    shifts = _sizes((shifts,), "roll")
    if dims is None:
        if len(shifts) != 1:
            raise ValueError(f"roll: {len(shifts)} shifts need as many dims, got dims=None")
        return Roll.apply(input, shifts, None)
    dims = tuple(normalize_dim(d, input.ndim, "roll") for d in _sizes((dims,), "roll"))
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return Roll.apply(input, shifts, dims if input.ndim else None)


def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate tensors along an existing dim; shapes must match in the other dims.

    Shape: ``(A, B)`` and ``(A, C)`` with dim=1 give ``(A, B + C)``.
    """
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("cat: expects a non-empty sequence of tensors")
    ndim = _ndim(tensors[0])
    if ndim == 0:
        raise ValueError("cat: a 0-d tensor cannot be concatenated; use stack")
    return Cat.apply(*tensors, dim=normalize_dim(dim, ndim, "cat"))


def stack(tensors, dim: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new dim ``dim`` (from -ndim-1 to ndim).

    Shape: k tensors of shape ``(A, B)`` with dim=1 give ``(A, k, B)``.
    """
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("stack: expects a non-empty sequence of tensors")
    ndim = _ndim(tensors[0])
    return Stack.apply(*tensors, dim=normalize_dim(dim, ndim + 1, "stack"))


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of
    the sizes listed in ``sections`` (which must add up to the dim's size). Pieces are views.

    >>> [p.shape for p in shendu.zeros(5, 2).split(2)]
    [(2, 2), (2, 2), (1, 2)]
    """
    from shendu.ops.index import _BASIC, GetItem  # index.py imports this module

    if not tensor.ndim:
        raise ValueError("split: expects a tensor with at least 1 dim, got a 0-d tensor")
    d = normalize_dim(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = _sizes((split_size_or_sections,), "split")
        if sum(sizes) != n or min(sizes, default=0) < 0:
            raise ValueError(f"split: sections {sizes} must be >= 0 and add up to the size {n} "
                             f"of dim {dim} (tensor shape {tensor.shape})")
    else:
        size = operator.index(split_size_or_sections)
        if size < 0 or size == 0 and n:
            raise ValueError(f"split: split_size must be positive, got {size} for dim {dim} of "
                             f"size {n}")
        full, rest = divmod(n, size) if size else (1, 0)
        sizes = (size,) * full + ((rest,) if rest else ())
        sizes = sizes or (0,)
    lead = (slice(None),) * d
    pieces, start = [], 0
    for size in sizes:
        pieces.append(GetItem.apply(tensor, lead + (slice(start, start + size),), _BASIC))
        start += size
    return tuple(pieces)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of ceil(size / chunks) along ``dim`` (PyTorch's rule, so
    fewer pieces may come back: 6 elements in 4 chunks give 3 pieces of 2).
    """
    chunks = operator.index(chunks)
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    if not input.ndim:
        raise ValueError("chunk: expects a tensor with at least 1 dim, got a 0-d tensor")
    n = input.shape[normalize_dim(dim, input.ndim, "chunk")]
    if n == 0:
        return split(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or, with negative widths, crop) the last dims (``torch.nn.functional.pad``).

    Args:
        pad: (left, right) for the last dim, then (top, bottom) for the one before, and so on.
        mode: "constant" (fill with ``value``, default 0), "reflect" (mirror without repeating
            the edge; pads must be smaller than the dim), "replicate" (repeat the edge) or
            "circular" (wrap around; pads at most the dim). Modes other than "constant" pad the
            last 1, 2 or 3 dims of a tensor with 1 or 2 more dims (batch and channel).

    Shape: ``(N, C, H, W)`` with pad (1, 2, 3, 4) gives ``(N, C, H + 7, W + 3)``.

    >>> shendu.pad(shendu.tensor([1.0, 2.0, 3.0]), (2, 1), value=9.0)
    tensor([9., 9., 1., 2., 3., 9.])
    """
    widths_flat = _sizes((pad,), "pad")
    shape = input.shape
    ndim, npairs = len(shape), len(widths_flat) // 2
    if len(widths_flat) % 2:
        raise ValueError(f"pad: the padding needs (before, after) pairs, got {widths_flat}")
    if npairs > ndim:
        raise ValueError(f"pad: padding {widths_flat} covers {npairs} dims but the input has "
                         f"shape {shape}")
    widths = [(0, 0)] * ndim
    for i in range(npairs):
        widths[ndim - 1 - i] = (widths_flat[2 * i], widths_flat[2 * i + 1])
    if mode == "constant":
        for d, (n, (b, a)) in enumerate(zip(shape, widths, strict=True)):
            if n + b + a < 0 or min(b, a) < -n:
                raise ValueError(f"pad: padding ({b}, {a}) crops more than the size {n} of dim "
                                 f"{d} (input shape {shape})")
        return Pad.apply(input, tuple(widths), 0 if value is None else value)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; expected one of {_PAD_MODES}")
    if value is not None and value != 0:
        raise ValueError(f'pad: mode "{mode}" takes no value argument')
    if not 1 <= npairs <= 3 or ndim not in (npairs + 1, npairs + 2):
        raise ValueError(f'pad: mode "{mode}" pads the last 1, 2 or 3 dims of a 2-d/3-d, '
                         f"3-d/4-d or 4-d/5-d tensor; got {len(widths_flat)} padding values for "
                         f"an input of shape {shape}")
    index_maps = []
    for d in range(ndim - npairs, ndim):
        n, (before, after) = shape[d], widths[d]
        positions = _PAD_INDEX[mode](n, before, after, d)
        kept = max(n - max(-before, 0) - max(-after, 0), 0)  # what cropping leaves
        index_maps.append((d, positions, min(max(before, 0), len(positions)), kept))
    return PadByIndex.apply(input, tuple(index_maps))


def _reflect_positions(n: int, before: int, after: int, dim: int) -> np.ndarray:
    if before >= n or after >= n:
        raise ValueError(f'pad: "reflect" padding ({before}, {after}) must be smaller than the '
                         f"size {n} of dim {dim}")
    if n + before + after <= 0 or min(before, after) <= -n:
        raise ValueError(f'pad: "reflect" padding ({before}, {after}) crops all of dim {dim} '
                         f"of size {n}")
    p = np.abs(np.arange(-before, n + after))  # mirror at 0 ...
    return (n - 1) - np.abs((n - 1) - p)  # ... and at n - 1


def _replicate_positions(n: int, before: int, after: int, dim: int) -> np.ndarray:
    if n == 0:
        raise ValueError(f'pad: "replicate" has no edge to repeat in dim {dim} of size 0')
    if n + before + after <= 0:
        raise ValueError(f'pad: "replicate" padding ({before}, {after}) leaves nothing of dim '
                         f"{dim} of size {n}")
    return np.clip(np.arange(-before, n + after), 0, n - 1)


def _circular_positions(n: int, before: int, after: int, dim: int) -> np.ndarray:
    # negative widths crop first and the kept range is wrapped around (as PyTorch). Where a
    # pad is longer than the kept range it wraps more than once (PyTorch's result is undefined)
    if before > n or after > n:
        raise ValueError(f'pad: "circular" padding ({before}, {after}) wraps around more than '
                         f"once for dim {dim} of size {n}")
    start, stop = max(-before, 0), n - max(-after, 0)
    kept = stop - start
    if kept <= 0:
        if n + before + after:
            raise ValueError(f'pad: "circular" padding ({before}, {after}) crops all of dim '
                             f"{dim} of size {n} and leaves nothing to wrap")
        return np.zeros(0, dtype=np.intp)
    return start + np.arange(-max(before, 0), kept + max(after, 0)) % kept


_PAD_INDEX = {"reflect": _reflect_positions, "replicate": _replicate_positions,
              "circular": _circular_positions}
