"""Samplers: the order in which a DataLoader visits the indices of a map-style dataset.

A sampler is an iterable of indices (``int``); a batch sampler an iterable of lists of indices.
Every random sampler draws from ``generator`` (a ``numpy.random.Generator``) or, when none is
given, from shendu's global generator (:func:`shendu.random.get_generator`), looked up at each
``iter()``, so ``shendu.manual_seed(n)`` makes the order reproducible even for a sampler made
before the seed was set. Each ``iter()`` is a new epoch and draws a new order.

The built-in samplers make an epoch's indices as one int64 array (``_epoch_indices``) and
iterate over it, so the DataLoader's fast path can slice batches out of that array without
touching each index in Python (:meth:`BatchSampler._batches`), and gets the same order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized

import numpy as np

from shendu import random as _random
from shendu.tensor import Tensor


def resolve_generator(generator: np.random.Generator | None, owner: str) -> np.random.Generator:
    """``generator`` itself, or shendu's global generator when it is ``None``."""
    if generator is None:
        return _random.get_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"{owner}: generator must be a numpy.random.Generator or None, got "
                        f"{type(generator).__name__}")
    return generator


def check_generator(generator, owner: str) -> None:
    """Fail at construction (not at the first epoch) on a generator of the wrong type."""
    if generator is not None:
        resolve_generator(generator, owner)


def _check_positive_int(value, name: str, owner: str) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{owner}: {name} should be a positive integer value, but got "
                         f"{name}={value!r}")


def _check_bool(value, name: str, owner: str, error: type = ValueError) -> None:
    if not isinstance(value, bool):
        raise error(f"{owner}: {name} should be a boolean value, but got {name}={value!r}")


