"""Cases for shendu/ops/reduce.py and shendu/ops/linalg.py."""

import math
from dataclasses import replace

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.opcases import Arg, Case
from tests.strategies import dim_of, shapes

A = (3, 4)
B = (2, 3, 4)
INF = math.inf


# ---------------------------------------------------------------------------- strategies
def _reduced(shape: tuple, dim) -> set:
    if dim is None:
        return set(range(len(shape)))
    return {d % len(shape) for d in (dim if isinstance(dim, tuple) else (dim,))}


@st.composite
def reduction(draw, low=-2.0, high=2.0, kind="float", nonempty=False, allow_none=True,
              allow_tuple=True, keepdim=True):
    """One input of any shape and the ``dim``/``keepdim`` of a reduction over it.
    ``nonempty`` makes every reduced dim at least 1 long (max and its kin have no identity);
    the other dims may still be 0."""
    shape = draw(shapes(min_dims=0 if allow_none else 1))
    dim = draw(dim_of(len(shape), allow_none=allow_none, allow_tuple=allow_tuple))
    if nonempty:
        reduced = _reduced(shape, dim)
        shape = tuple(max(n, 1) if i in reduced else n for i, n in enumerate(shape))
    kwargs = {"dim": dim}
    if keepdim:
        kwargs["keepdim"] = draw(st.booleans())
    return [Arg(shape, low, high, kind, noncontig=draw(st.booleans()))], kwargs


@st.composite
def whole(draw, low=-2.0, high=2.0, kind="float"):
    """One non-empty input for a reduction over all of it (``max()``, ``prod()``)."""
    shape = draw(shapes(min_side=1))
    return [Arg(shape, low, high, kind, noncontig=draw(st.booleans()))], {}


@st.composite
def var_args(draw):
    """An input, dim, keepdim and a correction below the number of reduced elements (so the
    variance is finite). Slices hold at least 2 elements: the variance of one is 0, where
    std's gradient is nan."""
    args, kwargs = draw(reduction(nonempty=True))
    shape, dim = args[0].shape, kwargs["dim"]
    reduced = sorted(_reduced(shape, dim))
    if math.prod(shape[i] for i in reduced) < 2:
        if reduced:
            shape = tuple(2 if i == reduced[0] else n for i, n in enumerate(shape))
        else:  # a 0-d input
            shape, dim = (2,), None
    n = math.prod(shape[i] for i in _reduced(shape, dim))
    kwargs = {**kwargs, "dim": dim, "correction": draw(st.integers(0, n - 1))}
    return [replace(args[0], shape=shape)], kwargs


@st.composite
def norm_args(draw):
    """An input and the ``p``, ``dim``, ``keepdim`` of a norm. inf norms get distinct
    positive values (so |x| has no ties) and non-empty slices; p < 1 stays away from 0."""
    p = draw(st.sampled_from(["fro", 1, 2, 3, 1.5, 0.5, INF, -INF]))
    infinite = p in (INF, -INF)
    low, kind = (0.1, "distinct") if infinite else (0.3, "float") if p == 0.5 else (-2.0, "float")
    args, kwargs = draw(reduction(low, 2.0, kind, nonempty=infinite))
    if p == "fro" and isinstance(kwargs["dim"], tuple) and len(kwargs["dim"]) > 2:
        p = 2  # "fro" takes at most two dims
    return args, {**kwargs, "p": p}


@st.composite
def matmul_args(draw):
    """Two operands of matmul: 1-D or batched matrices whose batch dims broadcast, with sizes
    0 to 3, maybe non-contiguous."""
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                   min_side=0, max_side=3))
    m, k, n = (draw(st.integers(0, 3)) for _ in range(3))
    a = (k,) if draw(st.booleans()) else batch.input_shapes[0] + (m, k)
    b = (k,) if draw(st.booleans()) else batch.input_shapes[1] + (k, n)
    return [Arg(a, noncontig=draw(st.booleans())), Arg(b, noncontig=draw(st.booleans()))], {}


