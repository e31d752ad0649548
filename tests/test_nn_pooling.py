"""Pooling, local response norm and interpolation: every functional form against live PyTorch
over a grid of arguments (outputs, indices, input gradients; float64 to 1e-10 and float32 to
1e-5, normwise), ties / NaN / -inf against PyTorch only, the layers (forward, repr like
PyTorch's, errors naming the layer's path) and the error messages of bad input.

The op-level gradient checks and declarative cases are in tests/cases/pool.py.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.nn import functional as F
from tests.opcases import assert_matches

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # the layer and error tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="live parity needs torch "
                                 "(pip install torch==2.13.0)")
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


# ---------------------------------------------------------------------------- helpers
def _run(lib, fn, x: np.ndarray, dtype, upstream_seed: int = 0, grad: bool = True) -> dict:
    """fn(lib, input) forward, then backward of sum(output * upstream): the outputs (and
    indices) and the input's gradient as NumPy arrays."""
    t = lib.tensor(x.astype(dtype) if x.dtype.kind == "f" else x)
    if grad:
        t.requires_grad_(True)
    with np.errstate(invalid="ignore"):  # -inf outputs give an inf - inf in the loss
        return _forward_backward(lib, fn, t, dtype, upstream_seed, grad)


def _forward_backward(lib, fn, t, dtype, upstream_seed: int, grad: bool) -> dict:
    result = fn(lib, t)
    outputs = list(result) if isinstance(result, tuple) else [result]
    arrays = {f"out{i}": o.detach().numpy().copy() for i, o in enumerate(outputs)}
    if grad:
        upstream = np.random.default_rng(upstream_seed).uniform(-1, 1, tuple(outputs[0].shape))
        (outputs[0] * lib.tensor(upstream.astype(dtype))).sum().backward()
        arrays["grad"] = t.grad.numpy().copy()
    return arrays


def _compare(name: str, fn, x: np.ndarray, dtype, grad: bool = True) -> None:
    ours, theirs = _run(shendu, fn, x, dtype, grad=grad), _run(torch, fn, x, dtype, grad=grad)
    assert sorted(ours) == sorted(theirs), f"{name}: different outputs"
    for key, expected in theirs.items():  # NaN and inf must be where PyTorch has them
        assert_matches(f"{name} {key}", ours[key], expected, dtype)


def _check_grid(combos, make_fn, make_input, dtype) -> int:
    """Compare every combination with PyTorch; where PyTorch rejects the arguments shendu must
    raise a ValueError. Returns how many combinations were compared; fails listing all the
    combinations that differ."""
    failures, compared = [], 0
    for combo in combos:
        fn, x = make_fn(*combo), make_input(*combo)
        try:
            _run(torch, fn, x, dtype)
        except RuntimeError:
            try:
                _run(shendu, fn, x, dtype)
            except ValueError:
                continue
            failures.append(f"{combo}: PyTorch raises, shendu does not")
            continue
        try:
            _compare(str(combo), fn, x, dtype)
            compared += 1
        except (AssertionError, ValueError) as err:
            failures.append(f"{combo}: {err}")
    assert not failures, f"{len(failures)} combinations differ:\n" + "\n".join(failures[:20])
    return compared


def _input(seed: int, shape: tuple) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------------------- pooling grid
GRID = list(itertools.product(
    (1, 2, 3),  # kernel
    (1, 2, 3),  # stride
    (0, 1),  # padding
    (False, True),  # ceil_mode
    (5, 6),  # spatial size (odd, even)
    (1, 3),  # batch
))


