"""Linear regression y_hat = X w + b, fitted by the normal equation or by gradient descent."""

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
)
from shendu.ml.base import RegressorMixin

__all__ = ["LinearRegression"]

SOLVERS = ("normal", "gd")


class LinearRegression(RegressorMixin):
    """Least squares, optionally with an L2 (ridge) penalty, minimising

        J(w, b) = 1/(2N) * ( sum_i (x_i . w + b - y_i)^2 + lam * |w|^2 ).

    The bias b is never penalised.

    ``solver="normal"`` solves the normal equation X^T X w = X^T y:
      - lam = 0: ``numpy.linalg.lstsq`` on [X, 1] (the minimum-norm solution when X^T X is
        singular);
      - lam > 0: the closed-form ridge solution on centred data, w = (Xc^T Xc + lam I)^-1 Xc^T yc
        with Xc = X - mean(X), yc = y - mean(y), and b = mean(y) - mean(X) . w. This equals
        solving [X, 1] with the penalty lam on w and 0 on b.

    ``solver="gd"`` runs full-batch gradient descent from w = 0, b = 0:
        dJ/dw = (X^T (X w + b - y) + lam w) / N,   dJ/db = mean(X w + b - y),
    stopping when the loss changes by less than ``tol`` in one step (the epsilon test) or
    after ``max_iter`` steps. Standardise the features first: the step that is stable is
    lr < 2 / largest eigenvalue of X^T X / N.

    Args:
        solver: "normal" or "gd".
        lam: the L2 strength lambda >= 0 (0: ordinary least squares).
        fit_intercept: learn b (otherwise b = 0).
        lr, max_iter, tol: the gradient-descent step, step limit and epsilon.

    Attributes (after fit):
        coef_ (D,) float64, intercept_ float, n_features_in_; for "gd" also
        loss_history_ (J before the first step and after each step), n_iter_ (steps taken)
        and converged_.

    Shape:
        X (N, D), y (N,) or (N, 1); predict returns (N,) float64.

    >>> model = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> round(float(model.coef_[0]), 6), round(model.intercept_, 6)
    (2.0, 1.0)
    """

    def __init__(self, solver: str = "normal", lam: float = 0.0, fit_intercept: bool = True,
                 lr: float = 0.1, max_iter: int = 100_000, tol: float = 1e-12) -> None:
        if solver not in SOLVERS:
            raise ValueError(f"LinearRegression: solver must be one of {SOLVERS}, got "
                             f"{solver!r}")
        self.solver = solver
        self.lam = check_non_negative(lam, "lam", "LinearRegression")
        self.fit_intercept = bool(fit_intercept)
        self.lr = check_positive(lr, "lr", "LinearRegression")
        self.max_iter = check_count(max_iter, "max_iter", "LinearRegression")
        self.tol = check_non_negative(tol, "tol", "LinearRegression")
        self.coef_: np.ndarray | None = None
        self.intercept_ = 0.0
        self.loss_history_: list[float] = []
        self.n_iter_ = 0
        self.converged_ = True

    def fit(self, X: Any, y: Any) -> LinearRegression:
        """Fit w and b to X (N, D) and y (N,); returns self."""
        X, y = check_X_y(X, y, "LinearRegression")
        self.n_features_in_ = X.shape[1]
        if self.solver == "gd":
            self._fit_gd(X, y)
        elif self.lam == 0:
            self._fit_lstsq(X, y)
        else:
            self._fit_ridge(X, y)
        return self

    def _fit_lstsq(self, X: np.ndarray, y: np.ndarray) -> None:
        """w (and b) = argmin |[X, 1] theta - y|^2 by lstsq (SVD)."""
        A = np.hstack([X, np.ones((len(X), 1))]) if self.fit_intercept else X
        theta = np.linalg.lstsq(A, y, rcond=None)[0]
        self.coef_ = theta[:X.shape[1]]
        self.intercept_ = float(theta[-1]) if self.fit_intercept else 0.0

    def _fit_ridge(self, X: np.ndarray, y: np.ndarray) -> None:
        """w = (Xc^T Xc + lam I)^-1 Xc^T yc on centred data; b = mean(y) - mean(X) . w."""
        x_mean = X.mean(axis=0) if self.fit_intercept else np.zeros(X.shape[1])
        y_mean = y.mean() if self.fit_intercept else 0.0
        Xc, yc = X - x_mean, y - y_mean
        gram = Xc.T @ Xc + self.lam * np.eye(X.shape[1])
        self.coef_ = np.linalg.solve(gram, Xc.T @ yc)
        self.intercept_ = float(y_mean - x_mean @ self.coef_)

    def _fit_gd(self, X: np.ndarray, y: np.ndarray) -> None:
        """Full-batch gradient descent on J from w = 0, b = 0."""
        n = len(X)
        w, b = np.zeros(X.shape[1]), np.zeros(1)

        def loss_and_grad():
            residual = X @ w + b[0] - y
            loss = (residual @ residual + self.lam * (w @ w)) / (2 * n)
            grad_b = np.array([residual.mean()]) if self.fit_intercept else np.zeros(1)
            return loss, [(X.T @ residual + self.lam * w) / n, grad_b]

        self.loss_history_, self.n_iter_, self.converged_ = gradient_descent(
            loss_and_grad, [w, b], self.lr, self.max_iter, self.tol, "LinearRegression")
        self.coef_, self.intercept_ = w, float(b[0])

    def predict(self, X: Any) -> np.ndarray:
        """y_hat = X w + b, (N,) float64."""
        check_fitted(self, "coef_")
        X = check_X(X, "LinearRegression")
        check_n_features(self, X)
        return X @ self.coef_ + self.intercept_

    def __repr__(self) -> str:
        return f"LinearRegression(solver={self.solver!r}, lam={self.lam})"
