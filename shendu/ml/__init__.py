"""Classic machine learning in plain NumPy, the algorithms the curriculum derives before deep
networks: linear regression (normal equation and gradient descent), logistic and softmax
regression, polynomial features, Rosenblatt's perceptron, linear and kernel SVMs, decision
trees by information gain, learning curves and hyper-parameter search.

The estimators follow scikit-learn's shape: ``fit(X, y)`` returns the estimator,
``predict(X)``, ``score(X, y)`` (accuracy or R^2), fitted attributes end in ``_``.
"""

from shendu.ml.decision_tree import DecisionTreeClassifier, entropy, information_gain
from shendu.ml.kernel_svm import KernelSVM
from shendu.ml.kernels import linear_kernel, polynomial_kernel, rbf_kernel
from shendu.ml.linear_regression import LinearRegression
from shendu.ml.linear_svm import LinearSVM
from shendu.ml.logistic_regression import LogisticRegression, sigmoid
from shendu.ml.model_selection import (
    LearningCurve,
    error_rate,
    learning_curve,
    mean_squared_error,
    train_val_test_split,
)
from shendu.ml.perceptron import Perceptron
from shendu.ml.plot import decision_grid, plot_decision_boundaries
from shendu.ml.polynomial_features import PolynomialFeatures
from shendu.ml.search import (
    Choice,
    IntUniform,
    LogUniform,
    SearchResult,
    Uniform,
    coarse_to_fine_search,
    random_search,
)
from shendu.ml.softmax_regression import SoftmaxRegression, softmax
from shendu.ml.toy_data import make_circles, make_separable

__all__ = [
    "LinearRegression", "LogisticRegression", "SoftmaxRegression", "PolynomialFeatures",
    "Perceptron", "LinearSVM", "KernelSVM", "DecisionTreeClassifier",
    "entropy", "information_gain", "sigmoid", "softmax",
    "linear_kernel", "polynomial_kernel", "rbf_kernel",
    "train_val_test_split", "learning_curve", "LearningCurve", "mean_squared_error",
    "error_rate",
    "random_search", "coarse_to_fine_search", "Uniform", "LogUniform", "IntUniform", "Choice",
    "SearchResult", "decision_grid", "plot_decision_boundaries", "make_circles",
    "make_separable",
]
