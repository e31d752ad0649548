"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d and the Conv/ConvTranspose layers.

The op cases (tests/cases/conv.py) are gradchecked and compared with PyTorch by the generic op
tests; here: every case again with each input-gradient method forced (full correlation,
col2im, and mixtures), drawn configurations against live PyTorch, the layers (initialisation,
repr, state_dict, padding modes, unbatched input, output_size), what is kept for backward,
error messages and the summary's MAC count.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shendu
from shendu import nn
from shendu.nn import functional as F
from shendu.ops import conv as conv_ops
from tests.cases.conv import CASES, _conv, _conv_transpose, conv_args, conv_transpose_args
from tests.opcases import (
    Case,
    assert_matches,
    build_module,
    check_state_dict_keys_and_repr,
    make_arrays,
    rel_error,
    run,
)

try:
    import torch
except ImportError:  # everything but the live comparisons still runs
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="live parity needs torch "
                                 "(pip install torch==2.13.0)")
live = [needs_torch, pytest.mark.torch]
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


@pytest.fixture(autouse=True)
def _quiet_torch():
    # torch warns that padding='same' with an even kernel copies its input (the layers too)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same'")
        yield


def _compare(case: Case, arrays, dtype, seed: int) -> None:
    ours = run(shendu, case, arrays, dtype, seed)
    theirs = run(torch, case, arrays, dtype, seed)
    for a, b in zip(ours[0], theirs[0]):
        assert_matches(f"{case.name} output", a, b, dtype)
    for i, (a, b) in enumerate(zip(ours[2], theirs[2])):
        assert_matches(f"{case.name} grad of input {i}", a, b, dtype)


# ---------------------------------------------------------------------------- input-gradient plans
PLANS = {
    "full": lambda nd: (True,) * nd,
    "col2im": lambda nd: (False,) * nd,
    "last_full": lambda nd: (False,) * (nd - 1) + (True,),
    "first_full": lambda nd: (True,) + (False,) * (nd - 1),
}


