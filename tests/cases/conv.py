"""Cases for shendu/ops/conv.py: conv1d/2d/3d and conv_transpose1d/2d/3d.

The fixed cases walk the grid of the spec (1/2/3-D, channels 1 to 5, non-square kernels 1 to
5, stride 1 to 3, padding 0 to 2, 'same' and 'valid', dilation 1 and 2, groups 1, 2 and
depthwise, odd and even sizes, batch 1 and 3, unbatched and empty inputs), each small enough
for gradcheck (whose cost grows with the number of input times output elements). Between them
they take both input-gradient paths (full correlation and col2im); tests/test_nn_conv.py also
forces each path on every case. The drawn cases cover the same ranges at random.
"""

import warnings

from hypothesis import strategies as st

from shendu.ops.conv import same_padding
from tests.opcases import Arg, Case

# gradcheck budget: at most this many input (and output) elements in a drawn case
_BUDGET = 100


def _conv(lib, x, w, b=None, nd=2, **kwargs):
    with warnings.catch_warnings():
        # torch says that padding='same' with an even kernel copies its input
        warnings.filterwarnings("ignore", message="Using padding='same'")
        return getattr(lib.nn.functional, f"conv{nd}d")(x, w, b, **kwargs)


def _conv_transpose(lib, x, w, b=None, nd=2, **kwargs):
    return getattr(lib.nn.functional, f"conv_transpose{nd}d")(x, w, b, **kwargs)


# ---------------------------------------------------------------------------- strategies
def _channels(draw):
    """(groups, in_channels per group, out_channels per group): groups 1 or 2, or depthwise
    (groups = in_channels, one input channel per group); 1 to 5 channels in all."""
    kind = draw(st.sampled_from(["1", "2", "depthwise"]))
    if kind == "depthwise":
        groups = draw(st.integers(1, 4))
        return groups, 1, draw(st.integers(1, 2))
    groups = int(kind)
    top = 5 // groups
    return groups, draw(st.integers(1, top)), draw(st.integers(1, top))


def _shrink(n: int, channels: int, size: tuple) -> int:
    """The batch size, reduced to 1 when the input would be over the gradcheck budget."""
    count = channels
    for s in size:
        count *= s
    return n if n * count <= _BUDGET else 1


