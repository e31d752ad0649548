"""``shendu.nn.init`` against the formulas and against PyTorch.

Statistical checks use one significance level: a check fails by chance with probability about
ALPHA = 1e-6 (|z| > Z = 4.89 for a normal statistic), so the suite stays quiet under any seed
yet a wrong fan, gain or formula (a change of a few percent in a variance on 10^4..10^6
samples, many standard errors) fails. The standard errors come from the distribution's moments:

    SE(sample mean)     = sqrt(var / n)
    SE(sample variance) = sqrt((mu4 - var^2) / n)     (mu4: 4th central moment)

and the shape of the distribution is checked with a Kolmogorov-Smirnov test whose critical
value comes from P(sqrt(n) D_n > x) ~ 2 exp(-2 x^2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import shendu
from shendu.nn import Parameter, init
from shendu.nn.init import _calculate_fan_in_and_fan_out

try:
    import torch
    import torch.nn.init as torch_init
except ImportError:  # the suite runs without torch; the live checks are skipped
    torch = None

live = pytest.mark.skipif(torch is None, reason="live parity needs torch (pip install torch)")

ALPHA = 1e-6
Z = 4.89  # two-sided normal quantile of ALPHA: P(|N(0, 1)| > 4.89) = 1.0e-6
KS = math.sqrt(math.log(2 / ALPHA) / 2)  # sqrt(n) * D_n exceeds this with probability ALPHA
KS_SAMPLES = 100_000  # the KS test uses this many of the values (Python-level erf per value)

LINEAR_SHAPE = (800, 1250)  # 10^6 weights; fan_in = 1250 != fan_out = 800
CONV_SHAPE = (64, 32, 3, 3)  # fan_in = 32 * 9 = 288, fan_out = 64 * 9 = 576
FANS = {LINEAR_SHAPE: (1250, 800), CONV_SHAPE: (288, 576)}

_erf = np.frompyfunc(math.erf, 1, 1)


def normal_cdf(x):
    """Phi(x), elementwise."""
    return (1 + np.asarray(_erf(np.asarray(x, dtype=np.float64) / math.sqrt(2)), np.float64)) / 2


def normal_pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi) if math.isfinite(x) else 0.0


# ---------------------------------------------------------------------------- distributions
class Dist:
    """mean, variance, 4th central moment, CDF and support of a distribution."""

    def __init__(self, mean, var, mu4, cdf, lo=-math.inf, hi=math.inf, flat=False):
        self.mean, self.var, self.mu4, self.cdf, self.lo, self.hi = mean, var, mu4, cdf, lo, hi
        self.flat = flat  # uniform: the density is 1 / (hi - lo) up to both ends


def uniform(a: float, b: float) -> Dist:
    half = (b - a) / 2
    return Dist((a + b) / 2, half**2 / 3, half**4 / 5,
                lambda x: np.clip((x - a) / (b - a), 0, 1), a, b, flat=True)


def normal(mean: float, std: float) -> Dist:
    return Dist(mean, std**2, 3 * std**4, lambda x: normal_cdf((x - mean) / std))


def truncated_normal(mean: float, std: float, a: float, b: float) -> Dist:
    """Raw moments of the standard normal truncated to [alpha, beta] by the recursion
    m_k = (k - 1) m_(k-2) + (alpha^(k-1) phi(alpha) - beta^(k-1) phi(beta)) / Z, then the
    central moments, scaled by std."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    mass = math.erf(beta / math.sqrt(2)) / 2 - math.erf(alpha / math.sqrt(2)) / 2
    m = [1.0, (normal_pdf(alpha) - normal_pdf(beta)) / mass]
    for k in range(2, 5):
        m.append((k - 1) * m[k - 2]
                 + (alpha ** (k - 1) * normal_pdf(alpha) - beta ** (k - 1) * normal_pdf(beta))
                 / mass)
    mu = m[1]
    var = m[2] - mu**2
    mu4 = m[4] - 4 * m[3] * mu + 6 * m[2] * mu**2 - 3 * mu**4
    phi_a = normal_cdf(alpha)

    def cdf(x):
        return np.clip((normal_cdf((x - mean) / std) - phi_a) / mass, 0, 1)

    return Dist(mean + std * mu, std**2 * var, std**4 * mu4, cdf, a, b)