@pytest.mark.parametrize("plan", list(PLANS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_input_grad_plan_is_exact(case, plan, monkeypatch):
    """Each way of computing dx (and the transposed forward) gives the same float64 result as
    the chosen one, to rounding."""
    arrays = make_arrays(case.args, 0)
    chosen = run(shendu, case, arrays, np.float64, 0)
    monkeypatch.setattr(conv_ops, "input_grad_plan",
                        lambda in_size, *_: PLANS[plan](len(in_size)))
    forced = run(shendu, case, arrays, np.float64, 0)
    for a, b in zip(forced[0] + forced[2], chosen[0] + chosen[2]):
        if b is not None:
            assert rel_error(a, b) < 1e-12, case.name


@pytest.mark.parametrize("plan", ["full", "col2im"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.torch
@needs_torch
def test_forced_plan_matches_torch(case, plan, monkeypatch):
    monkeypatch.setattr(conv_ops, "input_grad_plan",
                        lambda in_size, *_: PLANS[plan](len(in_size)))
    _compare(case, make_arrays(case.args, 3), np.float64, 3)


def test_plan_follows_the_cost_model():
    # many output channels per input channel: scattering C back is cheaper than copying O
    assert conv_ops.input_grad_plan((28, 28), (24, 24), (5, 5), 1, 32) == (False, False)
    # fewer output channels than input channels, stride 1: full correlation copies less
    assert conv_ops.input_grad_plan((16, 16), (16, 16), (3, 3), 64, 8) == (True, True)
    # in between, the LeNet layer 6 -> 16: full correlation along one dim only
    assert sum(conv_ops.input_grad_plan((28, 28), (24, 24), (5, 5), 6, 16)) == 1
    # a stride spreads the gradient out with zeros: col2im along the strided dims
    assert conv_ops.input_grad_plan((32,), (8,), (3,), 16, 16) == (False,)


# ---------------------------------------------------------------------------- drawn parity
@pytest.mark.torch
@needs_torch
@DTYPES
@pytest.mark.parametrize("strategy, fn", [(conv_args(), _conv),
                                          (conv_transpose_args(), _conv_transpose)],
                         ids=["conv", "conv_transpose"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data())
def test_drawn_configurations_match_torch(strategy, fn, dtype, data):
    """Forward, input, weight and bias gradients at drawn ranks, channels, groups, kernels,
    strides, paddings and dilations (float64 to 1e-10, float32 to 1e-5, normwise)."""
    args, kwargs = data.draw(strategy, label="args, kwargs")
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    case = Case("drawn", lambda lib, *xs: fn(lib, *xs, **kwargs), args)
    _compare(case, make_arrays(args, seed), dtype, seed)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_output_size_formula(nd):
    """out = (n + 2p - d (k - 1) - 1) // s + 1 over a grid, and 'same' keeps the size."""
    rng = np.random.default_rng(nd)
    for n, k, s, p, d in [(7, 3, 1, 0, 1), (8, 3, 2, 1, 1), (9, 2, 3, 2, 2), (5, 5, 1, 2, 1),
                          (6, 4, 2, 0, 1), (10, 3, 3, 1, 2)]:
        x = shendu.tensor(rng.standard_normal((2, 1) + (n,) * nd).astype(np.float32))
        w = shendu.tensor(rng.standard_normal((1, 1) + (k,) * nd).astype(np.float32))
        y = _conv(shendu, x, w, nd=nd, stride=s, padding=p, dilation=d)
        assert y.shape == (2, 1) + ((n + 2 * p - d * (k - 1) - 1) // s + 1,) * nd
        same = _conv(shendu, x, w, nd=nd, padding="same", dilation=d)
        assert same.shape == x.shape


# ---------------------------------------------------------------------------- what backward keeps
def test_col_is_kept_only_when_the_weight_needs_a_gradient():
    x = shendu.randn(2, 3, 6, 6, requires_grad=True)
    w = shendu.randn(4, 3, 3, 3, requires_grad=True)
    assert F.conv2d(x, w)._ctx.saved_tensors[1] is not None
    w.requires_grad_(False)
    y = F.conv2d(x, w)
    assert y._ctx.saved_tensors[1] is None  # only dx is needed: no patch matrix kept
    y.sum().backward()
    assert x.grad.shape == x.shape and w.grad is None
    with shendu.no_grad():
        assert F.conv2d(x, w)._ctx is None


def test_only_the_gradients_asked_for():
    x = shendu.randn(2, 3, 5, 5)
    w = shendu.randn(4, 3, 3, 3, requires_grad=True)
    b = shendu.randn(4, requires_grad=True)
    F.conv2d(x, w, b).sum().backward()
    assert x.grad is None and w.grad is not None
    np.testing.assert_allclose(b.grad.numpy(), np.full(4, 2 * 3 * 3), rtol=1e-6)


def test_float32_end_to_end_and_float64():
    for dtype in (np.float32, np.float64):
        x = shendu.tensor(np.ones((2, 3, 6, 6), dtype), requires_grad=True)
        conv = nn.Conv2d(3, 4, 3, dtype=dtype)
        y = conv(x)
        y.sum().backward()
        assert y.dtype == dtype and x.grad.dtype == dtype and conv.weight.grad.dtype == dtype
        assert y.data.flags.c_contiguous  # NCHW, as PyTorch: a later view/flatten is free


def test_shared_layer_accumulates_gradients():
    conv = nn.Conv1d(2, 2, 3, padding=1, bias=False).double()
    x = shendu.randn(1, 2, 5, dtype=shendu.float64)
    conv(conv(x)).sum().backward()
    twice = conv.weight.grad.numpy().copy()
    w = conv.weight.detach().numpy()

    def f(weight):
        return F.conv1d(F.conv1d(x, weight, padding=1), weight, padding=1).sum()

    eps, numerical = 1e-6, np.zeros_like(w)
    for i in np.ndindex(w.shape):
        plus, minus = w.copy(), w.copy()
        plus[i] += eps
        minus[i] -= eps
        numerical[i] = (f(shendu.tensor(plus)).item() - f(shendu.tensor(minus)).item()) / (2 * eps)
    np.testing.assert_allclose(twice, numerical, rtol=1e-6, atol=1e-8)


def test_empty_batch():
    conv = nn.Conv2d(2, 3, 3)
    x = shendu.zeros(0, 2, 5, 5, requires_grad=True)
    y = conv(x)
    assert y.shape == (0, 3, 3, 3)
    y.sum().backward()
    assert x.grad.shape == x.shape and not np.any(conv.weight.grad.numpy())


# ---------------------------------------------------------------------------- layers
CONV_LAYERS = [("Conv1d", 1), ("Conv2d", 2), ("Conv3d", 3)]


def _assert_uniform(values: np.ndarray, bound: float) -> None:
    """Samples of U(-bound, bound): inside the bounds, reaching near them, mean 0 and variance
    bound^2 / 3 within 5 standard errors."""
    n = values.size
    assert np.abs(values).max() <= bound
    assert values.max() > 0.98 * bound and values.min() < -0.98 * bound
    var = bound**2 / 3
    assert abs(values.mean()) < 5 * math.sqrt(var / n)
    # the variance of a uniform sample variance: (mu4 - var^2) / n, mu4 = bound^4 / 5
    assert abs(values.var() - var) < 5 * math.sqrt((bound**4 / 5 - var**2) / n)


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Conv2d(64, 32, 3), 64 * 9),
    (lambda: nn.Conv1d(40, 300, 5, groups=4), 10 * 5),
    (lambda: nn.Conv3d(8, 24, (2, 3, 4)), 8 * 24),
    (lambda: nn.ConvTranspose2d(96, 40, 4, groups=2), 20 * 16),
])
def test_default_initialisation(make, fan_in):
    """PyTorch's: kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the
    weight, and the bias is drawn from the same range."""
    shendu.manual_seed(0)
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    _assert_uniform(layer.weight.detach().numpy(), bound)
    bias = layer.bias.detach().numpy()
    assert np.abs(bias).max() <= bound and bias.std() > 0.4 * bound
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad


def test_initialisation_is_reproducible_and_reset():
    shendu.manual_seed(3)
    a = nn.Conv2d(3, 4, 3)
    shendu.manual_seed(3)
    b = nn.Conv2d(3, 4, 3)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    weight = a.weight.data
    a.reset_parameters()
    assert a.weight.data is weight
    assert not np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())


MODULES = {
    "Conv2d(1, 6, 5, padding=2)": (
        ["weight", "bias"], "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"),
    "Conv2d(3, 6, 3, padding='same', padding_mode='reflect', bias=False, groups=3)": (
        ["weight"], "Conv2d(3, 6, kernel_size=(3, 3), stride=(1, 1), padding=same, groups=3, "
                    "bias=False, padding_mode=reflect)"),
    "Conv1d(3, 6, 3, stride=2, dilation=2, padding=1)": (
        ["weight", "bias"], "Conv1d(3, 6, kernel_size=(3,), stride=(2,), padding=(1,), "
                            "dilation=(2,))"),
    "Conv3d(2, 4, (1, 2, 3), padding='valid')": (
        ["weight", "bias"], "Conv3d(2, 4, kernel_size=(1, 2, 3), stride=(1, 1, 1), "
                            "padding=valid)"),
    "Conv2d(4, 8, (3, 1), stride=(2, 1), padding=(1, 0), padding_mode='circular')": (
        ["weight", "bias"], "Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 1), padding=(1, 0), "
                            "padding_mode=circular)"),
    "ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2)": (
        ["weight", "bias"], "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), "
                            "output_padding=(1, 1), groups=2)"),
    "ConvTranspose1d(2, 3, 4, padding=1, bias=False, dilation=2)": (
        ["weight"], "ConvTranspose1d(2, 3, kernel_size=(4,), stride=(1,), padding=(1,), "
                    "dilation=(2,), bias=False)"),
    "ConvTranspose3d(2, 2, 2, stride=2)": (
        ["weight", "bias"], "ConvTranspose3d(2, 2, kernel_size=(2, 2, 2), stride=(2, 2, 2))"),
    "Sequential(Conv2d(1, 2, 3), ReLU(), Conv2d(2, 4, 3, groups=2))": (
        ["0.weight", "0.bias", "2.weight", "2.bias"], None),
}


@pytest.mark.parametrize("expression", list(MODULES))
def test_state_dict_keys_and_repr(expression):
    check_state_dict_keys_and_repr(MODULES, expression)


@pytest.mark.parametrize("expression", list(MODULES))
@pytest.mark.torch
@needs_torch
def test_layers_match_torch(expression):
    """The same repr, state_dict keys and shapes; a torch state_dict loads and gives the same
    outputs and gradients (each padding mode, float64)."""
    ours = build_module(shendu, expression).double()
    theirs = build_module(torch, expression).double()
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    ours.load_state_dict(theirs.state_dict())
    first = next(m for m in theirs.modules() if hasattr(m, "in_channels"))
    nd = len(first.kernel_size)
    size = (2, first.in_channels) + (5, 6, 4)[:nd]
    x = np.random.default_rng(0).standard_normal(size)
    xs, xt = shendu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ys, yt = ours(xs), theirs(xt)
    assert_matches(expression, ys.detach().numpy(), yt.detach().numpy(), np.float64)
    (ys * ys).sum().backward()
    (yt * yt).sum().backward()
    assert_matches(expression + " dx", xs.grad.numpy(), xt.grad.numpy(), np.float64)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        assert_matches(f"{expression} d{name}", p.grad.numpy(), q.grad.numpy(), np.float64)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 0), "same"])
