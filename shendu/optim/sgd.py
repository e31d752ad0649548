"""``SGD``: minibatch stochastic gradient descent, with momentum and Nesterov momentum.

The curriculum writes momentum as an exponentially weighted average of gradients,
v = beta * v + (1 - beta) * g, then w = w - lr * v. PyTorch (and shendu) keep the buffer
b = momentum * b + (1 - dampening) * g, starting from b = g on the first step, then
w = w - lr * b. With ``momentum=beta, dampening=beta`` the two agree from the second step on
(the curriculum starts from v = 0, so its first step is (1 - beta) times smaller); with the
default ``dampening=0``, b = v / (1 - beta) at steady state, so the same trajectory needs an
lr that is (1 - beta) times smaller.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.optim.optimizer import Optimizer, check_nonnegative


class SGD(Optimizer):
    """Stochastic gradient descent:

        g = grad + weight_decay * w                       (negated first when maximize)
        b = g (first step), else momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov, else b          (when momentum > 0)
        w = w - lr * g

    Args:
        params: the tensors to optimize, or dicts of param groups.
        lr: learning rate (default 1e-3, as PyTorch).
        momentum: momentum factor (default 0).
        dampening: dampening of the gradient in the momentum buffer (default 0).
        weight_decay: L2 penalty factor added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: ascend the objective instead of descending it.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _check(self, group: dict[str, Any]) -> None:
        for key in ("lr", "momentum", "weight_decay"):
            check_nonnegative(self, key, group[key])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires momentum > 0 and dampening 0, "
                             f"got momentum={group['momentum']}, "
                             f"dampening={group['dampening']}")

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        return {"momentum_buffer": None}

    def _update(self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if wd:
            grad = grad + wd * p
        if momentum:
            buf = state["momentum_buffer"]
            if buf is None:
                buf = state["momentum_buffer"] = grad.copy()
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * grad
            grad = grad + momentum * buf if group["nesterov"] else buf
        p -= lr * grad
