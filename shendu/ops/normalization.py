"""Normalization layers, stateless: ``batch_norm``, ``layer_norm`` and ``group_norm``.

Each is one fused op. The forward standardizes, x_hat = (x - mean) / sqrt(var + eps) with the
biased variance, over the axes the layer normalizes, then applies the affine map
y = x_hat * weight + bias. The backward is the closed form of the chain rule through the mean
and the variance (Ioffe and Szegedy 2015), per slice of n elements:

    dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)),  dx_hat = dy * weight

so no graph of a dozen small ops is built and nothing but x_hat and inv_std is kept.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from shendu.autograd import versions
from shendu.autograd.function import Function
from shendu.tensor import Tensor

__all__ = ["batch_norm", "layer_norm", "group_norm"]


# ---------------------------------------------------------------------------- shared formulas
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _sum(axes: tuple, *arrays: np.ndarray) -> np.ndarray:
    """The sum over ``axes`` of the elementwise product of ``arrays``, with the summed axes
    kept as size-1 axes. One ``einsum`` call: no temporary array for the product, and faster
    than ``ndarray.sum`` over several axes."""
    ndim = arrays[0].ndim
    subscripts = _LETTERS[:ndim]
    kept = "".join(c for i, c in enumerate(subscripts) if i not in axes)
    out = np.einsum(",".join([subscripts] * len(arrays)) + "->" + kept, *arrays)
    shape = tuple(1 if i in axes else n for i, n in enumerate(arrays[0].shape))
    return out.reshape(shape)


def _standardize(x: np.ndarray, axes: tuple, n: int, eps: float) -> tuple:
    """x_hat = (x - mean) / sqrt(var + eps) over ``axes`` (slices of ``n`` elements), with the
    biased variance. Returns (x_hat, mean, var, inv_std), the statistics with size-1 axes."""
    count = n or 1  # an empty slice has mean 0 (not NumPy's warning and nan)
    mean = _sum(axes, x) / count
    x_hat = x - mean
    var = _sum(axes, x_hat, x_hat) / count  # two passes: exact even when |mean| >> std
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std
    return x_hat, mean, var, inv_std


def _standardize_backward(g_hat: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray,
                          axes: tuple, n: int) -> np.ndarray:
    """The gradient of x through x_hat, given g_hat = d loss / d x_hat:

    dx = inv_std * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))

    (the two means are the paths through the slice's mean and its variance)."""
    count = n or 1
    dx = x_hat * (_sum(axes, g_hat, x_hat) / -count)
    dx += g_hat
    dx -= _sum(axes, g_hat) / count
    dx *= inv_std
    return dx


def _affine(x_hat: np.ndarray, weight, bias, shape: tuple) -> np.ndarray:
    """y = x_hat * weight + bias, the parameters viewed with ``shape`` to broadcast."""
    if weight is None and bias is None:
        return x_hat
    out = x_hat * weight.reshape(shape) if weight is not None else x_hat.copy()
    if bias is not None:
        out += bias.reshape(shape)
    return out


def _affine_grads(ctx, grad: np.ndarray, x_hat: np.ndarray, axes: tuple, shape: tuple) -> tuple:
    """d loss / d weight = sum(dy * x_hat), d loss / d bias = sum(dy) over ``axes`` (the axes
    the parameters are broadcast along), reshaped to ``shape``."""
    needs = ctx.needs_input_grad
    gw = _sum(axes, grad, x_hat).reshape(shape) if needs[1] else None
    gb = _sum(axes, grad).reshape(shape) if needs[2] else None
    return gw, gb


# ---------------------------------------------------------------------------- ops
class BatchNorm(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        input_shape, c, x_in = x.shape, x.shape[1], x
        if x.ndim > 2:  # (N, C, *spatial) as (N, C, S): one axis of long rows to reduce over
            x = x.reshape(input_shape[0], c, math.prod(input_shape[2:]))
        axes = (0, 2) if x.ndim == 3 else (0,)  # every axis but the channels
        shape = (1, c, 1) if x.ndim == 3 else (1, c)  # a per-channel value, broadcasting
        n = x.size // c if c else 0
        ctx.input_shape, ctx.work_shape, ctx.axes = input_shape, x.shape, axes
        ctx.n, ctx.shape = n, shape
        ctx.training = training
        if training:
            x_hat, mean, var, inv_std = _standardize(x, axes, n, eps)
            # running = (1 - momentum) running + momentum batch, with the unbiased variance
            # (an empty batch has no statistics and leaves them alone, as in PyTorch)
            if running_mean is not None and n:
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(c)
            if running_var is not None and n:
                running_var *= 1 - momentum
                running_var += (momentum * n / max(n - 1, 1)) * var.reshape(c)
            ctx.save_for_backward(x_hat, inv_std, weight)
            return _affine(x_hat, weight, bias, shape).reshape(input_shape)
        # evaluation: the running statistics are constants, so y = x * scale + shift with
        # scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale: one
        # multiply and one add over x
        inv_std = 1.0 / np.sqrt(running_var + eps)
        scale = inv_std if weight is None else weight * inv_std
        shift = -running_mean * scale if bias is None else bias - running_mean * scale
        out = x * scale.astype(x.dtype, copy=False).reshape(shape)
        out += shift.astype(x.dtype, copy=False).reshape(shape)
        ctx.save_for_backward(x_in, inv_std.reshape(shape), weight)
        ctx.scale, ctx.running_mean = scale.reshape(shape), running_mean.reshape(shape).copy()
        return out.reshape(input_shape)

    @staticmethod
    def backward(ctx, grad):
        saved, inv_std, weight = ctx.saved_tensors  # saved: x_hat (training) or x (eval)
        axes, shape, needs = ctx.axes, ctx.shape, ctx.needs_input_grad
        saved = saved.reshape(ctx.work_shape)  # (N, C) or (N, C, S), as in forward
        grad = grad.reshape(ctx.work_shape)
        gx = gw = gb = None
        if ctx.training:
            x_hat = saved
            if needs[0]:
                g_hat = grad if weight is None else grad * weight.reshape(shape)
                gx = _standardize_backward(g_hat, x_hat, inv_std, axes, ctx.n)
        else:
            if needs[0]:
                gx = grad * ctx.scale.astype(grad.dtype, copy=False)  # d y/dx = scale
            # x_hat is needed only for the weight's gradient: made here, not in forward
            x_hat = (saved - ctx.running_mean) * inv_std if needs[1] else None
        c = saved.shape[1]
        if needs[1]:
            gw = _sum(axes, grad, x_hat).reshape(c)  # d y/d weight = x_hat
        if needs[2]:
            gb = _sum(axes, grad).reshape(c)  # d y/d bias = 1
        if gx is not None:
            gx = gx.reshape(ctx.input_shape)
        return gx, gw, gb, None, None, None, None, None


class LayerNorm(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, normalized_shape, eps):
        m = math.prod(normalized_shape)
        lead = math.prod(x.shape[:x.ndim - len(normalized_shape)])
        rows = x.reshape(lead, m)  # one row per normalized slice (a view for contiguous x)
        x_hat, _, _, inv_std = _standardize(rows, (1,), m, eps)
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.input_shape, ctx.normalized_shape, ctx.m = x.shape, normalized_shape, m
        return _affine(x_hat, weight, bias, (m,)).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.saved_tensors
        grad = grad.reshape(x_hat.shape)
        gx = None
        if ctx.needs_input_grad[0]:
            g_hat = grad if weight is None else grad * weight.reshape(-1)
            gx = _standardize_backward(g_hat, x_hat, inv_std, (1,), ctx.m)
            gx = gx.reshape(ctx.input_shape)
        gw, gb = _affine_grads(ctx, grad, x_hat, (0,), ctx.normalized_shape)
        return gx, gw, gb, None, None


class GroupNorm(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, num_groups, eps):
        n, c = x.shape[:2]
        spatial = math.prod(x.shape[2:])
        # each (sample, group) is one row of (C / G) * spatial elements to standardize; the
        # per-channel affine map then works on the (N, C, spatial) view of the same array
        count = (c // num_groups) * spatial
        rows = x.reshape(n * num_groups, count)
        x_hat, _, _, inv_std = _standardize(rows, (1,), count, eps)
        channels = (n, c, spatial)
        ctx.save_for_backward(x_hat.reshape(channels), inv_std, weight)
        ctx.input_shape, ctx.count = x.shape, count
        return _affine(x_hat.reshape(channels), weight, bias, (1, c, 1)).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.saved_tensors  # x_hat as (N, C, spatial)
        grad = grad.reshape(x_hat.shape)
        gx = None
        if ctx.needs_input_grad[0]:
            g_hat = grad if weight is None else grad * weight.reshape(1, -1, 1)
            rows = (inv_std.shape[0], ctx.count)
            gx = _standardize_backward(g_hat.reshape(rows), x_hat.reshape(rows), inv_std, (1,),
                                       ctx.count)
            gx = gx.reshape(ctx.input_shape)
        gw, gb = _affine_grads(ctx, grad, x_hat, (0, 2), (ctx.input_shape[1],))
        return gx, gw, gb, None, None


# ---------------------------------------------------------------------------- functional API
def _check_param(op: str, name: str, param, shape: tuple) -> None:
    if param is not None and tuple(param.shape) != shape:
        raise ValueError(f"{op}: {name} must have shape {shape}, got {tuple(param.shape)}")


def _data(t):
    return None if t is None else t.data


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalization (Ioffe and Szegedy 2015) over every dim but the channels (dim 1).

    y = (x - mean) / sqrt(var + eps) * weight + bias, per channel.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` tensors or None. Used in place of the batch
            statistics when ``training`` is False; when ``training`` is True they are updated in
            place: running = (1 - momentum) * running + momentum * batch, with the unbiased
            batch variance (as PyTorch).
        weight, bias: ``(C,)`` or None.
        training: normalize with the statistics of this batch (True) or the running ones.
        momentum: the weight of the new batch in the running statistics.
        eps: added to the variance for stability.

    Shape: unchanged.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C) or (N, C, *), got shape "
                         f"{input.shape}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_param("batch_norm", name, t, (c,))
    if training:
        if input.data.size // max(c, 1) == 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {input.shape}")
        if running_mean is not None and not isinstance(momentum, numbers.Real):
            raise TypeError(f"batch_norm: momentum must be a number, got {momentum!r}")
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var must be given in evaluation "
                         "mode (training=False)")
    out = BatchNorm.apply(input, weight, bias, _data(running_mean), _data(running_var),
                          bool(training), momentum, eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                versions.bump(t)  # changed in place: an op that saved it would now be wrong
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Layer normalization (Ba et al. 2016): standardize over the last
    ``len(normalized_shape)`` dims of each sample, then y = x_hat * weight + bias elementwise.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: an int or a tuple: the trailing dims to normalize over.
        weight, bias: of shape ``normalized_shape``, or None.

    Shape: unchanged.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(
        normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        trailing = ", ".join(map(str, shape))
        raise ValueError(f"layer_norm: given normalized_shape={shape}, expected an input of "
                         f"shape (*, {trailing}), got shape {input.shape}")
    _check_param("layer_norm", "weight", weight, shape)
    _check_param("layer_norm", "bias", bias, shape)
    return LayerNorm.apply(input, weight, bias, shape, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Group normalization (Wu and He 2018): the C channels are split into ``num_groups``
    groups, and each group of each sample is standardized over its channels and spatial dims;
    then y = x_hat * weight + bias per channel.

    Args:
        input: ``(N, C, *)`` with C divisible by ``num_groups``.
        weight, bias: ``(C,)`` or None.

    Shape: unchanged.
    """
    if input.ndim < 2:
        raise ValueError(f"group_norm: expected an input of shape (N, C, *), got shape "
                         f"{input.shape}")
    c = input.shape[1]
    if isinstance(num_groups, bool) or not isinstance(num_groups, numbers.Integral) \
            or num_groups <= 0 or c % num_groups:
        raise ValueError(f"group_norm: the number of channels ({c}, input shape {input.shape}) "
                         f"must be divisible by num_groups={num_groups!r}")
    _check_param("group_norm", "weight", weight, (c,))
    _check_param("group_norm", "bias", bias, (c,))
    return GroupNorm.apply(input, weight, bias, int(num_groups), eps)