def _distinct(shape, low=-2.0, high=2.0):
    return Arg(shape, low, high, kind="distinct")


# Exact two-way ties: y + c with c constant has z[i, 0] == z[i, 1] in every row. With two tied
# elements the even split PyTorch uses equals the one-sided central difference (1/2 each), so
# these cases are gradchecked too; c's gradient shows the split.
TIES = [_distinct((3, 1)), Arg((1, 2), 1.0, 1.0)]
# maximum(x, 0) with x partly negative: inputs to prod holding exact zeros (some slices with
# one zero, some with more); the zeros' gradients reach c.
ZEROS = [Arg((4, 5), -0.3, 2.0), Arg((4, 5), 0.0, 0.0)]


# ---------------------------------------------------------------------------- cases
SUM_MEAN = [
    Case("sum_all", lambda lib, x, **kw: x.sum(**kw), [Arg(B)], draw=reduction()),
    Case("sum_dim", lambda lib, x: lib.sum(x, 1), [Arg(B)]),
    Case("sum_negdim_keepdim", lambda lib, x: x.sum(dim=-1, keepdim=True), [Arg(B)]),
    Case("sum_tuple", lambda lib, x: x.sum(dim=(0, 2)), [Arg(B)]),
    Case("sum_tuple_neg_keepdim", lambda lib, x: lib.sum(x, (-1, 0), keepdim=True), [Arg(B)]),
    Case("sum_empty_tuple", lambda lib, x: x.sum(dim=()), [Arg(A)]),
    Case("sum_size1", lambda lib, x: x.sum(1), [Arg((3, 1, 4))]),
    Case("sum_scalar", lambda lib, x: x.sum(0), [Arg(())]),
    Case("sum_noncontig", lambda lib, x: x.sum(0), [Arg(A, noncontig=True)]),
    Case("sum_over_empty", lambda lib, x: x.sum(0), [Arg((0, 3))]),
    Case("sum_dtype", lambda lib, x: x.sum(1, dtype=lib.float64), [Arg(A)]),
    Case("sum_int", lambda lib, x: x.sum(1), [Arg(A, 0, 100, kind="int")]),
    Case("sum_bool", lambda lib, x: lib.sum(x), [Arg(B, kind="bool")]),
    Case("mean_all", lambda lib, x, **kw: lib.mean(x, **kw), [Arg(B)], draw=reduction()),
    Case("mean_dim", lambda lib, x: x.mean(1), [Arg(B)]),
    Case("mean_negdim_keepdim", lambda lib, x: x.mean(-2, keepdim=True), [Arg(B)]),
    Case("mean_tuple", lambda lib, x: lib.mean(x, dim=(2, 0)), [Arg(B, noncontig=True)]),
    Case("mean_size1", lambda lib, x: x.mean((0, 1)), [Arg((1, 1, 4))]),
    Case("mean_over_empty", lambda lib, x: x.mean(1), [Arg((2, 0))]),
    Case("mean_int_dtype", lambda lib, x: x.mean(0, dtype=lib.float32), [Arg(A, 0, 9, "int")]),
]

