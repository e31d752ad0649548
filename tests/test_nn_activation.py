"""Activations beyond the op cases (tests/cases/activation.py): the vectorised erf against
math.erf, sparsemax and maxout against NumPy references written from their papers, stability
at |x| = 1e4 without a NumPy warning, and the modules (repr, parameters, dims, errors)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.autograd import gradcheck
from shendu.nn import functional as F
from shendu.ops import activation as ops_activation
from shendu.ops.activation import erf_array, erfc_array

TINY = np.finfo(np.float64).tiny  # the smallest normal float64


# ---------------------------------------------------------------------------- erf
def _math(fn, x: np.ndarray) -> np.ndarray:
    return np.array([fn(float(v)) for v in x.ravel()]).reshape(x.shape)


def test_erf_matches_math_erf_to_1e_15():
    rng = np.random.default_rng(0)
    tiny_to_one = np.logspace(-300, 0.9, 3000)
    x = np.concatenate([
        rng.uniform(-7, 7, 20000), np.linspace(-6.5, 6.5, 20001), tiny_to_one, -tiny_to_one,
        [1 - 2**-52, 1.0, 1 + 2**-52, 3.999, 4.0, 5.9, 5.93, 6.0, 27.0, 1e10],
    ])
    ours, ref = erf_array(x), _math(math.erf, x)
    nonzero = ref != 0
    rel = np.abs(ours - ref)[nonzero] / np.abs(ref[nonzero])
    assert rel.max() <= 1e-15, f"max relative error {rel.max():.3g} at x={x[nonzero][rel.argmax()]}"
    assert np.all(ours[~nonzero] == 0)


def test_erfc_matches_math_erfc_in_both_tails():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-6, 26.5, 20000), np.linspace(-3, 26.5, 5001),
                        np.logspace(-300, 0, 500)])
    ours, ref = erfc_array(x), _math(math.erfc, x)
    normal = ref >= TINY  # below, the result is subnormal and has fewer bits
    rel = np.abs(ours - ref)[normal] / ref[normal]
    assert rel.max() <= 2e-15, f"max relative error {rel.max():.3g} at x={x[normal][rel.argmax()]}"


def test_erf_float32_within_a_few_ulp():
    rng = np.random.default_rng(2)
    x = rng.uniform(-7, 7, 20000).astype(np.float32)
    ours = erf_array(x)
    assert ours.dtype == np.float32
    assert np.abs(ours - _math(math.erf, x)).max() <= 2 * np.finfo(np.float32).eps
    x = rng.uniform(-3, 9, 20000).astype(np.float32)  # erfc(9) ~ 4e-37 is still normal
    ref = _math(math.erfc, x)
    assert (np.abs(erfc_array(x) - ref) / ref).max() <= 8 * np.finfo(np.float32).eps


def test_erf_special_values_shapes_and_dtypes():
    x = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1e300, -1e300])
    out = erf_array(x)
    np.testing.assert_array_equal(out, [1, -1, np.nan, 0, 0, 1, -1])
    assert np.signbit(out[4]) and not np.signbit(out[3])  # erf(-0) = -0
    np.testing.assert_allclose(erfc_array(x), [0, 2, np.nan, 1, 1, 0, 2], rtol=1e-15)
    assert erf_array(np.float64(0.5)).shape == ()
    assert erf_array(np.ones((2, 0, 3))).shape == (2, 0, 3)
    assert erfc_array(np.ones((2, 3), np.float32)).dtype == np.float32
    assert erf_array(np.arange(3)).dtype == np.float32  # integers as PyTorch's default float
    assert erf_array(np.ones(2, np.float16)).dtype == np.float32
    np.testing.assert_allclose(erf_array(np.arange(-2.0, 3.0).reshape(5, 1)).ravel(),
                               [math.erf(v) for v in range(-2, 3)], rtol=1e-15)


def test_gelu_is_x_times_the_normal_cdf():
    # accurate relative to the value in the left tail too (where 1 + erf(x) would cancel);
    # the reference rounds x / sqrt(2) the same way, as erfc(z) is sensitive to z there
    x = np.linspace(-12, 12, 2401)
    y = F.gelu(shendu.tensor(x)).data
    cdf = np.array([0.5 * math.erfc(v * -(1 / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(y, x * cdf, rtol=4e-15, atol=0)
    t = shendu.tensor(x, requires_grad=True)
    F.gelu(t).sum().backward()
    # d/dx x Phi(x) = Phi(x) + x phi(x)
    pdf = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(t.grad.data, cdf + x * pdf, rtol=1e-13, atol=1e-300)


# ---------------------------------------------------------------------------- sparsemax
def sparsemax_reference(z: np.ndarray) -> np.ndarray:
    """Algorithm 1 of Martins & Astudillo (2016), one vector at a time, in plain Python: sort
    z decreasingly; k(z) = max{k : 1 + k z_(k) > sum_{j<=k} z_(j)};
    tau = (sum_{j<=k(z)} z_(j) - 1) / k(z); p = max(z - tau, 0)."""
    ranked = sorted(z.tolist(), reverse=True)
    total, k_z, total_k = 0.0, 0, 0.0
    for k, zk in enumerate(ranked, start=1):
        total += zk
        if 1 + k * zk > total:
            k_z, total_k = k, total
    tau = (total_k - 1) / k_z
    return np.maximum(z - tau, 0)


def simplex_projection(z: np.ndarray) -> np.ndarray:
    """argmin_{p >= 0, sum p = 1} ||p - z||^2 by bisection on tau in sum max(z - tau, 0) = 1
    (the KKT conditions), independent of the sorting algorithm."""
    low, high = z.min() - 1, z.max()
    for _ in range(200):
        tau = (low + high) / 2
        if np.maximum(z - tau, 0).sum() > 1:
            low = tau
        else:
            high = tau
    return np.maximum(z - (low + high) / 2, 0)


@pytest.mark.parametrize("scale", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_sparsemax_matches_the_paper_and_the_projection(scale, dim):
    z = np.random.default_rng(3).normal(size=(5, 6, 4)) * scale
    p = F.sparsemax(shendu.tensor(z), dim=dim).data
    moved, ours = np.moveaxis(z, dim, -1), np.moveaxis(p, dim, -1)
    for index in np.ndindex(moved.shape[:-1]):
        np.testing.assert_allclose(ours[index], sparsemax_reference(moved[index]), atol=1e-15)
        np.testing.assert_allclose(ours[index], simplex_projection(moved[index]), atol=1e-12)
    np.testing.assert_allclose(p.sum(axis=dim), 1, rtol=1e-14)
    assert (p >= 0).all()


def test_sparsemax_backward_is_the_sparse_jacobian():
    rng = np.random.default_rng(4)
    for z in (rng.normal(size=7), rng.normal(size=7) * 0.1, np.array([3.0, 0.0, 0.1, 2.5])):
        x = shendu.tensor(z, requires_grad=True)
        p = F.sparsemax(x)
        s = (p.data > 0).astype(float)
        # J = diag(s) - s s^T / |S| (Martins & Astudillo 2016, eq. 12)
        expected = np.diag(s) - np.outer(s, s) / s.sum()
        rows = []
        for i in range(len(z)):
            x.grad = None
            seed = np.zeros(len(z))
            seed[i] = 1
            p.backward(shendu.tensor(seed), retain_graph=True)
            rows.append(x.grad.data.copy())
        np.testing.assert_allclose(np.array(rows), expected, atol=1e-15)


def test_sparsemax_special_inputs():
    equal = F.sparsemax(shendu.tensor(np.full((2, 4), 3.0))).data
    np.testing.assert_allclose(equal, 0.25)
    one_hot = F.sparsemax(shendu.tensor([[1e4, -1e4, 0.0, 5.0]])).data
    np.testing.assert_array_equal(one_hot, [[1, 0, 0, 0]])
    assert F.sparsemax(shendu.tensor(2.0)).item() == 1.0  # a 0-d input is the single point 1
    assert F.sparsemax(shendu.zeros(3, 0), dim=1).shape == (3, 0)
    assert F.sparsemax(shendu.randn(3, 4)).dtype == shendu.float32
    # sparse: exact zeros where softmax would give small positive values
    p = F.sparsemax(shendu.tensor([2.0, 1.0, -1.0])).data
    np.testing.assert_allclose(p, [1.0, 0.0, 0.0])


# ---------------------------------------------------------------------------- maxout
def maxout_reference(x, weight, bias, k):
    """Goodfellow et al. (2013), eq. 1: h_i = max_{j in [1, k]} z_ij, z = x W^T + b, output
    unit i owning rows i*k ... i*k + k - 1 of W."""
    z = x @ weight.T + (0 if bias is None else bias)
    return z.reshape(z.shape[:-1] + (z.shape[-1] // k, k)).max(axis=-1)


def test_maxout_functional_matches_reference():
    x = np.random.default_rng(5).normal(size=(2, 6, 3))
    ours = F.maxout(shendu.tensor(x), 3, dim=1).data
    np.testing.assert_array_equal(ours, x.reshape(2, 2, 3, 3).max(axis=2))
    np.testing.assert_array_equal(F.maxout(shendu.tensor(x), 1, dim=0).data, x)
    assert F.maxout(shendu.zeros(4, 0), 2).shape == (4, 0)


@pytest.mark.parametrize("bias", [True, False])
def test_maxout_module(bias):
    shendu.manual_seed(0)
    layer = nn.Maxout(4, 3, num_pieces=2, bias=bias)
    names = [name for name, _ in layer.named_parameters()]
    assert names == (["weight", "bias"] if bias else ["weight"])
    assert list(layer.state_dict()) == names
    assert layer.weight.shape == (6, 4) and layer.weight.dtype == shendu.float32
    bound = 1 / math.sqrt(4)  # nn.Linear's initialisation
    assert np.abs(layer.weight.data).max() <= bound and np.unique(layer.weight.data).size == 24
    if bias:
        assert layer.bias.shape == (6,) and np.abs(layer.bias.data).max() <= bound
    x = np.random.default_rng(6).normal(size=(2, 5, 4))
    out = layer(shendu.tensor(x, dtype=shendu.float32))
    assert out.shape == (2, 5, 3)
    b = layer.bias.data if bias else None
    np.testing.assert_allclose(out.data, maxout_reference(x, layer.weight.data, b, 2),
                               rtol=1e-5, atol=1e-6)
    assert repr(layer) == f"Maxout(in_features=4, out_features=3, num_pieces=2, bias={bias})"


def test_maxout_module_gradients():
    shendu.manual_seed(1)
    layer = nn.Maxout(3, 2, num_pieces=3).double()
    x = shendu.tensor(np.random.default_rng(7).normal(size=(4, 3)), requires_grad=True)
    gradcheck(lambda x, w, b: layer(x), [x, layer.weight, layer.bias])
    layer(x).sum().backward()
    assert layer.weight.grad.shape == (6, 3) and layer.bias.grad.shape == (6,)
    # each row of the output chooses one piece per unit: one bias gradient of 1 per unit, per row
    np.testing.assert_allclose(layer.bias.grad.data.reshape(2, 3).sum(axis=1), [4, 4])


def test_maxout_input_error_names_the_module():
    model = nn.Sequential(nn.Maxout(4, 2, 3), nn.Maxout(5, 2, 2))
    pattern = r"1 \(Maxout\): expected input of shape \(\*, 5\)"
    with pytest.raises(nn.ModuleInputError, match=pattern):
        model(shendu.randn(3, 4))
    with pytest.raises(ValueError, match="positive int"):
        nn.Maxout(4, 0, 2)


# ---------------------------------------------------------------------------- stability
STABILITY = {
    "softmax": lambda x: F.softmax(x, dim=-1),
    "log_softmax": lambda x: F.log_softmax(x, dim=-1),
    "softmin": lambda x: F.softmin(x, dim=-1),
    "sparsemax": lambda x: F.sparsemax(x, dim=-1),
    "sigmoid": F.sigmoid,
    "sigmoid_alpha": lambda x: F.sigmoid(x, alpha=3.0),
    "softplus": F.softplus,
    "softplus_no_threshold": lambda x: F.softplus(x, beta=2.0, threshold=math.inf),
    "silu": F.silu,
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "elu": F.elu,
    "tanh": F.tanh,
}
EXTREME = np.array([[1e4, -1e4, 0.0, 1.0], [-1e4, -1e4, -1e4, -1e4], [1e4, 1e4, 1e4 - 1, 5.0]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("name", list(STABILITY))
def test_stable_at_1e4_without_warnings(name, dtype):
    x = shendu.tensor(EXTREME.astype(dtype), requires_grad=True)
    upstream = np.random.default_rng(8).uniform(-1, 1, EXTREME.shape).astype(dtype)
    with warnings.catch_warnings(), np.errstate(divide="warn", over="warn", invalid="warn",
                                                under="ignore"):  # NumPy's defaults
        warnings.simplefilter("error")
        y = STABILITY[name](x)
        (y * shendu.tensor(upstream)).sum().backward()
    assert np.isfinite(y.data).all() and np.isfinite(x.grad.data).all()
    assert y.dtype == dtype and x.grad.dtype == dtype


def test_stable_values_at_1e4():
    x = shendu.tensor(EXTREME)
    np.testing.assert_array_equal(F.softmax(x, dim=1).data[0], [1, 0, 0, 0])
    np.testing.assert_allclose(F.softmax(x, dim=1).data[1], 0.25)
    np.testing.assert_allclose(F.log_softmax(x, dim=1).data[0], [0, -2e4, -1e4, -1e4 + 1])
    np.testing.assert_allclose(F.log_softmax(x, dim=1).data[1], -math.log(4))
    np.testing.assert_array_equal(F.softmin(x, dim=1).data[0], [0, 1, 0, 0])
    np.testing.assert_array_equal(F.sigmoid(x).data[0, :2], [1, 0])
    np.testing.assert_array_equal(F.softplus(x).data[0, :2], [1e4, 0])
    np.testing.assert_array_equal(F.silu(x).data[0, :2], [1e4, 0])
    np.testing.assert_array_equal(F.gelu(x).data[0, :2], [1e4, 0])
    np.testing.assert_array_equal(F.elu(x).data[0, :2], [1e4, -1])


def test_softmax_of_a_fully_masked_row_is_nan_without_warnings():
    x = shendu.tensor([[-math.inf, -math.inf], [1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.softmax(x, dim=1).data
        log_out = F.log_softmax(x, dim=1).data
    assert np.isnan(out[0]).all() and np.isnan(log_out[0]).all()  # as PyTorch
    np.testing.assert_allclose(out[1].sum(), 1, rtol=1e-6)
    assert np.isfinite(log_out[1]).all()


# ---------------------------------------------------------------------------- modules
REPRS = [
    (lambda: nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (lambda: nn.Threshold(0.1, 20, True), "Threshold(threshold=0.1, value=20, inplace=True)"),
    (lambda: nn.Sign(), "Sign()"),
    (lambda: nn.Sigmoid(), "Sigmoid()"),
    (lambda: nn.Tanh(), "Tanh()"),
    (lambda: nn.ReLU(), "ReLU()"),
    (lambda: nn.ReLU(inplace=True), "ReLU(inplace=True)"),
    (lambda: nn.ReLU6(), "ReLU6()"),
    (lambda: nn.ReLU6(True), "ReLU6(inplace=True)"),
    (lambda: nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (lambda: nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (lambda: nn.PReLU(), "PReLU(num_parameters=1)"),
    (lambda: nn.PReLU(8), "PReLU(num_parameters=8)"),
    (lambda: nn.ELU(), "ELU(alpha=1.0)"),
    (lambda: nn.GELU(), "GELU(approximate='none')"),
    (lambda: nn.GELU("tanh"), "GELU(approximate='tanh')"),
    (lambda: nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (lambda: nn.SiLU(), "SiLU()"),
    (lambda: nn.Swish(), "SiLU()"),
    (lambda: nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (lambda: nn.Hardtanh(-2, 2, True), "Hardtanh(min_val=-2, max_val=2, inplace=True)"),
    (lambda: nn.Softmax(dim=1), "Softmax(dim=1)"),
    (lambda: nn.LogSoftmax(-1), "LogSoftmax(dim=-1)"),
    (lambda: nn.Softmin(0), "Softmin(dim=0)"),
    (lambda: nn.Sparsemax(), "Sparsemax(dim=-1)"),
]


@pytest.mark.parametrize(("make", "expected"), REPRS, ids=[e for _, e in REPRS])
def test_repr_like_pytorch(make, expected):
    assert repr(make()) == expected


def test_reprs_equal_pytorch_live():
    torch = pytest.importorskip("torch")
    for _, expected in REPRS:
        name = expected.split("(")[0]
        if hasattr(torch.nn, name) and "Swish" not in expected:
            args = expected[len(name) + 1:-1]
            theirs = eval(f"torch.nn.{name}({args})", {"torch": torch})
            assert repr(theirs) == expected


MODULES = [
    (nn.Threshold(0.2, -1.0), lambda x: F.threshold(x, 0.2, -1.0)),
    (nn.Sigmoid(), F.sigmoid),
    (nn.Tanh(), F.tanh),
    (nn.ReLU(), F.relu),
    (nn.ReLU6(), F.relu6),
    (nn.LeakyReLU(0.1), lambda x: F.leaky_relu(x, 0.1)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.GELU(), F.gelu),
    (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh")),
    (nn.Softplus(2.0, 1.0), lambda x: F.softplus(x, 2.0, 1.0)),
    (nn.SiLU(), F.silu),
    (nn.Hardtanh(-0.5, 0.5), lambda x: F.hardtanh(x, -0.5, 0.5)),
    (nn.Softmax(dim=1), lambda x: F.softmax(x, dim=1)),
    (nn.LogSoftmax(dim=0), lambda x: F.log_softmax(x, dim=0)),
    (nn.Softmin(dim=-1), lambda x: F.softmin(x, dim=-1)),
    (nn.Sparsemax(dim=0), lambda x: F.sparsemax(x, dim=0)),
]


@pytest.mark.parametrize(("module", "fn"), MODULES, ids=[repr(m) for m, _ in MODULES])
def test_module_is_its_functional_form(module, fn):
    x = shendu.tensor(np.random.default_rng(9).normal(size=(3, 4, 2)) * 3, requires_grad=True)
    y = module(x)
    np.testing.assert_array_equal(y.data, fn(x).data)
    assert y.requires_grad and not list(module.parameters())


@pytest.mark.parametrize("module", [nn.ReLU(True), nn.ReLU6(True), nn.LeakyReLU(0.1, True),
                                    nn.ELU(inplace=True), nn.SiLU(True),
                                    nn.Hardtanh(inplace=True), nn.Threshold(0, 5, True)])
def test_inplace_is_accepted_and_computed_out_of_place(module):
    x = shendu.tensor([-2.0, -0.5, 0.5, 2.0])
    before = x.data.copy()
    y = module(x)
    np.testing.assert_array_equal(x.data, before)
    assert y is not x and not np.shares_memory(y.data, x.data)


def test_prelu_parameter_and_gradient():
    layer = nn.PReLU(3, init=0.1)
    assert list(layer.state_dict()) == ["weight"]
    assert layer.weight.shape == (3,) and layer.weight.dtype == shendu.float32
    np.testing.assert_allclose(layer.weight.data, 0.1)
    assert [p is layer.weight for p in layer.parameters()] == [True]
    x = np.random.default_rng(10).normal(size=(2, 3, 4)).astype(np.float32)
    out = layer(shendu.tensor(x))
    np.testing.assert_allclose(out.data, np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    out.sum().backward()
    # d/da sum(max(0, x) + a min(0, x)) = sum of min(0, x) over the channel's elements
    np.testing.assert_allclose(layer.weight.grad.data, np.minimum(x, 0).sum(axis=(0, 2)),
                               rtol=1e-5)
    shared = nn.PReLU()
    shared(shendu.tensor(x)).sum().backward()
    assert shared.weight.grad.shape == (1,)
    np.testing.assert_allclose(shared.weight.grad.data, [np.minimum(x, 0).sum()], rtol=1e-5)


def test_prelu_gradcheck_per_channel():
    layer = nn.PReLU(3).double()
    x = shendu.tensor(np.random.default_rng(11).normal(size=(2, 3, 2)), requires_grad=True)
    gradcheck(lambda x, w: layer(x), [x, layer.weight])


def test_prelu_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(12).normal(size=(2, 3, 4))
    ours, theirs = nn.PReLU(3).double(), torch.nn.PReLU(3).double()
    with torch.no_grad():
        theirs.weight.uniform_(-0.5, 0.5)
    ours.load_state_dict(theirs.state_dict())
    a, b = shendu.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(a).pow(3).sum().backward()
    theirs(b).pow(3).sum().backward()
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)


def test_prelu_channel_mismatch_names_the_module():
    model = nn.Sequential(nn.Identity(), nn.PReLU(3))
    with pytest.raises(nn.ModuleInputError, match=r"1 \(PReLU\): expected an input with 3 "):
        model(shendu.randn(2, 4))
    with pytest.raises(ValueError, match="one slope or one per channel"):
        F.prelu(shendu.randn(2, 4), shendu.ones(3))
    with pytest.raises(ValueError, match="positive int"):
        nn.PReLU(0)


def test_softmax_dim_is_required_and_checked():
    for module in (nn.Softmax, nn.LogSoftmax, nn.Softmin):
        with pytest.raises(TypeError, match="dim is required"):
            module()
    with pytest.raises(TypeError, match="dim is required"):
        F.softmax(shendu.randn(2, 3))
    x = shendu.tensor(np.random.default_rng(13).normal(size=(2, 3, 4)))
    for dim in (0, 1, 2, -1, -3):
        np.testing.assert_allclose(nn.Softmax(dim)(x).data.sum(axis=dim), 1, rtol=1e-14)
        np.testing.assert_allclose(np.exp(nn.LogSoftmax(dim)(x).data).sum(axis=dim), 1,
                                   rtol=1e-14)
    with pytest.raises(IndexError, match="softmax"):
        nn.Softmax(dim=3)(x)
    with pytest.raises(TypeError, match="floating-point"):
        F.softmax(shendu.tensor([1, 2, 3]), dim=0)
    out = F.softmax(shendu.tensor([1, 2, 3]), dim=0, dtype=shendu.float64)
    assert out.dtype == shendu.float64
    assert F.softmax(shendu.tensor(5.0), dim=0).item() == 1.0  # 0-d: dim 0 or -1, as PyTorch
    assert F.log_softmax(shendu.tensor(5.0), dim=-1).item() == 0.0


def test_sign_module_is_not_differentiable():
    x = shendu.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    y = nn.Sign()(x)
    np.testing.assert_array_equal(y.data, [-1, 0, 1])
    assert not y.requires_grad


def test_heaviside_as_torch():
    x = shendu.tensor([-1.5, 0.0, 2.0, math.nan, -0.0])
    np.testing.assert_array_equal(F.heaviside(x, shendu.tensor([0.5])).data, [0, 0.5, 1, 0, 0.5])
    np.testing.assert_array_equal(F.heaviside(x, 0.25).data, [0, 0.25, 1, 0, 0.25])
    assert F.heaviside(x, 0.25).dtype == shendu.float32
    with pytest.raises(TypeError, match="same dtype"):
        F.heaviside(x, shendu.tensor([0.5], dtype=shendu.float64))
    with pytest.raises(ValueError, match="broadcast"):
        F.heaviside(x, shendu.tensor([0.5, 1.0]))


def test_absolute_value_rectifier_is_shendu_abs():
    # g(x) = max(0, x) + a min(0, x) with a = -1 (the module file's docstring says so)
    x = shendu.tensor([-2.0, -0.5, 0.0, 1.5])
    g = F.relu(x) - shendu.minimum(x, shendu.zeros(4))
    np.testing.assert_array_equal(shendu.abs(x).data, g.data)
    assert "shendu.abs" in nn.activation.__doc__


def test_functional_errors():
    x = shendu.randn(2, 6)
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="multiple of num_pieces"):
        F.maxout(x, 4)
    with pytest.raises(ValueError, match="num_pieces"):
        F.maxout(x, 0)
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(x, 1.0, -1.0)
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(1.0, 1.0)
    with pytest.raises(ValueError, match="beta"):
        F.softplus(x, beta=0)
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    for fn in (F.leaky_relu, F.elu, F.gelu, F.silu, F.softplus, F.sigmoid, F.sparsemax):
        with pytest.raises(TypeError, match="floating-point"):
            fn(shendu.tensor([1, 2]))


def test_integer_inputs_where_pytorch_takes_them():
    x = shendu.tensor([-3, 0, 3])
    np.testing.assert_array_equal(F.relu(x).data, [0, 0, 3])
    assert F.hardtanh(x).dtype == shendu.int64
    np.testing.assert_array_equal(F.hardtanh(x).data, [-1, 0, 1])
    np.testing.assert_array_equal(F.relu6(shendu.tensor([-3, 0, 9])).data, [0, 0, 6])
    np.testing.assert_array_equal(F.threshold(x, 1, 0.5).data, [0, 0, 3])


def test_everything_is_exported():
    for name in ops_activation.__all__:
        assert getattr(F, name) is getattr(ops_activation, name)
    for name in nn.activation.__all__:
        assert getattr(nn, name) is getattr(nn.activation, name)
    assert nn.Swish is nn.SiLU
