"""Metrics: plain functions of labels and predictions that return Python floats.

**Argument order: ``(y_true, y_pred)``, everywhere** -- the truth first, then the prediction,
as in scikit-learn and Keras (PyTorch's *losses* take ``(input, target)``, the other way
round). The arguments are named ``y_true`` and ``y_pred`` (``y_score`` for top-k scores) in
every function, so ``accuracy(y_pred=logits, y_true=labels)`` reads right in any order. Every
option after them is keyword-only.

Inputs may be shendu Tensors (read without the graph), NumPy arrays or lists. ``y_pred`` of a
classification metric may be labels (N,), class scores (N, C) (reduced by argmax) or binary
probabilities (N,) or (N, 1) (cut at 0.5); see ``shendu.metrics._inputs``.

* classification: :func:`accuracy`, :func:`top_k_accuracy`, :func:`precision`,
  :func:`recall`, :func:`f1_score`, :func:`precision_recall_fscore_support`,
  :func:`confusion_matrix`, :func:`classification_report` (scikit-learn's definitions,
  ``zero_division`` included; scikit-learn is not needed);
* regression: :func:`mse`, :func:`rmse`, :func:`mae`, :func:`log_rmse`;
* language models: :func:`perplexity`;
* translation: :func:`bleu` (the curriculum's sentence BLEU; it takes the *prediction* first,
  as the curriculum writes it), :func:`mean_bleu`;
* for training loops: :func:`get` (a :class:`BatchMetric` by name), :data:`METRICS`,
  :class:`RunningMetric` (exact epoch values from batches).

>>> from shendu import metrics
>>> metrics.accuracy([0, 1, 1, 0], [0, 1, 0, 0])
0.75
"""

from shendu.metrics.classification import (
    accuracy,
    confusion_matrix,
    f1_score,
    precision,
    precision_recall_fscore_support,
    recall,
    top_k_accuracy,
)
from shendu.metrics.language import perplexity
from shendu.metrics.registry import METRICS, BatchMetric, RunningMetric, get
from shendu.metrics.regression import log_rmse, mae, mse, rmse
from shendu.metrics.report import classification_report
from shendu.metrics.translation import bleu, mean_bleu

__all__ = [
    "METRICS", "BatchMetric", "RunningMetric", "accuracy", "bleu", "classification_report",
    "mean_bleu",
    "confusion_matrix", "f1_score", "get", "log_rmse", "mae", "mse", "perplexity", "precision",
    "precision_recall_fscore_support", "recall", "rmse", "top_k_accuracy",
]
