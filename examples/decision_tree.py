"""Decision trees by information gain (ID3): the play-tennis table (Mitchell, Machine
Learning, 1997, ch. 3), where the gains can be checked by hand,

    H(S) = -sum_k p_k log2 p_k,    Gain(S, A) = H(S) - sum_v |S_v| / |S| H(S_v),

then a tree with numeric thresholds (C4.5's midpoints) on two noisy rings, where depth trades
bias for variance.

    python examples/decision_tree.py [--out runs/examples]

writes ``decision_tree.png`` (the boundaries of trees of depth 2, 4 and unlimited on the rings)
to ``--out`` (needs matplotlib, an optional extra).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from shendu.ml.decision_tree import DecisionTreeClassifier, entropy, information_gain
from shendu.ml.toy_data import make_circles

COLUMNS = ["Outlook", "Temperature", "Humidity", "Wind"]
TENNIS = """\
Sunny Hot High Weak No
Sunny Hot High Strong No
Overcast Hot High Weak Yes
Rain Mild High Weak Yes
Rain Cool Normal Weak Yes
Rain Cool Normal Strong No
Overcast Cool Normal Strong Yes
Sunny Mild High Weak No
Sunny Cool Normal Weak Yes
Rain Mild Normal Weak Yes
Sunny Mild Normal Strong Yes
Overcast Mild High Strong Yes
Overcast Hot Normal Weak Yes
Rain Mild High Strong No"""


def play_tennis() -> None:
    table = np.array([line.split() for line in TENNIS.splitlines()])
    X, y = table[:, :4], table[:, 4]
    print(f"play tennis: 14 days, H(PlayTennis) = {entropy(y):.3f} bits")
    for k, name in enumerate(COLUMNS):
        groups = [y[X[:, k] == v] for v in np.unique(X[:, k])]
        print(f"  Gain(S, {name:<11}) = {information_gain(y, groups):.3f}")
    tree = DecisionTreeClassifier(criterion="entropy").fit(X, y)
    print(f"tree (training accuracy {tree.score(X, y):.2f}):")
    print("  " + tree.export_text(COLUMNS).replace("\n", "\n  "))


def rings(out: Path) -> None:
    X, y = make_circles(300, noise=0.15, seed=0)
    X_test, y_test = make_circles(300, noise=0.15, seed=1)
    panels = {}
    print("two noisy rings, numeric thresholds:")
    for depth in (2, 4, 6, None):
        tree = DecisionTreeClassifier(max_depth=depth).fit(X, y)
        train, test = tree.score(X, y), tree.score(X_test, y_test)
        print(f"  max_depth={str(depth):<4} leaves {tree.n_leaves():>3}  train accuracy "
              f"{train:.3f}  test accuracy {test:.3f}")
        if depth != 6:
            panels[f"max_depth={depth}"] = (tree.predict, f"train {train:.3f}, test {test:.3f}")
    try:
        from shendu.ml.plot import plot_decision_boundaries
        path = plot_decision_boundaries(panels, X, y, out / "decision_tree.png")
        print(f"figure: {path}")
    except ImportError as err:
        print(f"no figure: {err}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args()
    play_tennis()
    rings(args.out)


if __name__ == "__main__":
    main()
