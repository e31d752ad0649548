"""Learning-rate schedules (``shendu.optim.lr_scheduler``), with the names, arguments and
step-by-step values of ``torch.optim.lr_scheduler``.

A scheduler wraps an optimizer and rewrites the ``lr`` of each of its param groups as training
goes on. Build it after the optimizer; building it already sets the learning rate for epoch 0.
Then call ``scheduler.step()`` after ``optimizer.step()``: once per epoch for most schedules,
once per batch for ``OneCycleLR``, and with the monitored metric for ``ReduceLROnPlateau``::

    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            optimizer.zero_grad()
            loss(model(X), y).backward()
            optimizer.step()
        scheduler.step()                      # or plateau.step(val_loss)

``last_epoch`` counts the scheduler's steps (0 after construction) and ``get_last_lr()`` gives
the learning rates it set last, one per param group. ``state_dict()`` holds everything but the
optimizer; save the optimizer's state_dict beside it, since the learning rates live there.

Each docstring gives its schedule's closed form in ``t = last_epoch``. Most schedules are
computed, as in PyTorch, recursively from the group's current ``lr`` (``lr * gamma`` at a
milestone, not ``base_lr * gamma**k``). Alone, the recursion equals the closed form up to
rounding; with two schedulers on one optimizer it makes them compose, each multiplying in its
own factor at each step.
"""

from __future__ import annotations

import copy
import math
import types
import warnings
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

from shendu.optim.optimizer import Optimizer

__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "LinearLR",
           "MultiStepLR", "OneCycleLR", "ReduceLROnPlateau", "StepLR"]

# Keys in PyTorch's scheduler state_dicts that are transient flags there; ignored on load, so
# that a state_dict saved by torch can be loaded.
_TORCH_FLAGS = frozenset({"_is_initial", "_get_lr_called_within_step", "verbose"})


