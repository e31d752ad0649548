"""XOR: what a single-layer perceptron cannot learn and a two-layer network can.

The four points (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0 are not linearly separable:
a linear model reaches at most 3 of 4 correct. One hidden layer with a nonlinearity bends the
decision boundary and gets all four. Both are trained with plain minibatch SGD written out.

    python examples/xor.py
"""

from __future__ import annotations

import shendu
from shendu import nn
from shendu.nn import functional as F


def train(model: nn.Module, X, y, lr: float = 0.5, num_epochs: int = 500) -> float:
    """Full-batch gradient descent on the cross-entropy; returns the final loss."""
    for _ in range(num_epochs):
        loss = F.cross_entropy(model(X), y)
        model.zero_grad()
        loss.backward()
        with shendu.no_grad():
            for param in model.parameters():
                param -= lr * param.grad
    return loss.item()


def accuracy(model: nn.Module, X, y) -> float:
    with shendu.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def main() -> None:
    shendu.manual_seed(0)
    X = shendu.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = shendu.tensor([0, 1, 1, 0])
    models = {
        "linear (single layer)": nn.Linear(2, 2),
        "MLP 2-8-2 with tanh": nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)),
    }
    for name, model in models.items():
        loss = train(model, X, y)
        print(f"{name:<24} loss {loss:.4f}  accuracy {accuracy(model, X, y):.2f}")


if __name__ == "__main__":
    main()
