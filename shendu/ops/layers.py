"""The stateless forms of the basic layers: ``linear``, ``embedding``, ``dropout``,
``dropout2d``, ``one_hot`` and ``normalize`` (``shendu.nn.functional`` gathers them).

``linear`` is one fused op (one BLAS matmul plus an in-place bias add, and one matmul per
gradient); ``embedding`` is a row lookup whose backward adds each row's gradient back, repeats
accumulating; dropout multiplies by a random mask drawn from shendu's one generator, so
``shendu.manual_seed`` reproduces it.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from shendu import random as _random
from shendu.autograd import versions
from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.ops.dims import normalize_dim
from shendu.ops.linalg import _matmul
from shendu.ops.reduce import norm
from shendu.ops.shape import take_backward
from shendu.tensor import Tensor

__all__ = ["linear", "embedding", "dropout", "dropout2d", "one_hot", "normalize"]


# ---------------------------------------------------------------------------- ops
class Linear(Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = _matmul(x, weight.T)  # y = x W^T + b: W is (out_features, in_features)
        if bias is not None:
            out += bias  # out is a fresh array: add in place, no copy
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        # BLAS wants real strides: a broadcast gradient (from sum, mean) is made dense once
        grad = np.ascontiguousarray(grad)
        # d y/dx = W, d y/dW = x (summed over every leading position), d y/db = 1
        gx = _matmul(grad, weight) if needs[0] else None
        gw = gb = None
        if needs[1] or needs[2]:
            # the leading dims stacked into rows: one (out, rows) @ (rows, in) product
            n = math.prod(grad.shape[:-1])
            rows = grad.reshape(n, grad.shape[-1])
            if needs[1]:
                gw = rows.T @ x.reshape(n, x.shape[-1])
            if needs[2]:
                gb = rows.sum(axis=0)
        return gx, gw, gb


class Embedding(Function):
    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.rows = indices, weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return weight.take(indices, axis=0)  # out[..., :] = weight[indices[...], :]

    @staticmethod
    def backward(ctx, grad):
        # d out[i]/d weight[j] = 1 where indices[i] == j: each looked-up row gets back the
        # gradients of its copies, summed over repeats; the padding row gets none
        rows = ctx.indices.reshape(-1)
        g = take_backward(grad.reshape(rows.size, grad.shape[-1]), 0, rows, ctx.rows)
        if ctx.scale_grad_by_freq and rows.size:
            counts = np.bincount(rows, minlength=ctx.rows)
            g /= np.maximum(counts, 1).astype(g.dtype)[:, None]
        if ctx.padding_idx is not None:
            g[ctx.padding_idx] = 0
        return g, None, None, None


class Dropout(Function):
    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return x * mask  # mask holds 0 or 1 / (1 - p), broadcasting over x

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None  # d (x m)/dx = m


# ---------------------------------------------------------------------------- functional API
def linear(input, weight, bias=None) -> Tensor:
    """Affine map y = x W^T + b over the last dim of ``input``.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features,)`` or None.

    Shape: ``(*, in_features)`` to ``(*, out_features)``.

    >>> F.linear(shendu.ones(2, 3), shendu.ones(4, 3)).shape
    (2, 4)
    """
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                         f"{weight.shape}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {input.shape} does not fit weight of shape "
                         f"{weight.shape}: expected input of shape (*, {weight.shape[1]})")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},) to match weight of "
                         f"shape {weight.shape}, got {bias.shape}")
    if input.dtype != weight.dtype or bias is not None and bias.dtype != weight.dtype:
        given = (input.dtype, weight.dtype) + (() if bias is None else (bias.dtype,))
        raise TypeError(f"linear: input, weight and bias must have the same dtype, got "
                        f"{', '.join(map(str, given))}; convert the input (e.g. x.float())")
    return Linear.apply(input, weight, bias)


def _indices(input, op: str) -> np.ndarray:
    array = input.data if isinstance(input, Tensor) else np.asarray(input)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be an integer tensor, got dtype {array.dtype}")
    return array


def embedding(input, weight, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """Look up rows of ``weight``: ``out[..., :] = weight[input[...], :]``.

    Args:
        input: integer indices of any shape, each in [0, num_embeddings).
        weight: the table, ``(num_embeddings, embedding_dim)``.
        padding_idx: this row gets no gradient (its entries stay as they are in training).
        max_norm: rows looked up whose ``norm_type``-norm exceeds it are rescaled to it, in
            place in ``weight`` (not differentiated), as PyTorch.
        scale_grad_by_freq: divide each row's gradient by how often it occurs in ``input``.
        sparse: not supported (shendu's gradients are dense).

    Shape: ``(*)`` to ``(*, embedding_dim)``.
    """
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported; use "
                                  "sparse=False (the gradient is a dense array)")
    indices = _indices(input, "embedding")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    rows = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = indices[(indices < 0) | (indices >= rows)].flat[0]
        raise IndexError(f"embedding: index {bad} is out of range for a table of {rows} rows "
                         f"(valid indices are 0 to {rows - 1})")
    padding_idx = _padding_idx(padding_idx, rows)
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    return Embedding.apply(weight, indices, padding_idx, scale_grad_by_freq)


def _padding_idx(padding_idx, rows: int) -> int | None:
    """``padding_idx`` as a row in [0, rows) (a negative one counts from the end)."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(f"padding_idx {padding_idx} is out of range for a table of {rows} rows "
                         f"(expected -{rows} <= padding_idx < {rows})")
    return padding_idx % rows


