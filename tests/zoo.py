"""Shared helpers for the model-zoo tests: a fixed 5,000-image MNIST training subset, the full
10,000-image test set, one epoch of training and the test accuracy.

The images come from the MNIST copy bundled with the package (the same files as
../shared/data/mnist), standardised with the training set's mean and standard deviation.
"""

from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

import shendu
from shendu import nn
from shendu.data.datasets import MNIST
from shendu.nn import functional as F

MEAN, STD = 0.1307, 0.3081


@lru_cache(maxsize=1)
def mnist_arrays(n_train: int = 5000) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test): a fixed random subset of ``n_train`` training images
    (float32, (N, 1, 28, 28), standardised) and the whole test set."""
    train, test = MNIST(train=True), MNIST(train=False)
    pick = np.random.default_rng(0).permutation(len(train.targets))[:n_train]

    def prepare(images: np.ndarray) -> np.ndarray:
        return ((images.astype(np.float32) / 255.0 - MEAN) / STD)[:, None]

    return (prepare(train.data[pick]), train.targets[pick].astype(np.int64),
            prepare(test.data), test.targets.astype(np.int64))


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray, batch_size: int = 500) -> float:
    """Top-1 accuracy of ``model`` in eval mode."""
    model.eval()
    correct = 0
    with shendu.no_grad():
        for i in range(0, len(X), batch_size):
            logits = model(shendu.from_numpy(X[i:i + batch_size]))
            correct += int((logits.numpy().argmax(axis=1) == y[i:i + batch_size]).sum())
    model.train()
    return correct / len(X)


OPTIMIZERS = {"adam": shendu.optim.Adam, "adamw": shendu.optim.AdamW,
              "sgd": partial(shendu.optim.SGD, momentum=0.9)}


def train_one_epoch(model: nn.Module, lr: float = 1e-3, batch_size: int = 64,
                    n_train: int = 5000, seed: int = 0, optimizer: str = "adam",
                    weight_decay: float = 0.0, one_cycle: bool = False) -> float:
    """Train ``model`` for one epoch on the MNIST subset; return its test accuracy.

    ``optimizer`` is ``"adam"`` (the default), ``"adamw"`` or ``"sgd"`` (momentum 0.9), with
    ``weight_decay``. With ``one_cycle=True`` the learning rate follows
    :class:`shendu.optim.lr_scheduler.OneCycleLR` over the epoch's batches, peaking at ``lr``
    (stepped after every batch, with its default phases: a rise from lr / 25 over the first
    30%, then a cosine fall; Adam's beta1 / SGD's momentum moves the other way between 0.95 and
    0.85); otherwise the learning rate stays ``lr``.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"train_one_epoch: optimizer must be one of {sorted(OPTIMIZERS)}, "
                         f"got {optimizer!r}")
    X, y, X_test, y_test = mnist_arrays(n_train)
    opt = OPTIMIZERS[optimizer](model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = -(-len(X) // batch_size)
    schedule = shendu.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps) \
        if one_cycle else None
    order = np.random.default_rng(seed).permutation(len(X))
    model.train()
    for i in range(0, len(X), batch_size):
        batch = order[i:i + batch_size]
        loss = F.cross_entropy(model(shendu.from_numpy(X[batch])), shendu.from_numpy(y[batch]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if schedule is not None:
            schedule.step()
    return accuracy(model, X_test, y_test)
