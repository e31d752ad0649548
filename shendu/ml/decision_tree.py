"""Decision trees grown by information gain (ID3 on categorical features, with C4.5's binary
thresholds on numeric ones)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shendu.ml._validation import as_array, check_count, check_fitted, check_y
from shendu.ml.base import ClassifierMixin

__all__ = ["entropy", "information_gain", "DecisionTreeClassifier"]


def entropy(y: Any) -> float:
    """The Shannon entropy of a label sample, in bits:

        H(y) = - sum_k p_k log2 p_k,   p_k = the fraction of labels equal to class k.

    0 for a pure sample, 1 for a 50/50 split of two classes; an empty sample has H = 0.

    >>> entropy(["yes"] * 9 + ["no"] * 5)   # the play-tennis table
    0.9402859586706311
    """
    y = np.asarray(y).reshape(-1)
    if len(y) == 0:
        return 0.0
    _, counts = np.unique(y, return_counts=True)
    p = counts / len(y)
    return float(-np.sum(p * np.log2(p)))


def information_gain(y: Any, groups: Sequence[Any]) -> float:
    """The drop in entropy from splitting the labels ``y`` into ``groups``:

        IG(y, {y_1, ..., y_m}) = H(y) - sum_v |y_v| / |y| * H(y_v).

    Args:
        y: the labels before the split, (N,).
        groups: the label arrays of the parts; their sizes must add up to N.

    >>> information_gain([0, 0, 1, 1], [[0, 0], [1, 1]])
    1.0
    """
    y = np.asarray(y).reshape(-1)
    sizes = [len(np.asarray(g).reshape(-1)) for g in groups]
    if sum(sizes) != len(y):
        raise ValueError(f"information_gain: the groups must partition y, but their sizes "
                         f"{sizes} add up to {sum(sizes)}, not len(y) = {len(y)}")
    if len(y) == 0:
        return 0.0
    remainder = sum(n / len(y) * entropy(g) for n, g in zip(sizes, groups))
    return entropy(y) - remainder


@dataclass
class Node:
    """A tree node: a leaf when ``feature`` is None, else a split on column ``feature``:
    numeric (x <= threshold goes to children[0], else children[1]) or categorical
    (``children`` keyed by value)."""

    prediction: Any
    counts: dict
    feature: int | None = None
    threshold: float | None = None
    children: dict = field(default_factory=dict)
    gain: float = 0.0


class DecisionTreeClassifier(ClassifierMixin):
    """A classification tree grown top-down, each node split on the feature (and threshold)
    of largest information gain (see :func:`information_gain`).

    - A categorical feature splits a node into one child per value seen there (ID3); it is
      not used again below that node.
    - A numeric feature splits a node in two, x <= t and x > t, with t the midpoint between
      consecutive distinct values of highest gain (C4.5); it may be used again below.

    Growth stops at a pure node, at ``max_depth``, below ``min_samples_split`` samples, or
    when no split gains more than 1e-12 bits. A leaf predicts its majority class (ties: the
    first in sorted order). A categorical value not seen at a node during fit is predicted
    as that node's majority class.

    Args:
        criterion: "entropy" (information gain; the only criterion).
        max_depth: the deepest level (root = 0); None: unlimited.
        min_samples_split: the fewest samples a node needs to be split (>= 2).
        categorical_features: the column indices that are categorical; None: a column is
            categorical when any of its values is not a number (e.g. strings), so a float
            array is all numeric and an object array of strings all categorical.

    Shape: X (N, D) numbers or strings (an object array for mixed columns); y (N,) any
    hashable labels.

    Attributes (after fit): tree_ (the root :class:`Node`), classes_, n_features_in_,
    categorical_ (bool per column); ``depth()``, ``n_leaves()`` and ``export_text()``.
    """

    def __init__(self, criterion: str = "entropy", max_depth: int | None = None,
                 min_samples_split: int = 2,
                 categorical_features: Sequence[int] | None = None) -> None:
        if criterion != "entropy":
            raise ValueError(f"DecisionTreeClassifier: criterion must be 'entropy', got "
                             f"{criterion!r}")
        self.criterion = criterion
        self.max_depth = None if max_depth is None else check_count(
            max_depth, "max_depth", "DecisionTreeClassifier", 0)
        self.min_samples_split = check_count(min_samples_split, "min_samples_split",
                                             "DecisionTreeClassifier", 2)
        self.categorical_features = categorical_features
        self.tree_: Node | None = None

    # ------------------------------------------------------------------ inputs
    def _check_X(self, X: Any) -> np.ndarray:
        X = as_array(X, "DecisionTreeClassifier", "X", None)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"DecisionTreeClassifier: X must be 2-D (n_samples, n_features) "
                             f"with at least one sample, got shape {X.shape}")
        if X.dtype.kind not in "biufUSO":
            raise TypeError(f"DecisionTreeClassifier: X must hold numbers or strings, got "
                            f"dtype {X.dtype}")
        return X if X.dtype.kind in "OUS" else X.astype(np.float64)

    def _categorical_columns(self, X: np.ndarray) -> np.ndarray:
        d = X.shape[1]
        if self.categorical_features is not None:
            flags = np.zeros(d, dtype=bool)
            bad = [i for i in self.categorical_features if not 0 <= i < d]
            if bad:
                raise ValueError(f"DecisionTreeClassifier: categorical_features {bad} are "
                                 f"not column indices of X with {d} columns")
            flags[list(self.categorical_features)] = True
            return flags
        if X.dtype.kind not in "OUS":
            return np.zeros(d, dtype=bool)
        return np.array([not _all_numbers(X[:, k]) for k in range(d)])

    def _check_values(self, X: np.ndarray) -> None:
        """Numeric columns must be finite numbers; categorical ones must not be None."""
        for k in range(X.shape[1]):
            column = X[:, k]
            if self.categorical_[k]:
                if any(v is None for v in column):
                    raise ValueError(f"DecisionTreeClassifier: column {k} (categorical) has a "
                                     f"missing value (None); fill it in first")
                continue
            if not _all_numbers(column):
                raise ValueError(f"DecisionTreeClassifier: column {k} was numeric in fit but "
                                 f"holds a value that is not a number")
            values = column.astype(np.float64)
            if not np.all(np.isfinite(values)):
                raise ValueError(f"DecisionTreeClassifier: X must hold finite numbers, got "
                                 f"{values[~np.isfinite(values)][0]} in column {k}")

    # ------------------------------------------------------------------ growing
    def fit(self, X: Any, y: Any) -> DecisionTreeClassifier:
        """Grow the tree on X (N, D) and labels y (N,); returns self."""
        X = self._check_X(X)
        y = check_y(y, "DecisionTreeClassifier", None)
        if len(X) != len(y):
            raise ValueError(f"DecisionTreeClassifier: X and y must have the same number of "
                             f"samples, got {len(X)} rows in X and {len(y)} labels in y")
        self.n_features_in_ = X.shape[1]
        self.categorical_ = self._categorical_columns(X)
        self._check_values(X)
        self.classes_ = np.unique(y)
        self.tree_ = self._grow(X, y, depth=0, used=frozenset())
        return self

    def _leaf(self, y: np.ndarray) -> Node:
        values, counts = np.unique(y, return_counts=True)
        return Node(prediction=values[np.argmax(counts)],
                    counts={v: int(c) for v, c in zip(values.tolist(), counts)})

    def _grow(self, X: np.ndarray, y: np.ndarray, depth: int, used: frozenset) -> Node:
        node = self._leaf(y)
        if (len(node.counts) == 1 or len(y) < self.min_samples_split
                or (self.max_depth is not None and depth >= self.max_depth)):
            return node
        best = self._best_split(X, y, used)
        if best is None:
            return node
        node.feature, node.threshold, node.gain, parts = best
        below = used | {node.feature} if self.categorical_[node.feature] else used
        for key, mask in parts.items():
            node.children[key] = self._grow(X[mask], y[mask], depth + 1, below)
        return node

    def _best_split(self, X: np.ndarray, y: np.ndarray, used: frozenset):
        """(feature, threshold, gain, {key: row mask}) of the largest gain, or None."""
        best, best_gain = None, 1e-12
        for k in range(X.shape[1]):
            if k in used:
                continue
            split = self._categorical_split(X[:, k], y) if self.categorical_[k] \
                else self._numeric_split(X[:, k].astype(np.float64), y)
            if split is not None and split[1] > best_gain:
                best_gain = split[1]
                best = (k, split[0], split[1], split[2])
        return best

    @staticmethod
    def _categorical_split(column: np.ndarray, y: np.ndarray):
        values = np.unique(column)
        if len(values) < 2:
            return None
        parts = {v: column == v for v in values.tolist()}
        return None, information_gain(y, [y[m] for m in parts.values()]), parts

    @staticmethod
    def _numeric_split(column: np.ndarray, y: np.ndarray):
        values = np.unique(column)
        if len(values) < 2:
            return None
        best = None
        for t in (values[:-1] + values[1:]) / 2:
            left = column <= t
            gain = information_gain(y, [y[left], y[~left]])
            if best is None or gain > best[1]:
                best = (float(t), gain, {0: left, 1: ~left})
        return best

    # ------------------------------------------------------------------ predicting
    def predict(self, X: Any) -> np.ndarray:
        """The leaf's majority class for each row, (N,)."""
        check_fitted(self, "tree_")
        X = self._check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"DecisionTreeClassifier: X has {X.shape[1]} features, but the "
                             f"tree was fitted with {self.n_features_in_} features")
        self._check_values(X)
        return np.array([self._predict_row(row) for row in X], dtype=self.classes_.dtype)

    def _predict_row(self, row: np.ndarray) -> Any:
        node = self.tree_
        while node.feature is not None:
            value = row[node.feature]
            if node.threshold is not None:
                key = 0 if float(value) <= node.threshold else 1
            else:
                key = value
            if key not in node.children:
                break   # a category this node never saw: answer its majority class
            node = node.children[key]
        return node.prediction

    def depth(self) -> int:
        """The number of split levels (a single leaf has depth 0)."""
        check_fitted(self, "tree_")

        def depth_of(node: Node) -> int:
            return 0 if not node.children else 1 + max(map(depth_of, node.children.values()))
        return depth_of(self.tree_)

    def n_leaves(self) -> int:
        """The number of leaves."""
        check_fitted(self, "tree_")

        def leaves(node: Node) -> int:
            return 1 if not node.children else sum(map(leaves, node.children.values()))
        return leaves(self.tree_)

    def export_text(self, feature_names: Sequence[str] | None = None) -> str:
        """The tree as indented text, one line per branch and leaf."""
        check_fitted(self, "tree_")
        names = list(feature_names) if feature_names else \
            [f"x{k}" for k in range(self.n_features_in_)]
        lines: list[str] = []
        self._export(self.tree_, names, "", lines)
        return "\n".join(lines)

    def _export(self, node: Node, names: list, indent: str, lines: list) -> None:
        if not node.children:
            lines.append(f"{indent}-> {node.prediction} {node.counts}")
            return
        for key, child in node.children.items():
            name = names[node.feature]
            if node.threshold is None:
                condition = f"{name} = {key}"
            else:
                condition = f"{name} {'<=' if key == 0 else '>'} {node.threshold:.4g}"
            lines.append(f"{indent}{condition}")
            self._export(child, names, indent + "|   ", lines)

    def __repr__(self) -> str:
        return (f"DecisionTreeClassifier(criterion={self.criterion!r}, max_depth="
                f"{self.max_depth}, min_samples_split={self.min_samples_split})")


def _all_numbers(column: np.ndarray) -> bool:
    """Whether every value of the column converts to float (strings such as "1.5" do)."""
    try:
        column.astype(np.float64)
    except (TypeError, ValueError):
        return False
    return True
