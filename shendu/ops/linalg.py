"""Matrix products: ``matmul`` (with PyTorch's 1-D and batch-broadcasting rules) and its
strict forms ``mm``, ``bmm`` and ``dot``. The forward and each gradient is one BLAS call
(``matmul``) on the operands, transposed views of them or free reshapes.
"""

from __future__ import annotations

import math

import numpy as np

from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.tensor import Tensor


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        xp = get_array_module(grad)
        # d(AB)/dA = grad B^T, d(AB)/dB = A^T grad. A 1-D operand is a row (A) or a column (B)
        # matrix whose extra dim was dropped from the output: put it back in grad
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        # BLAS wants real strides: a broadcast gradient (from sum, mean) is made dense once
        grad = xp.asarray(grad, order="C")
        if b.ndim == 1:
            grad = grad[..., None]
        if a.ndim == 1:
            grad = grad[..., None, :]
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = _matmul(grad, xp.swapaxes(b2, -1, -2))
            if a.ndim == 1:
                ga = ga[..., 0, :]
        if ctx.needs_input_grad[1]:
            if b2.ndim == 2 and grad.ndim > 2:
                # B was shared by A's whole batch: sum_i A_i^T G_i is one product with the
                # batch stacked into the rows, (batch*m, k)^T @ (batch*m, n)
                rows = math.prod(grad.shape[:-1])
                stacked_a = a2.reshape(rows, a2.shape[-1])
                gb = xp.matmul(stacked_a.T, grad.reshape(rows, grad.shape[-1]))
            else:
                gb = xp.matmul(xp.swapaxes(a2, -1, -2), grad)
            if b.ndim == 1:
                gb = gb[..., 0]
        # batch dims that broadcasting added or stretched are summed away by the engine
        return ga, gb


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in one BLAS call. A contiguous stack of matrices times one matrix,
    (..., m, k) @ (k, n), is done as one (batch*m, k) @ (k, n) product: a single large GEMM is
    faster than NumPy's loop of small ones over the stack, and the reshapes are free."""
    xp = get_array_module(a)
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous:
        rows = math.prod(a.shape[:-1])
        out = xp.matmul(a.reshape(rows, a.shape[-1]), b)
        return out.reshape(a.shape[:-1] + (b.shape[-1],))
    return xp.matmul(a, b)


def _data(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _operand(x):
    """A Tensor stays (so it gets a gradient); an array or nested list becomes an ndarray."""
    return x if isinstance(x, Tensor) else np.asarray(x)


def _check(op: str, input, other) -> None:
    """Raise before NumPy does: matmul's operands must have >= 1 dim, agree on the inner
    dimension, have broadcastable batch dims and share a dtype."""
    a, b = _data(input), _data(other)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"{op}: both operands need at least 1 dimension, got shapes "
                         f"{a.shape} and {b.shape}")
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != inner_b:
        where = "the length" if b.ndim == 1 else "the second-to-last dim"
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} cannot be multiplied: the last dim of input "
            f"({a.shape[-1]}) must equal {where} of other ({inner_b})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"{op}: the batch dims of shapes {a.shape} and {b.shape} cannot be "
                         "broadcast together") from None
    if a.dtype != b.dtype:
        raise TypeError(f"{op}: both operands must have the same dtype, got {a.dtype} and "
                        f"{b.dtype}; convert one (e.g. x.to(w.dtype))")


def _check_ndim(op: str, input, other, ndim: int) -> None:
    a, b = _data(input), _data(other)
    if a.ndim != ndim or b.ndim != ndim:
        raise ValueError(f"{op}: expected two {ndim}-D tensors, got shapes {a.shape} and "
                         f"{b.shape}")


def matmul(input, other) -> Tensor:
    """Matrix product with PyTorch's rules (``input @ other``).

    - 1-D @ 1-D: the dot product, a 0-d tensor.
    - 2-D @ 2-D: (m, k) @ (k, n) -> (m, n).
    - 1-D @ n-D: the vector is a (1, k) row matrix, and the 1 is dropped from the result;
      n-D @ 1-D: the vector is a (k, 1) column, and the 1 is dropped.
    - batched: (..., m, k) @ (..., k, n) -> (..., m, n); the batch dims ``...`` broadcast,
      e.g. (2, 1, 3, 4) @ (5, 4, 2) -> (2, 5, 3, 2).

    Raises ValueError naming both shapes when the inner dimensions differ.
    """
    _check("matmul", input, other)
    return MatMul.apply(_operand(input), _operand(other))


def mm(input, mat2) -> Tensor:
    """Product of two matrices: (n, m) @ (m, p) -> (n, p); no broadcasting."""
    _check_ndim("mm", input, mat2, 2)
    _check("mm", input, mat2)
    return MatMul.apply(_operand(input), _operand(mat2))


def bmm(input, mat2) -> Tensor:
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p); the batch sizes must be
    equal (no broadcasting)."""
    _check_ndim("bmm", input, mat2, 3)
    a, b = _data(input), _data(mat2)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"bmm: the batch sizes differ: shapes {a.shape} and {b.shape} (use "
                         "matmul to broadcast)")
    _check("bmm", input, mat2)
    return MatMul.apply(_operand(input), _operand(mat2))


def dot(input, tensor) -> Tensor:
    """Dot product of two 1-D tensors of the same length: sum(input * tensor), a 0-d tensor."""
    _check_ndim("dot", input, tensor, 1)
    a, b = _data(input), _data(tensor)
    if a.shape != b.shape:
        raise ValueError(f"dot: the vectors have different lengths: shapes {a.shape} and "
                         f"{b.shape}")
    _check("dot", input, tensor)
    return MatMul.apply(_operand(input), _operand(tensor))
