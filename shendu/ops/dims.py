"""Checking ``dim`` arguments: one place, one error message for every op."""

from __future__ import annotations

import operator


def normalize_dim(dim, ndim: int, op: str) -> int:
    """``dim`` (negative counts from the end) as an index in [0, ndim).

    As in PyTorch a 0-d tensor accepts dim 0 and -1 (and 0 is returned). Raises TypeError for
    a dim that is not an int and IndexError naming ``op`` when ``dim`` is out of range.
    """
    n = ndim if ndim else 1
    try:
        if isinstance(dim, bool):
            raise TypeError
        d = operator.index(dim)  # an int, a NumPy integer or a one-element integer tensor
    except TypeError:
        raise TypeError(f"{op}: dim must be an int, got {dim!r}") from None
    if not -n <= d < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} "
                         f"dimension(s) (expected a dim in [{-n}, {n - 1}])")
    return d + n if d < 0 else d
