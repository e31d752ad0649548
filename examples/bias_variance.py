"""Bias and variance with polynomial regression: fitting y = sin(pi x) + noise with polynomials
of growing degree (the normal equation on PolynomialFeatures), then the learning curves of a
high-bias model (degree 1) and a high-variance one (degree 12), and what ridge does to the
latter.

- High bias: training and validation error meet early, both high; more data does not help.
- High variance: training error far below validation error; the gap closes with more data
  (or with a penalty lam |w|^2, the ridge solution w = (X^T X + lam I)^-1 X^T y).

The validation set is held out with ``train_val_test_split``; the test set is looked at once,
for the degree chosen on validation.

    python examples/bias_variance.py [--n 200] [--out runs/examples]

writes ``bias_variance.png`` (error against degree; learning curves) to ``--out`` (needs
matplotlib, an optional extra).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from shendu import plot
from shendu.ml.linear_regression import LinearRegression
from shendu.ml.model_selection import learning_curve, mean_squared_error, train_val_test_split
from shendu.ml.polynomial_features import PolynomialFeatures

NOISE = 0.3   # standard deviation of the noise: no model's expected error is below 0.09


class PolynomialRegression:
    """PolynomialFeatures(degree) followed by LinearRegression(lam), one estimator."""

    def __init__(self, degree: int, lam: float = 0.0) -> None:
        self.features = PolynomialFeatures(degree, include_bias=False)
        self.model = LinearRegression(lam=lam)

    def fit(self, X, y):
        self.model.fit(self.features.fit_transform(X), y)
        return self

    def predict(self, X):
        return self.model.predict(self.features.transform(X))


def make_data(n: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 1))
    return X, np.sin(np.pi * X[:, 0]) + NOISE * rng.standard_normal(n)


def degree_sweep(X_train, y_train, X_val, y_val, degrees):
    """(train MSE, validation MSE) for each degree."""
    errors = []
    for degree in degrees:
        model = PolynomialRegression(degree).fit(X_train, y_train)
        errors.append((mean_squared_error(y_train, model.predict(X_train)),
                       mean_squared_error(y_val, model.predict(X_val))))
    return np.array(errors)


def save_figure(degrees, errors, curves, path: Path) -> None:
    try:
        fig = plot.figure(figsize=(10, 4))
    except ImportError as err:
        print(f"{err}: no figure written")
        return
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(degrees, errors[:, 0], "o-", label="training")
    ax.plot(degrees, errors[:, 1], "s-", label="validation")
    ax.axhline(NOISE ** 2, color="gray", ls=":", label="noise variance")
    ax.set(xlabel="polynomial degree", ylabel="mean squared error", yscale="log",
           title="error against model complexity")
    ax.legend()
    ax = fig.add_subplot(1, 2, 2)
    for (name, curve), color in zip(curves.items(), ["C0", "C1", "C2"]):
        ax.plot(curve.train_sizes, curve.train_errors, "--", color=color, label=f"{name} train")
        ax.plot(curve.train_sizes, curve.val_errors, "-", color=color, label=f"{name} val")
    ax.axhline(NOISE ** 2, color="gray", ls=":")
    # few points and degree 12: the validation error explodes (1e9); show the range that matters
    ax.set(xlabel="training examples", ylabel="mean squared error", yscale="log",
           title="learning curves", ylim=(5e-3, 3.0))
    ax.legend(fontsize=7)
    print(f"figure: {plot.save_figure(fig, path)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="examples in all")
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args()

    X, y = make_data(args.n, seed=0)
    X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(
        X, y, val_size=0.25, test_size=0.25, seed=0)
    print(f"y = sin(pi x) + N(0, {NOISE}^2): {len(y_train)} training, {len(y_val)} validation, "
          f"{len(y_test)} test examples")
    degrees = [1, 2, 3, 4, 5, 7, 9, 12, 15]
    errors = degree_sweep(X_train, y_train, X_val, y_val, degrees)
    for degree, (train, val) in zip(degrees, errors):
        print(f"  degree {degree:>2}: train MSE {train:.4f}  validation MSE {val:.4f}")
    best = degrees[int(np.argmin(errors[:, 1]))]
    final = PolynomialRegression(best).fit(X_train, y_train)
    print(f"chosen on validation: degree {best}; test MSE "
          f"{mean_squared_error(y_test, final.predict(X_test)):.4f} "
          f"(noise variance {NOISE ** 2:.2f})")

    X_pool, y_pool = make_data(600, seed=1)           # a larger pool for the learning curves
    sizes = [15, 25, 40, 70, 120, 200, 300]
    curves = {
        "degree 1": learning_curve(lambda: PolynomialRegression(1), X_pool, y_pool, sizes,
                                   n_repeats=10, seed=0),
        "degree 12": learning_curve(lambda: PolynomialRegression(12), X_pool, y_pool, sizes,
                                    n_repeats=10, seed=0),
        "degree 12, lam 1e-3": learning_curve(lambda: PolynomialRegression(12, lam=1e-3),
                                              X_pool, y_pool, sizes, n_repeats=10, seed=0),
    }
    print("learning curves (mean of 10 draws per size; train / validation MSE):")
    print("  " + " " * 20 + " ".join(f"m={m:<13}" for m in sizes))
    for name, curve in curves.items():
        cells = " ".join(f"{t:.3f}/{v:<9.3g}" for t, v in zip(curve.train_errors,
                                                                curve.val_errors))
        print(f"  {name:<20}{cells}")
    save_figure(degrees, errors, curves, args.out / "bias_variance.png")


if __name__ == "__main__":
    main()
