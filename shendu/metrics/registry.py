"""Metrics by name for training loops: ``get('accuracy')`` and :class:`RunningMetric`.

A training loop sees an epoch one batch at a time. The metrics here are all a *mean over
items* (samples, elements or tokens), possibly followed by a final transform (``sqrt`` for
RMSE, ``exp`` for perplexity). Each batch therefore gives a ``(total, count)`` pair, and
summing those pairs over the batches and applying the transform once gives the exact value on
the whole epoch, as if it had been computed in one go: the batch results are weighted by
their sizes (the last, smaller batch counts less) and RMSE is not averaged as a root.

Precision, recall, F1, the confusion matrix and the report are not means over samples (a
class's precision depends on all predictions of the epoch), so they are not here: collect the
epoch's labels and predictions and call :func:`~shendu.metrics.f1_score` and friends once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shendu.metrics._inputs import ArrayLike, as_array, label_pair, value_pair
from shendu.metrics.classification import top_k_hits
from shendu.metrics.language import token_cross_entropy
from shendu.metrics.regression import log_squared_errors

Totals = Callable[[ArrayLike, ArrayLike], "tuple[float, int]"]


def _identity(x: float) -> float:
    return x


@dataclass(frozen=True)
class BatchMetric:
    """A metric that is a mean over items, so that batches combine exactly.

    Attributes:
        name: the canonical name (``'accuracy'``, ``'rmse'``, ...).
        totals: ``totals(y_true, y_pred) -> (sum of the per-item values, number of items)``.
        finalize: applied to the mean (``math.sqrt`` for RMSE, ``math.exp`` for perplexity).

    Calling it, ``metric(y_true, y_pred)``, gives the metric of that one batch as a float.
    """

    name: str
    totals: Totals
    finalize: Callable[[float], float] = _identity

    def __call__(self, y_true: ArrayLike, y_pred: ArrayLike) -> float:
        total, count = self.totals(y_true, y_pred)
        return self.finalize(total / count)


class RunningMetric:
    """Accumulates a :class:`BatchMetric` over the batches of an epoch.

    >>> m = RunningMetric("rmse")
    >>> m.update([0.0, 0.0], [3.0, 3.0]); m.update([0.0], [0.0])
    >>> m.result()  # sqrt((9 + 9 + 0) / 3), not the mean of the batch RMSEs (1.5)
    2.449489742783178
    """

    def __init__(self, metric: str | Callable | BatchMetric) -> None:
        self.metric = get(metric)
        self.reset()

    @property
    def name(self) -> str:
        return self.metric.name

    def reset(self) -> None:
        """Forget the batches seen (call at the start of each epoch)."""
        self.total, self.count = 0.0, 0

    def update(self, y_true: ArrayLike, y_pred: ArrayLike) -> None:
        """Add one batch."""
        total, count = self.metric.totals(y_true, y_pred)
        self.total += total
        self.count += count

    def result(self) -> float:
        """The metric over every batch added since the last reset (nan before any)."""
        if self.count == 0:
            return math.nan
        return self.metric.finalize(self.total / self.count)


# ------------------------------------------------------------------- the per-item totals
def _accuracy_totals(y_true, y_pred) -> tuple[float, int]:
    t, p = label_pair(y_true, y_pred, "accuracy")
    return float(np.count_nonzero(t == p)), t.size


def _top_k_totals(k: int) -> Totals:
    def totals(y_true, y_score) -> tuple[float, int]:
        hits = top_k_hits(y_true, y_score, k, f"top{k}_accuracy")
        return float(np.count_nonzero(hits)), hits.size
    return totals


def _squared_totals(y_true, y_pred) -> tuple[float, int]:
    t, p = value_pair(y_true, y_pred, "mse")
    return float(np.sum((p - t) ** 2)), t.size


def _absolute_totals(y_true, y_pred) -> tuple[float, int]:
    t, p = value_pair(y_true, y_pred, "mae")
    return float(np.sum(np.abs(p - t))), t.size


def _log_squared_totals(y_true, y_pred) -> tuple[float, int]:
    terms = log_squared_errors(y_true, y_pred)
    return float(terms.sum()), terms.size


def _cross_entropy_totals(y_true, y_pred) -> tuple[float, int]:
    terms = token_cross_entropy(y_true, y_pred)
    return float(terms.sum()), terms.size


_ACCURACY = BatchMetric("accuracy", _accuracy_totals)

METRICS: dict[str, BatchMetric] = {
    "accuracy": _ACCURACY,
    "acc": _ACCURACY,
    "top5_accuracy": BatchMetric("top5_accuracy", _top_k_totals(5)),
    "mse": BatchMetric("mse", _squared_totals),
    "rmse": BatchMetric("rmse", _squared_totals, math.sqrt),
    "mae": BatchMetric("mae", _absolute_totals),
    "log_rmse": BatchMetric("log_rmse", _log_squared_totals, math.sqrt),
    "perplexity": BatchMetric("perplexity", _cross_entropy_totals, math.exp),
}

_TOP_K = re.compile(r"top_?(\d+)_acc(uracy)?")
_EPOCH_ONLY = ("precision", "recall", "f1", "f1_score", "confusion_matrix",
               "classification_report")


def _from_callable(fn: Callable) -> BatchMetric:
    """A user's ``fn(y_true, y_pred) -> float``, weighted by the batch's number of samples."""
    name = getattr(fn, "__name__", type(fn).__name__)

    def totals(y_true, y_pred) -> tuple[float, int]:
        shape = as_array(y_true, "y_true", name).shape
        n = shape[0] if shape else 1
        return float(fn(y_true, y_pred)) * n, n
    return BatchMetric(name, totals)


def get(metric: str | Callable | BatchMetric) -> BatchMetric:
    """The :class:`BatchMetric` for a name, or a function wrapped as one.

    Names: ``'accuracy'`` (``'acc'``), ``'top5_accuracy'`` (any ``'top<k>_accuracy'``),
    ``'mse'``, ``'rmse'``, ``'mae'``, ``'log_rmse'``, ``'perplexity'`` (y_pred = logits).
    A function ``fn(y_true, y_pred) -> float`` is taken as the mean over a batch's samples and
    weighted by the batch size (the length of ``y_true``).

    Raises:
        ValueError: for an unknown name (the message lists the names), or for
            precision/recall/F1, which need the whole epoch's predictions.

    >>> get("acc")([0, 1, 1], [0, 1, 0])
    0.6666666666666666
    """
    if isinstance(metric, BatchMetric):
        return metric
    if isinstance(metric, str):
        key = metric.lower()
        if key in METRICS:
            return METRICS[key]
        match = _TOP_K.fullmatch(key)
        if match and int(match.group(1)) >= 1:
            k = int(match.group(1))
            return BatchMetric(f"top{k}_accuracy", _top_k_totals(k))
        if key in _EPOCH_ONLY:
            function = "f1_score" if key == "f1" else key
            raise ValueError(f"metrics.get: {metric!r} is not a mean over samples, so it cannot "
                             "be combined from batch values; collect the epoch's y_true and "
                             f"y_pred and call shendu.metrics.{function}(y_true, y_pred) once")
        raise ValueError(f"metrics.get: unknown metric {metric!r}; choose one of "
                         f"{sorted(METRICS)}, 'top<k>_accuracy', or pass a function "
                         "fn(y_true, y_pred) -> float")
    if callable(metric):
        return _from_callable(metric)
    raise TypeError(f"metrics.get: expected a metric name or a function fn(y_true, y_pred), got "
                    f"{type(metric).__name__}")
