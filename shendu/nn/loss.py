"""Loss modules: each holds its settings (``reduction``, class weights, margins) and calls its
functional form in ``shendu.nn.functional``, where the formulas are written out.

As in PyTorch, class weights are registered buffers (saved in ``state_dict``) and ``repr``
shows only the class name. Bad input raises a ``ModuleInputError`` (a ValueError) that names
the module's path in the model.

>>> loss_fn = shendu.nn.CrossEntropyLoss()
>>> loss = loss_fn(model(X), y)
>>> loss.backward()
"""

from __future__ import annotations

from shendu.nn import functional as F
from shendu.nn.module import Module
from shendu.ops.loss import _check_reduction

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MSELoss",
    "MarginRankingLoss",
    "MultiMarginLoss",
    "NLLLoss",
    "PerceptronLoss",
    "SmoothL1Loss",
    "TripletMarginLoss",
]


class _Loss(Module):
    """Base of the loss modules: keeps ``reduction`` and turns the functional form's
    ValueErrors into errors that name this module."""

    _reductions = ("mean", "sum", "none")

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(type(self).__name__, reduction, self._reductions)
        self.reduction = reduction

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as err:
            message = str(err)
            prefix = f"{fn.__name__}: "  # the module's path replaces the function's name
            if message.startswith(prefix):
                message = message[len(prefix):]
            raise self.input_error(message) from None


class _WeightedLoss(_Loss):
    """A loss with a constant ``weight`` per class, kept as a buffer."""

    def __init__(self, weight=None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: reduce((x - y)^2). See :func:`shendu.nn.functional.mse_loss`.

    Shape: input and target of one shape; the output is 0-d (or the input's shape with
    ``reduction='none'``).
    """

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input, target):
        return self._call(F.mse_loss, input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: reduce(|x - y|). See :func:`shendu.nn.functional.l1_loss`."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input, target):
        return self._call(F.l1_loss, input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = x - y).
    See :func:`shendu.nn.functional.smooth_l1_loss`."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return self._call(F.smooth_l1_loss, input, target, reduction=self.reduction,
                          beta=self.beta)


class HuberLoss(_Loss):
    """Huber: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = x - y).
    See :func:`shendu.nn.functional.huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return self._call(F.huber_loss, input, target, reduction=self.reduction,
                          delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: -w (y ln x + (1 - y) ln(1 - x)).
    See :func:`shendu.nn.functional.binary_cross_entropy`.

    Args:
        weight: a constant rescaling of each element's loss, broadcastable to the input.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
    """

    def __init__(self, weight=None, *, reduction: str = "mean") -> None:
        super().__init__(weight, reduction)

    def forward(self, input, target):
        return self._call(F.binary_cross_entropy, input, target, self.weight,
                          reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits (sigmoid included, computed stably):
    w (max(x, 0) - x y + ln(1 + e^-|x|)). See
    :func:`shendu.nn.functional.binary_cross_entropy_with_logits`.

    Args:
        weight: a constant rescaling of each element's loss, broadcastable to the input.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
        pos_weight: a constant weight of the positive examples, one per class (last dim).
    """

    def __init__(self, weight=None, *, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return self._call(F.binary_cross_entropy_with_logits, input, target, self.weight,
                          reduction=self.reduction, pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy of logits (log-softmax and NLL fused): w_y (ln sum_c e^x_c - x_y)
    per sample. See :func:`shendu.nn.functional.cross_entropy`.

    Args:
        weight: a constant weight per class, shape (C,).
        ignore_index: a target class index that counts for nothing.
        reduction: ``'mean'`` (weighted: sum(l) / sum(w_y)) | ``'sum'`` | ``'none'``.
        label_smoothing: eps in [0, 1]: the target becomes (1 - eps) onehot + eps / C.

    Shape: input (N, C), (N, C, d1, ...) or (C,); target class indices (N,), (N, d1, ...) or
    (), or class probabilities of the input's shape.

    >>> loss_fn = shendu.nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> loss_fn(shendu.randn(8, 10), shendu.randint(0, 10, (8,))).shape
    ()
    """

    def __init__(self, weight=None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return self._call(F.cross_entropy, input, target, self.weight,
                          ignore_index=self.ignore_index, reduction=self.reduction,
                          label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities: -w_y x_y per sample.
    See :func:`shendu.nn.functional.nll_loss`.

    Args:
        weight: a constant weight per class, shape (C,).
        ignore_index: a target class index that counts for nothing.
        reduction: ``'mean'`` (weighted: sum(l) / sum(w_y)) | ``'sum'`` | ``'none'``.
    """

    def __init__(self, weight=None, *, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return self._call(F.nll_loss, input, target, self.weight,
                          ignore_index=self.ignore_index, reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of the target from exp(input): y (ln y - x) pointwise.
    See :func:`shendu.nn.functional.kl_div`.

    Args:
        reduction: ``'mean'`` (over elements, as PyTorch) | ``'batchmean'`` (over samples:
            the true KL per sample) | ``'sum'`` | ``'none'``.
        log_target: the target holds log-probabilities.
    """

    _reductions = ("mean", "sum", "none", "batchmean")

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return self._call(F.kl_div, input, target, reduction=self.reduction,
                          log_target=self.log_target)


class HingeEmbeddingLoss(_Loss):
    """x where y = 1, max(0, margin - x) where y = -1.
    See :func:`shendu.nn.functional.hinge_embedding_loss`."""

    def __init__(self, margin: float = 1.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input, target):
        return self._call(F.hinge_embedding_loss, input, target, self.margin,
                          reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge (SVM) loss: w_y / C sum_{j != y} max(0, margin - x_y + x_j)^p.
    See :func:`shendu.nn.functional.multi_margin_loss`.

    Args:
        p: 1 or 2.
        margin: how far the target's score must lead every other class.
        weight: a constant weight per class, shape (C,).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, *,
                 reduction: str = "mean") -> None:
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: weight must be 1-D (one value per class), got "
                             f"shape {tuple(weight.shape)}")
        super().__init__(weight, reduction)
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return self._call(F.multi_margin_loss, input, target, self.p, self.margin, self.weight,
                          reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, margin + d(a, p) - d(a, n)) with d(u, v) = ||u - v + eps||_p.
    See :func:`shendu.nn.functional.triplet_margin_loss`."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: margin must be > 0, got {margin}")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return self._call(F.triplet_margin_loss, anchor, positive, negative, self.margin,
                          self.p, self.eps, self.swap, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.
    See :func:`shendu.nn.functional.cosine_embedding_loss`."""

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return self._call(F.cosine_embedding_loss, input1, input2, target, self.margin,
                          reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """max(0, -y (x1 - x2) + margin). See :func:`shendu.nn.functional.margin_ranking_loss`."""

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return self._call(F.margin_ranking_loss, input1, input2, target, self.margin,
                          reduction=self.reduction)


class PerceptronLoss(_Loss):
    """The perceptron criterion: the sum over misclassified samples (y s <= 0) of -y s, for
    scores s and labels y in {1, -1}. PyTorch has no such module.
    See :func:`shendu.nn.functional.perceptron_loss`.

    Args:
        reduction: ``'sum'`` (the default: the criterion) | ``'mean'`` | ``'none'``.
    """

    def __init__(self, *, reduction: str = "sum") -> None:
        super().__init__(reduction)

    def forward(self, scores, y):
        return self._call(F.perceptron_loss, scores, y, reduction=self.reduction)
