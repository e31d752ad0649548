"""Reading IDX files, the format of MNIST, Fashion-MNIST and KMNIST (plain or gzip).

An IDX file is a 4-byte magic number, then one big-endian uint32 per dimension, then the values
in C order, big-endian::

    magic = 0x00 0x00 <type code> <ndim>
    type codes: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64

Every size is checked against the header, so a corrupt or truncated file raises a
``ValueError`` that names the file and says what is wrong instead of yielding wrong arrays.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

# IDX type code -> big-endian dtype of the stored values
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not (told apart by its first bytes).

    Args:
        path: the file, e.g. ``train-images-idx3-ubyte.gz``.

    Returns:
        A writable array in native byte order with the header's shape and type, e.g. uint8
        of shape (60000, 28, 28) for MNIST's training images and (60000,) for its labels.

    Raises:
        ValueError: the file is named ``.gz`` but is not gzip, the gzip stream is damaged or
            cut off, the magic number is wrong, the type code is unknown, or the data is
            shorter or longer than the header says. The message names the file.
    """
    path = Path(path)
    return parse_idx(read_maybe_gzip(path), path)


def read_maybe_gzip(path: Path) -> bytes:
    """The bytes of ``path``, decompressed when the file starts with the gzip magic bytes."""
    raw = path.read_bytes()
    if raw[:2] != _GZIP_MAGIC:
        if path.suffix == ".gz":
            raise ValueError(f"{path}: named .gz but is not a gzip file (it starts with "
                             f"{raw[:4]!r}, a gzip file starts with {_GZIP_MAGIC!r})")
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise ValueError(f"{path}: the gzip stream is truncated or corrupt ({err}); delete "
                         f"the file and download it again") from err


def parse_idx(raw: bytes, name: str | os.PathLike = "<bytes>") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file; ``name`` is used in error messages."""
    dtype, shape = _parse_header(raw, name)
    offset = 4 + 4 * len(shape)
    count = math.prod(shape)  # Python ints: a corrupt header cannot overflow
    expected, got = count * dtype.itemsize, len(raw) - offset
    described = f"the header says shape {shape} of {dtype.name}, which is {expected} bytes"
    if got < expected:
        raise ValueError(f"{name}: truncated: {described}, but the file holds only {got} "
                         f"bytes after its {offset}-byte header")
    if got > expected:
        raise ValueError(f"{name}: corrupt: {described}, but the file holds {got} bytes "
                         f"after its {offset}-byte header ({got - expected} too many)")
    array = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(shape)
    # one copy: makes the array writable (bytes are read-only) and native-endian
    return array.astype(dtype.newbyteorder("="), copy=True)


def _parse_header(raw: bytes, name) -> tuple[np.dtype, tuple[int, ...]]:
    if len(raw) < 4:
        raise ValueError(f"{name}: truncated: an IDX file starts with a 4-byte magic number, "
                         f"the file has {len(raw)} bytes")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{name}: bad magic number 0x{raw[:4].hex()}: an IDX file starts "
                         f"with two zero bytes, a type code and the number of dimensions "
                         f"(e.g. 0x00000803 for uint8 images)")
    code, ndim = raw[2], raw[3]
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} {d.name}" for c, d in IDX_DTYPES.items())
        raise ValueError(f"{name}: unknown data type code 0x{code:02X} in the magic number "
                         f"0x{raw[:4].hex()} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{name}: the magic number 0x{raw[:4].hex()} says 0 dimensions; "
                         f"expected 1 or more")
    if len(raw) < 4 + 4 * ndim:
        raise ValueError(f"{name}: truncated header: {ndim} dimensions need "
                         f"{4 + 4 * ndim} bytes, the file has {len(raw)}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    return IDX_DTYPES[code], shape
