"""shendu.optim against PyTorch: 50-step trajectories of every optimizer and option, exact
resumption from a state_dict, and errors for bad input."""

from __future__ import annotations

import copy
import math
import runpy
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn, optim
from shendu.optim import adam as adam_module
from tests.cases.optim import CASES, STEPS, build, make_data, run_trajectory, train

GOLDEN = np.load(Path(__file__).parent / "golden" / "optim.npz")


def assert_trajectory(name: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    """Relative error of the parameters after each step, normwise (max |a-b| / max |b|)."""
    assert ours.shape == theirs.shape, f"{name}: shape {ours.shape} != {theirs.shape}"
    err = np.abs(ours - theirs).max(axis=1) / np.abs(theirs).max(axis=1)
    step = int(err.argmax())
    assert err[step] <= 1e-10, f"{name}: relative error {err[step]:.2e} after step {step + 1}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_golden(case):
    assert_trajectory(case.name, run_trajectory(shendu, case), GOLDEN[case.name])


def test_golden_covers_every_case():
    assert sorted(GOLDEN.files) == sorted(c.name for c in CASES)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_torch(case):
    torch = pytest.importorskip("torch", reason="live parity needs torch")
    assert_trajectory(case.name, run_trajectory(shendu, case), run_trajectory(torch, case))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_resume_from_state_dict_is_exact(case):
    """20 steps, save, restore into fresh objects, 30 more == 50 uninterrupted steps."""
    data = make_data()
    model, opt = build(shendu, case, data)
    train(shendu, model, opt, data, 20)
    saved = copy.deepcopy((model.state_dict(), opt.state_dict()))
    train(shendu, model, opt, data, 5)          # the original goes on; the copy is unaffected
    fresh_model, fresh_opt = build(shendu, case, make_data(seed=1))
    fresh_model.load_state_dict(saved[0])
    fresh_opt.load_state_dict(saved[1])
    resumed = train(shendu, fresh_model, fresh_opt, data, STEPS - 20)[-1]
    np.testing.assert_array_equal(resumed, run_trajectory(shendu, case)[-1])


# ----------------------------------------------------------------------------- behaviour
def _param(*shape, value=1.0):
    return shendu.full(shape, value, dtype=shendu.float64, requires_grad=True)


def test_param_groups_are_filled_from_defaults():
    a, b = _param(2), _param(3)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert all(g["momentum"] == 0.9 for g in opt.param_groups)
    assert opt.param_groups[1]["params"] == [b]
    c = _param(1)
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0


def test_state_is_created_lazily_and_parameters_without_grad_are_skipped():
    a, b = _param(2), _param(2)
    opt = optim.Adam([a, b], lr=0.1)
    assert opt.state == {}
    (a * 3).sum().backward()
    opt.step()
    assert list(opt.state) == [a] and opt.state[a]["step"] == 1
    assert b.data.tolist() == [1.0, 1.0]
    np.testing.assert_allclose(a.data, 0.9)     # Adam's first step is lr * sign(g)


def test_zero_grad():
    a = _param(2)
    opt = optim.SGD([a], lr=0.1)
    (a * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert a.grad.data.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None


def test_step_with_closure_returns_its_loss():
    a = _param(2)
    opt = optim.SGD([a], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    with shendu.no_grad():          # step turns grad mode on for the closure
        loss = opt.step(closure)
    assert loss.item() == 2.0
    assert a.data.tolist() == [0.5, 0.5]


def test_step_marks_saved_tensors_stale():
    a = _param(2)
    opt = optim.SGD([a], lr=0.1)
    (a * a).sum().backward()
    y = (a * a).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_state_dict_layout_matches_pytorch():
    model = nn.Linear(3, 2)
    opt = optim.Adam([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.1}])
    model(shendu.ones(1, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.1 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(sd["state"]) == {0, 1}
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert sd["state"][0]["exp_avg"].shape == (2, 3)


@pytest.mark.torch
def test_loads_a_pytorch_optimizer_state_dict():
    """A torch state_dict with its tensors turned into arrays (as a checkpoint converter
    would) continues exactly as torch does."""
    torch = pytest.importorskip("torch", reason="needs torch")
    case = next(c for c in CASES if c.name == "Adam-amsgrad")
    data = make_data()
    t_model, t_opt = build(torch, case, data)
    train(torch, t_model, t_opt, data, 20)
    t_sd = t_opt.state_dict()
    state = {i: {k: v.numpy() for k, v in s.items()} for i, s in t_sd["state"].items()}
    model, opt = build(shendu, case, data)
    model.load_state_dict({k: v.numpy() for k, v in t_model.state_dict().items()})
    opt.load_state_dict({"state": state, "param_groups": t_sd["param_groups"]})
    ours = train(shendu, model, opt, data, 10)[-1]
    theirs = train(torch, t_model, t_opt, data, 10)[-1]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_an_update_allocates_less_than_one_copy_of_the_model():
    """Updates are in place: the memory a step allocates (once the state exists) stays under
    two copies of the largest parameter, a fraction of the model's four (Adam: one
    block-sized scratch array per thread)."""
    params = [_param(256, 256, value=0.5) for _ in range(4)]
    largest = params[0].data.nbytes
    for opt in (optim.Adam(params, amsgrad=True), optim.SGD(params, momentum=0.9, lr=0.1),
                optim.RMSprop(params, centered=True, momentum=0.5),
                optim.Adagrad(params), optim.Adadelta(params)):
        for p in params:
            p.grad = shendu.full(p.shape, 0.1, dtype=shendu.float64)
        opt.step()                           # creates the state
        tracemalloc.start()
        opt.step()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        block = adam_module._THREADS * min(adam_module._BLOCK * 8, largest) + 16384
        limit = block if isinstance(opt, optim.Adam) else 2 * largest + 4096
        assert peak <= limit, f"{type(opt).__name__} step allocated {peak} bytes"


# ----------------------------------------------------------------------------- bad input
ALL = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad, optim.Adadelta]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
@pytest.mark.parametrize("lr", [-0.1, math.nan, "0.1"])
def test_bad_learning_rate(cls, lr):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: invalid lr"):
        cls([_param(2)], lr=lr)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, -0.1), (0.9, math.nan), (0.9,)])
