"""Collation: turning the samples of a batch into Tensors.

``default_collate(samples)`` stacks a list of samples along a new first dimension, following
PyTorch's type rules:

=======================  =====================================================================
sample element           batch
=======================  =====================================================================
Tensor, shape S          Tensor, shape (B, *S), same dtype
ndarray, shape S         Tensor, shape (B, *S), same dtype
NumPy scalar             Tensor, shape (B,), its dtype
``float``                Tensor, shape (B,), **float64** (as ``torch.tensor(batch, float64)``)
``int`` / ``bool``       Tensor, shape (B,), int64 / bool
``str`` / ``bytes``      the list of them, unchanged
dict                     dict of collated values (keys of the first sample)
namedtuple               the namedtuple of collated fields
tuple / list             a **list** of collated fields (a tuple becomes a list, as in PyTorch)
=======================  =====================================================================

``default_convert(data)`` only turns the arrays inside ``data`` into Tensors (no stacking): it
collates a batch a dataset's ``__getitems__`` already assembled, and single samples when a
DataLoader does no batching (``batch_size=None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from shendu.creation import tensor
from shendu.tensor import Tensor

_NUMERIC = "fiub"  # the dtype kinds a Tensor holds
_EXPECTED = "tensors, numpy arrays, numbers, strings, dicts or lists"


def default_collate(batch: Sequence) -> Any:
    """Stack a list of samples into a batch of Tensors (rules in the module docstring).

    Args:
        batch: the samples, e.g. ``[dataset[i] for i in indices]``.

    Shape: B samples whose arrays have shape S give Tensors of shape (B, *S).

    >>> default_collate([(1.5, 0), (2.5, 1)])
    [tensor([1.5, 2.5], dtype=shendu.float64), tensor([0, 1])]
    """
    batch = list(batch)
    if not batch:
        raise ValueError("default_collate: the batch is empty (no samples to collate)")
    return _collate(batch, "")


def _collate(batch: list, path: str) -> Any:
    """Collate ``batch``; ``path`` locates these values inside a sample, for error messages."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _collate_tensors(batch, path)
    if isinstance(elem, np.ndarray):
        _check_numeric(elem.dtype, path)
        return Tensor._make(_stack(batch, path))
    if isinstance(elem, (np.bool_, np.number)):
        array = np.array(batch)
        _check_numeric(array.dtype, path)
        return Tensor._make(array)
    if isinstance(elem, float):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):  # bool included: torch.tensor([True, False]) is a bool tensor
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return _collate_mapping(batch, path)
    if isinstance(elem, Sequence):
        return _collate_sequence(batch, path)
    raise TypeError(f"default_collate: batch must contain {_EXPECTED}; found "
                    f"{type(elem).__name__} at {_where(path)}")


def _where(path: str) -> str:
    return f"sample{path}"


def _check_numeric(dtype: np.dtype, path: str) -> None:
    if dtype.kind not in _NUMERIC:
        raise TypeError(f"default_collate: batch must contain {_EXPECTED}; found an array of "
                        f"dtype {dtype} at {_where(path)}")


def _stack(arrays: list, path: str) -> np.ndarray:
    """``np.stack(arrays)``, or a ValueError naming the first sample whose shape differs."""
    try:
        return np.stack(arrays)
    except ValueError:
        _check_shapes([np.shape(a) for a in arrays], path)
        raise


def _check_shapes(shapes: list, path: str) -> None:
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ValueError(f"default_collate: batch element {i} has shape {tuple(shape)} but "
                             f"batch element 0 has shape {tuple(shapes[0])} (at {_where(path)}); "
                             "samples of a batch must have the same shape: pad or crop them, "
                             "or pass a collate_fn")


def _collate_tensors(batch: list, path: str) -> Tensor:
    if any(t.requires_grad for t in batch if isinstance(t, Tensor)):
        from shendu.ops.shape import stack  # keeps the graph, as torch.stack does

        _check_shapes([t.shape for t in batch], path)
        return stack(batch)
    return Tensor._make(_stack([t.data if isinstance(t, Tensor) else t for t in batch], path))


def _collate_mapping(batch: list, path: str) -> Mapping:
    elem = batch[0]
    out = {}
    for key in elem:
        try:
            values = [sample[key] for sample in batch]
        except (KeyError, TypeError):
            _report_missing_key(batch, key, path)
            raise
        out[key] = _collate(values, f"{path}[{key!r}]")
    return _same_type(elem, out)


def _report_missing_key(batch: list, key, path: str) -> None:
    for i, sample in enumerate(batch):
        if not isinstance(sample, Mapping) or key not in sample:
            raise ValueError(f"default_collate: batch element {i} has no key {key!r} (at "
                             f"{_where(path)}) but batch element 0 has; samples of a batch must "
                             "have the same keys")


def _collate_sequence(batch: list, path: str) -> Any:
    elem = batch[0]
    for i, sample in enumerate(batch):
        if not isinstance(sample, Sequence) or len(sample) != len(elem):
            size = len(sample) if isinstance(sample, Sequence) else type(sample).__name__
            raise ValueError(f"default_collate: batch element {i} has length {size} but batch "
                             f"element 0 has length {len(elem)} (at {_where(path)}); samples of "
                             "a batch must have the same structure")
    fields = [_collate(list(values), f"{path}[{j}]") for j, values in enumerate(zip(*batch))]
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type
        return type(elem)(*fields)
    if isinstance(elem, (tuple, list)):  # a tuple becomes a list, as in PyTorch
        return fields
    return _same_type(elem, fields)


def _same_type(elem, values):
    """``values`` (a dict or list) in the container type of ``elem`` where that type can be
    built from it, else as they are."""
    if type(elem) in (dict, list):
        return values
    try:
        return type(elem)(values)
    except TypeError:
        return values


def default_convert(data: Any) -> Any:
    """Turn every ndarray (and NumPy scalar) inside ``data`` into a Tensor, without stacking;
    tuples become lists, dicts and namedtuples keep their type, anything else is left as it is.

    Arrays are wrapped, not copied: the Tensor shares memory with the array.

    >>> import numpy as np
    >>> default_convert((np.zeros((2, 3), dtype=np.float32), np.arange(2)))
    [tensor([[0., 0., 0.],
            [0., 0., 0.]]), tensor([0, 1])]
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.bool_, np.number)):
        array = np.asarray(data)
        return Tensor._make(array) if array.dtype.kind in _NUMERIC else data
    if isinstance(data, Mapping):
        return _same_type(data, {key: default_convert(value) for key, value in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(value) for value in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(value) for value in data])
    return data
