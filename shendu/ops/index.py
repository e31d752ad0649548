"""Indexing ops: ``x[index]`` (getitem), gather, index_select and masked_fill.

Each forward picks elements of its input; each backward puts the gradient of every picked
element back where it came from, into zeros of the input's shape. Where an element can be
picked twice (repeated integer indices) the gradients add up; basic indices (ints, slices,
None, ...) and bool masks pick every element at most once, so plain assignment does.
"""

from __future__ import annotations

import numpy as np

from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.ops.dims import normalize_dim
from shendu.ops.shape import take_backward
from shendu.tensor import Tensor

# What a getitem index holds, which decides how its backward scatters the gradient:
_BASIC = 0  # ints, slices, None, Ellipsis: a view; each element at most once
_MASK = 1  # bool masks (with basic parts): each element at most once
_ROWS = 2  # one integer array, on dim 0: rows may repeat (an embedding lookup)
_ADVANCED = 3  # integer arrays mixed with anything: elements may repeat

_BASIC_TYPES = frozenset({int, slice, type(None), type(Ellipsis)})


class GetItem(Function):
    @staticmethod
    def forward(ctx, x, index, kind):
        ctx.input_shape, ctx.index, ctx.kind = x.shape, index, kind
        try:
            return x[index]
        except IndexError as err:
            raise IndexError(f"getitem: {err} (indexing a tensor of shape {x.shape})") from None

    @staticmethod
    def backward(ctx, grad):
        # each picked element gets its output's gradient back; elements not picked get 0
        index, kind, shape = ctx.index, ctx.kind, ctx.input_shape
        if kind == _ROWS:
            rows = index.ravel() % shape[0] if index.size else index.ravel()
            g = take_backward(grad.reshape(rows.shape + shape[1:]), 0, rows, shape[0])
            return g, None, None
        g = get_array_module(grad).zeros(shape, dtype=grad.dtype)
        if kind == _ADVANCED:
            np.add.at(g, index, grad)  # repeated indices accumulate
        else:
            g[index] = grad
        return g, None, None


