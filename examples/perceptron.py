"""Rosenblatt's perceptron: it converges on linearly separable data (Novikoff's theorem bounds
the number of updates by (R / gamma)^2) and never converges on XOR, which no line separates.

The perceptron rule, one misclassified point at a time (labels in {-1, +1}):

    w <- w + eta * y_i * x_i,    b <- b + eta * y_i.

A two-layer network trained by backpropagation does solve XOR: that part reuses
``examples/xor.py`` (its ``train`` and ``accuracy``) rather than repeating it.

    python examples/perceptron.py [--out runs/examples]

writes ``perceptron.png`` (the separating line found) and ``perceptron_xor.png`` (the line it
is left with on XOR) to ``--out`` (needs matplotlib, an optional extra).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np

import shendu
from shendu import nn
from shendu.ml.perceptron import Perceptron
from shendu.ml.toy_data import make_separable

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def load_xor_example():
    """examples/xor.py as a module (examples are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("xor_example",
                                                  Path(__file__).with_name("xor.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def novikoff_bound(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """(R / gamma)^2 for the separator (w, b), with the bias as a constant feature 1."""
    Xb, u = np.hstack([X, np.ones((len(X), 1))]), np.append(w, b)
    gamma = np.min(y * (Xb @ u)) / np.linalg.norm(u)
    return float((np.max(np.linalg.norm(Xb, axis=1)) / gamma) ** 2)


def mlp_on_xor() -> float:
    """Train examples/xor.py's 2-8-2 tanh MLP with its own loop; returns its accuracy."""
    xor = load_xor_example()
    shendu.manual_seed(0)
    X, y = shendu.tensor(XOR_X.astype(np.float32)), shendu.tensor(XOR_Y)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    xor.train(model, X, y)
    return xor.accuracy(model, X, y)


def save_figures(X, y, model: Perceptron, xor_model: Perceptron, out: Path) -> None:
    """perceptron.png (separable data) and perceptron_xor.png, if matplotlib is installed."""
    from shendu.ml.plot import plot_decision_boundaries
    try:
        plot_decision_boundaries({f"separable: converged after {model.n_updates_} updates":
                                  (model.decision_function, None)}, X, y,
                                 out / "perceptron.png")
        plot_decision_boundaries({f"XOR: not converged after {xor_model.n_updates_} updates":
                                  (xor_model.decision_function, None)}, XOR_X, XOR_Y,
                                 out / "perceptron_xor.png")
    except ImportError as err:
        print(f"no figures: {err}")
        return
    print(f"figures: {out / 'perceptron.png'}, {out / 'perceptron_xor.png'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    parser.add_argument("--max-epochs", type=int, default=100)
    args = parser.parse_args()

    X, y = make_separable(100, margin=0.2, seed=0)
    model = Perceptron(max_epochs=args.max_epochs).fit(X, y)
    bound = novikoff_bound(X, y, np.array([1.0, -2.0]), 0.3 * np.sqrt(5.0))
    print(f"separable (100 points, margin 0.2): converged={model.converged_} after "
          f"{model.n_updates_} updates in {model.n_epochs_} epochs "
          f"(Novikoff bound {bound:.0f}); training accuracy {model.score(X, y):.2f}")

    xor_model = Perceptron(max_epochs=args.max_epochs).fit(XOR_X, XOR_Y)
    print(f"XOR: converged={xor_model.converged_} after {xor_model.n_epochs_} epochs and "
          f"{xor_model.n_updates_} updates; accuracy {xor_model.score(XOR_X, XOR_Y):.2f} "
          f"(predicts {xor_model.predict(XOR_X).tolist()} for {XOR_Y.tolist()})")
    print(f"MLP 2-8-2 with tanh (examples/xor.py) on XOR: accuracy {mlp_on_xor():.2f}")
    save_figures(X, y, model, xor_model, args.out)


if __name__ == "__main__":
    main()
