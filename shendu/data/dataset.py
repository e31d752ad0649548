"""Map-style datasets: ``Dataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``.

A map-style dataset has ``__len__`` and ``__getitem__(i)`` (one sample). It may also have
``__getitems__(indices)``, which returns a whole batch at once: the DataLoader then calls it
once per batch instead of ``__getitem__`` once per sample, so a dataset held as arrays is
batched by one fancy-indexing operation per array.

What ``__getitems__`` returns decides how the DataLoader treats it:

* a **batch** -- a tuple, dict, ndarray or Tensor whose arrays have the batch as their first
  dimension, e.g. ``(X[indices], y[indices])``: every array is wrapped as a Tensor, nothing is
  done per sample (shendu's fast path; :class:`TensorDataset` returns this);
* a **list of samples** (what PyTorch's ``__getitems__`` returns): collated as a list of
  ``dataset[i]`` would be.

``Subset`` and ``ConcatDataset`` have ``__getitems__`` exactly when the datasets under them have
it, and forward it (mapping or grouping the indices), so the fast path survives a split.
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from shendu.data.sampler import resolve_generator
from shendu.tensor import Tensor


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    ``a + b`` is ``ConcatDataset([a, b])``.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of equally long tensors or arrays: item ``i`` is
    ``(t[i] for t in tensors)``.

    Args:
        *tensors: tensors or arrays with the same first dimension (N, ...).
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        arrays = [t.data if isinstance(t, Tensor) else np.asarray(t) for t in tensors]
        lengths = [a.shape[0] if a.ndim else None for a in arrays]
        if None in lengths or len(set(lengths)) != 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"TensorDataset: all tensors need the same first dimension (the "
                             f"number of samples), got shapes {shapes}")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor._make(a)
                             for t, a in zip(tensors, arrays))
        self._arrays = arrays

    def __getitem__(self, index):
        return tuple(Tensor._make(a[index]) for a in self._arrays)

    def __getitems__(self, indices) -> tuple:
        """A batch: each array indexed by ``indices`` at once (arrays, not tensors)."""
        indices = np.asarray(indices)
        return tuple(a[indices] for a in self._arrays)

    def __len__(self) -> int:
        return self._arrays[0].shape[0]


def _has_getitems(dataset) -> bool:
    return callable(getattr(dataset, "__getitems__", None))


def _forwards_getitems(wrapper: Dataset, base: type, datasets: Sequence) -> bool:
    """Whether ``wrapper`` (a Subset or ConcatDataset) should forward ``__getitems__``: every
    dataset under it has one, and a subclass has neither redefined ``__getitem__`` (its
    samples would then differ from the forwarded batch) nor defined its own ``__getitems__``."""
    cls = type(wrapper)
    return (cls.__getitem__ is base.__getitem__ and getattr(cls, "__getitems__", None) is None
            and all(_has_getitems(d) for d in datasets))


def _length(dataset) -> int | None:
    try:
        return len(dataset)
    except (TypeError, NotImplementedError):
        return None


def _positions(indices, n: int | None, owner: str) -> np.ndarray:
    """``indices`` as a 1-D intp array with negative entries counted from the end, after
    checking every entry lies in ``[-n, n)``."""
    array = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if array.size == 0:
        return np.zeros(0, dtype=np.intp)
    if array.ndim != 1:
        raise ValueError(f"{owner}: indices must be a 1-D sequence of ints, got shape "
                         f"{array.shape}")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{owner}: indices must be ints, got dtype {array.dtype}")
    if n is None:  # a dataset without len: nothing to check against
        return array.astype(np.intp)
    bad = np.flatnonzero((array < -n) | (array >= n))
    if bad.size:
        raise ValueError(f"{owner}: index {array[bad[0]]} (at position {bad[0]} of indices) is "
                         f"out of range for a dataset of {n} samples (valid: {-n} to {n - 1})")
    return np.where(array < 0, array + n, array).astype(np.intp)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i]`` is ``dataset[indices[i]]``.

    The indices are checked against ``len(dataset)`` here, not when a sample is first read;
    negative indices count from the end. ``__getitems__`` is forwarded with the indices mapped.

    Args:
        dataset: the whole dataset.
        indices: the positions in ``dataset`` to keep (ints; a list, array or Tensor).
    """

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        if _forwards_getitems(self, Subset, [dataset]):
            self.__getitems__ = self._getitems

    @property
    def indices(self) -> Sequence[int]:
        """The indices as given (setting them checks them again)."""
        return self._indices

    @indices.setter
    def indices(self, indices: Sequence[int]) -> None:
        self._positions = _positions(indices, _length(self.dataset), "Subset")
        self._indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return self.dataset[[int(self._positions[i]) for i in index]]
        return self.dataset[int(self._positions[index])]

    def _getitems(self, indices):
        return self.dataset.__getitems__(self._positions[np.asarray(indices, dtype=np.intp)])

    def __len__(self) -> int:
        return len(self._positions)


