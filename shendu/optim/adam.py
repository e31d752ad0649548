"""``Adam`` and ``AdamW``: adaptive moment estimation (Kingma and Ba, 2015, Algorithm 1).

Each parameter keeps a moving average of its gradients, m (the first moment, as momentum),
and of their squares, v (the second moment, as RMSprop). Both start at 0, so early averages
are biased toward 0; dividing by 1 - beta**t removes that bias:

    m = beta1 * m + (1 - beta1) * g          m_hat = m / (1 - beta1**t)
    v = beta2 * v + (1 - beta2) * g**2       v_hat = v / (1 - beta2**t)
    w = w - lr * m_hat / (sqrt(v_hat) + eps)

The code uses the same formula multiplied through by sqrt(1 - beta2**t), which saves one pass
over the data: w -= a_t * m / (sqrt(v) + eps_t), with a_t = lr * sqrt(1 - beta2**t) /
(1 - beta1**t) and eps_t = eps * sqrt(1 - beta2**t) (Kingma and Ba's "more efficient order"
of Section 2). The twelve array operations of an update run block by block, ``_BLOCK``
elements at a time, so that each block's five arrays stay in the CPU's L2 cache between
operations instead of streaming the whole model through memory twelve times; one block-sized
scratch array is all an update allocates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from shendu.optim.optimizer import Optimizer, check_nonnegative, check_unit

_BLOCK = 1 << 16   # elements per block: 256 KiB of float32; five of them fit in L2


class Adam(Optimizer):
    """Adam. ``weight_decay`` adds ``weight_decay * w`` to the gradient (an L2 penalty,
    which Adam then rescales); ``amsgrad`` divides by the running maximum of v instead of v
    (Reddi et al., 2018).

    Args:
        params: the tensors to optimize, or dicts of param groups.
        lr: learning rate (default 1e-3).
        betas: decay rates (beta1, beta2) of the two moving averages, each in [0, 1).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty factor (default 0).
        amsgrad: use the AMSGrad variant.
        maximize: ascend the objective instead of descending it.
    """

    _decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    def _check(self, group: dict[str, Any]) -> None:
        for key in ("lr", "eps", "weight_decay"):
            check_nonnegative(self, key, group[key])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), "
                             f"got {betas!r}")
        check_unit(self, "beta1 (betas[0])", betas[0])
        check_unit(self, "beta2 (betas[1])", betas[1])

    def _init_state(self, p, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": np.zeros(p.shape, p.data.dtype),
                 "exp_avg_sq": np.zeros(p.shape, p.data.dtype)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = np.zeros(p.shape, p.data.dtype)
        return state

    def _update(self, p: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        bc2_sqrt = math.sqrt(1 - beta2 ** t)
        step_size = lr * bc2_sqrt / (1 - beta1 ** t)    # a_t
        eps_t = eps * bc2_sqrt
        if self._decoupled:
            p *= 1 - lr * wd          # AdamW: decay the weights, not the gradient
            wd = 0.0
        buffers = [p, grad, state["exp_avg"], state["exp_avg_sq"]]
        if group["amsgrad"]:
            buffers.append(state["max_exp_avg_sq"])
        tmp = np.empty(min(p.size, _BLOCK), dtype=p.dtype)
        for pb, g, mb, vb, *vmax in blocks(buffers):
            s = tmp[: pb.size].reshape(pb.shape)
            if group["maximize"]:
                g = -g
            if wd:
                g = g + wd * pb
            np.subtract(g, mb, out=s)            # m += (1 - beta1) (g - m)
            s *= 1 - beta1
            mb += s
            np.multiply(g, g, out=s)             # v = beta2 v + (1 - beta2) g^2
            s *= 1 - beta2
            vb *= beta2
            vb += s
            if vmax:                             # AMSGrad: the running maximum of v
                vb = np.maximum(vmax[0], vb, out=vmax[0])
            np.sqrt(vb, out=s)                   # w -= a_t m / (sqrt(v) + eps_t)
            s += eps_t
            np.divide(mb, s, out=s)
            s *= step_size
            pb -= s

class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): the weights shrink by
    ``w = w * (1 - lr * weight_decay)`` before the Adam step, instead of the decay being
    added to the gradient and rescaled by Adam. Default ``weight_decay`` 1e-2, as PyTorch."""

    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


def blocks(arrays: list[np.ndarray]):
    """Yield aligned blocks of at most ``_BLOCK`` elements of same-shaped ``arrays``, as
    views, so in-place changes reach the arrays. Arrays that are not all C-contiguous come
    as one block."""
    if not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for lo in range(0, flat[0].size, _BLOCK):
        yield [a[lo:lo + _BLOCK] for a in flat]