class Gather(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.input_shape, ctx.dim, ctx.index = x.shape, dim, index
        sizes = zip(index.shape, x.shape, strict=True)
        if any(k != n for d, (k, n) in enumerate(sizes) if d != dim):
            # PyTorch lets the index be smaller than the input outside dim: use the leading part
            x = x[tuple(slice(None) if d == dim else slice(0, k)
                        for d, k in enumerate(index.shape))]
        return get_array_module(x).take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        # out[i][j][k] = x[i][index[i][j][k]][k] (dim=1): the gradient goes back to the picked
        # element, summed over repeats (one add.at over the picked elements' flat positions)
        shape, dim, index = ctx.input_shape, ctx.dim, ctx.index
        strides = np.cumprod((1,) + shape[:0:-1])[::-1]
        positions = index * strides[dim]
        for d, k in enumerate(index.shape):
            if d != dim:
                positions = positions + (np.arange(k) * strides[d]).reshape(
                    (k,) + (1,) * (index.ndim - d - 1))
        g = np.zeros(shape, dtype=grad.dtype)
        np.add.at(g.reshape(-1), positions.ravel(), grad.ravel())  # (a view of g)
        return g, None, None


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.input_shape, ctx.dim, ctx.index = x.shape, dim, index
        return x.take(index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        # each selected slice passes its gradient back to its index; repeats accumulate
        size = ctx.input_shape[ctx.dim]
        return take_backward(grad, ctx.dim, ctx.index, size), None, None


class MaskedFill(Function):
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        xp = get_array_module(x)
        return xp.where(mask, xp.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        xp = get_array_module(grad)
        # d/dx = 0 where filled, 1 elsewhere; d/dvalue = 1 at every filled element
        gx = xp.where(mask, 0, grad) if ctx.needs_input_grad[0] else None
        gv = xp.where(mask, grad, 0).sum() if ctx.needs_input_grad[2] else None
        return gx, None, gv


# ---------------------------------------------------------------------------- functional API
def getitem(input, index) -> Tensor:
    """``input[index]``, as NumPy and PyTorch index: ints, slices (any step), None, Ellipsis,
    integer arrays, lists or tensors (advanced indexing, which may be mixed with slices) and
    bool masks. Basic indices (no arrays) return a view of ``input``'s data.

    The gradient of an element picked more than once (a repeated integer index) is the sum of
    the gradients of its copies.

    >>> x = shendu.arange(12).reshape(3, 4)
    >>> x[1:, [0, 0, 3]].shape
    (2, 3)
    """
    if type(index) in _BASIC_TYPES or (
            type(index) is tuple and all(type(i) in _BASIC_TYPES for i in index)):
        return GetItem.apply(input, index, _BASIC)
    index, kind = _array_index(index)
    return GetItem.apply(input, index, kind)


def _array_index(index) -> tuple:
    """Turn tensors and lists in ``index`` into arrays and say which kind the index is."""
    items = index if type(index) is tuple else (index,)
    converted, has_ints, has_mask = [], False, False
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        elif isinstance(item, (list, range)):
            item = np.asarray(item)
            if item.size == 0:
                item = item.astype(np.intp)
        if isinstance(item, np.ndarray):
            if item.dtype == np.bool_:
                has_mask = True
            elif item.dtype.kind in "iu":
                if item.ndim == 0:
                    item = int(item)  # a 0-d integer tensor indexes like an int
                else:
                    has_ints = True
            else:
                raise IndexError(f"getitem: tensors used as indices must be integer or bool, "
                                 f"got dtype {item.dtype}")
        elif isinstance(item, np.integer):
            item = int(item)
        elif isinstance(item, bool):
            has_mask = True
        converted.append(item)
    if has_ints and len(converted) == 1:
        return converted[0], _ROWS
    index = tuple(converted) if type(index) is tuple else converted[0]
    if has_ints:
        return index, _ADVANCED
    return index, _MASK if has_mask else _BASIC


def _index_array(index, op: str) -> np.ndarray:
    array = index.data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got dtype {array.dtype}")
    return array


def _check_bounds(index: np.ndarray, size: int, dim: int, op: str) -> None:
    """IndexError naming ``op``, the dim's size and the first bad index (PyTorch allows no
    negative indices in gather and index_select)."""
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index[(index < 0) | (index >= size)].flat[0]
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {dim} with size {size}")


def gather(input, dim: int, index) -> Tensor:
    """Pick along ``dim`` by ``index``: for dim=1, ``out[i][j][k] = input[i][index[i][j][k]][k]``.

    Args:
        input: a tensor of n dims.
        dim: the dim to pick along.
        index: an integer tensor of n dims, no larger than ``input`` except along ``dim``.

    Shape: the output has ``index``'s shape.
    """
    index = _index_array(index, "gather")
    ndim = input.ndim
    d = normalize_dim(dim, ndim, "gather")
    if index.ndim != ndim:
        raise ValueError(f"gather: index has {index.ndim} dims (shape {index.shape}) but input "
                         f"has {ndim} (shape {input.shape}); they must have the same number")
    if ndim == 0:
        _check_bounds(index, 1, dim, "gather")
        return Gather.apply(input.reshape(1), 0, index.reshape(1)).reshape(())
    for i, (k, n) in enumerate(zip(index.shape, input.shape, strict=True)):
        if i != d and k > n:
            raise ValueError(f"gather: index of shape {index.shape} is larger than input of "
                             f"shape {input.shape} in dim {i} (only dim {dim} may be larger)")
    _check_bounds(index, input.shape[d], dim, "gather")
    return Gather.apply(input, d, index)


def index_select(input, dim: int, index) -> Tensor:
    """The slices of ``input`` at positions ``index`` (a 0-d or 1-d integer tensor) along
    ``dim``; repeats allowed.

    Shape: ``(A, B, C)`` with dim=1 and an index of length k gives ``(A, k, C)``.
    """
    index = _index_array(index, "index_select")
    if index.ndim > 1:
        raise IndexError(f"index_select: index must be 0-d or 1-d, got shape {index.shape}")
    index = index.reshape(-1)
    ndim = input.ndim
    d = normalize_dim(dim, ndim, "index_select")
    if ndim == 0:
        if index.size != 1:
            raise IndexError(f"index_select: a 0-d input takes a 1-element index, got "
                             f"{index.size} elements")
        _check_bounds(index, 1, dim, "index_select")
        return input.reshape(1).reshape(())
    _check_bounds(index, input.shape[d], dim, "index_select")
    return IndexSelect.apply(input, d, index)


def masked_fill(input, mask, value) -> Tensor:
    """``input`` with ``value`` where the bool ``mask`` is True (mask broadcasts with input).

    ``value`` is a number or a 0-d tensor (which then gets the summed gradient of the filled
    elements).

    >>> shendu.zeros(3).masked_fill(shendu.tensor([True, False, True]), 1.0)
    tensor([1., 0., 1.])
    """
    mask_data = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask_data.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got dtype {mask_data.dtype}")
    if isinstance(value, Tensor) and value.ndim:
        raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got a tensor of "
                         f"shape {value.shape}")
    return MaskedFill.apply(input, mask, value)
