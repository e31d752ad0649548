"""Batch normalisation: LeNet with and without it, same learning rate, same steps.

Batch normalisation standardises each feature (each channel, for a convolution) over the
minibatch B, then rescales it with a learned scale gamma and shift beta:

    mu_B = mean_{i in B} x_i,   sigma_B^2 = mean_{i in B} (x_i - mu_B)^2
    BN(x) = gamma * (x - mu_B) / sqrt(sigma_B^2 + eps) + beta

(in eval mode mu_B and sigma_B^2 are replaced by running averages collected in training).
BN-LeNet puts ``BatchNorm2d`` after each convolution and ``BatchNorm1d`` after each hidden
dense layer, before the sigmoid -- d2l's placement. Both nets are the zoo's
``shendu.models.lenet.LeNet``: variant ``"1998"`` (d2l's LeNet-5: sigmoid activations, average
pooling) and variant ``"bn"`` (the same with BN; ``bn-lenet`` in the registry). They start
from the same seed and are trained once through the same images in the same order with plain
SGD at the same learning rate (0.1, batches of 64).

Without BN, the sigmoids' small derivatives (at most 1/4) and the badly scaled inputs of the
deeper layers keep the loss on its plateau at log 10 = 2.30 for the whole epoch: the net
still predicts one class. With BN every sigmoid gets inputs of mean beta and spread gamma,
where it is steep, and the same steps bring the loss down quickly. (LeNet with ReLU and Adam,
``shendu.models`` ``lenet``, trains without BN too; the sigmoid net makes the effect plain.)
Evaluation uses BN's running averages (updated with momentum 0.1 per step): after only a few
dozen steps they still lag the batch statistics, and BN-LeNet's test accuracy is then poor
although its training loss has fallen -- give it at least ~50 steps.

    python examples/batch_norm.py [--n-train 10000] [--lr 0.1] [--out runs/examples]

writes ``batch_norm_loss.png`` (the two loss curves) to ``--out`` (needs matplotlib).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import shendu
from shendu import nn, optim, plot
from shendu.data.datasets import MNIST
from shendu.models.lenet import LeNet
from shendu.nn import functional as F


def mnist(n_train: int, n_test: int | None) -> tuple[np.ndarray, ...]:
    """A fixed random subset of the training images and the first ``n_test`` test images,
    float32 (N, 1, 28, 28) in [0, 1], with int64 labels."""
    train, test = MNIST(train=True), MNIST(train=False)
    pick = np.random.default_rng(0).permutation(len(train.targets))[:n_train]

    def images(data: np.ndarray) -> np.ndarray:
        return data.astype(np.float32)[:, None] / 255.0

    return (images(train.data[pick]), train.targets[pick], images(test.data[:n_test]),
            test.targets[:n_test])


def train_one_epoch(model: nn.Module, X: np.ndarray, y: np.ndarray, lr: float,
                    batch_size: int) -> list[float]:
    """One pass of SGD over (X, y) in a fixed order; the loss of every step."""
    optimizer = optim.SGD(model.parameters(), lr=lr)
    order = np.random.default_rng(0).permutation(len(X))  # the same order for both nets
    losses = []
    model.train()
    for i in range(0, len(X), batch_size):
        batch = order[i:i + batch_size]
        loss = F.cross_entropy(model(shendu.from_numpy(X[batch])), shendu.from_numpy(y[batch]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    model.eval()  # BN uses its running averages
    with shendu.no_grad():
        predictions = np.concatenate([model(shendu.from_numpy(X[i:i + batch_size])).numpy()
                                      .argmax(axis=1) for i in range(0, len(X), batch_size)])
    return float(np.mean(predictions == y))


def save_figure(losses: dict[str, list[float]], path: Path, window: int = 10) -> None:
    try:
        fig = plot.figure(figsize=(6.5, 4))
    except ImportError as err:
        print(f"{err}: no figure written")
        return
    ax = fig.add_subplot()
    for name, curve in losses.items():
        line, = ax.plot(np.arange(1, len(curve) + 1), curve, alpha=0.25)
        if len(curve) >= window:  # a moving average over ``window`` steps
            smooth = np.convolve(curve, np.ones(window) / window, mode="valid")
            ax.plot(np.arange(window, len(curve) + 1), smooth, color=line.get_color(),
                    label=f"{name} ({window}-step mean)")
    ax.axhline(np.log(10), color="grey", linestyle=":", label="log 10 (chance)")
    ax.set(title="LeNet on MNIST: one epoch of SGD", xlabel="step", ylabel="training loss")
    ax.grid(True, alpha=0.3)
    ax.legend()
    print(f"saved {plot.save_figure(fig, path)}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=10000, help="training images (1 epoch)")
    parser.add_argument("--n-test", type=int, default=None, help="test images (default all)")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    X, y, X_test, y_test = mnist(args.n_train, args.n_test)
    losses, results = {}, {}
    for name, variant in (("LeNet", "1998"), ("BN-LeNet", "bn")):
        shendu.manual_seed(0)
        model = LeNet(variant=variant)
        start = time.perf_counter()
        losses[name] = train_one_epoch(model, X, y, args.lr, args.batch_size)
        seconds = time.perf_counter() - start
        results[name] = {"test_acc": accuracy(model, X_test, y_test), "seconds": seconds}

    steps = len(losses["LeNet"])
    print(f"training loss, mean over each fifth of the epoch (SGD lr {args.lr}, batch "
          f"{args.batch_size}, {len(X)} images = {steps} steps)")
    print(f"{'steps':>11}{'LeNet':>9}{'BN-LeNet':>10}")
    for chunk in np.array_split(np.arange(steps), min(5, steps)):
        a, b = chunk[0], chunk[-1] + 1
        print(f"{a + 1:>5}-{b:<5}" + "".join(f"{np.mean(losses[n][a:b]):>{w}.3f}"
                                             for n, w in (("LeNet", 9), ("BN-LeNet", 10))))
    print(f"\n{'model':<10}{'test acc':>9}{'train time':>12}   ({len(X_test)} test images)")
    for name, r in results.items():
        print(f"{name:<10}{r['test_acc']:>9.4f}{r['seconds']:>10.1f} s")
    save_figure(losses, args.out / "batch_norm_loss.png")
    return {"losses": losses, "results": results}


if __name__ == "__main__":
    main()