@st.composite
def conv_args(draw):
    """Any rank, channels and groups, kernel, stride, dilation and padding (ints, per-dim
    tuples, 'same' when the stride is 1, 'valid'), with an input just large enough (up to a
    few positions more) for an output; with or without bias; maybe non-contiguous."""
    nd = draw(st.integers(1, 3))
    groups, cin, cout = _channels(draw)
    top_k = {1: 5, 2: 4, 3: 2}[nd]
    kernel = tuple(draw(st.integers(1, top_k)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    options = [st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * nd), st.just("valid")]
    if stride == (1,) * nd:
        options.append(st.just("same"))
    padding = draw(st.one_of(options))
    if padding == "same":
        pairs = same_padding(kernel, dilation)
    elif padding == "valid":
        pairs = ((0, 0),) * nd
    else:
        widths = (padding,) * nd if isinstance(padding, int) else padding
        pairs = tuple((p, p) for p in widths)
    extra = {1: 4, 2: 2, 3: 1}[nd]
    size = tuple(max(1, d * (k - 1) + 1 - before - after) + draw(st.integers(0, extra))
                 for k, d, (before, after) in zip(kernel, dilation, pairs))
    n = _shrink(draw(st.sampled_from([1, 3])), groups * cin, size)
    x_shape = (n, groups * cin, *size)
    if draw(st.booleans()) and n == 1:
        x_shape = x_shape[1:]  # unbatched
    args = [Arg(x_shape, noncontig=draw(st.booleans())),
            Arg((groups * cout, cin, *kernel), noncontig=draw(st.booleans()))]
    if draw(st.booleans()):
        args.append(Arg((groups * cout,)))
    kwargs = {"nd": nd, "stride": stride, "padding": padding, "dilation": dilation,
              "groups": groups}
    return args, kwargs


@st.composite
def conv_transpose_args(draw):
    """Transposed convolutions: any rank, groups, kernel, stride, dilation, a padding that
    leaves an output, and an output_padding smaller than the stride or the dilation."""
    nd = draw(st.integers(1, 3))
    groups, cin, cout = _channels(draw)
    top_k = {1: 5, 2: 3, 3: 2}[nd]
    kernel = tuple(draw(st.integers(1, top_k)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    size = tuple(draw(st.integers(1, {1: 4, 2: 3, 3: 2}[nd])) for _ in range(nd))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    # the output (n - 1) s - 2 p + d (k - 1) + output_padding + 1 must stay >= 1
    padding = tuple(draw(st.integers(0, min(2, ((m - 1) * s + d * (k - 1) + op) // 2)))
                    for m, s, d, k, op in zip(size, stride, dilation, kernel, output_padding))
    n = _shrink(draw(st.sampled_from([1, 3])), groups * cin, size)
    args = [Arg((n, groups * cin, *size), noncontig=draw(st.booleans())),
            Arg((groups * cin, cout, *kernel), noncontig=draw(st.booleans()))]
    if draw(st.booleans()):
        args.append(Arg((groups * cout,)))
    kwargs = {"nd": nd, "stride": stride, "padding": padding, "dilation": dilation,
              "groups": groups, "output_padding": output_padding}
    return args, kwargs


# ---------------------------------------------------------------------------- cases
def _case(name, x, w, b=None, draw=None, fn=_conv, noncontig=False, **kwargs):
    args = [Arg(x, noncontig=noncontig), Arg(w)] + ([Arg(b)] if b is not None else [])
    return Case(name, fn, args, kwargs, draw=draw)


def _transposed(name, x, w, b=None, draw=None, **kwargs):
    return _case(name, x, w, b, draw, _conv_transpose, **kwargs)


CASES = [
    # 1-D
    _case("conv1d", (3, 2, 7), (4, 2, 3), (4,), nd=1, draw=conv_args()),
    _case("conv1d_stride2_pad1_dil2", (1, 3, 8), (2, 3, 2), (2,), nd=1, stride=2, padding=1,
          dilation=2),
    _case("conv1d_same_even_kernel", (3, 2, 6), (3, 2, 4), nd=1, padding="same"),
    _case("conv1d_depthwise_k5", (1, 4, 9), (4, 1, 5), (4,), nd=1, groups=4, padding=2),
    _case("conv1d_unbatched", (2, 7), (3, 2, 3), (3,), nd=1, stride=3),
    # 2-D
    _case("conv2d", (1, 2, 5, 6), (3, 2, 3, 2), (3,)),
    _case("conv2d_batch3_stride2", (3, 1, 5, 4), (2, 1, 2, 3), (2,), stride=2),
    _case("conv2d_stride3_pad2", (1, 3, 4, 5), (2, 3, 3, 3), (2,), stride=3, padding=2),
    _case("conv2d_stride_tuple", (1, 2, 6, 5), (2, 2, 3, 2), (2,), stride=(1, 2),
          padding=(2, 0)),
    _case("conv2d_dilation2", (1, 2, 6, 5), (2, 2, 2, 3), (2,), dilation=2, padding=(1, 0)),
    _case("conv2d_same_odd", (1, 2, 5, 5), (2, 2, 3, 3), (2,), padding="same"),
    _case("conv2d_same_even_dilated", (1, 1, 6, 5), (2, 1, 4, 2), (2,), padding="same",
          dilation=(1, 2)),
    _case("conv2d_valid_no_bias_5ch", (1, 5, 3, 4), (1, 5, 2, 2), padding="valid"),
    _case("conv2d_kernel_1x5", (1, 2, 3, 6), (3, 2, 1, 5), (3,)),
    _case("conv2d_kernel_5x1_pad", (1, 1, 5, 3), (2, 1, 5, 1), (2,), padding=(2, 1)),
    _case("conv2d_groups2", (3, 4, 3, 3), (4, 2, 2, 2), (4,), groups=2),
    _case("conv2d_depthwise_multiplier", (1, 3, 4, 4), (6, 1, 3, 3), (6,), groups=3,
          padding=1),
    _case("conv2d_few_outputs_full_path", (1, 4, 4, 3), (1, 4, 3, 2), (1,), padding=1),
    _case("conv2d_unbatched", (2, 4, 4), (3, 2, 3, 3), (3,), padding=1),
    _case("conv2d_noncontig", (1, 2, 4, 5), (2, 2, 2, 2), (2,), noncontig=True, stride=2),
    _case("conv2d_empty_batch", (0, 2, 4, 4), (3, 2, 3, 3), (3,)),
    _case("conv2d_kernel_equals_input", (3, 2, 3, 3), (2, 2, 3, 3), (2,)),
    # 3-D
    _case("conv3d", (1, 2, 3, 4, 3), (2, 2, 2, 3, 2), (2,), nd=3),
    _case("conv3d_stride2_pad1_groups2", (1, 2, 3, 3, 4), (2, 1, 2, 2, 2), (2,), nd=3,
          stride=2, padding=1, groups=2),
    _case("conv3d_same_dilated", (1, 1, 4, 4, 3), (1, 1, 3, 2, 2), nd=3, padding="same",
          dilation=(1, 2, 1)),
    _case("conv3d_batch3", (3, 1, 2, 3, 3), (2, 1, 1, 2, 2), (2,), nd=3, stride=(1, 2, 1)),
    # transposed
    _transposed("conv_transpose2d", (2, 3, 3, 3), (3, 2, 3, 3), (2,), stride=2,
                draw=conv_transpose_args()),
    _transposed("conv_transpose2d_output_padding", (1, 2, 3, 4), (2, 2, 2, 3), (2,),
                stride=(2, 3), padding=1, output_padding=(1, 2)),
    _transposed("conv_transpose2d_groups_dilation", (1, 4, 3, 3), (4, 1, 2, 2), (2,),
                groups=2, dilation=2, output_padding=1),
    _transposed("conv_transpose2d_unbatched_no_bias", (2, 3, 3), (2, 3, 2, 2), stride=1,
                padding=1),
    _transposed("conv_transpose1d", (2, 3, 4), (3, 2, 3), (2,), nd=1, stride=3, padding=1),
    _transposed("conv_transpose3d", (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), (2,), nd=3, stride=2),
]
