"""Rosenblatt's perceptron learning rule."""

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

__all__ = ["Perceptron"]


class Perceptron(LinearBinaryClassifier):
    """Rosenblatt's perceptron: f(x) = sign(w . x + b), trained one mistake at a time.

    Each epoch visits the samples in order (a fresh random order with ``shuffle=True``); a
    sample is misclassified when y_i (w . x_i + b) <= 0 (a point on the boundary counts as
    a mistake, so training starts from w = 0, b = 0), and then

        w <- w + eta * y_i * x_i,    b <- b + eta * y_i.

    Training stops after the first epoch with no mistake (``converged_ = True``) or after
    ``max_epochs`` epochs (``converged_ = False``). On linearly separable data with margin
    gamma and radius R = max |x_i| (with the bias folded in as a constant feature),
    Novikoff's theorem bounds the number of updates by (R / gamma)^2, so the rule converges;
    on XOR there is no separating line and it never does.

    Args:
        eta: the learning rate (with w0 = 0 it only scales w and b, not the predictions).
        max_epochs: the most passes over the data.
        shuffle: visit the samples in a random order each epoch.
        seed: the seed of that order.

    Labels: {-1, +1}; {0, 1} is accepted and 0 is mapped to -1 (``predict`` answers in the
    encoding given to ``fit``).

    Attributes (after fit): coef_ (D,), intercept_, n_updates_ (total updates),
    n_epochs_ (epochs run), converged_, mistakes_per_epoch_ (list), classes_.
    """

    def __init__(self, eta: float = 1.0, max_epochs: int = 100, shuffle: bool = False,
                 seed: int = 0) -> None:
        self.eta = check_positive(eta, "eta", "Perceptron")
        self.max_epochs = check_count(max_epochs, "max_epochs", "Perceptron")
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.coef_: np.ndarray | None = None
        self.intercept_ = 0.0

    def fit(self, X: Any, y: Any) -> Perceptron:
        """Run the perceptron rule on X (N, D), y (N,); returns self."""
        X, y = check_X_y(X, y, "Perceptron")
        y, self.classes_ = binary_labels(y, "Perceptron")
        self.n_features_in_ = X.shape[1]
        rng = np.random.default_rng(self.seed)
        w, b = np.zeros(X.shape[1]), 0.0
        self.n_updates_, self.mistakes_per_epoch_, self.converged_ = 0, [], False
        for epoch in range(1, self.max_epochs + 1):
            order = rng.permutation(len(X)) if self.shuffle else range(len(X))
            mistakes = 0
            for i in order:
                if y[i] * (X[i] @ w + b) <= 0:
                    w += self.eta * y[i] * X[i]
                    b += self.eta * y[i]
                    mistakes += 1
            self.mistakes_per_epoch_.append(mistakes)
            self.n_updates_ += mistakes
            self.n_epochs_ = epoch
            if mistakes == 0:
                self.converged_ = True
                break
        self.coef_, self.intercept_ = w, float(b)
        return self

    def __repr__(self) -> str:
        return f"Perceptron(eta={self.eta}, max_epochs={self.max_epochs})"
