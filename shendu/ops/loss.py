"""Loss functions: the stateless forms behind ``shendu.nn``'s loss modules, with PyTorch's
names, arguments, defaults and reductions.

Each loss reduces its per-element values with ``reduction``: ``'mean'`` (the default),
``'sum'`` or ``'none'`` (the per-element losses themselves). The losses used on every training
step are one fused op each, forward and backward side by side: the pointwise regression losses,
the binary cross-entropies, and softmax cross-entropy (log-softmax and the negative
log-likelihood in one log-sum-exp pass, with the closed-form gradient softmax - onehot). The
rarer margin losses are built from primitive ops.

Shapes: a pointwise loss (mse, l1, smooth_l1, huber, the binary cross-entropies, kl_div,
hinge_embedding, margin_ranking, perceptron) needs a target of exactly the input's shape.
PyTorch broadcasts a mismatched target (with a warning for some losses), which silently turns
an (N, 1) prediction against an (N,) target into an (N, N) loss; shendu raises a ValueError
instead. The +1/-1 labels of hinge_embedding, margin_ranking, cosine_embedding and perceptron
must be exactly 1 or -1 (PyTorch computes something for a 0/1 label; shendu raises). Class
weights (``weight``, ``pos_weight``) are constants and get no gradient, as in PyTorch.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from shendu.autograd import grad_mode
from shendu.autograd.function import Function
from shendu.backend import get_array_module
from shendu.ops.elementwise import clamp, minimum, where
from shendu.ops.reduce import norm
from shendu.ops.shape import reshape
from shendu.tensor import Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "nll_loss",
    "perceptron_loss",
    "smooth_l1_loss",
    "triplet_margin_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------------- reduction
def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """The per-element ``loss`` reduced: its mean, its sum, or itself ('none')."""
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    with np.errstate(invalid="ignore"):  # the mean of nothing is nan, as PyTorch
        if reduction == "batchmean":  # kl_div: the sum over the batch size
            return total / (loss.shape[0] if loss.ndim else 1)
        return total / loss.size


def _spread(grad: np.ndarray, reduction: str, shape: tuple) -> np.ndarray:
    """d(reduced loss)/d(each element's loss): what the upstream gradient gives every
    element (a 0-d array for 'mean', 'sum' and 'batchmean')."""
    if reduction == "mean":
        return grad / max(int(np.prod(shape)), 1)  # d mean/d l_i = 1/n
    if reduction == "batchmean":
        return grad / max(shape[0] if shape else 1, 1)
    return grad  # 'sum': d sum/d l_i = 1; 'none': each element's own gradient


# ---------------------------------------------------------------------------- regression
class MSE(Function):
    @staticmethod
    def forward(ctx, x, y, reduction):
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        return _reduce(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        gx = 2 * diff * _spread(grad, ctx.reduction, diff.shape)  # d (x - y)^2/dx = 2 (x - y)
        return _pair(ctx, gx) + (None,)


class L1(Function):
    @staticmethod
    def forward(ctx, x, y, reduction):
        diff = x - y
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        return _reduce(get_array_module(diff).abs(diff), reduction)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_tensors
        sign = get_array_module(diff).sign(diff)
        gx = sign * _spread(grad, ctx.reduction, diff.shape)  # d |x - y|/dx = sign(x - y)
        return _pair(ctx, gx) + (None,)


class SmoothL1(Function):
    """Smooth L1 and Huber loss in one op: for d = x - y, quadratic inside (-t, t) and linear
    with slope s outside, l = (s / t) d^2 / 2 or s (|d| - t / 2). Smooth L1 is t = beta, s = 1;
    Huber is t = s = delta."""

    @staticmethod
    def forward(ctx, x, y, threshold, slope, reduction):
        xp = get_array_module(x)
        diff = x - y
        size = xp.abs(diff)
        quadratic = size < threshold
        curvature = slope / threshold
        loss = xp.where(quadratic, (0.5 * curvature) * diff * diff,
                        slope * (size - 0.5 * threshold))
        ctx.save_for_backward(diff, quadratic)
        ctx.curvature, ctx.slope, ctx.reduction = curvature, slope, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        diff, quadratic = ctx.saved_tensors
        xp = get_array_module(diff)
        # d l/dx = (s / t) d inside, s sign(d) outside
        gradient = xp.where(quadratic, ctx.curvature * diff, ctx.slope * xp.sign(diff))
        return _pair(ctx, gradient * _spread(grad, ctx.reduction, diff.shape)) + (None,) * 3


def _pair(ctx, gx: np.ndarray) -> tuple:
    """The gradients of a loss of (x - y): gx for x and -gx for y, each only when needed."""
    return (gx if ctx.needs_input_grad[0] else None,
            -gx if ctx.needs_input_grad[1] else None)


# ---------------------------------------------------------------------------- binary
class BinaryCrossEntropy(Function):
    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        xp = get_array_module(x)
        # PyTorch clamps each log at -100, so a probability of exactly 0 or 1 gives a finite loss
        with np.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, log_x, log_1mx)
        ctx.weight, ctx.reduction = weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, log_x, log_1mx = ctx.saved_tensors
        g = _spread(grad, ctx.reduction, x.shape)
        if ctx.weight is not None:
            g = g * ctx.weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            # d/dx = (x - y) / (x (1 - x)); the denominator is kept >= 1e-12, as PyTorch
            gx = g * (x - y) / np.maximum(x * (1 - x), 1e-12)
        if ctx.needs_input_grad[1]:
            gy = g * (log_1mx - log_x)  # d/dy = ln(1 - x) - ln x
        return gx, gy, None, None


class BinaryCrossEntropyWithLogits(Function):
    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        xp = get_array_module(x)
        # -ln sigmoid(x) = softplus(-x) = ln(1 + e^-|x|) + max(-x, 0): no exp can overflow
        softplus = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        if pos_weight is None:
            loss = (1 - y) * x + softplus  # = max(x, 0) - x y + ln(1 + e^-|x|)
        else:
            # the positive term y ln sigmoid(x) is scaled by pos_weight
            loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, softplus)
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, softplus = ctx.saved_tensors
        xp = get_array_module(x)
        pos_weight = ctx.pos_weight
        g = _spread(grad, ctx.reduction, x.shape)
        if ctx.weight is not None:
            g = g * ctx.weight
        gx = gy = None
        if ctx.needs_input_grad[0]:
            sigmoid = xp.exp(-softplus)  # sigmoid(x) = e^(-softplus(-x)), accurate in both tails
            if pos_weight is None:
                gx = g * (sigmoid - y)  # d/dx = sigmoid(x) - y
            else:
                # d/dx = (1 + (p - 1) y) sigmoid(x) - p y
                gx = g * ((1 + (pos_weight - 1) * y) * sigmoid - pos_weight * y)
        if ctx.needs_input_grad[1]:
            # d/dy = -x (+ (pos_weight - 1) softplus(-x))
            gy = g * (-x if pos_weight is None else (pos_weight - 1) * softplus - x)
        return gx, gy, None, None, None


# ---------------------------------------------------------------------------- classification
def _class_index(t: np.ndarray) -> tuple:
    """The index that picks each sample's target class from an (N, C, D) array:
    ``a[index]`` is a[n, t[n, d], d] for every n, d (shape (N, D))."""
    n, d = t.shape
    return np.arange(n)[:, None], t, np.arange(d)[None, :]


def _target_weights(t, ignored, weight, dtype):
    """Each sample's class weight w_y, 0 where its target is ignored; None when every
    weight is 1 (no class weights, nothing ignored)."""
    w_y = None if weight is None else weight[t]
    if ignored is not None:
        w_y = ~ignored if w_y is None else w_y * ~ignored
        w_y = w_y.astype(dtype, copy=False)
    return w_y


def _indices_setup(ctx, x, target, weight, ignore_index):
    """Common start of the class-index ops: x as (N, C, D), targets as (N, D) with ignored
    ones replaced by class 0, the pick index and the per-sample weights."""
    n, c = x.shape[:2]
    d = math.prod(x.shape[2:])  # every trailing dim as one (-1 fails for an empty batch)
    x3 = x.reshape(n, c, d)
    t = target.reshape(n, d)
    ignored = t == ignore_index
    if ignored.any():
        t = np.where(ignored, 0, t)
    else:
        ignored = None
    ctx.shape = x.shape
    return x3, t, _class_index(t), _target_weights(t, ignored, weight, x.dtype), ignored


def _total_weight(w_y, ignored, count: int) -> float:
    """The denominator of a 'mean': sum of w_y over the targets not ignored."""
    if w_y is not None:
        return float(w_y.sum())
    return float(count if ignored is None else count - ignored.sum())


def _class_scale(grad, ctx, rows: tuple) -> np.ndarray:
    """The upstream gradient of each sample's loss, as an (N, D) array or a 0-d array."""
    if ctx.reduction == "none":
        return grad.reshape(rows)
    if ctx.reduction == "mean":
        # a mean over no (or only zero-weight) targets is nan; its gradient is 0, as PyTorch
        return grad / ctx.denominator if ctx.denominator else grad * 0
    return grad


class CrossEntropy(Function):
    """Softmax cross-entropy of logits ``x`` (N, C, d1, ...) against class indices ``target``
    (N, d1, ...): log-softmax and the negative log-likelihood fused in one op."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, smoothing, reduction):
        xp = get_array_module(x)
        x3, t, index, w_y, ignored = _indices_setup(ctx, x, target, weight, ignore_index)
        # log softmax(x)_c = (x_c - m) - ln sum_k e^(x_k - m), with m = max_k x_k so that no
        # exp overflows (and the largest term is 1, so the log never sees 0)
        shifted = x3 - x3.max(axis=1, keepdims=True)
        loss = -shifted[index]
        if smoothing:
            # the target puts 1 - eps on y and eps / C on every class:
            # loss = (1 - eps) w_y (-ln p_y) + eps / C sum_c w_c (-ln p_c)
            c = x3.shape[1]
            if weight is None:
                spread = -shifted.sum(axis=1)
                total_w = c
            else:
                spread = -xp.einsum("ncd,c->nd", shifted, weight)
                total_w = weight.sum()
        exps = xp.exp(shifted, out=shifted)  # e^(x - m), in place: one pass, no new array
        total = exps.sum(axis=1)
        log_total = xp.log(total)
        loss += log_total  # -ln softmax(x)_y = ln sum_c e^(x_c - m) - (x_y - m)
        if w_y is not None:
            loss *= w_y
        if smoothing:
            spread += total_w * log_total
            if ignored is not None:
                spread *= ~ignored
            loss = (1 - smoothing) * loss + (smoothing / c) * spread
        # softmax = exps / total: the division is left to backward, where it joins a product
        ctx.save_for_backward(exps, total)
        ctx.index, ctx.w_y, ctx.ignored, ctx.weight = index, w_y, ignored, weight
        ctx.smoothing, ctx.reduction = smoothing, reduction
        if reduction == "mean":
            ctx.denominator = _total_weight(w_y, ignored, loss.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                return loss.sum() / ctx.denominator
        return _reduce(loss.reshape(target.shape), reduction)

    @staticmethod
    def backward(ctx, grad):
        exps, total = ctx.saved_tensors
        n, c, d = exps.shape
        eps, w_y = ctx.smoothing, ctx.w_y
        scale = _class_scale(grad, ctx, (n, d))  # (N, D) or 0-d
        # d loss/dx = a softmax(x) - q: a = (1 - eps) w_y + eps / C sum_c w_c and q the
        # weighted, smoothed one-hot target (1 - eps) w_y e_y + eps / C w
        picked = scale if w_y is None else scale * w_y
        if eps:
            valid = 1 if ctx.ignored is None else ~ctx.ignored
            total_w = c if ctx.weight is None else ctx.weight.sum()
            row = (1 - eps) * picked + (eps / c) * total_w * (scale * valid)
        else:
            row = picked
        gx = exps * (row / total)[:, None, :]  # a e^(x - m) / sum_c e^(x_c - m) = a softmax(x)
        gx[ctx.index] -= (1 - eps) * picked  # the one-hot part, at the target classes only
        if eps:
            smooth = _rows((eps / c) * scale * valid)
            gx -= smooth if ctx.weight is None else smooth * ctx.weight[:, None]
        return gx.reshape(ctx.shape), None, None, None, None, None


def _rows(values) -> np.ndarray:
    """Per-sample values (N, D) (or a 0-d array) shaped to scale (N, C, D) along C."""
    values = np.asarray(values)
    return values if values.ndim == 0 else values[:, None, :]


class SoftCrossEntropy(Function):
    """Softmax cross-entropy of logits ``x`` (N, C, d1, ...) against class probabilities
    ``q`` of the same shape: -sum_c w_c q_c ln softmax(x)_c for each sample."""

    @staticmethod
    def forward(ctx, x, q, weight, smoothing, reduction):
        xp = get_array_module(x)
        n, c = x.shape[:2]
        d = math.prod(x.shape[2:])
        x3, q3 = x.reshape(n, c, d), q.reshape(n, c, d)
        shifted = x3 - x3.max(axis=1, keepdims=True)
        log_probs = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        if smoothing:
            q3 = (1 - smoothing) * q3 + smoothing / c  # mix in the uniform distribution
        wq = q3 if weight is None else q3 * weight[:, None]
        loss = -(wq * log_probs).sum(axis=1)
        ctx.save_for_backward(log_probs, wq)
        ctx.shape, ctx.weight, ctx.smoothing, ctx.reduction = x.shape, weight, smoothing, reduction
        return _reduce(loss.reshape((n,) + x.shape[2:]), reduction)

    @staticmethod
    def backward(ctx, grad):
        log_probs, wq = ctx.saved_tensors
        xp = get_array_module(log_probs)
        n, c, d = log_probs.shape
        scale = _spread(grad, ctx.reduction, (n, d))
        scale = scale if scale.ndim == 0 else scale.reshape(n, 1, d)
        gx = gq = None
        if ctx.needs_input_grad[0]:
            # d loss/dx = softmax(x) sum_c w_c q_c - w q
            gx = (xp.exp(log_probs) * wq.sum(axis=1, keepdims=True) - wq) * scale
            gx = gx.reshape(ctx.shape)
        if ctx.needs_input_grad[1]:
            # d loss/dq_c = -(1 - eps) w_c ln softmax(x)_c
            w = 1 if ctx.weight is None else ctx.weight[:, None]
            gq = (-(1 - ctx.smoothing) * log_probs * w * scale).reshape(ctx.shape)
        return gx, gq, None, None, None


class NLL(Function):
    """Negative log-likelihood: -w_y x_y of log-probabilities ``x`` (N, C, d1, ...) at the
    class indices ``target`` (N, d1, ...)."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        x3, t, index, w_y, ignored = _indices_setup(ctx, x, target, weight, ignore_index)
        loss = -x3[index]
        if w_y is not None:
            loss *= w_y
        ctx.index, ctx.w_y, ctx.reduction = index, w_y, reduction
        ctx.dtype = x.dtype
        if reduction == "mean":
            ctx.denominator = _total_weight(w_y, ignored, loss.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                return loss.sum() / ctx.denominator
        return _reduce(loss.reshape(target.shape), reduction)

    @staticmethod
    def backward(ctx, grad):
        n, c = ctx.shape[:2]
        d = math.prod(ctx.shape[2:])
        scale = _class_scale(grad, ctx, (n, d))
        picked = scale if ctx.w_y is None else scale * ctx.w_y
        gx = np.zeros((n, c, d), dtype=ctx.dtype)
        gx[ctx.index] = -picked  # d(-w_y x_y)/dx_y = -w_y; every other class gets 0
        return gx.reshape(ctx.shape), None, None, None, None


class MultiMargin(Function):
    """The multi-class SVM hinge of scores ``x`` (N, C) at class indices ``target`` (N,)."""

    @staticmethod
    def forward(ctx, x, target, p, margin, weight, reduction):
        xp = get_array_module(x)
        n, c = x.shape
        rows = xp.arange(n)
        # each rival class j != y costs max(0, margin - x_y + x_j)^p
        z = margin - x[rows, target][:, None] + x
        z[rows, target] = 0  # the target class is no rival of itself
        hinge = xp.maximum(z, 0)
        loss = (hinge if p == 1 else hinge * hinge).sum(axis=1) / c
        w_y = None if weight is None else weight[target]
        if w_y is not None:
            loss *= w_y  # PyTorch weights the powered hinge: w_y max(0, z)^p
        ctx.save_for_backward(hinge)
        ctx.rows, ctx.target, ctx.p, ctx.w_y, ctx.reduction = rows, target, p, w_y, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        (hinge,) = ctx.saved_tensors
        n, c = hinge.shape
        scale = _spread(grad, ctx.reduction, (n,)) / c
        if ctx.w_y is not None:
            scale = scale * ctx.w_y
        scale = scale if scale.ndim == 0 else scale[:, None]
        # d max(0, z)^p/dz = 1 (p = 1) or 2 max(0, z) (p = 2) where z > 0, else 0
        gz = ((hinge > 0) if ctx.p == 1 else 2 * hinge) * scale
        # z_j = margin - x_y + x_j: x_j gets gz_j, x_y gets -sum_j gz_j
        gx = gz.copy()
        gx[ctx.rows, ctx.target] -= gz.sum(axis=1)
        return gx, None, None, None, None, None


class KLDiv(Function):
    @staticmethod
    def forward(ctx, x, t, log_target, reduction):
        xp = get_array_module(x)
        if log_target:
            p = xp.exp(t)
            loss = p * (t - x)  # e^t (t - x)
            ctx.save_for_backward(x, t, p)
        else:
            # t (ln t - x), taken as 0 where t = 0 (the limit of t ln t)
            with np.errstate(divide="ignore", invalid="ignore"):
                log_t = xp.log(t)
                loss = xp.where(t == 0, 0, t * (log_t - x))
            ctx.save_for_backward(x, t, log_t)
        ctx.log_target, ctx.reduction = log_target, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, saved = ctx.saved_tensors
        g = _spread(grad, ctx.reduction, x.shape)
        p = saved if ctx.log_target else t
        gx = -p * g if ctx.needs_input_grad[0] else None  # d/dx = -t (or -e^t)
        gt = None
        if ctx.needs_input_grad[1]:
            if ctx.log_target:
                gt = p * (t - x + 1) * g  # d e^t (t - x)/dt = e^t (t - x + 1)
            else:
                gt = (saved - x + 1) * g  # d t (ln t - x)/dt = ln t - x + 1
        return gx, gt, None, None


class Perceptron(Function):
    @staticmethod
    def forward(ctx, scores, y, reduction):
        margin = y * scores
        wrong = margin <= 0  # misclassified (or on the boundary)
        ctx.save_for_backward(y, wrong)
        ctx.reduction = reduction
        return _reduce(np.where(wrong, -margin, 0).astype(scores.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        y, wrong = ctx.saved_tensors
        # d max(0, -y s)/ds = -y where y s <= 0: the perceptron rule's step, taken at the
        # boundary too (so that training can start from all-zero weights)
        return -y * wrong * _spread(grad, ctx.reduction, y.shape), None, None


# ---------------------------------------------------------------------------- checks
def _check_reduction(op: str, reduction, allowed: tuple = _REDUCTIONS) -> None:
    if not isinstance(reduction, str) or reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{op}: reduction must be one of {names}, got {reduction!r}")


def _array(x) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _require_float(op: str, input, name: str = "input") -> None:
    dtype = _array(input).dtype
    if dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating-point {name}, got dtype {dtype}; convert it "
                        f"first ({name}.float())")


def _check_same_shape(op: str, input, target, names: tuple = ("input", "target")) -> None:
    a, b = tuple(np.shape(_array(input))), tuple(np.shape(_array(target)))
    if a != b:
        raise ValueError(
            f"{op}: {names[1]} shape {b} differs from {names[0]} shape {a}; shendu does not "
            f"broadcast a loss's operands (an (N, 1) prediction against an (N,) target would "
            f"silently give an (N, N) loss): reshape one of them, e.g. "
            f"{names[1]}.view_as({names[0]})"
        )


def _float_target(op: str, input, target):
    """The target of a pointwise loss: the input's shape; converted to the input's dtype."""
    _require_float(op, input)
    _check_same_shape(op, input, target)
    if isinstance(target, Tensor):
        return target if target.dtype == input.dtype else target.to(input.dtype)
    return np.asarray(target, dtype=input.dtype)


def _constant(op: str, name: str, value, dtype, shape: tuple | None = None) -> np.ndarray | None:
    """A class weight as an array of ``dtype`` (None stays None); it gets no gradient."""
    if value is None:
        return None
    if isinstance(value, Tensor) and value.requires_grad and grad_mode._enabled:
        raise ValueError(f"{op}: {name} is a constant and gets no gradient (as in PyTorch), "
                         f"but it requires grad; pass {name}.detach()")
    array = np.asarray(_array(value), dtype=dtype)
    if shape is not None and array.shape != shape:
        raise ValueError(f"{op}: {name} must have shape {shape} (one value per class), got "
                         f"shape {array.shape}")
    return array


def _broadcastable(op: str, name: str, array, shape: tuple) -> None:
    if array is None:
        return
    try:
        if np.broadcast_shapes(array.shape, shape) == shape:
            return
    except ValueError:
        pass
    raise ValueError(f"{op}: {name} of shape {array.shape} does not broadcast to the input's "
                     f"shape {shape}")


def _num_classes(op: str, input) -> int:
    """C of an input (C,) or (N, C, d1, ...)."""
    _require_float(op, input)
    if input.ndim == 0:
        raise ValueError(f"{op}: expected an input of shape (C,) or (N, C, d1, ...), got a 0-d "
                         "tensor")
    c = input.shape[0] if input.ndim == 1 else input.shape[1]
    if c == 0:
        raise ValueError(f"{op}: the input {tuple(input.shape)} has no classes (C = 0)")
    return c


def _class_targets(op: str, input, target, ignore_index: int | None) -> np.ndarray:
    """Check integer class-index targets: shape (N, d1, ...) for an input (N, C, d1, ...), ()
    for an input (C,); every index in [0, C) or equal to ``ignore_index`` (when not None)."""
    t = _array(target)
    shape = tuple(input.shape)
    expected = () if len(shape) == 1 else shape[:1] + shape[2:]
    if t.dtype.kind not in "iu":
        raise ValueError(f"{op}: class-index targets must be an integer tensor, got dtype "
                         f"{t.dtype} (convert with target.long())")
    if t.shape != expected:
        raise ValueError(f"{op}: for an input of shape {shape} the class indices must have "
                         f"shape {expected}, got target shape {t.shape}")
    c = shape[0] if len(shape) == 1 else shape[1]
    bad = (t < 0) | (t >= c)
    if ignore_index is not None:
        bad &= t != ignore_index
    if bad.any():
        ignoring = "" if ignore_index is None else f" (ignore_index={ignore_index})"
        raise ValueError(f"{op}: target holds class index {int(t[bad].flat[0])}, outside "
                         f"[0, {c}) for an input with {c} classes{ignoring}")
    return t.astype(np.int64, copy=False)


def _unbatched(input, target_shape: tuple):
    """An unbatched (C,) input as a batch of one (1, C), for the class-index ops."""
    return reshape(input, (1,) + tuple(input.shape)), (1,) + target_shape


# ---------------------------------------------------------------------------- regression API
def mse_loss(input, target, *, reduction: str = "mean") -> Tensor:
    """Mean squared error: reduce((x - y)^2).

    Args:
        input: predictions, any shape.
        target: the same shape as ``input`` (shendu does not broadcast it).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.

    >>> F.mse_loss(shendu.tensor([1.0, 2.0]), shendu.tensor([1.0, 4.0]))
    tensor(2.)
    """
    _check_reduction("mse_loss", reduction)
    return MSE.apply(input, _float_target("mse_loss", input, target), reduction)


def l1_loss(input, target, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error: reduce(|x - y|); the gradient at x = y is 0."""
    _check_reduction("l1_loss", reduction)
    return L1.apply(input, _float_target("l1_loss", input, target), reduction)


def smooth_l1_loss(input, target, *, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1 loss: reduce(l) with, for d = x - y,

        l = 0.5 d^2 / beta      if |d| < beta
        l = |d| - 0.5 beta      otherwise

    quadratic near 0 and linear (slope 1) beyond ``beta``; ``beta = 0`` is :func:`l1_loss`.
    """
    op = "smooth_l1_loss"
    _check_reduction(op, reduction)
    if beta < 0:
        raise ValueError(f"{op}: beta must be >= 0, got {beta}")
    target = _float_target(op, input, target)
    if beta == 0:
        return L1.apply(input, target, reduction)
    return SmoothL1.apply(input, target, float(beta), 1.0, reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: reduce(l) with, for d = x - y,

        l = 0.5 d^2                    if |d| < delta
        l = delta (|d| - 0.5 delta)    otherwise

    (``delta`` times :func:`smooth_l1_loss` with ``beta = delta``: its linear part has slope
    ``delta``).
    """
    _check_reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    target = _float_target("huber_loss", input, target)
    return SmoothL1.apply(input, target, float(delta), float(delta), reduction)


# ---------------------------------------------------------------------------- binary API
def binary_cross_entropy(input, target, weight=None, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities: reduce(-w (y ln x + (1 - y) ln(1 - x))).

    Each log is clamped at -100, as PyTorch, so x = 0 or 1 gives a finite loss. For logits
    (before a sigmoid) :func:`binary_cross_entropy_with_logits` is faster and more accurate.

    Args:
        input: probabilities in [0, 1], any shape.
        target: the same shape; values in [0, 1].
        weight: a constant rescaling of each element's loss, broadcastable to the input.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
    """
    op = "binary_cross_entropy"
    _check_reduction(op, reduction)
    target = _float_target(op, input, target)
    x = _array(input)
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"{op}: input must hold probabilities in [0, 1], got values from "
                         f"{x.min():.4g} to {x.max():.4g} (apply sigmoid first, or use "
                         "binary_cross_entropy_with_logits on the logits)")
    w = _constant(op, "weight", weight, x.dtype)
    _broadcastable(op, "weight", w, x.shape)
    return BinaryCrossEntropy.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """Binary cross-entropy of logits: sigmoid and the cross-entropy in one stable op,

        l = w (max(x, 0) - x y + ln(1 + e^-|x|))      (= -w (y ln s(x) + (1 - y) ln(1 - s(x))))

    and with ``pos_weight`` p: l = w ((1 - y) x + (1 + (p - 1) y) ln(1 + e^-x)), which
    weighs the positive term by p (p > 1 raises recall).

    Args:
        input: logits, any shape.
        target: the same shape; values in [0, 1].
        weight: a constant rescaling of each element's loss, broadcastable to the input.
        pos_weight: a constant weight of the positives, broadcastable to the input (one per
            class, along the last dim).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
    """
    op = "binary_cross_entropy_with_logits"
    _check_reduction(op, reduction)
    target = _float_target(op, input, target)
    dtype, shape = _array(input).dtype, tuple(input.shape)
    w = _constant(op, "weight", weight, dtype)
    pw = _constant(op, "pos_weight", pos_weight, dtype)
    _broadcastable(op, "weight", w, shape)
    _broadcastable(op, "pos_weight", pw, shape)
    return BinaryCrossEntropyWithLogits.apply(input, target, w, pw, reduction)


# ---------------------------------------------------------------------------- classification API
def cross_entropy(input, target, weight=None, *, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits, fused: log-softmax and the negative log-likelihood.

    With class indices y, each sample's loss is

        l = -w_y ln softmax(x)_y = w_y (ln sum_c e^(x_c) - x_y)

    and 'mean' is the weighted mean sum(l) / sum(w_y) over the targets not ignored (as
    PyTorch; nan when every target is ignored). With class probabilities q (a float target of
    the input's shape) l = -sum_c w_c q_c ln softmax(x)_c, and 'mean' divides by the number of
    samples. ``label_smoothing`` eps replaces the target by (1 - eps) target + eps / C. The
    gradient is softmax(x) - target (for weight 1): computed in closed form.

    Args:
        input: logits (N, C), (N, C, d1, d2, ...) or unbatched (C,).
        target: class indices (int) of shape (N,), (N, d1, d2, ...) or (); or class
            probabilities (float) of the input's shape.
        weight: a constant weight per class, shape (C,).
        ignore_index: a class index whose targets count for nothing (class-index targets).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'`` (per sample: shape (N, d1, ...)).
        label_smoothing: eps in [0, 1].

    >>> F.cross_entropy(shendu.tensor([[2.0, 0.0, 0.0]]), shendu.tensor([0]))
    tensor(0.2395)
    """
    op = "cross_entropy"
    _check_reduction(op, reduction)
    c = _num_classes(op, input)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    w = _constant(op, "weight", weight, input.dtype, (c,))
    smoothing = float(label_smoothing)
    if _array(target).dtype.kind == "f":  # class probabilities
        if tuple(target.shape) != tuple(input.shape):
            raise ValueError(
                f"{op}: a float target holds class probabilities and must have the input's "
                f"shape {tuple(input.shape)}, got {tuple(target.shape)}; class indices must be "
                "an integer tensor (target.long())")
        if ignore_index >= 0:
            raise ValueError(f"{op}: ignore_index={ignore_index} is not supported with class "
                             "probabilities (a float target)")
        if not isinstance(target, Tensor):
            target = Tensor._make(np.asarray(target, dtype=input.dtype))
        elif target.dtype != input.dtype:
            target = target.to(input.dtype)
        if input.ndim == 1:
            out = SoftCrossEntropy.apply(reshape(input, (1, c)), reshape(target, (1, c)), w,
                                         smoothing, reduction)
            return reshape(out, ()) if reduction == "none" else out
        return SoftCrossEntropy.apply(input, target, w, smoothing, reduction)
    t = _class_targets(op, input, target, ignore_index)
    if input.ndim == 1:
        batch, shape = _unbatched(input, t.shape)
        out = CrossEntropy.apply(batch, t.reshape(shape), w, ignore_index, smoothing, reduction)
        return reshape(out, ()) if reduction == "none" else out
    return CrossEntropy.apply(input, t, w, ignore_index, smoothing, reduction)


def nll_loss(input, target, weight=None, *, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (the output of ``log_softmax``):

        l = -w_y x_y

    'mean' is the weighted mean sum(l) / sum(w_y) over the targets not ignored.
    ``cross_entropy(x, y)`` equals ``nll_loss(log_softmax(x, 1), y)`` in one faster op.

    Args:
        input: log-probabilities (N, C), (N, C, d1, ...) or unbatched (C,).
        target: class indices (int) of shape (N,), (N, d1, ...) or ().
        weight: a constant weight per class, shape (C,).
        ignore_index: a class index whose targets count for nothing.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
    """
    op = "nll_loss"
    _check_reduction(op, reduction)
    c = _num_classes(op, input)
    w = _constant(op, "weight", weight, input.dtype, (c,))
    t = _class_targets(op, input, target, ignore_index)
    if input.ndim == 1:
        batch, shape = _unbatched(input, t.shape)
        out = NLL.apply(batch, t.reshape(shape), w, ignore_index, reduction)
        return reshape(out, ()) if reduction == "none" else out
    return NLL.apply(input, t, w, ignore_index, reduction)


def kl_div(input, target, *, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence KL(target || exp(input)), pointwise:

        l = y (ln y - x)          (0 where y = 0)
        l = e^y (y - x)           with log_target=True (y holds log-probabilities)

    Args:
        input: log-probabilities (the output of ``log_softmax``).
        target: probabilities (or log-probabilities with ``log_target``), the input's shape.
        reduction: ``'batchmean'`` (sum / N: the divergence per sample, the mathematically
            right choice), ``'sum'``, ``'none'``, or ``'mean'`` (the default, as PyTorch: the
            sum divided by the number of *elements*, not by N).
    """
    op = "kl_div"
    _check_reduction(op, reduction, _REDUCTIONS + ("batchmean",))
    return KLDiv.apply(input, _float_target(op, input, target), bool(log_target), reduction)


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None, *,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss (the multi-class SVM): for each sample with class y,

        l = w_y / C * sum_{j != y} max(0, margin - x_y + x_j)^p

    Args:
        input: scores (N, C) or unbatched (C,).
        target: class indices (int), shape (N,) or ().
        p: 1 or 2.
        margin: how far the target's score must lead every other class.
        weight: a constant weight per class, shape (C,) (it multiplies the powered hinge, as
            PyTorch computes it).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
    """
    op = "multi_margin_loss"
    _check_reduction(op, reduction)
    if p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p!r}")
    c = _num_classes(op, input)
    if input.ndim > 2:
        raise ValueError(f"{op}: expected an input of shape (N, C) or (C,), got "
                         f"{tuple(input.shape)}")
    w = _constant(op, "weight", weight, input.dtype, (c,))
    t = _class_targets(op, input, target, None)
    if input.ndim == 1:
        batch, shape = _unbatched(input, t.shape)
        out = MultiMargin.apply(batch, t.reshape(shape), int(p), float(margin), w, reduction)
        return reshape(out, ()) if reduction == "none" else out
    return MultiMargin.apply(input, t, int(p), float(margin), w, reduction)


# ---------------------------------------------------------------------------- embedding API
def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _signs(op: str, target, dtype) -> np.ndarray:
    """A +1/-1 label tensor as an array of ``dtype``."""
    y = _array(target)
    if y.size and not np.all((y == 1) | (y == -1)):
        bad = y[(y != 1) & (y != -1)].flat[0]
        raise ValueError(f"{op}: labels must be 1 or -1, got {bad}")
    return y.astype(dtype, copy=False)


def hinge_embedding_loss(input, target, margin: float = 1.0, *,
                         reduction: str = "mean") -> Tensor:
    """Hinge embedding loss for a distance x and a label y in {1, -1}, pointwise:

        l = x                      if y = 1   (similar pairs: pull the distance down)
        l = max(0, margin - x)     if y = -1  (dissimilar pairs: push it past the margin)
    """
    op = "hinge_embedding_loss"
    _check_reduction(op, reduction)
    _require_float(op, input)
    _check_same_shape(op, input, target)
    y = _signs(op, target, input.dtype)
    return _reduce_tensor(where(y == 1, input, clamp(margin - input, min=0)), reduction)


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, *,
                        reduction: str = "mean") -> Tensor:
    """Margin ranking loss: l = max(0, -y (x1 - x2) + margin) for y = 1 (x1 should rank
    higher) or y = -1 (x2 should). The three tensors have one shape."""
    op = "margin_ranking_loss"
    _check_reduction(op, reduction)
    _require_float(op, input1, "input1")
    _check_same_shape(op, input1, input2, ("input1", "input2"))
    _check_same_shape(op, input1, target, ("input1", "target"))
    y = _signs(op, target, input1.dtype)
    return _reduce_tensor(clamp(-y * (input1 - input2) + margin, min=0), reduction)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, *,
                          reduction: str = "mean") -> Tensor:
    """Cosine embedding loss for pairs of vectors with labels y in {1, -1}:

        l = 1 - cos(x1, x2)                 if y = 1   (make the pair point the same way)
        l = max(0, cos(x1, x2) - margin)    if y = -1  (push the cosine below the margin)

    with cos = x1 . x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)), as PyTorch.

    Shape: input1, input2 (N, D) or (D,); target (N,) or ().
    """
    op = "cosine_embedding_loss"
    _check_reduction(op, reduction)
    _require_float(op, input1, "input1")
    _check_same_shape(op, input1, input2, ("input1", "input2"))
    if input1.ndim not in (1, 2):
        raise ValueError(f"{op}: expected inputs of shape (N, D) or (D,), got "
                         f"{tuple(input1.shape)}")
    y = _signs(op, target, input1.dtype)
    if y.shape != tuple(input1.shape[:-1]):
        raise ValueError(f"{op}: for inputs of shape {tuple(input1.shape)} the target must have "
                         f"shape {tuple(input1.shape[:-1])}, got {y.shape}")
    dim = input1.ndim - 1
    eps = 1e-12
    dot = (input1 * input2).sum(dim)
    cos = dot / (((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)).sqrt()
    return _reduce_tensor(where(y == 1, 1 - cos, clamp(cos - margin, min=0)), reduction)


def _pairwise_distance(x1, x2, p: float, eps: float) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim (PyTorch's pairwise_distance)."""
    return norm(x1 - x2 + eps, p, dim=-1)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, *,
                        reduction: str = "mean") -> Tensor:
    """Triplet margin loss: pull the anchor a towards the positive p, away from the negative n,

        l = max(0, margin + d(a, p) - d(a, n)),    d(u, v) = ||u - v + eps||_p

    With ``swap`` the distance to the negative is min(d(a, n), d(p, n)) (the harder one).

    Shape: all three (N, D) or (D,).
    """
    op = "triplet_margin_loss"
    _check_reduction(op, reduction)
    _require_float(op, anchor, "anchor")
    _check_same_shape(op, anchor, positive, ("anchor", "positive"))
    _check_same_shape(op, anchor, negative, ("anchor", "negative"))
    if anchor.ndim not in (1, 2):
        raise ValueError(f"{op}: expected inputs of shape (N, D) or (D,), got "
                         f"{tuple(anchor.shape)}")
    if not isinstance(p, numbers.Real) or p <= 0:
        raise ValueError(f"{op}: p must be a positive number, got {p!r}")
    to_positive = _pairwise_distance(anchor, positive, p, eps)
    to_negative = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, _pairwise_distance(positive, negative, p, eps))
    return _reduce_tensor(clamp(margin + to_positive - to_negative, min=0), reduction)


def perceptron_loss(scores, y, *, reduction: str = "sum") -> Tensor:
    """The perceptron criterion: the sum over misclassified samples (y s <= 0) of -y s,

        l = max(0, -y s),    y in {1, -1}

    Gradient descent on it with step 1 is Rosenblatt's rule w <- w + y x for each mistake; at
    y s = 0 its gradient is the rule's step -y (so training starts from zero weights).
    PyTorch has no such loss.

    Args:
        scores: the scores s = w . x + b, any shape (usually (N,)).
        y: labels 1 or -1, the same shape.
        reduction: ``'sum'`` (the default: the criterion) | ``'mean'`` | ``'none'``.
    """
    op = "perceptron_loss"
    _check_reduction(op, reduction)
    _require_float(op, scores, "scores")
    _check_same_shape(op, scores, y, ("scores", "y"))
    return Perceptron.apply(scores, _signs(op, y, scores.dtype), reduction)
