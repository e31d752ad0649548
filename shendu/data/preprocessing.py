"""Feature preprocessing for tabular data: scalers, one-hot encoding and missing-value filling.

Every transform is *fitted* on training data (it learns per-column statistics there) and then
*applied* to any data with the same columns, so validation and test rows are scaled with the
training statistics and nothing leaks from them into training. The interface is
scikit-learn's: ``fit(X)`` returns the transform, ``transform(X)`` applies it,
``fit_transform(X)`` does both, ``inverse_transform(X)`` undoes it where that is defined.

Inputs are 2-d arrays of shape (N, D): N samples (rows), D features (columns); lists, NumPy
arrays and shendu Tensors are accepted. Outputs are NumPy arrays of ``dtype`` (float64 unless
given). Missing values are NaN: the statistics of a column are computed over its non-missing
entries (as pandas does), and NaN stays NaN through a transform, so that standardising first
and filling with 0 afterwards (d2l's recipe) fills with the column's mean.

>>> import numpy as np
>>> scaler = StandardScaler().fit(np.array([[1.0], [3.0]]))
>>> scaler.transform(np.array([[2.0], [5.0]])).ravel().tolist()
[0.0, 3.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from shendu.tensor import Tensor

__all__ = ["StandardScaler", "MinMaxScaler", "MeanNormalizer", "DecimalScaler",
           "OneHotEncoder", "SimpleImputer", "fill_missing"]


def _as_matrix(X: Any, who: str, dtype: DTypeLike = np.float64) -> np.ndarray:
    """``X`` as a 2-d array of ``dtype`` (a copy only where needed); errors name ``who``."""
    if isinstance(X, Tensor):
        X = X.data
    try:
        array = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{who}: expected a 2-d array of numbers (N, D), got "
                        f"{type(X).__name__} that cannot be converted: {exc}") from None
    if array.ndim != 2:
        hint = " (for one feature use X.reshape(-1, 1))" if array.ndim == 1 else ""
        raise ValueError(f"{who}: expected a 2-d array (N samples, D features), got shape "
                         f"{array.shape}{hint}")
    return array


def _nan_column_stats(X: np.ndarray, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-column min and max over non-missing values; a column with none raises."""
    present = ~np.isnan(X)
    empty = np.flatnonzero(~present.any(axis=0))
    if X.shape[0] == 0 or empty.size:
        cols = "all columns" if X.shape[0] == 0 else f"column(s) {empty.tolist()}"
        raise ValueError(f"{who}.fit: {cols} have no non-missing value to learn from")
    return np.nanmin(X, axis=0), np.nanmax(X, axis=0)


class _Transform:
    """What every fitted column transform shares: the fitted check and ``fit_transform``."""

    n_features_in_: int

    def _check_fitted(self, X: Any) -> np.ndarray:
        name = type(self).__name__
        if not hasattr(self, "n_features_in_"):
            raise RuntimeError(f"{name} is not fitted yet: call fit(X_train) first")
        X = _as_matrix(X, name)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"{name}: fitted on {self.n_features_in_} features (columns), "
                             f"got an array with {X.shape[1]}")
        return X

    def fit(self, X: ArrayLike) -> _Transform:
        raise NotImplementedError

    def transform(self, X: ArrayLike) -> np.ndarray:
        raise NotImplementedError

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


