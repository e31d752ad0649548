"""The recurrent layers (RNN, GRU, LSTM, the cells) and the packed-sequence helpers: module
runs against PyTorch (golden file and live), state_dict loading, variable lengths (padding
never matters), initialisation, dropout between layers, repr, and errors."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu.nn import ModuleInputError
from shendu.nn import rnn as R
from shendu.ops import rnn as rnn_ops
from tests.cases.rnn import (
    SCENARIOS,
    make_module,
    run_scenario,
    scenario_inputs,
    shendu_module,
)
from tests.opcases import assert_all_match, build_module

try:
    import torch
except ImportError:  # the golden-file tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="live parity needs torch "
                                 "(pip install torch==2.13.0)")
GOLDEN = Path(__file__).parent / "golden" / "rnn.npz"
DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
WITH_LENGTHS = [s for s in SCENARIOS if s.lengths is not None]


# ---------------------------------------------------------------------------- module runs
@pytest.fixture(scope="module")
def golden():
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run `python tools/make_golden_rnn.py`"
    with np.load(GOLDEN, allow_pickle=False) as data:
        return dict(data)


def _golden_case(golden, scenario, dtype) -> tuple:
    prefix = f"{scenario.name}/"
    arrays = {k[len(prefix) + 3:]: v for k, v in golden.items() if k.startswith(prefix + "in/")}
    assert arrays, f"no golden arrays for {scenario.name}: rerun tools/make_golden_rnn.py"
    out_prefix = f"{prefix}{np.dtype(dtype).name}/"
    expected = {k[len(out_prefix):]: v for k, v in golden.items() if k.startswith(out_prefix)}
    return arrays, expected


@DTYPES
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_module_matches_golden(scenario, dtype, golden):
    """Output, final states and the gradients of the input, the initial states and every
    parameter, as PyTorch 2.13 computed them (NaN in the padded steps of the input)."""
    arrays, expected = _golden_case(golden, scenario, dtype)
    ours = run_scenario(shendu, scenario, arrays, dtype)
    assert_all_match(f"{scenario.name}/{np.dtype(dtype).name}", ours, expected, dtype)


@pytest.mark.parametrize("scenario", WITH_LENGTHS, ids=lambda s: s.name)
def test_packed_input_matches_golden(scenario, golden):
    """The same runs with shendu's pack_padded_sequence / pad_packed_sequence instead of
    ``lengths=``."""
    arrays, expected = _golden_case(golden, scenario, np.float64)
    ours = run_scenario(shendu, scenario, arrays, np.float64, packed=True)
    assert_all_match(f"{scenario.name}/packed", ours, expected, np.float64)


LIVE = [s for s in SCENARIOS if s.lengths is not None or "l2_bi" in s.name
        or s.cell_steps or s.unbatched]


@needs_torch
@pytest.mark.torch
@DTYPES
@pytest.mark.parametrize("scenario", LIVE, ids=lambda s: s.name)
def test_module_matches_torch(scenario, dtype):
    arrays = scenario_inputs(scenario, make_module(torch, scenario), seed=5)
    ours = run_scenario(shendu, scenario, arrays, dtype)
    theirs = run_scenario(torch, scenario, arrays, dtype)
    assert_all_match(f"{scenario.name}/{np.dtype(dtype).name}", ours, theirs, dtype)


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_torch_state_dict_loads_and_gives_the_same_outputs(kind):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    ours = getattr(R, kind)(5, 4, num_layers=2, bidirectional=True, batch_first=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).normal(size=(3, 7, 5)).astype(np.float32)
    y, h = ours(shendu.tensor(x))
    with torch.no_grad():
        y_t, h_t = theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), y_t.numpy(), atol=2e-6)
    for a, b in zip(h if kind == "LSTM" else [h], h_t if kind == "LSTM" else [h_t]):
        np.testing.assert_allclose(a.detach().numpy(), b.numpy(), atol=2e-6)


@needs_torch
@pytest.mark.torch
def test_pack_helpers_match_torch():
    rnn_utils = torch.nn.utils.rnn
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4, 2))
    lengths = [3, 5, 3, 1]  # unsorted, with a tie
    ours = R.pack_padded_sequence(shendu.tensor(x), lengths, enforce_sorted=False)
    theirs = rnn_utils.pack_padded_sequence(torch.tensor(x), torch.tensor(lengths),
                                            enforce_sorted=False)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    sequences = [rng.normal(size=(n, 2)) for n in (2, 4, 1)]
    for side in ("right", "left"):
        for batch_first in (False, True):
            a = R.pad_sequence([shendu.tensor(s) for s in sequences], batch_first, -1.0, side)
            b = rnn_utils.pad_sequence([torch.tensor(s) for s in sequences], batch_first, -1.0,
                                       side)
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    a = R.pack_sequence([shendu.tensor(s) for s in sequences], enforce_sorted=False)
    b = rnn_utils.pack_sequence([torch.tensor(s) for s in sequences], enforce_sorted=False)
    np.testing.assert_array_equal(a.data.numpy(), b.data.numpy())
    padded, lens = R.pad_packed_sequence(a, batch_first=True, padding_value=9.0,
                                         total_length=6)
    padded_t, lens_t = rnn_utils.pad_packed_sequence(b, batch_first=True, padding_value=9.0,
                                                     total_length=6)
    np.testing.assert_array_equal(padded.numpy(), padded_t.numpy())
    np.testing.assert_array_equal(lens.numpy(), lens_t.numpy())


# ---------------------------------------------------------------------------- variable lengths
def _lstm(seed=0, **kwargs):
    shendu.manual_seed(seed)
    return R.LSTM(3, 4, **kwargs).double()


@pytest.mark.parametrize("bidirectional", [False, True])
def test_final_state_equals_running_each_sequence_alone(bidirectional):
    lstm = _lstm(num_layers=2, bidirectional=bidirectional)
    rng = np.random.default_rng(1)
    lengths = [2, 6, 4]
    x = rng.normal(size=(6, 3, 3))
    y, (h, c) = lstm(shendu.tensor(x), lengths=lengths)
    for b, n in enumerate(lengths):
        y_b, (h_b, c_b) = lstm(shendu.tensor(x[:n, b]))  # unbatched, unpadded
        np.testing.assert_allclose(y.detach().numpy()[:n, b], y_b.detach().numpy(), atol=1e-12)
        np.testing.assert_array_equal(y.detach().numpy()[n:, b], 0)
        np.testing.assert_allclose(h.detach().numpy()[:, b], h_b.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(c.detach().numpy()[:, b], c_b.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_padding_values_change_nothing(kind):
    """NaN, inf and huge values in the padding: the outputs, final states and gradients are
    those of a zero-padded input, and the padding gets a zero gradient."""
    shendu.manual_seed(0)
    module = getattr(R, kind)(2, 3, bidirectional=True, batch_first=True).double()
    rng = np.random.default_rng(0)
    lengths = [4, 1, 3]
    clean = rng.normal(size=(3, 5, 2))
    for b, n in enumerate(lengths):
        clean[b, n:] = 0
    results = []
    for fill in (0.0, np.nan, np.inf, 1e30):
        x = clean.copy()
        for b, n in enumerate(lengths):
            x[b, n:] = fill
        x = shendu.tensor(x, requires_grad=True)
        y, h = module(x, lengths=lengths)
        h = h[0] if kind == "LSTM" else h
        module.zero_grad()
        ((y * y).sum() + h.sum()).backward()
        grads = [p.grad.numpy().copy() for p in module.parameters()]
        results.append((y.detach().numpy(), h.detach().numpy(), x.grad.numpy(), grads))
    for y, h, gx, grads in results[1:]:
        np.testing.assert_array_equal(y, results[0][0])
        np.testing.assert_array_equal(h, results[0][1])
        np.testing.assert_array_equal(gx, results[0][2])
        for a, b in zip(grads, results[0][3]):
            np.testing.assert_array_equal(a, b)
        for b, n in enumerate(lengths):
            np.testing.assert_array_equal(gx[b, n:], 0)


def test_full_lengths_change_nothing_and_packed_output_is_packed():
    lstm = _lstm(bidirectional=True)
    x = shendu.tensor(np.random.default_rng(2).normal(size=(5, 2, 3)))
    y, (h, _) = lstm(x)
    y_l, (h_l, _) = lstm(x, lengths=[5, 5])
    np.testing.assert_array_equal(y.detach().numpy(), y_l.detach().numpy())
    np.testing.assert_array_equal(h.detach().numpy(), h_l.detach().numpy())
    packed = R.pack_padded_sequence(x, [5, 3])
    out, _ = lstm(packed)
    assert isinstance(out, R.PackedSequence) and out.data.shape == (8, 8)
    np.testing.assert_array_equal(out.batch_sizes.numpy(), [2, 2, 2, 1, 1])
    assert out.sorted_indices is None


def test_pack_padded_sequence_layout_and_round_trip():
    x = shendu.tensor(np.arange(24.0).reshape(4, 3, 2), requires_grad=True)
    packed = R.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
    np.testing.assert_array_equal(packed.batch_sizes.numpy(), [3, 2, 1, 1])
    np.testing.assert_array_equal(packed.sorted_indices.numpy(), [1, 0, 2])
    np.testing.assert_array_equal(packed.unsorted_indices.numpy(), [1, 0, 2])
    # step 0 of sequences 1, 0, 2; step 1 of 1, 0; steps 2 and 3 of 1
    rows = [(0, 1), (0, 0), (0, 2), (1, 1), (1, 0), (2, 1), (3, 1)]
    np.testing.assert_array_equal(packed.data.detach().numpy(), [x.data[t, b] for t, b in rows])
    padded, lengths = R.pad_packed_sequence(packed)
    np.testing.assert_array_equal(lengths.numpy(), [2, 4, 1])
    assert lengths.dtype == np.int64
    expected = x.data.copy()
    expected[2:, 0] = expected[1:, 2] = 0
    np.testing.assert_array_equal(padded.detach().numpy(), expected)
    padded.sum().backward()
    real = np.arange(4)[:, None] < np.array([2, 4, 1])  # (T, B): the steps that are packed
    np.testing.assert_array_equal(x.grad.numpy(), np.repeat(real[:, :, None], 2, axis=2))
    sequences = R.unpack_sequence(packed)
    assert [tuple(s.shape) for s in sequences] == [(2, 2), (4, 2), (1, 2)]
    np.testing.assert_array_equal(sequences[1].detach().numpy(), x.data[:, 1])
    unpadded = R.unpad_sequence(shendu.tensor(x.data.transpose(1, 0, 2)), [2, 4, 1],
                                batch_first=True)
    np.testing.assert_array_equal(unpadded[0].numpy(), x.data[:2, 0])


def test_pad_sequence_gradient_and_module_on_packed_sequences():
    a = shendu.randn(3, 2, requires_grad=True)
    b = shendu.randn(1, 2, requires_grad=True)
    padded = R.pad_sequence([a, b], batch_first=True, padding_value=5.0)
    assert padded.shape == (2, 3, 2)
    np.testing.assert_array_equal(padded.detach().numpy()[1, 1:], 5.0)
    (padded * 2).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [[2.0, 2.0]])
    gru = R.GRU(2, 3)
    out, h = gru(R.pack_sequence([a, b]))
    _, h_b = gru(b)  # the short sequence alone, unbatched
    np.testing.assert_allclose(h.detach().numpy()[:, 1], h_b.detach().numpy(), atol=1e-6)
    assert R.pad_packed_sequence(out)[0].shape == (3, 2, 3)


# ---------------------------------------------------------------------------- module behaviour
def test_shapes_batch_first_unbatched_and_state():
    lstm = R.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)
    y, (h, c) = lstm(shendu.randn(4, 7, 3))
    assert y.shape == (4, 7, 10) and h.shape == c.shape == (4, 4, 5)
    y, (h, c) = lstm(shendu.randn(7, 3))  # unbatched: (T, I)
    assert y.shape == (7, 10) and h.shape == (4, 5)
    y, h = R.GRU(3, 5)(shendu.randn(7, 2, 3), shendu.zeros(1, 2, 5))
    assert y.shape == (7, 2, 5) and h.shape == (1, 2, 5)
    x = shendu.randn(6, 2, 3)
    rnn = R.RNN(3, 4)
    y1, h1 = rnn(x)
    y2, h2 = rnn(x[:3])
    y3, h3 = rnn(x[3:], h2)  # the state carries over between calls
    np.testing.assert_allclose(h1.detach().numpy(), h3.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(y1.detach().numpy()[3:], y3.detach().numpy(), atol=1e-6)


def test_cells_step_and_unbatched():
    cell = R.LSTMCell(3, 4)
    x = shendu.randn(2, 3)
    h, c = cell(x)
    h2, c2 = cell(x, (h, c))
    assert h2.shape == c2.shape == (2, 4)
    hu, cu = cell(x[0])
    np.testing.assert_allclose(hu.detach().numpy(), h.detach().numpy()[0], atol=1e-6)
    # one cell step is one step of the layer with the same weights
    layer = R.LSTM(3, 4)
    layer.load_state_dict({f"{k}_l0": v for k, v in cell.state_dict().items()})
    y, (h_l, c_l) = layer(x[None], (h[None], c[None]))
    np.testing.assert_allclose(h_l.detach().numpy()[0], h2.detach().numpy(), atol=1e-6)
    assert R.GRUCell(3, 4)(shendu.randn(3)).shape == (4,)
    assert R.RNNCell(3, 4, nonlinearity="relu")(x).detach().numpy().min() >= 0


def test_long_sequence_is_one_op():
    """5,000 steps: no recursion, and the graph holds one op per layer and direction."""
    lstm = R.LSTM(2, 3)
    x = shendu.randn(5000, 1, 2, requires_grad=True)
    y, _ = lstm(x)
    layer_op = y._ctx.inputs[0]._ctx  # y is a slice of the layer op's packed result
    assert type(layer_op).__name__ == "LSTMLayer" and layer_op.inputs[0] is x
    y.sum().backward()
    assert x.grad.shape == (5000, 1, 2) and np.isfinite(x.grad.numpy()).all()


def test_gradient_through_float32_matches_float64():
    shendu.manual_seed(3)
    lstm = R.LSTM(3, 8, num_layers=2)
    x = np.random.default_rng(0).normal(size=(20, 4, 3))
    grads = []
    for dtype in (np.float32, np.float64):
        lstm.to(dtype)
        lstm.zero_grad()
        y, _ = lstm(shendu.tensor(x.astype(dtype)))
        (y * y).sum().backward()
        grads.append(lstm.weight_hh_l0.grad.numpy().astype(np.float64))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-4, atol=1e-5)


def test_default_initialisation_and_dtype():
    shendu.manual_seed(0)
    lstm = R.LSTM(100, 400)
    bound = 1 / math.sqrt(400)
    for p in lstm.parameters():
        values = p.detach().numpy()
        assert p.dtype == np.float32 and p.requires_grad
        assert np.abs(values).max() <= bound and values.max() > 0.99 * bound
    w = lstm.weight_hh_l0.detach().numpy()
    assert abs(w.var() - bound**2 / 3) < 0.02 * bound**2
    assert R.GRUCell(3, 4, dtype=shendu.float64).weight_ih.dtype == np.float64
    shendu.manual_seed(0)
    again = R.LSTM(100, 400)
    np.testing.assert_array_equal(again.bias_hh_l0.detach().numpy(),
                                  lstm.bias_hh_l0.detach().numpy())


def test_dropout_between_layers_in_training_only():
    shendu.manual_seed(0)
    gru = R.GRU(3, 4, num_layers=2, dropout=1.0).double()
    x = shendu.tensor(np.random.default_rng(0).normal(size=(5, 2, 3)))
    y, h = gru(x)
    # everything between the layers is dropped: layer 2 sees zeros
    _, h_zero = gru(shendu.zeros(5, 2, 3, dtype=shendu.float64))
    np.testing.assert_allclose(h.detach().numpy()[1], h_zero.detach().numpy()[1])
    assert not np.allclose(h.detach().numpy()[0], h_zero.detach().numpy()[0])
    gru.dropout = 0.5
    assert not np.array_equal(gru(x)[0].detach().numpy(), gru(x)[0].detach().numpy())
    gru.eval()
    np.testing.assert_array_equal(gru(x)[0].detach().numpy(), gru(x)[0].detach().numpy())
    gru.train()
    shendu.manual_seed(4)
    a = gru(x)[0].detach().numpy()
    shendu.manual_seed(4)
    np.testing.assert_array_equal(a, gru(x)[0].detach().numpy())
    with pytest.warns(UserWarning, match="num_layers=1"):
        R.LSTM(3, 4, dropout=0.2)


def test_flatten_parameters_and_all_weights():
    lstm = R.LSTM(3, 4, num_layers=2, bidirectional=True, bias=False)
    assert lstm.flatten_parameters() is None
    assert [[tuple(p.shape) for p in ws] for ws in lstm.all_weights] == \
        [[(16, 3), (16, 4)]] * 2 + [[(16, 8), (16, 4)]] * 2
    assert lstm.all_weights[1][0] is lstm.weight_ih_l0_reverse


MODULES = {
    "LSTM(3, 4)": (["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], "LSTM(3, 4)"),
    "GRU(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)": (
        ["weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
         "weight_ih_l1", "weight_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse"],
        "GRU(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, "
        "bidirectional=True)"),
    "RNN(3, 4)": (["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], "RNN(3, 4)"),
    "LSTMCell(3, 4, bias=False)": (["weight_ih", "weight_hh"], "LSTMCell(3, 4, bias=False)"),
    "GRUCell(3, 4)": (["weight_ih", "weight_hh", "bias_ih", "bias_hh"], "GRUCell(3, 4)"),
    "RNNCell(3, 4, nonlinearity='relu')": (["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
                                           "RNNCell(3, 4, nonlinearity=relu)"),
}


@pytest.mark.parametrize("expression", list(MODULES))
def test_state_dict_keys_and_repr(expression):
    keys, text = MODULES[expression]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = shendu_module(expression)
    assert list(module.state_dict()) == keys
    assert repr(module) == text
    if torch is not None:
        theirs = build_module(torch, expression)
        assert list(theirs.state_dict()) == keys and repr(theirs) == text


def test_rnn_repr_shows_the_nonlinearity():
    # PyTorch's RNN repr leaves the nonlinearity out (its RNNCell's shows it); shendu shows it
    assert repr(R.RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4, nonlinearity=relu)"
    assert repr(R.RNN(3, 4)) == "RNN(3, 4)"


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call, pattern", [
    (lambda: R.LSTM(4, 3)(shendu.ones(5, 2, 6)),
     r"^LSTM: expected input of shape \(T, B, 4\) \(last dim input_size=4\), got shape "
     r"\(5, 2, 6\)"),
    (lambda: R.GRU(4, 3, batch_first=True)(shendu.ones(2, 5, 3)),
     r"^GRU: expected input of shape \(B, T, 4\) .* got shape \(2, 5, 3\)"),
    (lambda: R.RNN(4, 3)(shendu.ones(4)), r"or unbatched \(T, 4\), got shape \(4,\)"),
    (lambda: R.RNN(4, 3, num_layers=2)(shendu.ones(5, 2, 4), shendu.zeros(1, 2, 3)),
     r"initial state h_0 of shape \(2, 2, 3\) .* got \(1, 2, 3\)"),
    (lambda: R.LSTM(4, 3)(shendu.ones(5, 2, 4), (shendu.zeros(1, 2, 3), shendu.zeros(1, 3, 3))),
     r"initial state c_0 of shape \(1, 2, 3\) .* got \(1, 3, 3\)"),
    (lambda: R.LSTM(4, 3)(shendu.ones(5, 2, 4), shendu.zeros(1, 2, 3)),
     r"hx to be a tuple \(h_0, c_0\)"),
    (lambda: R.LSTM(4, 3)(shendu.ones(5, 4), (shendu.zeros(1, 2, 3), shendu.zeros(1, 2, 3))),
     r"initial state h_0 of shape \(1, 3\)"),
    (lambda: R.GRU(4, 3)(shendu.ones(5, 2, 4), lengths=[6, 2]),
     r"lengths must be at most the sequence length 5 .* got \[6, 2\]"),
    (lambda: R.GRU(4, 3)(shendu.ones(5, 2, 4), lengths=[3]),
     r"expected 2 lengths .* got 1: \[3\]"),
    (lambda: R.GRU(4, 3)(shendu.ones(5, 2, 4), lengths=[0, 2]), r"at least 1, got \[0, 2\]"),
    (lambda: R.GRU(4, 3, dtype=shendu.float64)(shendu.ones(5, 2, 4)),
     r"input dtype float32 does not match the weights' float64"),
    (lambda: R.LSTMCell(4, 3)(shendu.ones(2, 5)),
     r"^LSTMCell: expected input of shape \(B, 4\) or \(4,\) .* got shape \(2, 5\)"),
    (lambda: R.GRUCell(4, 3)(shendu.ones(2, 4), shendu.zeros(3, 3)),
     r"state hx of shape \(2, 3\), got \(3, 3\)"),
])
def test_input_errors(call, pattern):
    with pytest.raises(ModuleInputError, match=pattern):
        call()


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: rnn_ops.lstm_layer(shendu.ones(3, 2, 4), None, None, shendu.ones(8, 4),
                                shendu.ones(8, 3)),
     ValueError, r"lstm_layer: weight_hh must have shape \(4\*hidden_size, hidden_size\), got "
                 r"\(8, 3\)"),
    (lambda: rnn_ops.gru_layer(shendu.ones(3, 2, 4), shendu.ones(3, 2), shendu.ones(6, 4),
                               shendu.ones(6, 2)),
     ValueError, r"gru_layer: h0 must have shape \(2, 2\) .* got \(3, 2\)"),
    (lambda: rnn_ops.rnn_layer(shendu.ones(3, 2, 4), None, shendu.ones(2, 5), shendu.ones(2, 2)),
     ValueError, r"weight_ih must have shape \(2, 4\)"),
    (lambda: rnn_ops.rnn_layer(shendu.ones(3, 2, 4, dtype=shendu.float64), None,
                               shendu.ones(2, 4), shendu.ones(2, 2)),
     TypeError, "weight_hh has dtype float32 but the input has float64"),
    (lambda: rnn_ops.rnn_layer(shendu.ones(3, 2, 4), None, shendu.ones(2, 4), shendu.ones(2, 2),
                               lengths=np.array([4, 1])),
     ValueError, r"lengths must be between 0 and the sequence length 3, got \[4, 1\]"),
    (lambda: rnn_ops.rnn_layer(shendu.ones(3, 2, 4), None, shendu.ones(2, 4), shendu.ones(2, 2),
                               nonlinearity="gelu"), ValueError, "'tanh' or 'relu', got 'gelu'"),
    (lambda: rnn_ops.scatter_rows(shendu.ones(2, 3), [1, 1], 4), ValueError,
     r"distinct and in \[0, 4\), got \[1, 1\]"),
    (lambda: R.GRU(4, 3)(shendu.ones(5, 2, 4), lengths=[2.0, 3.0]), ModuleInputError,
     "lengths must be a 1-D sequence of integers, got float64"),
])
def test_functional_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_error_names_the_module_path():
    model = shendu.nn.Sequential(R.LSTM(4, 3))
    with pytest.raises(ModuleInputError, match=r"^0 \(LSTM\): expected input"):
        model(shendu.ones(5, 2, 3))


@pytest.mark.parametrize("call, error, pattern", [
    (lambda: R.pack_padded_sequence(shendu.ones(4, 3, 2), [2, 4, 1]), ValueError,
     r"sorted in decreasing order when enforce_sorted=True, got \[2, 4, 1\]"),
    (lambda: R.pack_padded_sequence(shendu.ones(4, 3, 2), [5, 4, 1]), ValueError,
     r"at most the sequence length 4 .* got \[5, 4, 1\]"),
    (lambda: R.pad_packed_sequence(R.pack_padded_sequence(shendu.ones(4, 2, 1), [4, 2]),
                                   total_length=3), ValueError,
     "total_length must be at least the longest sequence's length 4, got total_length=3"),
    (lambda: R.pad_sequence([shendu.ones(2, 3), shendu.ones(2, 4)]), ValueError,
     r"shape \(L, \*\(3,\)\) .* sequence 1 has shape \(2, 4\)"),
    (lambda: R.LSTM(3, 4, proj_size=2), NotImplementedError, "proj_size=2"),
    (lambda: R.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "'tanh' or 'relu', got 'sigmoid'"),
    (lambda: R.GRU(3, 0), ValueError, "hidden_size must be positive, got 0"),
    (lambda: R.GRU(3, 4, dropout=1.5), ValueError, r"dropout must be a probability in \[0, 1\]"),
    (lambda: R.LSTM(3, 4, num_layers=0), ValueError, "num_layers must be a positive int"),
    (lambda: R.LSTM(3, 4)(np.ones((5, 2, 3))), TypeError, "expected a Tensor or a PackedSequence"),
    (lambda: R.LSTM(3, 4)(R.pack_padded_sequence(shendu.ones(2, 1, 3), [2]), lengths=[2]),
     ValueError, "cannot be given with a PackedSequence"),
])
def test_argument_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
