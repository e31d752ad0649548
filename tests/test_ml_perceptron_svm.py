"""shendu.ml's perceptron rule (converges on separable data, not on XOR) and SVMs (the kernel
SVM separates two noisy rings, a linear one cannot; the dual solution satisfies the KKT
conditions)."""

from __future__ import annotations

import numpy as np
import pytest

from shendu.ml.kernel_svm import KernelSVM
from shendu.ml.kernels import polynomial_kernel, rbf_kernel
from shendu.ml.linear_svm import LinearSVM
from shendu.ml.perceptron import Perceptron

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def separable(n: int = 100, margin: float = 0.2, seed: int = 0):
    """Points with |x . u + 0.3| >= margin for the unit normal u, labelled by its sign."""
    rng = np.random.default_rng(seed)
    u = np.array([1.0, -2.0]) / np.sqrt(5.0)
    X = rng.uniform(-2, 2, (4 * n, 2))
    score = X @ u + 0.3
    keep = np.abs(score) >= margin
    return X[keep][:n], np.where(score[keep][:n] > 0, 1, -1)


def two_rings(n: int, noise: float = 0.1, seed: int = 0):
    """Radius 1 (label -1) and radius 0.5 (label +1), Gaussian noise of std ``noise``."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    inner = np.arange(n) % 2 == 1
    radius = np.where(inner, 0.5, 1.0)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), np.where(inner, 1, -1)


def test_perceptron_converges_on_separable_data_within_novikoffs_bound():
    X, y = separable()
    model = Perceptron(max_epochs=1000).fit(X, y)
    assert model.converged_
    assert np.all(y * model.decision_function(X) > 0)      # every point on its side
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.mistakes_per_epoch_[-1] == 0
    assert model.n_updates_ == sum(model.mistakes_per_epoch_) > 0
    # Novikoff: updates <= (R / gamma)^2, R and gamma with the bias as a constant feature 1
    Xb = np.hstack([X, np.ones((len(X), 1))])
    u = np.array([1.0, -2.0, 0.3 * np.sqrt(5.0)])
    gamma = np.min(y * (Xb @ u)) / np.linalg.norm(u)
    R = np.max(np.linalg.norm(Xb, axis=1))
    assert model.n_updates_ <= (R / gamma) ** 2


def test_perceptron_update_rule_by_hand():
    # the first point is misclassified at w = 0 (score 0 counts as a mistake):
    # w = 0 + eta y x = 0.5 [1, 2], b = 0 + eta y = 0.5
    X = np.array([[1.0, 2.0], [-1.0, -1.0]])
    y = np.array([1, -1])
    model = Perceptron(eta=0.5, max_epochs=1).fit(X, y)
    # point 2: y (w . x + b) = -1 * (0.5 * (-1 - 2) + 0.5) = 1 > 0, no update
    np.testing.assert_allclose(model.coef_, [0.5, 1.0])
    assert model.intercept_ == 0.5 and model.n_updates_ == 1


def test_perceptron_does_not_separate_xor():
    model = Perceptron(max_epochs=100).fit(XOR_X, XOR_Y)
    assert not model.converged_ and model.n_epochs_ == 100
    assert all(m > 0 for m in model.mistakes_per_epoch_)
    assert np.any(model.predict(XOR_X) != XOR_Y)            # at least one point wrong
    assert set(model.predict(XOR_X).tolist()) <= {0, 1}     # answers in the {0, 1} encoding


def test_kernel_svm_separates_rings_and_linear_svm_does_not():
    X, y = two_rings(300, noise=0.1)
    X_test, y_test = two_rings(200, noise=0.1, seed=1)
    rbf = KernelSVM(C=1.0, kernel="rbf", gamma=2.0).fit(X, y)
    assert rbf.converged_
    assert rbf.score(X_test, y_test) >= 0.97
    poly = KernelSVM(C=1.0, kernel="poly", degree=2, gamma=1.0, coef0=1.0).fit(X, y)
    assert poly.score(X_test, y_test) >= 0.97
    assert LinearSVM(C=1.0).fit(X, y).score(X_test, y_test) < 0.7
    assert KernelSVM(kernel="linear").fit(X, y).score(X_test, y_test) < 0.7


def test_kernel_svm_dual_solution_satisfies_kkt():
    X, y = two_rings(120, noise=0.15, seed=3)
    C = 2.0
    model = KernelSVM(C=C, kernel="rbf", gamma=1.5, tol=1e-4).fit(X, y)
    alpha = np.zeros(len(X))
    alpha[model.support_] = model.dual_coef_ * y[model.support_]
    assert np.all(alpha >= 0) and np.all(alpha <= C + 1e-12)
    assert abs(alpha @ y) < 1e-9                            # sum alpha_i y_i = 0
    margin = y * model.decision_function(X)
    tol = 1e-3
    assert np.all(margin[alpha < 1e-8] >= 1 - tol)         # non-support vectors: outside
    free = (alpha > 1e-8) & (alpha < C - 1e-8)
    assert free.any()
    np.testing.assert_allclose(margin[free], 1.0, atol=tol)  # free ones: on the margin
    assert np.all(margin[alpha >= C - 1e-8] <= 1 + tol)     # bounded ones: inside
    np.testing.assert_allclose(model.support_vectors_, X[model.support_])


def test_linear_svm_agrees_with_the_dual_on_separable_data():
    X, y = separable(80, margin=0.3, seed=2)
    primal = LinearSVM(C=10.0, epochs=200).fit(X, y)
    dual = KernelSVM(C=10.0, kernel="linear", tol=1e-6).fit(X, y)
    assert primal.score(X, y) == 1.0 and dual.score(X, y) == 1.0
    w_dual = dual.dual_coef_ @ dual.support_vectors_
    cosine = primal.coef_ @ w_dual / np.linalg.norm(primal.coef_) / np.linalg.norm(w_dual)
    assert cosine > 0.99
    # the hard-margin width 2 / |w| is the gap between the classes along u, at least 2 * 0.3
    assert 2 / np.linalg.norm(w_dual) >= 0.6 - 1e-6


def test_kernels_by_hand():
    A, B = np.array([[1.0, 0.0]]), np.array([[0.0, 2.0], [1.0, 1.0]])
    np.testing.assert_allclose(rbf_kernel(A, B, 0.5), [[np.exp(-2.5), np.exp(-0.5)]])
    np.testing.assert_allclose(polynomial_kernel(A, B, 1.0, 2, 1.0), [[1.0, 4.0]])


def test_svm_labels_in_zero_one_are_mapped():
    X, y = two_rings(100)
    model = KernelSVM(gamma=2.0).fit(X, (y + 1) // 2)
    assert set(model.predict(X).tolist()) <= {0, 1}
    assert model.score(X, (y + 1) // 2) >= 0.97


@pytest.mark.parametrize("bad", [np.array([0, 1, 2, 1]), np.array([-1, 0, 1, 1])])
def test_svm_and_perceptron_reject_other_label_sets(bad):
    for model in (Perceptron(), LinearSVM(), KernelSVM()):
        with pytest.raises(ValueError, match=f"{type(model).__name__}: labels must be in"):
            model.fit(XOR_X, bad)


def test_toy_data_sets():
    from shendu.ml.toy_data import make_circles, make_separable
    X, y = make_separable(50, margin=0.25, seed=4)
    assert X.shape == (50, 2) and set(y.tolist()) == {-1, 1}
    distance = X @ (np.array([1.0, -2.0]) / np.sqrt(5.0)) + 0.3
    assert np.all(np.abs(distance) >= 0.25) and np.all(np.sign(distance) == y)
    X, y = make_circles(400, noise=0.0, factor=0.3)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    np.testing.assert_allclose(radius[y == -1], 1.0)
    assert (y == 1).sum() == 200


def test_decision_grid_and_boundary_figure(tmp_path):
    from shendu.ml.plot import decision_grid, plot_decision_boundaries
    X, y = two_rings(60)
    model = KernelSVM(gamma=2.0).fit(X, y)
    xx, yy, zz = decision_grid(model.decision_function, X, resolution=30)
    assert xx.shape == yy.shape == zz.shape == (30, 30)
    assert zz[15, 15] > 0 > zz[0, 0]                 # centre inside (+1), corner outside
    pytest.importorskip("matplotlib")
    path = plot_decision_boundaries({"rbf": (model.decision_function, None)}, X, y,
                                    tmp_path / "sub" / "svm.png",
                                    highlight={"rbf": model.support_vectors_})
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
