"""``RMSprop``: divide the gradient by a moving root mean square of recent gradients
(Hinton's lecture 6e), so each weight gets a step size suited to its own gradient scale."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.optim.optimizer import Optimizer, check_nonnegative


class RMSprop(Optimizer):
    """RMSprop:

        s = alpha * s + (1 - alpha) * g**2
        avg = sqrt(s - gbar**2) + eps, gbar = alpha * gbar + (1 - alpha) * g   (centered)
        avg = sqrt(s) + eps                                                    (otherwise)
        b = momentum * b + g / avg;  w = w - lr * b      (momentum > 0)
        w = w - lr * g / avg                             (otherwise)

    with g = grad + weight_decay * w (negated first when maximize).

    Args:
        params: the tensors to optimize, or dicts of param groups.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the squared-gradient average (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty factor (default 0).
        momentum: momentum factor (default 0).
        centered: normalise by an estimate of the gradient's variance instead of its second
            moment.
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _check(self, group: dict[str, Any]) -> None:
        for key in ("lr", "alpha", "eps", "weight_decay", "momentum"):
            check_nonnegative(self, key, group[key])

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "square_avg": np.zeros(p.shape, p.data.dtype)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros(p.shape, p.data.dtype)
        if group["centered"]:
            state["grad_avg"] = np.zeros(p.shape, p.data.dtype)
        return state

    def _update(self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        alpha, wd = group["alpha"], group["weight_decay"]
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if wd:
            grad = grad + wd * p
        square_avg = state["square_avg"]
        square_avg *= alpha
        avg = np.multiply(grad, grad)
        avg *= 1 - alpha
        square_avg += avg
        if group["centered"]:                   # gbar += (1 - alpha) (g - gbar)
            grad_avg = state["grad_avg"]
            np.subtract(grad, grad_avg, out=avg)
            avg *= 1 - alpha
            grad_avg += avg
            np.multiply(grad_avg, grad_avg, out=avg)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(square_avg, out=avg)
        avg += group["eps"]
        np.divide(grad, avg, out=avg)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += avg
            np.multiply(buf, group["lr"], out=avg)
        else:
            avg *= group["lr"]
        p -= avg
