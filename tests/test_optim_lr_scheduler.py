"""Learning-rate schedulers against PyTorch: the learning rate of every param group (and the
momentum or beta1 that OneCycleLR cycles) after each step, from tests/golden/lr_scheduler.npz
(made by tools/make_golden_lr_scheduler.py, so the suite runs without torch) and live when torch
is importable. Both are built from one list of cases, ``CASES``. Also: state_dict round trips,
PyTorch's state_dicts loading, resuming with last_epoch, and the errors for bad input."""

from __future__ import annotations

import copy
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import shendu
from shendu.optim import lr_scheduler

GOLDEN = Path(__file__).parent / "golden" / "lr_scheduler.npz"
RTOL = 1e-10


# --------------------------------------------------------------------------- the cases
def warmup(epoch: int) -> float:
    """A linear warm-up over 5 epochs (a LambdaLR factor)."""
    return min(1.0, (epoch + 1) / 5)


def decay(epoch: int) -> float:
    """Exponential decay (a LambdaLR factor)."""
    return 0.93 ** epoch


# A validation loss that falls, stalls, wobbles and falls again; and an accuracy from it.
LOSSES = tuple(round(1.0 / (1 + k // 6) + 0.02 * ((7 * k) % 5), 6) for k in range(40))
ACCURACIES = tuple(round(1.0 - v / 2, 6) for v in LOSSES)


@dataclass(frozen=True)
class Case:
    """One schedule: the schedulers built in order on one optimizer, then stepped together
    (after ``optimizer.step()``) ``steps`` times."""

    name: str
    schedulers: tuple[tuple[str, dict[str, Any]], ...]   # (class in lr_scheduler, kwargs)
    steps: int = 40
    optimizer: str = "SGD"
    options: dict[str, Any] = field(default_factory=lambda: {"momentum": 0.9})
    lrs: tuple[float, ...] = (0.1,)                      # one param group per lr
    metrics: tuple[float, ...] | None = None             # ReduceLROnPlateau.step(metrics[i])
    epochs: tuple[int, ...] | None = None                # deprecated step(epoch=epochs[i])


def _one(name: str, **kwargs: Any) -> tuple[tuple[str, dict[str, Any]], ...]:
    return ((name, kwargs),)


CASES = [
    Case("step_gamma05", _one("StepLR", step_size=3, gamma=0.5)),
    Case("step_default_two_groups", _one("StepLR", step_size=7), lrs=(0.1, 0.01)),
    Case("multistep_unsorted_repeated",
         _one("MultiStepLR", milestones=[25, 5, 12, 12], gamma=0.3)),
    Case("exponential", _one("ExponentialLR", gamma=0.9), lrs=(0.5, 0.05)),
    Case("cosine_eta_min_3tmax", _one("CosineAnnealingLR", T_max=10, eta_min=0.001),
         steps=35),
    Case("cosine_default_two_groups", _one("CosineAnnealingLR", T_max=7), lrs=(0.1, 0.03)),
    Case("lambda_two_groups_two_lambdas", _one("LambdaLR", lr_lambda=[warmup, decay]),
         lrs=(0.1, 0.2)),
    Case("lambda_one_function", _one("LambdaLR", lr_lambda=decay), lrs=(0.1, 0.2)),
    Case("linear_default", _one("LinearLR"), steps=12),
    Case("linear_increasing", _one("LinearLR", start_factor=0.25, total_iters=8)),
    Case("linear_decreasing",
         _one("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=30)),
    Case("onecycle_cos_sgd", _one("OneCycleLR", max_lr=1.0, total_steps=40)),
    Case("onecycle_linear_adam_two_groups",
         _one("OneCycleLR", max_lr=[0.01, 0.02], epochs=5, steps_per_epoch=8,
              anneal_strategy="linear"),
         optimizer="Adam", options={}, lrs=(0.001, 0.001)),
    Case("onecycle_three_phase_adamw",
         _one("OneCycleLR", max_lr=0.05, total_steps=40, pct_start=0.25, three_phase=True,
              base_momentum=0.8, max_momentum=0.9),
         optimizer="AdamW", options={}),
    Case("onecycle_three_phase_linear_sgd",
         _one("OneCycleLR", max_lr=0.5, total_steps=40, three_phase=True,
              anneal_strategy="linear", base_momentum=[0.85], max_momentum=[0.95])),
    Case("onecycle_rmsprop_divs",
         _one("OneCycleLR", max_lr=0.02, total_steps=45, pct_start=0.4, div_factor=10.0,
              final_div_factor=100.0),
         optimizer="RMSprop", options={}),
    Case("onecycle_no_momentum_adagrad",
         _one("OneCycleLR", max_lr=0.3, total_steps=40, cycle_momentum=False),
         optimizer="Adagrad", options={}),
    Case("plateau_min_rel_cooldown",
         _one("ReduceLROnPlateau", factor=0.5, patience=2, cooldown=2), metrics=LOSSES),
    Case("plateau_min_abs_min_lr",
         _one("ReduceLROnPlateau", threshold_mode="abs", threshold=0.02, patience=1,
              min_lr=0.01),
         metrics=LOSSES),
    Case("plateau_max_rel_two_groups",
         _one("ReduceLROnPlateau", mode="max", factor=0.3, patience=1, cooldown=1,
              min_lr=[0.001, 0.0001]),
         lrs=(0.1, 0.01), metrics=ACCURACIES),
    Case("plateau_max_abs_eps",
         _one("ReduceLROnPlateau", mode="max", threshold_mode="abs", threshold=0.01,
              patience=0, cooldown=3, eps=1e-3),
         metrics=ACCURACIES),
    Case("chain_exponential_step",
         (("ExponentialLR", {"gamma": 0.95}), ("StepLR", {"step_size": 5, "gamma": 0.5}))),
    Case("chain_linear_cosine",
         (("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
          ("CosineAnnealingLR", {"T_max": 15, "eta_min": 0.002}))),
    Case("chain_multistep_lambda",
         (("MultiStepLR", {"milestones": [8, 20], "gamma": 0.5}),
          ("LambdaLR", {"lr_lambda": warmup}))),
    # the deprecated step(epoch): jumps, computed with the closed form where there is one
    Case("epoch_jumps_step", _one("StepLR", step_size=4, gamma=0.5), steps=8,
         epochs=(3, 4, 9, 2, 16, 16, 0, 30)),
    Case("epoch_jumps_multistep", _one("MultiStepLR", milestones=[9, 5, 5]), steps=6,
         epochs=(4, 5, 12, 7, 9, 1)),
    Case("epoch_jumps_exponential", _one("ExponentialLR", gamma=0.8), steps=5,
         epochs=(2, 7, 1, 0, 12)),
    Case("epoch_jumps_cosine", _one("CosineAnnealingLR", T_max=10, eta_min=0.01), steps=8,
         epochs=(1, 5, 12, 7, 20, 9, 10, 33)),
    Case("epoch_jumps_linear", _one("LinearLR", start_factor=0.5, total_iters=6), steps=6,
         epochs=(2, 3, 9, 1, 0, 6)),
    Case("epoch_jumps_lambda", _one("LambdaLR", lr_lambda=[decay, warmup]), lrs=(0.1, 0.2),
         steps=5, epochs=(3, 9, 1, 0, 12)),
    Case("epoch_jumps_onecycle", _one("OneCycleLR", max_lr=0.4, total_steps=20), steps=6,
         epochs=(3, 19, 20, 5, 0, 11)),
]


# --------------------------------------------------------------------------- the runner
def build(lib, case: Case):
    """The optimizer and schedulers of ``case``, in ``lib`` (shendu or torch). Each parameter
    has a zero gradient, so ``optimizer.step()`` runs (schedulers warn if it has not)."""
    groups = []
    for lr in case.lrs:
        p = lib.zeros(2, dtype=lib.float64, requires_grad=True)
        p.grad = lib.zeros_like(p)
        groups.append({"params": [p], "lr": lr})
    optimizer = getattr(lib.optim, case.optimizer)(groups, **case.options)
    schedulers = [getattr(lib.optim.lr_scheduler, name)(optimizer, **kwargs)
                  for name, kwargs in case.schedulers]
    return optimizer, schedulers


def record(optimizer, schedulers) -> dict[str, list[float]]:
    groups = optimizer.param_groups
    return {
        "lr": [float(g["lr"]) for g in groups],
        "momentum": [float(g["momentum"]) if "momentum" in g else
                     float(g["betas"][0]) if "betas" in g else math.nan for g in groups],
        "last_lr": [float(v) for v in schedulers[-1].get_last_lr()],
    }


def advance(case: Case, optimizer, schedulers, start: int, stop: int) -> list[dict]:
    """Steps ``start`` to ``stop - 1`` of ``case``; the record after each."""
    rows = []
    for i in range(start, stop):
        optimizer.step()
        for scheduler in schedulers:
            if case.metrics is not None:
                scheduler.step(case.metrics[i])
            elif case.epochs is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")   # step(epoch) is deprecated
                    scheduler.step(case.epochs[i])
            else:
                scheduler.step()
        rows.append(record(optimizer, schedulers))
    return rows


def stack(rows: list[dict]) -> dict[str, np.ndarray]:
    return {key: np.array([row[key] for row in rows], dtype=np.float64) for key in rows[0]}


def run_case(lib, case: Case) -> dict[str, np.ndarray]:
    """``lr``, ``momentum`` (NaN where the group has none) and the last scheduler's
    ``last_lr``: arrays of shape (steps + 1, groups), row 0 right after construction."""
    optimizer, schedulers = build(lib, case)
    rows = [record(optimizer, schedulers)]
    rows += advance(case, optimizer, schedulers, 0, case.steps)
    return stack(rows)


def max_relative_error(ours: np.ndarray, expected: np.ndarray) -> float:
    both_nan = np.isnan(ours) & np.isnan(expected)
    diff = np.where(both_nan, 0.0, np.abs(ours - expected))
    scale = np.where(expected == 0, 1.0, np.abs(expected))
    return float(np.max(diff / scale))


def assert_matches(name: str, ours: dict[str, np.ndarray], expected: dict[str, np.ndarray]):
    for key, want in expected.items():
        got = ours[key]
        assert got.shape == want.shape, f"{name}/{key}: shape {got.shape}, expected {want.shape}"
        err = max_relative_error(got, want)
        if err > RTOL:
            bad = int(np.argmax(np.nan_to_num(np.abs(got - want), nan=np.inf).max(axis=1)))
            raise AssertionError(f"{name}/{key}: relative error {err:.3g} > {RTOL}; first at "
                                 f"step {bad}: {got[bad]} vs {want[bad]}")


# --------------------------------------------------------------------------- against PyTorch
@pytest.fixture(scope="module")
def golden() -> dict[str, np.ndarray]:
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run `python tools/make_golden_lr_scheduler.py`"
    with np.load(GOLDEN, allow_pickle=False) as data:
        return {k: data[k] for k in data}


def test_golden_file_covers_the_cases(golden):
    names = {key.split("/")[0] for key in golden}
    assert names == {case.name for case in CASES}, \
        "tests/golden/lr_scheduler.npz is stale: run `python tools/make_golden_lr_scheduler.py`"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_golden(case, golden):
    expected = {key: golden[f"{case.name}/{key}"] for key in ("lr", "momentum", "last_lr")}
    assert_matches(case.name, run_case(shendu, case), expected)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matches_torch(case):
    torch = pytest.importorskip("torch", reason="live parity needs torch (pip install "
                                                "torch==2.13.0)")
    assert_matches(case.name, run_case(shendu, case), run_case(torch, case))


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_pytorch_state_dict_loads(case):
    """A scheduler state_dict saved by PyTorch continues the schedule in shendu."""
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    half = case.steps // 2
    ours_opt, ours = build(shendu, case)
    theirs_opt, theirs = build(torch, case)
    advance(case, ours_opt, ours, 0, half)
    advance(case, theirs_opt, theirs, 0, half)
    for mine, saved in zip(ours, theirs):
        mine.load_state_dict(saved.state_dict())
    assert_matches(case.name, stack(advance(case, ours_opt, ours, half, case.steps)),
                   stack(advance(case, theirs_opt, theirs, half, case.steps)))


RESUMED = [("StepLR", {"step_size": 3, "gamma": 0.5}),
           ("MultiStepLR", {"milestones": [6, 9]}),
           ("ExponentialLR", {"gamma": 0.9}),
           ("CosineAnnealingLR", {"T_max": 6, "eta_min": 0.01}),
           ("LinearLR", {"start_factor": 0.2, "total_iters": 8}),
           ("LambdaLR", {"lr_lambda": decay})]


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", RESUMED, ids=[r[0] for r in RESUMED])
def test_resuming_with_last_epoch_matches_torch(name, kwargs):
    """A scheduler built with last_epoch=4 on an optimizer that has initial_lr."""
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    case = Case(f"resume_{name}", ((name, kwargs),), steps=12)
    results = []
    for lib in (shendu, torch):
        optimizer, _ = build(lib, case)
        resumed = [getattr(lib.optim.lr_scheduler, name)(optimizer, last_epoch=4, **kwargs)]
        rows = [record(optimizer, resumed)] + advance(case, optimizer, resumed, 0, 8)
        results.append(stack(rows))
    assert_matches(case.name, *results)


# --------------------------------------------------------------------------- state_dict
@pytest.mark.parametrize("case", [c for c in CASES if c.epochs is None], ids=lambda c: c.name)
def test_state_dict_round_trip(case):
    """Half the steps, save (the scheduler through JSON), load into a fresh optimizer and
    scheduler, the other half: the same learning rates as all the steps without a break."""
    half = case.steps // 2
    whole = run_case(shendu, case)
    optimizer, schedulers = build(shendu, case)
    advance(case, optimizer, schedulers, 0, half)
    saved_optimizer = copy.deepcopy(optimizer.state_dict())
    saved = [json.dumps(s.state_dict()) for s in schedulers]
    optimizer, schedulers = build(shendu, case)
    optimizer.load_state_dict(saved_optimizer)
    for scheduler, text in zip(schedulers, saved):
        scheduler.load_state_dict(json.loads(text))
    resumed = stack(advance(case, optimizer, schedulers, half, case.steps))
    for key, values in resumed.items():
        np.testing.assert_array_equal(values, whole[key][half + 1:], err_msg=f"{case.name}/{key}")


def test_state_dict_has_everything_but_the_optimizer():
    optimizer, (scheduler,) = build(shendu, CASES[0])
    state = scheduler.state_dict()
    assert "optimizer" not in state
    assert {"base_lrs", "last_epoch", "_last_lr", "step_size", "gamma"} <= set(state)
    state["base_lrs"].append(1.0)   # a copy: changing it changes nothing
    assert scheduler.base_lrs == [0.1]


def test_lambda_lr_saves_no_functions_but_callable_objects_state():
    class Factor:
        def __init__(self) -> None:
            self.scale = 0.5

        def __call__(self, epoch: int) -> float:
            return self.scale ** epoch

    optimizer = shendu.optim.SGD([{"params": [_param()]}, {"params": [_param()]}], lr=0.1)
    factor = Factor()
    scheduler = lr_scheduler.LambdaLR(optimizer, [decay, factor])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [None, {"scale": 0.5}]
    factor.scale = 0.9
    scheduler.load_state_dict(state)
    assert factor.scale == 0.5 and scheduler.lr_lambdas == [decay, factor]


def test_load_state_dict_of_another_scheduler_is_refused():
    optimizer = shendu.optim.SGD([_param()], lr=0.1)
    step = lr_scheduler.StepLR(optimizer, 3)
    cosine = lr_scheduler.CosineAnnealingLR(optimizer, 10)
    with pytest.raises(ValueError, match=r"StepLR.load_state_dict: missing keys \['gamma', "
                                         r"'step_size'\], unexpected keys \['T_max', "
                                         r"'eta_min'\]"):
        step.load_state_dict(cosine.state_dict())
    with pytest.raises(TypeError, match="StepLR.load_state_dict expects a dict"):
        step.load_state_dict([1, 2])
    other = lr_scheduler.StepLR(shendu.optim.SGD([{"params": [_param()]},
                                                  {"params": [_param()]}], lr=0.1), 3)
    with pytest.raises(ValueError, match="'base_lrs' has 2 value"):
        step.load_state_dict(other.state_dict())


# --------------------------------------------------------------------------- behaviour
def _param():
    p = shendu.zeros(2, dtype=shendu.float64, requires_grad=True)
    p.grad = shendu.zeros_like(p)
    return p


def _sgd(lrs=(0.1,), **options):
    return shendu.optim.SGD([{"params": [_param()], "lr": lr} for lr in lrs], **options)


def test_construction_sets_epoch_zero_and_initial_lr():
    optimizer = _sgd((0.1, 0.2))
    scheduler = lr_scheduler.LinearLR(optimizer, start_factor=0.5)
    assert scheduler.last_epoch == 0
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.1, 0.2]
    assert scheduler.base_lrs == [0.1, 0.2]
    assert scheduler.get_last_lr() == [0.05, 0.1]
    assert [g["lr"] for g in optimizer.param_groups] == [0.05, 0.1]


def test_get_last_lr_is_a_copy_of_the_lrs_set_by_the_last_step():
    optimizer = _sgd()
    first = lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
    second = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.1)
    optimizer.step()
    first.step()
    second.step()
    assert first.get_last_lr() == [0.05]            # before the second scheduler's factor
    assert second.get_last_lr() == pytest.approx([0.005], rel=1e-15)
    second.get_last_lr().append(1.0)
    assert len(second.get_last_lr()) == 1


def test_step_before_optimizer_step_warns():
    optimizer = shendu.optim.SGD([shendu.zeros(2, requires_grad=True)], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, 2)
    with pytest.warns(UserWarning, match=r"StepLR.step\(\) was called before optimizer.step"):
        scheduler.step()


def test_get_lr_outside_step_warns():
    scheduler = lr_scheduler.StepLR(_sgd(), 2)
    with pytest.warns(UserWarning, match=r"use get_last_lr\(\)"):
        scheduler.get_lr()


def test_step_with_epoch_is_deprecated_and_uses_the_closed_form():
    optimizer = _sgd()
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    optimizer.step()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(7)
    assert scheduler.last_epoch == 7 and scheduler.get_last_lr() == [0.1 * 0.5 ** 2]


def test_one_cycle_refuses_to_step_past_total_steps_and_changes_nothing():
    optimizer = _sgd()
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    for _ in range(10):
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 11 times, but "
                                         "total_steps is 10"):
        scheduler.step()
    assert scheduler.last_epoch == 10


def test_one_cycle_needs_momentum_or_betas():
    optimizer = shendu.optim.Adagrad([_param()], lr=0.1)
    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimizer with "
                                         "'momentum'.*Adagrad has neither"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)


def test_one_cycle_sets_beta1_of_adam():
    optimizer = shendu.optim.Adam([_param()], lr=0.1, betas=(0.5, 0.99))
    lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10)
    group = optimizer.param_groups[0]
    assert group["betas"] == (0.95, 0.99)
    assert (group["initial_lr"], group["max_lr"], group["min_lr"]) == (0.04, 1.0, 0.04 / 1e4)


def test_plateau_takes_a_one_element_tensor_and_refuses_other_metrics():
    optimizer = _sgd()
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    scheduler.step(shendu.tensor(1.0))
    scheduler.step(shendu.tensor([2.0]))
    assert scheduler.get_last_lr() == [pytest.approx(0.01)]
    with pytest.raises(TypeError, match="ReduceLROnPlateau.step expects the monitored metric"):
        scheduler.step("loss")


def test_plateau_new_param_group_gets_the_default_min_lr():
    optimizer = _sgd()
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, min_lr=0.05)
    optimizer.add_param_group({"params": [_param()], "lr": 0.2})
    scheduler.step(1.0)
    scheduler.step(2.0)
    assert scheduler.get_last_lr() == [0.05, pytest.approx(0.05)]


