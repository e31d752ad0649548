"""Predicting house prices (d2l, "Predicting House Prices on Kaggle"): k-fold cross-validation
of a linear model and of an MLP on Kaggle's Ames house-price data.

The features are d2l's: numeric columns standardised, missing values set to 0, categorical
columns one-hot encoded with a "missing" indicator (331 columns; see
``shendu.data.datasets.tabular.load_house_prices``). Both models are scored, as the
competition is, by the root-mean-square error of log prices,

    log_rmse = sqrt(mean((log(clamp(y_hat, 1, inf)) - log(y))**2)),

averaged over the validation folds (``shendu.metrics.log_rmse``).

- linear: d2l's recipe, ``nn.Linear(331, 1)`` fitted to the prices in dollars with the squared
  loss, Adam (lr 5, no weight decay), minibatches of 64, 100 epochs.
- mlp: 331-128-1 with ReLU and dropout 0.1, fitted to log prices (the target of d2l's later
  edition), standardised with the training fold's mean and std, with the squared loss, Adam
  (lr 0.01, weight decay 0.01), minibatches of 256, 60 epochs; y_hat = exp(un-standardised
  output). (Minibatches of 64 at lr 0.005 score about the same, 0.135, in twice the time.)

tests/test_data_tabular.py checks this full run (5 folds, all epochs, seed 0): linear <= 0.175
(d2l reports 0.170), MLP <= 0.16. It takes about 3 s; ``--epochs-scale`` shortens it.

    python examples/house_prices.py
    python examples/house_prices.py --root path/to/tabular --folds 3 --epochs-scale 0.5
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

import shendu
from shendu import nn, optim
from shendu.data.datasets.tabular import HOUSE_TRAIN_FILE, load_house_prices
from shendu.data.preprocessing import StandardScaler
from shendu.data.split import KFold
from shendu.metrics import log_rmse
from shendu.nn import functional as F

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "tabular"


@dataclass(frozen=True)
class Recipe:
    """How one model is built and trained."""

    name: str
    num_hiddens: int        # 0: the linear model
    dropout: float
    log_target: bool        # fit log(price) instead of price
    num_epochs: int
    lr: float
    weight_decay: float
    batch_size: int


LINEAR = Recipe("linear", num_hiddens=0, dropout=0.0, log_target=False, num_epochs=100, lr=5.0,
                weight_decay=0.0, batch_size=64)
MLP = Recipe("mlp", num_hiddens=128, dropout=0.1, log_target=True, num_epochs=60, lr=0.01,
             weight_decay=0.01, batch_size=256)


def get_net(in_features: int, recipe: Recipe) -> nn.Module:
    """``Linear(in, 1)``, or ``Linear(in, h) -> ReLU -> Dropout -> Linear(h, 1)``."""
    if recipe.num_hiddens == 0:
        return nn.Sequential(nn.Linear(in_features, 1))
    return nn.Sequential(nn.Linear(in_features, recipe.num_hiddens), nn.ReLU(),
                         nn.Dropout(recipe.dropout), nn.Linear(recipe.num_hiddens, 1))


class Model:
    """A net and the map between its output and prices: the identity for the linear recipe;
    for a log target, the output is the standardised log price, z = (log y - mean) / std, with
    mean and std of the training fold's log prices (so the net starts near the right scale)."""

    def __init__(self, in_features: int, recipe: Recipe) -> None:
        self.net, self.recipe = get_net(in_features, recipe), recipe
        self.target_scaler = StandardScaler(dtype=np.float32)

    def fit(self, X: np.ndarray, y: np.ndarray) -> Model:
        """Train on X (N, F) and prices y (N, 1)."""
        target = y
        if self.recipe.log_target:
            target = self.target_scaler.fit_transform(np.log(y))
        train(self.net, X, target.astype(np.float32), self.recipe)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Prices for the rows of X (N, F) -> (N, 1) float64, the net in evaluation mode."""
        self.net.eval()
        with shendu.no_grad():
            out = self.net(shendu.from_numpy(X)).numpy().astype(np.float64)
        self.net.train()
        if self.recipe.log_target:
            return np.exp(self.target_scaler.inverse_transform(out))
        return out


def train(net: nn.Module, X: np.ndarray, target: np.ndarray, recipe: Recipe) -> None:
    """Minibatch Adam on the squared loss; a new shuffle of the rows every epoch (shendu's
    global generator). X (N, F), target (N, 1)."""
    optimizer = optim.Adam(net.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    generator = shendu.random.get_generator()
    for _ in range(recipe.num_epochs):
        order = generator.permutation(len(X))
        for start in range(0, len(X), recipe.batch_size):
            batch = order[start:start + recipe.batch_size]
            loss = F.mse_loss(net(shendu.from_numpy(X[batch])), shendu.from_numpy(target[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def k_fold(X: np.ndarray, y: np.ndarray, recipe: Recipe, k: int = 5, seed: int = 0
           ) -> list[tuple[float, float]]:
    """(train log_rmse, validation log_rmse) of each of the k folds (contiguous, as d2l's
    ``get_k_fold_data``); a fresh model per fold, seeded by ``seed``."""
    shendu.manual_seed(seed)
    scores = []
    for train_idx, val_idx in KFold(k).split(X):
        model = Model(X.shape[1], recipe).fit(X[train_idx], y[train_idx])
        scores.append((log_rmse(y[train_idx], model.predict(X[train_idx])),
                       log_rmse(y[val_idx], model.predict(X[val_idx]))))
    return scores


def print_table(recipe: Recipe, scores: list[tuple[float, float]], seconds: float) -> None:
    print(f"{recipe.name}: {recipe.num_epochs} epochs, lr {recipe.lr}, weight decay "
          f"{recipe.weight_decay}, batch {recipe.batch_size} ({seconds:.1f} s)")
    print("  fold  train log-RMSE  valid log-RMSE")
    for i, (tr, va) in enumerate(scores, 1):
        print(f"  {i:4d}  {tr:14.4f}  {va:14.4f}")
    mean_tr, mean_va = np.mean(scores, axis=0)
    print(f"  mean  {mean_tr:14.4f}  {mean_va:14.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                        help="folder holding kaggle_house_pred_train.csv and _test.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs-scale", type=float, default=1.0,
                        help="fraction of each recipe's epochs to run (1: the full recipe)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not (args.root / HOUSE_TRAIN_FILE).is_file():
        print(f"house_prices: no {HOUSE_TRAIN_FILE} in {args.root}; pass --root the folder "
              f"holding the Kaggle files. Nothing to do.")
        return 0
    X, y, _, _, names = load_house_prices(args.root)
    print(f"{len(X)} houses, {len(names)} features; {args.folds}-fold cross-validation")
    for recipe in (LINEAR, MLP):
        recipe = replace(recipe, num_epochs=max(1, round(recipe.num_epochs * args.epochs_scale)))
        start = time.perf_counter()
        scores = k_fold(X, y, recipe, k=args.folds, seed=args.seed)
        print_table(recipe, scores, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
