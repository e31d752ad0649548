"""Three-way data splits and learning curves, for diagnosing bias and variance."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shendu.data.split import train_test_split
from shendu.ml._validation import check_count, check_X_y

__all__ = ["train_val_test_split", "learning_curve", "LearningCurve", "mean_squared_error",
           "error_rate"]


def _count(size: float | int, n: int, name: str) -> int:
    """ceil(size * n) for a fraction in (0, 1), the int itself for a count."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size >= 1:
        return int(size)
    if isinstance(size, (float, np.floating)) and 0.0 < size < 1.0:
        return math.ceil(float(size) * n)
    raise ValueError(f"train_val_test_split: {name} must be a fraction in (0, 1) or a "
                     f"positive number of samples, got {size!r}")


def train_val_test_split(X: Any, y: Any, val_size: float | int = 0.2,
                         test_size: float | int = 0.2, seed: int | None = 0) -> list:
    """Split X and y into training, validation and test parts (disjoint rows, shuffled).

    Two calls of :func:`shendu.data.split.train_test_split`: first the test rows are cut off,
    then the validation rows from the rest. Sizes are fractions of the *whole* data set
    (rounded up) or counts.

    Args:
        X, y: arrays (or Tensors) with the same first dimension N.
        val_size, test_size: fractions in (0, 1) or numbers of rows.
        seed: the seed of the shuffling (None: shendu's global generator).

    Returns:
        ``[X_train, X_val, X_test, y_train, y_val, y_test]``; rows keep their original order
        within each part.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_val_test_split: X and y must have the same number of samples, "
                         f"got {n} and {len(y)}")
    n_val, n_test = _count(val_size, n, "val_size"), _count(test_size, n, "test_size")
    if n_val + n_test >= n:
        raise ValueError(f"train_val_test_split: val_size={val_size!r} and test_size="
                         f"{test_size!r} leave no training rows out of {n}")
    generator = None if seed is None else np.random.default_rng(seed)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=n_test,
                                                      generator=generator)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=n_val,
                                                      generator=generator)
    return [X_train, X_val, X_test, y_train, y_val, y_test]


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """mean((y_true - y_pred)^2)."""
    return float(np.mean((np.asarray(y_true, np.float64) - np.asarray(y_pred, np.float64)) ** 2))


def error_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The fraction of wrong predictions, mean(y_pred != y_true) (1 - accuracy)."""
    return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))


@dataclass
class LearningCurve:
    """Errors against training-set size: ``train_sizes`` (S,) int, ``train_errors`` and
    ``val_errors`` (S,) float, each the mean over ``n_repeats`` random training subsets."""

    train_sizes: np.ndarray
    train_errors: np.ndarray
    val_errors: np.ndarray


def _sizes(train_sizes: Sequence[float | int], n: int) -> np.ndarray:
    sizes = []
    for size in train_sizes:
        count = math.ceil(size * n) if isinstance(size, float) and 0 < size <= 1 else size
        if not isinstance(count, (int, np.integer)) or not 1 <= count <= n:
            raise ValueError(f"learning_curve: train_sizes must be fractions in (0, 1] or "
                             f"counts in [1, {n}] (the training rows), got {size!r}")
        sizes.append(int(count))
    return np.array(sizes, dtype=np.int64)


def learning_curve(estimator_factory: Callable[[], Any], X: Any, y: Any,
                   train_sizes: Sequence[float | int], X_val: Any = None, y_val: Any = None,
                   val_size: float | int = 0.25, loss: Callable | None = None,
                   n_repeats: int = 1, seed: int = 0) -> LearningCurve:
    """Training and validation error of a model as the training set grows.

    For each size m, a fresh estimator (``estimator_factory()``) is fitted on m rows drawn
    at random from the training data, and its error is measured on those m rows (training
    error) and on the validation set. High bias: both errors plateau high and close
    together. High variance: a large gap that narrows as m grows.

    Args:
        estimator_factory: makes an unfitted estimator with ``fit`` and ``predict``.
        X, y: the training data (N, D), (N,). Without ``X_val``/``y_val``, a part of it
            (``val_size``) is held out as the validation set first.
        train_sizes: fractions in (0, 1] or counts of the training rows.
        loss: (y_true, y_pred) -> float; default :func:`mean_squared_error` (use
            :func:`error_rate` for classifiers).
        n_repeats: training subsets drawn per size; the errors are averaged.
        seed: the seed of the hold-out split and the subsets.

    Returns:
        A :class:`LearningCurve`.
    """
    X, y = check_X_y(X, y, "learning_curve", None)
    rng = np.random.default_rng(seed)
    if X_val is None and y_val is None:
        X, X_val, y, y_val = train_test_split(X, y, test_size=val_size, generator=rng)
    elif X_val is None or y_val is None:
        raise ValueError("learning_curve: give both X_val and y_val, or neither")
    X_val, y_val = check_X_y(X_val, y_val, "learning_curve (validation set)", None)
    loss = loss or mean_squared_error
    n_repeats = check_count(n_repeats, "n_repeats", "learning_curve")
    sizes = _sizes(train_sizes, len(X))
    train_errors, val_errors = np.zeros(len(sizes)), np.zeros(len(sizes))
    for s, m in enumerate(sizes):
        for _ in range(n_repeats):
            rows = rng.choice(len(X), size=m, replace=False)
            model = estimator_factory().fit(X[rows], y[rows])
            train_errors[s] += loss(y[rows], model.predict(X[rows])) / n_repeats
            val_errors[s] += loss(y_val, model.predict(X_val)) / n_repeats
    return LearningCurve(sizes, train_errors, val_errors)