@pytest.mark.torch
@needs_torch
def test_padding_modes_match_torch(mode, padding):
    shendu.manual_seed(0)
    ours = nn.Conv2d(2, 3, (3, 2), padding=padding, padding_mode=mode).double()
    theirs = torch.nn.Conv2d(2, 3, (3, 2), padding=padding, padding_mode=mode).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for shape in [(2, 2, 4, 5), (2, 3, 3)]:  # batched and unbatched
        x = np.random.default_rng(1).standard_normal(shape)
        xs, xt = shendu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ys, yt = ours(xs), theirs(xt)
        assert ys.shape == tuple(yt.shape)
        assert_matches(f"{mode} output", ys.detach().numpy(), yt.detach().numpy(), np.float64)
        ys.sum().backward()
        yt.sum().backward()
        assert_matches(f"{mode} dx", xs.grad.numpy(), xt.grad.numpy(), np.float64)


@pytest.mark.parametrize("name, nd", CONV_LAYERS)
def test_unbatched_input(name, nd):
    """(C, *spatial) is one sample: the same result as the batch of one, without the batch
    dim, and its gradient has the input's shape."""
    layer = getattr(nn, name)(2, 3, 2, padding=1)
    x = shendu.randn(2, *(4, 3, 5)[:nd], requires_grad=True)
    y = layer(x)
    batched = layer(x.detach().unsqueeze(0))
    np.testing.assert_allclose(y.detach().numpy(), batched.detach().numpy()[0], rtol=1e-6)
    y.sum().backward()
    assert x.grad.shape == x.shape


