"""Cases for shendu/ops/layers.py (linear, embedding, dropout, one_hot, normalize) and
shendu/ops/normalization.py (batch_norm, layer_norm, group_norm).

Two behaviours are not the derivative and so cannot be gradchecked: an embedding's padding row
gets no gradient, and ``scale_grad_by_freq`` divides gradients by counts. They, the running
statistics after several steps and dropout's statistics are tested in tests/test_nn_layers.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from tests.opcases import Arg, Case
from tests.strategies import shapes

X = (4, 3, 5)


# ---------------------------------------------------------------------------- case functions
def _linear(lib, x, w, b=None):
    return lib.nn.functional.linear(x, w, b)


def _embedding(lib, w, i, **kwargs):
    return lib.nn.functional.embedding(i, w, **kwargs)


def _dropout(lib, x, p=0.5, channels=False, training=True):
    """Dropout with the generator seeded first, so that every call (gradcheck calls many times)
    draws the same mask. shendu only: the two libraries' generators differ."""
    lib.manual_seed(0)
    drop = lib.nn.functional.dropout2d if channels else lib.nn.functional.dropout
    return drop(x, p, training)


def _split(params, flags):
    """The optional (weight, bias) from the tensors after the required ones."""
    params = list(params)
    return [params.pop(0) if flag else None for flag in flags]


def _batch_norm(lib, x, rm, rv, *params, training=True, affine=(True, True), momentum=0.1,
                eps=1e-5):
    w, b = _split(params, affine)
    return lib.nn.functional.batch_norm(x, rm, rv, w, b, training, momentum, eps)


def _batch_norm_stats(lib, x, rm, rv, w, b, momentum=0.1):
    """The output and the running statistics after one training step (which changes them in
    place)."""
    y = lib.nn.functional.batch_norm(x, rm, rv, w, b, True, momentum)
    return y, rm, rv


def _layer_norm(lib, x, *params, normalized_shape=(5,), affine=(True, True), eps=1e-5):
    w, b = _split(params, affine)
    return lib.nn.functional.layer_norm(x, normalized_shape, w, b, eps)


def _group_norm(lib, x, *params, num_groups=2, affine=(True, True), eps=1e-5):
    w, b = _split(params, affine)
    return lib.nn.functional.group_norm(x, num_groups, w, b, eps)


def _normalize(lib, x, p=2.0, dim=1):
    return lib.nn.functional.normalize(x, p, dim)


# ---------------------------------------------------------------------------- strategies
def _noncontig(draw) -> bool:
    return draw(st.booleans())


@st.composite
def linear_args(draw):
    """Any leading dims (size 0 included), in/out features 0 to 4, with or without bias."""
    lead = draw(shapes(max_dims=3, max_side=3))
    n_in, n_out = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    args = [Arg(lead + (n_in,), noncontig=_noncontig(draw)),
            Arg((n_out, n_in), noncontig=_noncontig(draw))]
    if draw(st.booleans()):
        args.append(Arg((n_out,)))
    return args, {}


@st.composite
def embedding_args(draw):
    """A table, indices of any shape with repeats; the padding row (if any) is never looked up
    (its zero gradient is by design, not the derivative)."""
    rows = draw(st.integers(1, 5))
    index_shape = draw(shapes(max_dims=3, max_side=4))
    padding = draw(st.booleans()) and rows > 1
    high = rows - 1 if padding else rows
    kwargs = {"padding_idx": draw(st.sampled_from([rows - 1, -1]))} if padding else {}
    args = [Arg((rows, draw(st.integers(0, 3))), noncontig=_noncontig(draw)),
            Arg(index_shape, 0, high, kind="int")]
    return args, kwargs


@st.composite
def dropout_args(draw):
    channels = draw(st.booleans())
    shape = draw(shapes(min_dims=3 if channels else 0, max_dims=4))
    p = draw(st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]))
    return [Arg(shape, noncontig=_noncontig(draw))], {
        "p": p, "channels": channels, "training": draw(st.booleans())}


@st.composite
def batch_norm_args(draw):
    """(N, C, *spatial) with at least 2 values per channel in training; distinct values, so a
    channel's variance is never near 0 (where the gradient is huge and central differences
    fail); weight and bias each optional; running variance positive."""
    training = draw(st.booleans())
    c = draw(st.integers(1, 3))
    spatial = draw(shapes(max_dims=2, min_side=1, max_side=3))
    one_value_each = all(side == 1 for side in spatial)
    n = draw(st.integers(2 if training and one_value_each else 1, 4))
    affine = (draw(st.booleans()), draw(st.booleans()))
    args = [Arg((n, c) + spatial, kind="distinct"), Arg((c,), grad=False),
            Arg((c,), 0.5, 2.0, grad=False)]
    args += [Arg((c,)) for flag in affine if flag]
    return args, {"training": training, "affine": affine,
                  "momentum": draw(st.sampled_from([0.1, 0.5, 1.0])),
                  "eps": draw(st.sampled_from([1e-5, 1e-3]))}


