"""Turning what the metric functions are given (Tensors, ndarrays, lists) into checked ndarrays.

Every function of :mod:`shendu.metrics` goes through here, so the rules for what counts as
labels, class scores and binary probabilities are written once:

* ``y_true`` holds labels: integers, bools, whole-valued floats (``0.``, ``1.``; a float tensor of
  labels is common after ``BCELoss``) or strings.
* ``y_pred`` holds labels of the same shape, binary probabilities of the same shape (floats in
  [0, 1] that are not all whole, thresholded with ``p > threshold``), or class scores (logits or
  probabilities) with one more last axis of size C, reduced by ``argmax``. A last axis of size 1
  is a column of binary probabilities, as a Keras model with one sigmoid unit gives.
"""

from __future__ import annotations

import numpy as np

from shendu.tensor import Tensor

# What every metric accepts for y_true, y_pred and y_score.
ArrayLike = Tensor | np.ndarray | list | tuple


def as_array(x, name: str, fn: str) -> np.ndarray:
    """``x`` (a Tensor, an ndarray, a list or a number) as an ndarray, without copying a
    Tensor's or an ndarray's data. A Tensor that requires grad is read without the graph."""
    if isinstance(x, Tensor):
        return x.data
    if x is None:
        raise TypeError(f"{fn}: {name} is None; expected a Tensor, an ndarray or a list")
    array = np.asarray(x)
    if array.dtype.kind not in "biufUS":
        raise TypeError(f"{fn}: {name} must hold numbers or strings (a Tensor, an ndarray or a "
                        f"rectangular list), got an array of dtype {array.dtype}")
    return array


def _is_whole(values: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(values)) and np.all(values == np.round(values)))


def _true_labels(t: np.ndarray, fn: str) -> np.ndarray:
    if t.dtype.kind == "b":
        return t.astype(np.int64)
    if t.dtype.kind == "f":
        if not _is_whole(t):
            raise ValueError(f"{fn}: y_true must hold class labels, but it holds values that "
                             "are not whole numbers (for example "
                             f"{t[t != np.round(t)][:3].tolist()}); for regression use mse/mae")
        return t.astype(np.int64)
    return t


def true_labels(y_true, fn: str) -> np.ndarray:
    """``y_true`` as a flat array of N >= 1 labels; shape (N,) or a column (N, 1)."""
    t = as_array(y_true, "y_true", fn)
    if t.ndim == 2 and t.shape[1] == 1:
        t = t[:, 0]
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"{fn}: y_true must be a non-empty array of labels of shape (N,), got "
                         f"shape {t.shape}")
    return _true_labels(t, fn)


def _pred_labels(p: np.ndarray, fn: str, threshold: float) -> np.ndarray:
    if p.dtype.kind == "b":
        return p.astype(np.int64)
    if p.dtype.kind != "f":
        return p
    if _is_whole(p):
        return p.astype(np.int64)
    if np.all((p >= 0) & (p <= 1)):
        return (p > threshold).astype(np.int64)
    raise ValueError(f"{fn}: y_pred holds values that are neither labels nor probabilities in "
                     f"[0, 1] (from {np.nanmin(p):.4g} to {np.nanmax(p):.4g}); pass class scores "
                     "with a last axis of size C (shape (N, C)), probabilities (apply sigmoid to "
                     "binary logits) or labels")


def swapped_hint(t: np.ndarray, p: np.ndarray) -> str:
    """A hint for the likely mistake of passing (prediction, target), PyTorch's loss order."""
    if t.ndim == p.ndim + 1 and t.shape[:-1] == p.shape:
        return ("; the arguments are (y_true, y_pred), the truth first: were they swapped? "
                "(pass them by keyword to be sure)")
    return ""


def label_pair(y_true, y_pred, fn: str, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Flat label arrays ``(t, p)`` of equal length N >= 1 from labels and predictions (see the
    module docstring for what ``y_pred`` may be)."""
    t, p = as_array(y_true, "y_true", fn), as_array(y_pred, "y_pred", fn)
    if t.ndim == p.ndim >= 2 and t.shape[-1] == 1 and p.shape[-1] != 1:
        t = t[..., 0]  # a column of labels next to (N, C) scores
    if p.ndim == t.ndim + 1 and p.shape[:-1] == t.shape:
        if p.dtype.kind not in "biuf":
            raise TypeError(f"{fn}: class scores y_pred must be numbers, got dtype {p.dtype}")
        p = p[..., 0] if p.shape[-1] == 1 else np.argmax(p, axis=-1)
    elif p.shape != t.shape:
        raise ValueError(f"{fn}: y_true has shape {t.shape} and y_pred {p.shape}; expected y_pred "
                         "of y_true's shape (labels or binary probabilities) or with one more "
                         "last axis of class scores, (N,) and (N, C)" + swapped_hint(t, p))
    t, p = _true_labels(t.ravel(), fn), _pred_labels(p.ravel(), fn, threshold)
    if t.size == 0:
        raise ValueError(f"{fn}: y_true and y_pred are empty; a metric needs at least one sample")
    if (t.dtype.kind in "US") != (p.dtype.kind in "US"):
        raise TypeError(f"{fn}: y_true and y_pred must both be numeric labels or both strings, "
                        f"got dtypes {t.dtype} and {p.dtype}")
    return t, p


def class_indices(labels: np.ndarray, name: str, fn: str, num_classes: int | None) -> np.ndarray:
    """Check that ``labels`` are integers in [0, num_classes) and return them as int64."""
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{fn}: {name} must hold integer class indices 0..C-1, got dtype "
                        f"{labels.dtype}")
    bad = (labels < 0) if num_classes is None else (labels < 0) | (labels >= num_classes)
    if bad.any():
        where = "below 0" if num_classes is None else f"outside [0, {num_classes})"
        raise ValueError(f"{fn}: {name} holds class index {labels[bad][0]}, {where}")
    return labels.astype(np.int64, copy=False)


def value_pair(y_true, y_pred, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """``(t, p)`` as float64 arrays of one shape, for regression metrics. Shapes must be equal,
    or differ only by dimensions of size 1 ((N,) next to (N, 1)); a silent (N, N) broadcast is
    refused."""
    t, p = as_array(y_true, "y_true", fn), as_array(y_pred, "y_pred", fn)
    for name, a in (("y_true", t), ("y_pred", p)):
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{fn}: {name} must hold numbers, got dtype {a.dtype}")
    if t.shape != p.shape:
        if t.size != p.size or np.squeeze(t).shape != np.squeeze(p).shape:
            raise ValueError(f"{fn}: y_true has shape {t.shape} and y_pred {p.shape}; they must "
                             "have the same shape (or differ only by dimensions of size 1)")
        p = p.reshape(t.shape)
    if t.size == 0:
        raise ValueError(f"{fn}: y_true and y_pred are empty; a metric needs at least one value")
    return t.astype(np.float64, copy=False), p.astype(np.float64, copy=False)