def _pool_input(d: int, kernel, stride, padding, ceil_mode, size, batch, *rest) -> np.ndarray:
    sizes = (size, size - 1, size + 1)[:d]  # a different size per dim: no axis mix-up goes unseen
    return _input(kernel * 100 + stride * 10 + size + batch, (batch, 2) + sizes)


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("d", [1, 2, 3])
def test_max_pool_grid_matches_torch(d, dtype):
    """Kernel 1-3, stride 1-3, padding 0-1, dilation 1-2, both ceil modes, odd and even sizes,
    batch 1 and 3: outputs, indices and input gradients."""
    combos = [c + (dl,) for c in GRID for dl in (1, 2)]

    def make_fn(kernel, stride, padding, ceil_mode, size, batch, dilation):
        return lambda lib, x: getattr(lib.nn.functional, f"max_pool{d}d")(
            x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)

    compared = _check_grid(combos, make_fn, lambda *c: _pool_input(d, *c), dtype)
    assert compared > 0.6 * len(combos)


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("d", [1, 2, 3])
def test_avg_pool_grid_matches_torch(d, dtype):
    """The same grid (no dilation), with count_include_pad both ways; divisor_override for 2-D
    and 3-D."""
    overrides = (None,) if d == 1 else (None, 3)
    combos = [c + (cip, div) for c in GRID for cip in (True, False) for div in overrides]

    def make_fn(kernel, stride, padding, ceil_mode, size, batch, cip, div):
        extra = () if d == 1 else (div,)
        return lambda lib, x: getattr(lib.nn.functional, f"avg_pool{d}d")(
            x, kernel, stride, padding, ceil_mode, cip, *extra)

    compared = _check_grid(combos, make_fn, lambda *c: _pool_input(d, *c), dtype)
    assert compared > 0.6 * len(combos)


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("d", [1, 2, 3])
def test_pooling_unbatched_matches_torch(d, dtype):
    x = _input(d, (3,) + (7, 6, 5)[:d])
    for name, kwargs in (("max_pool", {"kernel_size": 3, "stride": 2, "padding": 1}),
                         ("max_pool", {"kernel_size": 2, "return_indices": True}),
                         ("avg_pool", {"kernel_size": 2, "ceil_mode": True}),
                         ("adaptive_avg_pool", {"output_size": 4}),
                         ("adaptive_max_pool", {"output_size": 3, "return_indices": True})):
        def fn(lib, t, name=name, kwargs=kwargs):
            return getattr(lib.nn.functional, f"{name}{d}d")(t, **kwargs)

        _compare(f"{name}{d}d {kwargs}", fn, x, dtype)


# ---------------------------------------------------------------------------- ties, NaN, -inf
def _special(kind: str, seed: int, shape: tuple) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "all equal":
        return np.full(shape, 1.5)
    x = rng.integers(0, 3, shape).astype(np.float64)  # integer values: ties everywhere
    if kind == "nan":
        x[rng.random(shape) < 0.2] = np.nan
    elif kind == "-inf":
        x[rng.random(shape) < 0.6] = -np.inf
    return x


SPECIAL = ["ties", "all equal", "nan", "-inf"]


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("d", [1, 2, 3])
def test_max_pool_ties_nan_inf_match_torch(d, kind, dtype):
    """Tied maxima: the first in window order gets the index and the gradient (PyTorch's rule);
    a NaN is the max (the last NaN of the window); -inf values are never beaten by padding.
    Compared with PyTorch only: at a tie the max has no derivative to gradcheck."""
    combos = [(k, s, p, dl, ceil) for k, s, p, dl, ceil in
              itertools.product((1, 2, 3), (1, 2), (0, 1), (1, 2), (False, True))]

    def make_fn(kernel, stride, padding, dilation, ceil_mode):
        return lambda lib, x: getattr(lib.nn.functional, f"max_pool{d}d")(
            x, kernel, stride, padding, dilation, ceil_mode, return_indices=True)

    def make_input(kernel, stride, padding, dilation, ceil_mode):
        return _special(kind, kernel + 10 * stride, (2, 2) + (5, 6, 5)[:d])

    assert _check_grid(combos, make_fn, make_input, dtype) > 0


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("d", [1, 2, 3])
def test_adaptive_max_pool_ties_nan_inf_match_torch(d, kind, dtype):
    combos = [(n, o) for n in (4, 5, 7) for o in (1, 2, 3, 4)]

    def make_fn(n, o):
        return lambda lib, x: getattr(lib.nn.functional, f"adaptive_max_pool{d}d")(x, o, True)

    def make_input(n, o):
        return _special(kind, n * 10 + o, (2, 2) + (n, n + 1, n)[:d])

    assert _check_grid(combos, make_fn, make_input, dtype) == len(combos)


