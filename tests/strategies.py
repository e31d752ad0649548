"""Hypothesis strategies for op tests: shapes with size-0 and size-1 dimensions, broadcasting
pairs, dims and the ``(args, kwargs)`` pairs that ``Case.draw`` returns."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.opcases import Arg


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


@st.composite
def unary(draw, low: float = -2.0, high: float = 2.0, kind: str = "float", min_dims: int = 0,
          min_side: int = 0, max_side: int = 4):
    """One input of any shape (0 to 4 dimensions, sizes 0 to 4), maybe non-contiguous."""
    shape = draw(shapes(min_dims=min_dims, min_side=min_side, max_side=max_side))
    return [Arg(shape, low, high, kind, noncontig=draw(st.booleans()))], {}


@st.composite
def binary(draw, low: float = -2.0, high: float = 2.0, low2=None, high2=None,
           kind: str = "float"):
    """Two inputs whose shapes broadcast together (including size-1 and size-0 dims)."""
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                  min_side=0, max_side=3))
    a, b = pair.input_shapes
    low2 = low if low2 is None else low2
    high2 = high if high2 is None else high2
    return [Arg(a, low, high, kind, noncontig=draw(st.booleans())),
            Arg(b, low2, high2, kind, noncontig=draw(st.booleans()))], {}


@st.composite
def dim_of(draw, ndim: int, allow_none: bool = True, allow_tuple: bool = True):
    """A ``dim`` argument valid for ``ndim`` dimensions: None, an int (maybe negative) or a
    tuple of distinct ints."""
    options = []
    if allow_none:
        options.append(st.none())
    if ndim > 0:
        options.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                    unique=True).map(tuple))
    return draw(st.one_of(options)) if options else None
