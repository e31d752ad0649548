"""The kernel soft-margin SVM, solved in the dual by SMO."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.ml._validation import (
    binary_labels,
    check_count,
    check_fitted,
    check_n_features,
    check_positive,
    check_X,
    check_X_y,
)
from shendu.ml.base import ClassifierMixin
from shendu.ml.kernels import KERNELS, linear_kernel, polynomial_kernel, rbf_kernel

__all__ = ["KernelSVM"]


class KernelSVM(ClassifierMixin):
    """Soft-margin SVM with a kernel, trained on the dual problem

        max_alpha  sum_i alpha_i - 1/2 sum_ij alpha_i alpha_j y_i y_j K(x_i, x_j)
        subject to 0 <= alpha_i <= C,  sum_i alpha_i y_i = 0,

    and predicting f(x) = sum_i alpha_i y_i K(x_i, x) + b; only the support vectors
    (alpha_i > 0) enter the sum.

    Solver: sequential minimal optimisation (Platt, 1998). Each step changes one pair
    (alpha_i, alpha_j), the smallest set that can keep sum alpha y = 0, by its exact optimum
    on the segment the box allows. The pair is the maximal violating pair of the KKT
    conditions (Keerthi et al., 2001): with u_k = sum_l alpha_l y_l K_lk,
    i = argmax (y_i - u_i) over alphas that may move up in y_i's direction and
    j = argmin (y_j - u_j) over those that may move down; the optimum is reached when
    max - min < ``tol``. The pair update, with eta = K_ii + K_jj - 2 K_ij and E_k = u_k - y_k:

        alpha_j <- clip(alpha_j + y_j (E_i - E_j) / eta, L, H),
        alpha_i <- alpha_i + y_i y_j (alpha_j_old - alpha_j_new),

    where [L, H] keeps both in [0, C]. b is the mean of y_k - u_k over the free support
    vectors (0 < alpha_k < C).

    Kernels: "linear" x . z, "poly" (gamma x . z + coef0) ** degree, "rbf"
    exp(-gamma |x - z|^2); ``gamma="scale"`` is 1 / (D * var(X)) (scikit-learn's default).

    Args:
        C: the box bound (> 0); large C: a hard margin, small C: a wide, soft one.
        kernel, gamma, degree, coef0: the kernel and its parameters.
        tol: the KKT tolerance of the stopping test.
        max_iter: the most pair updates.

    Labels: {-1, +1} ({0, 1} accepted, 0 -> -1). The N x N Gram matrix is precomputed, so
    this is for data sets of up to a few thousand samples.

    Attributes (after fit): dual_coef_ (alpha_i y_i of the support vectors, (S,)),
    support_ (their indices, (S,)), support_vectors_ (S, D), intercept_, n_iter_,
    converged_, classes_, n_features_in_.
    """

    def __init__(self, C: float = 1.0, kernel: str = "rbf", gamma: float | str = "scale",
                 degree: int = 3, coef0: float = 1.0, tol: float = 1e-3,
                 max_iter: int = 100_000) -> None:
        if kernel not in KERNELS:
            raise ValueError(f"KernelSVM: kernel must be one of {KERNELS}, got {kernel!r}")
        if gamma != "scale":
            check_positive(gamma, "gamma (a positive number or 'scale')", "KernelSVM")
        self.C = check_positive(C, "C", "KernelSVM")
        self.kernel, self.gamma = kernel, gamma
        self.degree = check_count(degree, "degree", "KernelSVM")
        self.coef0 = float(coef0)
        self.tol = check_positive(tol, "tol", "KernelSVM")
        self.max_iter = check_count(max_iter, "max_iter", "KernelSVM")
        self.support_vectors_: np.ndarray | None = None

    def _gram(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        if self.kernel == "linear":
            return linear_kernel(A, B)
        if self.kernel == "poly":
            return polynomial_kernel(A, B, self.gamma_, self.degree, self.coef0)
        return rbf_kernel(A, B, self.gamma_)

    def fit(self, X: Any, y: Any) -> KernelSVM:
        """Solve the dual on X (N, D), y (N,); returns self."""
        X, y = check_X_y(X, y, "KernelSVM")
        y, self.classes_ = binary_labels(y, "KernelSVM")
        self.n_features_in_ = X.shape[1]
        variance = X.var()
        self.gamma_ = (1.0 / (X.shape[1] * variance) if variance > 0 else 1.0) \
            if self.gamma == "scale" else float(self.gamma)
        K = self._gram(X, X)
        alpha, u = self._smo(K, y)
        self.intercept_ = self._bias(alpha, u, y)
        self.support_ = np.flatnonzero(alpha > 1e-8 * self.C)
        self.support_vectors_ = X[self.support_]
        self.dual_coef_ = alpha[self.support_] * y[self.support_]
        return self

    def _violators(self, alpha: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Masks of the alphas that may move so that y_k alpha_k grows (up) or shrinks (low)."""
        up = ((y > 0) & (alpha < self.C)) | ((y < 0) & (alpha > 0))
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < self.C))
        return up, low

    def _smo(self, K: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """SMO with maximal-violating-pair selection; returns (alpha, u = K (alpha y))."""
        alpha, u = np.zeros(len(y)), np.zeros(len(y))
        self.converged_, self.n_iter_ = False, 0
        for step in range(self.max_iter):
            up, low = self._violators(alpha, y)
            score = y - u
            i = int(np.argmax(np.where(up, score, -np.inf)))
            j = int(np.argmin(np.where(low, score, np.inf)))
            if score[i] - score[j] < self.tol:
                self.converged_ = True
                break
            if not self._update_pair(i, j, K, y, alpha, u):
                break   # no step possible (rounding): stop, reported as not converged
            self.n_iter_ = step + 1
        return alpha, u

    def _update_pair(self, i: int, j: int, K: np.ndarray, y: np.ndarray, alpha: np.ndarray,
                     u: np.ndarray) -> bool:
        """Optimise (alpha_i, alpha_j) exactly on their feasible segment; update u. Returns
        whether the pair moved."""
        if y[i] != y[j]:
            low, high = max(0.0, alpha[j] - alpha[i]), min(self.C, self.C + alpha[j] - alpha[i])
        else:
            low, high = max(0.0, alpha[i] + alpha[j] - self.C), min(self.C, alpha[i] + alpha[j])
        eta = max(K[i, i] + K[j, j] - 2.0 * K[i, j], 1e-12)   # > 0 for a positive kernel
        error_i, error_j = u[i] - y[i], u[j] - y[j]
        new_j = float(np.clip(alpha[j] + y[j] * (error_i - error_j) / eta, low, high))
        new_i = alpha[i] - y[i] * y[j] * (new_j - alpha[j])
        # snap values within rounding of a bound onto it: an alpha left at C - 1e-16 would
        # count as free to move, yet admit no step, and the same pair would be chosen forever
        new_i, new_j = self._snap(new_i), self._snap(new_j)
        delta_i, delta_j = new_i - alpha[i], new_j - alpha[j]
        alpha[i], alpha[j] = new_i, new_j
        u += delta_i * y[i] * K[i] + delta_j * y[j] * K[j]
        return delta_i != 0 or delta_j != 0

    def _snap(self, value: float) -> float:
        """``value`` put on 0 or C when within 1e-12 C of it."""
        eps = 1e-12 * self.C
        return 0.0 if value < eps else self.C if value > self.C - eps else value

    def _bias(self, alpha: np.ndarray, u: np.ndarray, y: np.ndarray) -> float:
        """b = mean(y_k - u_k) over free support vectors; else the middle of the KKT range."""
        free = (alpha > 1e-8 * self.C) & (alpha < self.C * (1 - 1e-8))
        if free.any():
            return float(np.mean(y[free] - u[free]))
        up, low = self._violators(alpha, y)
        score = y - u
        top = score[up].max() if up.any() else score[low].min()
        bottom = score[low].min() if low.any() else top
        return float((top + bottom) / 2)

    def decision_function(self, X: Any) -> np.ndarray:
        """f(x) = sum over support vectors of alpha_i y_i K(x_i, x) + b, (N,)."""
        check_fitted(self, "support_vectors_")
        X = check_X(X, "KernelSVM")
        check_n_features(self, X)
        return self._gram(X, self.support_vectors_) @ self.dual_coef_ + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        """+1 (or 1) where f(x) > 0, else -1 (or 0); (N,)."""
        return np.where(self.decision_function(X) > 0, self.classes_[1], self.classes_[0])

    def __repr__(self) -> str:
        return f"KernelSVM(C={self.C}, kernel={self.kernel!r}, gamma={self.gamma!r})"
