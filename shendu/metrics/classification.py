"""Classification metrics: accuracy, top-k accuracy, the confusion matrix, and precision,
recall and F1 per class or averaged, with scikit-learn's definitions.

Arguments come in scikit-learn's order, ``(y_true, y_pred)``; see :mod:`shendu.metrics`.
For one label (class) ``c``, with TP, FP, FN counted one-vs-rest::

    precision = TP / (TP + FP)        recall = TP / (TP + FN)
    F1 = 2 TP / (2 TP + FP + FN)      (the harmonic mean of precision and recall)

A ratio whose denominator is 0 is ``zero_division`` (0, 1 or nan). Averages over labels:
``'macro'`` the plain mean, ``'weighted'`` the mean weighted by each label's support (its count
in ``y_true``), ``'micro'`` the ratio of the summed counts (equal to accuracy when every label
is included), ``'binary'`` only ``pos_label``, ``None`` one value per label. With
``zero_division=nan`` the averages skip the nan values, as scikit-learn's do.
"""

from __future__ import annotations

import math

import numpy as np

from shendu.metrics._inputs import (
    ArrayLike,
    as_array,
    class_indices,
    label_pair,
    true_labels,
)

AVERAGES = ("binary", "micro", "macro", "weighted", None)


def accuracy(y_true: ArrayLike, y_pred: ArrayLike, *, threshold: float = 0.5) -> float:
    """The fraction of samples whose predicted label equals the true one.

    Args:
        y_true: labels, shape (N,).
        y_pred: labels (N,); class scores (N, C), reduced by argmax (the first maximum on
            ties); or binary probabilities (N,) or (N, 1), read as label 1 where
            ``p > threshold`` (Keras's ``binary_accuracy`` rule).
        threshold: the cut for binary probabilities.

    >>> accuracy([0, 1, 2, 2], [[.9, .1, 0], [.2, .7, .1], [.1, .8, .1], [0, .1, .9]])
    0.75
    """
    t, p = label_pair(y_true, y_pred, "accuracy", threshold)
    return float(np.mean(t == p))


def top_k_accuracy(y_true: ArrayLike, y_score: ArrayLike, *, k: int = 5) -> float:
    """The fraction of samples whose true class is among the ``k`` highest scores.

    A sample counts as a hit when fewer than ``k`` classes score strictly higher than its true
    class, so classes tied at the k-th place all count as inside the top k (the rule of
    TensorFlow's ``in_top_k``). With ``k=1`` and ties this can exceed :func:`accuracy`, which
    takes the first maximum.

    Args:
        y_true: class indices, shape (N,), in [0, C).
        y_score: class scores (logits or probabilities), shape (N, C).
        k: how many of the best classes count, 1 <= k <= C.

    >>> top_k_accuracy([2, 2], [[.5, .3, .2], [.1, .6, .3]], k=2)
    0.5
    """
    return float(np.mean(top_k_hits(y_true, y_score, k, "top_k_accuracy")))