@pytest.mark.parametrize("output_size", [(9, 9), (10, 10), (1, 4, 10, 9), (9, 10)])
def test_conv_transpose_output_size(output_size):
    """forward(x, output_size) picks the output_padding that gives that size (PyTorch's)."""
    layer = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    y = layer(shendu.randn(1, 4, 5, 5), output_size=output_size)
    assert y.shape[-2:] == tuple(output_size[-2:])
    if torch is not None:
        theirs = torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
        assert tuple(theirs(torch.randn(1, 4, 5, 5), output_size=output_size).shape) == y.shape


def test_layer_dtype_and_device():
    assert nn.Conv2d(1, 2, 3, dtype=shendu.float64).weight.dtype == np.float64
    nn.Conv2d(1, 2, 3, device="cpu")
    with pytest.raises(ValueError, match="not supported"):
        nn.Conv2d(1, 2, 3, device="cuda")


def test_summary_counts_convolution_macs():
    model = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.Conv2d(6, 16, 5),
                          nn.ConvTranspose2d(16, 4, 2, stride=2, groups=2))
    result = nn.summary(model, (1, 28, 28), print_fn=None)
    macs = [row.macs for row in result.rows if row.type.startswith("Conv")]
    # each output element of a convolution costs in/groups * prod(k); each input element of a
    # transposed convolution out/groups * prod(k)
    assert macs == [6 * 28 * 28 * 25, 16 * 24 * 24 * 6 * 25, 16 * 24 * 24 * 2 * 4]


