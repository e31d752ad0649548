"""shendu.ml linear models: the normal equation and gradient descent against numpy.linalg.lstsq
on the house-price data, ridge against its closed form, logistic regression with polynomial
features on two rings, softmax regression against torch, PolynomialFeatures' column order."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from shendu.ml.linear_regression import LinearRegression
from shendu.ml.logistic_regression import LogisticRegression
from shendu.ml.polynomial_features import PolynomialFeatures
from shendu.ml.softmax_regression import SoftmaxRegression

HOUSE_COLUMNS = ["OverallQual", "GrLivArea", "GarageCars", "TotalBsmtSF", "YearBuilt",
                 "LotArea", "FullBath", "Fireplaces"]


def two_rings(n: int, noise: float = 0.1, seed: int = 0):
    """Points on circles of radius 1 (label 0) and 0.5 (label 1) plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    inner = np.arange(n) % 2 == 1
    radius = np.where(inner, 0.5, 1.0)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), inner.astype(np.int64)


@functools.lru_cache(maxsize=1)
def load_house(root: Path):
    """Eight numeric house-price features (standardised again on the 1460 training rows, as
    gradient descent needs) and log(SalePrice). The full 331 one-hot columns are
    rank-deficient (GrLivArea = 1stFlrSF + 2ndFlrSF + LowQualFinSF, indicator blocks sum
    to 1), where least squares has no unique solution to compare."""
    from shendu.data.datasets.tabular import load_house_prices
    from shendu.data.preprocessing import StandardScaler
    X, y, _, _, names = load_house_prices(root, log_labels=True, dtype=np.float64)
    X = X[:, [names.index(c) for c in HOUSE_COLUMNS]]
    return StandardScaler().fit_transform(X), y[:, 0]


@pytest.fixture
def house(shared_data):
    return load_house(shared_data / "tabular")


def lstsq_with_bias(X, y):
    theta = np.linalg.lstsq(np.hstack([X, np.ones((len(X), 1))]), y, rcond=None)[0]
    return theta[:-1], theta[-1]


@pytest.mark.data
def test_normal_equation_and_gd_agree_with_lstsq_on_house_prices(house):
    X, y = house
    w_ref, b_ref = lstsq_with_bias(X, y)
    normal = LinearRegression().fit(X, y)
    np.testing.assert_allclose(normal.coef_, w_ref, rtol=0, atol=1e-10)
    assert normal.intercept_ == pytest.approx(b_ref, abs=1e-10)
    # run to convergence: the loss changes by < 1e-15 per step (it is ~0.02 at the optimum)
    gd = LinearRegression(solver="gd", lr=0.3, tol=1e-15).fit(X, y)
    assert gd.converged_ and gd.n_iter_ < 1000
    np.testing.assert_allclose(gd.coef_, w_ref, rtol=0, atol=1e-6)   # |w| entries 0.001-0.14
    assert gd.intercept_ == pytest.approx(b_ref, abs=1e-9)
    assert gd.score(X, y) == pytest.approx(normal.score(X, y), abs=1e-10)
    assert 0.8 < normal.score(X, y) < 0.9                             # R^2 of log price


@pytest.mark.data
def test_gd_learning_curve_decreases_and_stops_on_the_epsilon_test(house):
    X, y = house
    gd = LinearRegression(solver="gd", lr=0.1, tol=1e-6).fit(X, y)
    history = np.array(gd.loss_history_)
    assert len(history) == gd.n_iter_ + 1
    assert np.all(np.diff(history) <= 0)                        # a stable step never goes up
    assert history[0] == pytest.approx(np.mean(y ** 2) / 2)     # w = 0, b = 0 at the start
    assert abs(history[-2] - history[-1]) < 1e-6 <= abs(history[-3] - history[-2])
    capped = LinearRegression(solver="gd", lr=0.1, max_iter=5, tol=0.0).fit(X, y)
    assert capped.n_iter_ == 5 and not capped.converged_


def test_gd_too_large_a_step_raises():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3)) * 10
    with pytest.raises(ValueError, match="LinearRegression: gradient descent diverged"):
        LinearRegression(solver="gd", lr=1.0).fit(X, X @ [1.0, 2.0, 3.0])


