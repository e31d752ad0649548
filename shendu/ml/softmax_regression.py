"""Multiclass (softmax) regression P(y = k | x) = softmax(x W + b)_k, by gradient descent."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.ml._gd import gradient_descent
from shendu.ml._validation import (
    check_count,
    check_fitted,
    check_n_features,
    check_non_negative,
    check_positive,
    check_X,
    check_X_y,
    class_labels,
)
from shendu.ml.base import ClassifierMixin

__all__ = ["SoftmaxRegression", "softmax"]


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise exp(z_k - max z) / sum_j exp(z_j - max z), (N, K)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class SoftmaxRegression(ClassifierMixin):
    """Softmax regression (multinomial logistic regression) with an L2 penalty on W,
    minimising the mean cross-entropy

        J(W, b) = 1/N * ( sum_i [ logsumexp(z_i) - z_i[y_i] ] + lam/2 * |W|_F^2 ),
        z_i = x_i W + b,

    by full-batch gradient descent from W = 0, b = 0 with, for P = softmax(Z) and T the
    one-hot labels,
        dJ/dW = (X^T (P - T) + lam W) / N,   dJ/db = mean over rows of (P - T).

    Args:
        n_classes: K; None: max(y) + 1.
        lam, lr, max_iter, tol: as :class:`LogisticRegression`.

    Labels: class indices 0 .. K-1.

    Attributes (after fit): coef_ (D, K), intercept_ (K,), classes_, loss_history_, n_iter_,
    converged_, n_features_in_.
    """

    def __init__(self, n_classes: int | None = None, lam: float = 0.0, lr: float = 0.5,
                 max_iter: int = 10_000, tol: float = 1e-8) -> None:
        who = "SoftmaxRegression"
        self.n_classes = None if n_classes is None else check_count(n_classes, "n_classes",
                                                                     who, 2)
        self.lam = check_non_negative(lam, "lam", who)
        self.lr = check_positive(lr, "lr", who)
        self.max_iter = check_count(max_iter, "max_iter", who)
        self.tol = check_non_negative(tol, "tol", who)
        self.coef_: np.ndarray | None = None

    def fit(self, X: Any, y: Any) -> SoftmaxRegression:
        """Fit to X (N, D) and class indices y (N,); returns self."""
        X, y = check_X_y(X, y, "SoftmaxRegression")
        y = class_labels(y, "SoftmaxRegression", self.n_classes)
        k = self.n_classes or int(y.max()) + 1
        self.classes_ = np.arange(k)
        self.n_features_in_ = X.shape[1]
        n = len(X)
        T = np.eye(k)[y]
        W, b = np.zeros((X.shape[1], k)), np.zeros(k)

        def loss_and_grad():
            Z = X @ W + b
            log_norm = np.logaddexp.reduce(Z, axis=1)
            loss = (np.sum(log_norm - Z[np.arange(n), y]) + 0.5 * self.lam * np.sum(W * W)) / n
            error = softmax(Z) - T
            return loss, [(X.T @ error + self.lam * W) / n, error.mean(axis=0)]

        self.loss_history_, self.n_iter_, self.converged_ = gradient_descent(
            loss_and_grad, [W, b], self.lr, self.max_iter, self.tol, "SoftmaxRegression")
        self.coef_, self.intercept_ = W, b
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The logits Z = X W + b, (N, K)."""
        check_fitted(self, "coef_")
        X = check_X(X, "SoftmaxRegression")
        check_n_features(self, X)
        return X @ self.coef_ + self.intercept_

    def predict_proba(self, X: Any) -> np.ndarray:
        """softmax(X W + b), (N, K); rows sum to 1."""
        return softmax(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        """argmax_k z_k, (N,) int64."""
        return self.decision_function(X).argmax(axis=1)

    def __repr__(self) -> str:
        return f"SoftmaxRegression(n_classes={self.n_classes}, lam={self.lam}, lr={self.lr})"