@st.composite
def layer_norm_args(draw):
    shape = draw(shapes(min_dims=1, max_dims=4, min_side=1))
    k = draw(st.integers(1, len(shape)))
    normalized = shape[len(shape) - k:]
    affine = (draw(st.booleans()), draw(st.booleans()))
    args = [Arg(shape, kind="distinct")] + [Arg(normalized) for flag in affine if flag]
    return args, {"normalized_shape": normalized, "affine": affine,
                  "eps": draw(st.sampled_from([1e-5, 1e-3]))}


@st.composite
def group_norm_args(draw):
    groups, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    c = groups * per_group
    shape = (draw(st.integers(0, 3)), c) + draw(shapes(max_dims=2, min_side=1, max_side=3))
    affine = (draw(st.booleans()), draw(st.booleans()))
    args = [Arg(shape, kind="distinct")] + [Arg((c,)) for flag in affine if flag]
    return args, {"num_groups": groups, "affine": affine}


@st.composite
def normalize_args(draw):
    shape = draw(shapes(min_dims=1, max_dims=3))
    return [Arg(shape, kind="distinct", noncontig=_noncontig(draw))], {
        "p": draw(st.sampled_from([1.0, 2.0, 3.0])),
        "dim": draw(st.integers(-len(shape), len(shape) - 1))}


# ---------------------------------------------------------------------------- cases
NO_AFFINE = {"affine": (False, False)}

