"""Cases for shendu/ops/shape.py."""

import math

from hypothesis import strategies as st

from tests.opcases import Arg, Case
from tests.strategies import dim_of, shapes

B = (2, 3, 4)


def _pad(lib):
    """``shendu.pad`` is ``torch.nn.functional.pad``."""
    return lib.pad if lib.__name__ == "shendu" else lib.nn.functional.pad


def _arg(draw, shape, **kwargs) -> Arg:
    return Arg(tuple(shape), noncontig=draw(st.booleans()), **kwargs)


def _signed(draw, dim: int, ndim: int) -> int:
    """``dim`` or its negative form, by chance."""
    return dim - ndim if draw(st.booleans()) else dim


# ---------------------------------------------------------------------------- strategies
@st.composite
def reshaped(draw):
    """An input and a new shape with the same number of elements: the sizes reordered, 1s
    inserted, and maybe one size given as -1."""
    shape = draw(shapes())
    sizes = list(draw(st.permutations(shape)))
    for _ in range(draw(st.integers(0, 2))):
        sizes.insert(draw(st.integers(0, len(sizes))), 1)
    if sizes and draw(st.booleans()):
        i = draw(st.integers(0, len(sizes) - 1))
        if math.prod(sizes[:i] + sizes[i + 1:]):  # -1 is ambiguous next to a size 0
            sizes[i] = -1
    return [_arg(draw, shape)], {"shape": tuple(sizes)}


@st.composite
def squeezed(draw):
    shape = draw(shapes(max_side=2))
    return [_arg(draw, shape)], {"dim": draw(dim_of(len(shape)))}


@st.composite
def unsqueezed(draw):
    shape = draw(shapes(max_dims=3))
    return [_arg(draw, shape)], {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


@st.composite
def flattened(draw):
    shape = draw(shapes(min_dims=1))
    ndim = len(shape)
    start = draw(st.integers(0, ndim - 1))
    end = draw(st.integers(start, ndim - 1))
    return [_arg(draw, shape)], {"start_dim": _signed(draw, start, ndim),
                                 "end_dim": _signed(draw, end, ndim)}


@st.composite
def permuted(draw):
    shape = draw(shapes())
    dims = draw(st.permutations(range(len(shape))))
    return [_arg(draw, shape)], {"dims": tuple(_signed(draw, d, len(shape)) for d in dims)}


@st.composite
def transposed(draw):
    shape = draw(shapes(min_dims=1))
    n = len(shape)
    return [_arg(draw, shape)], {"dim0": draw(st.integers(-n, n - 1)),
                                 "dim1": draw(st.integers(-n, n - 1))}


@st.composite
def expanded(draw):
    """An input with some size-1 dims and sizes to expand it to: size-1 dims grow (to 0..3),
    others keep their size or say -1, and up to 2 new leading dims come first."""
    shape = draw(shapes(max_dims=3, max_side=3))
    sizes = [draw(st.integers(0, 3)) for _ in range(draw(st.integers(0, 2)))]
    for n in shape:
        grow = n == 1 and draw(st.booleans())
        sizes.append(draw(st.integers(0, 3)) if grow else draw(st.sampled_from([n, -1])))
    return [_arg(draw, shape)], {"sizes": tuple(sizes)}


@st.composite
def repeated(draw):
    shape = draw(shapes(max_dims=3, max_side=3))
    repeats = [draw(st.integers(0, 2)) for _ in range(len(shape) + draw(st.integers(0, 1)))]
    return [_arg(draw, shape)], {"repeats": tuple(repeats)}


@st.composite
def flipped(draw):
    shape = draw(shapes(min_dims=1))
    n = len(shape)
    dims = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    return [_arg(draw, shape)], {"dims": tuple(_signed(draw, d, n) for d in dims)}


@st.composite
def rolled(draw):
    shape = draw(shapes(min_dims=1))
    n = len(shape)
    if draw(st.booleans()):
        return [_arg(draw, shape)], {"shifts": draw(st.integers(-5, 5)), "dims": None}
    dims = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n))
    shifts = [draw(st.integers(-5, 5)) for _ in dims]
    return [_arg(draw, shape)], {"shifts": tuple(shifts), "dims": tuple(dims)}


