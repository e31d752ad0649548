"""``DataLoader``: iterate over a map-style dataset in (shuffled) batches of Tensors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from shendu.data.collate import default_collate, default_convert
from shendu.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    _check_bool,
    _check_positive_int,
    check_generator,
)


class DataLoader:
    """Iterate over ``dataset`` in batches: each epoch (each ``iter()``) the sampler gives an
    order of indices, the batch sampler groups them, and each group is fetched and collated.

    The arguments, their checks and ``len(loader)`` are PyTorch's:

    * ``shuffle=True`` uses a :class:`RandomSampler` (a new permutation each epoch, drawn from
      ``generator`` or from shendu's global generator, so ``shendu.manual_seed`` makes it
      reproducible); else a :class:`SequentialSampler`, unless ``sampler`` is given.
    * ``batch_size`` and ``drop_last`` make a :class:`BatchSampler`, unless ``batch_sampler``
      is given (then ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last`` must be left
      at their defaults). ``batch_size=None`` turns batching off: the loader yields single
      samples with their arrays made Tensors.
    * ``len(loader)`` is ``len(batch_sampler)`` (``n // batch_size`` with ``drop_last``, else
      ``ceil(n / batch_size)``), or ``len(sampler)`` without batching.

    **Fast path.** When the dataset has ``__getitems__`` (as :class:`TensorDataset` does) and
    no ``collate_fn`` is given, the loader calls ``dataset.__getitems__(indices)`` once per
    batch with the batch's (int) indices as an int64 array and wraps each array of the result
    as a Tensor: no Python work per sample (the built-in samplers even hand over an epoch's
    order as one index array, which the batches are sliced from). A ``__getitems__`` that
    returns a list is taken to return PyTorch's list of samples, and that list is collated with
    :func:`default_collate`. With a ``collate_fn`` of one's own, ``collate_fn`` receives
    ``[dataset[i] for i in indices]``, as in PyTorch.

    **Workers.** shendu loads in the main process: ``num_workers > 0`` is accepted (so PyTorch
    code runs unchanged) but runs there too, and ``pin_memory``, ``timeout``,
    ``worker_init_fn`` (never called), ``multiprocessing_context``, ``prefetch_factor`` and
    ``persistent_workers`` are checked as PyTorch checks them and otherwise have no effect.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``); it must not be empty.
        batch_size: samples per batch (a positive int), or ``None`` for no batching.
        shuffle: draw a new random order each epoch.
        sampler: the order of indices (an iterable of ints); excludes ``shuffle``.
        batch_sampler: an iterable of lists of indices; excludes the four options above.
        num_workers: accepted, see *Workers*.
        collate_fn: turns a list of samples into a batch (default :func:`default_collate`;
            :func:`default_convert` when ``batch_size=None``).
        pin_memory: accepted and ignored (there is no GPU memory to pin for).
        drop_last: leave out the last batch when it is smaller than ``batch_size``.
        generator: a ``numpy.random.Generator`` for ``shuffle``; default the global one.

    Shape: a dataset of samples ``(x, y)`` with ``x`` of shape S gives batches
    ``[X, Y]`` with ``X`` of shape (B, *S) and ``Y`` of shape (B,) (a tuple sample gives a
    list, as in PyTorch).

    >>> import shendu
    >>> from shendu.data.dataset import TensorDataset
    >>> data = TensorDataset(shendu.arange(10).float().reshape(5, 2), shendu.arange(5))
    >>> [(X.shape, y.tolist()) for X, y in DataLoader(data, batch_size=2)]
    [((2, 2), [0, 1]), ((2, 2), [2, 3]), ((1, 2), [4])]
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = False,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator: np.random.Generator | None = None,
                 *, prefetch_factor: int | None = None, persistent_workers: bool = False) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        _check_dataset(dataset, needs_len=sampler is None and batch_sampler is None)
        check_generator(generator, "DataLoader")
        shuffle = bool(shuffle)
        batch_size, drop_last = _check_batching(batch_size, shuffle, sampler, batch_sampler,
                                                drop_last)
        if sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers

    def __iter__(self) -> Iterator:
        if self.batch_sampler is None:  # no batching: one sample at a time
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
            return
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems) and self.collate_fn is default_collate:
            for indices in self._index_batches():
                batch = getitems(_as_index_array(indices))
                yield default_collate(batch) if isinstance(batch, list) else default_convert(batch)
        else:
            for indices in self.batch_sampler:
                yield self.collate_fn([self.dataset[i] for i in indices])

    def _index_batches(self) -> Iterator:
        """The batches of indices: sliced from one index array per epoch when the batch sampler
        is a plain :class:`BatchSampler`, else as the batch sampler yields them."""
        batch_sampler = self.batch_sampler
        if isinstance(batch_sampler, BatchSampler) and \
                type(batch_sampler).__iter__ is BatchSampler.__iter__:
            return batch_sampler._batches()
        return iter(batch_sampler)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)


def _as_index_array(indices):
    """A batch of int indices as an int64 array; indices of another kind (keys of a dataset
    indexed by strings, say) are passed on as they are."""
    array = np.asarray(indices)
    return array.astype(np.int64, copy=False) if array.dtype.kind in "iu" else indices


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
    if not isinstance(num_workers, (int, np.integer)) or isinstance(num_workers, bool):
        raise TypeError(f"DataLoader: num_workers must be an int, got "
                        f"{type(num_workers).__name__}")
    if num_workers < 0:
        raise ValueError("DataLoader: num_workers option should be non-negative; use "
                         f"num_workers=0 to disable multiprocessing (got {num_workers})")
    if timeout < 0:
        raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor option could only be specified with "
                         "num_workers > 0; set prefetch_factor to None")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(f"DataLoader: prefetch_factor option should be non-negative, got "
                         f"{prefetch_factor}")
    if persistent_workers and num_workers == 0:
        raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")


def _check_dataset(dataset, needs_len: bool) -> None:
    """A dataset with no samples fails here, not with an empty first epoch."""
    name = type(dataset).__name__
    try:
        n = len(dataset)
    except (TypeError, NotImplementedError):
        if needs_len:
            raise TypeError(f"DataLoader: the dataset ({name}) has no __len__; define it, or "
                            "pass a sampler or batch_sampler") from None
        return
    if n == 0:
        raise ValueError(f"DataLoader: the dataset ({name}) has no samples")


def _check_batching(batch_size, shuffle: bool, sampler, batch_sampler, drop_last) -> tuple:
    """PyTorch's rules for combining the batching options; returns (batch_size, drop_last)."""
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle; "
                         "shuffle inside the sampler (e.g. RandomSampler)")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                             "batch_size, shuffle, sampler, and drop_last")
        return None, False
    if batch_size is None:
        if drop_last:
            raise ValueError("DataLoader: batch_size=None option disables auto-batching and "
                             "is mutually exclusive with drop_last")
        return None, False
    _check_positive_int(batch_size, "batch_size", "DataLoader")
    _check_bool(drop_last, "drop_last", "DataLoader")
    return int(batch_size), drop_last