def test_adding_a_param_group_after_the_scheduler_is_an_error():
    optimizer = _sgd()
    scheduler = lr_scheduler.StepLR(optimizer, 2)
    optimizer.add_param_group({"params": [_param()]})
    with pytest.raises(ValueError, match=r"StepLR: the optimizer has 2 param group\(s\), but "
                                         "the scheduler was built for 1"):
        scheduler.step()


def test_resuming_needs_initial_lr():
    optimizer = _sgd()
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in "
                                       r"param_groups\[0\]"):
        lr_scheduler.StepLR(optimizer, 3, last_epoch=5)
    lr_scheduler.StepLR(optimizer, 3)   # records initial_lr, but not OneCycleLR's keys
    with pytest.raises(KeyError, match="OneCycleLR: param 'max_lr' is not specified"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10, last_epoch=5)


# --------------------------------------------------------------------------- bad input
BAD = [
    (lambda o: lr_scheduler.StepLR(o, 0), ValueError, "StepLR: invalid step_size 0"),
    (lambda o: lr_scheduler.StepLR(o, -3), ValueError, "StepLR: invalid step_size -3"),
    (lambda o: lr_scheduler.StepLR(o, 2.5), ValueError, "StepLR: invalid step_size 2.5"),
    (lambda o: lr_scheduler.StepLR(o, 3, gamma=0.0), ValueError, "StepLR: invalid gamma 0.0"),
    (lambda o: lr_scheduler.StepLR(o, 3, gamma=-0.5), ValueError, "invalid gamma -0.5"),
    (lambda o: lr_scheduler.StepLR(o, 3, gamma=math.nan), ValueError, "invalid gamma nan"),
    (lambda o: lr_scheduler.StepLR(o, 3, last_epoch=-2), ValueError,
     "StepLR: invalid last_epoch -2"),
    (lambda o: lr_scheduler.MultiStepLR(o, [3, -1]), ValueError,
     "MultiStepLR: invalid milestone -1"),
    (lambda o: lr_scheduler.MultiStepLR(o, 5), TypeError, "milestones must be a list"),
    (lambda o: lr_scheduler.MultiStepLR(o, [2], gamma=math.inf), ValueError,
     "MultiStepLR: invalid gamma inf"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=-1.0), ValueError,
     "ExponentialLR: invalid gamma -1.0"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError,
     "CosineAnnealingLR: invalid T_max 0"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=-0.1), ValueError,
     "CosineAnnealingLR: invalid eta_min -0.1"),
    (lambda o: lr_scheduler.LambdaLR(o, [decay, decay]), ValueError,
     "LambdaLR: lr_lambda must have one value per param group; got 2 values for 1"),
    (lambda o: lr_scheduler.LambdaLR(o, 0.5), TypeError, "LambdaLR: lr_lambda must be a "
                                                         "function"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), ValueError,
     r"LinearLR: invalid start_factor 0.0; expected a number in \(0, 1\]"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError,
     "LinearLR: invalid end_factor 1.5"),
    (lambda o: lr_scheduler.LinearLR(o, total_iters=0), ValueError,
     "LinearLR: invalid total_iters 0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), ValueError,
     "give either total_steps, or both epochs and steps_per_epoch"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=0), ValueError,
     "OneCycleLR: invalid total_steps 0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=-1),
     ValueError, "OneCycleLR: invalid steps_per_epoch -1"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5),
     ValueError, "OneCycleLR: invalid pct_start 1.5"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.1),
     ValueError, "leaves phase 1 of the cycle without steps"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.0),
     ValueError, "leaves phase 2 of the cycle without steps"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=0.6,
                                       three_phase=True),
     ValueError, r"invalid pct_start 0.6 with three_phase=True; expected a number in "
                 r"\[0, 0.5\]"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="exp"),
     ValueError, "anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), ValueError,
     "OneCycleLR: max_lr must have one value per param group; got 2 values for 1"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=-1.0, total_steps=10), ValueError,
     "OneCycleLR: invalid max_lr -1.0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, div_factor=0.0),
     ValueError, "OneCycleLR: invalid div_factor 0.0"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, max_momentum=-0.1),
     ValueError, "OneCycleLR: invalid max_momentum -0.1"),
    (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, last_epoch=3),
     KeyError, "OneCycleLR: param 'initial_lr' is not specified"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError,
     r"ReduceLROnPlateau: invalid factor 1.0; expected a number in \[0, 1\)"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=-0.1), ValueError,
     "ReduceLROnPlateau: invalid factor -0.1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="maximum"), ValueError,
     "ReduceLROnPlateau: unknown mode 'maximum'; expected 'min' or 'max'"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="relative"), ValueError,
     "ReduceLROnPlateau: unknown threshold_mode 'relative'"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), ValueError,
     "ReduceLROnPlateau: invalid patience -1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, cooldown=1.5), ValueError,
     "ReduceLROnPlateau: invalid cooldown 1.5"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold=math.nan), ValueError,
     "ReduceLROnPlateau: invalid threshold nan"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError,
     "ReduceLROnPlateau: min_lr must have one value per param group; got 2 values for 1"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=-1e-3), ValueError,
     "ReduceLROnPlateau: invalid min_lr -0.001"),
]


