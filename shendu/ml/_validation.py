"""Input checks shared by the estimators of ``shendu.ml``: every error names the estimator
(``who``), what was expected and what was given, before NumPy can fail with a broadcasting
traceback."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["as_array", "check_X", "check_X_y", "check_fitted", "check_n_features",
           "binary_labels", "class_labels", "check_positive",
           "check_non_negative", "check_count"]


def as_array(data: Any, who: str, name: str, dtype: Any = np.float64) -> np.ndarray:
    """``data`` (array, list or shendu Tensor) as a NumPy array of ``dtype`` (None: keep)."""
    if hasattr(data, "numpy") and callable(data.numpy):   # a shendu (or torch) Tensor
        data = data.detach().numpy() if hasattr(data, "detach") else data.numpy()
    try:
        return np.asarray(data) if dtype is None else np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{who}: {name} must be numeric array-like, got "
                        f"{type(data).__name__} ({err})") from None


def _check_finite(array: np.ndarray, who: str, name: str) -> None:
    if array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0].tolist()
        raise ValueError(f"{who}: {name} must hold finite numbers, got "
                         f"{array[tuple(bad)]} at index {tuple(bad)} (remove or impute NaN/inf "
                         f"first, e.g. shendu.data.preprocessing.SimpleImputer)")


def check_X(X: Any, who: str) -> np.ndarray:
    """X as a finite float64 array of shape (N, D); a 1-D X is an error (it is ambiguous
    whether it is one sample or one feature)."""
    X = as_array(X, who, "X")
    if X.ndim != 2:
        hint = " (use X.reshape(-1, 1) for a single feature)" if X.ndim == 1 else ""
        raise ValueError(f"{who}: X must be 2-D (n_samples, n_features), got shape "
                         f"{X.shape}{hint}")
    if X.shape[0] == 0:
        raise ValueError(f"{who}: X has no samples (shape {X.shape})")
    _check_finite(X, who, "X")
    return X


def check_y(y: Any, who: str, dtype: Any = np.float64) -> np.ndarray:
    """y as a finite 1-D array (N,); an (N, 1) column is flattened."""
    y = as_array(y, who, "y", dtype)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"{who}: y must be 1-D (n_samples,) or (n_samples, 1), got shape "
                         f"{y.shape}")
    _check_finite(y, who, "y")
    return y


def check_X_y(X: Any, y: Any, who: str, y_dtype: Any = np.float64
              ) -> tuple[np.ndarray, np.ndarray]:
    """X (N, D) float64 and y (N,), both finite and of the same length."""
    X, y = check_X(X, who), check_y(y, who, y_dtype)
    if len(X) != len(y):
        raise ValueError(f"{who}: X and y must have the same number of samples, got "
                         f"{len(X)} rows in X and {len(y)} labels in y")
    return X, y


def check_fitted(estimator: Any, attribute: str) -> None:
    """Raise when ``estimator`` has not been fitted (``attribute`` is still None)."""
    if getattr(estimator, attribute, None) is None:
        name = type(estimator).__name__
        raise ValueError(f"{name}: this estimator is not fitted yet; call fit(X, y) before "
                         f"predicting or scoring")


def check_n_features(estimator: Any, X: np.ndarray) -> None:
    """X must have the feature count seen by ``fit`` (``estimator.n_features_in_``)."""
    expected = estimator.n_features_in_
    if X.shape[1] != expected:
        raise ValueError(f"{type(estimator).__name__}: X has {X.shape[1]} features, but the "
                         f"estimator was fitted with {expected} features")


def binary_labels(y: np.ndarray, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Two-class labels in {-1, +1} or {0, 1} as (y_pm (N,) float64 in {-1, +1}, classes).

    ``classes`` is the encoding given, ``[-1, 1]`` or ``[0, 1]`` (0 maps to -1); predictions
    are returned in it. A label set holding only +1 counts as {-1, +1}.
    """
    values = np.unique(y)
    if np.all(np.isin(values, (-1, 1))):
        classes = np.array([-1, 1])
    elif np.all(np.isin(values, (0, 1))):
        classes = np.array([0, 1])
    else:
        raise ValueError(f"{who}: labels must be in {{-1, +1}} or in {{0, 1}}, got the label "
                         f"set {_as_text(values[:10])}")
    return np.where(y == 1, 1.0, -1.0), classes


def _as_text(values: np.ndarray) -> list:
    """Labels for a message: whole numbers as ints (``[0, 1, 2]``, not ``[0.0, 1.0, 2.0]``)."""
    return [int(v) if float(v).is_integer() else float(v) for v in values]


def class_labels(y: np.ndarray, who: str, n_classes: int | None = None) -> np.ndarray:
    """Class indices 0 .. K-1 as int64 (N,); float labels must be whole numbers."""
    if not np.all(y == np.round(y)) or np.any(y < 0):
        bad = _as_text(y[(y != np.round(y)) | (y < 0)][:5])
        raise ValueError(f"{who}: labels must be class indices 0, 1, ..., K-1, got {bad}")
    y = y.astype(np.int64)
    if n_classes is not None and y.max() >= n_classes:
        raise ValueError(f"{who}: labels must be in [0, {n_classes - 1}] for n_classes="
                         f"{n_classes}, got the label {int(y.max())}")
    return y


def check_positive(value: float, name: str, who: str) -> float:
    """A positive float parameter, or ValueError."""
    if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool) \
            or not value > 0:
        raise ValueError(f"{who}: {name} must be a positive number, got {value!r}")
    return float(value)


def check_non_negative(value: float, name: str, who: str) -> float:
    """A float parameter >= 0, or ValueError."""
    if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool) \
            or not value >= 0:
        raise ValueError(f"{who}: {name} must be a number >= 0, got {value!r}")
    return float(value)


def check_count(value: int, name: str, who: str, minimum: int = 1) -> int:
    """An int parameter >= minimum, or ValueError."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{who}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)