MAX_MIN = [
    Case("max_all", lambda lib, x: x.max(), [_distinct(B)], draw=whole(kind="distinct")),
    Case("max_dim", lambda lib, x, **kw: lib.max(x, **kw), [_distinct(B)], {"dim": 1},
         draw=reduction(kind="distinct", nonempty=True, allow_none=False, allow_tuple=False)),
    Case("max_negdim_keepdim", lambda lib, x: x.max(dim=-1, keepdim=True), [_distinct(B)]),
    Case("max_dim_size1", lambda lib, x: lib.max(x, 1), [_distinct((3, 1))]),
    Case("max_dim_scalar", lambda lib, x: x.max(0), [Arg(())]),
    Case("max_dim_empty_rows", lambda lib, x: x.max(1), [Arg((0, 3))]),
    Case("max_dim_int", lambda lib, x: x.max(0), [Arg(A, 0, 100, kind="int")]),
    Case("max_binary", lambda lib, x, y: lib.max(x, y), [Arg(B), Arg((3, 1))]),
    Case("max_ties", lambda lib, y, c: (y + c).max(), TIES),
    Case("min_all", lambda lib, x: lib.min(x), [_distinct(A)], draw=whole(kind="distinct")),
    Case("min_dim", lambda lib, x, **kw: x.min(**kw), [_distinct(B)], {"dim": 0},
         draw=reduction(kind="distinct", nonempty=True, allow_none=False, allow_tuple=False)),
    Case("min_negdim_keepdim", lambda lib, x: lib.min(x, -2, True), [_distinct(B)]),
    Case("min_binary", lambda lib, x, y: x.min(y), [Arg(A), Arg((4,))]),
    Case("amax_all", lambda lib, x, **kw: lib.amax(x, **kw), [_distinct(B)],
         draw=reduction(kind="distinct", nonempty=True)),
    Case("amax_dim", lambda lib, x: x.amax(1), [_distinct(B)]),
    Case("amax_negdim_keepdim", lambda lib, x: lib.amax(x, -1, keepdim=True), [_distinct(B)]),
    Case("amax_tuple", lambda lib, x: x.amax((0, 2)), [_distinct(B)]),
    Case("amax_size1", lambda lib, x: x.amax(dim=(1, 2), keepdim=True), [_distinct((3, 1, 1))]),
    Case("amax_ties", lambda lib, y, c: (y + c).amax(1), TIES),
    Case("amin_all", lambda lib, x, **kw: x.amin(**kw), [_distinct(B)],
         draw=reduction(kind="distinct", nonempty=True)),
    Case("amin_dim_keepdim", lambda lib, x: lib.amin(x, 0, keepdim=True), [_distinct(A)]),
    Case("amin_tuple", lambda lib, x: x.amin((-1, 0)), [_distinct(B)]),
    Case("amin_ties", lambda lib, y, c: lib.amin(y - c, dim=-1, keepdim=True), TIES),
]

PROD = [
    Case("prod_all", lambda lib, x: x.prod(), [Arg(A, 0.5, 2.0)], draw=whole(0.5, 2.0)),
    Case("prod_dim", lambda lib, x, **kw: lib.prod(x, **kw), [Arg(B, -2.0, 2.0)], {"dim": 1},
         draw=reduction(allow_tuple=False)),
    Case("prod_negdim_keepdim", lambda lib, x: x.prod(-1, keepdim=True), [Arg(B, 0.5, 2.0)]),
    Case("prod_size1", lambda lib, x: x.prod(1), [Arg((3, 1), noncontig=True)]),
    Case("prod_over_empty", lambda lib, x: x.prod(0), [Arg((0, 3))]),
    Case("prod_int", lambda lib, x: x.prod(1), [Arg(A, -3, 4, kind="int")]),
    Case("prod_zeros", lambda lib, x, c: lib.prod(lib.maximum(x, c), 1), ZEROS),
    Case("prod_zeros_keepdim", lambda lib, x, c: lib.maximum(x, c).prod(0, keepdim=True), ZEROS),
]

VAR_STD = [
    Case("var_all", lambda lib, x, **kw: x.var(**kw), [Arg(B)], draw=var_args()),
    Case("var_dim", lambda lib, x: lib.var(x, 1), [Arg(B)]),
    Case("var_tuple_keepdim", lambda lib, x: x.var((0, 2), keepdim=True), [Arg(B)]),
    Case("var_correction0", lambda lib, x: lib.var(x, dim=-1, correction=0), [Arg(B)]),
    Case("var_correction2", lambda lib, x: x.var(dim=0, correction=2), [Arg((5, 3))]),
    Case("var_unbiased_positional", lambda lib, x: x.var(1, False, True), [Arg(A)]),
    Case("var_unbiased_only", lambda lib, x: lib.var(x, False), [Arg(A, noncontig=True)]),
    Case("var_unbiased_kw", lambda lib, x: x.var(unbiased=True), [Arg((5,))]),
    Case("std_all", lambda lib, x, **kw: lib.std(x, **kw), [Arg(B)], draw=var_args()),
    Case("std_dim", lambda lib, x: x.std(1), [Arg(B)]),
    Case("std_tuple_correction0", lambda lib, x: lib.std(x, (0, 1), correction=0), [Arg(B)]),
    Case("std_unbiased_keepdim", lambda lib, x: x.std(-1, True, keepdim=True), [Arg(A)]),
]