@pytest.mark.parametrize("make, error, match", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_input(make, error, match):
    optimizer = _sgd()
    before = copy.deepcopy([{k: v for k, v in g.items() if k != "params"}
                            for g in optimizer.param_groups])
    with pytest.raises(error, match=match):
        make(optimizer)
    after = [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
    assert after == before, "a scheduler that raised changed the optimizer"


def test_adam_beta1_must_stay_below_one():
    optimizer = shendu.optim.Adam([_param()], lr=0.1)
    with pytest.raises(ValueError, match="OneCycleLR: invalid max_momentum 1.0; expected a "
                                         r"number in \[0, 1\)"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=10, max_momentum=1.0)


SCHEDULERS = [
    lambda o: lr_scheduler.LambdaLR(o, decay),
    lambda o: lr_scheduler.StepLR(o, 3),
    lambda o: lr_scheduler.MultiStepLR(o, [3]),
    lambda o: lr_scheduler.ExponentialLR(o, 0.9),
    lambda o: lr_scheduler.CosineAnnealingLR(o, 10),
    lambda o: lr_scheduler.LinearLR(o),
    lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=10),
    lambda o: lr_scheduler.ReduceLROnPlateau(o),
]


@pytest.mark.parametrize("make", SCHEDULERS, ids=["LambdaLR", "StepLR", "MultiStepLR",
                                                  "ExponentialLR", "CosineAnnealingLR",
                                                  "LinearLR", "OneCycleLR",
                                                  "ReduceLROnPlateau"])
def test_not_an_optimizer_is_a_type_error(make):
    with pytest.raises(TypeError, match=r"optimizer must be a shendu.optim.Optimizer \(SGD, "
                                        r"Adam, ...\), got builtins.list"):
        make([_param()])
