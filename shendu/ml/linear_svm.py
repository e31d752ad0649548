"""The linear soft-margin SVM, trained in the primal by Pegasos (stochastic subgradient)."""

from __future__ import annotations

from typing import Any

import numpy as np

from shendu.ml._validation import (
    binary_labels,
    check_count,
    check_positive,
    check_X_y,
)
from shendu.ml.base import LinearBinaryClassifier

__all__ = ["LinearSVM"]


class LinearSVM(LinearBinaryClassifier):
    """Linear SVM with the hinge loss and an L2 penalty, the primal problem

        J(w, b) = 1/2 |w|^2 + C * sum_i max(0, 1 - y_i (w . x_i + b)),   y_i in {-1, +1},

    the same C as :class:`KernelSVM` with ``kernel="linear"``. It is minimised by Pegasos
    (Shalev-Shwartz et al., 2007): dividing J by C N gives lam/2 |w|^2 + mean hinge with
    lam = 1 / (C N); at step t a minibatch B (``batch_size`` samples) gives the subgradient

        g = lam w - 1/|B| * sum_{i in B, y_i (w . x_i + b) < 1} y_i x_i,

    and w <- w - eta_t g with eta_t = 1 / (lam t). The bias is learnt as the weight of a
    constant feature 1 appended to x, so it is penalised too (lightly: lam is small); that
    keeps Pegasos' convergence guarantee. The returned w is the average of the iterates
    of the last half of training, which is steadier than the last iterate.

    Args:
        C: the penalty on margin violations (> 0).
        epochs: passes over the shuffled data.
        batch_size: samples per subgradient step.
        seed: the seed of the shuffling.

    Labels: {-1, +1} ({0, 1} accepted, 0 -> -1).

    Attributes (after fit): coef_ (D,), intercept_, classes_, n_iter_ (steps), n_features_in_.
    """

    def __init__(self, C: float = 1.0, epochs: int = 50, batch_size: int = 16,
                 seed: int = 0) -> None:
        self.C = check_positive(C, "C", "LinearSVM")
        self.epochs = check_count(epochs, "epochs", "LinearSVM")
        self.batch_size = check_count(batch_size, "batch_size", "LinearSVM")
        self.seed = seed
        self.coef_: np.ndarray | None = None
        self.intercept_ = 0.0

    def fit(self, X: Any, y: Any) -> LinearSVM:
        """Minimise J on X (N, D), y (N,); returns self."""
        X, y = check_X_y(X, y, "LinearSVM")
        y, self.classes_ = binary_labels(y, "LinearSVM")
        self.n_features_in_ = X.shape[1]
        Xb = np.hstack([X, np.ones((len(X), 1))])    # the bias as a constant feature
        lam = 1.0 / (self.C * len(X))
        rng = np.random.default_rng(self.seed)
        w, w_sum, n_sum, t = np.zeros(Xb.shape[1]), np.zeros(Xb.shape[1]), 0, 0
        for epoch in range(self.epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), self.batch_size):
                batch = order[start:start + self.batch_size]
                t += 1
                violated = batch[y[batch] * (Xb[batch] @ w) < 1]
                grad = lam * w - (y[violated] @ Xb[violated]) / len(batch)
                w -= grad / (lam * t)
                if epoch >= self.epochs // 2:
                    w_sum += w
                    n_sum += 1
        w = w_sum / n_sum
        self.coef_, self.intercept_, self.n_iter_ = w[:-1], float(w[-1]), t
        return self

    def __repr__(self) -> str:
        return f"LinearSVM(C={self.C}, epochs={self.epochs})"
