"""shendu.ml's decision tree: entropy and information gain on the play-tennis table (Mitchell,
Machine Learning, 1997, table 3.2) against the hand-computed values, the tree it grows, and
numeric thresholds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shendu.ml.decision_tree import DecisionTreeClassifier, entropy, information_gain

COLUMNS = ["Outlook", "Temperature", "Humidity", "Wind"]
TENNIS = [  # Outlook, Temperature, Humidity, Wind, PlayTennis
    ("Sunny", "Hot", "High", "Weak", "No"),
    ("Sunny", "Hot", "High", "Strong", "No"),
    ("Overcast", "Hot", "High", "Weak", "Yes"),
    ("Rain", "Mild", "High", "Weak", "Yes"),
    ("Rain", "Cool", "Normal", "Weak", "Yes"),
    ("Rain", "Cool", "Normal", "Strong", "No"),
    ("Overcast", "Cool", "Normal", "Strong", "Yes"),
    ("Sunny", "Mild", "High", "Weak", "No"),
    ("Sunny", "Cool", "Normal", "Weak", "Yes"),
    ("Rain", "Mild", "Normal", "Weak", "Yes"),
    ("Sunny", "Mild", "Normal", "Strong", "Yes"),
    ("Overcast", "Mild", "High", "Strong", "Yes"),
    ("Overcast", "Hot", "Normal", "Weak", "Yes"),
    ("Rain", "Mild", "High", "Strong", "No"),
]
X = np.array([row[:4] for row in TENNIS])
y = np.array([row[4] for row in TENNIS])


def test_entropy_by_hand():
    # 9 yes, 5 no: -(9/14) log2(9/14) - (5/14) log2(5/14)
    assert entropy(y) == pytest.approx(0.940, abs=5e-4)
    assert entropy(y) == pytest.approx(-(9 / 14) * math.log2(9 / 14)
                                       - (5 / 14) * math.log2(5 / 14), rel=1e-12)
    assert entropy(["a", "a"]) == 0.0 and entropy([0, 1]) == 1.0
    assert entropy([0, 1, 2, 3]) == pytest.approx(2.0)
    assert entropy([]) == 0.0


@pytest.mark.parametrize("column, expected", [("Outlook", 0.246), ("Humidity", 0.151),
                                              ("Wind", 0.048), ("Temperature", 0.029)])
def test_information_gain_of_each_attribute(column, expected):
    values = X[:, COLUMNS.index(column)]
    groups = [y[values == v] for v in np.unique(values)]
    assert information_gain(y, groups) == pytest.approx(expected, abs=1e-3)


def test_information_gain_checks_the_partition():
    with pytest.raises(ValueError, match="information_gain: the groups must partition y"):
        information_gain([0, 1, 1], [[0], [1]])


def test_tree_fits_the_table_perfectly_with_id3s_splits():
    tree = DecisionTreeClassifier(criterion="entropy").fit(X, y)
    assert tree.score(X, y) == 1.0
    root = tree.tree_
    assert COLUMNS[root.feature] == "Outlook"
    assert root.gain == pytest.approx(0.2467, abs=1e-4)
    assert set(root.children) == {"Sunny", "Overcast", "Rain"}
    assert root.children["Overcast"].feature is None                  # a pure "Yes" leaf
    assert root.children["Overcast"].prediction == "Yes"
    assert COLUMNS[root.children["Sunny"].feature] == "Humidity"
    assert COLUMNS[root.children["Rain"].feature] == "Wind"
    assert tree.depth() == 2 and tree.n_leaves() == 5
    text = tree.export_text(COLUMNS)
    assert "Outlook = Sunny" in text and "Humidity = High" in text
    # a new day: sunny with normal humidity -> play; rainy and windy -> don't
    new = np.array([["Sunny", "Hot", "Normal", "Strong"], ["Rain", "Cool", "High", "Strong"]])
    assert tree.predict(new).tolist() == ["Yes", "No"]


def test_max_depth_and_min_samples_split_stop_growth():
    stump = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert stump.depth() == 1 and stump.n_leaves() == 3
    assert stump.score(X, y) == pytest.approx(10 / 14)   # Sunny -> No (3/5), Rain -> Yes (3/5)
    assert DecisionTreeClassifier(min_samples_split=15).fit(X, y).n_leaves() == 1


def test_numeric_threshold_is_the_midpoint_of_largest_gain():
    Xn = np.array([[1.0], [2.0], [3.0], [4.0], [6.0], [8.0]])
    yn = np.array([0, 0, 0, 1, 1, 1])
    tree = DecisionTreeClassifier().fit(Xn, yn)
    assert tree.tree_.threshold == 3.5 and tree.tree_.gain == pytest.approx(1.0)
    np.testing.assert_array_equal(tree.predict([[3.4], [3.6]]), [0, 1])


def test_numeric_features_are_reused_for_an_interval():
    # class 1 only for 2 < x <= 4: two thresholds on the same feature
    Xn = np.arange(8, dtype=float).reshape(-1, 1)
    yn = ((Xn[:, 0] > 2) & (Xn[:, 0] <= 4)).astype(int)
    tree = DecisionTreeClassifier().fit(Xn, yn)
    assert tree.score(Xn, yn) == 1.0 and tree.depth() == 2


def test_mixed_categorical_and_numeric_columns():
    Xm = np.array([["a", 1.0], ["a", 5.0], ["b", 1.0], ["b", 5.0], ["a", 2.0], ["b", 6.0]],
                  dtype=object)
    ym = np.array([0, 1, 0, 0, 0, 0])                      # 1 only for ("a", large)
    tree = DecisionTreeClassifier().fit(Xm, ym)
    assert tree.categorical_.tolist() == [True, False]
    assert tree.score(Xm, ym) == 1.0
    assert tree.predict(np.array([["a", 9.0], ["c", 9.0]], dtype=object)).tolist() == [1, 0]
