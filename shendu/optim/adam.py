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
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from shendu.optim.optimizer import Optimizer, check_nonnegative, check_unit

_BLOCK = 1 << 17   # elements per block (512 KiB of float32): measured fastest on 2 threads
_THREADS = min(4, os.cpu_count() or 1)
_POOL: ThreadPoolExecutor | None = None


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

    def _step_group(self, group: dict[str, Any], items: list) -> None:
        """Cut every parameter of ``group`` into blocks and update the blocks, split over
        ``_THREADS`` threads (NumPy releases the GIL inside each array operation)."""
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        tasks = []
        for p, grad, state in items:
            state["step"] += 1
            t = state["step"]
            bc2_sqrt = math.sqrt(1 - beta2 ** t)
            rule = _Rule(beta1=beta1, beta2=beta2,
                         step_size=lr * bc2_sqrt / (1 - beta1 ** t),     # a_t
                         eps=eps * bc2_sqrt,                              # eps_t
                         decay=1 - lr * wd if self._decoupled else 1.0,   # AdamW
                         weight_decay=0.0 if self._decoupled else wd,     # Adam's L2
                         maximize=group["maximize"])
            buffers = [p, grad, state["exp_avg"], state["exp_avg_sq"]]
            if group["amsgrad"]:
                buffers.append(state["max_exp_avg_sq"])
            tasks.append((rule, buffers))
        total = sum(buffers[0].size for _, buffers in tasks)
        threads = _THREADS if total >= 2 * _BLOCK else 1
        shares = _shares(tasks, threads)
        if threads == 1:
            _update_blocks(shares[0])
        else:
            others = [_pool().submit(_update_blocks, share) for share in shares[1:]]
            _update_blocks(shares[0])          # this thread takes a share too
            for future in others:
                future.result()


@dataclass(frozen=True)
class _Rule:
    """The scalars of one parameter's update at one step."""
    beta1: float
    beta2: float
    step_size: float
    eps: float
    decay: float
    weight_decay: float
    maximize: bool


def _update_blocks(tasks: list) -> None:
    """Update each block in place: ``tasks`` holds (rule, [w, g, m, v] or [w, g, m, v,
    v_max]) pairs of block views. Allocates one scratch array the size of the largest
    block (per dtype)."""
    scratch: dict = {}
    for rule, (pb, g, mb, vb, *vmax) in tasks:
        s = scratch.get(pb.dtype)
        if s is None or s.size < pb.size:
            size = max(a.size for _, (a, *_) in tasks if a.dtype == pb.dtype)
            s = scratch[pb.dtype] = np.empty(size, dtype=pb.dtype)
        s = s[: pb.size].reshape(pb.shape)
        if rule.decay != 1.0:
            pb *= rule.decay                     # AdamW: decay the weights, not the gradient
        if rule.maximize:
            g = -g
        if rule.weight_decay:
            g = g + rule.weight_decay * pb
        np.subtract(g, mb, out=s)                # m += (1 - beta1) (g - m)
        s *= 1 - rule.beta1
        mb += s
        np.multiply(g, g, out=s)                 # v = beta2 v + (1 - beta2) g^2
        s *= 1 - rule.beta2
        vb *= rule.beta2
        vb += s
        if vmax:                                 # AMSGrad: the running maximum of v
            vb = np.maximum(vmax[0], vb, out=vmax[0])
        np.sqrt(vb, out=s)                       # w -= a_t m / (sqrt(v) + eps_t)
        s += rule.eps
        np.divide(mb, s, out=s)
        s *= rule.step_size
        pb -= s


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_THREADS - 1, thread_name_prefix="shendu-adam")
    return _POOL


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019): the weights shrink by
    ``w = w * (1 - lr * weight_decay)`` before the Adam step, instead of the decay being
    added to the gradient and rescaled by Adam. Default ``weight_decay`` 1e-2, as PyTorch."""

    _decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


def _shares(tasks: list, n: int) -> list[list]:
    """Cut the parameters of ``tasks`` ((rule, same-shaped arrays) pairs) into ``n`` shares
    of equal numbers of elements, each a list of (rule, block views) of at most ``_BLOCK``
    elements, as if the parameters lay end to end. Views, so in-place changes reach the
    arrays; arrays that are not all C-contiguous go whole into one block."""
    total = sum(arrays[0].size for _, arrays in tasks)
    share = max(1, -(-total // n))
    shares: list[list] = [[]]
    room = share
    for rule, arrays in tasks:
        if not all(a.flags.c_contiguous for a in arrays):
            shares[-1].append((rule, arrays))
            room -= arrays[0].size
            continue
        flat = [a.reshape(-1) for a in arrays]
        lo = 0
        while lo < flat[0].size:
            if room <= 0:
                shares.append([])
                room = share
            hi = min(flat[0].size, lo + room, lo + _BLOCK)
            shares[-1].append((rule, [a[lo:hi] for a in flat]))
            room -= hi - lo
            lo = hi
    return shares
