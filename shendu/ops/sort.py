"""Sorting: sort, argsort and topk.

The indices come from NumPy's argsort / argpartition and are not differentiable (int64
tensors). The values are ``gather(input, dim, indices)``, so their gradient goes back to the
positions they came from. NaN counts as the largest value, as in PyTorch.
"""

from __future__ import annotations

import operator

import numpy as np

from shendu.ops.dims import normalize_dim
from shendu.ops.index import Gather
from shendu.ops.results import ValuesIndices
from shendu.ops.shape import Reshape
from shendu.tensor import Tensor


def _argsort(data: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    """Indices that sort ``data`` along ``axis``, as int64."""
    kind = "stable" if stable else None
    if not descending:
        return np.argsort(data, axis=axis, kind=kind).astype(np.int64, copy=False)
    # sort the reversed data ascending and reverse the result: equal elements keep their
    # original order and NaN comes first (negating would break both, and unsigned types)
    n = data.shape[axis]
    order = np.argsort(np.flip(data, axis), axis=axis, kind=kind)
    return (n - 1 - np.flip(order, axis)).astype(np.int64, copy=False)


def _values(input, dim: int, indices: np.ndarray) -> ValuesIndices:
    """(input's elements at ``indices`` along ``dim``, differentiable; the indices as a
    tensor)."""
    if input.ndim == 0:
        return ValuesIndices(Reshape.apply(input, ()), Tensor._make(indices))
    return ValuesIndices(Gather.apply(input, dim, indices), Tensor._make(indices))


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> ValuesIndices:
    """Sort along ``dim``; returns ``(values, indices)`` with ``values = input.gather(dim,
    indices)``.

    Args:
        descending: largest first.
        stable: keep equal elements in their original order (otherwise the order of equal
            elements is unspecified, and the sort faster).

    Shape: values and indices have ``input``'s shape.

    >>> shendu.tensor([3.0, 1.0, 2.0]).sort(descending=True).indices
    tensor([0, 2, 1])
    """
    d = normalize_dim(dim, input.ndim, "sort")
    if input.ndim == 0:
        return _values(input, d, np.zeros((), dtype=np.int64))
    return _values(input, d, _argsort(input.data, d, descending, stable))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices of :func:`sort` (an int64 tensor, not differentiable)."""
    d = normalize_dim(dim, input.ndim, "argsort")
    if input.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64))
    return Tensor._make(_argsort(input.data, d, descending, stable))


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesIndices:
    """The ``k`` largest (or, with ``largest=False``, smallest) elements along ``dim``.

    Returns ``(values, indices)``, largest first (smallest first when ``largest=False``) when
    ``sorted``; otherwise in an unspecified order. Which of several equal elements is picked
    is unspecified. Selects with ``argpartition`` (linear time) and sorts only the k picked.

    Shape: ``input``'s shape with ``k`` in dim ``dim``.

    >>> shendu.tensor([1.0, 5.0, 2.0, 4.0]).topk(2).indices
    tensor([1, 3])
    """
    d = normalize_dim(dim, input.ndim, "topk")
    data = input.data
    n = data.shape[d] if data.ndim else 1
    k = operator.index(k)
    if not 0 <= k <= n:
        raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {n} "
                         f"(input shape {input.shape})")
    if data.ndim == 0:
        return _values(input, d, np.zeros((), dtype=np.int64))
    if k == 0:
        empty = np.zeros(data.shape[:d] + (0,) + data.shape[d + 1:], dtype=np.int64)
        return _values(input, d, empty)
    if k == n:
        return _values(input, d, _argsort(data, d, largest, stable=False))
    lead = (slice(None),) * d
    if largest:
        picked = np.argpartition(data, n - k, axis=d)[lead + (slice(n - k, n),)]
    else:
        picked = np.argpartition(data, k - 1, axis=d)[lead + (slice(0, k),)]
    if sorted and k > 1:
        order = _argsort(np.take_along_axis(data, picked, axis=d), d, largest, stable=False)
        picked = np.take_along_axis(picked, order, axis=d)
    return _values(input, d, picked.astype(np.int64, copy=False))
