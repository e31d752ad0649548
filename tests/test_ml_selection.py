"""shendu.ml model selection: train/validation/test splits, learning curves with the expected
bias/variance trends, random and coarse-to-fine search on functions with a known optimum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shendu.ml.linear_regression import LinearRegression
from shendu.ml.model_selection import (
    error_rate,
    learning_curve,
    mean_squared_error,
    train_val_test_split,
)
from shendu.ml.search import (
    Choice,
    IntUniform,
    LogUniform,
    Uniform,
    coarse_to_fine_search,
    random_search,
)


def test_train_val_test_split_sizes_disjoint_and_reproducible():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50)
    parts = train_val_test_split(X, y, val_size=0.2, test_size=0.1, seed=3)
    X_train, X_val, X_test, y_train, y_val, y_test = parts
    assert (len(y_train), len(y_val), len(y_test)) == (35, 10, 5)
    rows = np.concatenate([y_train, y_val, y_test])
    assert sorted(rows.tolist()) == list(range(50))                # disjoint, complete
    np.testing.assert_array_equal(X_val[:, 0] // 2, y_val)         # X and y rows stay paired
    again = train_val_test_split(X, y, val_size=0.2, test_size=0.1, seed=3)
    for a, b in zip(parts, again):
        np.testing.assert_array_equal(a, b)
    assert len(train_val_test_split(X, y, val_size=7, test_size=3)[4]) == 7
    with pytest.raises(ValueError, match="leave no training rows"):
        train_val_test_split(X, y, val_size=0.5, test_size=0.5)


def test_losses_by_hand():
    assert mean_squared_error([1.0, 2.0], [1.0, 4.0]) == 2.0
    assert error_rate([0, 1, 1, 0], [0, 1, 0, 0]) == 0.25


def noisy_line(n: int, seed: int, noise: float = 0.5):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 1))
    return X, 3.0 * X[:, 0] + 1.0 + noise * rng.standard_normal(n)


def test_learning_curve_trends_for_linear_regression():
    # a 10-feature linear model on a line: with few rows it overfits (train error far below
    # the noise variance 0.25, validation far above); both approach 0.25 as rows are added
    X, y = noisy_line(600, seed=0)
    rng = np.random.default_rng(1)
    X = np.hstack([X, rng.standard_normal((600, 9))])          # nine useless features
    curve = learning_curve(LinearRegression, X, y, train_sizes=[15, 30, 60, 120, 240, 450],
                           n_repeats=8, seed=0)
    assert curve.train_sizes.tolist() == [15, 30, 60, 120, 240, 450]
    assert curve.train_errors.shape == curve.val_errors.shape == (6,)
    assert np.all(np.diff(curve.train_errors) > 0)              # training error rises
    assert np.all(np.diff(curve.val_errors) < 0)                # validation error falls
    assert np.all(curve.val_errors > curve.train_errors)
    assert curve.train_errors[0] < 0.15 and curve.val_errors[0] > 0.4
    gap = curve.val_errors - curve.train_errors
    assert gap[-1] < 0.1 * gap[0]
    assert curve.train_errors[-1] == pytest.approx(0.25, rel=0.2)


def test_learning_curve_shows_high_bias_plateau():
    # a constant model (intercept only via zero features is not allowed, so a useless
    # feature) on a line: both errors plateau near var(y) = 3^2/3 + 0.25 = 3.25
    X, y = noisy_line(400, seed=2)
    X_val, y_val = noisy_line(400, seed=3)
    useless = np.random.default_rng(0).standard_normal((400, 1))
    curve = learning_curve(LinearRegression, useless, y, train_sizes=[0.25, 0.5, 1.0],
                           X_val=np.random.default_rng(1).standard_normal((400, 1)),
                           y_val=y_val, n_repeats=3)
    assert curve.train_sizes.tolist() == [100, 200, 400]
    np.testing.assert_allclose(curve.val_errors, 3.25, rtol=0.15)
    np.testing.assert_allclose(curve.train_errors, 3.25, rtol=0.15)


def bowl(lr: float, momentum: float) -> float:
    """A validation loss with its minimum at lr = 1e-3, momentum = 0.9."""
    return (math.log10(lr) + 3.0) ** 2 + 10 * (momentum - 0.9) ** 2


def test_random_search_finds_the_optimum_within_tolerance():
    space = {"lr": LogUniform(1e-6, 1.0), "momentum": Uniform(0.0, 1.0)}
    result = random_search(bowl, space, n_iter=200, seed=0)
    assert len(result.history) == 200
    assert result.best_score == min(score for _, score in result.history)
    assert abs(math.log10(result.best_params["lr"]) + 3) < 0.3      # within a factor of 2
    assert abs(result.best_params["momentum"] - 0.9) < 0.1


def test_log_uniform_draws_each_decade_equally_often():
    rng = np.random.default_rng(0)
    dist = LogUniform(1e-5, 1e-1)
    decades = np.floor(np.log10([dist.sample(rng) for _ in range(4000)]))
    counts = np.bincount((decades + 5).astype(int), minlength=4)
    np.testing.assert_allclose(counts / 4000, 0.25, atol=0.03)


def test_coarse_to_fine_beats_random_search_of_the_same_budget():
    space = {"lr": LogUniform(1e-6, 1.0), "momentum": Uniform(0.0, 1.0)}
    fine = coarse_to_fine_search(bowl, space, n_iter=30, n_rounds=4, shrink=0.5, seed=0)
    assert len(fine.history) == 120
    assert fine.best_score == min(score for _, score in fine.history)
    # the last round searches 6 * 0.5^3 = 0.75 decades of lr and 0.125 of momentum
    best = fine.best_params
    assert abs(math.log10(best["lr"]) + 3) < 0.05 and abs(best["momentum"] - 0.9) < 0.02
    # over several seeds, the typical (median) result beats 120 plain random trials
    fine_scores = [coarse_to_fine_search(bowl, space, 30, 4, 0.5, seed=s).best_score
                   for s in range(6)]
    plain_scores = [random_search(bowl, space, 120, seed=s).best_score for s in range(6)]
    assert np.median(fine_scores) < 0.25 * np.median(plain_scores)


def test_search_over_integer_and_categorical_parameters():
    space = {"lr": LogUniform(1e-6, 1.0), "layers": IntUniform(1, 5),
             "act": Choice(["relu", "tanh"])}

    def fn(lr, layers, act):
        return (math.log10(lr) + 3.0) ** 2 + (layers - 3) ** 2 + (act != "relu")

    for result in (random_search(fn, space, n_iter=100, seed=1),
                   coarse_to_fine_search(fn, space, n_iter=40, seed=1)):
        assert result.best_params["layers"] == 3 and result.best_params["act"] == "relu"
        assert isinstance(result.best_params["layers"], int)
        assert abs(math.log10(result.best_params["lr"]) + 3) < 0.3


def test_search_maximises_and_checks_its_space():
    result = random_search(lambda x: -(x - 2) ** 2, {"x": Uniform(0, 4)}, n_iter=100,
                           minimize=False)
    assert abs(result.best_params["x"] - 2) < 0.1
    with pytest.raises(ValueError, match="random_search: space must be a non-empty dict"):
        random_search(bowl, {}, n_iter=5)
    with pytest.raises(TypeError, match=r"space\['lr'\] must be"):
        random_search(bowl, {"lr": (1e-4, 1e-1)}, n_iter=5)
    with pytest.raises(ValueError, match="LogUniform: needs low > 0"):
        LogUniform(0.0, 1.0)


@pytest.mark.parametrize("module", ["decision_tree", "linear_regression", "polynomial_features",
                                    "search"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(f"shendu.ml.{module}"))
    assert result.attempted > 0 and result.failed == 0