class ConcatDataset(Dataset):
    """Datasets one after the other: indices ``0 .. len(d0)-1`` read ``d0``, the next
    ``len(d1)`` read ``d1``, and so on.

    ``__getitems__`` (when every part has it) groups the indices by part, asks each part once
    and puts the rows back in the order asked for.

    Args:
        datasets: the parts (a non-empty iterable of map-style datasets).

    Attributes:
        cumulative_sizes: ``cumulative_sizes[k]`` is the number of samples in parts ``0..k``.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        self.cumulative_sizes = self.cumsum(self.datasets)
        self._ends = np.asarray(self.cumulative_sizes, dtype=np.int64)
        self._starts = self._ends - [len(d) for d in self.datasets]
        if _forwards_getitems(self, ConcatDataset, self.datasets):
            self.__getitems__ = self._getitems

    @staticmethod
    def cumsum(sequence: Sequence) -> list[int]:
        """Running totals of the lengths: ``[len(s0), len(s0) + len(s1), ...]``."""
        return np.cumsum([len(s) for s in sequence]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def _global(self, indices: np.ndarray) -> np.ndarray:
        """``indices`` with negative ones counted from the end, checked to be in range."""
        n = len(self)
        bad = np.flatnonzero((indices < -n) | (indices >= n))
        if bad.size:
            raise IndexError(f"ConcatDataset: index {indices[bad[0]]} is out of range for "
                             f"{n} samples")
        return np.where(indices < 0, indices + n, indices)

    def __getitem__(self, index: int):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index = index + n if index < 0 else index
        part = bisect.bisect_right(self.cumulative_sizes, index)
        return self.datasets[part][index - int(self._starts[part])]

    def _getitems(self, indices):
        indices = self._global(np.asarray(indices, dtype=np.int64).reshape(-1))
        parts = np.searchsorted(self._ends, indices, side="right")
        if indices.size == 0 or parts.min() == parts.max():  # one part: no regrouping needed
            part = int(parts[0]) if indices.size else 0
            return self.datasets[part].__getitems__(indices - self._starts[part])
        order = np.argsort(parts, kind="stable")  # rows grouped by part, in asked order
        groups = np.split(order, np.flatnonzero(np.diff(parts[order])) + 1)
        batches = []
        for group in groups:
            part = int(parts[group[0]])
            batches.append(self.datasets[part].__getitems__(indices[group] - self._starts[part]))
        return _stitch(batches, groups, len(indices))


def _stitch(batches: list, groups: list[np.ndarray], n: int):
    """Put the rows of the per-part ``batches`` back at positions ``groups`` of an ``n``-row
    batch. Lists of samples are merged as lists; batches (tuples/dicts of arrays) leaf by leaf."""
    lists = [isinstance(b, list) for b in batches]
    if all(lists):
        out = [None] * n
        for group, samples in zip(groups, batches):
            for position, sample in zip(group.tolist(), samples):
                out[position] = sample
        return out
    if any(lists):
        raise TypeError("ConcatDataset.__getitems__: its parts return batches in different "
                        "layouts (some a list of samples, some a batch of arrays)")
    return _stitch_tree(batches, groups, n)


def _stitch_tree(batches: list, groups: list[np.ndarray], n: int):
    first = batches[0]
    if isinstance(first, dict):
        return {key: _stitch_tree([b[key] for b in batches], groups, n) for key in first}
    if isinstance(first, (tuple, list)):
        fields = [_stitch_tree([b[i] for b in batches], groups, n) for i in range(len(first))]
        if hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return type(first)(fields)
    if isinstance(first, (np.ndarray, Tensor)):
        arrays = [b.data if isinstance(b, Tensor) else b for b in batches]
        out = np.empty((n,) + arrays[0].shape[1:], dtype=np.result_type(*arrays))
        for group, array in zip(groups, arrays):
            out[group] = array
        return Tensor._make(out) if isinstance(first, Tensor) else out
    raise TypeError(f"ConcatDataset.__getitems__: cannot merge batches holding "
                    f"{type(first).__name__}; expected arrays or Tensors in tuples/dicts")


def _split_lengths(lengths: Sequence, n: int) -> list[int]:
    """Turn fractions that sum to 1 into counts that sum to ``n``: ``floor(n * f)`` each, then
    the remainder handed out one by one from the first split on (PyTorch's rule)."""
    counts = [math.floor(n * frac) for frac in lengths]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    for i, count in enumerate(counts):
        if count == 0:
            warnings.warn(f"random_split: length of split at index {i} is 0; this leads to an "
                          "empty dataset", UserWarning, stacklevel=3)
    return counts


def _check_lengths(lengths: Sequence, n: int) -> list[int]:
    lengths = list(lengths)
    if not lengths or any(isinstance(x, bool) or not isinstance(x, (int, float, np.integer,
                                                                    np.floating))
                          for x in lengths):
        raise TypeError(f"random_split: lengths must be a non-empty sequence of ints or "
                        f"fractions, got {lengths!r}")
    total = sum(lengths)
    # PyTorch also asks total <= 1, which rejects fractions whose float sum rounds up (twenty
    # 0.05s sum to 1.0000000000000002); the floors below never exceed n either way
    if math.isclose(total, 1):
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: Fraction at index {i} is not between 0 and 1 "
                                 f"(got {frac})")
        return _split_lengths(lengths, n)
    if any(not isinstance(x, (int, np.integer)) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints that sum to "
                         f"len(dataset) = {n}, or fractions that sum to 1; got {lengths}")
    if total != n:
        raise ValueError(f"random_split: Sum of input lengths does not equal the length of the "
                         f"input dataset: lengths {lengths} sum to {total}, the dataset has {n} "
                         "samples")
    return [int(x) for x in lengths]


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping :class:`Subset`\\ s of the given lengths.

    ``lengths`` are either ints that sum to ``len(dataset)``, or fractions that sum to 1: each
    split then gets ``floor(len(dataset) * fraction)`` samples and the ``r`` left over go one
    each to the first ``r`` splits (PyTorch's rule), e.g. 10 samples split ``[0.5, 0.3, 0.2]``
    give 5, 3, 2 and 11 give 6, 3, 2.

    Args:
        dataset: the dataset to split.
        lengths: ints or fractions, one per split.
        generator: a ``numpy.random.Generator``; default shendu's global generator, so
            ``shendu.manual_seed`` makes the split reproducible.

    >>> import numpy as np
    >>> train, val = random_split(range(10), [0.8, 0.2], generator=np.random.default_rng(0))
    >>> len(train), len(val), sorted(train.indices + val.indices) == list(range(10))
    (8, 2, True)
    """
    rng = resolve_generator(generator, "random_split")
    counts = _check_lengths(lengths, len(dataset))
    order = rng.permutation(len(dataset)).tolist()
    ends = np.cumsum(counts).tolist()
    return [Subset(dataset, order[end - count:end]) for end, count in zip(ends, counts)]
