"""Support vector machines on two noisy concentric rings: a linear SVM (hinge loss + L2,
trained in the primal by Pegasos) can do no better than about chance, a kernel SVM (trained in
the dual by SMO) with an RBF or a degree-2 polynomial kernel separates the rings.

    primal:  min 1/2 |w|^2 + C sum_i max(0, 1 - y_i (w . x_i + b))
    dual:    max sum_i a_i - 1/2 sum_ij a_i a_j y_i y_j K(x_i, x_j),  0 <= a_i <= C,
             sum_i a_i y_i = 0;   f(x) = sum_i a_i y_i K(x_i, x) + b

    python examples/svm.py [--n 400] [--noise 0.1] [--C 1.0] [--out runs/examples]

writes ``svm.png`` (the three decision boundaries, support vectors circled) to ``--out``
(needs matplotlib, an optional extra).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from shendu.ml.kernel_svm import KernelSVM
from shendu.ml.linear_svm import LinearSVM
from shendu.ml.toy_data import make_circles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="training points (as many to test)")
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args()

    X, y = make_circles(args.n, noise=args.noise, seed=0)
    X_test, y_test = make_circles(args.n, noise=args.noise, seed=1)
    models = {
        "linear SVM (Pegasos)": LinearSVM(C=args.C),
        "RBF kernel, gamma 2 (SMO)": KernelSVM(C=args.C, kernel="rbf", gamma=2.0),
        "poly kernel, degree 2 (SMO)": KernelSVM(C=args.C, kernel="poly", degree=2, gamma=1.0),
    }
    panels, support = {}, {}
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        accuracy = model.score(X_test, y_test)
        extra = ""
        if isinstance(model, KernelSVM):
            extra = (f", {len(model.support_)} support vectors, {model.n_iter_} SMO steps, "
                     f"converged={model.converged_}")
            support[name] = model.support_vectors_
        print(f"{name:<28} test accuracy {accuracy:.3f}  (fit {seconds * 1e3:.0f} ms{extra})")
        panels[name] = (model.decision_function, f"test accuracy {accuracy:.3f}")

    try:
        from shendu.ml.plot import plot_decision_boundaries
        path = plot_decision_boundaries(panels, X, y, args.out / "svm.png", highlight=support)
        print(f"figure: {path}")
    except ImportError as err:
        print(f"no figure: {err}")


if __name__ == "__main__":
    main()
