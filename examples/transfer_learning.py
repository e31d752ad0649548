"""Transfer learning on MNIST: features learnt on digits 0-4 help to learn digits 5-9 from
100 labelled images per class.

1. Pretrain LeNet-5 (``shendu.models.classic.lenet``, 5 outputs) on training digits 0-4.
2. On 500 training images of digits 5-9 (100 per class, labels 5-9 as 0-4), train three models
   with the same optimizer, learning rate and number of epochs (a new output layer learns at
   ten times the rate, as in d2l's fine-tuning):

   a. *frozen features*: the pretrained network with its convolutional feature layers frozen
      (``requires_grad_(False)``) and a new output layer; the fully connected layers learn;
   b. *fine-tuned*: the pretrained network with a new output layer, every layer learning;
   c. *from scratch*: a new LeNet-5 trained on the 500 images only.

3. Print the accuracy of each on the test images of digits 5-9 (all 4,861 by default), and
   draw them as bars in ``--out``/transfer_learning.png (needs matplotlib, an optional extra).

    python examples/transfer_learning.py                          # about 10-20 s
    python examples/transfer_learning.py --pretrain-images 500 --epochs 1 --test-images 500
    python examples/transfer_learning.py --pretrain-images 30000 --pretrain-epochs 2 --epochs 30

The images are the MNIST copy bundled with shendu, so the example runs offline.
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np

import shendu
from shendu import nn, plot
from shendu.data.datasets import MNIST
from shendu.models.classic import lenet
from shendu.nn import functional as F

MEAN, STD = 0.1307, 0.3081      # MNIST's training-set pixel mean and standard deviation
SOURCE, TARGET = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)


def _prepare(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) -> standardised float32 (N, 1, 28, 28)."""
    return ((images.astype(np.float32) / 255.0 - MEAN) / STD)[:, None]


def make_splits(n_pretrain: int = 6000, per_class: int = 100, seed: int = 0,
                n_test: int | None = None) -> dict:
    """The three data sets, as (X, y) pairs with labels relabelled 0-4:

    ``pretrain``: ``n_pretrain`` random training images of digits 0-4;
    ``target``: ``per_class`` random training images of each digit 5-9 (disjoint from nothing
    else, since the digits differ); ``test``: the first ``n_test`` test images of digits 5-9
    (all of them by default)."""
    rng = np.random.default_rng(seed)
    train, test = MNIST(train=True), MNIST(train=False)
    source = np.flatnonzero(np.isin(train.targets, SOURCE))
    pick = rng.permutation(source)[:n_pretrain]
    target = np.concatenate([rng.permutation(np.flatnonzero(train.targets == d))[:per_class]
                             for d in TARGET])
    target = rng.permutation(target)
    test_pick = np.flatnonzero(np.isin(test.targets, TARGET))[:n_test]
    return {
        "pretrain": (_prepare(train.data[pick]), train.targets[pick].astype(np.int64)),
        "target": (_prepare(train.data[target]), train.targets[target].astype(np.int64) - 5),
        "test": (_prepare(test.data[test_pick]), test.targets[test_pick].astype(np.int64) - 5),
    }


