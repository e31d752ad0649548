"""The backward engine: reverse-mode differentiation over the recorded graph.

The graph is the set of Tensors reachable from the outputs through ``tensor._ctx.inputs``.
The engine walks it from the outputs back in decreasing order of creation (a heap keyed by
each op's sequence number; no recursion, so an unrolled RNN of 100,000 ops works), calling each
op's ``backward`` once with the sum of the gradients that reached its output. Broadcasting is
undone here, in :func:`unbroadcast`, and nowhere else. Unless ``retain_graph`` is set, each op's
saved arrays and links are dropped as soon as its backward has run.
"""

from __future__ import annotations

from heapq import heappop, heappush, heapreplace

import numpy as np

from shendu.autograd import anomaly, versions
from shendu.backend import broadcast_to


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, giving ``shape``.

    The backward of an implicit ``expand`` is a sum (tinygrad's rule).
    """
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def _freed_error(ctx) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time ({ctx!r} was already used and its "
        "saved arrays freed). Pass retain_graph=True to the first backward() if you need to "
        "backward through the same graph again."
    )


def run_backward(roots, seeds, retain_graph: bool = False, inputs=None) -> dict | None:
    """Propagate ``seeds`` (one gradient array per root) back through the graph.

    Order: every op's output is created after its inputs, so its sequence number is larger.
    Processing tensors from the largest sequence number down (a heap) visits each one after
    everything computed from it, without a separate topological sort and without recursion.
    Leaves come last. A tensor enters the heap when its first gradient arrives.

    Without ``inputs``, gradients of leaf tensors (and of tensors that called
    ``retain_grad()``) are accumulated into their ``.grad``. With ``inputs`` (a list of
    tensors), nothing is accumulated and a dict ``{id(tensor): gradient array}`` is returned.
    """
    grads: dict[int, np.ndarray] = {}  # id(tensor) -> the sum of the gradients so far
    heap: list = []  # (-sequence number, tensor) of the non-leaves waiting for backward
    leaves: list = []
    for root, seed in zip(roots, seeds):
        if id(root) not in grads:
            _enqueue(root, heap, leaves)
        _accumulate(grads, root, seed)
    wanted = None if inputs is None else {id(t) for t in inputs}
    found: dict[int, np.ndarray] = {}
    stored: set[int] = set()
    pop, push, ndarray = heappop, heappush, np.ndarray  # locals: this loop runs once per op
    # neither changes while backward runs: read them once
    last_inplace, check_anomalies = versions.last_inplace, anomaly._enabled
    # ``after`` holds one queued entry outside the heap: in a chain of ops (the usual graph)
    # each op has one parent, which is then always the next to run, and the heap stays empty.
    after = None
    while heap or after is not None:
        if after is None:
            entry = pop(heap)
        elif heap and heap[0] < after:
            entry = heapreplace(heap, after)
        else:
            entry = after
        after = None
        t = entry[1]
        ctx = t._ctx
        grad = grads.pop(id(t))
        if t._hooks is not None:  # hooks or retain_grad()
            grad = _run_hooks(t, grad)
            if t._retains_grad and wanted is None:
                _store_grad(t, grad, stored)
        if wanted is not None and id(t) in wanted:
            found[id(t)] = grad
        if last_inplace > ctx._seq and ctx.saved_tensors:
            versions.check_saved(ctx, t)
        input_grads = ctx.backward(ctx, grad)
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for parent, need, g in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
            if not need or g is None:
                continue
            # _accumulate and _enqueue, inlined: these are the engine's hottest lines
            data = parent.data
            if type(g) is not ndarray or g.shape != data.shape or g.dtype is not data.dtype:
                g = _conform(g, data)
            key = id(parent)
            previous = grads.get(key)
            if previous is not None:
                grads[key] = previous + g
                continue
            grads[key] = g
            parent_ctx = parent._ctx
            if parent_ctx is None:
                leaves.append(parent)
            elif not parent_ctx.inputs:
                raise _freed_error(parent_ctx)
            elif after is None:
                after = (-parent_ctx._seq, parent)
            else:
                push(heap, (-parent_ctx._seq, parent))
        if check_anomalies:
            for i, g in enumerate(input_grads):
                anomaly.check_finite(g, type(ctx).__name__, f"backward (gradient {i})")
        if not retain_graph:
            ctx.inputs = ()  # frees the graph above; an empty ``inputs`` marks a used op
            ctx.saved_tensors = None
    for t in leaves:
        grad = grads.pop(id(t))
        if t._hooks is not None:
            grad = _run_hooks(t, grad)
        if wanted is not None:
            if id(t) in wanted:
                found[id(t)] = grad
        else:
            _store_grad(t, grad, stored)
    return found if wanted is not None else None


def _enqueue(t, heap: list, leaves: list) -> None:
    """Queue ``t`` for backward: a leaf goes last, an op's output by its sequence number."""
    ctx = t._ctx
    if ctx is None:
        leaves.append(t)
    elif not ctx.inputs:
        raise _freed_error(ctx)
    else:
        heappush(heap, (-ctx._seq, t))


def _conform(g, data: np.ndarray) -> np.ndarray:
    """``g`` as an ndarray of ``data``'s shape (summing away broadcasting) and dtype."""
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.shape != data.shape:
        g = unbroadcast(g, data.shape)
        if g.shape != data.shape:
            g = broadcast_to(g, data.shape)
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    return g


def _accumulate(grads: dict, t, g) -> None:
    """Add gradient ``g`` to the running total for tensor ``t``."""
    g = _conform(g, t.data)
    previous = grads.get(id(t))
    grads[id(t)] = g if previous is None else previous + g


def _run_hooks(t, grad: np.ndarray) -> np.ndarray:
    from shendu.tensor import Tensor

    for hook in t._hooks:
        result = hook(Tensor._make(grad))
        if result is not None:
            grad = result.data if isinstance(result, Tensor) else np.asarray(result)
    return grad


def _store_grad(t, grad: np.ndarray, seen: set) -> None:
    """Add ``grad`` into ``t.grad``. The first gradient is copied when it may be shared with
    another tensor (the same array reaching two leaves, or a view), so that changing one
    ``.grad`` in place never changes another."""
    from shendu.tensor import Tensor

    if t.grad is None:
        if not grad.flags.owndata or not grad.flags.writeable or id(grad) in seen:
            grad = grad.copy()
        seen.add(id(grad))
        t.grad = Tensor._make(grad)
    else:
        t.grad.data = t.grad.data + grad


# ---------------------------------------------------------------------------- public entry points
def _seed(output, gradient, what: str) -> np.ndarray:
    from shendu.tensor import Tensor

    if not output.requires_grad:
        raise RuntimeError(
            f"{what}: the tensor does not require grad and has no grad_fn; set "
            "requires_grad=True on an input (and don't compute it under no_grad)"
        )
    if gradient is None:
        if output.data.size != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for a one-element output, this "
                f"one has shape {output.shape}; pass gradient= (d loss / d output) of that shape, "
                "or reduce it first (e.g. output.sum().backward())"
            )
        return np.ones_like(output.data)
    g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if g.shape != output.shape:
        raise ValueError(
            f"{what}: gradient has shape {g.shape} but the output has shape {output.shape}"
        )
    return np.array(g, dtype=output.dtype)  # a private copy