def check_samples(values: np.ndarray, dist: Dist, dtype=np.float32) -> None:
    """The sample mean and variance within Z standard errors of ``dist``'s, the support
    respected (in the tensor's dtype: rounding is monotonic), a finite support reached, and
    the empirical CDF within the KS bound of ``dist``'s."""
    x = np.asarray(values, dtype=np.float64).ravel()
    n = x.size
    se_mean = math.sqrt(dist.var / n)
    assert abs(x.mean() - dist.mean) < Z * se_mean, (x.mean(), dist.mean, se_mean)
    se_var = math.sqrt((dist.mu4 - dist.var**2) / n)
    assert abs(x.var() - dist.var) < Z * se_var, (x.var(), dist.var, se_var)
    if math.isfinite(dist.lo):
        lo, hi = dtype(dist.lo), dtype(dist.hi)
        assert x.min() >= lo and x.max() <= hi, (x.min(), x.max(), lo, hi)
        # P(no sample within d of an end) = (1 - F-mass within d)^n; for a uniform that is
        # (1 - d / (hi - lo))^n <= ALPHA when d = (hi - lo) ln(1 / ALPHA) / n
        if dist.flat:
            d = (dist.hi - dist.lo) * math.log(1 / ALPHA) / n
            assert x.min() <= dist.lo + d and x.max() >= dist.hi - d, (x.min(), x.max(), d)
    sample = np.sort(x[:KS_SAMPLES])
    k = sample.size
    cdf = dist.cdf(sample)
    d_n = max((np.arange(1, k + 1) / k - cdf).max(), (cdf - np.arange(k) / k).max())
    assert math.sqrt(k) * d_n < KS, (d_n, KS / math.sqrt(k))


def empty(shape, dtype=np.float32) -> shendu.Tensor:
    return shendu.zeros(*shape, dtype=dtype)


@pytest.fixture(autouse=True)
def _seed():
    shendu.manual_seed(1234)


# ---------------------------------------------------------------------------- gains and fans
GAINS = {  # torch.nn.init.calculate_gain, written out
    "linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0, "tanh": 5 / 3,
    "relu": math.sqrt(2), "selu": 0.75,
}
LEAKY = [(None, math.sqrt(2 / (1 + 0.01**2))), (0, math.sqrt(2)), (0.2, math.sqrt(2 / 1.04)),
         (1, 1.0), (3, math.sqrt(2 / 10)), (math.sqrt(5), math.sqrt(2 / 6))]


@pytest.mark.parametrize("name", sorted(GAINS))
def test_calculate_gain_constants(name):
    assert init.calculate_gain(name) == pytest.approx(GAINS[name], rel=1e-15)
    assert init.calculate_gain(name, 0.5) == pytest.approx(GAINS[name], rel=1e-15)


@pytest.mark.parametrize("param,gain", LEAKY)
def test_calculate_gain_leaky_relu(param, gain):
    assert init.calculate_gain("leaky_relu", param) == pytest.approx(gain, rel=1e-15)


@pytest.mark.torch
@live
@pytest.mark.parametrize("name", [*sorted(GAINS), "leaky_relu"])
@pytest.mark.parametrize("param", [None, 0, 0.2, 3, math.sqrt(5)])
def test_calculate_gain_matches_torch(name, param):
    assert init.calculate_gain(name, param) == torch_init.calculate_gain(name, param)


@pytest.mark.parametrize("name,param", [("identity", None), ("softmax", None), ("ReLU", None),
                                        ("leaky_relu", True), ("leaky_relu", "0.1")])
def test_calculate_gain_rejects_what_torch_rejects(name, param):
    with pytest.raises(ValueError, match="calculate_gain"):
        init.calculate_gain(name, param)
    if torch is not None:
        with pytest.raises(ValueError):
            torch_init.calculate_gain(name, param)


