"""Regression metrics: mean squared error, its root, mean absolute error, and the root mean
squared error of logarithms that d2l scores house prices with.

Arguments come in scikit-learn's order, ``(y_true, y_pred)``; see :mod:`shendu.metrics`. Both
must have one shape ((N,) next to (N, 1) is accepted: a silent (N, N) broadcast is refused).
The means are over every element.
"""

from __future__ import annotations

import math

import numpy as np

from shendu.metrics._inputs import ArrayLike, value_pair


def mse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean squared error, mean((y_pred - y_true)**2).

    >>> mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])
    1.3333333333333333
    """
    t, p = value_pair(y_true, y_pred, "mse")
    return float(np.mean((p - t) ** 2))


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error, sqrt(mean((y_pred - y_true)**2)), in the units of y.

    >>> rmse([0.0, 0.0], [3.0, 4.0])
    3.5355339059327378
    """
    t, p = value_pair(y_true, y_pred, "rmse")
    return math.sqrt(float(np.mean((p - t) ** 2)))


def mae(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Mean absolute error, mean(|y_pred - y_true|).

    >>> mae([1.0, 2.0], [2.0, 0.0])
    1.5
    """
    t, p = value_pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(p - t)))


def log_squared_errors(y_true: ArrayLike, y_pred: ArrayLike, fn: str = "log_rmse") -> np.ndarray:
    """(log(max(y_pred, 1)) - log(y_true))**2 per element, float64 (the terms of log_rmse)."""
    t, p = value_pair(y_true, y_pred, fn)
    if not np.all(t > 0):
        raise ValueError(f"{fn}: y_true must be positive (its logarithm is taken), got a "
                         f"minimum of {np.min(t):.4g}")
    # Predictions below 1 are raised to 1 so that the log stays finite and >= 0, as d2l does.
    return (np.log(np.maximum(p, 1.0)) - np.log(t)) ** 2


def log_rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error of logarithms, the house-price score of d2l (and Kaggle)::

        log_rmse = sqrt(mean((log(max(y_pred, 1)) - log(y_true))**2))

    A relative error: predicting 110 for 100 costs what 1.1e6 for 1e6 does. Only predictions
    are clamped to 1; ``y_true`` must be positive. Not symmetric in its arguments.

    >>> round(log_rmse([100.0, 1000.0], [110.0, 1100.0]), 6)
    0.09531
    """
    return math.sqrt(float(np.mean(log_squared_errors(y_true, y_pred))))