CASES = [
    # linear
    Case("linear", _linear, [Arg(X), Arg((6, 5)), Arg((6,))], draw=linear_args()),
    Case("linear_no_bias", _linear, [Arg((7, 5)), Arg((3, 5))]),
    Case("linear_1d_input", _linear, [Arg((5,)), Arg((3, 5)), Arg((3,))]),
    Case("linear_noncontig", _linear, [Arg((4, 5), noncontig=True), Arg((3, 5), noncontig=True),
                                       Arg((3,))]),
    Case("linear_empty_batch", _linear, [Arg((0, 5)), Arg((3, 5)), Arg((3,))]),
    # embedding
    Case("embedding", _embedding, [Arg((7, 4)), Arg((3, 5), 0, 7, "int")],
         draw=embedding_args()),
    Case("embedding_1d_repeats", _embedding, [Arg((4, 3)), Arg((9,), 0, 4, "int")]),
    Case("embedding_max_norm", _embedding, [Arg((6, 4)), Arg((2, 3), 0, 6, "int")],
         {"max_norm": 1.0}, grad=False),  # renormalizes the table in place: no gradcheck
    # dropout: identity and all-zero forms are deterministic, so they are compared with torch
    Case("dropout", _dropout, [Arg(X)], draw=dropout_args(), torch=False),
    Case("dropout2d", _dropout, [Arg((2, 3, 4, 4))], {"channels": True, "p": 0.3},
         torch=False),
    Case("dropout_eval", lambda lib, x: lib.nn.functional.dropout(x, 0.5, training=False),
         [Arg(X)]),
    Case("dropout_p0", lambda lib, x: lib.nn.functional.dropout(x, 0.0) * 2, [Arg(X)]),
    Case("dropout_p1", lambda lib, x: lib.nn.functional.dropout(x, 1.0), [Arg(X)]),
    Case("dropout2d_eval", lambda lib, x: lib.nn.functional.dropout2d(x, training=False),
         [Arg((2, 3, 4, 4))]),
    Case("dropout2d_p1", lambda lib, x: lib.nn.functional.dropout2d(x, 1.0),
         [Arg((2, 3, 4, 4))]),
    # one_hot (not differentiable)
    Case("one_hot", lambda lib, i: lib.nn.functional.one_hot(i, 5),
         [Arg((3, 4), 0, 5, "int")], grad=False),
    Case("one_hot_inferred", lambda lib, i: lib.nn.functional.one_hot(i),
         [Arg((7,), 0, 4, "int")], grad=False),
    # normalize
    Case("normalize", _normalize, [Arg(X)], draw=normalize_args()),
    Case("normalize_p1_last", _normalize, [Arg(X)], {"p": 1.0, "dim": -1}),
    Case("normalize_zero_vector", lambda lib, x: lib.nn.functional.normalize(x * 0),
         [Arg((3, 4))]),
    # batch_norm
    Case("batch_norm_train", _batch_norm,
         [Arg((4, 3, 5)), Arg((3,), grad=False), Arg((3,), 0.5, 2, grad=False), Arg((3,)),
          Arg((3,))], draw=batch_norm_args()),
    Case("batch_norm_train_2d", _batch_norm,
         [Arg((6, 4)), Arg((4,), grad=False), Arg((4,), 0.5, 2, grad=False), Arg((4,)),
          Arg((4,))]),
    Case("batch_norm_train_4d_no_affine", _batch_norm,
         [Arg((3, 2, 4, 5)), Arg((2,), grad=False), Arg((2,), 0.5, 2, grad=False)], NO_AFFINE),
    Case("batch_norm_train_no_running", lambda lib, x, w, b:
         lib.nn.functional.batch_norm(x, None, None, w, b, training=True),
         [Arg((5, 3, 2)), Arg((3,)), Arg((3,))]),
    Case("batch_norm_eval", _batch_norm,
         [Arg((4, 3, 5)), Arg((3,), grad=False), Arg((3,), 0.5, 2, grad=False), Arg((3,)),
          Arg((3,))], {"training": False}),
    Case("batch_norm_eval_4d_weight_only", _batch_norm,
         [Arg((2, 3, 2, 2)), Arg((3,), grad=False), Arg((3,), 0.5, 2, grad=False), Arg((3,))],
         {"training": False, "affine": (True, False)}),
    Case("batch_norm_running_stats", _batch_norm_stats,
         [Arg((8, 3, 2)), Arg((3,), grad=False), Arg((3,), 0.5, 2, grad=False), Arg((3,)),
          Arg((3,))], {"momentum": 0.3}, grad=False),
    # layer_norm
    Case("layer_norm", _layer_norm, [Arg(X), Arg((5,)), Arg((5,))], draw=layer_norm_args()),
    Case("layer_norm_2_dims", _layer_norm, [Arg(X, noncontig=True), Arg((3, 5)), Arg((3, 5))],
         {"normalized_shape": (3, 5)}),
    Case("layer_norm_no_affine", _layer_norm, [Arg((6, 8))],
         {"normalized_shape": (8,), **NO_AFFINE}),
    Case("layer_norm_bias_only", _layer_norm, [Arg((2, 6)), Arg((6,))],
         {"normalized_shape": (6,), "affine": (False, True)}),
    # group_norm
    Case("group_norm", _group_norm, [Arg((2, 6, 3, 2)), Arg((6,)), Arg((6,))],
         {"num_groups": 3}, draw=group_norm_args()),
    Case("group_norm_2d_input", _group_norm, [Arg((5, 12)), Arg((12,)), Arg((12,))],
         {"num_groups": 3}),
    Case("group_norm_no_affine", _group_norm, [Arg((3, 6, 5))], {"num_groups": 6, **NO_AFFINE}),
    Case("group_norm_one_group", _group_norm, [Arg((2, 4, 3)), Arg((4,)), Arg((4,))],
         {"num_groups": 1}),
]


# ---------------------------------------------------------------------------- module scenarios
# Module-level runs written once for shendu and torch (``lib``): copy given parameters in, run a
# few training steps (forward, backward of sum(y * upstream)), then evaluation. Every output,
# input and parameter gradient, buffer and final parameter is recorded. tests/test_nn_layers.py
# compares them with live torch and with tests/golden/nn_layers.npz (tools/make_golden_nn.py).
@dataclass(frozen=True)
class Scenario:
    name: str
    make: Callable  # make(lib.nn) -> the module
    input_shape: tuple
    steps: int = 3
    rows: int = 0  # > 0: the input holds integer indices in [0, rows) (an embedding)