def test_bad_betas(cls, betas):
    with pytest.raises(ValueError, match="beta"):
        cls([_param(2)], betas=betas)


@pytest.mark.parametrize("make, error, match", [
    (lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda: optim.SGD(5, lr=0.1), TypeError, "ordered iterable"),
    (lambda: optim.SGD({_param(2)}, lr=0.1), TypeError, "ordered iterable"),
    (lambda: optim.SGD(_param(2), lr=0.1), TypeError, r"wrap it in a list"),
    (lambda: optim.SGD([shendu.ones(2)], lr=0.1), ValueError, "requires grad"),
    (lambda: optim.SGD([_param(2) * 2], lr=0.1), ValueError, "non-leaf"),
    (lambda: optim.SGD([np.ones(2)], lr=0.1), TypeError, "only optimize Tensors"),
    (lambda: optim.SGD([{"lr": 0.1}], lr=0.1), ValueError, "no 'params'"),
    (lambda: optim.SGD([{"params": [_param(1)], "betas": (0.9, 0.9)}]), ValueError,
     r"unknown option\(s\) \['betas'\]"),
    (lambda: optim.SGD([_param(1)], momentum=-1), ValueError, "invalid momentum"),
    (lambda: optim.SGD([_param(1)], nesterov=True), ValueError, "Nesterov"),
    (lambda: optim.RMSprop([_param(1)], alpha=-0.5), ValueError, "invalid alpha"),
    (lambda: optim.Adadelta([_param(1)], rho=1.5), ValueError, "invalid rho"),
    (lambda: optim.Adam([_param(1)], eps=-1e-8), ValueError, "invalid eps"),
    (lambda: optim.Adagrad([_param(1)], lr_decay=-1), ValueError, "invalid lr_decay"),
])
def test_bad_construction(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_a_parameter_in_two_groups_is_rejected():
    a = _param(2)
    with pytest.raises(ValueError, match="appears more than once"):
        optim.SGD([a, a], lr=0.1)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="appears more than once"):
        opt.add_param_group({"params": [_param(1), a]})
    assert len(opt.param_groups) == 1


def test_frozen_parameters_may_sit_beside_trainable_ones():
    frozen, trainable = shendu.ones(2), _param(2)
    opt = optim.SGD([frozen, trainable], lr=0.1)
    (trainable * 1).sum().backward()
    opt.step()
    assert frozen.data.tolist() == [1.0, 1.0]


def _trained_adam(n_params=2, **kwargs):
    params = [_param(2) for _ in range(n_params)]
    opt = optim.Adam(params, lr=0.1, **kwargs)
    sum((p * p).sum() for p in params).backward()
    opt.step()
    return opt


@pytest.mark.parametrize("change, match", [
    (lambda sd: optim.SGD([_param(2), _param(2)], lr=0.1, momentum=0.9).state_dict(),
     r"different\s+optimizer"),
    (lambda sd: {**sd, "param_groups": sd["param_groups"] * 2}, "2 param group"),
    (lambda sd: {**sd, "param_groups": [{**sd["param_groups"][0], "params": [0]}]},
     "holds 1 parameter"),
    (lambda sd: {**sd, "state": {**sd["state"], 5: {"step": 1}}}, "state for parameter 5"),
    (lambda sd: {**sd, "state": {0: {**sd["state"][0], "exp_avg": np.zeros(3)}}},
     r"has shape \(3,\), the parameter \(2,\)"),
    (lambda sd: {**sd, "param_groups": [{**sd["param_groups"][0], "lr": -1.0}]},
     "invalid lr"),
    (lambda sd: sd["state"], "expects a dict with the keys"),
])
def test_bad_state_dict_leaves_the_optimizer_unchanged(change, match):
    opt = _trained_adam()
    before = copy.deepcopy(opt.state_dict())
    bad = change(copy.deepcopy(_trained_adam(amsgrad=False).state_dict()))
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, state in before["state"].items():
        for key, value in state.items():
            np.testing.assert_array_equal(after["state"][i][key], value)


def test_repr_lists_each_group():
    text = repr(optim.SGD([_param(1)], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9\n" in text


def test_curriculum_momentum_is_sgd_with_dampening():
    """examples/optimizers.py: v = beta v + (1 - beta) g by hand == SGD(dampening=beta)."""
    example = runpy.run_path(str(Path(__file__).parents[1] / "examples" / "optimizers.py"))
    ours = example["run"](lambda p: optim.SGD(p, lr=0.4, momentum=0.5, dampening=0.5))
    assert ours == example["momentum_by_hand"](beta=0.5, lr=0.4)
    assert ours[-1] != ours[0]
