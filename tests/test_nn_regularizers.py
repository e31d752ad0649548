"""Weight penalties (L1, L2, L1L2), ``Module.regularize``, ``Module.regularization_loss`` and
the layers' ``weight_regularizer`` / ``bias_regularizer`` arguments: values against NumPy sums,
gradients against central differences and live PyTorch, shared parameters, errors, repr, and
the example's claim (L1 sparsifies, L2 shrinks)."""

from __future__ import annotations

import copy
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.autograd import gradcheck
from shendu.nn import L1, L1L2, L2, Module, Parameter, Sequential
from shendu.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]


def param(array, dtype=np.float64) -> Parameter:
    return Parameter(shendu.tensor(np.asarray(array, dtype=dtype)))


def random_array(*shape, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def copy_weights(model: Module, arrays: dict) -> None:
    for name, p in model.named_parameters():
        p.data = np.array(arrays[name], dtype=p.dtype)


# ---------------------------------------------------------------------------- the penalties
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_values_are_keras_sums(dtype):
    w = random_array(4, 5) * 3
    x = param(w, dtype)
    cases = [(L1(0.3), 0.3 * np.abs(w).sum()),
             (L2(0.7), 0.7 * (w ** 2).sum()),  # no 1/2, as Keras
             (L1L2(0.3, 0.7), 0.3 * np.abs(w).sum() + 0.7 * (w ** 2).sum()),
             (L1L2(l1=0.25), 0.25 * np.abs(w).sum()),
             (L1L2(l2=0.5), 0.5 * (w ** 2).sum())]
    for regularizer, expected in cases:
        value = regularizer(x)
        assert value.shape == () and value.dtype == dtype, regularizer
        tol = 1e-12 if dtype == np.float64 else 1e-5
        np.testing.assert_allclose(value.item(), expected, rtol=tol, err_msg=repr(regularizer))


def test_defaults_are_keras_defaults():
    w = param([[1.0, -2.0], [3.0, -4.0]])
    assert L1().l1 == 0.01 and L2().l2 == 0.01
    assert L1()(w).item() == pytest.approx(0.01 * 10)
    assert L2()(w).item() == pytest.approx(0.01 * 30)
    assert L1L2().get_config() == {"l1": 0.0, "l2": 0.0}
    assert L1L2()(w).item() == 0.0  # both factors 0: a zero penalty (and a zero gradient)
    L1L2()(w).backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros((2, 2)))


@pytest.mark.parametrize("regularizer", [L1(0.3), L2(0.7), L1L2(0.3, 0.7), L1L2(l1=0.2),
                                         L1L2(l2=0.4)], ids=repr)
def test_gradcheck(regularizer):
    x = shendu.tensor(random_array(3, 4, seed=1), dtype=shendu.float64, requires_grad=True)
    assert gradcheck(regularizer, (x,), eps=1e-6, atol=1e-7, rtol=1e-6)


def test_gradients_are_the_formulas():
    w = np.array([[-1.5, 0.0, 2.0], [0.5, -0.25, 0.0]])
    for regularizer, expected in [(L1(0.3), 0.3 * np.sign(w)),  # d|w|/dw is 0 at 0
                                  (L2(0.7), 2 * 0.7 * w),
                                  (L1L2(0.3, 0.7), 0.3 * np.sign(w) + 1.4 * w)]:
        x = param(w)
        regularizer(x).backward()
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=0, atol=1e-15,
                                   err_msg=repr(regularizer))


def test_l2_gradient_is_sgd_weight_decay_at_half_the_factor():
    """The module docstring's claim: weight_decay=wd adds wd * w, the gradient of L2(wd / 2)."""
    w, wd = random_array(5, seed=2), 0.02
    x = param(w)
    L2(wd / 2)(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), wd * w, rtol=1e-14)


def test_repr_and_equality():
    assert repr(L1(0.001)) == "L1(l1=0.001)"
    assert repr(L2()) == "L2(l2=0.01)"
    assert repr(L1L2(l1=0.1, l2=0.2)) == "L1L2(l1=0.1, l2=0.2)"
    assert repr(L2(np.float32(0.5))) == "L2(l2=0.5)"
    assert L2(0.01) == L2(0.01) and hash(L2(0.01)) == hash(L2(0.01))
    assert L2(0.01) != L2(0.02) and L1(0.01) != L2(0.01)
    assert nn.regularizers.L2 is L2 and isinstance(L1(), nn.regularizers.Regularizer)