FAN_SHAPES = {(5, 3): (3, 5), (7, 4, 3): (12, 21), (64, 32, 3, 3): (288, 576),
              (8, 2, 3, 4, 5): (120, 480), (1, 1): (1, 1), (6, 0, 3): (0, 18)}


@pytest.mark.parametrize("shape", list(FAN_SHAPES), ids=str)
def test_fans(shape):
    assert _calculate_fan_in_and_fan_out(empty(shape)) == FAN_SHAPES[shape]
    if torch is not None:
        expected = torch_init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert _calculate_fan_in_and_fan_out(empty(shape)) == expected


@pytest.mark.parametrize("shape", [(), (5,)], ids=str)
def test_fan_needs_two_dimensions(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions.*" + re_shape(shape)):
        _calculate_fan_in_and_fan_out(empty(shape))
    for fn in (init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
               init.kaiming_normal_):
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            fn(empty(shape))


def re_shape(shape) -> str:
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


# ---------------------------------------------------------------------------- distributions
def test_uniform_():
    w = init.uniform_(empty((1000, 1000)), -0.3, 0.7)
    check_samples(w.data, uniform(-0.3, 0.7))


def test_uniform_default_is_unit_interval():
    check_samples(init.uniform_(empty(CONV_SHAPE)).data, uniform(0.0, 1.0))


def test_normal_():
    check_samples(init.normal_(empty((1000, 1000)), 0.5, 2.0).data, normal(0.5, 2.0))
    check_samples(init.normal_(empty(CONV_SHAPE)).data, normal(0.0, 1.0))


@pytest.mark.parametrize("shape", [LINEAR_SHAPE, CONV_SHAPE], ids=str)
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_uniform_(shape, gain):
    fan_in, fan_out = FANS[shape]
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    check_samples(init.xavier_uniform_(empty(shape), gain=gain).data, uniform(-bound, bound))


@pytest.mark.parametrize("shape", [LINEAR_SHAPE, CONV_SHAPE], ids=str)
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2)])
def test_xavier_normal_(shape, gain):
    fan_in, fan_out = FANS[shape]
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    check_samples(init.xavier_normal_(empty(shape), gain=gain).data, normal(0.0, std))


KAIMING = [  # (a, nonlinearity, gain)
    (0, "relu", math.sqrt(2)),
    (0, "leaky_relu", math.sqrt(2)),
    (0.2, "leaky_relu", math.sqrt(2 / 1.04)),
    (math.sqrt(5), "leaky_relu", math.sqrt(1 / 3)),  # what Linear and Conv use
    (0, "tanh", 5 / 3),
    (0, "linear", 1.0),
]


@pytest.mark.parametrize("shape", [LINEAR_SHAPE, CONV_SHAPE], ids=str)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("a,nonlinearity,gain", KAIMING)
def test_kaiming_uniform_(shape, mode, a, nonlinearity, gain):
    fan = FANS[shape][mode == "fan_out"]
    bound = gain * math.sqrt(3 / fan)
    w = init.kaiming_uniform_(empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    check_samples(w.data, uniform(-bound, bound))


@pytest.mark.parametrize("shape", [LINEAR_SHAPE, CONV_SHAPE], ids=str)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("a,nonlinearity,gain", KAIMING)
def test_kaiming_normal_(shape, mode, a, nonlinearity, gain):
    fan = FANS[shape][mode == "fan_out"]
    w = init.kaiming_normal_(empty(shape), a=a, mode=mode, nonlinearity=nonlinearity)
    check_samples(w.data, normal(0.0, gain / math.sqrt(fan)))


def test_kaiming_defaults_are_torchs():
    # a=0, fan_in, leaky_relu: gain sqrt(2 / (1 + 0)) = sqrt(2), bound sqrt(6 / fan_in)
    bound = math.sqrt(6 / 1250)
    check_samples(init.kaiming_uniform_(empty(LINEAR_SHAPE)).data, uniform(-bound, bound))
    w = init.kaiming_uniform_(empty(LINEAR_SHAPE), a=math.sqrt(5))  # Linear's reset_parameters
    check_samples(w.data, uniform(-1 / math.sqrt(1250), 1 / math.sqrt(1250)))


def test_kaiming_mode_is_case_insensitive_as_torch():
    w = init.kaiming_normal_(empty(LINEAR_SHAPE), mode="FAN_OUT", nonlinearity="relu")
    check_samples(w.data, normal(0.0, math.sqrt(2 / 800)))


TRUNC = [  # (mean, std, a, b): both of PyTorch's sampling regimes (mass > 0.3 and below)
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 0.02, -0.04, 0.04),  # ViT's trunc_normal_(std=.02) with cut-offs at 2 std
    (1.0, 0.5, -1.0, 1.25),  # asymmetric
    (0.0, 1.0, 1.5, 3.0),  # mass 0.065: the uniform-proposal regime
    (0.0, 1.0, -0.1, 0.1),  # mass 0.08, a narrow window around the mean
    (5.0, 1.0, -1.0, 2.0),  # the mean outside [a, b] (3 std from b)
]


