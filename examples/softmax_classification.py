"""Softmax regression on MNIST, written from the formulas: the model, the softmax, the
cross-entropy and minibatch SGD are each a line or two of tensor code.

A 28 x 28 image is flattened to x (784 values in [0, 1]). The model is one affine map to ten
scores (logits) and the softmax turns them into class probabilities:

    o = x W + b                          W: (784, 10), b: (10,)
    y_hat_j = exp(o_j) / sum_k exp(o_k)   (computed as exp(o_j - max o) / ..., same value)

The loss is the cross-entropy between the one-hot label y and y_hat, averaged over a batch:

    l(y, y_hat) = -sum_j y_j log y_hat_j = log sum_k exp(o_k) - o_label

Its gradient with respect to the scores is simply dl/do = y_hat - y (what the model
predicts minus what it should predict); the script checks autograd against this formula.
Training is minibatch SGD, W <- W - lr * dL/dW, on all 60,000 training images; the table
shows the loss and the accuracy after each epoch and the confusion matrix shows which digits
are taken for which (rows: true digit, columns: predicted digit).

    python examples/softmax_classification.py [--epochs 5] [--out runs/examples]

writes ``softmax_confusion_matrix.png`` to ``--out`` (needs matplotlib, an optional extra).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import shendu
from shendu.data.datasets import MNIST
from shendu.metrics import confusion_matrix

NUM_INPUTS, NUM_OUTPUTS = 784, 10


def load_mnist(n_train: int | None = None) -> tuple[np.ndarray, ...]:
    """(X_train, y_train, X_test, y_test): flattened float32 images in [0, 1], shape (N, 784),
    and int64 labels; the first ``n_train`` training images when given."""
    train, test = MNIST(train=True), MNIST(train=False)
    n = len(train.targets) if n_train is None else n_train

    def flat(images: np.ndarray) -> np.ndarray:
        return images.reshape(len(images), -1).astype(np.float32) / 255.0

    return flat(train.data[:n]), train.targets[:n], flat(test.data), test.targets


def softmax(O: shendu.Tensor) -> shendu.Tensor:
    """Row-wise softmax of scores O (n, q): exp(O - max) / sum exp(O - max). Subtracting the
    row maximum changes nothing mathematically and keeps exp from overflowing."""
    O_exp = (O - O.max(dim=1, keepdim=True).values.detach()).exp()
    return O_exp / O_exp.sum(dim=1, keepdim=True)


def cross_entropy(O: shendu.Tensor, Y: shendu.Tensor) -> shendu.Tensor:
    """Mean over the batch of -sum_j y_j log y_hat_j, for scores O (n, q) and one-hot Y (n, q),
    with log y_hat = O - logsumexp(O) so that no probability is rounded to log(0)."""
    log_y_hat = O - shendu.logsumexp(O, dim=1, keepdim=True)
    return -(Y * log_y_hat).sum(dim=1).mean()


def one_hot(y: np.ndarray) -> shendu.Tensor:
    return shendu.from_numpy(np.eye(NUM_OUTPUTS, dtype=np.float32)[y])


def predict(W: shendu.Tensor, b: shendu.Tensor, X: np.ndarray) -> np.ndarray:
    """Predicted classes argmax_j o_j, (N,) int64."""
    with shendu.no_grad():
        return (shendu.from_numpy(X) @ W + b).numpy().argmax(axis=1)


def train(X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray,
          num_epochs: int, lr: float = 0.1, batch_size: int = 256):
    """Minibatch SGD on the cross-entropy; returns W, b and one row of logs per epoch."""
    shendu.manual_seed(0)
    W = (0.01 * shendu.randn(NUM_INPUTS, NUM_OUTPUTS)).requires_grad_()
    b = shendu.zeros(NUM_OUTPUTS, requires_grad=True)
    rng = np.random.default_rng(0)
    logs = []
    for epoch in range(num_epochs):
        total_loss = 0.0
        for batch in np.array_split(rng.permutation(len(X)), max(1, len(X) // batch_size)):
            loss = cross_entropy(shendu.from_numpy(X[batch]) @ W + b, one_hot(y[batch]))
            W.grad = b.grad = None
            loss.backward()
            with shendu.no_grad():
                W -= lr * W.grad
                b -= lr * b.grad
            total_loss += loss.item() * len(batch)
        logs.append((epoch + 1, total_loss / len(X), np.mean(predict(W, b, X) == y),
                     np.mean(predict(W, b, X_test) == y_test)))
    return W, b, logs


def gradient_gap(W: shendu.Tensor, b: shendu.Tensor, X: np.ndarray, y: np.ndarray) -> float:
    """Largest |autograd's dL/dO - (softmax(O) - Y) / n| on a batch: the formula above."""
    O = (shendu.from_numpy(X) @ W + b).detach().requires_grad_()
    Y = one_hot(y)
    cross_entropy(O, Y).backward()
    by_formula = (softmax(O).detach() - Y) / len(X)
    return float(np.abs(O.grad.numpy() - by_formula.numpy()).max())


def save_figure(cm: np.ndarray, path: Path) -> None:
    try:
        from shendu.plot import plot_confusion_matrix
        plot_confusion_matrix(cm, path, title="softmax regression on MNIST (test set)")
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib): no figure written")
        return
    print(f"saved {path}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=None, help="default: all 60,000")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--out", type=Path, default=Path("runs/examples"))
    args = parser.parse_args(argv)

    X, y, X_test, y_test = load_mnist(args.n_train)
    W, b, logs = train(X, y, X_test, y_test, args.epochs, lr=args.lr)
    print(f"{'epoch':>5}{'train loss':>12}{'train acc':>11}{'test acc':>10}")
    for epoch, loss, train_acc, test_acc in logs:
        print(f"{epoch:>5}{loss:>12.4f}{train_acc:>11.4f}{test_acc:>10.4f}")
    print(f"autograd's dL/dO vs (softmax(O) - Y) / n: max gap "
          f"{gradient_gap(W, b, X[:256], y[:256]):.1e}")

    cm = confusion_matrix(y_test, predict(W, b, X_test), num_classes=NUM_OUTPUTS)
    mistakes = cm - np.diag(np.diag(cm))  # the off-diagonal cells
    largest = np.argsort(mistakes, axis=None, kind="stable")[::-1][:3]
    worst = zip(*np.unravel_index(largest, cm.shape))
    print("most frequent mistakes (true -> predicted: count): " +
          ", ".join(f"{t} -> {p}: {cm[t, p]}" for t, p in worst))
    save_figure(cm, args.out / "softmax_confusion_matrix.png")
    return {"logs": logs, "confusion_matrix": cm}


if __name__ == "__main__":
    main()
