"""Five autoencoders on MNIST: basic, sparse, contractive, denoising and stacked.

Each is trained with Adam on a random subset of the MNIST training images (pixels in [0, 1],
flattened to 784) and scored by its reconstruction MSE per pixel on the MNIST test set, next to
the trivial baseline of predicting the training set's mean image. The sparse one also reports
the mean activation of its hidden units against its target rho. A PNG grid shows test digits
(first row) and each model's reconstructions (one row per model).

    python examples/autoencoders.py                                  # 20,000 images, 10 epochs
    python examples/autoencoders.py --n-train 1000 --epochs 1 --n-test 1000   # a quick run

The PNG goes to ``--out`` (default ``runs/examples`` under the current directory) and needs
matplotlib (an optional extra); without it only the numbers are printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import shendu
from shendu.data.datasets import MNIST
from shendu.models.autoencoders import (
    Autoencoder,
    ContractiveAutoencoder,
    DenoisingAutoencoder,
    SparseAutoencoder,
    StackedAutoencoder,
    reconstruction_mse,
    save_reconstructions,
    train_autoencoder,
)

RHO = 0.05


def load(n_train: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X_train, X_test): flattened float32 pixels in [0, 1]; a random training subset."""
    train, test = MNIST(train=True), MNIST(train=False)
    pick = np.random.default_rng(seed).permutation(len(train.targets))[:n_train]
    X = train.data[pick].reshape(-1, 784).astype(np.float32) / 255.0
    X_test = test.data[:n_test].reshape(-1, 784).astype(np.float32) / 255.0
    return X, X_test


def models() -> dict:
    """name -> (model, learning rate)."""
    return {
        "basic": (Autoencoder(784, (128, 32)), 2e-3),
        "sparse": (SparseAutoencoder(784, 196, rho=RHO, beta=0.01), 1e-2),
        "contractive": (ContractiveAutoencoder(784, 128, lam=1e-3), 1e-2),
        "denoising": (DenoisingAutoencoder(784, (128, 32), noise="mask", noise_level=0.3), 2e-3),
    }


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs") / "examples")
    args = parser.parse_args(argv)

    X, X_test = load(args.n_train, args.n_test, args.seed)
    baseline = float(np.mean((X_test - X.mean(axis=0)) ** 2))
    print(f"{len(X)} training images, {len(X_test)} test images, {args.epochs} epochs")
    print(f"{'model':12s} {'test MSE':>9s} {'time':>7s}")
    print(f"{'mean image':12s} {baseline:9.4f}")
    shendu.manual_seed(args.seed)
    trained = {}
    for name, (model, lr) in models().items():
        start = time.perf_counter()
        train_autoencoder(model, X, epochs=args.epochs, batch_size=args.batch_size, lr=lr)
        trained[name] = model
        print(f"{name:12s} {reconstruction_mse(model, X_test):9.4f} "
              f"{time.perf_counter() - start:6.1f}s")

    start = time.perf_counter()
    stacked = StackedAutoencoder(784, (128, 32), num_classes=None)
    stacked.pretrain(X, epochs=args.epochs, batch_size=args.batch_size, lr=1e-2)
    pretrained = reconstruction_mse(stacked, X_test)
    stacked.fine_tune(X, epochs=args.epochs, batch_size=args.batch_size, lr=2e-3)
    trained["stacked"] = stacked
    print(f"{'stacked':12s} {reconstruction_mse(stacked, X_test):9.4f} "
          f"{time.perf_counter() - start:6.1f}s  (after greedy pretraining alone: "
          f"{pretrained:.4f})")

    with shendu.no_grad():
        h = trained["sparse"].encode(shendu.from_numpy(X_test)).numpy()
    per_unit = h.mean(axis=0)
    print(f"sparse: mean hidden activation {h.mean():.4f} (rho = {RHO}); per unit "
          f"{per_unit.min():.3f} to {per_unit.max():.3f}")

    try:
        path = save_reconstructions(trained, X_test[:10], args.out / "autoencoders.png")
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib): skipped the PNG")
    else:
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
