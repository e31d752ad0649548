"""Binary logistic regression P(y = 1 | x) = sigmoid(x . w + b), fitted by gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.ml._gd import gradient_descent
from shendu.ml._validation import (
    binary_labels,
    check_count,
    check_non_negative,
    check_positive,
    check_X_y,
)
from shendu.ml.base import LinearBinaryClassifier

__all__ = ["LogisticRegression", "sigmoid"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), computed without overflow for large |z|."""
    out = np.empty_like(z, dtype=np.float64)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


class LogisticRegression(LinearBinaryClassifier):
    """Logistic regression with an L2 penalty on w (not on b), minimising the mean
    cross-entropy

        J(w, b) = 1/N * ( sum_i [ log(1 + exp(z_i)) - t_i z_i ] + lam/2 * |w|^2 ),
        z_i = x_i . w + b,  t_i in {0, 1},

    by full-batch gradient descent from w = 0, b = 0 with
        dJ/dw = (X^T (sigmoid(z) - t) + lam w) / N,   dJ/db = mean(sigmoid(z) - t),
    stopping when J changes by less than ``tol`` in one step or after ``max_iter`` steps.

    The decision boundary is the set {x : x . w + b = 0} (``decision_function`` = 0); with
    :class:`PolynomialFeatures` it can be a circle or any conic.

    Args:
        lam: L2 strength lambda >= 0.
        lr, max_iter, tol: the gradient-descent step, step limit and epsilon.

    Labels: {0, 1} or {-1, +1}; ``predict`` answers in the encoding given to ``fit``.

    On linearly separable data without a penalty (lam = 0) J has no minimum (|w| grows
    forever), so the run ends at ``max_iter`` with ``converged_ = False``; lam > 0 fixes that.

    Attributes (after fit): coef_ (D,), intercept_, classes_, loss_history_, n_iter_,
    converged_, n_features_in_.
    """

    def __init__(self, lam: float = 0.0, lr: float = 0.5, max_iter: int = 10_000,
                 tol: float = 1e-8) -> None:
        self.lam = check_non_negative(lam, "lam", "LogisticRegression")
        self.lr = check_positive(lr, "lr", "LogisticRegression")
        self.max_iter = check_count(max_iter, "max_iter", "LogisticRegression")
        self.tol = check_non_negative(tol, "tol", "LogisticRegression")
        self.coef_: np.ndarray | None = None
        self.intercept_ = 0.0

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Fit to X (N, D) and binary labels y (N,); returns self."""
        X, y = check_X_y(X, y, "LogisticRegression")
        y_pm, self.classes_ = binary_labels(y, "LogisticRegression")
        t = (y_pm + 1) / 2
        self.n_features_in_ = X.shape[1]
        n = len(X)
        w, b = np.zeros(X.shape[1]), np.zeros(1)

        def loss_and_grad():
            z = X @ w + b[0]
            # log(1 + exp(z)) = logaddexp(0, z), stable for large |z|
            loss = (np.sum(np.logaddexp(0.0, z) - t * z) + 0.5 * self.lam * (w @ w)) / n
            error = sigmoid(z) - t
            return loss, [(X.T @ error + self.lam * w) / n, np.array([error.mean()])]

        self.loss_history_, self.n_iter_, self.converged_ = gradient_descent(
            loss_and_grad, [w, b], self.lr, self.max_iter, self.tol, "LogisticRegression")
        self.coef_, self.intercept_ = w, float(b[0])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """(N, 2): [P(first class), P(second class)] with P(second) = sigmoid(z)."""
        p = sigmoid(self.decision_function(X))
        return np.stack([1.0 - p, p], axis=1)

    def __repr__(self) -> str:
        return f"LogisticRegression(lam={self.lam}, lr={self.lr})"
