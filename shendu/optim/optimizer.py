"""``Optimizer``: the parameter groups, per-parameter state and state_dict that every
optimizer shares, as in ``torch.optim.Optimizer``.

An optimizer holds ``param_groups``, a list of dicts, each with its ``params`` and its own
copy of every option (``lr``, ``momentum``, ...) filled in from the optimizer's
``defaults``; and ``state``, a dict from parameter to that parameter's buffers (Adam's
moving averages, SGD's momentum buffer), created on the first step that parameter has a
gradient. A subclass writes ``_check(group)`` to validate a group's options,
``_init_state(p, group)`` for the buffers, and ``_update(p, grad, state, group)``, the update
rule for one parameter on NumPy arrays, done in place (or ``_step_group`` to update a whole
group at once, as Adam does to spread the work over threads). Buffers are NumPy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from shendu.autograd import enable_grad, no_grad
from shendu.autograd.versions import bump
from shendu.tensor import Tensor

# Options a scheduler may add to a param group; they are not the optimizer's own.
_SCHEDULER_KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, or of dicts each with a ``params`` entry and any
            options that differ from ``defaults`` for that group.
        defaults: the optimizer's options and their default values.
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors or of dicts, "
                            "got a single Tensor; wrap it in a list: [tensor]")
        if isinstance(params, (set, frozenset)) or not isinstance(params, Iterable):
            raise TypeError(f"{name}: params must be an ordered iterable (list, generator "
                            f"such as model.parameters()) of tensors or dicts, got "
                            f"{type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError(f"{name} got an empty parameter list; did the model define its "
                             "layers as attributes (self.fc = nn.Linear(...)) so that "
                             "model.parameters() finds them?")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- param groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (for example a smaller ``lr`` for
        a pretrained backbone). Options it leaves out come from ``defaults``."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a param group must be a dict with a 'params' entry, "
                            f"got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: the param group {sorted(param_group)} has no 'params' "
                             "entry")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: params must be an ordered collection, not a set (the "
                            "order of a set changes between runs, and with it the state_dict)")
        params = list(params)
        if not params:
            raise ValueError(f"{name}: a param group has an empty parameter list")
        self._check_params(params)
        unknown = set(group) - set(self.defaults) - {"params", *_SCHEDULER_KEYS}
        if unknown:
            raise ValueError(f"{name}: unknown option(s) {sorted(unknown)} in a param group; "
                             f"{name} takes {sorted(self.defaults)}")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group)
        group["params"] = params
        self.param_groups.append(group)

    def _check_params(self, params: list) -> None:
        name = type(self).__name__
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name} can only optimize Tensors, but parameter {i} is a "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name} can't optimize a non-leaf Tensor (parameter {i} is "
                                 "the result of an op); optimize the leaf it was computed "
                                 "from, or call .detach().requires_grad_() to make a new leaf")
            if id(p) in seen or id(p) in ids:
                raise ValueError(f"{name}: parameter {i} (shape {tuple(p.shape)}) appears more "
                                 "than once; a parameter may be in only one group, once")
            ids.add(id(p))
        if not any(p.requires_grad for p in params):
            raise ValueError(f"{name}: none of the {len(params)} parameter(s) requires grad, "
                             "so a step would change nothing; create them with "
                             "requires_grad=True or call .requires_grad_() (frozen "
                             "parameters may sit in a group beside trainable ones)")

    def _check(self, group: dict[str, Any]) -> None:
        """Raise ValueError if an option of ``group`` is out of range."""
        check_nonnegative(self, "lr", group["lr"])

    # ----------------------------------------------------------------- the step
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all optimized parameters: ``None`` (the default, which
        frees the memory), or zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient, one group at a time.

        Args:
            closure: optional function that re-evaluates the model and returns the loss
                (it should call ``zero_grad`` and ``backward``); its result is returned.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        work = []
        for group in self.param_groups:
            items = []
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.data
                if grad.shape != p.data.shape or grad.dtype != p.data.dtype:
                    raise TypeError(f"{type(self).__name__}: the gradient of a parameter of "
                                    f"shape {tuple(p.shape)} and dtype {p.data.dtype} has "
                                    f"shape {grad.shape} and dtype {grad.dtype}")
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = self._init_state(p, group)
                items.append((p, grad, state))
            work.append((group, items))
        with no_grad():
            for group, items in work:
                self._step_group(group, [(p.data, grad, state) for p, grad, state in items])
                for p, _, _ in items:
                    bump(p)   # saved copies of p in a graph are now stale
        return loss

    def _step_group(self, group: dict[str, Any], items: list) -> None:
        """Update the parameters of ``group`` that have gradients: ``items`` holds
        (parameter array, gradient array, state) triples. One ``_update`` each by default."""
        for p, grad, state in items:
            self._update(p, grad, state, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of ``p`` before its first update."""
        return {}

    def _update(self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """Update the array ``p`` in place from ``grad``; ``state`` holds its buffers."""
        raise NotImplementedError

    # ----------------------------------------------------------------- state_dict
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout: ``{"state": {index: {name: value}},
        "param_groups": [{options..., "params": [index, ...]}]}``, where parameters are
        numbered in the order of the groups. Buffers are NumPy arrays that share memory with
        the optimizer (as module state_dicts do): save or copy them before stepping on."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            numbers = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                numbers.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": numbers})
        state = {index[id(p)]: {k: (v.data if isinstance(v, Tensor) else v)
                                for k, v in s.items()}
                 for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and buffers saved by ``state_dict`` (of this optimizer's class, for
        the same parameters in the same order). Everything is checked before anything
        changes: on an error the optimizer is left as it was. Buffers are copied."""
        groups, state = self._checked(state_dict)
        params = [p for g in self.param_groups for p in g["params"]]
        new_state = {}
        for i, buffers in state.items():
            p = params[int(i)]
            new_state[p] = {k: self._restore(v, p) for k, v in buffers.items()}
        for group, saved in zip(self.param_groups, groups, strict=True):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = new_state

    def _checked(self, state_dict: dict[str, Any]):
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict)
            raise ValueError(f"{name}.load_state_dict expects a dict with the keys 'state' and "
                             f"'param_groups' (from Optimizer.state_dict()), got {got}")
        groups, state = state_dict["param_groups"], state_dict["state"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state_dict has {len(groups)} param "
                             f"group(s), this optimizer {len(self.param_groups)}")
        for i, (mine, saved) in enumerate(zip(self.param_groups, groups, strict=True)):
            missing = set(self.defaults) - set(saved)
            if missing:
                raise ValueError(f"{name}.load_state_dict: param group {i} has no "
                                 f"{sorted(missing)}; the state_dict is from a different "
                                 f"optimizer (its options are {sorted(set(saved) - {'params'})})")
            if len(saved["params"]) != len(mine["params"]):
                raise ValueError(f"{name}.load_state_dict: param group {i} holds "
                                 f"{len(saved['params'])} parameter(s) in the state_dict and "
                                 f"{len(mine['params'])} in this optimizer")
            self._check({**mine, **saved})
        params = [p for g in self.param_groups for p in g["params"]]
        for i, buffers in state.items():
            if not 0 <= int(i) < len(params):
                raise ValueError(f"{name}.load_state_dict: the state_dict has state for "
                                 f"parameter {i}, but there are {len(params)} parameters")
            shape = tuple(params[int(i)].shape)
            for key, value in buffers.items():
                got = np.shape(value.data if isinstance(value, Tensor) else value)
                if got not in ((), shape):
                    raise ValueError(f"{name}.load_state_dict: state '{key}' of parameter {i} "
                                     f"has shape {got}, the parameter {shape}")
        return groups, state

    @staticmethod
    def _restore(value, p: Tensor):
        if isinstance(value, Tensor):
            value = value.data
        if isinstance(value, np.ndarray) and value.ndim:
            return np.array(value, dtype=p.data.dtype)   # a copy, in the parameter's dtype
        return value.item() if isinstance(value, np.generic | np.ndarray) else value

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def check_nonnegative(opt: Optimizer, name: str, value) -> None:
    """Raise ValueError unless ``value`` is a finite or infinite number >= 0 (not NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or \
            math.isnan(value) or value < 0:
        raise ValueError(f"{type(opt).__name__}: invalid {name} {value!r}; expected a "
                         "number >= 0")


def check_unit(opt: Optimizer, name: str, value, closed: bool = False) -> None:
    """Raise ValueError unless 0 <= ``value`` < 1 (``<= 1`` when ``closed``)."""
    check_nonnegative(opt, name, value)
    if value > 1 or (value == 1 and not closed):
        raise ValueError(f"{type(opt).__name__}: invalid {name} {value!r}; expected a number "
                         f"in [0, 1{']' if closed else ')'}")
