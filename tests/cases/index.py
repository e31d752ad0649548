"""Cases for shendu/ops/index.py (getitem, gather, index_select, masked_fill) and
shendu/ops/sort.py (sort, argsort, topk)."""

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tests.opcases import Arg, Case
from tests.strategies import shapes

X = (4, 3, 5)
D = (3, 4, 5)


def _arg(draw, shape, **kwargs) -> Arg:
    return Arg(tuple(shape), noncontig=draw(st.booleans()), **kwargs)


def _signed(draw, dim: int, ndim: int) -> int:
    """``dim`` or its negative form, by chance."""
    return dim - ndim if draw(st.booleans()) else dim


def _int_array(draw, shape, n: int):
    """An integer index array of ``shape`` with values in [-n, n) (so repeats are likely)."""
    return draw(hnp.arrays("int64", shape, elements=st.integers(-n, n - 1)))


# ---------------------------------------------------------------------------- strategies
@st.composite
def basic_index(draw):
    """ints, slices (any step), None and Ellipsis."""
    shape = draw(shapes())
    index = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return [_arg(draw, shape)], {"index": index}


@st.composite
def rows_index(draw):
    """One integer array (maybe 0-d or 2-d, negative and repeated values) on dim 0."""
    shape = draw(shapes(min_dims=1, min_side=1))
    index = _int_array(draw, draw(shapes(max_dims=2)), shape[0])
    return [_arg(draw, shape)], {"index": index}


@st.composite
def mixed_index(draw):
    """Integer arrays on some dims (broadcasting together) and slices on the others."""
    shape = draw(shapes(min_dims=2, min_side=1))
    array_shape = draw(shapes(max_dims=2, max_side=3))
    index, arrays = [], 0
    for n in shape:
        if draw(st.booleans()) or (n == shape[-1] and arrays == 0):
            index.append(_int_array(draw, array_shape, n))
            arrays += 1
        else:
            index.append(draw(st.slices(n)))
    return [_arg(draw, shape)], {"index": tuple(index)}