@st.composite
def concatenated(draw):
    """1 to 3 inputs whose shapes differ only in dim ``dim`` (where sizes may be 0)."""
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    d = draw(st.integers(0, len(shape) - 1))
    args = []
    for _ in range(draw(st.integers(1, 3))):
        shape[d] = draw(st.integers(0, 3))
        args.append(_arg(draw, shape))
    return args, {"dim": _signed(draw, d, len(shape))}


@st.composite
def stacked(draw):
    shape = draw(shapes(max_dims=3, max_side=3))
    n = len(shape)
    args = [_arg(draw, shape) for _ in range(draw(st.integers(1, 3)))]
    return args, {"dim": draw(st.integers(-n - 1, n))}


@st.composite
def split_args(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    d = draw(st.integers(0, len(shape) - 1))
    n = shape[d]
    if draw(st.booleans()):
        size = draw(st.integers(1, 4) if n else st.integers(0, 4))
    else:
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        size = [b - a for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    return [_arg(draw, shape)], {"size": size, "dim": _signed(draw, d, len(shape))}


@st.composite
def chunked(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    return [_arg(draw, shape)], {"chunks": draw(st.integers(1, 5)),
                                 "dim": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def constant_padded(draw):
    """An input and (before, after) widths for some of its last dims; negative widths crop,
    never below size 0."""
    shape = draw(shapes(min_dims=1, max_dims=3))
    widths = []
    for n in reversed(shape[len(shape) - draw(st.integers(1, len(shape))):]):
        before = draw(st.integers(-n, 2))
        widths += [before, draw(st.integers(max(-(n + before), -n), 2))]
    return [_arg(draw, shape)], {"pad": tuple(widths), "mode": "constant",
                                 "value": draw(st.floats(-2, 2))}


@st.composite
def index_padded(draw):
    """An input and widths for reflect, replicate or circular padding of its last 1 or 2 dims,
    within PyTorch's limits (negative widths crop)."""
    mode = draw(st.sampled_from(["reflect", "replicate", "circular"]))
    npairs = draw(st.integers(1, 2))
    batch = draw(st.lists(st.integers(0, 2), min_size=1, max_size=2))
    padded = draw(st.lists(st.integers(1, 4), min_size=npairs, max_size=npairs))
    widths = []
    for n in reversed(padded):
        if mode == "reflect":
            before = draw(st.integers(-(n - 1), n - 1))
            after = draw(st.integers(max(-(n + before - 1), -(n - 1)), n - 1))
        elif mode == "replicate":
            before = draw(st.integers(-(n - 1), 3))
            after = draw(st.integers(-(n + before - 1), 3))
        else:
            before = draw(st.integers(-(n - 1), n))
            after = draw(st.integers(-(n - max(-before, 0) - 1), n))
        widths += [before, after]
    return [_arg(draw, batch + padded)], {"pad": tuple(widths), "mode": mode, "value": None}


# ---------------------------------------------------------------------------- cases
def _reshape(lib, x, shape):
    return x.reshape(shape)


def _pad_call(lib, x, pad, mode="constant", value=None):
    return _pad(lib)(x, pad, mode=mode, value=value)


CASES = [
    # reshape and its relatives (all one Reshape op)
    Case("reshape", _reshape, [Arg(B)], {"shape": (4, -1)}, draw=reshaped()),
    Case("reshape_varargs", lambda lib, x: x.reshape(3, 2, 4), [Arg(B, noncontig=True)]),
    Case("reshape_function", lambda lib, x: lib.reshape(x, (-1,)), [Arg(B)]),
    Case("reshape_size0", lambda lib, x: x.reshape(3, 0, 5), [Arg((5, 0, 3))]),
    Case("reshape_scalar", lambda lib, x: x.reshape(1, 1), [Arg(())]),
    Case("view", lambda lib, x: x.view(4, 6), [Arg(B)]),
    Case("view_as", lambda lib, x, y: x.view_as(y) * y, [Arg(B), Arg((6, 4))]),
    Case("flatten", lambda lib, x, start_dim=1, end_dim=-1: x.flatten(start_dim, end_dim),
         [Arg((2, 3, 4, 2))], draw=flattened()),
    Case("flatten_negdims", lambda lib, x: lib.flatten(x, -3, -2), [Arg((2, 3, 4, 2))]),
    Case("flatten_scalar", lambda lib, x: x.flatten(), [Arg(())]),
    Case("unflatten", lambda lib, x: x.unflatten(-1, (2, -1)), [Arg(B)]),
    Case("unflatten_function", lambda lib, x: lib.unflatten(x, 0, (1, 2, 1)), [Arg(B)]),
    Case("squeeze", lambda lib, x, dim=None: x.squeeze() if dim is None else x.squeeze(dim),
         [Arg((1, 3, 1, 2))], draw=squeezed()),
    Case("squeeze_negdim", lambda lib, x: x.squeeze(-2), [Arg((1, 3, 1, 2))]),
    Case("squeeze_tuple", lambda lib, x: lib.squeeze(x, (0, 1, 2)), [Arg((1, 3, 1, 2))]),
    Case("squeeze_not_one", lambda lib, x: x.squeeze(1), [Arg((1, 3, 1, 2), noncontig=True)]),
    Case("squeeze_size0", lambda lib, x: x.squeeze(), [Arg((1, 0, 1))]),
    Case("unsqueeze", lambda lib, x, dim: x.unsqueeze(dim), [Arg(B)], {"dim": 1},
         draw=unsqueezed()),
    Case("unsqueeze_last", lambda lib, x: lib.unsqueeze(x, -1), [Arg(B, noncontig=True)]),
    Case("unsqueeze_end", lambda lib, x: x.unsqueeze(3), [Arg(B)]),
    Case("unsqueeze_scalar", lambda lib, x: x.unsqueeze(0), [Arg(())]),
    # permutations
    Case("permute", lambda lib, x, dims: x.permute(*dims), [Arg(B)], {"dims": (2, 0, 1)},
         draw=permuted()),
    Case("permute_function_neg", lambda lib, x: lib.permute(x, (-1, 0, -2)),
         [Arg(B, noncontig=True)]),
    Case("permute_scalar", lambda lib, x: x.permute(()), [Arg(())]),
    Case("transpose", lambda lib, x, dim0, dim1: x.transpose(dim0, dim1), [Arg(B)],
         {"dim0": 0, "dim1": -1}, draw=transposed()),
    Case("transpose_size0", lambda lib, x: lib.transpose(x, 0, 1), [Arg((0, 3))]),
    Case("swapaxes", lambda lib, x: lib.swapaxes(x, 1, 2), [Arg(B)]),
    Case("t_matrix", lambda lib, x: x.t(), [Arg((3, 4), noncontig=True)]),
    Case("t_vector", lambda lib, x: lib.t(x), [Arg((4,))]),
    Case("T", lambda lib, x: x.T, [Arg((3, 4))]),
    Case("mT", lambda lib, x: x.mT, [Arg(B)]),
    # expand, repeat, tile
    Case("expand", lambda lib, x, sizes: x.expand(*sizes), [Arg((3, 1))], {"sizes": (2, 3, 4)},
         draw=expanded()),
    Case("expand_keep", lambda lib, x: x.expand(-1, 5), [Arg((3, 1), noncontig=True)]),
    Case("expand_tuple", lambda lib, x: x.expand((2, 1, 3, 2)), [Arg((1, 3, 1))]),
    Case("expand_to_0", lambda lib, x: x.expand(3, 0), [Arg((3, 1))]),
    Case("expand_as", lambda lib, x, y: x.expand_as(y) * y, [Arg((3, 1)), Arg(B)]),
    Case("repeat", lambda lib, x, repeats: x.repeat(*repeats), [Arg((3, 2))],
         {"repeats": (2, 1, 3)}, draw=repeated()),
    Case("repeat_same_ndim", lambda lib, x: x.repeat(2, 2), [Arg((3, 2), noncontig=True)]),
    Case("repeat_zero", lambda lib, x: x.repeat(0, 2), [Arg((3, 2))]),
    Case("tile", lambda lib, x: lib.tile(x, (2,)), [Arg((3, 2))]),
    Case("tile_more", lambda lib, x: x.tile(2, 1, 2), [Arg((3, 2))]),
    # flip, roll
    Case("flip", lambda lib, x, dims: lib.flip(x, dims), [Arg(B)], {"dims": (0, 2)},
         draw=flipped()),
    Case("flip_method_neg", lambda lib, x: x.flip(-1), [Arg(B, noncontig=True)]),
    Case("flip_size0", lambda lib, x: x.flip(0), [Arg((0, 2))]),
    Case("roll", lambda lib, x, shifts, dims: x.roll(shifts, dims), [Arg(B)],
         {"shifts": (1, -2), "dims": (0, 2)}, draw=rolled()),
    Case("roll_flat", lambda lib, x: x.roll(5), [Arg(B)]),
    Case("roll_function", lambda lib, x: lib.roll(x, -1, -2), [Arg(B, noncontig=True)]),
    # cat, stack
    Case("cat", lambda lib, *xs, dim: lib.cat(xs, dim=dim), [Arg(B), Arg((2, 3, 2))],
         {"dim": -1}, draw=concatenated()),
    Case("cat_three_with_empty", lambda lib, x, y, z: lib.cat([x, y, z]),
         [Arg((2, 3)), Arg((0, 3)), Arg((1, 3), noncontig=True)]),
    Case("cat_no_grad_input", lambda lib, x, y: lib.cat((x, y), 1),
         [Arg((2, 3)), Arg((2, 2), grad=False)]),
    Case("stack", lambda lib, *xs, dim: lib.stack(xs, dim=dim), [Arg(B), Arg(B)], {"dim": -1},
         draw=stacked()),
    Case("stack_middle", lambda lib, x, y, z: lib.stack([x, y, z], 1),
         [Arg((3, 2)), Arg((3, 2), noncontig=True), Arg((3, 2))]),
    Case("stack_scalars", lambda lib, x, y: lib.stack([x, y]), [Arg(()), Arg(())]),
    # split, chunk (pieces of getitem)
    Case("split", lambda lib, x, size, dim: x.split(size, dim), [Arg((2, 5))],
         {"size": 2, "dim": -1}, draw=split_args()),
    Case("split_sections", lambda lib, x: lib.split(x, [1, 0, 4], dim=1), [Arg((2, 5))]),
    Case("split_size0", lambda lib, x: x.split(2), [Arg((0, 3))]),
    Case("chunk", lambda lib, x, chunks, dim: x.chunk(chunks, dim), [Arg((2, 6))],
         {"chunks": 4, "dim": 1}, draw=chunked()),
    Case("chunk_uneven", lambda lib, x: lib.chunk(x, 3, dim=-1), [Arg((2, 7), noncontig=True)]),
    Case("chunk_size0", lambda lib, x: x.chunk(3), [Arg((0, 3))]),
    # pad
    Case("pad_constant", _pad_call, [Arg((2, 3, 4))], {"pad": (1, 2)}, draw=constant_padded()),
    Case("pad_constant_value", _pad_call, [Arg((2, 3, 4), noncontig=True)],
         {"pad": (1, 1, 2, 0), "value": 3.5}),
    Case("pad_constant_crop", _pad_call, [Arg((2, 3, 4))], {"pad": (-1, 2, 0, -2)}),
    Case("pad_constant_first_dim", _pad_call, [Arg((2, 3))], {"pad": (0, 0, 1, 1)}),
    Case("pad_constant_to_empty", _pad_call, [Arg((2, 4))], {"pad": (-2, -2)}),
    Case("pad_constant_1d", _pad_call, [Arg((4,))], {"pad": (2, 1), "value": -1.0}),
    Case("pad_reflect", _pad_call, [Arg((2, 3, 5))], {"pad": (2, 4), "mode": "reflect"},
         draw=index_padded()),
    Case("pad_reflect_2d", _pad_call, [Arg((2, 3, 4, 5), noncontig=True)],
         {"pad": (2, 1, 3, 0), "mode": "reflect"}),
    Case("pad_reflect_crop", _pad_call, [Arg((3, 6))], {"pad": (-1, 2), "mode": "reflect"}),
    Case("pad_replicate", _pad_call, [Arg((2, 3, 4))], {"pad": (3, 1), "mode": "replicate"}),
    Case("pad_replicate_2d_crop", _pad_call, [Arg((1, 2, 3, 4))],
         {"pad": (-1, 2, 2, -1), "mode": "replicate"}),
    Case("pad_replicate_3d", _pad_call, [Arg((2, 2, 3, 2))],
         {"pad": (1, 0, 1, 2, 2, 1), "mode": "replicate"}),
    Case("pad_circular", _pad_call, [Arg((2, 3, 4))], {"pad": (4, 2), "mode": "circular"}),
    Case("pad_circular_2d", _pad_call, [Arg((1, 2, 3, 4), noncontig=True)],
         {"pad": (1, 3, 2, 1), "mode": "circular"}),
    Case("pad_circular_crop", _pad_call, [Arg((2, 6))], {"pad": (-1, 2), "mode": "circular"}),
]