LOGSUMEXP = [
    Case("logsumexp_dim", lambda lib, x, **kw: lib.logsumexp(x, **kw), [Arg(B)], {"dim": 1},
         draw=reduction(-5.0, 5.0, allow_none=False)),
    Case("logsumexp_negdim_keepdim", lambda lib, x: x.logsumexp(-1, keepdim=True), [Arg(B)]),
    Case("logsumexp_tuple", lambda lib, x: lib.logsumexp(x, (0, 2)), [Arg(B, noncontig=True)]),
    Case("logsumexp_size1", lambda lib, x: x.logsumexp(1), [Arg((3, 1))]),
    Case("logsumexp_large", lambda lib, x: lib.logsumexp(x, 1), [Arg(A, 100.0, 200.0)]),
    Case("logsumexp_very_negative", lambda lib, x: x.logsumexp(0), [Arg(A, -900.0, -700.0)]),
    Case("logsumexp_over_empty", lambda lib, x: x.logsumexp(1), [Arg((2, 0))]),
]

NORM = [
    Case("norm_fro", lambda lib, x, **kw: x.norm(**kw), [Arg(B)], draw=norm_args()),
    Case("norm_fro_dims", lambda lib, x: lib.norm(x, "fro", dim=(0, 1)), [Arg(B)]),
    Case("norm_2_dim", lambda lib, x: lib.norm(x, 2, dim=1), [Arg(B)]),
    Case("norm_1_negdim_keepdim", lambda lib, x: x.norm(p=1, dim=-1, keepdim=True), [Arg(B)]),
    Case("norm_3_tuple", lambda lib, x: lib.norm(x, 3, (0, 2)), [Arg(B, noncontig=True)]),
    Case("norm_1p5", lambda lib, x: x.norm(1.5), [Arg(A)]),
    Case("norm_half", lambda lib, x: lib.norm(x, 0.5, 1), [Arg(A, 0.3, 2.0)]),
    Case("norm_inf_dim", lambda lib, x: x.norm(p=INF, dim=1), [_distinct(B)]),
    Case("norm_neginf", lambda lib, x: lib.norm(x, -INF), [_distinct(A, 0.1, 2.0)]),
    Case("norm_inf_ties", lambda lib, y, c: lib.norm(y + c, INF, 1), TIES),
    Case("norm_0", lambda lib, x: lib.norm(x, 0, 1), [Arg(A)]),
    Case("norm_zero_vector", lambda lib, x: lib.norm(x, dim=1), [Arg(A, 0.0, 0.0)]),
    Case("norm_3_zero_vector", lambda lib, x: x.norm(3), [Arg((4,), 0.0, 0.0)]),
    Case("norm_over_empty", lambda lib, x: x.norm(dim=0), [Arg((0, 3))]),
    Case("norm_dtype", lambda lib, x: x.norm(dim=1, dtype=lib.float64), [Arg(A)]),
]

