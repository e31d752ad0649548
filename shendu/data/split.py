"""Splitting a data set into training and validation parts: ``KFold`` for k-fold
cross-validation and ``train_test_split`` for one hold-out split.

Both work on indices (int64 arrays), so they serve arrays, Tensors and Datasets alike, and
draw their randomness from shendu's one generator (``shendu.manual_seed``) unless given their
own ``numpy.random.Generator``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from shendu.random import get_generator
from shendu.tensor import Tensor

__all__ = ["KFold", "train_test_split"]


def _num_samples(data: Any, who: str) -> int:
    """N for an int N or the length of the first dimension of an array, Tensor or sequence."""
    if isinstance(data, (int, np.integer)) and not isinstance(data, bool):
        if data < 0:
            raise ValueError(f"{who}: the number of samples must be >= 0, got {data}")
        return int(data)
    shape = getattr(data, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise ValueError(f"{who}: expected an array with a first (sample) dimension, got "
                             f"a 0-d array")
        return int(shape[0])
    try:
        return len(data)
    except TypeError:
        raise TypeError(f"{who}: expected a number of samples or an array-like, got "
                        f"{type(data).__name__}") from None


def _check_generator(generator: Any, who: str) -> None:
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{who}: generator must be a numpy.random.Generator or None, got "
                        f"{type(generator).__name__}")


class KFold:
    """K-fold cross-validation: N samples are cut into ``n_splits`` folds, and each fold in
    turn is the validation set while the other folds together are the training set.

    The folds are contiguous runs of the sample order (of a random permutation when
    ``shuffle=True``). Fold sizes are scikit-learn's: the first N % k folds have N // k + 1
    samples, the others N // k, so every sample is validated exactly once. (d2l's
    ``get_k_fold_data`` gives every fold N // k samples and leaves the last N % k samples
    out of both parts; the two agree whenever k divides N, as for the 1460 house-price rows
    with k = 5.)

    Args:
        n_splits: k, at least 2.
        shuffle: permute the samples before cutting the folds (one new permutation per call
            of ``split``).
        generator: the random generator for ``shuffle``; ``None`` uses shendu's global one.

    >>> [v.tolist() for _, v in KFold(3).split(7)]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def __init__(self, n_splits: int = 5, shuffle: bool = False,
                 generator: np.random.Generator | None = None) -> None:
        if not isinstance(n_splits, (int, np.integer)) or isinstance(n_splits, bool) \
                or n_splits < 2:
            raise ValueError(f"KFold: n_splits must be an int >= 2, got {n_splits!r}")
        _check_generator(generator, "KFold")
        if generator is not None and not shuffle:
            raise ValueError("KFold: a generator has no effect with shuffle=False; pass "
                             "shuffle=True or leave generator out")
        self.n_splits = int(n_splits)
        self.shuffle = bool(shuffle)
        self.generator = generator

    def get_n_splits(self) -> int:
        """The number of (train, validation) pairs ``split`` yields."""
        return self.n_splits

    def split(self, data: Any) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_indices, val_indices)``, both sorted int64 arrays, one pair per fold.

        Args:
            data: the number of samples N, or anything with a length / first dimension N.
        """
        n = _num_samples(data, "KFold.split")
        if n < self.n_splits:
            raise ValueError(f"KFold.split: cannot cut {n} samples into {self.n_splits} "
                             f"folds (n_splits must be <= the number of samples)")
        order = np.arange(n, dtype=np.int64)
        if self.shuffle:
            order = (self.generator or get_generator()).permutation(n).astype(np.int64)
        sizes = np.full(self.n_splits, n // self.n_splits, dtype=np.int64)
        sizes[:n % self.n_splits] += 1
        stops = np.cumsum(sizes)
        for start, stop in zip(stops - sizes, stops):
            val = np.sort(order[start:stop])
            train = np.sort(np.concatenate([order[:start], order[stop:]]))
            yield train, val

    def __repr__(self) -> str:
        return f"KFold(n_splits={self.n_splits}, shuffle={self.shuffle})"


def _take(array: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of an array or Tensor (a list or tuple becomes an array first)."""
    if isinstance(array, Tensor):
        return array[Tensor._make(indices)]
    return np.asarray(array)[indices]


def _test_count(test_size: float | int, n: int) -> int:
    """The number of test samples: ceil(test_size * n) for a fraction, the int itself for a
    count (scikit-learn's rule); both parts must keep at least one sample."""
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0.0 < test_size < 1.0:
        n_test = math.ceil(float(test_size) * n)
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a "
                         f"number of samples, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size!r} of {n} samples gives "
                         f"{n_test} test and {n - n_test} training samples; both need >= 1")
    return n_test


def train_test_split(*arrays: Any, test_size: float | int = 0.25, shuffle: bool = True,
                     generator: np.random.Generator | None = None) -> list:
    """Split arrays (or Tensors) with the same first dimension N into a training part and a
    test part, the same rows for each array.

    Args:
        *arrays: arrays, Tensors or sequences, each (N, ...).
        test_size: a fraction in (0, 1) (the test part gets ceil(test_size * N) rows) or a
            number of rows.
        shuffle: draw the test rows at random; otherwise the last rows are the test part.
        generator: the random generator; ``None`` uses shendu's global one.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]`` (NumPy arrays, or Tensors for Tensor
        inputs); the rows of each part keep their original order.

    >>> X_train, X_test = train_test_split(list(range(8)), test_size=2, shuffle=False)
    >>> X_train.tolist(), X_test.tolist()
    ([0, 1, 2, 3, 4, 5], [6, 7])
    """
    if not arrays:
        raise ValueError("train_test_split: needs at least one array")
    _check_generator(generator, "train_test_split")
    lengths = [_num_samples(a, "train_test_split") for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"train_test_split: all arrays need the same first dimension "
                         f"(number of samples), got lengths {lengths}")
    n = lengths[0]
    n_test = _test_count(test_size, n)
    if shuffle:
        order = (generator or get_generator()).permutation(n).astype(np.int64)
    else:
        order = np.arange(n, dtype=np.int64)
    test, train = np.sort(order[n - n_test:]), np.sort(order[:n - n_test])
    result = []
    for array in arrays:
        result += [_take(array, train), _take(array, test)]
    return result