def _renorm_rows(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the looked-up rows whose norm exceeds ``max_norm`` down to it, in place (PyTorch's
    embedding_renorm_: scale = max_norm / (norm + 1e-7))."""
    rows = np.unique(indices)
    table = weight.data
    norms = np.linalg.norm(table[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        rows = rows[over]
        table[rows] *= (max_norm / (norms[over] + 1e-7)).astype(table.dtype)[:, None]
        versions.bump(weight)  # an op that saved the table for backward now sees the change


def _check_p(p, op: str) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p!r}")
    return float(p)


def _mask(shape: tuple, p: float, dtype) -> np.ndarray:
    """0 with probability p, else 1 / (1 - p) (inverted dropout: the expected value of
    x * mask is x, so nothing needs rescaling at evaluation)."""
    xp = get_array_module()
    if p == 1:
        return xp.zeros(shape, dtype=dtype)
    draw = np.float64 if dtype == np.float64 else np.float32
    u = _random.get_generator().random(shape, dtype=draw)
    keep = xp.greater_equal(u, p, out=u)  # in place: 1.0 where kept, 0.0 where dropped
    keep *= 1.0 / (1.0 - p)
    return keep.astype(dtype, copy=False)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the others by 1 / (1 - p) (inverted
    dropout, Srivastava et al. 2014). The identity when ``training`` is False or p = 0.

    ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    Randomness comes from shendu's generator (``shendu.manual_seed`` reproduces it).
    """
    p = _check_p(p, "dropout")
    if not training or p == 0:
        return input
    return Dropout.apply(input, _mask(input.shape, p, input.dtype))


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) feature map of an ``(N, C, H, W)`` input (or
    each channel of ``(C, H, W)``) is zeroed with probability ``p``; the others are scaled by
    1 / (1 - p). The identity when ``training`` is False or p = 0.

    A 3-D input is one unbatched sample (C, H, W), as PyTorch documents it (PyTorch 2.13 itself
    still reads it as (N, C, L), with a warning that this will change).
    """
    p = _check_p(p, "dropout2d")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"shape {input.shape}")
    if not training or p == 0:
        return input
    return Dropout.apply(input, _mask(input.shape[:-2] + (1, 1), p, input.dtype))


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding: ``out[..., k] = 1 if tensor[...] == k else 0``.

    Args:
        tensor: integer class indices of any shape, each in [0, num_classes).
        num_classes: the number of classes; -1 takes the largest index + 1.

    Shape: ``(*)`` to ``(*, num_classes)``. Not differentiable.

    >>> F.one_hot(shendu.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    indices = _indices(tensor, "one_hot")
    if num_classes == -1:
        if indices.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; "
                             "pass num_classes")
        num_classes = int(indices.max()) + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) \
            or num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or a non-negative int, got "
                         f"{num_classes!r}")
    if indices.size and indices.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {indices.min()}")
    if indices.size and indices.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes="
                         f"{num_classes}, got {indices.max()}")
    flat = indices.reshape(-1)
    out = np.zeros((flat.size, num_classes), dtype=np.int64)
    out[np.arange(flat.size), flat] = 1
    return Tensor._make(out.reshape(indices.shape + (num_classes,)))


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input`` divided by its ``p``-norm along ``dim``: x / max(||x||_p, eps).

    The ``eps`` floor keeps a zero vector at zero (its gradient too).

    Shape: unchanged.
    """
    d = normalize_dim(dim, input.ndim, "normalize")
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or math.isnan(p):
        raise TypeError(f"normalize: p must be a number, got {p!r}")
    return input / norm(input, p, d, keepdim=True).clamp(min=eps)
