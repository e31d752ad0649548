"""Polynomial feature expansion, the trick that lets a linear model draw curved boundaries."""

from __future__ import annotations

from itertools import combinations_with_replacement
from typing import Any

import numpy as np

from shendu.ml._validation import check_count, check_fitted, check_n_features, check_X

__all__ = ["PolynomialFeatures"]


class PolynomialFeatures:
    """All monomials of the D input features of total degree <= ``degree``.

    The columns are in scikit-learn's order: by degree (the bias column 1 first when
    ``include_bias``), and within a degree the combinations with replacement of the feature
    indices in lexicographic order. For two features and degree 2:

        [1, x0, x1, x0^2, x0 x1, x1^2]

    There are C(D + degree, degree) columns with the bias, one fewer without.

    Args:
        degree: the highest total degree, >= 1.
        include_bias: start with the all-ones column.

    Shape: X (N, D) -> (N, n_output_features_).

    >>> PolynomialFeatures(2).fit_transform([[2.0, 3.0]]).tolist()
    [[1.0, 2.0, 3.0, 4.0, 6.0, 9.0]]
    """

    def __init__(self, degree: int = 2, include_bias: bool = True) -> None:
        self.degree = check_count(degree, "degree", "PolynomialFeatures")
        self.include_bias = bool(include_bias)
        self.powers_: np.ndarray | None = None

    def fit(self, X: Any, y: Any = None) -> PolynomialFeatures:
        """Record the feature count and the exponent table ``powers_`` (F_out, D)."""
        X = check_X(X, "PolynomialFeatures")
        self.n_features_in_ = d = X.shape[1]
        rows = []
        for degree in range(0 if self.include_bias else 1, self.degree + 1):
            for combo in combinations_with_replacement(range(d), degree):
                rows.append(np.bincount(np.array(combo, dtype=np.int64), minlength=d))
        self.powers_ = np.array(rows, dtype=np.int64).reshape(len(rows), d)
        self.n_output_features_ = len(rows)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Column j is prod_k x_k ** powers_[j, k]; (N, n_output_features_) float64."""
        check_fitted(self, "powers_")
        X = check_X(X, "PolynomialFeatures")
        check_n_features(self, X)
        return np.prod(X[:, None, :] ** self.powers_[None, :, :], axis=2)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def get_feature_names_out(self, input_features: list[str] | None = None) -> list[str]:
        """Names such as "1", "x0", "x0^2", "x0 x1"."""
        check_fitted(self, "powers_")
        names = input_features or [f"x{i}" for i in range(self.n_features_in_)]
        out = []
        for powers in self.powers_:
            terms = [n if p == 1 else f"{n}^{p}" for n, p in zip(names, powers) if p > 0]
            out.append(" ".join(terms) or "1")
        return out

    def __repr__(self) -> str:
        return f"PolynomialFeatures(degree={self.degree}, include_bias={self.include_bias})"