class StandardScaler(_Transform):
    """Z-score standardisation: each column to mean 0 and standard deviation 1.

        z = (x - mean) / std,      x = z * std + mean   (inverse)

    with mean and std of each column over the training rows, ignoring NaN. ``std`` is the
    population standard deviation (``ddof=0``, as scikit-learn and NumPy's ``std``); pandas'
    ``Series.std``, which d2l's house-price preprocessing uses, is the sample one, ``ddof=1``.
    A constant column (std 0) is divided by 1 instead, so it becomes 0, not NaN.

    Args:
        ddof: delta degrees of freedom: the variance divides by (count - ddof).
        dtype: the dtype of ``transform``'s output.

    Attributes (after ``fit``): ``mean_`` (D,), ``scale_`` (D,) (the std, or 1 for a constant
    column), ``n_features_in_``.

    Shape: (N, D) -> (N, D).
    """

    def __init__(self, ddof: int = 0, dtype: DTypeLike = np.float64) -> None:
        if ddof not in (0, 1):
            raise ValueError(f"StandardScaler: ddof must be 0 (population) or 1 (sample), "
                             f"got {ddof!r}")
        self.ddof = ddof
        self.dtype = np.dtype(dtype)

    def fit(self, X: ArrayLike) -> StandardScaler:
        """Learn each column's mean and standard deviation (NaN ignored) from ``X`` (N, D)."""
        X = _as_matrix(X, "StandardScaler")
        _nan_column_stats(X, "StandardScaler")
        count = (~np.isnan(X)).sum(axis=0)
        mean = np.nanmean(X, axis=0)
        sum_sq = np.nansum((X - mean) ** 2, axis=0)
        # a column with count <= ddof has no defined std: treat it as constant
        var = sum_sq / np.maximum(count - self.ddof, 1)
        std = np.sqrt(np.where(count > self.ddof, var, 0.0))
        self.mean_ = mean
        self.scale_ = np.where(std > 0, std, 1.0)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """z = (x - mean_) / scale_, column by column; NaN stays NaN."""
        X = self._check_fitted(X)
        return ((X - self.mean_) / self.scale_).astype(self.dtype, copy=False)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """x = z * scale_ + mean_."""
        X = self._check_fitted(X)
        return (X * self.scale_ + self.mean_).astype(self.dtype, copy=False)


class MinMaxScaler(_Transform):
    """Min-max scaling of each column to ``feature_range = (new_min, new_max)``:

        x' = new_min + (x - min) * (new_max - new_min) / (max - min)

    with min and max of the column over the training rows (NaN ignored). Values outside the
    training range map outside ``feature_range`` (nothing is clipped). A constant column
    (max = min) maps to ``new_min``.

    Args:
        feature_range: (new_min, new_max), new_min < new_max.
        dtype: the dtype of ``transform``'s output.

    Attributes (after ``fit``): ``data_min_``, ``data_max_``, ``scale_`` (the factor
    (new_max - new_min) / (max - min), per column), ``n_features_in_``.

    Shape: (N, D) -> (N, D).
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0),
                 dtype: DTypeLike = np.float64) -> None:
        if (not isinstance(feature_range, (tuple, list)) or len(feature_range) != 2
                or not float(feature_range[0]) < float(feature_range[1])):
            raise ValueError(f"MinMaxScaler: feature_range must be (new_min, new_max) with "
                             f"new_min < new_max, got {feature_range!r}")
        self.feature_range = (float(feature_range[0]), float(feature_range[1]))
        self.dtype = np.dtype(dtype)

    def fit(self, X: ArrayLike) -> MinMaxScaler:
        """Learn each column's min and max (NaN ignored) from ``X`` (N, D)."""
        X = _as_matrix(X, "MinMaxScaler")
        self.data_min_, self.data_max_ = _nan_column_stats(X, "MinMaxScaler")
        new_min, new_max = self.feature_range
        data_range = self.data_max_ - self.data_min_
        self.scale_ = (new_max - new_min) / np.where(data_range > 0, data_range, 1.0)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """x' = new_min + (x - data_min_) * scale_."""
        X = self._check_fitted(X)
        out = self.feature_range[0] + (X - self.data_min_) * self.scale_
        return out.astype(self.dtype, copy=False)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """x = (x' - new_min) / scale_ + data_min_ (a constant column comes back as its min)."""
        X = self._check_fitted(X)
        out = (X - self.feature_range[0]) / self.scale_ + self.data_min_
        return out.astype(self.dtype, copy=False)


