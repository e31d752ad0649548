"""A character-level 2-layer LSTM language model on Tiny Shakespeare, within a time budget.

The text (1,115,394 characters, 65 distinct) is split 90/10 into training and validation.
Training uses sequential partitioning: the training text is laid out in ``batch_size`` rows,
minibatch k holds columns k*T ... (k+1)*T of every row, and the LSTM state is carried from one
minibatch to the next, detached (truncated backpropagation through time). Embedding ->
2-layer LSTM (dropout between layers) -> Linear; Adam, gradient norm clipped at 1, the
learning rate lowered when validation stops improving. After every epoch (or when the time
budget runs out) it prints the validation loss in nats per character and a sample.

    python examples/char_lstm_shakespeare.py [--minutes 20] [--hidden 256] [--path FILE]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import shendu
from shendu import optim
from shendu.data.text import Vocab
from shendu.models.rnnlm import RNNLM, detach_state
from shendu.nn import functional as F
from shendu.nn.utils import clip_grad_norm_

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / "tinyshakespeare.txt"


def rows(corpus: np.ndarray, batch_size: int, num_steps: int):
    """Sequential partitioning: (X, Y) minibatches (batch_size, num_steps), row r of batch k+1
    continuing row r of batch k."""
    per_row = (len(corpus) - 1) // batch_size
    X = corpus[: per_row * batch_size].reshape(batch_size, per_row)
    Y = corpus[1: per_row * batch_size + 1].reshape(batch_size, per_row)
    for start in range(0, per_row - num_steps + 1, num_steps):
        yield (shendu.from_numpy(X[:, start:start + num_steps]),
               shendu.from_numpy(Y[:, start:start + num_steps]))


def validation_loss(model, corpus: np.ndarray, batch_size: int, num_steps: int) -> float:
    """Mean cross-entropy in nats per character, state carried along the rows."""
    model.eval()
    state, total, count = None, 0.0, 0
    with shendu.no_grad():
        for X, Y in rows(corpus, batch_size, num_steps):
            logits, state = model(X, state)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1),
                                     reduction="sum").item()
            count += Y.numel()
    model.train()
    return total / count


def main(argv=None) -> list[tuple[float, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=DATA)
    parser.add_argument("--minutes", type=float, default=20.0)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--num-steps", type=int, default=100)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--max-chars", type=int, default=0, help="use only the first N chars")
    args = parser.parse_args(argv)
    if not args.path.exists():
        print(f"no {args.path}; pass --path tinyshakespeare.txt")
        return []
    text = args.path.read_text(encoding="utf-8")
    if args.max_chars:
        text = text[: args.max_chars]
    vocab = Vocab(list(text))
    corpus = np.array(vocab[list(text)], dtype=np.int64)
    split = int(0.9 * len(corpus))
    train, val = corpus[:split], corpus[split:]
    if len(val) < args.batch_size * args.num_steps + 1:
        raise SystemExit(f"the validation text ({len(val)} characters) is too short for one "
                         f"minibatch of {args.batch_size} x {args.num_steps}")
    shendu.manual_seed(0)
    model = RNNLM(len(vocab), args.hidden, "lstm", num_layers=2, embed_size=args.embed,
                  dropout=0.2)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    budget, start, curve = args.minutes * 60, time.perf_counter(), []
    epoch = 0
    while time.perf_counter() - start < budget:
        epoch += 1
        state = None
        for X, Y in rows(train, args.batch_size, args.num_steps):
            logits, state = model(X, detach_state(state))
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if time.perf_counter() - start > budget:
                break
        loss = validation_loss(model, val, args.batch_size, args.num_steps)
        scheduler.step(loss)
        minutes = (time.perf_counter() - start) / 60
        curve.append((minutes, loss))
        print(f"epoch {epoch}: validation loss {loss:.3f} nats/char (perplexity "
              f"{math.exp(loss):.2f}) after {minutes:.1f} min", flush=True)
    print(model.generate("ROMEO:", 200, vocab, temperature=0.8))
    return curve


if __name__ == "__main__":
    main(sys.argv[1:])
