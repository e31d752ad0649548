"""``classification_report``: precision, recall, F1 and support per class, then the accuracy
and the macro and weighted averages, as a text table laid out like scikit-learn's."""

from __future__ import annotations

import numpy as np

from shendu.metrics._inputs import ArrayLike, label_pair
from shendu.metrics.classification import _prf

_HEADERS = ("precision", "recall", "f1-score", "support")
_LONGEST_NAME = "weighted avg"
_COLUMN = 9  # each column is a space and 9 characters, right-aligned


def _row(name: str, width: int, digits: int, values, support) -> str:
    cells = "".join(f" {v:>{_COLUMN}.{digits}f}" for v in values)
    return f"{name:>{width}} {cells} {support:>{_COLUMN}}\n"


def classification_report(y_true: ArrayLike, y_pred: ArrayLike, *, labels=None,
                          target_names=None, digits: int = 2, zero_division: float = 0) -> str:
    """A text table of per-class precision, recall, F1 and support, then the averages.

    The layout is scikit-learn's: a header line and a blank line, one line per class, a blank
    line, then ``accuracy`` (only the F1 column and the total support are filled), ``macro
    avg`` and ``weighted avg``. When ``labels`` leaves out a label present in the data the
    micro average is not the accuracy, and the line reads ``micro avg`` with all columns.

    Args:
        y_true: labels, shape (N,).
        y_pred: labels (N,), class scores (N, C) or binary probabilities (N,).
        labels: the labels to report and their order; by default every label seen, sorted.
        target_names: a display name per label, in the order of ``labels``.
        digits: decimals of the scores.
        zero_division: the value of a ratio with denominator 0 (0, 1 or nan).

    Returns:
        The table, ending with a newline.

    >>> print(classification_report([0, 1, 2, 2], [0, 2, 2, 1]), end="")
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       1.00      1.00      1.00         1
               1       0.00      0.00      0.00         1
               2       0.50      0.50      0.50         2
    <BLANKLINE>
        accuracy                           0.50         4
       macro avg       0.50      0.50      0.50         4
    weighted avg       0.50      0.50      0.50         4
    """
    fn = "classification_report"
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 0:
        raise ValueError(f"{fn}: digits must be an int >= 0, got {digits!r}")
    t, p = label_pair(y_true, y_pred, fn)
    present = np.unique(np.concatenate([t, p]))
    chosen = present if labels is None else labels
    precision, recall, f1, support = _prf(t, p, chosen, 1, None, zero_division, fn)
    chosen = np.asarray(chosen)
    names = [str(label) for label in chosen.tolist()] if target_names is None else \
        [str(name) for name in target_names]
    if len(names) != chosen.size:
        raise ValueError(f"{fn}: {len(names)} target_names for {chosen.size} labels "
                         f"{chosen.tolist()}; give one name per label")

    width = max(len(_LONGEST_NAME), digits, *(len(name) for name in names))
    lines = [" " * width + " " + "".join(f" {h:>{_COLUMN}}" for h in _HEADERS) + "\n\n"]
    for i, name in enumerate(names):
        lines.append(_row(name, width, digits, (precision[i], recall[i], f1[i]), support[i]))
    lines.append("\n")

    total = int(support.sum())
    micro = _prf(t, p, chosen, 1, "micro", zero_division, fn)
    if set(present.tolist()) <= set(chosen.tolist()):  # micro-F1 is then the accuracy
        blank = f" {'':>{_COLUMN}}" * 2
        lines.append(f"{'accuracy':>{width}} {blank} {micro[2]:>{_COLUMN}.{digits}f}"
                     f" {total:>{_COLUMN}}\n")
    else:
        lines.append(_row("micro avg", width, digits, micro[:3], total))
    for average in ("macro", "weighted"):
        scores = _prf(t, p, chosen, 1, average, zero_division, fn)[:3]
        lines.append(_row(f"{average} avg", width, digits, scores, total))
    return "".join(lines)