class MeanNormalizer(_Transform):
    """Mean normalisation: centre each column on its mean and divide by its range,

        x' = (x - mean) / (max - min),      x = x' * (max - min) + mean   (inverse)

    so training values land in [-1, 1] with mean 0. Statistics ignore NaN; a constant column
    (max = min) is divided by 1 instead, so it becomes 0.

    Args:
        dtype: the dtype of ``transform``'s output.

    Attributes (after ``fit``): ``mean_``, ``range_`` (max - min, or 1 for a constant column),
    ``n_features_in_``.

    Shape: (N, D) -> (N, D).
    """

    def __init__(self, dtype: DTypeLike = np.float64) -> None:
        self.dtype = np.dtype(dtype)

    def fit(self, X: ArrayLike) -> MeanNormalizer:
        """Learn each column's mean, min and max (NaN ignored) from ``X`` (N, D)."""
        X = _as_matrix(X, "MeanNormalizer")
        data_min, data_max = _nan_column_stats(X, "MeanNormalizer")
        self.mean_ = np.nanmean(X, axis=0)
        data_range = data_max - data_min
        self.range_ = np.where(data_range > 0, data_range, 1.0)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """x' = (x - mean_) / range_."""
        X = self._check_fitted(X)
        return ((X - self.mean_) / self.range_).astype(self.dtype, copy=False)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """x = x' * range_ + mean_."""
        X = self._check_fitted(X)
        return (X * self.range_ + self.mean_).astype(self.dtype, copy=False)


def _decimal_exponent(max_abs: float) -> int:
    """The smallest j >= 0 with max_abs / 10**j < 1.

    Starts from log10 and corrects by one step either way, because log10 of an exact power of
    ten can land a hair below the integer in floating point."""
    if not max_abs > 0:
        return 0
    j = max(0, math.floor(math.log10(max_abs)) + 1)
    while max_abs / 10.0 ** j >= 1:
        j += 1
    while j > 0 and max_abs / 10.0 ** (j - 1) < 1:
        j -= 1
    return j


class DecimalScaler(_Transform):
    """Decimal scaling: move each column's decimal point so that every value is below 1 in
    magnitude,

        x' = x / 10**j,      x = x' * 10**j   (inverse)

    with j the smallest integer >= 0 such that max |x'| < 1 over the training rows (so
    [-986, 917] is divided by 1000). Columns already inside (-1, 1) keep j = 0: they are
    never scaled up. NaN is ignored when fitting.

    Args:
        dtype: the dtype of ``transform``'s output.

    Attributes (after ``fit``): ``exponent_`` (int64, the j of each column), ``scale_`` (10**j),
    ``n_features_in_``.

    Shape: (N, D) -> (N, D).
    """

    def __init__(self, dtype: DTypeLike = np.float64) -> None:
        self.dtype = np.dtype(dtype)

    def fit(self, X: ArrayLike) -> DecimalScaler:
        """Learn the exponent j of each column from ``X`` (N, D)."""
        X = _as_matrix(X, "DecimalScaler")
        data_min, data_max = _nan_column_stats(X, "DecimalScaler")
        max_abs = np.maximum(np.abs(data_min), np.abs(data_max))
        if not np.isfinite(max_abs).all():
            raise ValueError(f"DecimalScaler.fit: column(s) "
                             f"{np.flatnonzero(~np.isfinite(max_abs)).tolist()} hold inf")
        self.exponent_ = np.array([_decimal_exponent(float(m)) for m in max_abs], np.int64)
        self.scale_ = 10.0 ** self.exponent_
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """x' = x / scale_."""
        X = self._check_fitted(X)
        return (X / self.scale_).astype(self.dtype, copy=False)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """x = x' * scale_."""
        X = self._check_fitted(X)
        return (X * self.scale_).astype(self.dtype, copy=False)


def fill_missing(X: ArrayLike, value: float = 0.0, dtype: DTypeLike = np.float64) -> np.ndarray:
    """A copy of ``X`` with every NaN replaced by ``value`` (d2l fills standardised columns
    with 0, which is each column's mean).

    Shape: any -> the same shape.

    >>> fill_missing([[1.0, float("nan")]]).tolist()
    [[1.0, 0.0]]
    """
    if isinstance(X, Tensor):
        X = X.data
    out = np.array(X, dtype=dtype)
    out[np.isnan(out)] = value
    return out


