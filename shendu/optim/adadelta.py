"""``Adadelta``: RMSprop whose step size is itself a moving root mean square of past updates
(Zeiler, 2012), so the update has the units of the weight and needs no tuned learning
rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.optim.optimizer import Optimizer, check_nonnegative, check_unit


class Adadelta(Optimizer):
    """Adadelta:

        s = rho * s + (1 - rho) * g**2
        d = sqrt(u + eps) / sqrt(s + eps) * g
        u = rho * u + (1 - rho) * d**2
        w = w - lr * d

    with g = grad + weight_decay * w (negated first when maximize).

    Args:
        params: the tensors to optimize, or dicts of param groups.
        lr: scale applied to the update (default 1.0).
        rho: decay rate of both averages, in [0, 1] (default 0.9).
        eps: added inside the square roots (default 1e-6).
        weight_decay: L2 penalty factor (default 0).
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check(self, group: dict[str, Any]) -> None:
        for key in ("lr", "eps", "weight_decay"):
            check_nonnegative(self, key, group[key])
        check_unit(self, "rho", group["rho"], closed=True)

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "square_avg": np.zeros(p.shape, p.data.dtype),
                "acc_delta": np.zeros(p.shape, p.data.dtype)}

    def _update(self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        std = np.multiply(grad, grad)              # s = rho s + (1 - rho) g^2
        std *= 1 - rho
        square_avg *= rho
        square_avg += std
        np.add(square_avg, eps, out=std)
        np.sqrt(std, out=std)
        delta = np.add(acc_delta, eps)              # d = sqrt(u + eps) / sqrt(s + eps) g
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= grad
        np.multiply(delta, delta, out=std)          # u = rho u + (1 - rho) d^2
        std *= 1 - rho
        acc_delta *= rho
        acc_delta += std
        delta *= group["lr"]
        p -= delta