def top_k_hits(y_true: ArrayLike, y_score: ArrayLike, k: int, fn: str) -> np.ndarray:
    """Per sample, whether the true class is in the top ``k`` (bool, shape (N,))."""
    s = as_array(y_score, "y_score", fn)
    if s.ndim != 2 or s.dtype.kind not in "biuf":
        raise ValueError(f"{fn}: y_score must be numeric class scores of shape (N, C), got "
                         f"shape {s.shape} and dtype {s.dtype}")
    t = true_labels(y_true, fn)
    if t.size != s.shape[0]:
        raise ValueError(f"{fn}: y_true has {t.size} labels but y_score has {s.shape[0]} rows")
    num_classes = s.shape[1]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= num_classes:
        raise ValueError(f"{fn}: k must be an int in [1, {num_classes}] (the number of classes "
                         f"in y_score), got {k!r}")
    t = class_indices(t, "y_true", fn, num_classes)
    true_score = s[np.arange(t.size), t]
    higher = np.count_nonzero(s > true_score[:, None], axis=1)
    return (higher < k) & ~np.isnan(true_score)


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, *,
                     num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j``.

    Rows are true classes and columns predicted ones, as in scikit-learn; the diagonal holds
    the correct predictions. Binary case: ``tn, fp, fn, tp = C.ravel()``.

    Args:
        y_true: class indices (N,), integers in [0, num_classes).
        y_pred: class indices (N,), class scores (N, C) or binary probabilities (N,).
        num_classes: the matrix size; by default 1 + the largest index in either input.

    Returns:
        int64 array of shape (num_classes, num_classes).

    >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 1]])
    """
    fn = "confusion_matrix"
    t, p = label_pair(y_true, y_pred, fn)
    if num_classes is not None and (isinstance(num_classes, bool) or
                                    not isinstance(num_classes, (int, np.integer)) or
                                    num_classes < 1):
        raise ValueError(f"{fn}: num_classes must be a positive int, got {num_classes!r}")
    t = class_indices(t, "y_true", fn, num_classes)
    p = class_indices(p, "y_pred", fn, num_classes)
    if num_classes is None:
        num_classes = int(max(t.max(), p.max())) + 1
    # One bincount over the flat cell index true * C + pred counts every cell at once.
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def _check_options(average, zero_division, fn: str) -> float:
    if average not in AVERAGES:
        raise ValueError(f"{fn}: average must be one of {list(AVERAGES)}, got {average!r}")
    if isinstance(zero_division, bool) or not isinstance(zero_division, (int, float)) or not (
            zero_division in (0, 1) or math.isnan(zero_division)):
        raise ValueError(f"{fn}: zero_division must be 0, 1 or nan, got {zero_division!r}")
    return float(zero_division)


def _select_labels(t, p, labels, average, pos_label, fn: str) -> np.ndarray:
    """The labels to score: ``[pos_label]`` for 'binary', else ``labels`` or every label seen."""
    present = np.unique(np.concatenate([t, p]))
    if average == "binary":
        if present.size > 2:
            raise ValueError(f"{fn}: average='binary' needs at most 2 classes, but y_true and "
                             f"y_pred hold {present.size} ({present[:10].tolist()}); choose "
                             "average=None, 'micro', 'macro' or 'weighted'")
        if present.size == 2 and pos_label not in present.tolist():
            raise ValueError(f"{fn}: pos_label={pos_label!r} is not one of the labels "
                             f"{present.tolist()}; pass the positive class as pos_label=")
        labels = [pos_label]
    elif labels is None:
        return present
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or np.unique(labels).size != labels.size:
        raise ValueError(f"{fn}: labels must be a non-empty list of distinct labels, got "
                         f"{labels.tolist()}")
    if (labels.dtype.kind in "US") != (t.dtype.kind in "US"):
        raise TypeError(f"{fn}: labels {labels.tolist()} are not of the type of y_true's "
                        f"labels ({t.dtype})")
    return labels


def _counts(t, p, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per label: true positives, predicted count (TP + FP) and true count (TP + FN)."""
    k = labels.size
    order = np.argsort(labels)
    sorted_labels = labels[order]

    def index(y):  # position of each label of y in `labels`, k where it is not there
        pos = np.minimum(np.searchsorted(sorted_labels, y), k - 1)
        return np.where(sorted_labels[pos] == y, order[pos], k)

    ti, pi = index(t), index(p)
    tp = np.bincount(ti[ti == pi], minlength=k + 1)[:k]
    return tp, np.bincount(pi, minlength=k + 1)[:k], np.bincount(ti, minlength=k + 1)[:k]


