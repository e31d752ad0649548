"""Vanishing gradients in a deep MLP, and how the activation and the initialisation decide them.

A 10-layer MLP (784 -> 256 -> ... -> 256 -> 10, nine hidden layers) gets one batch of 256
MNIST images and one backward pass of the cross-entropy; the table shows the norm of the
gradient of each layer's weight matrix, ||dL/dW_l||, for four set-ups. Backpropagation
multiplies the gradient by every layer it passes on the way down:

    dL/dh_{l-1} = W_l^T (f'(z_l) * dL/dh_l),    dL/dW_l = (f'(z_l) * dL/dh_l) h_{l-1}^T

so each layer scales it by about  std(W) * sqrt(fan_in) * f'  (with f' = 1/2 of the units
open for ReLU, f' <= 1/4 for the sigmoid). Initialisations (``shendu.nn.init``):

    small normal:  W ~ N(0, 0.01^2)                 the factor is 0.01 * 16 = 0.16 (times f')
    Xavier:        W ~ N(0, 2 / (fan_in + fan_out))  the factor is about 1 (times f')
    He (Kaiming):  W ~ N(0, 2 / fan_in)              the factor is sqrt(2): times 1/2 gives 1

- sigmoid + small normal: the gradient shrinks by about 0.04 per layer: vanished.
- sigmoid + Xavier: the weights are right, but sigmoid' <= 1/4 still shrinks it ~4x a layer.
- ReLU + small normal: the forward signal shrinks by ~0.11 per layer (the last hidden
  layer's activations are ~1e-8) and the backward one by as much, so dL/dW_l, the product of
  the two, is ~1e-8 in *every* layer: nothing vanishes relative to the rest, all of it does.
- ReLU + He: the factor is about 1; every layer gets a gradient of the same size.

The figure draws the norms per layer on a log scale (and the standard deviation of each
hidden layer's activations, which vanish the same way in the forward pass).

    python examples/initialization.py [--depth 10] [--width 256] [--out runs/examples]

writes ``initialization_gradients.png`` to ``--out`` (needs matplotlib, an optional extra).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np

import shendu
from shendu import nn, plot
from shendu.data.datasets import MNIST
from shendu.nn import functional as F
from shendu.nn import init

# name: (activation module, initialisation of a weight matrix)
SETUPS: dict[str, tuple[type[nn.Module], Callable]] = {
    "sigmoid, N(0, 0.01)": (nn.Sigmoid, lambda w: init.normal_(w, 0.0, 0.01)),
    "sigmoid, Xavier": (nn.Sigmoid, init.xavier_normal_),
    "ReLU, N(0, 0.01)": (nn.ReLU, lambda w: init.normal_(w, 0.0, 0.01)),
    "ReLU, He": (nn.ReLU, lambda w: init.kaiming_normal_(w, nonlinearity="relu")),
}


def make_mlp(depth: int, width: int, activation: type[nn.Module],
             init_weight: Callable) -> nn.Sequential:
    """``depth`` Linear layers (784 -> width -> ... -> 10) with ``activation`` between them,
    weights drawn by ``init_weight``, biases 0."""
    sizes = [784] + [width] * (depth - 1) + [10]
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(fan_in, fan_out)
        init_weight(linear.weight)
        init.zeros_(linear.bias)
        layers += [linear] if i == depth - 1 else [linear, activation()]
    return nn.Sequential(*layers)


def gradient_norms(model: nn.Sequential, X: shendu.Tensor,
                   y: shendu.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """||dL/dW|| of every Linear layer (first to last) and the standard deviation of every
    hidden activation, after one forward and backward pass of the cross-entropy."""
    stds, h = [], X
    for layer in model:
        h = layer(h)
        if not isinstance(layer, nn.Linear):
            stds.append(float(h.detach().numpy().std()))
    F.cross_entropy(h, y).backward()
    norms = [np.linalg.norm(m.weight.grad.numpy().astype(np.float64))
             for m in model if isinstance(m, nn.Linear)]
    return np.array(norms), np.array(stds)


def mnist_batch(n: int) -> tuple[shendu.Tensor, shendu.Tensor]:
    """The first ``n`` training images, flattened and standardised, and their labels."""
    train = MNIST(train=True)
    X = (train.data[:n].reshape(n, -1).astype(np.float32) / 255.0 - 0.1307) / 0.3081
    return shendu.from_numpy(X), shendu.from_numpy(train.targets[:n])


def save_figure(results: dict, path: Path) -> None:
    try:
        fig = plot.figure(figsize=(10, 4))
    except ImportError as err:
        print(f"{err}: no figure written")
        return
    grads, acts = fig.subplots(1, 2)
    for name, (norms, stds) in results.items():
        grads.semilogy(np.arange(1, len(norms) + 1), norms, "o-", label=name)
        acts.semilogy(np.arange(1, len(stds) + 1), stds, "o-", label=name)
    grads.set(title="gradient norm per layer", xlabel="layer (1 = next to the input)",
              ylabel="||dL/dW||")
    acts.set(title="activations' standard deviation", xlabel="hidden layer", ylabel="std")
    for ax in (grads, acts):
        ax.grid(True, which="major", alpha=0.3)
    grads.legend(fontsize=8)
    print(f"saved {plot.save_figure(fig, path)}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=10, help="number of Linear layers")
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    X, y = mnist_batch(args.batch_size)
    results = {}
    for name, (activation, init_weight) in SETUPS.items():
        shendu.manual_seed(0)
        model = make_mlp(args.depth, args.width, activation, init_weight)
        results[name] = gradient_norms(model, X, y)

    print("||dL/dW|| per layer after one backward pass (layer 1 is next to the input)")
    print(f"{'layer':>5}" + "".join(f"{name:>21}" for name in results))
    for layer in range(args.depth):
        print(f"{layer + 1:>5}" + "".join(f"{norms[layer]:>21.2e}"
                                         for norms, _ in results.values()))
    print(f"{'1/' + str(args.depth):>5}" + "".join(f"{norms[0] / norms[-1]:>21.2e}"
                                                    for norms, _ in results.values()))
    print(f"{'std h':>5}" + "".join(f"{stds[-1]:>21.2e}" for _, stds in results.values())
          + "   (last hidden layer's activations)")
    save_figure(results, args.out / "initialization_gradients.png")
    return results


if __name__ == "__main__":
    main()