@pytest.mark.parametrize("make, message", [
    (lambda: L1(-0.1), r"L1: l1 must be a finite number >= 0, got l1=-0.1"),
    (lambda: L2(float("nan")), r"L2: l2 must be a finite number >= 0, got l2=nan"),
    (lambda: L2(float("inf")), r"L2: l2 must be a finite number >= 0, got l2=inf"),
    (lambda: L1L2(l2=-1), r"L1L2: l2 must be a finite number >= 0, got l2=-1.0"),
    (lambda: L1("0.1"), r"L1: l1 must be a number >= 0, got '0.1' \(str\)"),
    (lambda: L2(None), r"L2: l2 must be a number >= 0, got None \(NoneType\)"),
    (lambda: L1L2(l1=True), r"L1L2: l1 must be a number >= 0, got True \(bool\)"),
])
def test_bad_factors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_calling_on_a_non_tensor_is_a_type_error():
    with pytest.raises(TypeError, match=r"L2: expected a Tensor \(a parameter\), got ndarray"):
        L2()(np.ones(3))


# ---------------------------------------------------------------------------- Module.regularize
def test_regularize_attaches_replaces_and_removes():
    layer = nn.Linear(4, 3)
    assert layer.regularize(weight=L2(0.01), bias=L1(1e-3)) is layer  # chains
    assert dict(layer._regularizers) == {"weight": L2(0.01), "bias": L1(1e-3)}
    layer.regularize(weight=L1(0.5))
    assert layer._regularizers["weight"] == L1(0.5)
    layer.regularize(bias=None)
    assert list(layer._regularizers) == ["weight"]
    layer.regularize(weight=None)
    assert layer.regularization_loss().item() == 0.0


def test_modules_that_never_regularize_share_the_empty_default():
    a, b = nn.Linear(2, 2), nn.ReLU()
    assert "_regularizers" not in a.__dict__ and "_regularizers" not in b.__dict__
    with pytest.raises(TypeError):
        a._regularizers["weight"] = L2()  # the class-level default is read-only
    a.regularize(weight=L2())
    assert "_regularizers" in a.__dict__ and len(nn.Linear(2, 2)._regularizers) == 0


def test_regularize_errors():
    layer = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"Linear\.regularize: Linear has no parameter "
                                         r"'kernel'; its parameters are: weight, bias"):
        layer.regularize(kernel=L2())
    with pytest.raises(ValueError, match=r"Sequential has no parameter 'weight'; it has no "
                                         r"parameters of its own"):
        Sequential(nn.Linear(2, 2)).regularize(weight=L2())
    with pytest.raises(TypeError, match=r"the penalty for 'weight' must be a regularizer "
                                        r"\(callable on a Tensor\) or None, got float"):
        layer.regularize(weight=0.01)
    with pytest.raises(ValueError, match=r"'bias' is None in this module .*bias=False"):
        nn.Linear(4, 3, bias=False).regularize(bias=L2())
    with pytest.raises(ValueError, match="no parameter 'kernel'"):
        layer.regularize(weight=L1(), kernel=L2())
    assert len(layer._regularizers) == 0  # a failed call attaches nothing
    nn.Linear(4, 3, bias=False).regularize(bias=None)  # removing nothing is fine


def test_custom_callable_regularizer():
    def max_norm(w):
        return 0.5 * (w * w).sum(dim=1).max()

    layer = nn.Linear(3, 2).double().regularize(weight=max_norm)
    w = layer.weight.detach().numpy()
    assert layer.regularization_loss().item() == pytest.approx(0.5 * (w ** 2).sum(1).max())
    assert "weight_regularizer=max_norm" in repr(layer)
    layer.regularize(weight=lambda w: w * 2)  # not 0-d
    with pytest.raises(TypeError, match=r"penalty <lambda> of weight must return a 0-d Tensor, "
                                        r"got shape \(2, 3\)"):
        layer.regularization_loss()
    layer.regularize(weight=lambda w: 1.0)
    with pytest.raises(TypeError, match=r"must return a 0-d Tensor, got float"):
        layer.regularization_loss()


