"""Linear regression from scratch with shendu's autograd (d2l, "Linear Regression
Implementation from Scratch").

Synthetic data y = X w + b + noise with w = [2, -3.4], b = 4.2; minibatch stochastic gradient
descent on the squared loss, gradients from ``loss.backward()``; finally a numerical gradient
check of the loss in float64. The loss of every minibatch is drawn in
``runs/examples/linear_regression.png`` (needs matplotlib, an optional extra).

    python examples/linear_regression.py
"""

from __future__ import annotations

from pathlib import Path

import shendu
from shendu import plot
from shendu.autograd import gradcheck


def synthetic_data(w, b, num_examples: int):
    """X ~ N(0, 1) of shape (num_examples, len(w)); y = X w + b + N(0, 0.01^2)."""
    X = shendu.randn(num_examples, len(w))
    y = X @ w + b
    return X, (y + 0.01 * shendu.randn(*y.shape)).reshape(-1, 1)


def data_iter(batch_size: int, X, y):
    """Yield shuffled minibatches (X_batch, y_batch)."""
    indices = shendu.randperm(len(X))
    for i in range(0, len(X), batch_size):
        batch = indices[i:i + batch_size]
        yield X[batch], y[batch]


def linreg(X, w, b):
    """The linear model X w + b."""
    return X @ w + b


def squared_loss(y_hat, y):
    """(y_hat - y)^2 / 2 per example."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr: float, batch_size: int) -> None:
    """Minibatch SGD: param -= lr * grad / batch_size, in place, without recording."""
    with shendu.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad = None


def main() -> None:
    shendu.manual_seed(0)
    true_w, true_b = shendu.tensor([2.0, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)

    w = (shendu.randn(2, 1) * 0.01).requires_grad_()
    b = shendu.zeros(1, requires_grad=True)
    lr, num_epochs, batch_size = 0.03, 3, 10
    batch_losses = []
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            loss = squared_loss(linreg(X, w, b), y)
            loss.sum().backward()
            batch_losses.append(loss.mean().item())
            sgd([w, b], lr, batch_size)
        with shendu.no_grad():
            train_l = squared_loss(linreg(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {train_l.mean().item():f}")
    estimated = ", ".join(f"{v:.4f}" for v in w.detach().reshape(-1).tolist())
    print(f"estimated w [{estimated}], true w [2.0000, -3.4000]")
    print(f"estimated b {b.item():.4f}, true b {true_b:.4f}")

    X64, y64 = features[:8].double(), labels[:8].double()
    w64 = w.detach().double().requires_grad_()
    b64 = b.detach().double().requires_grad_()
    ok = gradcheck(lambda w_, b_: squared_loss(linreg(X64, w_, b_), y64).mean(), (w64, b64))
    print(f"gradcheck of the loss (float64, central differences): {'passed' if ok else 'FAILED'}")
    save_figure(batch_losses, Path("runs/examples/linear_regression.png"))


def save_figure(batch_losses: list[float], path: Path) -> None:
    """The minibatch losses against the step, on a log scale."""
    try:
        fig = plot.figure(figsize=(6, 3.5))
    except ImportError as err:
        print(f"{err}: no figure written")
        return
    ax = fig.subplots()
    ax.semilogy(range(1, len(batch_losses) + 1), batch_losses)
    ax.set(xlabel="minibatch step", ylabel="squared loss / 2",
           title="linear regression, minibatch SGD (lr 0.03, batch 10)")
    print(f"saved {plot.save_figure(fig, path)}")


if __name__ == "__main__":
    main()