@pytest.mark.parametrize("mean,std,a,b", TRUNC)
def test_trunc_normal_(mean, std, a, b):
    if mean > b + 2 * std:
        with pytest.warns(UserWarning, match="more than 2 std"):
            w = init.trunc_normal_(empty((1000, 1000)), mean, std, a, b)
    else:
        w = init.trunc_normal_(empty((1000, 1000)), mean, std, a, b)
    check_samples(w.data, truncated_normal(mean, std, a, b))


def test_trunc_normal_default_and_float64():
    w = init.trunc_normal_(empty(CONV_SHAPE, np.float64))
    assert w.dtype == np.float64
    check_samples(w.data, truncated_normal(0.0, 1.0, -2.0, 2.0), np.float64)


def test_constant_zeros_ones():
    for dtype in (np.float32, np.float64, np.int64):
        w = empty((4, 5), dtype)
        assert np.all(init.constant_(w, 3).data == 3) and w.dtype == dtype
        assert np.all(init.ones_(w).data == 1) and w.dtype == dtype
        assert np.all(init.zeros_(w).data == 0) and w.dtype == dtype
    assert np.all(init.constant_(empty((2, 3, 4)), -0.25).data == np.float32(-0.25))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)], ids=str)
def test_eye_(shape):
    w = init.eye_(shendu.randn(*shape))
    np.testing.assert_array_equal(w.data, np.eye(*shape, dtype=np.float32))
    if torch is not None:
        np.testing.assert_array_equal(w.data, torch_init.eye_(torch.empty(shape)).numpy())