def backward(tensor, gradient=None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs=None) -> None:
    """``tensor.backward()``: accumulate d tensor / d leaf into every leaf's ``.grad``."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported: backward formulas run "
            "on NumPy arrays, not Tensors"
        )
    seed = _seed(tensor, gradient, "backward()")
    if inputs is not None:
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        found = run_backward([tensor], [seed], bool(retain_graph), inputs)
        seen: set = set()
        for t in inputs:
            if id(t) in found:
                _store_grad(t, found[id(t)], seen)
        return
    run_backward([tensor], [seed], bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """Return d outputs / d inputs as a tuple of Tensors, without touching any ``.grad``.

    Args:
        outputs: a Tensor or a sequence of Tensors.
        inputs: a Tensor or a sequence of Tensors that require grad.
        grad_outputs: the gradient flowing into each output (needed for non-scalar outputs).
        allow_unused: return ``None`` for an input the outputs do not depend on, instead of
            raising.
    """
    from shendu.tensor import Tensor

    if create_graph:
        raise NotImplementedError("create_graph=True (higher-order gradients) is not supported")
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    seeds = [_seed(o, g, "grad()") for o, g in zip(outputs, grad_outputs)]
    found = run_backward(outputs, seeds, bool(retain_graph), inputs)
    result = []
    for i, t in enumerate(inputs):
        if id(t) not in found:
            if not allow_unused:
                raise RuntimeError(
                    f"grad(): input {i} was not used to compute the outputs (or does not require "
                    "grad); pass allow_unused=True to get None for it"
                )
            result.append(None)
        else:
            result.append(Tensor._make(found[id(t)]))
    return tuple(result)