@st.composite
def mask_index(draw):
    """A bool mask over the leading dims, then maybe a slice or an int."""
    shape = draw(shapes(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    index = [draw(hnp.arrays(bool, shape[:k]))]
    if k < len(shape) and shape[k] and draw(st.booleans()):
        index.append(draw(st.one_of(st.slices(shape[k]), st.integers(0, shape[k] - 1))))
    return [_arg(draw, shape)], {"index": tuple(index)}


@st.composite
def gather_args(draw):
    """An input, a dim of size >= 1 and an index no larger than the input outside that dim."""
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    d = draw(st.integers(0, len(shape) - 1))
    shape[d] = max(shape[d], 1)
    index_shape = [draw(st.integers(0, n)) for n in shape]
    index_shape[d] = draw(st.integers(0, 4))
    index = Arg(tuple(index_shape), 0, shape[d], kind="int")
    return [_arg(draw, shape), index], {"dim": _signed(draw, d, len(shape))}


@st.composite
def index_select_args(draw):
    shape = list(draw(shapes(min_dims=1, max_dims=3)))
    d = draw(st.integers(0, len(shape) - 1))
    shape[d] = max(shape[d], 1)
    index = Arg(draw(st.sampled_from([(), (0,), (1,), (3,), (6,)])), 0, shape[d], kind="int")
    return [_arg(draw, shape), index], {"dim": _signed(draw, d, len(shape))}


@st.composite
def masked_fill_args(draw):
    """An input, a bool mask broadcasting with it, and a value: a number or a 0-d tensor."""
    shape = draw(shapes())
    mask_shape = draw(hnp.broadcastable_shapes(shape, max_dims=4, min_side=0, max_side=3))
    args = [_arg(draw, shape), Arg(mask_shape, kind="bool")]
    if draw(st.booleans()):
        return [*args, Arg(())], {}
    return args, {"value": draw(st.floats(-2, 2))}


@st.composite
def sort_args(draw):
    shape = draw(shapes(min_dims=1))
    return [Arg(shape, kind="distinct")], {
        "dim": draw(st.integers(-len(shape), len(shape) - 1)),
        "descending": draw(st.booleans()), "stable": draw(st.booleans())}


@st.composite
def topk_args(draw):
    shape = draw(shapes(min_dims=1))
    d = draw(st.integers(0, len(shape) - 1))
    return [Arg(shape, kind="distinct")], {
        "k": draw(st.integers(0, shape[d])), "dim": _signed(draw, d, len(shape)),
        "largest": draw(st.booleans()), "sorted": draw(st.booleans())}


# ---------------------------------------------------------------------------- cases
def _getitem(lib, x, index):
    return x[index]


def _masked_fill(lib, x, mask, value_tensor=None, value=0.0):
    return x.masked_fill(mask, value if value_tensor is None else value_tensor)


def _sort(lib, x, dim=-1, descending=False, stable=False):
    return lib.sort(x, dim=dim, descending=descending, stable=stable)


def _topk(lib, x, k, dim=-1, largest=True, sorted=True):
    return lib.topk(x, k, dim=dim, largest=largest, sorted=sorted)


CASES = [
    # getitem: basic indices
    Case("getitem_int", _getitem, [Arg(X)], {"index": 1}, draw=basic_index()),
    Case("getitem_negative_ints", lambda lib, x: x[-1, :, -2], [Arg(X)]),
    Case("getitem_slices_steps", lambda lib, x: x[1:3, ::2, 1::2], [Arg(X)]),
    Case("getitem_negative_bounds", lambda lib, x: x[-3:-1, :-1], [Arg(X, noncontig=True)]),
    Case("getitem_none_ellipsis", lambda lib, x: x[None, ..., 2, None], [Arg(X)]),
    Case("getitem_ellipsis_last", lambda lib, x: x[..., 0], [Arg(X, noncontig=True)]),
    Case("getitem_to_scalar", lambda lib, x: x[2], [Arg((5,))]),
    Case("getitem_empty_slice", lambda lib, x: x[:, 1:1], [Arg(X)]),
    Case("getitem_size0", lambda lib, x: x[:, 1], [Arg((0, 3))]),
    Case("getitem_0d_int_tensor", lambda lib, x: x[lib.tensor(2)], [Arg(X)]),
    # getitem: integer arrays (repeated indices accumulate)
    Case("getitem_list_repeated", _getitem, [Arg(X)], {"index": [0, 2, 0, 0]},
         draw=rows_index()),
    Case("getitem_tensor_2d_repeated", lambda lib, x: x[lib.tensor([[0, 3], [3, 3]])],
         [Arg(X, noncontig=True)]),
    Case("getitem_tensor_negative", lambda lib, x: x[lib.tensor([-1, 0, -1])], [Arg(X)]),
    Case("getitem_random_rows", lambda lib, x, i: x[i], [Arg((4, 3)), Arg((9,), 0, 4, "int")]),
    Case("getitem_empty_list", lambda lib, x: x[[]], [Arg(X)]),
    Case("getitem_mixed", _getitem, [Arg(X)], {"index": (slice(1, None), [0, 0, 2])},
         draw=mixed_index()),
    Case("getitem_mixed_separated", lambda lib, x: x[[0, 1, 1], :, [4, 4, 0]], [Arg(X)]),
    Case("getitem_mixed_broadcast", lambda lib, x, i, j: x[i, 1:, j],
         [Arg(X), Arg((2, 1), 0, 4, "int"), Arg((3,), 0, 5, "int")]),
    Case("getitem_pairs_repeated", lambda lib, x: x[[1, 1, 2], [0, 0, 2]],
         [Arg((3, 4), noncontig=True)]),
    # getitem: bool masks
    Case("getitem_mask", lambda lib, x, m: x[m], [Arg(X), Arg((4, 3), kind="bool")]),
    Case("getitem_mask_list", _getitem, [Arg(X)], {"index": [True, False, True, True]},
         draw=mask_index()),
    Case("getitem_mask_of_values", lambda lib, x: x[x > 0], [Arg(X)]),
    Case("getitem_mask_after_slice", lambda lib, x, m: x[1:, m],
         [Arg(X, noncontig=True), Arg((3,), kind="bool")]),
    Case("getitem_mask_and_int", lambda lib, x, m: x[m, 2], [Arg(X), Arg((4,), kind="bool")]),
    # gather
    Case("gather", lambda lib, x, i, dim: x.gather(dim, i),
         [Arg(X), Arg((4, 6, 5), 0, 3, "int")], {"dim": 1}, draw=gather_args()),
    Case("gather_negdim_smaller_index", lambda lib, x, i: lib.gather(x, -1, i),
         [Arg(X, noncontig=True), Arg((2, 1, 7), 0, 5, "int")]),
    Case("gather_dim0", lambda lib, x, i: lib.gather(x, 0, i),
         [Arg((3, 4)), Arg((5, 4), 0, 3, "int")]),
    Case("gather_empty_index", lambda lib, x, i: x.gather(1, i),
         [Arg((3, 4)), Arg((3, 0), 0, 4, "int")]),
    Case("gather_scalar", lambda lib, x, i: x.gather(0, i), [Arg(()), Arg((), 0, 1, "int")]),
    # index_select
    Case("index_select", lambda lib, x, i, dim: x.index_select(dim, i),
         [Arg(X), Arg((7,), 0, 3, "int")], {"dim": 1}, draw=index_select_args()),
    Case("index_select_repeated",
         lambda lib, x: lib.index_select(x, -1, lib.tensor([4, 0, 4, 4])),
         [Arg(X, noncontig=True)]),
    Case("index_select_rows", lambda lib, x, i: lib.index_select(x, 0, i),
         [Arg((5, 3)), Arg((8,), 0, 5, "int")]),
    Case("index_select_0d_index", lambda lib, x: x.index_select(0, lib.tensor(3)), [Arg(X)]),
    Case("index_select_empty", lambda lib, x, i: x.index_select(1, i),
         [Arg(X), Arg((0,), 0, 3, "int")]),
    # masked_fill
    Case("masked_fill", _masked_fill, [Arg(X), Arg((3, 1), kind="bool")], {"value": -1.5},
         draw=masked_fill_args()),
    Case("masked_fill_broadcast_input", lambda lib, x, m: lib.masked_fill(x, m, 2.0),
         [Arg((4, 1, 5)), Arg((3, 5), kind="bool")]),
    Case("masked_fill_tensor_value", _masked_fill,
         [Arg(X, noncontig=True), Arg((5,), kind="bool"), Arg(())]),
    Case("masked_fill_neg_inf_exp", lambda lib, x, m: x.masked_fill(m, float("-inf")).exp(),
         [Arg(X), Arg(X, kind="bool")]),  # as a softmax masks: e^-inf = 0 (and finite checks)
    # sort, argsort, topk (distinct values: the gradient at ties is not defined)
    Case("sort", _sort, [Arg(D, kind="distinct")], draw=sort_args()),
    Case("sort_dim0_descending", lambda lib, x: x.sort(0, True), [Arg(D, kind="distinct")]),
    Case("sort_stable_middle", _sort, [Arg(D, kind="distinct")], {"dim": 1, "stable": True}),
    Case("sort_descending_stable", _sort, [Arg(D, kind="distinct")],
         {"dim": -2, "descending": True, "stable": True}),
    Case("sort_scalar", _sort, [Arg((), kind="distinct")]),
    Case("sort_size0", _sort, [Arg((3, 0), kind="distinct")], {"dim": 0}),
    Case("sort_size1", _sort, [Arg((3, 1), kind="distinct")]),
    Case("argsort", lambda lib, x: x.argsort(dim=1, descending=True), [Arg(D, kind="distinct")]),
    Case("argsort_ties_stable", lambda lib, x: lib.argsort(x, dim=-1, stable=True),
         [Arg((4, 9), 0, 3, "int")]),
    Case("argsort_ties_stable_descending",
         lambda lib, x: lib.argsort(x, dim=0, descending=True, stable=True),
         [Arg((9, 4), 0, 3, "int")]),
    Case("topk", _topk, [Arg(D, kind="distinct")], {"k": 2}, draw=topk_args()),
    Case("topk_smallest_dim0", _topk, [Arg(D, kind="distinct")],
         {"k": 2, "dim": 0, "largest": False}),
    Case("topk_all", lambda lib, x: x.topk(5), [Arg(D, kind="distinct")]),
    Case("topk_zero", _topk, [Arg(D, kind="distinct")], {"k": 0, "dim": 1}),
    Case("topk_one_smallest", _topk, [Arg(D, kind="distinct")],
         {"k": 1, "dim": -2, "largest": False}),
    Case("topk_unsorted_then_sorted",
         lambda lib, x: lib.topk(x, 3, sorted=False).values.sort().values,
         [Arg(D, kind="distinct")]),
    Case("topk_scalar", _topk, [Arg((), kind="distinct")], {"k": 1}),
]