NOT_DIFFERENTIABLE = [
    Case("argmax_all", lambda lib, x: x.argmax(), [_distinct(B)], grad=False),
    Case("argmax_dim", lambda lib, x: lib.argmax(x, 1), [_distinct(B)], grad=False),
    Case("argmax_negdim_keepdim", lambda lib, x: x.argmax(dim=-1, keepdim=True), [_distinct(B)],
         grad=False),
    Case("argmax_all_keepdim", lambda lib, x: lib.argmax(x, keepdim=True), [_distinct(A)],
         grad=False),
    Case("argmax_int", lambda lib, x: x.argmax(0), [Arg((20, 3), 0, 1000, kind="int")],
         grad=False),
    Case("argmin_all", lambda lib, x: lib.argmin(x), [_distinct(B)], grad=False),
    Case("argmin_dim_keepdim", lambda lib, x: x.argmin(0, True), [_distinct(A)], grad=False),
    Case("any_all_dims", lambda lib, x: lib.any(x), [Arg(B, kind="bool")], grad=False),
    Case("any_dim", lambda lib, x: x.any(1), [Arg(B, kind="bool")], grad=False),
    Case("any_tuple_keepdim", lambda lib, x: x.any((0, -1), keepdim=True),
         [Arg(B, 0, 2, kind="int")], grad=False),
    Case("any_float", lambda lib, x: lib.any(x, -1), [Arg(A)], grad=False),
    Case("any_empty", lambda lib, x: x.any(0), [Arg((0, 3), kind="bool")], grad=False),
    Case("all_all_dims", lambda lib, x: x.all(), [Arg(A, 1, 3, kind="int")], grad=False),
    Case("all_dim", lambda lib, x: lib.all(x, 1), [Arg(B, kind="bool")], grad=False),
    Case("all_tuple", lambda lib, x: x.all(dim=(0, 1)), [Arg(B, 0, 2, kind="int")], grad=False),
    Case("all_empty", lambda lib, x: lib.all(x, 0, keepdim=True), [Arg((0, 3), kind="bool")],
         grad=False),
]

MATMUL = [
    Case("matmul_2d_2d", lambda lib, a, b: lib.matmul(a, b), [Arg(A), Arg((4, 5))],
         draw=matmul_args()),
    Case("matmul_1d_1d", lambda lib, a, b: a @ b, [Arg((4,)), Arg((4,))]),
    Case("matmul_1d_2d", lambda lib, a, b: lib.matmul(a, b), [Arg((3,)), Arg(A)]),
    Case("matmul_2d_1d", lambda lib, a, b: a.matmul(b), [Arg(A), Arg((4,))]),
    Case("matmul_1d_batched", lambda lib, a, b: a @ b, [Arg((3,)), Arg(B[:1] + A)]),
    Case("matmul_batched_1d", lambda lib, a, b: a @ b, [Arg(B), Arg((4,))]),
    Case("matmul_batched_2d", lambda lib, a, b: lib.matmul(a, b), [Arg(B), Arg((4, 2))]),
    Case("matmul_2d_batched", lambda lib, a, b: a @ b, [Arg((2, 3)), Arg(B)]),
    Case("matmul_broadcast", lambda lib, a, b: a @ b, [Arg((2, 1, 3, 4)), Arg((5, 4, 2))]),
    Case("matmul_broadcast_size1", lambda lib, a, b: a @ b, [Arg((1, 3, 4)), Arg((2, 4, 5))]),
    Case("matmul_noncontig", lambda lib, a, b: a @ b,
         [Arg(A, noncontig=True), Arg((4, 2), noncontig=True)]),
    Case("matmul_batched_noncontig", lambda lib, a, b: lib.matmul(a, b),
         [Arg(B, noncontig=True), Arg((2, 4, 3), noncontig=True)]),
    Case("matmul_empty_inner", lambda lib, a, b: a @ b, [Arg((3, 0)), Arg((0, 2))]),
    Case("matmul_int", lambda lib, a, b: a @ b, [Arg(A, -5, 5, "int"), Arg((4,), -5, 5, "int")]),
    Case("mm", lambda lib, a, b: lib.mm(a, b), [Arg((2, 3)), Arg((3, 4), noncontig=True)]),
    Case("mm_method", lambda lib, a, b: a.mm(b), [Arg((4, 3)), Arg((3, 1))]),
    Case("bmm", lambda lib, a, b: lib.bmm(a, b), [Arg(B), Arg((2, 4, 3))]),
    Case("dot", lambda lib, a, b: lib.dot(a, b), [Arg((5,)), Arg((5,), noncontig=True)]),
]

CASES = [*SUM_MEAN, *MAX_MIN, *PROD, *VAR_STD, *LOGSUMEXP, *NORM, *NOT_DIFFERENTIABLE,
         *MATMUL]
