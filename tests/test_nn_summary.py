"""``shendu.nn.summary``: rows, shapes, parameter and MAC counts, totals, the printed table, and
that the model is left as it was (training flags, hooks, the global generator)."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.nn import Module, Parameter, Sequential
from shendu.nn.summary import MAC_RULES, LayerSummary, count_macs, register_macs, summary


# ---------------------------------------------------------------------------- tiny layers
class MatMul(Module):
    """x @ W with W of shape (n_in, n_out): a MAC rule is registered for it below."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.n_in, self.n_out = n_in, n_out
        self.W = Parameter(np.ones((n_in, n_out), dtype=np.float32))

    def forward(self, X):
        return X @ self.W


def _matmul_macs(module, inputs, output):
    return output.numel() * module.n_in  # rows * n_in * n_out


@pytest.fixture(autouse=True)
def _matmul_rule(monkeypatch):
    """The rule for the test's MatMul, only while a test runs (the registry is global)."""
    monkeypatch.setitem(MAC_RULES, "MatMul", _matmul_macs)


class Scale(Module):
    """x * w elementwise (own parameters, no MAC rule: counts 0)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.w = Parameter(np.full(n, 2.0, dtype=np.float32))

    def forward(self, X):
        return X * self.w


class ReLU(Module):
    def forward(self, X):
        return X.relu()


class Probe(Module):
    """Records the training flag and the input it saw."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = []

    def forward(self, X):
        self.seen.append((self.training, X.data.copy(), shendu.is_grad_enabled()))
        return X


