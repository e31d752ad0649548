"""``Adagrad``: each weight's step is divided by the root of the sum of all its past squared
gradients (Duchi et al., 2011), so often-updated weights slow down and rare ones keep
learning."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.optim.optimizer import Optimizer, check_nonnegative


class Adagrad(Optimizer):
    """Adagrad:

        s = s + g**2
        w = w - lr_t * g / (sqrt(s) + eps),  lr_t = lr / (1 + (t - 1) * lr_decay)

    with g = grad + weight_decay * w (negated first when maximize) and t the step count.

    Args:
        params: the tensors to optimize, or dicts of param groups.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty factor (default 0).
        initial_accumulator_value: starting value of s (default 0).
        eps: added to the denominator (default 1e-10).
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def _check(self, group: dict[str, Any]) -> None:
        for key in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_nonnegative(self, key, group[key])

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0,
                "sum": np.full(p.shape, group["initial_accumulator_value"], p.data.dtype)}

    def _update(self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]
        std = np.multiply(grad, grad)
        total += std
        np.sqrt(total, out=std)
        std += group["eps"]
        np.divide(grad, std, out=std)
        std *= clr
        p -= std
