"""Cases for shendu/ops/pool.py: max, average, adaptive pooling, local response norm and
interpolation.

Max pooling draws distinct values (``kind="distinct"``): at a tie the max is not
differentiable and central differences straddle the switch. Ties, NaN and -inf are compared
with PyTorch only, in tests/test_nn_pooling.py, with the full grid of pooling arguments.
"""

from hypothesis import strategies as st

from tests.opcases import Arg, Case


# ---------------------------------------------------------------------------- case functions
def _max_pool(lib, x, d=2, **kwargs):
    return getattr(lib.nn.functional, f"max_pool{d}d")(x, **kwargs)


def _avg_pool(lib, x, d=2, **kwargs):
    return getattr(lib.nn.functional, f"avg_pool{d}d")(x, **kwargs)


def _adaptive_avg(lib, x, d=2, output_size=1):
    return getattr(lib.nn.functional, f"adaptive_avg_pool{d}d")(x, output_size)


def _adaptive_max(lib, x, d=2, output_size=1, return_indices=False):
    return getattr(lib.nn.functional, f"adaptive_max_pool{d}d")(x, output_size, return_indices)


def _lrn(lib, x, **kwargs):
    return lib.nn.functional.local_response_norm(x, **kwargs)


def _interpolate(lib, x, **kwargs):
    return lib.nn.functional.interpolate(x, **kwargs)


# ---------------------------------------------------------------------------- strategies
def _input_shape(draw, d: int, spatial: tuple) -> tuple:
    """(N, C, *spatial) or unbatched (C, *spatial), small enough for gradcheck."""
    channels = (draw(st.integers(1, 2)),)
    batch = (draw(st.integers(1, 2)),) if draw(st.booleans()) else ()
    return batch + channels + spatial


@st.composite
def pool_args(draw, average: bool = False):
    """Any valid pooling geometry: 1 to 3 spatial dims, kernel 1-3, stride 1-3 or the default,
    padding up to kernel // 2, dilation 1-2 (max), ceil mode; sizes from the smallest the
    window fits in (a dilated one without the padding) to a few more."""
    d = draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d)) if draw(st.booleans()) else None
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (1,) * d if average else tuple(draw(st.integers(1, 2)) for _ in range(d))
    extra = 3 if d == 3 else 4
    # a dilated window may otherwise fall wholly in the padding (an output of -inf)
    spatial = tuple(max(1, dl * (k - 1) + 1 - (2 * p if dl == 1 else 0))
                    + draw(st.integers(0, extra)) for k, p, dl in zip(kernel, padding, dilation))
    kwargs = {"d": d, "kernel_size": kernel, "stride": stride, "padding": padding,
              "ceil_mode": draw(st.booleans())}
    if average:
        kwargs["count_include_pad"] = draw(st.booleans())
        if d > 1 and draw(st.integers(0, 3)) == 0:
            kwargs["divisor_override"] = draw(st.integers(1, 5))
    else:
        kwargs["dilation"] = dilation
        kwargs["return_indices"] = draw(st.booleans())
    kind = "float" if average else "distinct"
    shape = _input_shape(draw, d, spatial)
    return [Arg(shape, kind=kind, noncontig=draw(st.booleans()))], kwargs


@st.composite
def adaptive_args(draw, maximum: bool = False):
    """Input sizes 1-6 (3-D: 1-4), output sizes 1-4 or None (keep), divisible or not."""
    d = draw(st.integers(1, 3))
    top = 4 if d == 3 else 6
    spatial = tuple(draw(st.integers(1, top)) for _ in range(d))
    out = tuple(None if d > 1 and draw(st.integers(0, 4)) == 0 else draw(st.integers(1, 4))
                for _ in range(d))
    kwargs = {"d": d, "output_size": out}
    if maximum:
        kwargs["return_indices"] = draw(st.booleans())
    shape = _input_shape(draw, d, spatial)
    kind = "distinct" if maximum else "float"
    return [Arg(shape, kind=kind, noncontig=draw(st.booleans()))], kwargs


@st.composite
def lrn_args(draw):
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 3))))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 6))) + spatial
    kwargs = {"size": draw(st.integers(1, 6)), "alpha": draw(st.sampled_from([1e-4, 0.5, 2.0])),
              "beta": draw(st.sampled_from([0.75, 0.5, 1.5])),
              "k": draw(st.sampled_from([1.0, 2.0, 0.5]))}
    return [Arg(shape, noncontig=draw(st.booleans()))], kwargs


_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}


@st.composite
def interpolate_args(draw):
    """Every mode, by size or by scale factor (up and down, integer or not), align_corners
    both ways for the linear modes."""
    d = draw(st.integers(1, 3))
    top = 3 if d == 3 else 5
    spatial = tuple(draw(st.integers(1, top)) for _ in range(d))
    mode = draw(st.sampled_from(["nearest", "nearest-exact", "area", _LINEAR[d]]))
    # every keyword is set (the drawn ones replace the case's own)
    kwargs = {"mode": mode, "size": None, "scale_factor": None, "recompute_scale_factor": None,
              "align_corners": draw(st.booleans()) if mode == _LINEAR[d] else None}
    if draw(st.booleans()):
        kwargs["size"] = tuple(draw(st.integers(1, 7)) for _ in range(d))
    else:
        factors = st.sampled_from([0.5, 0.75, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0])
        scale = tuple(draw(factors.filter(lambda f, n=n: int(n * f) >= 1)) for n in spatial)
        kwargs["scale_factor"] = scale
        kwargs["recompute_scale_factor"] = draw(st.sampled_from([None, True]))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) + spatial
    return [Arg(shape, noncontig=draw(st.booleans()))], kwargs