# ---------------------------------------------------------------------------- orthogonal
@pytest.mark.parametrize("shape", [(300, 500), (500, 300), (200, 200), (64, 32, 3, 3),
                                   (16, 2, 3, 3)], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_(shape, dtype, gain):
    w = init.orthogonal_(empty(shape, dtype), gain=gain)
    assert w.dtype == dtype and w.shape == shape
    q = w.data.reshape(shape[0], -1).astype(np.float64) / gain
    rows, cols = q.shape
    gram = q.T @ q if rows >= cols else q @ q.T  # columns / rows orthonormal
    # Each entry of Q is Q exactly times (1 + e), |e| <= u (rounding to dtype), so an inner
    # product of two unit vectors of length n is off by at most (2u + u^2) n-term-wise:
    # |(Q^T Q - I)_ij| <= (n + 2) u with n = max(rows, cols) (Wilkinson's bound).
    u = np.finfo(dtype).eps / 2
    bound = (max(rows, cols) + 2) * u
    err = np.abs(gram - np.eye(min(rows, cols))).max()
    assert err <= bound, (err, bound)


def test_orthogonal_is_haar_distributed():
    # For Q uniform on O(n), E[tr Q] = 0 and Var[tr Q] = 1 (Diaconis & Shahshahani 1994).
    # A QR factor without the sign fix has tr Q around -17 for n = 1000.
    traces = [np.trace(init.orthogonal_(empty((1000, 1000), np.float64)).data)
              for _ in range(3)]
    se = math.sqrt(1 / len(traces))
    assert abs(np.mean(traces)) < Z * se, traces


def test_orthogonal_needs_two_dimensions():
    with pytest.raises(ValueError, match="orthogonal_.*2 or more"):
        init.orthogonal_(empty((5,)))


# ---------------------------------------------------------------------------- in place
ALL = {
    "uniform_": lambda w: init.uniform_(w, -1, 1),
    "normal_": lambda w: init.normal_(w, 0, 1),
    "trunc_normal_": lambda w: init.trunc_normal_(w, std=0.02),
    "constant_": lambda w: init.constant_(w, 0.5),
    "zeros_": init.zeros_,
    "ones_": init.ones_,
    "eye_": init.eye_,
    "xavier_uniform_": init.xavier_uniform_,
    "xavier_normal_": init.xavier_normal_,
    "kaiming_uniform_": lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_normal_": lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
    "orthogonal_": init.orthogonal_,
}
RANDOM = [name for name in ALL if name not in ("constant_", "zeros_", "ones_", "eye_")]


@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_in_place_on_a_parameter_that_requires_grad(name, dtype):
    p = Parameter(shendu.full((6, 4), 7.0, dtype=dtype))
    array = p.data
    assert shendu.is_grad_enabled()
    out = ALL[name](p)
    assert out is p and p.data is array, "fills the tensor's own array"
    assert p.dtype == dtype and p.shape == (6, 4)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None and p.grad is None
    assert not np.any(p.data == 7.0) or name in ("eye_", "zeros_"), "every element written"
    (p * 2).sum().backward()  # still an ordinary leaf
    np.testing.assert_array_equal(p.grad.data, np.full((6, 4), 2, dtype=dtype))


@pytest.mark.parametrize("name", list(ALL))
def test_reinitialising_a_saved_tensor_invalidates_backward(name):
    w = Parameter(shendu.randn(3, 3))
    x = shendu.randn(3, 3, requires_grad=True)
    y = (x @ w).sum()  # matmul saves w for backward
    ALL[name](w)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


@pytest.mark.parametrize("name", RANDOM)
def test_reproducible_with_manual_seed(name):
    shendu.manual_seed(7)
    first = ALL[name](empty((20, 30))).data.copy()
    shendu.manual_seed(7)
    again = ALL[name](empty((20, 30))).data.copy()
    np.testing.assert_array_equal(first, again)
    later = ALL[name](empty((20, 30))).data  # the stream moved on
    assert not np.array_equal(first, later)


def test_generator_argument():
    a = init.normal_(empty((5, 5)), generator=np.random.default_rng(3)).data.copy()
    b = init.normal_(empty((5, 5)), generator=np.random.default_rng(3)).data.copy()
    np.testing.assert_array_equal(a, b)
    shendu.manual_seed(3)
    before = shendu.randn(3).data
    shendu.manual_seed(3)
    init.kaiming_uniform_(empty((5, 5)), generator=np.random.default_rng(0))
    np.testing.assert_array_equal(shendu.randn(3).data, before)  # global stream untouched


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("fn", [init.kaiming_uniform_, init.kaiming_normal_])
def test_bad_mode(fn):
    with pytest.raises(ValueError, match="mode 'fan_avg'.*'fan_in' or 'fan_out'"):
        fn(empty((3, 4)), mode="fan_avg")


@pytest.mark.parametrize("fn", [init.kaiming_uniform_, init.kaiming_normal_])
def test_unknown_nonlinearity(fn):
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        fn(empty((3, 4)), nonlinearity="swish")


def test_bad_arguments():
    with pytest.raises(ValueError, match="uniform_.*a <= b"):
        init.uniform_(empty((3,)), 1.0, 0.0)
    with pytest.raises(ValueError, match="normal_.*std >= 0"):
        init.normal_(empty((3,)), 0.0, -1.0)
    with pytest.raises(ValueError, match="trunc_normal_.*a < b"):
        init.trunc_normal_(empty((3,)), a=1.0, b=1.0)
    with pytest.raises(ValueError, match="trunc_normal_.*std > 0"):
        init.trunc_normal_(empty((3,)), std=0.0)
    with pytest.raises(ValueError, match="eye_.*2 dimensions.*\\(2, 2, 2\\)"):
        init.eye_(empty((2, 2, 2)))


@pytest.mark.parametrize("name", list(ALL))
def test_not_a_tensor(name):
    with pytest.raises(TypeError, match="expected a Tensor, got ndarray"):
        ALL[name](np.zeros((3, 3), dtype=np.float32))


@pytest.mark.parametrize("name", RANDOM)
def test_random_fill_needs_floats(name):
    with pytest.raises(TypeError, match="floating-point tensor, got dtype int64"):
        ALL[name](empty((3, 3), np.int64))


def test_read_only_memory():
    view = shendu.zeros(1, 3).expand(4, 3)
    view.data.flags.writeable = False  # what a large expand() gives
    with pytest.raises(RuntimeError, match="read-only"):
        init.normal_(view)


def test_zero_element_tensors():
    for name, fn in ALL.items():
        w = empty((0, 5))
        if name.startswith("kaiming"):
            with pytest.warns(UserWarning, match="zero-element tensor is a no-op"):
                assert fn(w) is w
        else:
            assert fn(w) is w


# ---------------------------------------------------------------------------- live PyTorch
LIVE = [  # (name, shendu call, torch call): the same arguments, a large tensor each
    ("xavier_uniform", lambda w: init.xavier_uniform_(w, 1.3),
     lambda w: torch_init.xavier_uniform_(w, 1.3)),
    ("xavier_normal", lambda w: init.xavier_normal_(w), lambda w: torch_init.xavier_normal_(w)),
    ("kaiming_uniform_a5", lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)),
     lambda w: torch_init.kaiming_uniform_(w, a=math.sqrt(5))),
    ("kaiming_normal_out_relu",
     lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
     lambda w: torch_init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")),
    ("kaiming_uniform_tanh", lambda w: init.kaiming_uniform_(w, nonlinearity="tanh"),
     lambda w: torch_init.kaiming_uniform_(w, nonlinearity="tanh")),
    ("trunc_normal", lambda w: init.trunc_normal_(w, 0.1, 0.5, -0.5, 0.4),
     lambda w: torch_init.trunc_normal_(w, 0.1, 0.5, -0.5, 0.4)),
    ("trunc_normal_tail", lambda w: init.trunc_normal_(w, 0.0, 1.0, 1.0, 2.5),
     lambda w: torch_init.trunc_normal_(w, 0.0, 1.0, 1.0, 2.5)),
]