# ---------------------------------------------------------------------------- regularization_loss
class Tower(Module):
    """Nested modules with a tied weight (two layers, one Parameter) and a module used twice."""

    def __init__(self) -> None:
        super().__init__()
        self.shared = nn.Linear(4, 4, weight_regularizer=L1(0.1), bias_regularizer=L2(0.2))
        self.body = Sequential(self.shared, nn.Tanh(), self.shared,
                               nn.Linear(4, 4, weight_regularizer=L2(0.3)))
        self.head = nn.Linear(4, 4, bias=False, weight_regularizer=L2(0.3))  # equal, not same
        self.head.weight = self.body[3].weight  # tied
        self.free = nn.Linear(4, 2)  # nothing attached

    def forward(self, x):
        return self.free(self.head(self.body(x)))


def test_regularization_loss_counts_each_parameter_once():
    model = Tower().double()
    shared, tied = model.shared, model.head.weight
    expected = (0.1 * np.abs(shared.weight.data).sum() + 0.2 * (shared.bias.data ** 2).sum()
                + 0.3 * (tied.data ** 2).sum())
    total = model.regularization_loss()
    assert total.shape == () and total.dtype == np.float64
    assert total.item() == pytest.approx(expected, rel=1e-14)
    # each part on its own module agrees
    assert model.body.regularization_loss().item() == pytest.approx(expected, rel=1e-14)
    assert model.free.regularization_loss().item() == 0.0


def test_regularization_loss_gradient_on_a_shared_parameter():
    model = Tower().double()
    model.regularization_loss().backward()
    w = model.head.weight.data
    np.testing.assert_allclose(model.head.weight.grad.numpy(), 2 * 0.3 * w, rtol=1e-14)
    np.testing.assert_allclose(model.shared.weight.grad.numpy(),
                               0.1 * np.sign(model.shared.weight.data), rtol=1e-14)
    assert model.free.weight.grad is None


def test_two_different_penalties_on_one_shared_parameter_is_an_error():
    a = nn.Linear(3, 3, weight_regularizer=L2(0.1))
    b = nn.Linear(3, 3, weight_regularizer=L1(0.1))
    b.weight = a.weight
    with pytest.raises(ValueError, match=r"the shared parameter 0\.weight \(also 1\.weight\) has "
                                         r"two different penalties, L2\(l2=0\.1\) and "
                                         r"L1\(l1=0\.1\)"):
        Sequential(a, b).regularization_loss()


def test_nothing_attached_is_zero_in_the_parameters_dtype():
    for model, dtype in [(nn.Linear(2, 2), np.float32), (nn.Linear(2, 2).double(), np.float64),
                         (nn.ReLU(), np.float32), (Sequential(), np.float32)]:
        total = model.regularization_loss()
        assert total.shape == () and total.dtype == dtype and total.item() == 0.0
        assert not total.requires_grad


def test_frozen_parameters_are_not_penalised():
    """As Keras sums the penalties of the trainable weights only."""
    layer = nn.Linear(3, 2, weight_regularizer=L1(1.0), bias_regularizer=L1(1.0)).double()
    layer.weight.requires_grad_(False)
    assert layer.regularization_loss().item() == pytest.approx(np.abs(layer.bias.data).sum())
    layer.requires_grad_(False)
    assert layer.regularization_loss().item() == 0.0


def test_parameter_replaced_or_removed_by_name():
    layer = nn.Linear(2, 2, weight_regularizer=L2(1.0)).double()
    layer.weight = param([[1.0, 2.0], [3.0, 4.0]])  # the penalty belongs to the name
    assert layer.regularization_loss().item() == 30.0
    layer.bias = None
    layer.regularize(bias=None)
    assert layer.regularization_loss().item() == 30.0


