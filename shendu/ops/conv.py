"""Convolutions: ``conv1d``, ``conv2d``, ``conv3d`` and ``conv_transpose1d/2d/3d``, written
once for any number of spatial dims (``nd``).

Shapes, shown for 2-D (1-D drops a spatial dim, 3-D adds one)::

    input (N, C, H, W), weight (O, C/G, kH, kW), bias (O,)  ->  output (N, O, H_out, W_out)
    H_out = (H + p_top + p_bottom - d (kH - 1) - 1) // s + 1

with p the zero padding, d the dilation, s the stride and G the groups. Like PyTorch, the
"convolution" is a cross-correlation: y[n, o, h, w] = b[o] + sum_{c, i, j} W[o, c, i, j]
x_pad[n, g C/G + c, h s + i d, w s + j d], g = the group of output channel o.

Forward (im2col). The padded input is viewed, without a copy, as its patches (``as_strided``,
see :func:`_patches`), laid out once as the matrix col, (G, C/G * kH * kW, N * H_out * W_out),
and one BLAS call (``matmul``, all G groups at once, no Python loop) gives the output rows:

    Y[g] = W[g] @ col[g]           W[g]: (O/G, C/G * kH * kW),  Y[g]: (O/G, N * H_out * W_out)

Backward, from the output gradient as rows dY[g] (O/G, N * H_out * W_out):

    dW[g] = dY[g] @ col[g]^T        one BLAS call on the col saved by the forward
    db    = the sum of dY over the batch and the positions
    dx    = the "full" correlation of the output gradient with the kernel rotated by 180
            degrees, delta_l = rot180(W) * delta_{l+1}: dY is spread out by the stride (zeros
            in between), padded by d (k - 1) and correlated with W flipped in space and with
            its two channel axes swapped; or col2im: dcol[g] = W[g]^T @ dY[g] and each kernel
            offset's slice of dcol added back where its patch came from. The two are exact
            along each spatial dim separately, so :func:`_input_grad` may use one along some
            dims and the other along the rest, in one GEMM; :func:`input_grad_plan` picks the
            combination that moves the least memory (the measurements are there).

Only the gradients asked for are computed (``ctx.needs_input_grad``), and col is kept for the
backward only when the weight needs a gradient. Everything stays in the input's dtype
(float32 by default).

A transposed convolution is the input gradient of a convolution: its forward is the dx
computation above, its input gradient a forward convolution, and its weight gradient the dW
formula with the roles of input and output swapped.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from shendu.autograd.function import Function
from shendu.tensor import Tensor

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}  # the names of the spatial dims, for messages


@dataclass(frozen=True)
class Geometry:
    """How a convolution walks its (padded) input, per spatial dim: ``stride``, ``padding``
    as (before, after) zero pairs, ``dilation``; and the number of ``groups``."""

    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int


# ---------------------------------------------------------------------------- sizes
def output_size(size: tuple, kernel: tuple, geometry: Geometry) -> tuple:
    """The output's spatial size, per dim (H + p_before + p_after - d (k - 1) - 1) // s + 1;
    below 1 where the dilated kernel is larger than the padded input."""
    return tuple((n + before + after - d * (k - 1) - 1) // s + 1
                 for n, k, s, (before, after), d in
                 zip(size, kernel, geometry.stride, geometry.padding, geometry.dilation))


def _padded(size: tuple, geometry: Geometry) -> tuple:
    return tuple(n + before + after for n, (before, after) in zip(size, geometry.padding))


def _extent(kernel: tuple, dilation: tuple) -> tuple:
    """The size a dilated kernel covers: d (k - 1) + 1."""
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))


# ---------------------------------------------------------------------------- the N-d kernels
def _pad_zeros(x: np.ndarray, padding: tuple) -> np.ndarray:
    """``x`` (N, C, *spatial) with zeros around its spatial dims (``x`` itself when none)."""
    if not any(before or after for before, after in padding):
        return x
    size = x.shape[2:]
    out = np.zeros(x.shape[:2] + tuple(n + b + a for n, (b, a) in zip(size, padding)), x.dtype)
    inside = tuple(slice(b, b + n) for n, (b, _) in zip(size, padding))
    out[(slice(None), slice(None)) + inside] = x
    return out


def _patches(a: np.ndarray, kernel: tuple, out_size: tuple, stride: tuple, dilation: tuple,
             groups: int) -> np.ndarray:
    """The patches of ``a`` as a read-only view (no copy), shape (G, C/G, *kernel, N, *out):

        patches[g, c, *k, n, *o] = a[n, g C/G + c, *(o * stride + k * dilation)]

    ``a`` is (N, C, *spatial) as indexed; its memory may be in any order (only its strides are
    used), so a (C, N, ...) buffer seen through ``swapaxes`` works as well."""
    n_batch, channels = a.shape[:2]
    s_batch, s_channel, *s_space = a.strides
    per_group = channels // groups
    shape = (groups, per_group, *kernel, n_batch, *out_size)
    strides = (per_group * s_channel, s_channel, *(d * st for d, st in zip(dilation, s_space)),
               s_batch, *(s * st for s, st in zip(stride, s_space)))
    return as_strided(a, shape, strides, writeable=False)


def _im2col(a: np.ndarray, kernel: tuple, out_size: tuple, stride: tuple, dilation: tuple,
            groups: int) -> np.ndarray:
    """The patch matrix col, (G, C/G * prod(kernel), N * prod(out_size)): the patches view
    copied once into the layout the GEMM reads (its last axis runs along output positions,
    so the copy moves runs of contiguous input)."""
    n_batch, channels = a.shape[:2]
    col = np.ascontiguousarray(_patches(a, kernel, out_size, stride, dilation, groups))
    return col.reshape(groups, channels // groups * math.prod(kernel),
                       n_batch * math.prod(out_size))


def _grouped(weight: np.ndarray, groups: int) -> np.ndarray:
    """The weight (O, C/G, *k) as G matrices (G, O/G, C/G * prod(k)) (a free reshape)."""
    return weight.reshape(groups, weight.shape[0] // groups, math.prod(weight.shape[1:]))


def _rows(y: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, *spatial) as contiguous rows (G, O/G, N * prod(spatial)), the GEMM layout."""
    n_batch, channels = y.shape[:2]
    size = math.prod(y.shape[2:])
    rows = np.ascontiguousarray(y.reshape(n_batch, channels, size).swapaxes(0, 1))
    return rows.reshape(groups, channels // groups, n_batch * size)


def _unrows(rows: np.ndarray, n_batch: int, size: tuple) -> np.ndarray:
    """Rows (G, O/G, N * prod(size)) back to a contiguous (N, O, *size) array."""
    channels = rows.shape[0] * rows.shape[1]
    return np.ascontiguousarray(rows.reshape(channels, n_batch, *size).swapaxes(0, 1))


def _correlate(x: np.ndarray, weight: np.ndarray, out_size: tuple, geometry: Geometry):
    """The forward convolution of ``x`` (N, C, *size) without bias, as rows (G, O/G, N *
    prod(out_size)), and the patch matrix col it multiplied.

    The batch is one GEMM: col's columns run over the batch and the positions together, so
    the result is (O, N, ...) and the caller transposes it to (N, O, ...) in one copy. That
    beats N per-sample GEMMs writing (N, O, ...) directly: for LeNet's 6 -> 16 layer on 128
    samples, 3.4 ms for the one GEMM plus 0.3 ms for the copy against 5.7 ms for the 128."""
    g = geometry
    col = _im2col(_pad_zeros(x, g.padding), weight.shape[2:], out_size, g.stride, g.dilation,
                  g.groups)
    return np.matmul(_grouped(weight, g.groups), col), col  # Y[g] = W[g] @ col[g]


def _input_grad(rows: np.ndarray, weight: np.ndarray, n_batch: int, in_size: tuple,
                out_size: tuple, geometry: Geometry, plan: tuple | None = None) -> np.ndarray:
    """dx (N, C, *in_size) of the convolution, from the output gradient as rows (G, O/G,
    N * prod(out_size)).

    Along each spatial dim one of two exact methods is used (``plan``: True for full
    correlation; by default :func:`input_grad_plan` chooses):

    - full correlation, delta_l = rot180(W) * delta_{l+1}: with r = d (k - 1) and the gradient
      spread out by the stride, spread[r + s t] = dY[t] (zeros between), the padded input's
      gradient is dx_pad[h] = sum_k spread[h + r - k d] W[k] = sum_k' spread[h + k' d]
      W[k - 1 - k']: a stride-1 correlation with the flipped kernel, at the input positions;
    - col2im: dcol = W^T dY holds, for each kernel offset k and output position t, the
      gradient of the input element t s + k d that the patch read there; each of the k offsets
      adds its slice of dcol (all positions at once) into the input.

    One GEMM does the multiplications of both: W's rows (kernel offsets of the col2im dims
    x C/G) times a patch matrix of the gradient (O/G x kernel offsets of the full dims by
    N x positions: input positions along the full dims, output positions along the col2im
    dims). All dims full correlation is the textbook rule, all col2im is Caffe's.
    """
    g = geometry
    kernel = weight.shape[2:]
    if plan is None:
        plan = input_grad_plan(in_size, out_size, kernel, weight.shape[1] * g.groups,
                               weight.shape[0])
    positions = tuple(n if full else m for n, m, full in zip(in_size, out_size, plan))
    # with no full-correlation dim the gradient rows are the patch matrix already
    col = _spread_patches(rows, kernel, n_batch, in_size, out_size, positions, g, plan) \
        if any(plan) else rows
    part = np.matmul(_rotated(weight, g.groups, plan), col)
    if all(plan):
        return _unrows(part, n_batch, in_size)
    return _scatter(part, weight.shape, n_batch, in_size, out_size, positions, g, plan)


def _spread_patches(rows, kernel, n_batch, in_size, out_size, positions, geometry,
                    plan) -> np.ndarray:
    """The gradient's patch matrix for the full-correlation dims, (G, O/G * prod(k_full),
    N * prod(positions)): the gradient spread out by the stride with r = d (k - 1) zeros
    before it along those dims, and its patches at the input positions (kernel size 1 and
    the output positions along the col2im dims)."""
    g, nd = geometry, len(in_size)
    out_channels = rows.shape[0] * rows.shape[1]
    reach = [g.dilation[i] * (kernel[i] - 1) if plan[i] else 0 for i in range(nd)]
    size = [in_size[i] + sum(g.padding[i]) + reach[i] if plan[i] else out_size[i]
            for i in range(nd)]
    spread = np.zeros((out_channels, n_batch, *size), dtype=rows.dtype)  # (O, N, ...) memory
    spots = tuple(slice(reach[i], reach[i] + g.stride[i] * (out_size[i] - 1) + 1, g.stride[i])
                  if plan[i] else slice(None) for i in range(nd))
    spread[(slice(None), slice(None)) + spots] = rows.reshape(out_channels, n_batch, *out_size)
    # dx_pad[h] needs spread[h + k' d] at the unpadded positions h = p_before, p_before + 1, ...
    start = spread[(slice(None), slice(None)) + tuple(
        slice(g.padding[i][0], None) if plan[i] else slice(None) for i in range(nd))]
    return _im2col(start.swapaxes(0, 1), tuple(k if f else 1 for k, f in zip(kernel, plan)),
                   positions, (1,) * nd,
                   tuple(d if f else 1 for d, f in zip(g.dilation, plan)), g.groups)


def _rotated(weight: np.ndarray, groups: int, plan: tuple) -> np.ndarray:
    """W (O, C/G, *k) as the GEMM's left matrix (G, prod(k_col2im) * C/G, O/G *
    prod(k_full)): flipped (rotated by 180 degrees) along the full-correlation dims, and
    with its channel axes swapped."""
    nd = len(plan)
    full = [3 + i for i in range(nd) if plan[i]]
    scatter = [3 + i for i in range(nd) if not plan[i]]
    flip = tuple(slice(None, None, -1) if f else slice(None) for f in plan)
    w = weight[(slice(None), slice(None)) + flip]
    out_channels, per_group, *kernel = weight.shape
    w = w.reshape(groups, out_channels // groups, per_group, *kernel)
    w = w.transpose(0, *scatter, 2, 1, *full)
    rows = math.prod(w.shape[1:len(scatter) + 2])
    return w.reshape(groups, rows, math.prod(w.shape[len(scatter) + 2:]))


def _scatter(part, weight_shape, n_batch, in_size, out_size, positions, geometry,
             plan) -> np.ndarray:
    """col2im along the dims where ``plan`` is False: ``part`` (G, prod(k_col2im) * C/G,
    N * prod(positions)) holds one slice per kernel offset of those dims; each is added where
    its patch came from (all positions at once: a loop over kernel offsets only)."""
    g, nd = geometry, len(in_size)
    kernel = [weight_shape[2 + i] for i in range(nd) if not plan[i]]
    per_group = weight_shape[1]
    part = part.reshape(g.groups, *kernel, per_group, n_batch, *positions)
    # accumulate in (C, N, ...) order, the order of part's slices, so the adds run over
    # contiguous rows; one transposing copy at the end is cheaper than strided adds
    size = [n if plan[i] else n + sum(g.padding[i]) for i, n in enumerate(in_size)]
    dx = np.zeros((g.groups, per_group, n_batch, *size), dtype=part.dtype)
    lead = (slice(None),) * 3
    scattered = [i for i in range(nd) if not plan[i]]
    for offset in itertools.product(*map(range, kernel)):
        reached = [slice(None)] * nd
        for i, k in zip(scattered, offset):
            d, s = g.dilation[i], g.stride[i]
            reached[i] = slice(k * d, k * d + s * (out_size[i] - 1) + 1, s)
        dx[lead + tuple(reached)] += part[(slice(None),) + offset]
    inside = tuple(slice(None) if plan[i] else slice(g.padding[i][0], g.padding[i][0] + n)
                   for i, n in enumerate(in_size))
    dx = dx[lead + inside].reshape(g.groups * per_group, n_batch, *in_size)
    return np.ascontiguousarray(dx.swapaxes(0, 1))


# Choosing the method per dim. Both are memory-bound here (the GEMMs have small inner sizes),
# so the cost is counted in elements moved, per sample: the patch matrix that the full-
# correlation dims copy, O * prod(k_full) * prod(positions), and the GEMM output that the
# col2im dims scatter back, C * prod(k_col2im) * prod(positions), which is written, read and
# added in prod(k_col2im) strided passes: about 1.5 times the cost per element. Measured:
# milliseconds for dx alone (best of 25), float32, on the project's 2-core machine (OpenBLAS,
# NumPy 2.4), configuration (N, C, H=W, O, k, padding, stride); "mixed" = full correlation
# along the last dim and col2im along the first:
#
#   configuration              col2im   full corr.   mixed   chosen (ms)   torch 2.13
#   (128, 6, 28, 16, 5, 0, 1)   14.7       46.3        7.5    mixed   7.5      3.3
#   (128, 1, 28, 6, 5, 2, 1)     2.1       10.2        2.0    col2im  2.1      4.1
#   (32, 64, 16, 64, 3, 1, 1)    6.4        4.8        4.0    mixed   4.0      2.0
#   (32, 64, 16, 64, 3, 1, 2)    2.8        4.8        2.6    col2im  2.8      1.0
#   (8, 16, 32, 32, 5, 2, 1)     3.1        3.8        1.7    mixed   1.7      0.8
#   (64, 3, 32, 16, 3, 1, 1)     1.8        6.3        2.3    col2im  1.8      1.4
#   (8, 64, 8, 128, 3, 1, 1)     0.75       0.87       0.65   mixed   0.65     0.30
#
# Neither pure method wins everywhere (full correlation loses 3x where O > C, col2im 1.3x
# where O = C); the per-dim choice is within 10% of the best of the four combinations in
# every row.
_COL2IM_COST = 1.5


def input_grad_plan(in_size: tuple, out_size: tuple, kernel: tuple, in_channels: int,
                    out_channels: int) -> tuple:
    """For each spatial dim, whether :func:`_input_grad` uses full correlation (True) or
    col2im (False) along it: the combination that moves the fewest elements (see above)."""
    nd = len(in_size)
    best, best_cost = None, math.inf
    for plan in itertools.product((False, True), repeat=nd):
        mixed = math.prod(in_size[i] if plan[i] else out_size[i] for i in range(nd))
        copied = out_channels * math.prod(k for k, f in zip(kernel, plan) if f) * mixed
        scattered = in_channels * math.prod(k for k, f in zip(kernel, plan) if not f) * mixed
        cost = (copied if any(plan) else 0) + _COL2IM_COST * scattered
        if cost < best_cost:
            best, best_cost = plan, cost
    return best


def _add_bias(y: np.ndarray, bias) -> np.ndarray:
    if bias is not None:
        y += bias.reshape((-1,) + (1,) * (y.ndim - 2))  # y is fresh: add in place
    return y


# ---------------------------------------------------------------------------- ops
class ConvNd(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, geometry):
        unbatched = x.ndim == weight.ndim - 1
        if unbatched:
            x = x[None]
        out_size = output_size(x.shape[2:], weight.shape[2:], geometry)
        rows, col = _correlate(x, weight, out_size, geometry)
        # col is kept only for the weight gradient, dW = dY col^T
        ctx.save_for_backward(weight, col if ctx.needs_input_grad[1] else None)
        ctx.geometry, ctx.unbatched, ctx.x_shape = geometry, unbatched, x.shape
        out = _add_bias(_unrows(rows, x.shape[0], out_size), bias)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx, grad):
        weight, col = ctx.saved_tensors
        geometry, needs = ctx.geometry, ctx.needs_input_grad
        if ctx.unbatched:
            grad = grad[None]
        rows = _rows(grad, geometry.groups)  # dY[g]: (O/G, N * prod(out)), the GEMM layout
        gx = gw = gb = None
        if needs[0]:
            n_batch, _, *in_size = ctx.x_shape
            gx = _input_grad(rows, weight, n_batch, tuple(in_size), grad.shape[2:], geometry)
            gx = gx[0] if ctx.unbatched else gx
        if needs[1]:
            gw = np.matmul(rows, col.transpose(0, 2, 1)).reshape(weight.shape)  # dY col^T
        if needs[2]:
            gb = rows.sum(axis=2).reshape(-1)  # d y/d b = 1 at every position
        return gx, gw, gb, None


class ConvTransposeNd(Function):
    @staticmethod
    def forward(ctx, x, weight, bias, geometry, size):
        # the input gradient of the convolution (weight, geometry) whose input has spatial
        # ``size`` and whose output is x
        unbatched = x.ndim == weight.ndim - 1
        if unbatched:
            x = x[None]
        rows = _rows(x, geometry.groups)
        out = _input_grad(rows, weight, x.shape[0], size, x.shape[2:], geometry)
        ctx.save_for_backward(weight, rows if ctx.needs_input_grad[1] else None)
        ctx.geometry, ctx.unbatched, ctx.x_size = geometry, unbatched, x.shape[2:]
        out = _add_bias(out, bias)
        return out[0] if unbatched else out

    @staticmethod
    def backward(ctx, grad):
        weight, rows = ctx.saved_tensors
        geometry, needs = ctx.geometry, ctx.needs_input_grad
        if ctx.unbatched:
            grad = grad[None]
        gx = gw = gb = None
        if needs[0] or needs[1]:
            # the forward convolution of the gradient: its rows are dx, its col gives
            # dW[g] = x[g] @ col[g]^T (x as rows: the convolution's output gradient)
            y_rows, col = _correlate(grad, weight, ctx.x_size, geometry)
            if needs[0]:
                gx = _unrows(y_rows, grad.shape[0], ctx.x_size)
                gx = gx[0] if ctx.unbatched else gx
            if needs[1]:
                gw = np.matmul(rows, col.transpose(0, 2, 1)).reshape(weight.shape)
        if needs[2]:
            gb = grad.sum(axis=(0, *range(2, grad.ndim)))
        return gx, gw, gb, None, None


# ---------------------------------------------------------------------------- arguments
def is_int(value) -> bool:
    """An int (a NumPy integer too), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def ntuple(value, nd: int, name: str, op: str, low: int = 0) -> tuple:
    """``value`` (an int, or a tuple or list of ``nd`` ints, each >= ``low``) as a tuple of
    ``nd`` ints."""
    if is_int(value):
        values = (int(value),) * nd
    elif isinstance(value, (tuple, list)) and len(value) == nd and all(map(is_int, value)):
        values = tuple(int(v) for v in value)
    else:
        raise ValueError(f"{op}: {name} must be an int or a tuple of {nd} ints, got {value!r}")
    if any(v < low for v in values):
        bound = "positive" if low == 1 else "non-negative"
        raise ValueError(f"{op}: {name} must be {bound}, got {value!r}")
    return values


def check_groups(groups, op: str) -> int:
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    return int(groups)


def same_padding(kernel: tuple, dilation: tuple) -> tuple:
    """padding='same' as (before, after) pairs: d (k - 1) in all, the odd one on the after
    side, as PyTorch."""
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((t // 2, t - t // 2) for t in totals)


def geometry_of(op: str, nd: int, kernel: tuple, stride, padding, dilation,
                groups) -> Geometry:
    """Check and normalise the arguments of a convolution. ``padding`` is an int, a tuple of
    ``nd`` ints, ``"valid"`` (none) or ``"same"`` (output size = input size; stride 1 only)."""
    stride = ntuple(stride, nd, "stride", op, low=1)
    dilation = ntuple(dilation, nd, "dilation", op, low=1)
    groups = check_groups(groups, op)
    if isinstance(padding, str):
        if padding == "valid":
            pairs = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride}); give the padding as ints")
            pairs = same_padding(kernel, dilation)
        else:
            raise ValueError(f"{op}: invalid padding string {padding!r}, expected 'valid' or "
                             "'same'")
    else:
        pairs = tuple((p, p) for p in ntuple(padding, nd, "padding", op))
    return Geometry(stride, pairs, dilation, groups)


def _shape_text(nd: int, channels) -> str:
    return f"(N, {channels}, {_SPATIAL[nd]}) or ({channels}, {_SPATIAL[nd]})"


def input_problem(nd: int, shape: tuple, in_channels: int, kernel: tuple,
                  geometry: Geometry) -> str | None:
    """What is wrong with an input of ``shape`` for a convolution, in words (None if it
    fits): the rank, the channels, or a padded input smaller than the dilated kernel."""
    shape = tuple(shape)
    if len(shape) not in (nd + 1, nd + 2):
        return (f"expected a {nd + 1}-D (C, {_SPATIAL[nd]}) or {nd + 2}-D "
                f"(N, C, {_SPATIAL[nd]}) input, got shape {shape}")
    channels = shape[-nd - 1]
    if channels != in_channels:
        message = (f"expected input of shape {_shape_text(nd, in_channels)} "
                   f"(in_channels={in_channels}), got shape {shape} with {channels} channels")
        if in_channels == 1 and len(shape) == nd + 1:
            message += (f"; a {nd + 1}-D input is one unbatched sample (C, {_SPATIAL[nd]}): if "
                        f"{shape[0]} is the batch size of single-channel inputs, add the channel "
                        "dim with x.unsqueeze(1)")
        return message
    size = shape[-nd:]
    padded = _padded(size, geometry)
    extent = _extent(kernel, geometry.dilation)
    if any(p < e for p, e in zip(padded, extent)):
        dilated = f" (dilated: {extent})" if extent != tuple(kernel) else ""
        return (f"the kernel {tuple(kernel)}{dilated} is larger than the padded input {padded} "
                f"(spatial size {size}, padding {geometry.padding}): the output size "
                f"(H + 2p - d (k - 1) - 1) // s + 1 would be "
                f"{output_size(size, kernel, geometry)}, below 1")
    return None


def transposed_input_problem(nd: int, shape: tuple, in_channels: int) -> str | None:
    """What is wrong with an input of ``shape`` for a transposed convolution (its rank or its
    channels), in words; None if it fits."""
    if len(shape) not in (nd + 1, nd + 2) or shape[-nd - 1] != in_channels:
        return (f"expected input of shape {_shape_text(nd, in_channels)} (in_channels="
                f"{in_channels}), got shape {tuple(shape)}")
    return None


def _check_parameters(op: str, nd: int, input, weight, bias, weight_layout: str) -> None:
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"{op}: input and weight must be Tensors, got {type(input).__name__} "
                        f"and {type(weight).__name__}")
    if weight.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D {weight_layout}, got shape "
                         f"{weight.shape}")
    dtypes = [input.dtype, weight.dtype] + ([] if bias is None else [bias.dtype])
    if len(set(dtypes)) > 1:
        raise TypeError(f"{op}: input, weight and bias must have the same dtype, got "
                        f"{', '.join(map(str, dtypes))}; convert the input (e.g. x.float())")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point input, got dtype {input.dtype}")


def _check_bias(op: str, bias, channels: int) -> None:
    if bias is not None and tuple(bias.shape) != (channels,):
        raise ValueError(f"{op}: bias must have shape ({channels},) (one per output channel), "
                         f"got {bias.shape}")


# ---------------------------------------------------------------------------- functional API
def _convolution(op: str, nd: int, input, weight, bias, stride, padding, dilation,
                 groups) -> Tensor:
    _check_parameters(op, nd, input, weight, bias,
                      "(out_channels, in_channels/groups, *kernel_size)")
    geometry = geometry_of(op, nd, weight.shape[2:], stride, padding, dilation, groups)
    out_channels = weight.shape[0]
    if out_channels % geometry.groups:
        raise ValueError(f"{op}: out_channels ({out_channels}, weight shape {weight.shape}) must "
                         f"be divisible by groups={geometry.groups}")
    _check_bias(op, bias, out_channels)
    problem = input_problem(nd, input.shape, weight.shape[1] * geometry.groups,
                            weight.shape[2:], geometry)
    if problem:
        raise ValueError(f"{op}: {problem} (weight shape {weight.shape}, groups="
                         f"{geometry.groups})")
    return ConvNd.apply(input, weight, bias, geometry)


def transposed_size(op: str, size: tuple, kernel: tuple, geometry: Geometry,
                    output_padding: tuple) -> tuple:
    """The output size of a transposed convolution, per dim
    (H - 1) s - p_before - p_after + d (k - 1) + output_padding + 1 (checked to be >= 1)."""
    g = geometry
    out = tuple((n - 1) * s - before - after + d * (k - 1) + extra + 1
                for n, k, s, (before, after), d, extra in
                zip(size, kernel, g.stride, g.padding, g.dilation, output_padding))
    if any(m < 1 for m in out):
        raise ValueError(f"{op}: the output size (H - 1) s - 2p + d (k - 1) + output_padding + "
                         f"1 would be {out}, below 1, for an input of spatial size {size}, "
                         f"kernel {kernel}, stride {g.stride}, padding {g.padding}")
    return out


def check_output_padding(op: str, output_padding: tuple, geometry: Geometry) -> None:
    """Each output_padding must be smaller than the stride or the dilation of its dim (else the
    extra positions could not be reached by the convolution it transposes)."""
    for extra, s, d in zip(output_padding, geometry.stride, geometry.dilation):
        if not (extra < s or extra < d):
            raise ValueError(f"{op}: output_padding must be smaller than either stride or "
                             f"dilation, got output_padding={output_padding}, stride="
                             f"{geometry.stride}, dilation={geometry.dilation}")


def _transposed_convolution(op: str, nd: int, input, weight, bias, stride, padding,
                            output_padding, groups, dilation) -> Tensor:
    _check_parameters(op, nd, input, weight, bias,
                      "(in_channels, out_channels/groups, *kernel_size)")
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int or a tuple of {nd} ints (no 'same' or "
                         f"'valid' for transposed convolutions), got {padding!r}")
    geometry = geometry_of(op, nd, weight.shape[2:], stride, padding, dilation, groups)
    output_padding = ntuple(output_padding, nd, "output_padding", op)
    check_output_padding(op, output_padding, geometry)
    in_channels = weight.shape[0]
    if in_channels % geometry.groups:
        raise ValueError(f"{op}: in_channels ({in_channels}, weight shape {weight.shape}) must "
                         f"be divisible by groups={geometry.groups}")
    _check_bias(op, bias, weight.shape[1] * geometry.groups)
    problem = transposed_input_problem(nd, input.shape, in_channels)
    if problem:
        raise ValueError(f"{op}: {problem} (weight shape {weight.shape})")
    size = transposed_size(op, input.shape[-nd:], weight.shape[2:], geometry, output_padding)
    return ConvTransposeNd.apply(input, weight, bias, geometry, size)


_CONV_DOC = """Applies a {nd}-D convolution (a cross-correlation, as PyTorch) over an input
    of {nd} spatial dims: y[n, o] = b[o] + sum_c W[o, c] * x[n, c] over the input channels c
    of output channel o's group.

    Args:
        input: ``{shape}``, or one unbatched sample ``{unbatched}``.
        weight: ``(out_channels, in_channels / groups, {kernel})``.
        bias: ``(out_channels,)`` or None.
        stride: the step between windows, an int or a tuple of {nd} ints.
        padding: zeros added on both sides of each spatial dim: an int, a tuple of {nd}
            ints, ``"valid"`` (none) or ``"same"`` (the output size equals the input size;
            stride 1 only; d (k - 1) zeros in all, the odd one on the right, as PyTorch).
        dilation: the spacing between kernel elements.
        groups: in_channels and out_channels are split into this many groups, each output
            group seeing only its input group (``groups = in_channels``: depthwise).

    Shape: ``{shape}`` to ``{out_shape}``, per spatial dim
    ``out = (n + 2 p - d (k - 1) - 1) // s + 1``. Raises ValueError naming the op when the
    channels do not match the weight or the dilated kernel is larger than the padded input
    (the output size would be below 1).
"""

_TRANSPOSED_DOC = """Applies a {nd}-D transposed convolution (the gradient of conv{nd}d with
    respect to its input; sometimes called a fractionally strided convolution or, wrongly,
    a deconvolution).

    Args:
        input: ``{shape}`` or one unbatched sample ``{unbatched}``.
        weight: ``(in_channels, out_channels / groups, {kernel})``, as PyTorch.
        bias: ``(out_channels,)`` or None.
        stride, padding, dilation, groups: those of the convolution this one transposes
            (``padding`` removes that many positions from each side of the output).
        output_padding: extra positions on one side of each output dim, smaller than the
            stride or the dilation (it chooses between the input sizes a strided convolution
            maps to the same output size).

    Shape: ``{shape}`` to ``{out_shape}``, per spatial dim
    ``out = (n - 1) s - 2 p + d (k - 1) + output_padding + 1``.
"""


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1) -> Tensor:
    return _transposed_convolution("conv_transpose1d", 1, input, weight, bias, stride,
                                   padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1) -> Tensor:
    return _transposed_convolution("conv_transpose2d", 2, input, weight, bias, stride,
                                   padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1) -> Tensor:
    return _transposed_convolution("conv_transpose3d", 3, input, weight, bias, stride,
                                   padding, output_padding, groups, dilation)


_LAYOUT = {1: ("(N, C_in, L)", "(C_in, L)", "kL", "(N, C_out, L_out)"),
           2: ("(N, C_in, H, W)", "(C_in, H, W)", "kH, kW", "(N, C_out, H_out, W_out)"),
           3: ("(N, C_in, D, H, W)", "(C_in, D, H, W)", "kD, kH, kW",
               "(N, C_out, D_out, H_out, W_out)")}
for _nd, (_fn, _tfn) in {1: (conv1d, conv_transpose1d), 2: (conv2d, conv_transpose2d),
                         3: (conv3d, conv_transpose3d)}.items():
    _shape, _unbatched, _kernel, _out = _LAYOUT[_nd]
    _fn.__doc__ = _CONV_DOC.format(nd=_nd, shape=_shape, unbatched=_unbatched, kernel=_kernel,
                                   out_shape=_out)
    _tfn.__doc__ = _TRANSPOSED_DOC.format(nd=_nd, shape=_shape, unbatched=_unbatched,
                                          kernel=_kernel, out_shape=_out)
