"""Perplexity, the language-model score: the exponential of the mean cross-entropy per token.

A model that spreads its probability evenly over C tokens has perplexity C; a perfect model
has perplexity 1. It reads as "the number of tokens the model is choosing among".
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from shendu.metrics._inputs import ArrayLike, as_array, class_indices, swapped_hint
from shendu.tensor import Tensor


def token_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike,
                        fn: str = "perplexity") -> np.ndarray:
    """Cross-entropy of every token, float64, flat:
    ``logsumexp(y_pred[i]) - y_pred[i, y_true[i]]``.

    Args:
        y_true: token (class) indices, any shape S, in [0, C).
        y_pred: logits of shape S + (C,), classes on the last axis (log-probabilities work
            too: log-softmax does not change them).
    """
    t, z = as_array(y_true, "y_true", fn), as_array(y_pred, "y_pred", fn)
    if z.ndim != t.ndim + 1 or z.shape[:-1] != t.shape or z.dtype.kind not in "biuf":
        raise ValueError(f"{fn}: y_pred must be logits with the shape of y_true plus a last axis "
                         f"of classes, (N,) and (N, C); got y_true {t.shape} and y_pred "
                         f"{z.shape} of dtype {z.dtype}" + swapped_hint(t, z))
    if t.dtype.kind == "f" and np.all(t == np.round(t)):
        t = t.astype(np.int64)
    t = class_indices(t.ravel(), "y_true", fn, z.shape[-1])
    if t.size == 0:
        raise ValueError(f"{fn}: y_true is empty; perplexity needs at least one token")
    z = z.reshape(-1, z.shape[-1]).astype(np.float64)
    peak = z.max(axis=1)  # subtracted so that exp never overflows
    log_norm = peak + np.log(np.exp(z - peak[:, None]).sum(axis=1))
    return log_norm - z[np.arange(t.size), t]


def perplexity(y_true: ArrayLike | float | None = None, y_pred: ArrayLike | None = None, *,
               cross_entropy: float | None = None) -> float:
    """exp(mean cross-entropy per token), from targets and logits or from a mean cross-entropy.

    Three ways to call it::

        perplexity(targets, logits)           # targets (N,) or (B, T); logits (N, C), (B, T, C)
        perplexity(cross_entropy=2.3)         # the mean cross-entropy (natural log) you have
        perplexity(2.3)                       # the same: one number alone is a cross-entropy

    The cross-entropy must be in nats (natural logarithm, as ``F.cross_entropy`` gives).

    >>> round(perplexity([0, 1], [[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]), 9)
    4.0
    """
    fn = "perplexity"
    if y_pred is None and y_true is not None and cross_entropy is None and _is_number(y_true):
        y_true, cross_entropy = None, y_true
    if cross_entropy is not None:
        if y_true is not None or y_pred is not None:
            raise ValueError(f"{fn}: pass either (y_true, y_pred) or cross_entropy=, not both")
        value = float(cross_entropy.item() if isinstance(cross_entropy, Tensor) else
                      cross_entropy)
        if value < 0:
            raise ValueError(f"{fn}: a mean cross-entropy is >= 0, got {value}")
        return math.exp(value)
    if y_true is None or y_pred is None:
        raise ValueError(f"{fn}: pass targets and logits, perplexity(y_true, y_pred), or a mean "
                         "cross-entropy, perplexity(cross_entropy=...)")
    return math.exp(float(np.mean(token_cross_entropy(y_true, y_pred, fn))))


def _is_number(x) -> bool:
    """A 0-d Tensor or array, or a real number: the one-argument form's cross-entropy."""
    if isinstance(x, (Tensor, np.ndarray)):
        return np.ndim(x.data if isinstance(x, Tensor) else x) == 0
    return isinstance(x, numbers.Real)