SCENARIOS = [
    Scenario("linear", lambda nn: nn.Linear(5, 3), (2, 4, 5)),
    Scenario("linear_no_bias", lambda nn: nn.Linear(5, 3, bias=False), (6, 5)),
    Scenario("flatten_linear_unflatten", lambda nn: nn.Sequential(
        nn.Flatten(), nn.Linear(12, 6), nn.Unflatten(1, (2, 3))), (4, 3, 4)),
    Scenario("embedding_padding", lambda nn: nn.Embedding(10, 4, padding_idx=0), (5, 6),
             rows=10),
    Scenario("embedding_scale_grad_by_freq",
             lambda nn: nn.Embedding(7, 3, scale_grad_by_freq=True), (4, 5), rows=7),
    Scenario("embedding_max_norm", lambda nn: nn.Embedding(8, 5, max_norm=1.0), (3, 4), rows=8),
    Scenario("batchnorm1d_2d", lambda nn: nn.BatchNorm1d(4), (8, 4)),
    Scenario("batchnorm1d_3d", lambda nn: nn.BatchNorm1d(3, momentum=0.3), (5, 3, 7)),
    Scenario("batchnorm1d_no_affine", lambda nn: nn.BatchNorm1d(4, affine=False), (6, 4)),
    Scenario("batchnorm2d", lambda nn: nn.BatchNorm2d(3), (4, 3, 5, 5)),
    Scenario("batchnorm2d_cumulative", lambda nn: nn.BatchNorm2d(3, momentum=None),
             (4, 3, 3, 3), steps=4),
    Scenario("batchnorm2d_no_tracking",
             lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 3, 2)),
    Scenario("batchnorm2d_no_bias", lambda nn: nn.BatchNorm2d(3, bias=False), (2, 3, 4, 4)),
    # no bias before a batch norm: its gradient would be 0 up to rounding (BN removes the mean)
    Scenario("batchnorm_in_mlp", lambda nn: nn.Sequential(
        nn.Linear(6, 5, bias=False), nn.BatchNorm1d(5), nn.Linear(5, 2)), (7, 6)),
    Scenario("layernorm", lambda nn: nn.LayerNorm((5, 6)), (3, 4, 5, 6)),
    Scenario("layernorm_no_affine", lambda nn: nn.LayerNorm(8, elementwise_affine=False),
             (4, 8)),
    Scenario("layernorm_no_bias", lambda nn: nn.LayerNorm(8, bias=False), (2, 3, 8)),
    Scenario("groupnorm", lambda nn: nn.GroupNorm(2, 6), (3, 6, 4, 4)),
    Scenario("groupnorm_no_affine", lambda nn: nn.GroupNorm(3, 6, affine=False), (4, 6, 5)),
]


def scenario_inputs(scenario: Scenario, parameter_shapes: dict, seed: int) -> dict:
    """The arrays a run needs: parameter values, and for each step (and "eval") an input and
    an upstream gradient. Each training step's input has its own mean and scale, so the
    running statistics have something to track."""
    rng = np.random.default_rng(seed)
    arrays = {f"param/{name}": rng.uniform(0.5, 1.5, shape) if name.endswith("weight")
              else rng.uniform(-1, 1, shape) for name, shape in parameter_shapes.items()}
    for step in [*range(scenario.steps), "eval"]:
        if scenario.rows:
            x = rng.integers(0, scenario.rows, scenario.input_shape)
        else:
            x = rng.normal(rng.uniform(-2, 2), rng.uniform(0.5, 3), scenario.input_shape)
        arrays[f"x/{step}"] = x
    return arrays


def run_scenario(lib, scenario: Scenario, arrays: dict, dtype) -> dict:
    """Run ``scenario`` in ``lib`` on ``arrays`` in ``dtype``; returns name -> ndarray."""
    module = scenario.make(lib.nn).to(getattr(lib, np.dtype(dtype).name))
    params = dict(module.named_parameters())
    with lib.no_grad():
        for name, p in params.items():
            p.copy_(lib.tensor(arrays[f"param/{name}"]))
    out = {}
    for step in [*range(scenario.steps), "eval"]:
        if step == "eval":
            module.eval()
        x = arrays[f"x/{step}"]
        x = lib.tensor(x) if scenario.rows else lib.tensor(x.astype(dtype), requires_grad=True)
        y = module(x)
        upstream = np.random.default_rng(len(out)).uniform(-1, 1, tuple(y.shape))
        (y * lib.tensor(upstream.astype(dtype))).sum().backward()
        out[f"{step}/y"] = y.detach().numpy().copy()
        if not scenario.rows:
            out[f"{step}/x.grad"] = x.grad.numpy().copy()
        for name, p in params.items():
            if p.grad is not None:
                out[f"{step}/{name}.grad"] = p.grad.numpy().copy()
            p.grad = None
        for name, b in module.named_buffers():
            out[f"{step}/{name}"] = b.numpy().copy()
    for name, p in params.items():
        out[f"final/{name}"] = p.detach().numpy().copy()
    return out