# ---------------------------------------------------------------------------- cases
D = "distinct"

CASES = [
    # max pooling: the 2x2 block path, then overlapping / padded / dilated windows
    Case("max_pool2d", _max_pool, [Arg((2, 3, 6, 8), kind=D)], {"kernel_size": 2},
         draw=pool_args()),
    Case("max_pool2d_odd_floor", _max_pool, [Arg((2, 2, 7, 5), kind=D)], {"kernel_size": 2}),
    Case("max_pool2d_ceil_odd", _max_pool, [Arg((2, 2, 7, 5), kind=D)],
         {"kernel_size": 2, "ceil_mode": True}),
    Case("max_pool2d_3_2_1", _max_pool, [Arg((2, 2, 7, 6), kind=D)],
         {"kernel_size": 3, "stride": 2, "padding": 1}),
    Case("max_pool2d_dilated_ceil", _max_pool, [Arg((1, 2, 9, 8), kind=D)],
         {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 0), "dilation": (2, 1),
          "ceil_mode": True}),
    Case("max_pool2d_indices", _max_pool, [Arg((2, 2, 5, 6), kind=D)],
         {"kernel_size": 3, "stride": 1, "padding": 1, "return_indices": True}),
    Case("max_pool2d_block_indices", _max_pool, [Arg((3, 2, 4, 6), kind=D)],
         {"kernel_size": 2, "return_indices": True}),
    Case("max_pool2d_unbatched", _max_pool, [Arg((3, 5, 5), kind=D)],
         {"kernel_size": 2, "stride": 1}),
    Case("max_pool2d_noncontig", _max_pool, [Arg((2, 2, 6, 6), kind=D, noncontig=True)],
         {"kernel_size": 3, "stride": 2}),
    Case("max_pool1d", _max_pool, [Arg((2, 3, 9), kind=D)],
         {"d": 1, "kernel_size": 3, "stride": 2, "padding": 1, "return_indices": True}),
    Case("max_pool1d_unbatched_dilated", _max_pool, [Arg((2, 10), kind=D)],
         {"d": 1, "kernel_size": 2, "dilation": 3, "ceil_mode": True}),
    Case("max_pool3d", _max_pool, [Arg((2, 2, 4, 5, 4), kind=D)],
         {"d": 3, "kernel_size": 2, "stride": (1, 2, 2), "padding": (1, 0, 1),
          "return_indices": True}),
    Case("max_pool3d_blocks", _max_pool, [Arg((1, 2, 4, 4, 6), kind=D)],
         {"d": 3, "kernel_size": 2}),
    # average pooling
    Case("avg_pool2d", _avg_pool, [Arg((2, 3, 6, 8))], {"kernel_size": 2},
         draw=pool_args(average=True)),
    Case("avg_pool2d_odd_floor", _avg_pool, [Arg((2, 2, 7, 5))], {"kernel_size": 2}),
    Case("avg_pool2d_3_2_1", _avg_pool, [Arg((2, 2, 7, 6))],
         {"kernel_size": 3, "stride": 2, "padding": 1}),
    Case("avg_pool2d_exclude_pad_ceil", _avg_pool, [Arg((2, 2, 7, 6))],
         {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
          "count_include_pad": False}),
    Case("avg_pool2d_include_pad_ceil", _avg_pool, [Arg((1, 2, 6, 7))],
         {"kernel_size": (2, 3), "stride": (3, 2), "padding": (1, 1), "ceil_mode": True}),
    Case("avg_pool2d_divisor_override", _avg_pool, [Arg((2, 2, 5, 5))],
         {"kernel_size": 3, "stride": 2, "padding": 1, "divisor_override": 4}),
    Case("avg_pool2d_unbatched_noncontig", _avg_pool, [Arg((3, 6, 6), noncontig=True)],
         {"kernel_size": 3, "stride": 1}),
    Case("avg_pool1d", _avg_pool, [Arg((2, 3, 9))],
         {"d": 1, "kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    Case("avg_pool1d_unbatched_ceil", _avg_pool, [Arg((2, 10))],
         {"d": 1, "kernel_size": 4, "stride": 3, "ceil_mode": True}),
    Case("avg_pool3d", _avg_pool, [Arg((2, 2, 4, 5, 4))],
         {"d": 3, "kernel_size": (2, 3, 2), "stride": (1, 2, 2), "padding": (1, 1, 0),
          "ceil_mode": True, "count_include_pad": False}),
    Case("avg_pool3d_blocks", _avg_pool, [Arg((1, 2, 4, 4, 6))], {"d": 3, "kernel_size": 2}),
    # adaptive pooling: divisible and not
    Case("adaptive_avg_pool2d", _adaptive_avg, [Arg((2, 3, 7, 5))], {"output_size": (3, 2)},
         draw=adaptive_args()),
    Case("adaptive_avg_pool2d_global", _adaptive_avg, [Arg((2, 4, 5, 6))], {"output_size": 1}),
    Case("adaptive_avg_pool2d_divisible_none", _adaptive_avg, [Arg((2, 2, 8, 6))],
         {"output_size": (4, None)}),
    Case("adaptive_avg_pool2d_unbatched_up", _adaptive_avg, [Arg((2, 3, 4))],
         {"output_size": (5, 7)}),
    Case("adaptive_avg_pool1d", _adaptive_avg, [Arg((2, 3, 10))], {"d": 1, "output_size": 4}),
    Case("adaptive_avg_pool3d", _adaptive_avg, [Arg((1, 2, 5, 4, 6))],
         {"d": 3, "output_size": (2, 3, 4)}),
    Case("adaptive_max_pool2d", _adaptive_max, [Arg((2, 3, 7, 5), kind=D)],
         {"output_size": (3, 2), "return_indices": True}, draw=adaptive_args(maximum=True)),
    Case("adaptive_max_pool2d_global", _adaptive_max, [Arg((2, 3, 4, 5), kind=D)],
         {"output_size": 1}),
    Case("adaptive_max_pool2d_unbatched", _adaptive_max, [Arg((2, 6, 9), kind=D)],
         {"output_size": (4, None), "return_indices": True}),
    Case("adaptive_max_pool1d", _adaptive_max, [Arg((2, 3, 10), kind=D)],
         {"d": 1, "output_size": 4, "return_indices": True}),
    Case("adaptive_max_pool3d", _adaptive_max, [Arg((1, 2, 5, 4, 6), kind=D)],
         {"d": 3, "output_size": (2, 3, 4), "return_indices": True}),
    # local response normalization
    Case("lrn", _lrn, [Arg((2, 7, 3, 3))], {"size": 3, "alpha": 0.5},
         draw=lrn_args()),
    Case("lrn_alexnet", _lrn, [Arg((2, 8, 4, 4))],
         {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}),
    Case("lrn_3d_even_size", _lrn, [Arg((3, 5, 4))],
         {"size": 4, "alpha": 1.0, "beta": 1.5, "k": 0.5}),
    Case("lrn_5d", _lrn, [Arg((1, 4, 2, 3, 2))], {"size": 2, "alpha": 2.0}),
    # interpolation
    Case("interpolate_nearest_x2", _interpolate, [Arg((2, 3, 4, 5))], {"scale_factor": 2},
         draw=interpolate_args()),
    Case("interpolate_nearest_size", _interpolate, [Arg((2, 2, 5, 4))], {"size": (7, 3)}),
    Case("interpolate_nearest_scale_1_5", _interpolate, [Arg((1, 2, 5, 4))],
         {"scale_factor": (1.5, 0.75)}),
    Case("interpolate_nearest_1d", _interpolate, [Arg((2, 3, 5))], {"size": 8}),
    Case("interpolate_nearest_3d", _interpolate, [Arg((1, 2, 2, 3, 3))],
         {"scale_factor": 2}),
    Case("interpolate_nearest_exact", _interpolate, [Arg((2, 2, 5, 4))],
         {"size": (3, 7), "mode": "nearest-exact"}),
    Case("interpolate_bilinear_x2", _interpolate, [Arg((2, 3, 4, 5))],
         {"scale_factor": 2, "mode": "bilinear"}),
    Case("interpolate_bilinear_align_corners", _interpolate, [Arg((2, 3, 4, 5))],
         {"scale_factor": 2, "mode": "bilinear", "align_corners": True}),
    Case("interpolate_bilinear_size_down", _interpolate, [Arg((2, 2, 7, 6))],
         {"size": (3, 4), "mode": "bilinear"}),
    Case("interpolate_bilinear_size_align_corners", _interpolate, [Arg((2, 2, 4, 6))],
         {"size": (7, 3), "mode": "bilinear", "align_corners": True}),
    Case("interpolate_bilinear_scale_1_7", _interpolate, [Arg((1, 2, 5, 3))],
         {"scale_factor": (1.7, 2.5), "mode": "bilinear"}),
    Case("interpolate_bilinear_recompute", _interpolate, [Arg((1, 2, 5, 3))],
         {"scale_factor": 1.7, "mode": "bilinear", "recompute_scale_factor": True}),
    Case("interpolate_linear", _interpolate, [Arg((2, 3, 5))],
         {"size": 9, "mode": "linear", "align_corners": False}),
    Case("interpolate_trilinear", _interpolate, [Arg((1, 2, 2, 3, 3))],
         {"scale_factor": (2, 1.5, 0.7), "mode": "trilinear", "align_corners": True}),
    Case("interpolate_area", _interpolate, [Arg((2, 2, 7, 5))], {"size": (3, 2), "mode": "area"}),
]
