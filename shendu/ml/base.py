"""The ``score`` every estimator shares: accuracy for classifiers, R^2 for regressors."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.ml._validation import as_array

__all__ = ["ClassifierMixin", "RegressorMixin"]


class ClassifierMixin:
    """Adds ``score(X, y)``: the fraction of samples whose ``predict`` equals y."""

    def score(self, X: Any, y: Any) -> float:
        """Accuracy, mean(predict(X) == y), in [0, 1]."""
        y_true = as_array(y, type(self).__name__, "y", None).reshape(-1)
        y_pred = self.predict(X)
        if len(y_pred) != len(y_true):
            raise ValueError(f"{type(self).__name__}.score: X and y must have the same number "
                             f"of samples, got {len(y_pred)} and {len(y_true)}")
        return float(np.mean(y_pred == y_true))


class RegressorMixin:
    """Adds ``score(X, y)``: the coefficient of determination R^2."""

    def score(self, X: Any, y: Any) -> float:
        """R^2 = 1 - sum((y - y_hat)^2) / sum((y - mean(y))^2); 1 is a perfect fit, 0 the
        constant mean(y)."""
        y_true = as_array(y, type(self).__name__, "y").reshape(-1)
        y_pred = self.predict(X)
        if len(y_pred) != len(y_true):
            raise ValueError(f"{type(self).__name__}.score: X and y must have the same number "
                             f"of samples, got {len(y_pred)} and {len(y_true)}")
        residual = np.sum((y_true - y_pred) ** 2)
        total = np.sum((y_true - y_true.mean()) ** 2)
        return float(1.0 - residual / total) if total > 0 else float(residual == 0)