def test_state_dict_and_copies():
    layer = nn.Linear(3, 2, weight_regularizer=L2(0.5))
    assert list(layer.state_dict()) == ["weight", "bias"]  # configuration, not state
    twin = nn.Linear(3, 2)
    twin.load_state_dict(layer.state_dict())
    assert twin.regularization_loss().item() == 0.0
    clone = copy.deepcopy(layer)
    assert clone.regularization_loss().item() == pytest.approx(
        layer.regularization_loss().item())
    clone.regularize(weight=None)
    assert layer._regularizers["weight"] == L2(0.5)  # the copy has its own dict


def test_under_no_grad_it_is_a_plain_number():
    layer = nn.Linear(3, 2, weight_regularizer=L2(0.5))
    with shendu.no_grad():
        total = layer.regularization_loss()
    assert not total.requires_grad and total.item() > 0


# ---------------------------------------------------------------------------- data loss + penalty
def mlp(lib, dtype):
    torch_like = lib.__name__ == "torch"
    model = lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3))
    if not torch_like:
        model[0].regularize(weight=L1L2(0.01, 0.02), bias=L2(0.03))
        model[2].regularize(weight=L1(0.05))
    return model.to(dtype)


def penalty_by_hand(model):
    w1, b1, w2 = model[0].weight, model[0].bias, model[2].weight
    return (0.01 * w1.abs().sum() + 0.02 * (w1 ** 2).sum() + 0.03 * (b1 ** 2).sum()
            + 0.05 * w2.abs().sum())


def data_and_weights(seed: int = 3) -> tuple:
    rng = np.random.default_rng(seed)
    arrays = {"0.weight": rng.standard_normal((4, 5)), "0.bias": rng.standard_normal(4),
              "2.weight": rng.standard_normal((3, 4)), "2.bias": rng.standard_normal(3)}
    arrays["0.weight"][0, 0] = 0.0  # L1's gradient at 0 is 0 in both
    return rng.standard_normal((6, 5)), rng.standard_normal((6, 3)), arrays


def test_backward_is_data_gradient_plus_penalty_gradient():
    X, y, arrays = data_and_weights()
    model = mlp(shendu, shendu.float64)
    copy_weights(model, arrays)
    F.mse_loss(model(shendu.tensor(X)), shendu.tensor(y)).backward()
    data_grads = {name: p.grad.numpy().copy() for name, p in model.named_parameters()}
    model.zero_grad()
    loss = F.mse_loss(model(shendu.tensor(X)), shendu.tensor(y)) + model.regularization_loss()
    loss.backward()
    w1, b1, w2 = arrays["0.weight"], arrays["0.bias"], arrays["2.weight"]
    penalty_grads = {"0.weight": 0.01 * np.sign(w1) + 0.04 * w1, "0.bias": 0.06 * b1,
                     "2.weight": 0.05 * np.sign(w2), "2.bias": np.zeros(3)}
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), data_grads[name] + penalty_grads[name],
                                   rtol=1e-12, atol=1e-15, err_msg=name)


@pytest.mark.torch
def test_backward_matches_torch():
    torch = pytest.importorskip("torch", reason="live parity needs torch "
                                "(pip install torch==2.13.0)")
    X, y, arrays = data_and_weights()
    ours = mlp(shendu, shendu.float64)
    copy_weights(ours, arrays)
    theirs = mlp(torch, torch.float64)
    theirs.load_state_dict({k: torch.tensor(v) for k, v in arrays.items()})

    loss = F.mse_loss(ours(shendu.tensor(X)), shendu.tensor(y)) + ours.regularization_loss()
    loss.backward()
    expected = (torch.nn.functional.mse_loss(theirs(torch.tensor(X)), torch.tensor(y))
                + penalty_by_hand(theirs))
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-12)
    assert ours.regularization_loss().item() == pytest.approx(penalty_by_hand(theirs).item(),
                                                              rel=1e-12)
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(dict(ours.named_parameters())[name].grad.numpy(),
                                   p.grad.numpy(), rtol=1e-10, atol=1e-10, err_msg=name)