# --------------------------------------------------------------------------- argument checks
def _check_optimizer(owner: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        kind = type(optimizer)
        raise TypeError(f"{owner}: optimizer must be a shendu.optim.Optimizer (SGD, Adam, ...), "
                        f"got {kind.__module__}.{kind.__qualname__}")


def _check_int(owner: str, name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{owner}: invalid {name} {value!r}; expected an integer >= {low}")


def _check_real(owner: str, name: str, value: Any, low: float = -math.inf,
                high: float = math.inf, *, low_open: bool = False,
                high_open: bool = False) -> None:
    """Raise ValueError unless ``value`` is a real number (not NaN) in the interval."""
    ok = not isinstance(value, bool) and isinstance(value, Real) and not math.isnan(value)
    if ok:
        ok = (value > low if low_open else value >= low) and \
             (value < high if high_open else value <= high)
    if not ok:
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{owner}: invalid {name} {value!r}; expected a number in {interval}")


def _per_group(owner: str, name: str, optimizer: Optimizer, value: Any) -> list:
    """One value per param group: a list or tuple as given (its length checked), else
    ``value`` repeated."""
    count = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(f"{owner}: {name} must have one value per param group; got "
                             f"{len(value)} values for {count} param group(s)")
        return list(value)
    return [value] * count


def _require_group_keys(owner: str, optimizer: Optimizer, keys: Sequence[str]) -> None:
    for i, group in enumerate(optimizer.param_groups):
        for key in keys:
            if key not in group:
                raise KeyError(f"{owner}: param '{key}' is not specified in param_groups[{i}] "
                               "when resuming a scheduler with last_epoch >= 0. Load the "
                               "optimizer's state_dict (which holds it) first, or build a "
                               "fresh scheduler with last_epoch=-1")


# --------------------------------------------------------------------------- the base class
class LRScheduler:
    """Base class of the learning-rate schedules.

    A subclass sets its own options, then calls ``super().__init__(optimizer, last_epoch)``,
    and implements ``get_lr()``: the learning rates for epoch ``self.last_epoch`` (already
    advanced), one per param group. It may also define ``_get_closed_form_lr()``, used by the
    deprecated ``step(epoch)``.

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        last_epoch: index of the last epoch done; -1 (the default) starts the schedule.
            Another value resumes it, and needs ``initial_lr`` in every param group (an
            optimizer state_dict saved while a scheduler was attached has it).

    On construction each group's ``lr`` is recorded as ``initial_lr`` (unless the group has
    one already), these form ``base_lrs``, and one step is taken, which sets the learning rate
    of epoch ``last_epoch + 1`` (epoch 0 for a new schedule).
    """

    _is_initial = False   # True during the step taken by the constructor
    _in_step = False      # True while step() calls get_lr()

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        _check_int(name, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            _require_group_keys(name, optimizer, ["initial_lr"])
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            del self._is_initial   # back to the class attribute; not part of the state

    def get_lr(self) -> list[float]:
        """The learning rates for epoch ``last_epoch``, one per param group; called by
        ``step()``. To read the current learning rates, use ``get_last_lr()``."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last step, one per param group."""
        return list(self._last_lr)

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one epoch (or batch, for per-batch schedules) and set the
        optimizer's learning rates. Call it after ``optimizer.step()``.

        Args:
            epoch: deprecated, as in PyTorch (which still accepts it): jump to this epoch and
                use the schedule's closed form where it has one. Leave it out.
        """
        name = type(self).__name__
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise ValueError(f"{name}: the optimizer has {len(groups)} param group(s), but the "
                             f"scheduler was built for {len(self.base_lrs)}; build the "
                             "scheduler after adding param groups")
        if self._step_count == 1 and not self.optimizer.state:
            warnings.warn(f"{name}.step() was called before optimizer.step(): call "
                          "optimizer.step() first, or the first value of the schedule is "
                          "skipped", UserWarning, stacklevel=2)
        if epoch is not None:
            _check_int(name, "epoch", epoch, 0)
            warnings.warn(f"{name}.step(epoch) is deprecated (as in PyTorch): it jumps to "
                          "that epoch using the closed form where there is one; call step() "
                          "without an argument", UserWarning, stacklevel=2)
        saved = self.last_epoch, self._step_count
        self._step_count += 1
        self._in_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        except BaseException:
            self.last_epoch, self._step_count = saved   # a failed step changes nothing
            raise
        finally:
            del self._in_step
        for group, lr in zip(groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]

    def _warn_outside_step(self) -> None:
        if not self._in_step:
            warnings.warn(f"{type(self).__name__}.get_lr() computes the next step's learning "
                          "rates; to read the current ones, use get_last_lr()", UserWarning,
                          stacklevel=3)

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    # ----------------------------------------------------------------- state_dict
    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute except the optimizer, copied. Its values
        are numbers, strings, None and lists or dicts of them (JSON can hold it)."""
        return {key: copy.deepcopy(value) for key, value in vars(self).items()
                if key != "optimizer"}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state saved by ``state_dict()`` of the same scheduler class (PyTorch's
        state_dicts are accepted too). Everything is checked before anything changes."""
        name = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{name}.load_state_dict expects a dict from {name}.state_dict(), "
                            f"got {type(state_dict).__name__}")
        mine = set(vars(self)) - {"optimizer"}
        missing = sorted(mine - set(state_dict))
        unexpected = sorted(set(state_dict) - mine - _TORCH_FLAGS)
        if missing or unexpected:
            raise ValueError(f"{name}.load_state_dict: missing keys {missing}, unexpected keys "
                             f"{unexpected}; is it the state_dict of another scheduler?")
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr", "min_lrs"):
            if key in state_dict and len(state_dict[key]) != groups:
                raise ValueError(f"{name}.load_state_dict: '{key}' has "
                                 f"{len(state_dict[key])} value(s), but the optimizer has "
                                 f"{groups} param group(s)")
        self._check_state(state_dict)
        for key in sorted(mine):
            setattr(self, key, copy.deepcopy(self._loaded(key, state_dict[key])))

    def _check_state(self, state_dict: Mapping[str, Any]) -> None:
        """Raise ValueError if a value of ``state_dict`` is out of range."""

    def _loaded(self, key: str, value: Any) -> Any:
        """``value`` of ``key`` from a state_dict, in the form this class keeps it."""
        return value


# --------------------------------------------------------------------------- the schedules
class LambdaLR(LRScheduler):
    """Multiply each group's initial learning rate by a function of the epoch:

        lr_t = base_lr * lr_lambda(t)

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        lr_lambda: a function of the epoch (an int) returning a factor, or a list of such
            functions, one per param group.
        last_epoch: index of the last epoch done; -1 starts the schedule.

    ``state_dict()`` saves ``None`` in place of each function (functions are code, not data)
    and the ``__dict__`` of callable objects; rebuild the scheduler with the same functions
    before loading.
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        _check_optimizer("LambdaLR", optimizer)
        lambdas = _per_group("LambdaLR", "lr_lambda", optimizer, lr_lambda)
        for i, fn in enumerate(lambdas):
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch or a "
                                f"list of them, but entry {i} is a {type(fn).__name__}")
        self.lr_lambdas: list[Callable[[int], float]] = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self) -> dict[str, Any]:
        state = {key: copy.deepcopy(value) for key, value in vars(self).items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, (types.FunctionType, types.MethodType))
                               or not hasattr(fn, "__dict__") else dict(vars(fn))
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        saved = state_dict.get("lr_lambdas") if isinstance(state_dict, Mapping) else None
        if saved is not None and len(saved) != len(self.lr_lambdas):
            raise ValueError(f"LambdaLR.load_state_dict: the state_dict has {len(saved)} "
                             f"lr_lambdas, this scheduler {len(self.lr_lambdas)}")
        functions = self.lr_lambdas
        super().load_state_dict(state_dict)
        self.lr_lambdas = functions
        for fn, attributes in zip(functions, saved or [], strict=False):
            if attributes is not None:
                vars(fn).update(attributes)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:

        lr_t = base_lr * gamma ** (t // step_size)

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        step_size: period of the decay, in epochs (an integer >= 1).
        gamma: multiplicative factor of the decay (> 0; default 0.1).
        last_epoch: index of the last epoch done; -1 starts the schedule.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        _check_int("StepLR", "step_size", step_size, 1)
        _check_real("StepLR", "gamma", gamma, 0, math.inf, low_open=True, high_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each milestone epoch:

        lr_t = base_lr * gamma ** (number of milestones <= t)

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        milestones: epochs (integers >= 0) at which to decay, in any order; an epoch given
            twice decays twice.
        gamma: multiplicative factor of the decay (> 0; default 0.1).
        last_epoch: index of the last epoch done; -1 starts the schedule.
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs, got "
                            f"{type(milestones).__name__}")
        milestones = list(milestones)
        for m in milestones:
            _check_int("MultiStepLR", "milestone", m, 0)
        _check_real("MultiStepLR", "gamma", gamma, 0, math.inf, low_open=True, high_open=True)
        self.milestones: list[int] = sorted(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        hits = self.milestones.count(self.last_epoch)
        if hits == 0:
            return self._current_lrs()
        return [group["lr"] * self.gamma ** hits for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect_right(self.milestones, self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]

    def _loaded(self, key: str, value: Any) -> Any:
        if key == "milestones" and isinstance(value, Mapping):   # PyTorch's Counter
            return sorted(int(m) for m, n in value.items() for _ in range(n))
        return value


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch:

        lr_t = base_lr * gamma ** t

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        gamma: multiplicative factor of the decay (> 0).
        last_epoch: index of the last epoch done; -1 starts the schedule.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check_real("ExponentialLR", "gamma", gamma, 0, math.inf, low_open=True,
                    high_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        if self._is_initial:   # resuming: the optimizer's lr is already this epoch's
            return self._current_lrs()
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal the learning rate from its initial value to ``eta_min`` along half a cosine
    (Loshchilov and Hutter, SGDR, 2017, without the restarts):

        lr_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    After ``T_max`` epochs it rises again along the cosine (period ``2 * T_max``), as in
    PyTorch. Each step is computed from the current ``lr``:
    lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi * t / T_max)) /
    (1 + cos(pi * (t - 1) / T_max)), and at the bottom of the cosine, where that ratio is 0/0,
    lr_t = lr_{t-1} + (base_lr - eta_min) * (1 - cos(pi / T_max)) / 2.

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        T_max: number of epochs from the initial learning rate to ``eta_min`` (>= 1).
        eta_min: the smallest learning rate (>= 0; default 0).
        last_epoch: index of the last epoch done; -1 starts the schedule.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        _check_int("CosineAnnealingLR", "T_max", T_max, 1)
        _check_real("CosineAnnealingLR", "eta_min", eta_min, 0, math.inf, high_open=True)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        groups = self.optimizer.param_groups
        if (t - 1 - T) % (2 * T) == 0:
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        cosine = 1 + math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor that moves linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs, then stays (a linear warm-up when increasing):

        lr_t = base_lr * (start_factor + (end_factor - start_factor)
                          * min(t, total_iters) / total_iters)

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        start_factor: factor at epoch 0, in (0, 1] (default 1/3).
        end_factor: factor from epoch ``total_iters`` on, in [0, 1] (default 1).
        total_iters: number of epochs the factor takes to get there (>= 1; default 5).
        last_epoch: index of the last epoch done; -1 starts the schedule.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        _check_real("LinearLR", "start_factor", start_factor, 0, 1, low_open=True)
        _check_real("LinearLR", "end_factor", end_factor, 0, 1)
        _check_int("LinearLR", "total_iters", total_iters, 1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        t, start, end = self.last_epoch, self.start_factor, self.end_factor
        groups = self.optimizer.param_groups
        if t == 0:
            return [group["lr"] * start for group in groups]
        if self._is_initial or t > self.total_iters:
            return self._current_lrs()
        # factor_t / factor_{t-1}, so that the product of the steps is factor_t
        ratio = 1.0 + (end - start) / (self.total_iters * start + (t - 1) * (end - start))
        return [group["lr"] * ratio for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch)
        return [base_lr * (self.start_factor
                           + (self.end_factor - self.start_factor) * done / self.total_iters)
                for base_lr in self.base_lrs]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2018; the fastai variant by default), stepped once
    per batch: the learning rate rises from ``initial_lr = max_lr / div_factor`` to ``max_lr``
    over the first ``pct_start`` of the ``total_steps``, then falls to
    ``min_lr = initial_lr / final_div_factor``. Momentum (or Adam's beta1) moves the other way,
    from ``max_momentum`` down to ``base_momentum`` and back. Within a phase from step s0 to
    s1 a value goes from a to b as

        cos:     b + (a - b) * (1 + cos(pi * p)) / 2,   p = (t - s0) / (s1 - s0)
        linear:  a + (b - a) * p

    with phase ends s = pct_start * total_steps - 1 and total_steps - 1. With
    ``three_phase=True`` the fall returns to ``initial_lr`` at 2 * pct_start * total_steps - 2
    (symmetric to the rise) and a third phase anneals to ``min_lr`` with momentum held at
    ``max_momentum`` (the paper's schedule).

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        max_lr: peak learning rate, or a list of them, one per param group.
        total_steps: number of steps in the cycle; or give ``epochs`` and
            ``steps_per_epoch``, whose product it then is.
        epochs: number of epochs (with ``steps_per_epoch``).
        steps_per_epoch: number of batches per epoch (with ``epochs``).
        pct_start: fraction of the cycle spent raising the learning rate (default 0.3).
        anneal_strategy: ``'cos'`` (default) or ``'linear'``.
        cycle_momentum: cycle the group's ``momentum`` (SGD, RMSprop) or ``betas[0]`` (Adam,
            AdamW) inversely to the learning rate (default True).
        base_momentum: lowest momentum, reached at ``max_lr`` (default 0.85); or a list.
        max_momentum: highest momentum, at the start and the end (default 0.95); or a list.
        div_factor: ``initial_lr = max_lr / div_factor`` (default 25).
        final_div_factor: ``min_lr = initial_lr / final_div_factor`` (default 1e4).
        three_phase: use the three-phase schedule of the paper.
        last_epoch: number of batches done; -1 starts the schedule.

    As in PyTorch, ``total_steps`` steps are allowed, so that one step after each of
    ``total_steps`` batches ends without error; the last sets a learning rate that no batch
    uses, extrapolated beyond the end of the cycle (below 0 with 'linear'). One more raises
    ValueError.
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85,
                 max_momentum: float | Sequence[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        name = "OneCycleLR"
        _check_optimizer(name, optimizer)
        _check_int(name, "last_epoch", last_epoch, -1)
        self.total_steps = self._count_steps(total_steps, epochs, steps_per_epoch)
        _check_real(name, "pct_start", pct_start, 0, 1)
        if three_phase and pct_start > 0.5:
            raise ValueError(f"OneCycleLR: invalid pct_start {pct_start!r} with three_phase="
                             "True; expected a number in [0, 0.5] (the rise and the equally "
                             "long fall must fit in the cycle)")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("OneCycleLR: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        _check_real(name, "div_factor", div_factor, 0, math.inf, low_open=True,
                    high_open=True)
        _check_real(name, "final_div_factor", final_div_factor, 0, math.inf, low_open=True,
                    high_open=True)
        self._schedule_phases = self._phases(float(pct_start), three_phase)
        self._anneal_func_type = anneal_strategy

        max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        for value in max_lrs:
            _check_real(name, "max_lr", value, 0, math.inf, low_open=True, high_open=True)
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            highest, lowest = self._momentum_bounds(optimizer, base_momentum, max_momentum)
        # Everything is checked above: only now are the param groups changed.
        if last_epoch != -1:
            keys = ["initial_lr", "max_lr", "min_lr"]
            if cycle_momentum:
                keys += ["max_momentum", "base_momentum"]
            _require_group_keys(name, optimizer, keys)
        else:
            for i, group in enumerate(optimizer.param_groups):
                group["initial_lr"] = max_lrs[i] / div_factor
                group["max_lr"] = max_lrs[i]
                group["min_lr"] = group["initial_lr"] / final_div_factor
                if cycle_momentum:
                    self._set_momentum(group, highest[i])
                    group["max_momentum"] = highest[i]
                    group["base_momentum"] = lowest[i]
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _count_steps(total_steps: int | None, epochs: int | None,
                     steps_per_epoch: int | None) -> int:
        if total_steps is not None:
            _check_int("OneCycleLR", "total_steps", total_steps, 1)
            return int(total_steps)
        if epochs is None or steps_per_epoch is None:
            raise ValueError("OneCycleLR: give either total_steps, or both epochs and "
                             "steps_per_epoch")
        _check_int("OneCycleLR", "epochs", epochs, 1)
        _check_int("OneCycleLR", "steps_per_epoch", steps_per_epoch, 1)
        return int(epochs) * int(steps_per_epoch)

    def _phases(self, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
        """The phases of the cycle: the step each ends at, and the group keys of the values
        the learning rate and the momentum go from and to."""
        steps = self.total_steps
        rise = {"end_step": pct_start * steps - 1, "start_lr": "initial_lr",
                "end_lr": "max_lr", "start_momentum": "max_momentum",
                "end_momentum": "base_momentum"}
        if three_phase:
            phases = [rise,
                      {"end_step": 2 * pct_start * steps - 2, "start_lr": "max_lr",
                       "end_lr": "initial_lr", "start_momentum": "base_momentum",
                       "end_momentum": "max_momentum"},
                      {"end_step": steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                       "start_momentum": "max_momentum", "end_momentum": "max_momentum"}]
        else:
            phases = [rise,
                      {"end_step": steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                       "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]
        start = 0.0
        for i, phase in enumerate(phases):
            if phase["end_step"] == start:   # PyTorch would divide 0 by 0 in this phase
                raise ValueError(f"OneCycleLR: pct_start={pct_start} with total_steps={steps} "
                                 f"leaves phase {i + 1} of the cycle without steps; change "
                                 "pct_start or total_steps")
            start = phase["end_step"]
        return phases

    def _momentum_bounds(self, optimizer: Optimizer, base_momentum: Any,
                         max_momentum: Any) -> tuple[list, list]:
        """The checked max_momentum and base_momentum, one per param group."""
        name = "OneCycleLR"
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(f"OneCycleLR: cycle_momentum=True needs an optimizer with "
                             f"'momentum' (SGD, RMSprop) or 'betas' (Adam, AdamW); "
                             f"{type(optimizer).__name__} has neither; pass "
                             "cycle_momentum=False")
        self.use_beta1 = "betas" in optimizer.defaults
        highest = _per_group(name, "max_momentum", optimizer, max_momentum)
        lowest = _per_group(name, "base_momentum", optimizer, base_momentum)
        high = 1 if self.use_beta1 else math.inf   # beta1 must stay below 1
        for key, values in (("max_momentum", highest), ("base_momentum", lowest)):
            for value in values:
                _check_real(name, key, value, 0, high, high_open=True)
        return highest, lowest

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {t} times, but total_steps is "
                             f"{self.total_steps}; build it with more total_steps (or epochs)")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if t <= end or i == len(self._schedule_phases) - 1:
                    pct = (t - start) / (end - start)
                    break
                start = end
            lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                self._set_momentum(group, self._anneal(group[phase["start_momentum"]],
                                                       group[phase["end_momentum"]], pct))
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Reduce the learning rate when a monitored metric stops improving: after more than
    ``patience`` epochs in a row without improvement,

        lr = max(lr * factor, min_lr)      (skipped when it would change lr by eps or less)

    then wait ``cooldown`` epochs, counting no bad epochs, before watching again. In mode
    'min' a metric improves on the best so far when it is below best * (1 - threshold)
    ('rel') or best - threshold ('abs'); in mode 'max', above best * (1 + threshold) or
    best + threshold. Step it with the metric: ``scheduler.step(val_loss)``.

    Args:
        optimizer: the optimizer whose learning rates are scheduled.
        mode: ``'min'`` (default; for a loss) or ``'max'`` (for an accuracy).
        factor: multiplicative factor of the reduction, in [0, 1) (default 0.1).
        patience: number of bad epochs tolerated before reducing (default 10).
        threshold: how much better than the best a metric must be to count (default 1e-4).
        threshold_mode: ``'rel'`` (default) or ``'abs'``.
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: lower bound of the learning rate, or a list of bounds, one per group.
        eps: smallest change of the learning rate that is applied (default 1e-8).
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | Sequence[float] = 0,
                 eps: float = 1e-8) -> None:
        name = "ReduceLROnPlateau"
        _check_optimizer(name, optimizer)
        _check_real(name, "factor", factor, 0, 1, high_open=True)
        _check_int(name, "patience", patience, 0)
        _check_int(name, "cooldown", cooldown, 0)
        _check_real(name, "threshold", threshold, 0, math.inf, high_open=True)
        _check_real(name, "eps", eps, 0, math.inf, high_open=True)
        min_lrs = _per_group(name, "min_lr", optimizer, min_lr)
        for value in min_lrs:
            _check_real(name, "min_lr", value, 0, math.inf, high_open=True)
        self._check_modes(mode, threshold_mode)
        self.factor = factor
        self.optimizer = optimizer
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs: list[float] = min_lrs
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @staticmethod
    def _check_modes(mode: Any, threshold_mode: Any) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: unknown mode {mode!r}; expected 'min' or "
                             "'max'")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: unknown threshold_mode {threshold_mode!r}; "
                             "expected 'rel' or 'abs'")

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting after a reduction."""
        return self.cooldown_counter > 0

    def step(self, metrics: float, epoch: int | None = None) -> None:
        """Record one epoch's metric (a number or a one-element tensor) and reduce the
        learning rate if it has not improved for more than ``patience`` epochs.

        Args:
            metrics: the monitored quantity, for example the validation loss.
            epoch: deprecated, as in PyTorch: sets ``last_epoch``. Leave it out.
        """
        try:
            current = float(metrics)
        except (TypeError, ValueError):
            raise TypeError("ReduceLROnPlateau.step expects the monitored metric as a number "
                            f"(for example the validation loss), got {metrics!r}") from None
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            _check_int("ReduceLROnPlateau", "epoch", epoch, 0)
            warnings.warn("ReduceLROnPlateau.step(metrics, epoch) is deprecated (as in "
                          "PyTorch); call step(metrics)", UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0   # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise ValueError(f"ReduceLROnPlateau: the optimizer has {len(groups)} param "
                                 f"group(s), but min_lr was given for {len(self.min_lrs)}; "
                                 "set scheduler.min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _check_state(self, state_dict: Mapping[str, Any]) -> None:
        self._check_modes(state_dict["mode"], state_dict["threshold_mode"])
