"""The ``score`` every estimator shares: accuracy for classifiers, R^2 for regressors."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.ml._validation import as_array, check_fitted, check_n_features, check_X

__all__ = ["ClassifierMixin", "LinearBinaryClassifier", "RegressorMixin"]


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


class LinearBinaryClassifier(ClassifierMixin):
    """A fitted hyperplane w . x + b = 0 (``coef_``, ``intercept_``) between the two classes
    ``classes_`` (first: negative side, second: positive side): the perceptron, the linear
    SVM and logistic regression."""

    def decision_function(self, X: Any) -> np.ndarray:
        """w . x + b, (N,): its sign is the side of the boundary, its size / |w| the distance
        to it."""
        check_fitted(self, "coef_")
        X = check_X(X, type(self).__name__)
        check_n_features(self, X)
        return X @ self.coef_ + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        """The second class (1 or +1) where w . x + b > 0, else the first (0 or -1); (N,)."""
        return np.where(self.decision_function(X) > 0, self.classes_[1], self.classes_[0])


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
