"""The array module and the dtypes.

Every op asks :func:`get_array_module` for its array module instead of importing NumPy by
name, so a CuPy backend can later be added here without touching the ops (as Chainer does).
"""

from __future__ import annotations

import math

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

default_float = float32
default_int = int64

_ALIASES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int32": int32, "int": int32, "int64": int64,
    "long": int64, "uint8": uint8, "bool": bool_,
}


def get_array_module(*arrays) -> type(np):
    """Return the array module (``numpy``) that operates on ``arrays``."""
    return np


# Below this many elements a broadcast is written out instead of viewed: np.broadcast_to costs
# about 3 us of Python per call, a small np.empty + fill well under 1 us.
_SMALL = 4096


def broadcast_to(array: np.ndarray, shape: tuple) -> np.ndarray:
    """``array`` broadcast to ``shape``: a fresh array when small, a read-only view (no copy)
    when large."""
    if math.prod(shape) <= _SMALL:
        out = np.empty(shape, dtype=array.dtype)
        out[...] = array
        return out
    return np.broadcast_to(array, shape)


def to_dtype(dtype) -> np.dtype | None:
    """Turn ``dtype`` (a NumPy dtype, a Python type or a name such as ``"float64"``) into a
    NumPy dtype; ``None`` stays ``None``."""
    if dtype is None or isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, str):
        try:
            return _ALIASES[dtype]
        except KeyError:
            known = sorted(_ALIASES)
            raise TypeError(f"unknown dtype {dtype!r}; expected one of {known}") from None
    if dtype is float:
        return float32
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    return np.dtype(dtype)


def is_floating(dtype: np.dtype) -> bool:
    """Whether ``dtype`` is a floating-point type (the only kind that can require grad)."""
    return dtype.kind == "f"