class SimpleImputer(_Transform):
    """Fill missing values (NaN) column by column with a statistic learned at ``fit``:

        strategy="constant":  fill_value
        strategy="mean":      the column's mean over its non-missing training values
        strategy="median":    the column's median over its non-missing training values

    Args:
        strategy: "constant", "mean" or "median".
        fill_value: the value for ``strategy="constant"``.
        dtype: the dtype of ``transform``'s output.

    Attributes (after ``fit``): ``statistics_`` (D,), the value each column is filled with.

    Shape: (N, D) -> (N, D).
    """

    _STRATEGIES = ("constant", "mean", "median")

    def __init__(self, strategy: str = "mean", fill_value: float = 0.0,
                 dtype: DTypeLike = np.float64) -> None:
        if strategy not in self._STRATEGIES:
            raise ValueError(f"SimpleImputer: strategy must be one of {self._STRATEGIES}, "
                             f"got {strategy!r}")
        self.strategy = strategy
        self.fill_value = float(fill_value)
        self.dtype = np.dtype(dtype)

    def fit(self, X: ArrayLike) -> SimpleImputer:
        """Learn the fill value of each column of ``X`` (N, D)."""
        X = _as_matrix(X, "SimpleImputer")
        if self.strategy == "constant":
            self.statistics_ = np.full(X.shape[1], self.fill_value)
        else:
            _nan_column_stats(X, "SimpleImputer")  # every column needs one value
            reduce = np.nanmean if self.strategy == "mean" else np.nanmedian
            self.statistics_ = reduce(X, axis=0)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: ArrayLike) -> np.ndarray:
        """Each NaN in column d replaced by ``statistics_[d]``."""
        X = self._check_fitted(X)
        return np.where(np.isnan(X), self.statistics_, X).astype(self.dtype, copy=False)


def _is_missing(value: Any) -> bool:
    """None and float NaN are missing (what pandas' isna says of a Python object)."""
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _sorted_categories(values: set) -> list:
    """Categories in sorted order (as pandas' get_dummies), or by repr if they do not compare."""
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def _as_object_matrix(X: Any, who: str) -> np.ndarray:
    """``X`` as a 2-d object array, each entry the original Python value."""
    if isinstance(X, Tensor):
        X = X.data
    array = np.asarray(X, dtype=object)
    if array.ndim != 2:
        hint = " (for one column use X.reshape(-1, 1))" if array.ndim == 1 else ""
        raise ValueError(f"{who}: expected a 2-d array (N samples, D columns), got shape "
                         f"{array.shape}{hint}")
    return array