def test_max_pool_tie_goes_to_the_first_in_window_order():
    x = shendu.tensor([[[[2.0, 1.0, 2.0], [2.0, 0.0, 2.0]]]], requires_grad=True)
    y, indices = F.max_pool2d(x, (2, 3), stride=1, return_indices=True)
    y.sum().backward()
    assert indices.tolist() == [[[[0]]]]
    assert x.grad.tolist() == [[[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]]


def test_max_pool_integer_input():
    x = shendu.tensor([[[1, 5, 2, 2], [3, 0, 7, 7]]])
    y, indices = F.max_pool2d(x, 2, return_indices=True)
    assert y.dtype == shendu.int64 and y.tolist() == [[[5, 7]]]
    assert indices.tolist() == [[[1, 6]]]


# ---------------------------------------------------------------------------- adaptive, LRN
@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("op", ["adaptive_avg_pool", "adaptive_max_pool"])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_adaptive_pool_grid_matches_torch(d, op, dtype):
    """Input sizes 1-7 to output sizes 1-5 (most not dividing), and None (keep the size)."""
    sizes = (1, 2, 3, 5, 6, 7)
    outs = [1, 2, 3, 4, 5] + ([(None, 2, 3)[:d]] if d > 1 else [])
    combos = [(n, o, batch) for n in sizes for o in outs for batch in (1, 3)]

    def make_fn(n, o, batch):
        if op == "adaptive_max_pool":
            return lambda lib, x: getattr(lib.nn.functional, f"{op}{d}d")(x, o, True)
        return lambda lib, x: getattr(lib.nn.functional, f"{op}{d}d")(x, o)

    def make_input(n, o, batch):
        return _input(n * 7 + batch, (batch, 2) + (n, n + 1, max(n - 1, 1))[:d])

    assert _check_grid(combos, make_fn, make_input, dtype) == len(combos)


@needs_torch
@pytest.mark.torch
@DTYPES
def test_local_response_norm_matches_torch(dtype):
    """Window sizes 1-6 (odd and even, larger than C too) on 3-, 4- and 5-D input, AlexNet's
    parameters and large alpha (where the normalization dominates)."""
    combos = [(size, shape, params)
              for size in (1, 2, 3, 4, 5, 6)
              for shape in ((2, 5, 7), (3, 4, 3, 3), (1, 3, 2, 3, 2))
              for params in ((1e-4, 0.75, 2.0), (0.5, 0.75, 1.0), (2.0, 1.5, 0.5))]

    def make_fn(size, shape, params):
        alpha, beta, k = params
        return lambda lib, x: lib.nn.functional.local_response_norm(x, size, alpha, beta, k)

    def make_input(size, shape, params):
        return _input(size, shape) * 3

    assert _check_grid(combos, make_fn, make_input, dtype) == len(combos)


# ---------------------------------------------------------------------------- interpolate
_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}


