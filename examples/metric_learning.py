"""Metric learning on MNIST: a Siamese network trained with the triplet loss, then pair
verification and one-shot classification of held-out digits.

The embedding network (an MLP by default, ``--backbone cnn`` for the small CNN) maps a digit to
a unit vector, trained on semi-hard triplets (margin 0.5) of a random training subset. Then:

- verification: a pair is "same digit" when the embedding distance d <= tau; tau is chosen on
  pairs of 5,000 other training images and the accuracy measured on pairs of test images (half
  same-digit, half different);
- one-shot classification: each test image gets the digit of the nearest of 10 support images,
  one training image per digit (averaged over several support draws).

    python examples/metric_learning.py                               # 20,000 images, 5 epochs
    python examples/metric_learning.py --n-train 1000 --epochs 1 --pairs 500 --n-test 1000

A histogram of the test pairs' distances (same vs different digits, tau marked) goes to
``--out`` (default ``runs/examples`` under the current directory); it needs matplotlib (an
optional extra), without which only the numbers are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import shendu
from shendu import plot
from shendu.data.datasets import MNIST
from shendu.models.metric import (
    SiameseNet,
    choose_threshold,
    make_pairs,
    one_shot_classify,
    pair_distances,
    train_triplet,
    verification_accuracy,
)


def load(n_train: int, n_test: int, seed: int) -> dict:
    """Training subset, 5,000 other training images for validation, the test set; images
    (N, 1, 28, 28) float32 in [0, 1]."""
    train, test = MNIST(train=True), MNIST(train=False)
    order = np.random.default_rng(seed).permutation(len(train.targets))
    fit, val = order[:n_train], order[-5000:]

    def images(data):
        return (data.astype(np.float32) / 255.0)[:, None]

    return {"X": images(train.data[fit]), "y": train.targets[fit],
            "X_val": images(train.data[val]), "y_val": train.targets[val],
            "X_test": images(test.data[:n_test]), "y_test": test.targets[:n_test]}


def save_histogram(same_d: np.ndarray, diff_d: np.ndarray, tau: float, path: Path) -> bool:
    """The distance histograms of same-digit and different-digit pairs; False without
    matplotlib."""
    try:
        fig = plot.figure(figsize=(6, 3.5))
    except ImportError:
        return False
    ax = fig.add_subplot()
    bins = np.linspace(0, max(same_d.max(), diff_d.max()), 40)
    ax.hist(same_d, bins=bins, alpha=0.6, label="same digit")
    ax.hist(diff_d, bins=bins, alpha=0.6, label="different digits")
    ax.axvline(tau, color="black", linestyle="--", label=f"tau = {tau:.2f}")
    ax.set_xlabel("embedding distance d(x1, x2)")
    ax.set_ylabel("test pairs")
    ax.legend()
    plot.save_figure(fig, path)
    return True


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--backbone", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--pairs", type=int, default=5000, help="validation and test pairs")
    parser.add_argument("--supports", type=int, default=10, help="one-shot support draws")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs") / "examples")
    args = parser.parse_args(argv)

    data = load(args.n_train, args.n_test, args.seed)
    shendu.manual_seed(args.seed)
    net = SiameseNet(32, backbone=args.backbone)
    start = time.perf_counter()
    losses = train_triplet(net, data["X"], data["y"], epochs=args.epochs, batch_size=128,
                           lr=2e-3, margin=0.5, mining="semi-hard")
    print(f"{args.backbone} embedding, {len(data['X'])} images, {args.epochs} epochs of "
          f"semi-hard triplets: loss {losses[0]:.3f} -> {losses[-1]:.3f} "
          f"({time.perf_counter() - start:.1f}s)")

    rng = np.random.default_rng(args.seed + 1)
    i, j, same = make_pairs(data["y_val"], args.pairs, rng)
    tau = choose_threshold(pair_distances(net, data["X_val"][i], data["X_val"][j]), same)
    i, j, same = make_pairs(data["y_test"], args.pairs, rng)
    distances = pair_distances(net, data["X_test"][i], data["X_test"][j])
    print(f"verification: tau = {tau:.3f} (chosen on {args.pairs} validation pairs); accuracy "
          f"on {args.pairs} test pairs {verification_accuracy(distances, same, tau):.4f}")

    accuracies = []
    for _ in range(args.supports):
        support = np.array([rng.choice(np.flatnonzero(data["y"] == c)) for c in range(10)])
        predicted = one_shot_classify(net, data["X"][support], data["y"][support],
                                      data["X_test"])
        accuracies.append(np.mean(predicted == data["y_test"]))
    print(f"one-shot classification of {len(data['y_test'])} test digits, one support image "
          f"per digit: accuracy {np.mean(accuracies):.4f} (mean of {args.supports} support "
          f"draws; {np.min(accuracies):.4f} to {np.max(accuracies):.4f})")

    path = args.out / "metric_learning_distances.png"
    if save_histogram(distances[same], distances[~same], tau, path):
        print(f"saved {path}")
    else:
        print("matplotlib is not installed (pip install matplotlib): skipped the PNG")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
