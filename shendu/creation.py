"""Making tensors: from data (``tensor``, ``as_tensor``, ``from_numpy``), filled (``zeros``,
``ones``, ``full``, ``empty``, ``eye``), ranges (``arange``, ``linspace``), random (``rand``,
``randn``, ``randint``, ``randperm``) and the ``*_like`` forms.

Default dtypes follow PyTorch: Python floats give float32, Python ints int64, bools bool; a
NumPy array keeps its dtype.
"""

from __future__ import annotations

import numpy as np

from shendu import backend
from shendu import random as _random
from shendu.tensor import Tensor


def _to_array(data, dtype=None, copy: bool = True) -> np.ndarray:
    """``data`` as an ndarray of ``dtype`` (or of PyTorch's default dtype for its kind)."""
    dtype = backend.to_dtype(dtype)
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        array = np.array(data, dtype=dtype, copy=copy or None)
    else:
        try:
            array = np.array(data, dtype=dtype)
        except ValueError as err:
            raise ValueError(f"tensor(): cannot make a tensor from this data ({err}); "
                             "nested sequences must be rectangular") from None
        if dtype is None:
            array = _default_dtype(array)
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"tensor(): unsupported data of dtype {array.dtype}; expected numbers or bools"
        )
    return array


def _default_dtype(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind == "f" and array.dtype != backend.default_float:
        return array.astype(backend.default_float)
    if array.dtype.kind in "iu" and array.dtype != backend.default_int:
        return array.astype(backend.default_int)
    return array


def _size(size) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(n) for n in size)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (numbers, nested lists, an ndarray or a Tensor).

    >>> shendu.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    tensor([[1., 2.],
            [3., 4.]], requires_grad=True)
    """
    return _new(_to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None) -> Tensor:
    """Like :func:`tensor`, but shares memory with an ndarray or Tensor of the same dtype."""
    if isinstance(data, Tensor) and (dtype is None or backend.to_dtype(dtype) == data.dtype):
        return data
    return Tensor._make(_to_array(data, dtype, copy=False))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an np.ndarray, got {type(array).__name__}")
    return Tensor._make(_to_array(array, copy=False))


def zeros(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size`` (float32 unless ``dtype`` says otherwise)."""
    return _new(np.zeros(_size(size), backend.to_dtype(dtype) or backend.default_float),
                requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _new(np.ones(_size(size), backend.to_dtype(dtype) or backend.default_float),
                requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of shape ``size``."""
    return _new(np.empty(_size(size), backend.to_dtype(dtype) or backend.default_float),
                requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (its dtype follows the value's
    kind: bool, int64 or float32)."""
    if dtype is None:
        dtype = _default_dtype(np.asarray(fill_value)).dtype
    return _new(np.full(_size((size,)), fill_value, backend.to_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix."""
    return _new(np.eye(n, m, dtype=backend.to_dtype(dtype) or backend.default_float),
                requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` by ``step``; int64 when all three
    are ints, else float32."""
    if end is None:
        start, end = 0, start
    array = np.arange(start, end, step)
    array = array.astype(backend.to_dtype(dtype)) if dtype is not None else _default_dtype(array)
    return _new(array, requires_grad)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    array = np.linspace(start, end, steps, dtype=np.float64)
    return _new(array.astype(backend.to_dtype(dtype) or backend.default_float), requires_grad)


def rand(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples from [0, 1)."""
    dtype = backend.to_dtype(dtype) or backend.default_float
    return _new(_random.get_generator().random(_size(size)).astype(dtype), requires_grad)


def randn(*size, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    dtype = backend.to_dtype(dtype) or backend.default_float
    return _new(_random.get_generator().standard_normal(_size(size)).astype(dtype), requires_grad)


def randint(low, high=None, size=None, dtype=None) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` starts at 0."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: expected randint(low, high, size) or randint(high, size)")
        low, high, size = 0, low, high
    array = _random.get_generator().integers(low, high, size=tuple(size))
    return Tensor._make(array.astype(backend.to_dtype(dtype) or backend.default_int))


def randperm(n: int, dtype=None) -> Tensor:
    """A random permutation of 0 .. n-1."""
    array = _random.get_generator().permutation(n)
    return Tensor._make(array.astype(backend.to_dtype(dtype) or backend.default_int))


def _like(fn):
    def like(input: Tensor, *args, dtype=None, requires_grad: bool = False) -> Tensor:
        return fn(input.shape, *args, dtype=dtype or input.dtype, requires_grad=requires_grad)

    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"Like :func:`{fn.__name__}`, with the shape (and dtype) of ``input``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``input``'s shape and dtype filled with ``fill_value``."""
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input: Tensor, low, high=None, dtype=None) -> Tensor:
    """Random integers with ``input``'s shape."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)
