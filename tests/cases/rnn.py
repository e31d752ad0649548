"""Cases for shendu/ops/rnn.py (one direction of one RNN, GRU or LSTM layer over a sequence,
and scatter_rows), and the module scenarios of tests/test_nn_rnn.py.

PyTorch has no public functional form of one layer, so the torch side of a layer case runs
``torch.nn.RNN``/``GRU``/``LSTM`` with the case's tensors as its parameters
(``torch.func.functional_call``): a reversed direction is the ``_reverse`` half of a
bidirectional module, and ``lengths`` go through ``pack_padded_sequence`` and
``pad_packed_sequence``, so every behaviour is PyTorch's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from tests.opcases import Arg, Case, build_module

GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}
STATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 1, "lstm": 2}


# ---------------------------------------------------------------------------- case functions
def _split(mode: str, tensors, has_h0: bool, bias: bool) -> tuple:
    """(states, weights) from the tensors after x: [h0 (, c0)], w_ih, w_hh [, b_ih, b_hh]."""
    tensors = list(tensors)
    n = STATES[mode]
    states = tensors[:n] if has_h0 else [None] * n
    weights = tensors[n:] if has_h0 else tensors
    return states, weights + ([] if bias else [None, None])


def _layer(lib, x, *tensors, mode="lstm", has_h0=True, bias=True, lengths=None,
           reverse=False):
    states, weights = _split(mode, tensors, has_h0, bias)
    if lib.__name__ == "torch":
        return _torch_layer(lib, mode, x, states, weights, lengths, reverse)
    from shendu.ops import rnn

    if lengths is not None:
        lengths = np.asarray(lengths, dtype=np.int64)
    if mode == "lstm":
        return rnn.lstm_layer(x, *states, *weights, lengths=lengths, reverse=reverse)
    if mode == "gru":
        return rnn.gru_layer(x, *states, *weights, lengths=lengths, reverse=reverse)
    return rnn.rnn_layer(x, *states, *weights, nonlinearity=mode[4:], lengths=lengths,
                         reverse=reverse)


def _torch_layer(torch, mode, x, states, weights, lengths, reverse):
    T, B, n_in = x.shape
    H = weights[1].shape[1]
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}.get(mode, torch.nn.RNN)
    extra = {"nonlinearity": mode[4:]} if mode.startswith("rnn") else {}
    module = kind(n_in, H, bias=weights[2] is not None, bidirectional=reverse, dtype=x.dtype,
                  **extra)
    suffix = "_reverse" if reverse else ""
    names = [f"{p}_l0{suffix}" for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    params = {n: w for n, w in zip(names, weights) if w is not None}
    hx = None
    if states[0] is not None:
        hx = [torch.stack([torch.zeros_like(s), s]) if reverse else s[None] for s in states]
        hx = tuple(hx) if mode == "lstm" else hx[0]
    inputs = x
    if lengths is not None:
        inputs = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths),
                                                         enforce_sorted=False)
    output, finals = torch.func.functional_call(module, params, (inputs, hx))
    if lengths is not None:
        output, _ = torch.nn.utils.rnn.pad_packed_sequence(output, total_length=T)
    output = output[..., H:] if reverse else output
    finals = finals if mode == "lstm" else (finals,)
    return (output, *(f[-1] for f in finals))


def _scatter_rows(lib, data, positions=(0,), rows=1, fill=0.0):
    if lib.__name__ == "torch":
        index = lib.tensor(positions, dtype=lib.int64)
        out = lib.full((rows,) + tuple(data.shape[1:]), fill, dtype=data.dtype)
        return out.index_put((index,), data)
    from shendu.ops.rnn import scatter_rows

    return scatter_rows(data, np.asarray(positions, dtype=np.int64), rows, fill)


# ---------------------------------------------------------------------------- strategies
@st.composite
def layer_args(draw, mode: str):
    """T 1-4, B 1-3, input and hidden sizes 1-4; with or without initial state, bias and
    lengths (0 to T: a length-0 sequence keeps its initial state), either direction."""
    T, B = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    n_in, H = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    G = GATES[mode]
    has_h0, bias = draw(st.booleans()), draw(st.booleans())
    args = [Arg((T, B, n_in), noncontig=draw(st.booleans()))]
    if has_h0:
        args += [Arg((B, H), -1, 1) for _ in range(STATES[mode])]
    args += [Arg((G * H, n_in), -1, 1), Arg((G * H, H), -1, 1)]
    if bias:
        args += [Arg((G * H,), -1, 1), Arg((G * H,), -1, 1)]
    lengths = draw(st.none() | st.lists(st.integers(0, T), min_size=B, max_size=B).map(tuple))
    return args, {"mode": mode, "has_h0": has_h0, "bias": bias, "lengths": lengths,
                  "reverse": draw(st.booleans())}


@st.composite
def scatter_args(draw):
    rows, n = draw(st.integers(1, 6)), draw(st.integers(0, 6))
    n = min(n, rows)
    positions = tuple(draw(st.permutations(range(rows)))[:n])
    feature = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    return [Arg((n,) + feature)], {"positions": positions, "rows": rows,
                                   "fill": draw(st.sampled_from([0.0, -1.5]))}


# ---------------------------------------------------------------------------- cases
def _args(mode: str, T=3, B=2, n_in=3, H=2, h0=True, bias=True) -> list:
    G = GATES[mode]
    args = [Arg((T, B, n_in))]
    if h0:
        args += [Arg((B, H), -1, 1) for _ in range(STATES[mode])]
    args += [Arg((G * H, n_in), -1, 1), Arg((G * H, H), -1, 1)]
    return args + ([Arg((G * H,), -1, 1), Arg((G * H,), -1, 1)] if bias else [])


LENGTHS = (4, 2, 3)

CASES = []
for _mode in GATES:
    CASES += [
        Case(f"{_mode}_layer", _layer, _args(_mode), {"mode": _mode}, draw=layer_args(_mode)),
        Case(f"{_mode}_layer_reverse_no_h0", _layer, _args(_mode, h0=False),
             {"mode": _mode, "has_h0": False, "reverse": True}),
        Case(f"{_mode}_layer_lengths", _layer, _args(_mode, T=4, B=3),
             {"mode": _mode, "lengths": LENGTHS}),
        Case(f"{_mode}_layer_lengths_reverse_no_bias", _layer, _args(_mode, T=4, B=3, bias=False),
             {"mode": _mode, "lengths": LENGTHS, "bias": False, "reverse": True}),
    ]
CASES += [
    Case("lstm_layer_one_step", _layer, _args("lstm", T=1, B=4, n_in=2, H=3), {"mode": "lstm"}),
    # a length-0 sequence keeps its initial state (PyTorch's packing refuses length 0)
    Case("gru_layer_zero_length", _layer, _args("gru", T=3, B=2),
         {"mode": "gru", "lengths": (0, 3)}, torch=False),
    Case("scatter_rows", _scatter_rows, [Arg((4, 3))],
         {"positions": (5, 0, 2, 3), "rows": 6, "fill": 0.5}, draw=scatter_args()),
]


# ---------------------------------------------------------------------------- module scenarios
# Module-level runs written once for shendu and torch (``lib``): copy given parameters in, run
# forward (a packed batch in torch when there are lengths; in shendu either ``lengths=`` or a
# PackedSequence), backward of sum(output * u) + sum(h_n * v) (+ sum(c_n * w)), and record the
# output, the final states and the gradients of the input, the initial states and every
# parameter. tests/test_nn_rnn.py compares them with live torch and with tests/golden/rnn.npz
# (tools/make_golden_rnn.py).
@dataclass(frozen=True)
class Scenario:
    name: str
    expression: str  # the module, as build_module reads it
    T: int = 4
    B: int = 3
    initial_state: bool = False
    lengths: tuple | None = None
    cell_steps: int = 0  # > 0: a cell, run for this many steps feeding its state back
    unbatched: bool = False

    @property
    def is_lstm(self) -> bool:
        return "LSTM" in self.expression

    @property
    def batch_first(self) -> bool:
        return "batch_first=True" in self.expression


def _layer_scenarios() -> list:
    """RNN (tanh, relu), GRU, LSTM x (1 or 2 layers) x (uni- or bidirectional) x 4 variants
    of (batch_first, initial state, lengths) that cover every pair of them."""
    variants = [(False, False, None), (False, True, (4, 2, 3)), (True, False, (1, 4, 3)),
                (True, True, None)]
    out = []
    for kind, extra in (("RNN", ""), ("RNN", ", nonlinearity='relu'"), ("GRU", ""),
                        ("LSTM", "")):
        for layers in (1, 2):
            for bidirectional in (False, True):
                for k, (batch_first, state, lengths) in enumerate(variants):
                    expression = (f"{kind}(3, 2, num_layers={layers}{extra}, "
                                  f"batch_first={batch_first}, bidirectional={bidirectional})")
                    name = (f"{kind.lower()}{'_relu' if extra else ''}_l{layers}"
                            f"{'_bi' if bidirectional else ''}_v{k}")
                    out.append(Scenario(name, expression, initial_state=state, lengths=lengths))
    return out


SCENARIOS = _layer_scenarios() + [
    Scenario("lstm_unbatched_state", "LSTM(3, 2, num_layers=2, bidirectional=True)",
             initial_state=True, unbatched=True),
    Scenario("gru_unbatched", "GRU(3, 2, batch_first=True)", unbatched=True),
    # the longest sequence shorter than the padded input
    Scenario("lstm_no_bias_lengths", "LSTM(3, 2, bias=False, bidirectional=True)",
             lengths=(2, 3, 1)),
    Scenario("rnn_cell", "RNNCell(3, 2)", cell_steps=3, initial_state=True),
    Scenario("rnn_cell_relu_no_bias", "RNNCell(3, 2, bias=False, nonlinearity='relu')",
             cell_steps=3),
    Scenario("gru_cell", "GRUCell(3, 2)", cell_steps=3, initial_state=True),
    Scenario("gru_cell_unbatched", "GRUCell(3, 2, bias=False)", cell_steps=3, unbatched=True),
    Scenario("lstm_cell", "LSTMCell(3, 2)", cell_steps=3, initial_state=True),
    Scenario("lstm_cell_unbatched", "LSTMCell(3, 2)", cell_steps=3, initial_state=True,
             unbatched=True),
]


def _input_shape(s: Scenario) -> tuple:
    if s.cell_steps:
        return (s.cell_steps, 3) if s.unbatched else (s.cell_steps, s.B, 3)
    if s.unbatched:
        return (s.T, 3)
    return (s.B, s.T, 3) if s.batch_first else (s.T, s.B, 3)


def _state_shape(s: Scenario, module) -> tuple:
    if s.cell_steps:
        return (2,) if s.unbatched else (s.B, 2)
    count = module.num_layers * (2 if module.bidirectional else 1)
    return (count, 2) if s.unbatched else (count, s.B, 2)


def scenario_inputs(s: Scenario, module, seed: int) -> dict:
    """Parameters, input (NaN at the padded steps: they must not matter), initial states and
    the upstream gradients of the output and final states."""
    rng = np.random.default_rng(seed)
    arrays = {f"param/{n}": rng.uniform(-0.8, 0.8, tuple(p.shape))
              for n, p in module.named_parameters()}
    x = rng.uniform(-1.5, 1.5, _input_shape(s))
    if s.lengths is not None:
        for b, n in enumerate(s.lengths):
            if s.batch_first:
                x[b, n:] = np.nan
            else:
                x[n:, b] = np.nan
    arrays["x"] = x
    n_states = 2 if s.is_lstm else 1
    for k in range(n_states):
        if s.initial_state:
            arrays[f"h0/{k}"] = rng.uniform(-1, 1, _state_shape(s, module))
        arrays[f"up_state/{k}"] = rng.uniform(-1, 1, _state_shape(s, module))
    return arrays


def _run_cell(lib, s: Scenario, module, x, states):
    state = (tuple(states) if s.is_lstm else states[0]) if states else None
    outputs = []
    for t in range(s.cell_steps):
        state = module(x[t], state)
        outputs.append(state[0] if s.is_lstm else state)
    return lib.stack(outputs), list(state) if s.is_lstm else [state]


def _run_layers(lib, s: Scenario, module, x, states, packed: bool):
    state = (tuple(states) if s.is_lstm else states[0]) if states else None
    if s.lengths is None:
        output, finals = module(x, state)
    elif lib.__name__ == "torch" or packed:
        pack = _pack_module(lib)
        inputs = pack.pack_padded_sequence(x, lib.tensor(s.lengths), batch_first=s.batch_first,
                                           enforce_sorted=False)
        output, finals = module(inputs, state)
        output, _ = pack.pad_packed_sequence(output, batch_first=s.batch_first,
                                             total_length=s.T)
    else:
        output, finals = module(x, state, lengths=s.lengths)
    return output, list(finals) if s.is_lstm else [finals]


def _pack_module(lib):
    if lib.__name__ == "torch":
        return lib.nn.utils.rnn
    from shendu.nn import rnn

    return rnn


def make_module(lib, s: Scenario):
    """The scenario's module in ``lib`` (shendu's from shendu.nn.rnn)."""
    return build_module(lib, s.expression) if lib.__name__ == "torch" else shendu_module(
        s.expression)


def shendu_module(expression: str):
    """``expression`` (``"LSTM(3, 2, num_layers=2)"``) built from shendu.nn.rnn."""
    from shendu.nn import rnn

    return eval(expression, dict(vars(rnn)))


def run_scenario(lib, s: Scenario, arrays: dict, dtype, packed: bool = False) -> dict:
    """Run scenario ``s`` in ``lib`` (shendu: with ``lengths=`` or, with ``packed``, a
    PackedSequence) on ``arrays`` in ``dtype``; returns name -> ndarray."""
    module = make_module(lib, s).to(getattr(lib, np.dtype(dtype).name))
    params = dict(module.named_parameters())
    with lib.no_grad():
        for name, p in params.items():
            p.copy_(lib.tensor(arrays[f"param/{name}"]))
    x = lib.tensor(arrays["x"].astype(dtype), requires_grad=True)
    states = [lib.tensor(arrays[f"h0/{k}"].astype(dtype), requires_grad=True)
              for k in range(2) if f"h0/{k}" in arrays]
    run = _run_cell if s.cell_steps else (lambda *a: _run_layers(*a, packed))
    output, finals = run(lib, s, module, x, states)
    up = np.random.default_rng(1).uniform(-1, 1, tuple(output.shape))
    loss = (output * lib.tensor(up.astype(dtype))).sum()
    for k, final in enumerate(finals):
        loss = loss + (final * lib.tensor(arrays[f"up_state/{k}"].astype(dtype))).sum()
    loss.backward()
    out = {"output": output.detach().numpy().copy(), "x.grad": x.grad.numpy().copy()}
    out.update({f"final/{k}": f.detach().numpy().copy() for k, f in enumerate(finals)})
    out.update({f"h0/{k}.grad": h.grad.numpy().copy() for k, h in enumerate(states)})
    out.update({f"{name}.grad": p.grad.numpy().copy() for name, p in params.items()})
    return out