def test_ridge_matches_the_closed_form_and_a_direct_solve():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 5)) + 3.0
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 7.0 + 0.1 * rng.standard_normal(40)
    lam = 2.5
    model = LinearRegression(lam=lam).fit(X, y)
    # direct solve of the augmented system with penalty lam on w and none on b
    A = np.hstack([X, np.ones((40, 1))])
    theta = np.linalg.solve(A.T @ A + lam * np.diag([1.0] * 5 + [0.0]), A.T @ y)
    np.testing.assert_allclose(model.coef_, theta[:-1], rtol=1e-10, atol=1e-12)
    assert model.intercept_ == pytest.approx(theta[-1], rel=1e-10)
    # the textbook closed form w = (X^T X + lam I)^-1 X^T y without an intercept
    plain = LinearRegression(lam=lam, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(plain.coef_, np.linalg.inv(X.T @ X + lam * np.eye(5)) @ X.T @ y,
                               rtol=1e-9)
    assert plain.intercept_ == 0.0
    # gradient descent on the same objective reaches the same point
    Xs = (X - X.mean(0)) / X.std(0)
    gd = LinearRegression(solver="gd", lam=lam, lr=0.5, tol=1e-16).fit(Xs, y)
    closed = LinearRegression(lam=lam).fit(Xs, y)
    np.testing.assert_allclose(gd.coef_, closed.coef_, atol=1e-6)
    # shrinkage: a larger lambda gives a smaller |w|
    assert np.linalg.norm(LinearRegression(lam=100.0).fit(X, y).coef_) < \
        np.linalg.norm(model.coef_)


def test_polynomial_features_column_order_and_names():
    X = np.array([[2.0, 3.0], [1.0, -1.0]])
    poly = PolynomialFeatures(degree=3)
    out = poly.fit_transform(X)
    x0, x1 = 2.0, 3.0
    expected = [1, x0, x1, x0**2, x0 * x1, x1**2, x0**3, x0**2 * x1, x0 * x1**2, x1**3]
    np.testing.assert_allclose(out[0], expected)
    assert poly.get_feature_names_out() == ["1", "x0", "x1", "x0^2", "x0 x1", "x1^2", "x0^3",
                                            "x0^2 x1", "x0 x1^2", "x1^3"]
    no_bias = PolynomialFeatures(2, include_bias=False).fit_transform(np.ones((1, 3)))
    assert no_bias.shape == (1, 9)                  # C(3 + 2, 2) - 1


def test_logistic_regression_with_polynomial_features_separates_rings():
    X, y = two_rings(300, noise=0.08)
    X_test, y_test = two_rings(200, noise=0.08, seed=1)
    linear = LogisticRegression().fit(X, y)
    assert linear.score(X_test, y_test) < 0.7
    poly = PolynomialFeatures(2, include_bias=False)
    model = LogisticRegression(lr=1.0, max_iter=3000).fit(poly.fit_transform(X), y)
    assert model.score(poly.transform(X_test), y_test) >= 0.97
    # the boundary is a circle: z = w . [x0, x1, x0^2, x0 x1, x1^2] + b with the square terms
    # equal and negative (inner ring is class 1), the odd terms small
    w = model.coef_
    assert w[2] < 0 and w[4] < 0 and abs(w[2] - w[4]) < 0.2 * abs(w[2])
    assert max(abs(w[0]), abs(w[1]), abs(w[3])) < 0.1 * abs(w[2])
    radius = np.sqrt(-model.intercept_ / w[2])
    assert 0.6 < radius < 0.9                       # between the rings at 0.5 and 1
    proba = model.predict_proba(poly.transform(X_test))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba[:, 1] > 0.5, model.predict(poly.transform(X_test)) == 1)


def test_logistic_regression_accepts_plus_minus_one_labels_and_l2_shrinks():
    X, y = two_rings(100)
    P = PolynomialFeatures(2).fit_transform(X)
    a = LogisticRegression(max_iter=500).fit(P, y)
    b = LogisticRegression(max_iter=500).fit(P, 2 * y - 1)
    np.testing.assert_allclose(a.coef_, b.coef_)
    assert set(b.predict(P).tolist()) <= {-1, 1}
    shrunk = LogisticRegression(lam=50.0, max_iter=500).fit(P, y)
    assert np.linalg.norm(shrunk.coef_) < np.linalg.norm(a.coef_)


def blobs(n_per_class: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]])
    X = np.concatenate([c + 0.7 * rng.standard_normal((n_per_class, 2)) for c in centers])
    return X, np.repeat(np.arange(3), n_per_class)


def test_softmax_regression_classifies_three_blobs():
    X, y = blobs(60)
    X_test, y_test = blobs(60, seed=1)
    model = SoftmaxRegression(max_iter=2000).fit(X, y)
    assert model.score(X_test, y_test) >= 0.95
    np.testing.assert_allclose(model.predict_proba(X_test).sum(axis=1), 1.0)
    assert model.coef_.shape == (2, 3) and model.intercept_.shape == (3,)


@pytest.mark.torch
def test_softmax_regression_follows_torch_gradient_descent():
    torch = pytest.importorskip("torch")
    X, y = blobs(20)
    lam, lr, steps = 0.3, 0.5, 50
    model = SoftmaxRegression(lam=lam, lr=lr, max_iter=steps, tol=0.0).fit(X, y)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    W = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([W, b], lr=lr)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(Xt @ W + b, yt) + lam / (2 * len(X)) * \
            (W ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(model.coef_, W.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.intercept_, b.detach().numpy(), rtol=1e-10, atol=1e-12)