class OneHotEncoder:
    """One-hot encoding of categorical columns: each column with categories c_1 ... c_K
    (learned at ``fit``, sorted) becomes K indicator columns,

        out[n, offset + k] = 1 if X[n, d] == c_k else 0,

    the blocks of all columns side by side. With ``dummy_na=True`` a missing value (None or
    NaN) is a category of its own, placed last in each block, and every column gets that
    indicator whether or not it had missing values at ``fit`` (as pandas'
    ``get_dummies(dummy_na=True)``, which d2l uses); otherwise a missing value encodes as all
    zeros.

    A category not seen at ``fit`` raises ValueError (``handle_unknown="error"``, the default,
    as scikit-learn) or encodes as all zeros (``handle_unknown="ignore"``).

    Args:
        dummy_na: add a "missing" indicator to every column.
        handle_unknown: "error" or "ignore".
        dtype: the dtype of ``transform``'s output.

    Attributes (after ``fit``): ``categories_`` (one sorted list per column, without the
    missing category), ``n_features_in_``.

    Shape: (N, D) of any values -> (N, sum of the columns' K (+1 each with dummy_na)).

    >>> enc = OneHotEncoder(dummy_na=True).fit([["b"], ["a"], [None]])
    >>> enc.transform([["a"], [None]]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> enc.get_feature_names_out(["x"])
    ['x_a', 'x_b', 'x_nan']
    """

    def __init__(self, dummy_na: bool = False, handle_unknown: str = "error",
                 dtype: DTypeLike = np.float64) -> None:
        if handle_unknown not in ("error", "ignore"):
            raise ValueError(f"OneHotEncoder: handle_unknown must be 'error' or 'ignore', "
                             f"got {handle_unknown!r}")
        self.dummy_na = bool(dummy_na)
        self.handle_unknown = handle_unknown
        self.dtype = np.dtype(dtype)

    def fit(self, X: ArrayLike) -> OneHotEncoder:
        """Learn the sorted categories of each column of ``X`` (N, D); missing values are
        not categories."""
        X = _as_object_matrix(X, "OneHotEncoder")
        self.categories_ = [_sorted_categories({v for v in X[:, d] if not _is_missing(v)})
                            for d in range(X.shape[1])]
        self._index = [{c: k for k, c in enumerate(cats)} for cats in self.categories_]
        self.n_features_in_ = X.shape[1]
        return self

    def _widths(self) -> list[int]:
        return [len(cats) + self.dummy_na for cats in self.categories_]

    def _check(self, X: Any) -> np.ndarray:
        if not hasattr(self, "categories_"):
            raise RuntimeError("OneHotEncoder is not fitted yet: call fit(X_train) first")
        X = _as_object_matrix(X, "OneHotEncoder")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"OneHotEncoder: fitted on {self.n_features_in_} columns, got an "
                             f"array with {X.shape[1]}")
        return X

    def transform(self, X: ArrayLike) -> np.ndarray:
        """The indicator matrix of ``X`` (N, D) -> (N, sum of block widths)."""
        X = self._check(X)
        widths = self._widths()
        out = np.zeros((X.shape[0], sum(widths)), dtype=self.dtype)
        offset = 0
        for d, width in enumerate(widths):
            cols = np.array([self._code(v, d) for v in X[:, d]], dtype=np.int64)
            rows = np.flatnonzero(cols >= 0)
            out[rows, offset + cols[rows]] = 1
            offset += width
        return out

    def _code(self, value: Any, d: int) -> int:
        """The index of ``value`` in column d's block, or -1 for an all-zero row."""
        if _is_missing(value):
            return len(self.categories_[d]) if self.dummy_na else -1
        code = self._index[d].get(value, -1)
        if code < 0 and self.handle_unknown == "error":
            raise ValueError(f"OneHotEncoder: column {d} has category {value!r}, not seen at "
                             f"fit (known: {self.categories_[d][:10]}"
                             f"{' ...' if len(self.categories_[d]) > 10 else ''}); pass "
                             f"handle_unknown='ignore' to encode it as all zeros")
        return code

    def fit_transform(self, X: ArrayLike) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: ArrayLike) -> np.ndarray:
        """The category of each block's 1 (the largest entry), or None for the missing
        indicator or an all-zero block. Shape: (N, sum of block widths) -> (N, D), object."""
        X = _as_matrix(X, "OneHotEncoder.inverse_transform")
        widths = self._widths()
        if X.shape[1] != sum(widths):
            raise ValueError(f"OneHotEncoder.inverse_transform: expected {sum(widths)} "
                             f"columns, got {X.shape[1]}")
        out = np.empty((X.shape[0], len(widths)), dtype=object)
        offset = 0
        for d, width in enumerate(widths):
            block = X[:, offset:offset + width]
            lookup = list(self.categories_[d]) + [None] * self.dummy_na
            for n in range(X.shape[0]):
                k = int(block[n].argmax()) if width else 0
                out[n, d] = lookup[k] if width and block[n, k] > 0 else None
            offset += width
        return out

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> list[str]:
        """Names of the output columns, ``"<column>_<category>"`` (``"<column>_nan"`` for the
        missing indicator), as pandas' get_dummies; columns default to ``x0, x1, ...``."""
        if not hasattr(self, "categories_"):
            raise RuntimeError("OneHotEncoder is not fitted yet: call fit(X_train) first")
        if input_features is None:
            input_features = [f"x{d}" for d in range(self.n_features_in_)]
        if len(input_features) != self.n_features_in_:
            raise ValueError(f"OneHotEncoder.get_feature_names_out: {self.n_features_in_} "
                             f"names needed, got {len(input_features)}")
        names = []
        for name, cats in zip(input_features, self.categories_):
            names += [f"{name}_{c}" for c in cats] + [f"{name}_nan"] * self.dummy_na
        return names
