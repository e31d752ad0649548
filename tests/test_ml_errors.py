"""shendu.ml's bad-input errors: every estimator says who it is, what it expected and what it
got, for mismatched lengths, NaN/inf, wrong label sets, predict before fit and a feature
count that differs from fit."""

from __future__ import annotations

import numpy as np
import pytest

from shendu.ml.decision_tree import DecisionTreeClassifier
from shendu.ml.kernel_svm import KernelSVM
from shendu.ml.linear_regression import LinearRegression
from shendu.ml.linear_svm import LinearSVM
from shendu.ml.logistic_regression import LogisticRegression
from shendu.ml.perceptron import Perceptron
from shendu.ml.polynomial_features import PolynomialFeatures
from shendu.ml.softmax_regression import SoftmaxRegression

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 2.0]])
Y = np.array([0, 1, 1, 0])
ESTIMATORS = [LinearRegression, lambda: LinearRegression(solver="gd"),
              lambda: LogisticRegression(max_iter=20), lambda: SoftmaxRegression(max_iter=20),
              Perceptron, LinearSVM, KernelSVM, DecisionTreeClassifier]
IDS = ["LinearRegression", "LinearRegression-gd", "LogisticRegression", "SoftmaxRegression",
       "Perceptron", "LinearSVM", "KernelSVM", "DecisionTreeClassifier"]


def name_of(model) -> str:
    return type(model).__name__


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_lengths_differ(make):
    model = make()
    with pytest.raises(ValueError, match=rf"{name_of(model)}: X and y must have the same "
                                         rf"number of samples, got 4 rows in X and 3 labels"):
        model.fit(X, Y[:3])


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X(make, bad):
    model = make()
    X_bad = X.copy()
    X_bad[2, 1] = bad
    with pytest.raises(ValueError, match=rf"{name_of(model)}: X must hold finite numbers, "
                                         rf"got {bad}"):
        model.fit(X_bad, Y)


@pytest.mark.parametrize("make", ESTIMATORS[:-1], ids=IDS[:-1])
def test_nan_in_y(make):
    model = make()
    with pytest.raises(ValueError, match=rf"{name_of(model)}: y must hold finite numbers"):
        model.fit(X, np.array([0.0, np.nan, 1.0, 0.0]))


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_predict_before_fit(make):
    model = make()
    with pytest.raises(ValueError, match=rf"{name_of(model)}: this estimator is not fitted "
                                         rf"yet; call fit\(X, y\)"):
        model.predict(X)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_feature_count_differs_from_fit(make):
    model = make().fit(X, Y)
    with pytest.raises(ValueError, match=rf"{name_of(model)}: X has 3 features, but the "
                                         rf"\w+ was fitted with 2 features"):
        model.predict(np.ones((2, 3)))


def test_wrong_label_sets():
    for model in (LogisticRegression(), Perceptron(), LinearSVM(), KernelSVM()):
        with pytest.raises(ValueError, match=rf"{name_of(model)}: labels must be in "
                                             rf"\{{-1, \+1\}} or in \{{0, 1\}}, got the label "
                                             rf"set \[0, 1, 2\]"):
            model.fit(X, [0, 1, 2, 1])
    with pytest.raises(ValueError, match=r"SoftmaxRegression: labels must be class indices "
                                         r"0, 1, ..., K-1, got \[0.5\]"):
        SoftmaxRegression().fit(X, [0, 0.5, 1, 1])
    with pytest.raises(ValueError, match=r"SoftmaxRegression: labels must be in \[0, 1\] for "
                                         r"n_classes=2, got the label 2"):
        SoftmaxRegression(n_classes=2).fit(X, [0, 1, 2, 1])


def test_shapes_and_options():
    with pytest.raises(ValueError, match=r"LinearRegression: X must be 2-D \(n_samples, "
                                         r"n_features\), got shape \(4,\) \(use X.reshape"):
        LinearRegression().fit(X[:, 0], Y)
    with pytest.raises(ValueError, match=r"LogisticRegression: y must be 1-D"):
        LogisticRegression().fit(X, np.ones((4, 2)))
    with pytest.raises(ValueError, match="LinearRegression: solver must be one of"):
        LinearRegression(solver="svd")
    with pytest.raises(ValueError, match="KernelSVM: kernel must be one of"):
        KernelSVM(kernel="sigmoid")
    with pytest.raises(ValueError, match="Perceptron: max_epochs must be an int >= 1, got 0"):
        Perceptron(max_epochs=0)
    with pytest.raises(ValueError, match="LinearRegression: lam must be a number >= 0"):
        LinearRegression(lam=-1.0)
    with pytest.raises(ValueError, match="PolynomialFeatures: X has 3 features, but"):
        PolynomialFeatures().fit(X).transform(np.ones((1, 3)))
    with pytest.raises(ValueError, match="DecisionTreeClassifier: column 0 .categorical. has "
                                         "a missing value"):
        DecisionTreeClassifier().fit(np.array([["a"], [None]], dtype=object), [0, 1])
    with pytest.raises(ValueError, match="LogisticRegression.score: X and y must have the same"):
        LogisticRegression(max_iter=5).fit(X, Y).score(X, Y[:2])


def test_tensors_are_accepted():
    import shendu
    model = LinearRegression().fit(shendu.tensor(X), shendu.tensor(Y.astype(np.float32)))
    np.testing.assert_allclose(model.predict(X), LinearRegression().fit(X, Y).predict(X),
                               atol=1e-6)