def _torch_nearest_quirk(d: int, mode: str, spatial: tuple, kwargs: dict) -> bool:
    """PyTorch 2.13's 1-D and 3-D nearest kernels disagree between forward and backward when a
    scale factor other than 1 (or 2) gives an output size equal to (or twice) the input's: the
    gradient there is not the derivative of the output (see test_nearest_gradient_...)."""
    factors = kwargs.get("scale_factor")
    if mode != "nearest" or d == 2 or factors is None or kwargs.get("recompute_scale_factor"):
        return False
    factors = factors if isinstance(factors, tuple) else (factors,) * d
    return any(int(n * f) in (n, 2 * n) and f not in (1, 2) for n, f in zip(spatial, factors))


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear", "area"])
def test_interpolate_matches_torch(mode, d, dtype):
    """Up and down, by size and by scale factor (integer or not, per dim, recomputed or not),
    align_corners both ways for the linear mode of each dimensionality."""
    mode = _LINEAR[d] if mode == "linear" else mode
    corners = (False, True) if mode == _LINEAR[d] else (None,)
    options = [{"size": 1}, {"size": 4}, {"size": 7}, {"scale_factor": 2},
               {"scale_factor": 3}, {"scale_factor": 0.5}, {"scale_factor": 1.5},
               {"scale_factor": 2.5}, {"scale_factor": 1.2},
               {"scale_factor": 1.7, "recompute_scale_factor": True},
               {"size": (6, 2, 3)[:d]}, {"scale_factor": (1.5, 0.7, 2.0)[:d]}]
    combos, skipped = [], 0
    for n, option, align_corners in itertools.product((2, 3, 5), options, corners):
        spatial = (n, n + 1, n)[:d]
        if _torch_nearest_quirk(d, mode, spatial, option):
            skipped += 1
            continue
        if "scale_factor" in option:
            factors = option["scale_factor"]
            factors = factors if isinstance(factors, tuple) else (factors,) * d
            if min(int(s * f) for s, f in zip(spatial, factors)) < 1:
                continue
        combos.append((spatial, tuple(sorted(option.items())), align_corners))

    def make_fn(spatial, option, align_corners):
        kwargs = dict(option)
        return lambda lib, x: lib.nn.functional.interpolate(
            x, mode=mode, align_corners=align_corners, **kwargs)

    def make_input(spatial, option, align_corners):
        return _input(sum(spatial), (2, 3) + spatial)

    assert _check_grid(combos, make_fn, make_input, dtype) == len(combos)


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("d", [1, 3])
def test_nearest_gradient_is_the_derivative_where_torch_disagrees(d):
    """1-D and 3-D nearest with scale_factor=1.2 on size 3: PyTorch's forward picks inputs
    (0, 0, 1) but its backward sends the gradient to (0, 1, 2). shendu's output equals
    PyTorch's, and its gradient is the derivative of that output."""
    spatial = (3,) + (1,) * (d - 1)
    x = np.arange(1.0, 4.0).reshape((1, 1) + spatial)
    upstream = np.array([1.0, 10.0, 100.0]).reshape((1, 1) + spatial)
    theirs = TF.interpolate(torch.tensor(x), scale_factor=1.2).numpy()
    t = shendu.tensor(x, requires_grad=True)
    y = F.interpolate(t, scale_factor=1.2)
    (y * shendu.tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), theirs)
    assert theirs.ravel().tolist() == [1.0, 1.0, 2.0]
    assert t.grad.numpy().ravel().tolist() == [11.0, 100.0, 0.0]


def test_interpolate_by_hand():
    x = shendu.tensor([[[1.0, 2.0, 4.0]]])
    assert F.interpolate(x, scale_factor=2).tolist() == [[[1, 1, 2, 2, 4, 4]]]
    assert F.interpolate(x, size=5, mode="linear", align_corners=True).tolist() == \
        [[[1.0, 1.5, 2.0, 3.0, 4.0]]]
    # pixel areas: output 0 of 6 sits at input position (0 + 0.5) / 2 - 0.5 < 0: clamped
    assert F.interpolate(x, size=6, mode="linear").tolist() == \
        [[[1.0, 1.25, 1.75, 2.5, 3.5, 4.0]]]