def test_a_small_cnn_learns():
    """A two-layer CNN separates horizontal from vertical bars (a training sanity check)."""
    rng = np.random.default_rng(0)
    X = np.zeros((64, 1, 8, 8), np.float32)
    y = rng.integers(0, 2, 64)
    for i, label in enumerate(y):
        j = rng.integers(1, 7)
        if label:
            X[i, 0, :, j] = 1
        else:
            X[i, 0, j, :] = 1
    X += rng.normal(0, 0.1, X.shape).astype(np.float32)
    shendu.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 8))
    params = list(model.parameters())
    for _ in range(60):
        loss = F.cross_entropy(model(shendu.tensor(X)).flatten(1), shendu.tensor(y))
        for p in params:
            p.grad = None
        loss.backward()
        with shendu.no_grad():
            for p in params:
                p -= 0.3 * p.grad
    assert loss.item() < 0.1


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, pattern", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), "out_channels must be divisible by groups"),
    (lambda: nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
    (lambda: nn.Conv2d(1, 2, 3, stride=2, padding="same"),
     "padding='same' is not supported for strided convolutions"),
    (lambda: nn.Conv2d(1, 2, 3, padding="full"), "invalid padding string 'full'"),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), "padding must be non-negative"),
    (lambda: nn.Conv2d(1, 2, 0), "kernel_size must be positive"),
    (lambda: nn.Conv2d(1, 2, (3, 3, 3)), r"kernel_size must be an int or a tuple of 2 ints"),
    (lambda: nn.Conv1d(1, 2, 3, padding_mode="mirror"), "padding_mode must be one of"),
    (lambda: nn.ConvTranspose2d(1, 2, 3, padding_mode="reflect"),
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_construction_errors(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


@pytest.mark.parametrize("module, shape, pattern", [
    # channels differ from in_channels: the expected and the received shapes
    (nn.Conv2d(3, 4, 3), (2, 4, 8, 8),
     r"expected input of shape \(N, 3, H, W\) or \(3, H, W\) \(in_channels=3\), got shape "
     r"\(2, 4, 8, 8\) with 4 channels"),
    # the forgotten channel dim
    (nn.Conv2d(1, 4, 3), (8, 28, 28),
     r"got shape \(8, 28, 28\) with 8 channels; .* if 8 is the batch size of single-channel "
     r"inputs, add the channel dim with x\.unsqueeze\(1\)"),
    (nn.Conv1d(1, 4, 3), (16, 100), r"x\.unsqueeze\(1\)"),
    # wrong rank
    (nn.Conv2d(3, 4, 3), (3, 8), r"expected a 3-D \(C, H, W\) or 4-D \(N, C, H, W\) input, "
                                 r"got shape \(3, 8\)"),
    (nn.Conv3d(1, 1, 1), (1, 1, 1, 1, 1, 1), r"5-D \(N, C, D, H, W\) input"),
    # kernel larger than the padded input: the output size would be below 1
    (nn.Conv2d(3, 4, 5, padding=1), (2, 3, 2, 8),
     r"the kernel \(5, 5\) is larger than the padded input \(4, 10\) .* would be \(0, 6\), "
     r"below 1"),
    (nn.Conv1d(1, 1, 3, dilation=3), (1, 1, 6), r"\(dilated: \(7,\)\) is larger"),
    (nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect"), (1, 1, 3, 3),
     "padding_mode='reflect' needs each padding smaller than the input size"),
    (nn.ConvTranspose2d(4, 2, 3), (1, 2, 5, 5),
     r"expected input of shape \(N, 4, H, W\) or \(4, H, W\) \(in_channels=4\), got shape "
     r"\(1, 2, 5, 5\)"),
])
def test_module_input_errors(module, shape, pattern):
    with pytest.raises(nn.ModuleInputError, match=f"^{type(module).__name__}: .*{pattern}"):
        module(shendu.ones(*shape))


def test_error_names_the_path_in_the_model():
    model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Sequential(nn.Conv2d(6, 4, 3)))
    with pytest.raises(nn.ModuleInputError, match=r"^2\.0 \(Conv2d\): expected input of shape "
                       r"\(N, 6, H, W\) or \(6, H, W\) \(in_channels=6\), got shape "
                       r"\(2, 8, 6, 6\)"):
        model(shendu.ones(2, 1, 8, 8))


def test_conv_transpose_output_size_errors():
    layer = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    with pytest.raises(nn.ModuleInputError, match=r"valid sizes range from \(9, 9\) to "
                       r"\(10, 10\)"):
        layer(shendu.ones(1, 4, 5, 5), output_size=(11, 9))
    with pytest.raises(nn.ModuleInputError, match="output_size must have 2 or 4 elements"):
        layer(shendu.ones(1, 4, 5, 5), output_size=(9,))


X4, W4 = shendu.ones(2, 3, 6, 6), shendu.ones(4, 3, 3, 3)


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: F.conv2d(X4, shendu.ones(4, 2, 3, 3)), ValueError,
     r"^conv2d: expected input of shape \(N, 2, H, W\) .* got shape \(2, 3, 6, 6\) with 3 "
     r"channels \(weight shape \(4, 2, 3, 3\), groups=1\)"),
    (lambda: F.conv2d(X4, W4, shendu.ones(3)), ValueError, r"^conv2d: bias must have shape \(4,\)"),
    (lambda: F.conv2d(X4, shendu.ones(4, 3, 3)), ValueError, "^conv2d: weight must be 4-D"),
    (lambda: F.conv2d(X4, W4, stride=0), ValueError, "^conv2d: stride must be positive"),
    (lambda: F.conv2d(X4, W4, dilation=(1, 0)), ValueError, "^conv2d: dilation must be positive"),
    (lambda: F.conv2d(X4, shendu.ones(3, 1, 3, 3), groups=2), ValueError,
     r"^conv2d: out_channels \(3, .*divisible by groups=2"),
    (lambda: F.conv2d(X4, W4, groups=1.5), ValueError, "^conv2d: groups must be a positive"),
    (lambda: F.conv2d(X4, W4, padding="full"), ValueError, "^conv2d: invalid padding string"),
    (lambda: F.conv2d(X4, W4, stride=2, padding="same"), ValueError,
     "^conv2d: padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(X4, shendu.ones(4, 3, 7, 3)), ValueError,
     r"^conv2d: the kernel \(7, 3\) is larger than the padded input \(6, 6\)"),
    (lambda: F.conv2d(X4.double(), W4), TypeError, "^conv2d: input, weight and bias must have "
                                                   "the same dtype"),
    (lambda: F.conv1d(shendu.ones(2, 3, 6), shendu.ones(4, 3, 3, 3)), ValueError,
     r"^conv1d: weight must be 3-D \(out_channels, in_channels/groups, \*kernel_size\), got "
     r"shape \(4, 3, 3, 3\)"),
    (lambda: F.conv1d(shendu.ones(3, 6, 6, 6), shendu.ones(4, 3, 3)), ValueError,
     r"^conv1d: expected a 2-D \(C, L\) or 3-D \(N, C, L\) input"),
    (lambda: F.conv3d(shendu.ones(1, 2, 2, 2, 2), shendu.ones(1, 2, 3, 1, 1)), ValueError,
     r"^conv3d: the kernel \(3, 1, 1\) is larger"),
    (lambda: F.conv_transpose2d(X4, shendu.ones(3, 2, 3, 3), output_padding=1), ValueError,
     "^conv_transpose2d: output_padding must be smaller than either stride or dilation"),
    (lambda: F.conv_transpose2d(shendu.ones(1, 3, 1, 1), shendu.ones(3, 2, 1, 1), padding=1),
     ValueError, r"^conv_transpose2d: the output size .* would be \(-1, -1\), below 1"),
    (lambda: F.conv_transpose2d(X4, shendu.ones(4, 2, 3, 3)), ValueError,
     r"^conv_transpose2d: expected input of shape \(N, 4, H, W\)"),
    (lambda: F.conv_transpose2d(X4, shendu.ones(3, 2, 3, 3), padding="same"), ValueError,
     "^conv_transpose2d: padding must be an int or a tuple"),
    (lambda: F.conv_transpose2d(X4, shendu.ones(3, 2, 3, 3), groups=2), ValueError,
     r"^conv_transpose2d: in_channels \(3, .*divisible by groups=2"),
    (lambda: F.conv_transpose2d(X4, shendu.ones(3, 2, 3, 3), shendu.ones(3)), ValueError,
     r"^conv_transpose2d: bias must have shape \(2,\)"),
])
def test_functional_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
