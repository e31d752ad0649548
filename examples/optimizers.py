"""The curriculum's optimizers on one ill-conditioned problem.

f(x1, x2) = 0.1 x1^2 + 2 x2^2 is 20 times steeper along x2 than along x1. Plain gradient
descent with a learning rate large enough to make progress along x1 oscillates along x2;
momentum averages the oscillation away; Adagrad, RMSprop, Adadelta and Adam give each
coordinate its own step size. Every optimizer starts at (-5, -2) and takes 20 steps.
Gradient descent diverges along x2 once lr * 4 (the curvature there) exceeds 2; Adadelta,
which has no learning rate to tune, starts with steps of about sqrt(eps) = 1e-3 and grows
them slowly.

The last line checks the curriculum's form of momentum, v = beta v + (1 - beta) g written out
by hand, against ``SGD(momentum=beta, dampening=beta)``: they agree from the second step on
(PyTorch's buffer starts at g, the curriculum's at 0). The paths are drawn over the contours
of f in ``runs/examples/optimizers.png`` (needs matplotlib, an optional extra).

    python examples/optimizers.py [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import shendu
from shendu import optim, plot


def f(x):
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


def run(make_optimizer, steps: int = 20) -> list[tuple[float, float]]:
    """The points visited by ``steps`` steps from (-5, -2)."""
    x = shendu.tensor([-5.0, -2.0], dtype=shendu.float64, requires_grad=True)
    opt = make_optimizer([x])
    path = [tuple(x.tolist())]
    for _ in range(steps):
        opt.zero_grad()
        f(x).backward()
        opt.step()
        path.append(tuple(x.tolist()))
    return path


def momentum_by_hand(beta: float, lr: float, steps: int = 20) -> list[tuple[float, float]]:
    """The curriculum's v = beta v + (1 - beta) g, w = w - lr v, with v starting at g."""
    x = shendu.tensor([-5.0, -2.0], dtype=shendu.float64, requires_grad=True)
    v = None
    path = [tuple(x.tolist())]
    for _ in range(steps):
        x.grad = None
        f(x).backward()
        g = x.grad.detach()
        v = g.clone() if v is None else beta * v + (1 - beta) * g
        with shendu.no_grad():
            x -= lr * v
        path.append(tuple(x.tolist()))
    return path


OPTIMIZERS = {
    "gradient descent, lr 0.4": lambda p: optim.SGD(p, lr=0.4),
    "gradient descent, lr 0.6": lambda p: optim.SGD(p, lr=0.6),
    "momentum 0.5, lr 0.4": lambda p: optim.SGD(p, lr=0.4, momentum=0.5),
    "Nesterov 0.5, lr 0.2": lambda p: optim.SGD(p, lr=0.2, momentum=0.5, nesterov=True),
    "Adagrad, lr 0.4": lambda p: optim.Adagrad(p, lr=0.4),
    "RMSprop, lr 0.4, alpha 0.9": lambda p: optim.RMSprop(p, lr=0.4, alpha=0.9),
    "Adadelta, rho 0.9": lambda p: optim.Adadelta(p, rho=0.9),
    "Adam, lr 0.4": lambda p: optim.Adam(p, lr=0.4),
}


def save_figure(paths: dict[str, list], path: Path) -> None:
    """Each optimizer's path over the contours of f, one panel each."""
    try:
        fig = plot.figure(figsize=(12, 5.5))
    except ImportError as err:
        print(f"{err}: no figure written")
        return
    x1, x2 = np.meshgrid(np.linspace(-5.5, 1.5, 200), np.linspace(-3.0, 3.0, 200))
    for ax, (name, points) in zip(fig.subplots(2, 4).flat, paths.items()):
        ax.contour(x1, x2, 0.1 * x1 ** 2 + 2 * x2 ** 2, levels=12, colors="0.7")
        xs, ys = np.clip(np.array(points).T, -6, 6)  # a diverging path leaves the panel
        ax.plot(xs, ys, "o-", color="tab:orange", markersize=3)
        ax.set(title=name, xlim=(-5.5, 1.5), ylim=(-3, 3))
    print(f"saved {plot.save_figure(fig, path)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args()
    paths = {name: run(make) for name, make in OPTIMIZERS.items()}
    print(f"{'optimizer':<28} {'x after 20 steps':>20}   f(x)")
    for name, path in paths.items():
        x1, x2 = path[-1]
        print(f"{name:<28} ({x1:8.4f}, {x2:8.4f})   {0.1 * x1**2 + 2 * x2**2:.2e}")
    ours = run(lambda p: optim.SGD(p, lr=0.4, momentum=0.5, dampening=0.5))
    by_hand = momentum_by_hand(beta=0.5, lr=0.4)
    gap = max(abs(a - b) for p, q in zip(ours, by_hand) for a, b in zip(p, q))
    print(f"SGD(momentum=0.5, dampening=0.5) vs v = 0.5 v + 0.5 g by hand: max gap {gap:.1e}")
    save_figure(paths, args.out / "optimizers.png")


if __name__ == "__main__":
    main()
