"""LeNet-5 (modern variant: ReLU and max pooling) trained on the real MNIST reaches at least
98.9% test accuracy within 3 epochs. Needs ../shared/data/mnist (skipped, with the reason
shown, where it is absent). SGD with momentum is written out here: the optimizer classes come
with a later issue."""

from __future__ import annotations

import time

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.nn import functional as F
from tests.mnist import load


def lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def evaluate(model, X: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    model.eval()
    correct = 0
    with shendu.no_grad():
        for i in range(0, len(X), batch_size):
            logits = model(shendu.from_numpy(X[i:i + batch_size]))
            correct += int((logits.argmax(dim=1).numpy() == y[i:i + batch_size]).sum())
    model.train()
    return correct / len(X)


@pytest.mark.data
def test_lenet_reaches_989_percent_in_3_epochs(shared_data):
    X, y = load(shared_data / "mnist", "train")
    X_test, y_test = load(shared_data / "mnist", "test")
    mean, std = X.mean(), X.std()
    X, X_test = (X - mean) / std, (X_test - mean) / std

    shendu.manual_seed(0)
    rng = np.random.default_rng(0)
    model = lenet()
    params = list(model.parameters())
    velocity = [np.zeros_like(p.data) for p in params]
    lr, momentum, batch_size, num_epochs = 0.05, 0.9, 128, 3
    start = time.perf_counter()
    for _ in range(num_epochs):
        order = rng.permutation(len(X))
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            loss = F.cross_entropy(model(shendu.from_numpy(X[batch])), shendu.from_numpy(y[batch]))
            model.zero_grad()
            loss.backward()
            for p, v in zip(params, velocity):  # v = momentum v + g; p -= lr v
                v *= momentum
                v += p.grad.data
                p.data -= lr * v
        lr *= 0.5
    elapsed = time.perf_counter() - start
    accuracy = evaluate(model, X_test, y_test)
    print(f"\nLeNet-5 on MNIST: test accuracy {accuracy:.4f} after {num_epochs} epochs, "
          f"training time {elapsed:.1f} s")
    assert accuracy >= 0.989, f"test accuracy {accuracy:.4f} < 0.989"
