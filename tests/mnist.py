"""A minimal reader of the MNIST IDX files in ../shared/data/mnist for tests (the package's
own data loaders come with the data issue)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

_DTYPES = {0x08: np.uint8}


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip) as an array: magic 0x0000 <type> <ndim>, then ndim big-endian int32
    sizes, then the data."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x00\x00" or raw[2] not in _DTYPES:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes (magic {raw[:4]!r})")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=_DTYPES[raw[2]], offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape}, file holds {data.size} values")
    return data.reshape(shape)


def load(root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 (N, 1, 28, 28) scaled to [0, 1] and labels as int64 (N,)."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(root / f"{prefix}-images.idx3-ubyte.gz")
    labels = read_idx(root / f"{prefix}-labels.idx1-ubyte.gz")
    return (images[:, None].astype(np.float32) / 255.0), labels.astype(np.int64)
