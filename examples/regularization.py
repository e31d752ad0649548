"""L1 against L2 regularisation on one model: sparsity against shrinkage.

A regression target depends on 3 of 30 input features; the other 27 are noise. With only 100
training samples a 30-16-1 MLP can fit the noise features too. The same network (same seed,
same data, same plain gradient descent) is trained three times, with the penalty added to the
mean squared error:

    none:  loss = mse
    L1:    loss = mse + 0.01 * sum(|w|)      (gradient 0.01 * sign(w): a constant pull to 0)
    L2:    loss = mse + 0.01 * sum(w**2)     (gradient 0.02 * w: a pull proportional to w)

on the weight matrices of both layers (``weight_regularizer=``; biases are left free, as is
usual). The table shows what each penalty does to the weights: L1 sets most of them to (near)
zero and switches whole hidden units off, L2 keeps them all but makes the weight vector
shorter; both fit the training set less closely and the held-out set better.

Plain gradient descent on |w| does not give exact zeros: a weight the data does not need
steps across 0 and back, staying within about lr * l1 = 5e-4 of it, hence the 1e-3 threshold
(a proximal method, which clips such weights to 0, gives exact zeros).

    python examples/regularization.py
"""

from __future__ import annotations

import numpy as np

import shendu
from shendu import nn
from shendu.nn import functional as F

NUM_INPUTS, NUM_RELEVANT, NUM_HIDDENS = 30, 3, 16
NEAR_ZERO = 1e-3


def make_data(num_examples: int, seed: int):
    """y = x0 - 2 x1 + tanh(2 x2) + noise; the other inputs do not matter."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((num_examples, NUM_INPUTS)).astype(np.float32)
    y = X[:, 0] - 2 * X[:, 1] + np.tanh(2 * X[:, 2]) + 0.1 * rng.standard_normal(num_examples)
    return shendu.tensor(X), shendu.tensor(y.astype(np.float32)[:, None])


def make_model(penalty) -> nn.Sequential:
    shendu.manual_seed(0)  # the same initial weights for every run
    return nn.Sequential(nn.Linear(NUM_INPUTS, NUM_HIDDENS, weight_regularizer=penalty),
                         nn.Tanh(),
                         nn.Linear(NUM_HIDDENS, 1, weight_regularizer=penalty))


def train(model: nn.Module, X, y, lr: float = 0.05, num_epochs: int = 1500) -> None:
    """Full-batch gradient descent on mse + the attached penalties."""
    for _ in range(num_epochs):
        loss = F.mse_loss(model(X), y) + model.regularization_loss()
        model.zero_grad()
        loss.backward()
        with shendu.no_grad():
            for param in model.parameters():
                param -= lr * param.grad


def mse(model: nn.Module, X, y) -> float:
    with shendu.no_grad():
        return F.mse_loss(model(X), y).item()


def main() -> None:
    X, y = make_data(100, seed=0)
    X_test, y_test = make_data(1000, seed=1)
    penalties = {"none": None, "L1(0.01)": nn.L1(0.01), "L2(0.01)": nn.L2(0.01)}
    print(f"{'penalty':<10}{'train mse':>10}{'test mse':>10}{'|w|<1e-3':>10}{'||w||':>8}"
          f"{'hidden units used':>19}")
    for name, penalty in penalties.items():
        model = make_model(penalty)
        train(model, X, y)
        weights = [model[0].weight.detach().numpy(), model[2].weight.detach().numpy()]
        flat = np.concatenate([w.ravel() for w in weights])
        near_zero = np.mean(np.abs(flat) < NEAR_ZERO)
        norm = np.sqrt(np.sum(flat.astype(np.float64) ** 2))
        # a hidden unit is used when its weight into the output is not (near) zero
        used = int(np.sum(np.abs(weights[1]) >= NEAR_ZERO))
        print(f"{name:<10}{mse(model, X, y):>10.4f}{mse(model, X_test, y_test):>10.4f}"
              f"{near_zero:>10.1%}{norm:>8.3f}{used:>14d} / {NUM_HIDDENS}")
    print(f"(|w|<1e-3 and ||w|| over the {NUM_INPUTS * NUM_HIDDENS + NUM_HIDDENS} weights of "
          f"both layers; {NUM_RELEVANT} of the {NUM_INPUTS} inputs carry signal)")


if __name__ == "__main__":
    main()