def _divide(num: np.ndarray, den: np.ndarray, zero_division: float) -> np.ndarray:
    out = np.full(num.shape, zero_division, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Mean of the non-nan values (weighted when ``weights`` is given and does not sum to 0),
    nan when all are nan."""
    keep = ~np.isnan(values)
    if not keep.any():
        return math.nan
    values = values[keep]
    if weights is None or weights[keep].sum() == 0:
        return float(values.mean())
    weights = weights[keep].astype(np.float64)
    return float(values @ weights / weights.sum())


def _prf(y_true, y_pred, labels, pos_label, average, zero_division, fn: str):
    zero_division = _check_options(average, zero_division, fn)
    t, p = label_pair(y_true, y_pred, fn)
    labels = _select_labels(t, p, labels, average, pos_label, fn)
    tp, pred_sum, true_sum = _counts(t, p, labels)
    if average == "micro":
        tp, pred_sum, true_sum = tp.sum(keepdims=True), pred_sum.sum(keepdims=True), \
            true_sum.sum(keepdims=True)
    precision = _divide(tp, pred_sum, zero_division)
    recall = _divide(tp, true_sum, zero_division)
    f1 = _divide(2 * tp, pred_sum + true_sum, zero_division)
    if average is None:
        return precision, recall, f1, true_sum
    weights = true_sum if average == "weighted" else None
    return (_nan_average(precision, weights), _nan_average(recall, weights),
            _nan_average(f1, weights), None)


def precision_recall_fscore_support(y_true: ArrayLike, y_pred: ArrayLike, *, labels=None,
                                    pos_label=1, average: str | None = None,
                                    zero_division: float = 0):
    """Precision, recall, F1 and support (the count of each label in ``y_true``) at once.

    Args:
        y_true: labels, shape (N,).
        y_pred: labels (N,), class scores (N, C) or binary probabilities (N,) (cut at 0.5).
        labels: the labels to score and their order (for ``average`` other than 'binary'); by
            default every label in ``y_true`` or ``y_pred``, sorted. Labels absent from both
            may be listed: they score ``zero_division`` (precision, recall) and count in
            macro averages.
        pos_label: the positive class for ``average='binary'``.
        average: 'binary', 'micro', 'macro', 'weighted' or None (see the module docstring).
        zero_division: the value of a ratio whose denominator is 0: 0, 1 or ``nan``.

    Returns:
        ``(precision, recall, f1, support)``: with ``average=None`` float64 arrays of one value
        per label and an int64 support array; otherwise three floats and ``None``.
    """
    return _prf(y_true, y_pred, labels, pos_label, average, zero_division,
                "precision_recall_fscore_support")


def precision(y_true: ArrayLike, y_pred: ArrayLike, *, average: str | None = "binary",
              pos_label=1, labels=None, zero_division: float = 0):
    """Precision TP / (TP + FP): of the samples predicted as a class, the fraction that are.

    Arguments as in :func:`precision_recall_fscore_support`; the default is the binary
    precision of ``pos_label``. Returns a float, or an array per label with ``average=None``.

    >>> precision([0, 1, 1, 1], [1, 1, 0, 1])
    0.6666666666666666
    """
    return _prf(y_true, y_pred, labels, pos_label, average, zero_division, "precision")[0]


def recall(y_true: ArrayLike, y_pred: ArrayLike, *, average: str | None = "binary",
           pos_label=1, labels=None, zero_division: float = 0):
    """Recall TP / (TP + FN): of the samples of a class, the fraction predicted as it.

    Arguments as in :func:`precision_recall_fscore_support`; the default is the binary
    recall of ``pos_label``. Returns a float, or an array per label with ``average=None``.

    >>> recall([0, 1, 1, 1], [1, 1, 0, 1])
    0.6666666666666666
    """
    return _prf(y_true, y_pred, labels, pos_label, average, zero_division, "recall")[1]


def f1_score(y_true: ArrayLike, y_pred: ArrayLike, *, average: str | None = "binary",
             pos_label=1, labels=None, zero_division: float = 0):
    """F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall.

    It is ``zero_division`` only when TP + FP + FN = 0 (the class is absent from both inputs);
    a class never predicted but present scores 0 whatever ``zero_division`` is (scikit-learn
    >= 1.4). Arguments as in :func:`precision_recall_fscore_support`.

    >>> f1_score([0, 1, 2, 2], [0, 2, 2, 1], average="macro")
    0.5
    """
    return _prf(y_true, y_pred, labels, pos_label, average, zero_division, "f1_score")[2]