# ---------------------------------------------------------------------------- layer arguments
LAYERS = {
    "Linear": lambda **kw: nn.Linear(3, 4, **kw),
    "Dense": lambda **kw: nn.Dense(3, 4, activation="relu", **kw),
    "Conv1d": lambda **kw: nn.Conv1d(2, 4, 3, **kw),
    "Conv2d": lambda **kw: nn.Conv2d(2, 4, 3, **kw),
    "Conv3d": lambda **kw: nn.Conv3d(2, 4, 3, **kw),
    "ConvTranspose1d": lambda **kw: nn.ConvTranspose1d(2, 4, 3, **kw),
    "ConvTranspose2d": lambda **kw: nn.ConvTranspose2d(2, 4, 3, **kw),
    "ConvTranspose3d": lambda **kw: nn.ConvTranspose3d(2, 4, 3, **kw),
}


@pytest.mark.parametrize("name", LAYERS)
def test_layer_arguments(name):
    layer = LAYERS[name](weight_regularizer=L1(0.1), bias_regularizer=L2(0.2)).double()
    w, b = layer.weight.data, layer.bias.data
    expected = 0.1 * np.abs(w).sum() + 0.2 * (b ** 2).sum()
    assert layer.regularization_loss().item() == pytest.approx(expected, rel=1e-14)
    assert dict(layer._regularizers) == {"weight": L1(0.1), "bias": L2(0.2)}
    assert repr(layer).endswith(", weight_regularizer=L1(l1=0.1), bias_regularizer=L2(l2=0.2))")
    only_weight = LAYERS[name](weight_regularizer=L2(0.5), bias=False)
    assert list(only_weight._regularizers) == ["weight"]
    assert "_regularizers" not in LAYERS[name]().__dict__  # none given: nothing attached


@pytest.mark.parametrize("name", LAYERS)
def test_bias_regularizer_without_bias(name):
    with pytest.raises(ValueError, match=rf"^{name}: bias_regularizer=L2\(l2=0\.01\) was given, "
                                         r"but the layer has no bias \(bias=False\)$"):
        LAYERS[name](bias=False, bias_regularizer=L2())


def test_layer_argument_errors():
    with pytest.raises(TypeError, match="must be a regularizer"):
        nn.Conv2d(1, 1, 3, weight_regularizer="l2")


def test_pytorch_positional_calls_still_work():
    layer = nn.Linear(3, 4, False, None, shendu.float64)
    assert layer.bias is None and layer.weight.dtype == np.float64
    conv = nn.Conv2d(2, 4, 3, 2, 1, 1, 1, False, "zeros", None, shendu.float64)
    assert conv.bias is None and conv.stride == (2, 2) and conv.weight.dtype == np.float64
    convt = nn.ConvTranspose2d(2, 4, 3, 2, 1, 1, 1, True, 1, "zeros", None, shendu.float64)
    assert convt.output_padding == (1, 1) and convt.weight.dtype == np.float64
    with pytest.raises(TypeError):
        nn.Linear(3, 4, True, None, None, L2())  # the penalties are keyword-only


def test_module_repr_lists_the_penalties():
    model = Sequential(nn.Linear(2, 3).regularize(weight=L2(0.01), bias=L1(0.001)), nn.ReLU(),
                       nn.Linear(3, 1))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True, weight_regularizer=L2(l2=0.01), "
        "bias_regularizer=L1(l1=0.001))\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=3, out_features=1, bias=True)\n"
        ")")


# ---------------------------------------------------------------------------- the example
def test_example_shows_l1_sparsity_and_l2_shrinkage(capsys):
    runpy.run_path(str(ROOT / "examples" / "regularization.py"), run_name="__main__")
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        match = re.match(r"(none|L1\(\S+\)|L2\(\S+\))\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)%\s+"
                         r"([\d.]+)\s+(\d+) / \d+$", line)
        if match:
            rows[match.group(1)[:2]] = [float(v) for v in match.groups()[1:]]
    assert set(rows) == {"no", "L1", "L2"}, rows
    none, l1, l2 = rows["no"], rows["L1"], rows["L2"]
    assert l1[2] > 50 > 5 > none[2]  # most weights near zero with L1, few without
    assert l2[3] < 0.9 * none[3]  # a shorter weight vector with L2
    assert l1[4] < none[4] and l2[4] == 16  # L1 switches hidden units off, L2 does not
    assert none[0] < min(l1[0], l2[0])  # the penalties fit the training set less closely
    assert max(l1[1], l2[1]) < none[1]  # and the held-out set better
