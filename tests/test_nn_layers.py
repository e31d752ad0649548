"""The basic layers (Linear, Dense, Flatten, Unflatten, Dropout, Dropout2d, Embedding,
BatchNorm1d/2d, LayerNorm, GroupNorm): module-level runs against PyTorch (golden file and
live), initialisation statistics, dropout statistics, state_dict keys, repr, and errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.nn import functional as F
from tests.cases.layers import SCENARIOS, run_scenario, scenario_inputs
from tests.opcases import (
    assert_all_match,
    build_module,
    check_state_dict_keys_and_repr,
)

try:
    import torch
except ImportError:  # the golden-file tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="live parity needs torch "
                                 "(pip install torch==2.13.0)")
GOLDEN = Path(__file__).parent / "golden" / "nn_layers.npz"
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])


def _parameter_shapes(scenario) -> dict:
    return {n: tuple(p.shape) for n, p in scenario.make(nn).named_parameters()}


# ---------------------------------------------------------------------------- module runs
@pytest.fixture(scope="module")
def golden():
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run `python tools/make_golden_nn.py`"
    with np.load(GOLDEN, allow_pickle=False) as data:
        return dict(data)


@DTYPES
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_module_matches_golden(scenario, dtype, golden):
    """Training steps then evaluation: outputs, all gradients, buffers (running_mean,
    running_var, num_batches_tracked) and final parameters, as PyTorch 2.13 computed them."""
    prefix = f"{scenario.name}/"
    arrays = {k[len(prefix) + 3:]: v for k, v in golden.items() if k.startswith(prefix + "in/")}
    assert arrays, f"no golden arrays for {scenario.name}: rerun tools/make_golden_nn.py"
    out_prefix = f"{prefix}{np.dtype(dtype).name}/"
    expected = {k[len(out_prefix):]: v for k, v in golden.items() if k.startswith(out_prefix)}
    ours = run_scenario(shendu, scenario, arrays, dtype)
    assert_all_match(f"{scenario.name}/{np.dtype(dtype).name}", ours, expected, dtype)


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_module_matches_torch(scenario, dtype, seed):
    arrays = scenario_inputs(scenario, _parameter_shapes(scenario), seed)
    ours = run_scenario(shendu, scenario, arrays, dtype)
    theirs = run_scenario(torch, scenario, arrays, dtype)
    assert_all_match(f"{scenario.name}/{np.dtype(dtype).name}/seed{seed}", ours, theirs, dtype)


def test_batchnorm_running_statistics_by_hand():
    """momentum 0.1, then the cumulative average (momentum=None), with the unbiased variance."""
    x1 = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])
    x2 = np.array([[0.0, 0.0], [4.0, 8.0], [2.0, 1.0]])
    bn = nn.BatchNorm1d(2).double()
    bn(shendu.tensor(x1))
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * x1.mean(0))
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * x1.var(0, ddof=1))
    average = nn.BatchNorm1d(2, momentum=None).double()
    for x in (x1, x2):
        average(shendu.tensor(x))
    np.testing.assert_allclose(average.running_mean.numpy(), (x1.mean(0) + x2.mean(0)) / 2)
    np.testing.assert_allclose(average.running_var.numpy(),
                               (x1.var(0, ddof=1) + x2.var(0, ddof=1)) / 2)
    assert average.num_batches_tracked.item() == 2
    assert average.num_batches_tracked.dtype == np.int64
    average.eval()
    y = average(shendu.tensor(x2)).detach().numpy()
    mean, var = average.running_mean.numpy(), average.running_var.numpy()
    np.testing.assert_allclose(y, (x2 - mean) / np.sqrt(var + 1e-5))
    average.reset_running_stats()
    assert average.num_batches_tracked.item() == 0
    np.testing.assert_array_equal(average.running_var.numpy(), [1.0, 1.0])


def test_batchnorm_eval_and_no_grad_leave_statistics_alone():
    bn = nn.BatchNorm2d(3)
    x = shendu.randn(4, 3, 2, 2)
    bn.eval()
    bn(x)
    assert bn.num_batches_tracked.item() == 0
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(3, np.float32))
    bn.train()
    with shendu.no_grad():
        bn(x)  # training mode under no_grad still updates (as PyTorch)
    assert bn.num_batches_tracked.item() == 1


def test_batchnorm_empty_batch_leaves_statistics_alone():
    bn = nn.BatchNorm1d(3)
    assert bn(shendu.ones(0, 3)).shape == (0, 3)
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(3, np.float32))
    assert bn.num_batches_tracked.item() == 1  # counted, as PyTorch


def test_batchnorm_eval_input_changed_in_place_is_caught():
    bn = nn.BatchNorm2d(2).eval()
    x = shendu.randn(2, 2, 3, 3)
    y = bn(x)
    x.add_(1.0)  # x was saved for the weight's gradient
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_batchnorm_without_running_stats_uses_batch_statistics_in_eval():
    bn = nn.BatchNorm1d(3, track_running_stats=False).eval()
    x = shendu.randn(6, 3)
    y = bn(x).detach().numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    assert list(bn.state_dict()) == ["weight", "bias"]
    assert bn.running_mean is None and bn.num_batches_tracked is None


def test_layers_train_a_small_model():
    """Linear + BatchNorm1d + Dropout + LayerNorm together learn a linearly separable task."""
    shendu.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 4)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5, 1.0]) > 0).astype(np.float32)[:, None]
    model = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.Dropout(0.1),
                          nn.LayerNorm(16), nn.Dense(16, 1, activation="sigmoid"))
    params = list(model.parameters())
    for _ in range(150):
        p = model(shendu.tensor(X))
        loss = -(shendu.tensor(y) * p.log() + (1 - shendu.tensor(y)) * (1 - p).log()).mean()
        for param in params:
            param.grad = None
        loss.backward()
        with shendu.no_grad():
            for param in params:
                param -= 0.5 * param.grad
    model.eval()
    accuracy = ((model(shendu.tensor(X)).detach().numpy() > 0.5) == (y > 0.5)).mean()
    assert accuracy > 0.95


# ---------------------------------------------------------------------------- initialisation
def _assert_uniform(values: np.ndarray, bound: float) -> None:
    """Samples of U(-bound, bound): inside the bounds, reaching near them, mean 0 and variance
    bound^2 / 3 within 5 standard errors."""
    n = values.size
    assert np.abs(values).max() <= bound
    assert values.max() > 0.99 * bound and values.min() < -0.99 * bound
    var = bound**2 / 3
    assert abs(values.mean()) < 5 * math.sqrt(var / n)
    # the variance of a uniform sample variance: (mu4 - var^2) / n, mu4 = bound^4 / 5
    assert abs(values.var() - var) < 5 * math.sqrt((bound**4 / 5 - var**2) / n)


def test_linear_default_initialisation():
    shendu.manual_seed(0)
    layer = nn.Linear(1000, 400)
    bound = 1 / math.sqrt(1000)
    _assert_uniform(layer.weight.detach().numpy(), bound)
    bias = layer.bias.detach().numpy()
    assert np.abs(bias).max() <= bound and bias.std() > 0.4 * bound
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad


def test_linear_initialisation_is_reproducible_and_reset():
    shendu.manual_seed(7)
    a = nn.Linear(6, 4)
    shendu.manual_seed(7)
    b = nn.Linear(6, 4)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    np.testing.assert_array_equal(a.bias.detach().numpy(), b.bias.detach().numpy())
    weight = a.weight.data
    a.reset_parameters()
    assert a.weight.data is weight  # the same array, drawn again
    assert not np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())


def test_linear_dtype_and_no_bias():
    layer = nn.Linear(3, 2, bias=False, dtype=shendu.float64)
    assert layer.weight.dtype == np.float64 and layer.bias is None
    assert list(layer.state_dict()) == ["weight"]
    assert layer(shendu.ones(5, 3, dtype=shendu.float64)).shape == (5, 2)
    with pytest.raises(ValueError, match="device 'cuda'"):
        nn.Linear(3, 2, device="cuda")


def test_embedding_default_initialisation():
    shendu.manual_seed(0)
    emb = nn.Embedding(2000, 100, padding_idx=3)
    w = emb.weight.detach().numpy()
    np.testing.assert_array_equal(w[3], 0)
    rest = np.delete(w, 3, axis=0)
    n = rest.size
    assert abs(rest.mean()) < 5 / math.sqrt(n)
    assert abs(rest.var() - 1) < 5 * math.sqrt(2 / n)


def test_normalization_default_parameters():
    for module in (nn.BatchNorm1d(5), nn.BatchNorm2d(5), nn.GroupNorm(5, 5), nn.LayerNorm(5)):
        np.testing.assert_array_equal(module.weight.detach().numpy(), np.ones(5, np.float32))
        np.testing.assert_array_equal(module.bias.detach().numpy(), np.zeros(5, np.float32))
    bn = nn.BatchNorm2d(5)
    np.testing.assert_array_equal(bn.running_mean.numpy(), np.zeros(5, np.float32))
    np.testing.assert_array_equal(bn.running_var.numpy(), np.ones(5, np.float32))


# ---------------------------------------------------------------------------- dropout
def test_dropout_zero_fraction_and_scaling():
    shendu.manual_seed(0)
    x = shendu.ones(1000, 1000)
    for p in (0.1, 0.5, 0.8):
        y = F.dropout(x, p).numpy()
        n = y.size
        zero = (y == 0).mean()
        assert abs(zero - p) < 5 * math.sqrt(p * (1 - p) / n), (p, zero)
        kept = y[y != 0]
        np.testing.assert_allclose(kept, 1 / (1 - p), rtol=1e-6)
        assert y.dtype == np.float32


def test_dropout_gradient_is_the_mask():
    shendu.manual_seed(1)
    x = shendu.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3)
    y.sum().backward()
    mask = y.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)


def test_dropout_eval_and_edge_probabilities():
    x = shendu.randn(4, 5, requires_grad=True)
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    assert F.dropout(x, 0.0) is x and F.dropout(x, 0.7, training=False) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).detach().numpy(), 0)
    assert nn.Dropout(1.0)(x).requires_grad


def test_dropout_reproducible_with_manual_seed():
    x = shendu.ones(100)
    shendu.manual_seed(3)
    a, b = F.dropout(x).numpy(), F.dropout(x).numpy()
    shendu.manual_seed(3)
    c = nn.Dropout()(x).numpy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)  # each call draws a new mask


def test_dropout2d_zeroes_whole_channels():
    shendu.manual_seed(0)
    x = shendu.ones(200, 50, 3, 3)
    y = nn.Dropout2d(0.4)(x).numpy()
    per_map = y.reshape(200, 50, 9)
    assert np.all((per_map == 0).all(-1) | (per_map == per_map[..., :1]).all(-1))
    dropped = (per_map == 0).all(-1).mean()
    assert abs(dropped - 0.4) < 5 * math.sqrt(0.24 / 10000)
    np.testing.assert_allclose(per_map[per_map != 0], 1 / 0.6, rtol=1e-6)
    unbatched = F.dropout2d(shendu.ones(30, 2, 2), 0.5).numpy()
    assert np.all((unbatched == 0).all((1, 2)) | (unbatched == 2).all((1, 2)))


def test_dropout_probability_is_checked():
    for bad in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(bad)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout2d(2)
    with pytest.raises(ValueError, match="dropout: dropout probability"):
        F.dropout(shendu.ones(2), 1.5)


# ---------------------------------------------------------------------------- embedding
def test_embedding_padding_row_gets_no_gradient():
    emb = nn.Embedding(6, 3, padding_idx=2)
    idx = shendu.tensor([[2, 0, 2], [1, 2, 0]])
    (emb(idx) * shendu.randn(2, 3, 3)).sum().backward()
    grad = emb.weight.grad.numpy()
    np.testing.assert_array_equal(grad[2], 0)
    assert np.all(grad[[0, 1]] != 0) and np.all(grad[3:] == 0)
    np.testing.assert_array_equal(emb(idx).detach().numpy()[0, 0], 0)  # the zero padding row


def test_embedding_negative_padding_idx_and_bounds():
    assert nn.Embedding(10, 2, padding_idx=-1).padding_idx == 9
    with pytest.raises(ValueError, match="padding_idx 10 is out of range .* 10 rows"):
        nn.Embedding(10, 2, padding_idx=10)


def test_embedding_from_pretrained():
    table = shendu.randn(5, 3)
    frozen = nn.Embedding.from_pretrained(table)
    assert frozen.weight.data is table.data and not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(shendu.tensor([4, 1])).numpy(), table.numpy()[[4, 1]])
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0)
    assert trainable.weight.requires_grad and trainable.padding_idx == 0
    np.testing.assert_array_equal(trainable.weight.detach().numpy()[0], table.numpy()[0])  # kept
    from_array = nn.Embedding.from_pretrained(np.eye(3))
    assert from_array.weight.dtype == np.float64 and from_array.num_embeddings == 3
    with pytest.raises(ValueError, match="2-D"):
        nn.Embedding.from_pretrained(shendu.randn(5))


def test_embedding_index_errors_name_the_table_size():
    emb = nn.Embedding(10, 4)
    with pytest.raises(nn.ModuleInputError,
                       match=r"^Embedding: index 12 is out of range .* 10 rows"):
        emb(shendu.tensor([[1, 12], [3, 4]]))
    with pytest.raises(nn.ModuleInputError, match=r"index -1 is out of range"):
        emb(shendu.tensor([-1]))
    with pytest.raises(nn.ModuleInputError, match="expected integer indices .* float32"):
        emb(shendu.ones(3))
    with pytest.raises(IndexError, match=r"embedding: index 10 .* 10 rows"):
        F.embedding(shendu.tensor([10]), emb.weight)
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(3, 2, sparse=True)


# ---------------------------------------------------------------------------- dense, flatten
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "gelu",
                                  "elu", "silu", "swish", "softplus"])
def test_dense_activation_by_name(name):
    function = "silu" if name == "swish" else name
    top_level = getattr(shendu, function, None) if function in ("relu", "sigmoid", "tanh") \
        else None
    fn = getattr(F, function, None) or top_level
    if fn is None:
        pytest.skip(f"shendu.nn.functional.{function} is not written yet")
    shendu.manual_seed(0)
    layer = nn.Dense(4, 3, activation=name)
    x = shendu.randn(5, 4)
    z = F.linear(x, layer.weight, layer.bias)
    expected = fn(z, dim=-1) if function in ("softmax", "log_softmax") else fn(z)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected.detach().numpy(), rtol=1e-6)
    if name == "softmax":
        np.testing.assert_allclose(layer(x).detach().numpy().sum(-1), 1, rtol=1e-6)


def test_dense_without_activation_or_with_a_callable():
    shendu.manual_seed(0)
    layer = nn.Dense(4, 3)
    x = shendu.randn(5, 4)
    z = F.linear(x, layer.weight, layer.bias).detach().numpy()
    np.testing.assert_array_equal(layer(x).detach().numpy(), z)
    layer.activation = "linear"
    np.testing.assert_array_equal(layer(x).detach().numpy(), z)
    layer.activation = lambda t: t * 2
    np.testing.assert_allclose(layer(x).detach().numpy(), 2 * z)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert repr(nn.Dense(4, 3, "relu")) == \
        "Dense(in_features=4, out_features=3, bias=True, activation='relu')"


def test_dense_unknown_activation():
    layer = nn.Dense(2, 2, activation="no_such_thing")
    with pytest.raises(ValueError, match="unknown activation 'no_such_thing'"):
        layer(shendu.ones(1, 2))
    with pytest.raises(TypeError, match="activation must be"):
        nn.Dense(2, 2, activation=3)


def test_flatten_and_unflatten():
    x = shendu.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(-2)(x).shape == (2, 3, 20)
    assert nn.Unflatten(1, (3, 4, 5))(nn.Flatten()(x)).shape == (2, 3, 4, 5)
    y = nn.Unflatten(-1, (-1, 10))(nn.Flatten()(x))
    assert y.shape == (2, 6, 10)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3, 4, 5), np.float32))


# ---------------------------------------------------------------------------- functional forms
def test_one_hot():
    out = F.one_hot(shendu.tensor([[0, 2], [1, 0]]), 3)
    assert out.dtype == np.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy()[0], [[1, 0, 0], [0, 0, 1]])
    assert F.one_hot(shendu.tensor([3, 1])).shape == (2, 4)
    assert F.one_hot(shendu.tensor(np.zeros(0, np.int64)), 2).shape == (0, 2)
    with pytest.raises(ValueError, match="non-negative"):
        F.one_hot(shendu.tensor([1, -1]), 3)
    with pytest.raises(ValueError, match="smaller than num_classes=3"):
        F.one_hot(shendu.tensor([3]), 3)
    with pytest.raises(ValueError, match="empty"):
        F.one_hot(shendu.tensor(np.zeros(0, np.int64)))
    with pytest.raises(TypeError, match="integer"):
        F.one_hot(shendu.ones(2))


def test_normalize():
    x = shendu.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    y = F.normalize(x)
    np.testing.assert_allclose(F.normalize(x, dim=1).detach().numpy(), [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(F.normalize(x, p=1, dim=0).detach().numpy(),
                               [[1, 1], [0, 0]])
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_batch_norm_running_statistics_change_in_place():
    mean, var = shendu.zeros(3), shendu.ones(3)
    mean_data = mean.data
    F.batch_norm(shendu.randn(5, 3), mean, var, training=True, momentum=0.5)
    assert mean.data is mean_data and np.any(mean.numpy() != 0)


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: F.linear(shendu.ones(2, 4), shendu.ones(3, 5)), ValueError,
     r"linear: input of shape \(2, 4\) does not fit weight of shape \(3, 5\)"),
    (lambda: F.linear(shendu.ones(2, 5), shendu.ones(3, 5), shendu.ones(4)), ValueError,
     r"bias must have shape \(3,\)"),
    (lambda: F.linear(shendu.ones(2, 5, dtype=shendu.float64), shendu.ones(3, 5)), TypeError,
     "same dtype"),
    (lambda: F.batch_norm(shendu.ones(4, 3), None, None), ValueError,
     "must be given in evaluation mode"),
    (lambda: F.batch_norm(shendu.ones(1, 3), None, None, training=True), ValueError,
     "more than 1 value per channel"),
    (lambda: F.batch_norm(shendu.ones(4, 3), shendu.zeros(2), shendu.ones(2)), ValueError,
     r"running_mean must have shape \(3,\)"),
    (lambda: F.batch_norm(shendu.ones(4), None, None, training=True), ValueError,
     r"shape \(N, C\)"),
    (lambda: F.layer_norm(shendu.ones(2, 3), (4,)), ValueError,
     r"normalized_shape=\(4,\), expected an input of shape \(\*, 4\), got shape \(2, 3\)"),
    (lambda: F.layer_norm(shendu.ones(2, 4), 4, shendu.ones(3)), ValueError,
     r"weight must have shape \(4,\)"),
    (lambda: F.group_norm(shendu.ones(2, 6, 3), 4), ValueError,
     r"channels \(6.*divisible by num_groups=4"),
    (lambda: F.dropout2d(shendu.ones(2, 3)), ValueError, r"3-D .* or 4-D .* got shape \(2, 3\)"),
    (lambda: F.embedding(shendu.ones(2), shendu.ones(3, 2)), TypeError, "integer"),
    (lambda: F.normalize(shendu.ones(2, 3), dim=2), IndexError, "normalize: dim 2"),
])
def test_functional_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


# ---------------------------------------------------------------------------- module input errors
class Lambda(nn.Module):
    """A module from a function, for the error-path test."""

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def test_error_names_the_path_in_a_sequential():
    model = nn.Sequential(nn.Linear(4, 8), Lambda(lambda x: x.relu()), nn.Linear(3, 2))
    with pytest.raises(nn.ModuleInputError) as info:
        model(shendu.randn(5, 4))
    message = str(info.value)
    assert message.startswith("2 (Linear): ")
    assert "expected input of shape (*, 3)" in message and "got shape (5, 8)" in message


def test_error_path_in_a_nested_model():
    model = nn.Sequential(nn.Sequential(nn.Linear(4, 4), nn.BatchNorm2d(4)))
    with pytest.raises(nn.ModuleInputError, match=r"^0\.1 \(BatchNorm2d\): expected input of "
                       r"shape \(N, 4, H, W\), got shape \(2, 4\)"):
        model(shendu.randn(2, 4))


@pytest.mark.parametrize("module, x, pattern", [
    (nn.Linear(4, 2), shendu.ones(3, 5),
     r"expected input of shape \(\*, 4\) .* got shape \(3, 5\)"),
    (nn.Linear(4, 2), shendu.tensor(1.0), r"got shape \(\)"),
    (nn.BatchNorm1d(3), shendu.ones(4, 5), r"\(N, 3\) or \(N, 3, L\), got shape \(4, 5\)"),
    (nn.BatchNorm1d(3), shendu.ones(3), r"got shape \(3,\)"),
    (nn.BatchNorm1d(3), shendu.ones(2, 3, 4, 4), r"got shape \(2, 3, 4, 4\)"),
    (nn.BatchNorm1d(3), shendu.ones(1, 3), "more than 1 value per channel"),
    (nn.BatchNorm2d(3), shendu.ones(2, 3, 4), r"\(N, 3, H, W\), got shape \(2, 3, 4\)"),
    (nn.BatchNorm2d(3), shendu.ones(2, 4, 5, 5), r"got shape \(2, 4, 5, 5\)"),
    (nn.LayerNorm((3, 4)), shendu.ones(2, 4, 3), r"\(\*, 3, 4\) .* got shape \(2, 4, 3\)"),
    (nn.LayerNorm(4), shendu.ones(()), r"got shape \(\)"),
    (nn.GroupNorm(2, 4), shendu.ones(2, 6, 3), r"\(N, 4, \*\), got shape \(2, 6, 3\)"),
    (nn.Dropout2d(), shendu.ones(2, 3), r"\(N, C, H, W\) or \(C, H, W\), got shape \(2, 3\)"),
    (nn.Flatten(2), shendu.ones(2, 3), r"start_dim=2 .* got shape \(2, 3\)"),
    (nn.Unflatten(1, (2, 3)), shendu.ones(2, 5), r"6 elements .* got shape \(2, 5\)"),
    (nn.Embedding(5, 2), shendu.tensor([5]), "index 5 is out of range .* 5 rows"),
])
def test_module_input_errors(module, x, pattern):
    with pytest.raises(nn.ModuleInputError, match=f"^{type(module).__name__}: .*{pattern}"):
        module(x)


def test_batchnorm_eval_accepts_a_single_sample():
    bn = nn.BatchNorm1d(3).eval()
    assert bn(shendu.ones(1, 3)).shape == (1, 3)


def test_group_norm_channels_must_divide():
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups"):
        nn.GroupNorm(4, 6)


# ---------------------------------------------------------------------------- state_dict, repr
MODULES = {
    "Linear(4, 3)": (["weight", "bias"],
                     "Linear(in_features=4, out_features=3, bias=True)"),
    "Linear(4, 3, bias=False)": (["weight"],
                                 "Linear(in_features=4, out_features=3, bias=False)"),
    "Embedding(10, 3, padding_idx=0)": (["weight"], "Embedding(10, 3, padding_idx=0)"),
    "Embedding(10, 3, max_norm=1.0)": (["weight"], "Embedding(10, 3, max_norm=1.0)"),
    "BatchNorm1d(4)": (["weight", "bias", "running_mean", "running_var", "num_batches_tracked"],
                       "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                       "track_running_stats=True)"),
    "BatchNorm2d(4, momentum=None, affine=False)": (
        ["running_mean", "running_var", "num_batches_tracked"],
        "BatchNorm2d(4, eps=1e-05, momentum=None, affine=False, bias=False, "
        "track_running_stats=True)"),
    "BatchNorm2d(4, track_running_stats=False)": (
        ["weight", "bias"], "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                            "track_running_stats=False)"),
    "BatchNorm1d(4, bias=False)": (
        ["weight", "running_mean", "running_var", "num_batches_tracked"],
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=False, "
        "track_running_stats=True)"),
    "LayerNorm((2, 3))": (["weight", "bias"],
                          "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True, bias=True)"),
    "LayerNorm(5, elementwise_affine=False)": (
        [], "LayerNorm((5,), eps=1e-05, elementwise_affine=False, bias=False)"),
    "LayerNorm(5, bias=False)": (
        ["weight"], "LayerNorm((5,), eps=1e-05, elementwise_affine=True, bias=False)"),
    "GroupNorm(2, 4)": (["weight", "bias"], "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"),
    "GroupNorm(2, 4, affine=False)": (
        [], "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"),
    "Dropout(0.2)": ([], "Dropout(p=0.2, inplace=False)"),
    "Dropout2d()": ([], "Dropout2d(p=0.5, inplace=False)"),
    "Flatten()": ([], "Flatten(start_dim=1, end_dim=-1)"),
    "Unflatten(1, (2, 3))": ([], "Unflatten(dim=1, unflattened_size=(2, 3))"),
    "Sequential(Linear(2, 3), BatchNorm1d(3))": (
        ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
         "1.num_batches_tracked"], None),
}


@pytest.mark.parametrize("expression", list(MODULES))
def test_state_dict_keys_and_repr(expression):
    check_state_dict_keys_and_repr(MODULES, expression)


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("expression", list(MODULES))
def test_state_dict_keys_and_repr_match_torch(expression):
    ours, theirs = build_module(shendu, expression), build_module(torch, expression)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    assert repr(ours) == repr(theirs)
    # a torch state_dict loads into the shendu module and gives the same outputs
    ours.load_state_dict(theirs.state_dict())
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), theirs.state_dict()[key].numpy())