@pytest.mark.torch
@live
@pytest.mark.parametrize("shape", [LINEAR_SHAPE, CONV_SHAPE], ids=str)
@pytest.mark.parametrize("name,ours,theirs", LIVE, ids=[case[0] for case in LIVE])
def test_same_distribution_as_torch(name, ours, theirs, shape):
    """Two independent samples of the same distribution: the difference of the means and of
    the variances within Z standard errors of a difference (sqrt(2) times one sample's), and
    the two-sample KS statistic below its bound."""
    torch.manual_seed(0)
    x = ours(empty(shape)).data.astype(np.float64).ravel()
    y = theirs(torch.empty(shape)).numpy().astype(np.float64).ravel()
    n = x.size
    var = y.var()
    mu4 = np.mean((y - y.mean()) ** 4)
    assert abs(x.mean() - y.mean()) < Z * math.sqrt(2 * var / n)
    assert abs(x.var() - var) < Z * math.sqrt(2 * (mu4 - var**2) / n)
    # two-sample KS: sqrt(n m / (n + m)) D exceeds KS with probability ALPHA
    a, b = np.sort(x[:KS_SAMPLES]), np.sort(y[:KS_SAMPLES])
    grid = np.concatenate([a, b])
    d = np.abs(np.searchsorted(a, grid, "right") / a.size
               - np.searchsorted(b, grid, "right") / b.size).max()
    assert math.sqrt(a.size * b.size / (a.size + b.size)) * d < KS, d