# ---------------------------------------------------------------------------- layers
MODULES = [
    "MaxPool1d(3)", "MaxPool1d(3, stride=2, padding=1, dilation=2, ceil_mode=True)",
    "MaxPool2d(2)", "MaxPool2d((3, 2), stride=(2, 1), padding=1)",
    "MaxPool2d(2, return_indices=True)", "MaxPool3d(2, stride=1)",
    "AvgPool1d(3)", "AvgPool1d(4, stride=2, padding=2, ceil_mode=True)",
    "AvgPool2d(2)", "AvgPool2d(3, stride=2, padding=1, count_include_pad=False)",
    "AvgPool2d(2, divisor_override=3)", "AvgPool3d((2, 1, 2), ceil_mode=True)",
    "AdaptiveAvgPool1d(4)", "AdaptiveAvgPool2d((5, 7))", "AdaptiveAvgPool2d((None, 3))",
    "AdaptiveAvgPool2d(1)", "AdaptiveAvgPool3d(2)", "AdaptiveMaxPool1d(3)",
    "AdaptiveMaxPool2d((2, 3), return_indices=True)", "AdaptiveMaxPool3d((1, 2, 2))",
    "LocalResponseNorm(5)", "LocalResponseNorm(3, alpha=0.5, beta=1.5, k=2.0)",
    "Upsample(scale_factor=2)", "Upsample(size=(5, 7), mode='bilinear')",
    "Upsample(scale_factor=1.5, mode='bilinear', align_corners=True)",
    "Upsample(scale_factor=(2, 3), mode='nearest')",
    "UpsamplingNearest2d(scale_factor=2)", "UpsamplingBilinear2d(size=(6, 9))",
]


def _build(lib, expression: str):
    return eval(re.sub(r"\b([A-Z]\w*)\(", r"lib.nn.\1(", expression), {"lib": lib})


def _module_input(expression: str) -> np.ndarray:
    d = 1 if "1d" in expression else 3 if "3d" in expression else 2
    if expression.startswith("LocalResponseNorm"):
        d = 2
    return _input(len(expression), (2, 6) + (7, 8, 6)[:d])


@pytest.mark.parametrize("expression", MODULES)
def test_layer_is_its_functional_form(expression):
    """No parameters or buffers; the output (and indices) equal a direct functional call."""
    module = _build(shendu, expression)
    assert list(module.state_dict()) == []
    x = shendu.tensor(_module_input(expression))
    out = module(x)
    outputs = out if isinstance(out, tuple) else (out,)
    name = type(module).__name__
    if name.startswith(("Upsample", "Upsampling")):
        expected = F.interpolate(x, module.size, module.scale_factor, module.mode,
                                 module.align_corners)
    elif name == "LocalResponseNorm":
        expected = F.local_response_norm(x, module.size, module.alpha, module.beta, module.k)
    else:
        fn = getattr(F, re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())  # max_pool2d
        settings = {k: v for k, v in vars(module).items()
                    if not k.startswith("_") and k != "training"}
        expected = fn(x, **settings)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert len(outputs) == len(expected)
    for a, b in zip(outputs, expected):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("expression", MODULES)
def test_layer_matches_torch(expression):
    """The repr and, in float64, the outputs and input gradient."""
    ours, theirs = _build(shendu, expression), _build(torch, expression)
    assert repr(ours) == repr(theirs)
    x = _module_input(expression)
    _compare(expression, lambda lib, t: (ours if lib is shendu else theirs)(t), x, np.float64)


def test_global_avg_pool_is_adaptive_avg_pool_1():
    x = shendu.tensor(_input(0, (2, 5, 6, 7)), requires_grad=True)
    pool = nn.GlobalAvgPool2d()
    assert repr(pool) == "GlobalAvgPool2d()"
    y = pool(x)
    assert y.shape == (2, 5, 1, 1)
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy().mean(axis=(2, 3),
                                                                           keepdims=True),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(y.detach().numpy(),
                                  nn.AdaptiveAvgPool2d(1)(x).detach().numpy())
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(x.shape, 1 / 42), rtol=1e-12)
    assert pool(shendu.randn(5, 3, 3)).shape == (5, 1, 1)  # unbatched