def train(model: nn.Sequential, X: np.ndarray, y: np.ndarray, epochs: int, lr: float,
          head_lr: float | None = None, batch_size: int = 64, seed: int = 0) -> nn.Sequential:
    """Adam with minibatches of ``batch_size`` for ``epochs`` epochs. With ``head_lr`` the
    output layer learns at that rate and the other layers at ``lr`` (d2l's fine-tuning uses
    ten times the rate for the new output layer). Frozen parameters (requires_grad False) get
    no gradient, so the optimizer leaves them alone; a wholly frozen body is left out of the
    optimizer, which refuses a group with nothing to train."""
    head = list(model[-1].parameters())
    body = [p for p in model.parameters() if all(p is not h for h in head)]
    groups = [{"params": head, "lr": head_lr or lr}]
    if any(p.requires_grad for p in body):   # shendu refuses a group that is wholly frozen
        groups.insert(0, {"params": body, "lr": lr})
    optimizer = shendu.optim.Adam(groups)
    rng = np.random.default_rng(seed)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            loss = F.cross_entropy(model(shendu.from_numpy(X[batch])),
                                   shendu.from_numpy(y[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    """Top-1 accuracy in eval mode."""
    model.eval()
    correct = 0
    with shendu.no_grad():
        for i in range(0, len(X), batch_size):
            logits = model(shendu.from_numpy(X[i:i + batch_size]))
            correct += int((logits.numpy().argmax(axis=1) == y[i:i + batch_size]).sum())
    model.train()
    return correct / len(X)


def new_head(model: nn.Sequential, num_classes: int = 5) -> nn.Sequential:
    """A deep copy of the pretrained ``model`` with a freshly initialised output layer."""
    model = copy.deepcopy(model)
    model[-1] = nn.Linear(model[-1].in_features, num_classes)
    return model


def feature_layers(model: nn.Sequential) -> nn.Sequential:
    """The convolutional part of LeNet: the layers before the first Linear (a slice that
    shares its layers with ``model``)."""
    first_linear = next(i for i, layer in enumerate(model) if isinstance(layer, nn.Linear))
    return model[:first_linear]


def frozen_features(pretrained: nn.Sequential) -> nn.Sequential:
    """The pretrained network with a new output layer and its convolutional feature layers
    frozen: only the fully connected layers learn."""
    model = new_head(pretrained)
    feature_layers(model).requires_grad_(False)
    return model


def run(n_pretrain: int = 6000, pretrain_epochs: int = 1, per_class: int = 100,
        epochs: int = 5, lr: float = 2e-3, head_factor: float = 10.0, seed: int = 0,
        n_test: int | None = None) -> dict[str, float]:
    """Pretrain, transfer three ways, and return the three test accuracies on digits 5-9.
    The new output layers of the transferred models learn at ``head_factor * lr``; the model
    from scratch learns at ``lr`` everywhere (as in d2l's fine-tuning section)."""
    splits = make_splits(n_pretrain, per_class, seed, n_test)
    shendu.manual_seed(seed)
    pretrained = train(lenet(num_classes=5), *splits["pretrain"], epochs=pretrain_epochs,
                       lr=lr, seed=seed)
    models = {
        "frozen features, new head": frozen_features(pretrained),
        "fine-tuned, new head": new_head(pretrained),
        "from scratch": lenet(num_classes=5),
    }
    results = {}
    for name, model in models.items():
        head_lr = lr if name == "from scratch" else head_factor * lr
        train(model, *splits["target"], epochs=epochs, lr=lr, head_lr=head_lr, seed=seed + 1)
        results[name] = accuracy(model, *splits["test"])
    return results


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pretrain-images", type=int, default=6000,
                        help="training images of digits 0-4 to pretrain on (default 6000)")
    parser.add_argument("--pretrain-epochs", type=int, default=1)
    parser.add_argument("--per-class", type=int, default=100,
                        help="labelled images of each digit 5-9 (default 100)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs on the 5-9 images")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--head-factor", type=float, default=10.0,
                        help="the new output layer's lr is this times --lr (transfer only)")
    parser.add_argument("--test-images", type=int, default=None,
                        help="test on the first N test images of digits 5-9 (default all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)
    began = time.perf_counter()
    results = run(args.pretrain_images, args.pretrain_epochs, args.per_class, args.epochs,
                  args.lr, args.head_factor, args.seed, args.test_images)
    print(f"pretrained LeNet-5 on {args.pretrain_images} images of digits 0-4 "
          f"({args.pretrain_epochs} epoch(s)); then {args.epochs} epochs on "
          f"{5 * args.per_class} images of digits 5-9 (Adam, lr {args.lr}; new output "
          f"layers {args.head_factor:g} x lr)")
    for name, acc in results.items():
        print(f"  {name:<27} test accuracy on digits 5-9: {acc:.4f}")
    print(f"({time.perf_counter() - began:.1f} s)")
    save_figure(results, args.out / "transfer_learning.png")
    return results


def save_figure(results: dict[str, float], path: Path) -> None:
    """The three test accuracies as bars."""
    try:
        fig = plot.figure(figsize=(6, 3.5))
    except ImportError as err:
        print(f"{err}: no figure written")
        return
    ax = fig.subplots()
    bars = ax.bar(list(results), list(results.values()), color=["tab:blue", "tab:green",
                                                                  "tab:gray"])
    ax.bar_label(bars, fmt="%.3f")
    ax.set(ylabel="test accuracy, digits 5-9", ylim=(0, 1),
           title="500 labelled images: transfer against training from scratch")
    print(f"saved {plot.save_figure(fig, path)}")


if __name__ == "__main__":
    main()
