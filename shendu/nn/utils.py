"""Gradient clipping and flattening parameters to one vector, as ``torch.nn.utils``.

Clipping works on the gradient arrays in place (``p.grad.data``), records nothing for backward
and skips parameters whose ``grad`` is None. ``parameters`` may be one Tensor or an iterable of
them (a generator such as ``model.parameters()`` is read once).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from shendu.autograd import versions
from shendu.tensor import Tensor

__all__ = [
    "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
    "parameters_to_vector", "vector_to_parameters",
]

_EPS = 1e-6  # added to the total norm before dividing, as PyTorch


def _as_list(tensors, op: str) -> list:
    """``tensors`` (one Tensor or an iterable of Tensors) as a list, checked."""
    items = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__} at position {i}")
    return items


def _vector_norm(x: np.ndarray, p: float) -> np.generic:
    """||x||_p of the flattened array, in its dtype: max |x_i| for p = inf, min |x_i| for
    p = -inf, the number of non-zeros for p = 0, else (sum |x_i|^p)^(1/p)."""
    x = x.ravel()
    if p == 2.0:
        return np.sqrt(np.dot(x, x))  # one BLAS call, no temporary |x|
    if x.size == 0:
        return x.dtype.type(0)
    if p == math.inf:
        return np.abs(x).max()
    if p == -math.inf:
        return np.abs(x).min()
    if p == 0.0:
        return x.dtype.type(np.count_nonzero(x))
    if p == 1.0:
        return np.abs(x).sum()
    return (np.abs(x) ** p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The p-norm of all of ``tensors`` taken together, as if concatenated into one vector:

        total = || (||g_1||_p, ..., ||g_k||_p) ||_p     (the max of the max norms for p = inf)

    Args:
        tensors: one Tensor or an iterable of Tensors (``None`` entries are skipped).
        norm_type: p (``float("inf")`` for the max norm).
        error_if_nonfinite: raise ``RuntimeError`` when the total is nan or inf.
        foreach: accepted for PyTorch compatibility and ignored.

    Returns:
        A 0-d Tensor of the tensors' (promoted) dtype; 0.0 (float32) when there are none.
    """
    tensors = tensors if isinstance(tensors, Tensor) else [t for t in tensors if t is not None]
    arrays = [t.data for t in _as_list(tensors, "get_total_norm")]
    p = float(norm_type)
    if not arrays:
        return Tensor._make(np.array(0.0, dtype=np.float32))
    dtype = np.result_type(*arrays)
    norms = np.array([_vector_norm(a, p) for a in arrays], dtype=dtype)
    total = np.asarray(_vector_norm(norms, p), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite "
            f"({total}), so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(total)


def _grads(parameters, op: str) -> list[Tensor]:
    """The ``.grad`` tensors of ``parameters`` that have one, each array once (two parameters
    may be given the same gradient tensor; it must be scaled once)."""
    grads, seen = [], set()
    for p in _as_list(parameters, op):
        if p.grad is not None and id(p.grad.data) not in seen:
            seen.add(id(p.grad.data))
            grads.append(p.grad)
    return grads


def _update(grad: Tensor, fn) -> None:
    """Apply ``fn(array, out)`` to the gradient in place (into a new array if the gradient's
    memory is read-only) and record the in-place change."""
    array = grad.data
    if array.flags.writeable:
        fn(array, array)
    else:
        grad.data = fn(array, None)
    versions.bump(grad)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm, foreach=None) -> None:
    """Scale the gradients in place by min(1, max_norm / (total_norm + 1e-6)), given the total
    norm (from :func:`get_total_norm`). ``foreach`` is accepted and ignored."""
    max_norm = float(max_norm)
    if not max_norm >= 0:
        raise ValueError(f"clip_grads_with_norm_: max_norm must be >= 0, got {max_norm}")
    grads = _grads(parameters, "clip_grads_with_norm_")
    if not grads:
        return
    total = np.asarray(total_norm.data if isinstance(total_norm, Tensor) else total_norm)
    dtype = total.dtype if total.dtype.kind == "f" else np.dtype(np.float32)
    total = total.astype(dtype)
    # min(nan, 1) is nan, as in PyTorch: a non-finite total poisons the gradients visibly
    coef = np.minimum(dtype.type(max_norm) / (total + dtype.type(_EPS)), dtype.type(1.0))
    with np.errstate(invalid="ignore"):  # inf * 0 when the total is inf: nan, no warning
        for grad in grads:
            factor = coef.astype(grad.dtype)
            _update(grad, lambda a, out, f=factor: np.multiply(a, f, out=out))


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Clip the global norm of the gradients of ``parameters`` in place.

    The norm is taken over all gradients together, as if concatenated into one vector:

        total = || (||g_1||_p, ..., ||g_k||_p) ||_p
        g_i  <- g_i * min(1, max_norm / (total + 1e-6))

    so the direction of the update is kept and its length is at most (about) ``max_norm``.

    Args:
        parameters: one Tensor or an iterable of Tensors; those without ``grad`` are skipped.
        max_norm: the largest norm allowed (must be >= 0).
        norm_type: p of the p-norm; ``float("inf")`` for the largest absolute value.
        error_if_nonfinite: raise ``RuntimeError`` if the total norm is nan or inf (by
            default the gradients are scaled anyway, which makes them nan, as in PyTorch).
        foreach: accepted for PyTorch compatibility and ignored.

    Returns:
        The total norm of the gradients before clipping, a 0-d Tensor.

    >>> loss.backward()
    >>> shendu.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    parameters = _as_list(parameters, "clip_grad_norm_")
    if not float(max_norm) >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place.

    Args:
        parameters: one Tensor or an iterable of Tensors; those without ``grad`` are skipped.
        clip_value: the largest absolute value allowed (must be >= 0).
        foreach: accepted for PyTorch compatibility and ignored.
    """
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for grad in _grads(parameters, "clip_grad_value_"):
        _update(grad, lambda a, out: np.clip(a, -clip_value, clip_value, out=out))


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Flatten and concatenate ``parameters`` into one 1-D tensor (in order). The result is a
    new tensor in the graph: gradients flow back to the parameters.

    Shape: tensors of n_1, ..., n_k elements give ``(n_1 + ... + n_k,)``.
    """
    from shendu.ops.shape import cat

    params = _as_list(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: expects at least one parameter, got none")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D tensor ``vec`` into ``parameters`` (the inverse of
    :func:`parameters_to_vector`), in place and without recording for backward.

    Unlike PyTorch, which makes each parameter a view of ``vec``, the values are copied into
    each parameter's own array (and rounded to its dtype), so later changes to ``vec`` do not
    reach the parameters. ``vec`` must have exactly as many elements as the parameters.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got "
                        f"{type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vec, got shape {vec.shape}")
    params = _as_list(parameters, "vector_to_parameters")
    needed = sum(p.data.size for p in params)
    if vec.shape[0] != needed:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements, the "
                         f"{len(params)} parameters have {needed}")
    offset = 0
    for p in params:
        chunk = vec.data[offset:offset + p.data.size].reshape(p.shape)
        offset += p.data.size
        if p.data.flags.writeable:
            np.copyto(p.data, chunk, casting="unsafe")
        else:
            p.data = chunk.astype(p.dtype)  # a private copy
        versions.bump(p)
