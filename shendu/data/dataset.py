"""``Dataset`` and ``TensorDataset``: what a DataLoader draws samples from.

A map-style dataset has ``__len__`` and ``__getitem__(i)`` (one sample). It may also have
``__getitems__(indices)``, which returns a whole batch at once (as PyTorch 2's datasets may):
the DataLoader then calls it once per batch instead of ``__getitem__`` once per sample, so a
dataset held as arrays is batched by one fancy-indexing operation per array.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.tensor import Tensor


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


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