def test_max_pool_and_avg_pool_by_hand():
    x = shendu.arange(16.0).reshape(1, 1, 4, 4)
    assert nn.MaxPool2d(2)(x).tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert nn.AvgPool2d(2)(x).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    y, indices = nn.MaxPool2d(2, return_indices=True)(x)
    assert indices.tolist() == [[[[5, 7], [13, 15]]]]
    # LeNet's pooling keeps the channels and halves the map
    assert nn.MaxPool2d(2)(shendu.randn(64, 6, 28, 28)).shape == (64, 6, 14, 14)


def test_pooling_in_a_model_trains():
    """Gradients flow through pooling into the layers before it."""
    shendu.manual_seed(0)
    model = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"), nn.MaxPool2d(2),
                          nn.AvgPool2d(2), nn.Flatten(), nn.Linear(4, 1))
    x = shendu.randn(3, 1, 4, 4, requires_grad=True)
    model(x).sum().backward()
    assert x.grad is not None and np.abs(x.grad.numpy()).sum() > 0


# ---------------------------------------------------------------------------- errors
ONES_2D = shendu.ones(1, 1, 4, 4)

ERRORS = [
    (lambda: F.max_pool2d(shendu.ones(4, 4), 2), ValueError,
     r"max_pool2d: expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, got shape \(4, 4\)"),
    (lambda: F.avg_pool1d(shendu.ones(4), 2), ValueError,
     r"avg_pool1d: expected a 2-D \(C, L\) or 3-D \(N, C, L\) input, got shape \(4,\)"),
    (lambda: F.max_pool3d(shendu.ones(4, 4, 4), 2), ValueError,
     r"max_pool3d: expected a 4-D \(C, D, H, W\) or 5-D .* got shape \(4, 4, 4\)"),
    (lambda: F.max_pool2d(ONES_2D, 5), ValueError,
     r"max_pool2d: the output would have size \(0, 0\) .*input of shape \(1, 1, 4, 4\).*"
     r"floor\(\(in \+ 2\*padding - dilation\*\(kernel_size - 1\) - 1\) / stride\) \+ 1 "
     r".*the kernel spans \(5, 5\), the padded input is \(4, 4\)"),
    (lambda: F.max_pool2d(ONES_2D, 3, dilation=2), ValueError,
     r"max_pool2d: the output would have size .*the kernel spans \(5, 5\)"),
    (lambda: F.avg_pool2d(ONES_2D, (2, 6)), ValueError,
     r"avg_pool2d: the output would have size \(2, 0\)"),
    (lambda: F.max_pool2d(ONES_2D, 2, padding=2), ValueError,
     r"max_pool2d: padding \(2, 2\) must be at most half of kernel_size \(2, 2\)"),
    (lambda: F.avg_pool2d(ONES_2D, 3, padding=(1, 2)), ValueError,
     r"avg_pool2d: padding \(1, 2\) must be at most half"),
    (lambda: F.max_pool2d(ONES_2D, 2, stride=0), ValueError, r"max_pool2d: stride must be pos"),
    (lambda: F.max_pool2d(ONES_2D, 0), ValueError, r"max_pool2d: kernel_size must be pos"),
    (lambda: F.max_pool1d(shendu.ones(1, 1, 4), 2, padding=-1), ValueError,
     r"max_pool1d: padding must be non-negative, got -1"),
    (lambda: F.max_pool2d(ONES_2D, (2, 2, 2)), TypeError,
     r"max_pool2d: kernel_size must be an int or a tuple of 2 ints"),
    (lambda: F.max_pool2d(ONES_2D, 2.0), TypeError, r"kernel_size must be an int"),
    (lambda: F.max_pool2d(shendu.ones(1, 1, 0, 4), 1), ValueError,
     r"max_pool2d: expected an input with non-empty spatial dims \(H, W\), got shape"),
    (lambda: F.avg_pool2d(shendu.ones(1, 1, 4, 4, dtype=shendu.int64), 2), TypeError,
     r"avg_pool2d: expected a floating-point input, got dtype int64"),
    (lambda: F.avg_pool2d(ONES_2D, 2, divisor_override=0), ValueError,
     r"divisor_override must not be zero"),
    (lambda: F.adaptive_avg_pool2d(shendu.ones(1, 1, 0, 4), 2), ValueError,
     r"adaptive_avg_pool2d: expected an input with non-empty spatial dims"),
    (lambda: F.adaptive_max_pool2d(shendu.ones(4, 4), 2), ValueError,
     r"adaptive_max_pool2d: expected a 3-D .* got shape \(4, 4\)"),
    (lambda: F.adaptive_avg_pool2d(ONES_2D, (1, 2, 3)), TypeError,
     r"output_size must be an int or a tuple of 2 ints"),
    (lambda: F.adaptive_avg_pool1d(shendu.ones(1, 1, 4), -1), ValueError,
     r"adaptive_avg_pool1d: output_size must be positive, got -1"),
    (lambda: F.adaptive_max_pool2d(ONES_2D, (0, 2)), ValueError,
     r"output_size must be positive, got \(0, 2\)"),
    (lambda: F.local_response_norm(shendu.ones(2, 3), 2), ValueError,
     r"local_response_norm: expected an input of 3 or more dims \(N, C, \*\), got shape "
     r"\(2, 3\)"),
    (lambda: F.local_response_norm(ONES_2D, 0), ValueError, r"size must be a positive int"),
    (lambda: F.interpolate(ONES_2D), ValueError, r"give exactly one of size and scale_factor"),
    (lambda: F.interpolate(ONES_2D, size=2, scale_factor=2), ValueError, r"exactly one"),
    (lambda: F.interpolate(ONES_2D, scale_factor=2, mode="linear"), ValueError,
     r"interpolate: mode='linear' expects a 3-D input, got shape \(1, 1, 4, 4\)"),
    (lambda: F.interpolate(shendu.ones(1, 4), size=2), ValueError,
     r"interpolate: mode='nearest' expects a 3-D \(N, C, L\), 4-D .* got shape \(1, 4\)"),
    (lambda: F.interpolate(ONES_2D, size=2, align_corners=True), ValueError,
     r"align_corners can only be set with the linear modes"),
    (lambda: F.interpolate(ONES_2D, size=(2, 3, 4)), ValueError,
     r"size \(2, 3, 4\) must have one entry per spatial dim"),
    (lambda: F.interpolate(ONES_2D, scale_factor=0.1), ValueError,
     r"the output size \(0, 0\) must be at least 1"),
    (lambda: F.interpolate(ONES_2D, size=2, mode="bicubic"), ValueError, r"unknown mode"),
    (lambda: F.interpolate(ONES_2D, size=2, recompute_scale_factor=True), ValueError,
     r"recompute_scale_factor is not meaningful"),
]


@pytest.mark.parametrize("call, error, pattern", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_error_names_op_and_shapes(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_layer_errors_name_the_layer_path():
    model = nn.Sequential(nn.Identity(), nn.Sequential(nn.Identity(), nn.MaxPool2d(5)))
    with pytest.raises(nn.ModuleInputError,
                       match=r"^1\.1 \(MaxPool2d\): the output would have size \(0, 0\)"):
        model(ONES_2D)
    with pytest.raises(ValueError, match=r"^AvgPool1d: expected a 2-D \(C, L\) or 3-D "
                                         r"\(N, C, L\) input, got shape \(1, 1, 4, 4\)"):
        nn.AvgPool1d(2)(ONES_2D)
    with pytest.raises(ValueError, match=r"^0 \(Upsample\): mode='bilinear' expects a 4-D"):
        nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"))(shendu.ones(1, 2, 3))
    with pytest.raises(ValueError, match=r"^LocalResponseNorm: expected an input of 3 or"):
        nn.LocalResponseNorm(2)(shendu.ones(2, 3))
    with pytest.raises(ValueError, match=r"^AdaptiveMaxPool2d: expected a 3-D"):
        nn.AdaptiveMaxPool2d(2)(shendu.ones(2))