class Sampler:
    """Base class of samplers: subclasses define ``__iter__`` (the indices of one epoch) and
    usually ``__len__`` (how many indices one epoch yields).

    Args:
        data_source: accepted for compatibility with old PyTorch code and ignored.
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _index_array_source(sampler) -> Callable[[], np.ndarray | None] | None:
    """``sampler._epoch_indices`` if the class that defines the sampler's ``__iter__`` also
    defines it (a subclass with its own ``__iter__`` is iterated as it says), else ``None``."""
    for klass in type(sampler).__mro__:
        if "__iter__" in vars(klass):
            return sampler._epoch_indices if "_epoch_indices" in vars(klass) else None
    return None


class SequentialSampler(Sampler):
    """Yields ``0, 1, ..., len(data_source) - 1`` in order, every epoch.

    >>> list(SequentialSampler(range(4)))
    [0, 1, 2, 3]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def _epoch_indices(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Yields the indices of ``data_source`` in a random order, a new one each epoch.

    Without replacement an epoch is a permutation of ``0 .. n-1`` (``n = len(data_source)``);
    with ``num_samples > n`` it is ``num_samples // n`` whole permutations followed by the first
    ``num_samples % n`` entries of one more, so every index appears as evenly as possible. With
    replacement an epoch is ``num_samples`` independent uniform draws from ``0 .. n-1``.

    Args:
        data_source: a sized dataset (only ``len`` is used).
        replacement: draw with replacement.
        num_samples: indices per epoch (default ``len(data_source)``, read at each epoch).
        generator: a ``numpy.random.Generator``; default shendu's global generator.
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: np.random.Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_bool(replacement, "replacement", "RandomSampler", TypeError)
        _check_positive_int(self.num_samples, "num_samples", "RandomSampler")
        check_generator(generator, "RandomSampler")

    @property
    def num_samples(self) -> int:
        """Indices per epoch: the given ``num_samples``, else ``len(data_source)``."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        yield from self._epoch_indices().tolist()

    def _epoch_indices(self) -> np.ndarray:
        rng = resolve_generator(self.generator, "RandomSampler")
        n, total = len(self.data_source), int(self.num_samples)
        if self.replacement:
            return rng.integers(0, n, size=total, dtype=np.int64)
        passes = [rng.permutation(n) for _ in range(total // n)]
        if total % n:
            passes.append(rng.permutation(n)[:total % n])
        return np.concatenate(passes).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return int(self.num_samples)


class SubsetRandomSampler(Sampler):
    """Yields the elements of ``indices`` in a random order (without replacement), a new order
    each epoch.

    Args:
        indices: the indices to draw from (any sequence; its elements are yielded as they are).
        generator: a ``numpy.random.Generator``; default shendu's global generator.
    """

    def __init__(self, indices: Sequence[int],
                 generator: np.random.Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator
        check_generator(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        rng = resolve_generator(self.generator, "SubsetRandomSampler")
        for i in rng.permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def _epoch_indices(self) -> np.ndarray | None:
        """The same draw as ``__iter__``, as an array; ``None`` (and no draw) when the indices
        are not ints."""
        indices = np.asarray(self.indices.data if isinstance(self.indices, Tensor)
                             else self.indices)
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            return None
        rng = resolve_generator(self.generator, "SubsetRandomSampler")
        return indices[rng.permutation(len(indices))].astype(np.int64, copy=False)

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Yields ``num_samples`` indices ``i`` drawn with probability ``weights[i] / sum(weights)``.

    Without replacement each draw is made among the indices not drawn yet, with the remaining
    weights renormalised (as ``torch.multinomial``), so ``num_samples`` can be at most the
    number of non-zero weights.

    Args:
        weights: 1-D sequence of non-negative weights (need not sum to 1), one per index.
        num_samples: indices per epoch.
        replacement: draw with replacement (default ``True``).
        generator: a ``numpy.random.Generator``; default shendu's global generator.

    >>> import numpy as np
    >>> sampler = WeightedRandomSampler([0.0, 1.0, 3.0], 4, generator=np.random.default_rng(0))
    >>> sorted(set(sampler)) in ([1, 2], [2])   # index 0 has weight 0: never drawn
    True
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: np.random.Generator | None = None) -> None:
        _check_positive_int(num_samples, "num_samples", "WeightedRandomSampler")
        _check_bool(replacement, "replacement", "WeightedRandomSampler")
        check_generator(generator, "WeightedRandomSampler")
        w = np.array(weights.data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        self._p = self._probabilities(w)
        nonzero = int(np.count_nonzero(self._p))
        if not replacement and num_samples > nonzero:
            raise ValueError(f"WeightedRandomSampler: cannot draw num_samples={num_samples} "
                             f"indices without replacement from {nonzero} non-zero weights")
        self.weights = Tensor._make(w)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    @staticmethod
    def _probabilities(w: np.ndarray) -> np.ndarray:
        """``w / w.sum()`` after checking ``w`` is a 1-D, finite, non-negative vector with a
        positive sum."""
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence but given "
                             f"weights have shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            shown = w.tolist() if w.size <= 10 else w
            raise ValueError("WeightedRandomSampler: weights must be finite, non-negative and "
                             f"not all zero, got {shown}")
        return w / w.sum()

    def __iter__(self) -> Iterator[int]:
        yield from self._epoch_indices().tolist()

    def _epoch_indices(self) -> np.ndarray:
        rng = resolve_generator(self.generator, "WeightedRandomSampler")
        draws = rng.choice(len(self._p), size=self.num_samples, replace=self.replacement,
                           p=self._p)
        return draws.astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    The last list is shorter when ``len(sampler)`` is not a multiple of ``batch_size``; with
    ``drop_last`` it is left out. ``len`` is ``n // batch_size`` with ``drop_last``, else
    ``ceil(n / batch_size)``.

    Args:
        sampler: a sampler or any iterable of indices.
        batch_size: indices per batch (a positive int).
        drop_last: leave out a last, short batch.

    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler: Sampler | Iterable[int], batch_size: int,
                 drop_last: bool) -> None:
        _check_positive_int(batch_size, "batch_size", "BatchSampler")
        _check_bool(drop_last, "drop_last", "BatchSampler")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while batch := list(itertools.islice(indices, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def _batches(self) -> Iterator:
        """The batches of ``iter(self)``, as int64 arrays sliced from the sampler's index array
        when it has one (no Python work per index), else as ``iter(self)`` gives them."""
        source = _index_array_source(self.sampler)
        indices = source() if source is not None else None
        if indices is None:
            yield from iter(self)
            return
        size = self.batch_size
        stop = len(indices) - len(indices) % size if self.drop_last else len(indices)
        for start in range(0, stop, size):
            yield indices[start:start + size]

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
