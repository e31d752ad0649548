"""Character language models on *The Time Machine*, with the curriculum's recipe (d2l 1.0,
chapters 9-10): letters and spaces only, 10,000 training and 5,000 validation windows of 32
characters, one-hot inputs, hidden size 32, minibatches of 1024, SGD with the gradient norm
clipped at 1; a plain RNN with lr 1 for 100 epochs, a GRU or LSTM with lr 4 for 50 epochs.
Windows are independent, so every minibatch starts from a zero state. Prints the validation
perplexity per epoch and a greedy continuation of "time traveller".

    python examples/time_machine_lm.py --cell gru [--epochs N] [--path timemachine.txt]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import shendu
from shendu import optim
from shendu.data import DataLoader, TensorDataset
from shendu.data.text import Vocab, read_time_machine_text
from shendu.models.rnnlm import RNNLM, perplexity, train_epoch

RECIPES = {"rnn": (1.0, 100), "gru": (4.0, 50), "lstm": (4.0, 50)}   # cell: (lr, epochs)
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / "timemachine.txt"


def windows(corpus: np.ndarray, num_steps: int = 32, num_train: int = 10000,
            num_val: int = 5000):
    """Every window of num_steps + 1 tokens (X the first num_steps, Y the last), the first
    num_train for training and the next num_val for validation."""
    starts = np.arange(len(corpus) - num_steps)[:, None] + np.arange(num_steps + 1)
    array = corpus[starts]
    X, Y = array[:, :-1], array[:, 1:]
    return ((X[:num_train], Y[:num_train]),
            (X[num_train:num_train + num_val], Y[num_train:num_train + num_val]))


def run(cell: str, epochs: int | None = None, path=None, seed: int = 0,
        verbose: bool = True) -> list[float]:
    """Train the recipe for ``cell``; returns the validation perplexity after each epoch."""
    lr, default_epochs = RECIPES[cell]
    text = read_time_machine_text(path)
    vocab = Vocab(list(text))
    corpus = np.array(vocab[list(text)], dtype=np.int64)
    (X, Y), (Xv, Yv) = windows(corpus)
    shendu.manual_seed(seed)
    train_loader = DataLoader(TensorDataset(X, Y), batch_size=1024, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xv, Yv), batch_size=1024)
    model = RNNLM(len(vocab), 32, cell)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    history, start = [], time.perf_counter()
    for epoch in range(epochs or default_epochs):
        train_ppl, _ = train_epoch(model, train_loader, optimizer, carry_state=False, clip=1.0)
        history.append(perplexity(model, val_loader))
        if verbose and (epoch + 1) % 10 == 0:
            print(f"{cell} epoch {epoch + 1}: train perplexity {train_ppl:.2f}, "
                  f"validation perplexity {history[-1]:.2f} ({time.perf_counter() - start:.0f} s)")
    if verbose:
        print(model.generate("time traveller", 40, vocab, greedy=True))
    return history


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", choices=sorted(RECIPES), default="gru")
    parser.add_argument("--epochs", type=int, help="default: the recipe's")
    parser.add_argument("--path", type=Path, help="timemachine.txt (default: ../shared or the "
                        "download cache)")
    args = parser.parse_args(argv)
    path = args.path or (SHARED if SHARED.exists() else None)
    run(args.cell, args.epochs, path)


if __name__ == "__main__":
    main(sys.argv[1:])