class Gated(Module):
    """A module with sub-modules AND a parameter of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = MatMul(4, 3)
        self.gate = Parameter(np.ones(3, dtype=np.float32))

    def forward(self, X):
        return self.proj(X) * self.gate


class Net(Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = Sequential(MatMul(8, 6), ReLU(), Scale(6))
        self.head = Sequential(MatMul(6, 4), Gated())

    def forward(self, X):
        return self.head(self.features(X))


def quiet(model, shape, **kwargs):
    return summary(model, shape, print_fn=None, **kwargs)


# ---------------------------------------------------------------------------- rows and totals
def test_rows_of_a_nested_model():
    result = quiet(Net(), (8,))
    assert [row.label for row in result.rows] == [
        "features.0 (MatMul)", "features.1 (ReLU)", "features.2 (Scale)", "head.0 (MatMul)",
        "head.1.proj (MatMul)", "head.1 (Gated)"]  # a module's row comes when its call ends
    assert [row.output_shape for row in result.rows] == [(-1, 6)] * 3 + [(-1, 4), (-1, 3),
                                                                          (-1, 3)]
    assert [row.params for row in result.rows] == [48, 0, 6, 24, 12, 3]
    assert [row.macs for row in result.rows] == [48, 0, 0, 24, 12, 0]
    assert result.total_params == 48 + 6 + 24 + 12 + 3 == sum(r.params for r in result.rows)
    assert result.trainable_params == result.total_params and result.non_trainable_params == 0
    assert result.total_macs == 84
    assert result.param_bytes == 4 * result.total_params
    assert result.input_shape == (8,)


def test_extra_leading_dims_multiply_the_macs():
    result = quiet(Sequential(MatMul(8, 6), MatMul(6, 2)), (5, 8))
    assert [row.output_shape for row in result.rows] == [(-1, 5, 6), (-1, 5, 2)]
    assert [row.macs for row in result.rows] == [5 * 8 * 6, 5 * 6 * 2]


def test_frozen_and_shared_parameters_and_a_module_called_twice():
    shared = MatMul(4, 4)

    class Twice(Module):
        def __init__(self) -> None:
            super().__init__()
            self.block = shared
            self.alias = shared  # the same module under a second name
            self.frozen = Scale(4)
            self.frozen.requires_grad_(False)
            self.unused = MatMul(4, 100)  # never called: no row, but counted in the totals

        def forward(self, X):
            return self.frozen(self.block(self.alias(X)))

    result = quiet(Twice(), (4,))
    assert [row.label for row in result.rows] == ["block (MatMul)", "block (MatMul)",
                                                  "frozen (Scale)"]
    assert [row.params for row in result.rows] == [16, 0, 4]  # the shared W counted once
    assert [row.trainable_params for row in result.rows] == [16, 0, 0]
    assert [row.macs for row in result.rows] == [16, 16, 0]  # but its work twice
    assert result.total_params == 16 + 4 + 400
    assert result.trainable_params == 416 and result.non_trainable_params == 4


def test_a_leaf_model_and_tuple_outputs():
    class Split(Module):
        def forward(self, X):
            return X[:, :2], (X.sum(), None)

    result = quiet(Split(), (5,))
    (row,) = result.rows
    assert row.label == "Split" and row.name == ""
    assert row.output_shape == ((-1, 2), ((), None))


def test_several_inputs_and_integer_inputs():
    class Pair(Module):
        def forward(self, X, idx):
            assert idx.dtype == np.int64 and np.all(idx.data == 0)  # zeros: valid indices
            return X[:, idx.data[0]]

    result = quiet(Pair(), [(3, 4), (2,)], dtype=[shendu.float32, shendu.int64])
    assert result.input_shape == ((3, 4), (2,))
    assert result.rows[0].output_shape == (-1, 2, 4)


def test_count_macs_walks_the_mro():
    class Wider(MatMul):
        pass

    layer = Wider(3, 5)
    out = layer(shendu.ones(2, 3))
    assert count_macs(layer, (shendu.ones(2, 3),), out) == 2 * 3 * 5
    assert count_macs(ReLU(), (out,), out) == 0


def test_a_rule_can_be_added(monkeypatch):
    monkeypatch.setitem(MAC_RULES, "Scale", lambda module, inputs, output: output.numel())
    result = quiet(Net(), (8,))
    assert result.rows[2].macs == 6 and result.total_macs == 90


# ---------------------------------------------------------------------------- side effects
def test_runs_in_eval_mode_under_no_grad_and_restores_the_flags():
    probe, other = Probe(), Probe()
    model = Sequential(probe, Sequential(other, MatMul(3, 3)))
    other.train(False)  # mixed flags come back exactly
    result = quiet(model, (3,))
    assert [seen[0] for seen in probe.seen + other.seen] == [False, False]
    assert [seen[2] for seen in probe.seen] == [False]  # no_grad
    x = probe.seen[0][1]
    assert x.shape == (1, 3) and x.dtype == np.float32
    assert model.training and probe.training and not other.training
    assert all(not m._forward_hooks for m in model.modules())
    assert len(result.rows) == 3


def test_keeps_user_hooks_and_removes_its_own():
    layer = MatMul(2, 2)
    calls = []
    layer.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    quiet(Sequential(layer), (2,))
    assert calls == [(1, 2)] and len(layer._forward_hooks) == 1


def test_global_generator_untouched():
    shendu.manual_seed(5)
    expected = shendu.randn(4).data
    shendu.manual_seed(5)
    quiet(Net(), (8,))
    np.testing.assert_array_equal(shendu.randn(4).data, expected)


def test_a_failing_forward_leaves_the_model_clean():
    model = Sequential(MatMul(3, 3), MatMul(4, 2))  # 3 outputs into 4 inputs
    with pytest.raises(ValueError):
        quiet(model, (3,))
    assert model.training and all(not m._forward_hooks for m in model.modules())


def test_input_dtype():
    probe = Probe()
    quiet(probe, (2, 2), dtype="float64")
    assert probe.seen[0][1].dtype == np.float64 and probe.seen[0][1].shape == (1, 2, 2)
    probe = Probe()
    quiet(probe, 3)  # an int n means (n,)
    assert probe.seen[0][1].shape == (1, 3)


# ---------------------------------------------------------------------------- printing
def test_printed_table():
    lines = []
    result = summary(Net(), (8,), print_fn=lines.append)
    assert lines == result.lines() and str(result) == "\n".join(lines)
    text = str(result)
    assert lines[0] == "Input shape (one example): (8,)"
    assert "Layer (type)" in lines[2] and "Output Shape" in lines[2] and "MACs" in lines[2]
    row = next(line for line in lines if line.startswith("features.0 (MatMul)"))
    assert "(-1, 6)" in row and row.split()[-2:] == ["48", "48"]  # params, MACs
    assert "head.1 (Gated)" in text and "(-1, 3)" in text
    assert "Total params: 93 (372 B)" in text
    assert "Trainable params: 93" in text and "Non-trainable params: 0" in text
    assert "Total MACs (per example): 84" in text


def test_print_fn_default_is_print(capsys):
    summary(Sequential(MatMul(2, 3)), (2,))
    assert "0 (MatMul)" in capsys.readouterr().out


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("shape", ["784", (3.0,), [(2,), 3], [(2,), "a"], None, (True,)])
def test_bad_input_shape(shape):
    with pytest.raises(TypeError, match="summary: input_shape must be the shape of one example"):
        quiet(Net(), shape)


def test_bad_arguments():
    with pytest.raises(ValueError, match="negative size"):
        quiet(Net(), (-1, 8))
    with pytest.raises(TypeError, match="summary: expected a Module, got function"):
        quiet(lambda x: x, (8,))
    with pytest.raises(ValueError, match="2 dtypes given for 1 inputs"):
        quiet(Net(), (8,), dtype=[shendu.float32, shendu.float32])
    with pytest.raises(TypeError, match="register_macs"):
        register_macs()


def test_register_macs(monkeypatch):
    for name in ("Scale", "ReLU"):  # removed again after the test
        monkeypatch.setitem(MAC_RULES, name, None)

    @register_macs("Scale", "ReLU")
    def rule(module, inputs, output):
        return 1

    assert MAC_RULES["Scale"] is rule and MAC_RULES["ReLU"] is rule
    assert quiet(Net(), (8,)).total_macs == 84 + 2


def test_layer_summary_is_a_plain_record():
    row = LayerSummary("a.0", "Linear", (-1, 3), 12, 12, 9)
    assert row.label == "a.0 (Linear)"
    with pytest.raises(AttributeError):
        row.macs = 0  # frozen


# ---------------------------------------------------------------------------- Linear
def _linear_available() -> bool:
    try:
        nn.Linear(2, 2)
    except (AttributeError, NotImplementedError, TypeError):
        return False
    return True


needs_linear = pytest.mark.skipif(not _linear_available(), reason="nn.Linear not there yet")


@needs_linear
def test_mlp_of_linear_layers():
    net = Sequential(nn.Linear(784, 256), ReLU(), nn.Linear(256, 10))
    result = quiet(net, (784,))
    assert [row.label for row in result.rows] == ["0 (Linear)", "1 (ReLU)", "2 (Linear)"]
    assert [row.output_shape for row in result.rows] == [(-1, 256), (-1, 256), (-1, 10)]
    assert [row.params for row in result.rows] == [784 * 256 + 256, 0, 256 * 10 + 10]
    assert result.total_params == 203_530 == result.trainable_params
    assert result.total_macs == 784 * 256 + 256 * 10 == 203_264
    assert "Total params: 203,530" in str(result)


@needs_linear
def test_linear_rule_on_extra_dims_and_without_bias():
    net = Sequential(nn.Linear(16, 8, bias=False))
    result = quiet(net, (7, 16))
    assert result.rows[0].macs == 7 * 16 * 8 and result.total_params == 128


@needs_linear
def test_named_path_in_a_model():
    class Classifier(Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = Sequential(nn.Linear(20, 30), ReLU())
            self.head = nn.Linear(30, 5)

        def forward(self, X):
            return self.head(self.features(X))

    lines = []
    summary(Classifier(), (20,), print_fn=lines.append)
    assert any(line.startswith("features.0 (Linear)") for line in lines)
    assert any(line.startswith("head (Linear)") for line in lines)


@needs_linear
@pytest.mark.skipif(not hasattr(nn, "Dense"), reason="nn.Dense not there yet")
def test_subclass_of_linear_uses_its_rule():
    result = quiet(Sequential(nn.Dense(6, 4, activation="relu")), (6,))
    assert result.rows[0].macs == 24 and result.rows[0].type == "Dense"
