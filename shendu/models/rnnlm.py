"""Recurrent language models: ``RNNLM`` (one-hot or embedded tokens -> ``nn.RNN``/``GRU``/
``LSTM`` -> a linear layer over the vocabulary), its training with truncated
backpropagation through time, perplexity, and text generation.

Training follows the curriculum. Each minibatch is (X, Y) with Y the tokens after X. With
random sampling, minibatches are unrelated stretches of text, so every minibatch starts from
a zero state; with sequential partitioning, row r of a minibatch continues row r of the one
before, so the final state is carried over, detached from the graph so that backpropagation
stops at the minibatch boundary (truncated BPTT). Gradients are clipped to a global norm
before each update (exploding gradients), and perplexity is exp of the mean cross-entropy per
token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

import numpy as np

import shendu
from shendu import nn
from shendu.nn import functional as F
from shendu.nn.utils import clip_grad_norm_
from shendu.tensor import Tensor

CELLS = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}


class RNNLM(nn.Module):
    """A character- or word-level language model.

    Args:
        vocab_size: the number of tokens.
        num_hiddens: the recurrent layer's hidden size.
        cell: ``"rnn"``, ``"gru"`` or ``"lstm"``.
        num_layers: stacked recurrent layers.
        embed_size: an ``nn.Embedding`` of this size feeds the recurrent layer; ``None`` feeds
            one-hot vectors of the vocabulary size (the curriculum's first models).
        dropout: between recurrent layers.

    Shape: X (B, T) int64 token indices -> logits (B, T, vocab_size), and the final state
    (``h_n``, or ``(h_n, c_n)`` for an LSTM).
    """

    def __init__(self, vocab_size: int, num_hiddens: int, cell: str = "lstm",
                 num_layers: int = 1, embed_size: int | None = None,
                 dropout: float = 0.0) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"RNNLM: cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.vocab_size, self.cell = vocab_size, cell
        self.embedding = nn.Embedding(vocab_size, embed_size) if embed_size else None
        layer = getattr(nn, CELLS[cell])
        self.rnn = layer(embed_size or vocab_size, num_hiddens, num_layers, dropout=dropout,
                         batch_first=True)
        self.output = nn.Linear(num_hiddens, vocab_size)

    def forward(self, X: Tensor, state=None):
        if X.ndim != 2:
            raise self.input_error(f"expected token indices of shape (B, T), got "
                                   f"{tuple(X.shape)}")
        if self.embedding is not None:
            inputs = self.embedding(X)
        else:
            inputs = F.one_hot(X, self.vocab_size).to(self.output.weight.dtype)
        hiddens, state = self.rnn(inputs, state)
        return self.output(hiddens), state

    def generate(self, prefix: str | list, num_preds: int, vocab, temperature: float = 1.0,
                 greedy: bool = False) -> str:
        """Continue ``prefix`` by ``num_preds`` tokens: warm the state up on the prefix, then
        feed each predicted token back in. ``greedy`` takes the most likely token; otherwise
        tokens are drawn from softmax(logits / temperature) with shendu's generator.

        ``vocab`` maps tokens to indices (``vocab[token]``) and back (``to_tokens``)."""
        if not prefix:
            raise ValueError("RNNLM.generate: the prefix must hold at least one token")
        unknown = [t for t in prefix if t not in vocab.token_to_idx]
        if unknown:
            raise ValueError(f"RNNLM.generate: the prefix holds tokens outside the vocabulary: "
                             f"{sorted(set(unknown))!r}")
        if not temperature > 0:
            raise ValueError(f"RNNLM.generate: temperature must be > 0, got {temperature}")
        was_training = self.training
        self.eval()
        tokens = [vocab[t] for t in prefix]
        with shendu.no_grad():
            logits, state = self(shendu.tensor([tokens], dtype=shendu.int64))
            for _ in range(num_preds):
                last = logits[0, -1].numpy().astype(np.float64)
                tokens.append(_pick(last, temperature, greedy))
                logits, state = self(shendu.tensor([[tokens[-1]]], dtype=shendu.int64), state)
        self.train(was_training)
        joiner = "" if isinstance(prefix, str) else " "
        return joiner.join(vocab.to_tokens(tokens))


def _pick(logits: np.ndarray, temperature: float, greedy: bool) -> int:
    if greedy:
        return int(logits.argmax())
    z = logits / temperature
    p = np.exp(z - z.max())
    return int(shendu.random.get_generator().choice(len(p), p=p / p.sum()))


def detach_state(state):
    """The state cut from the graph (carried to the next minibatch, truncated BPTT)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def train_epoch(model: nn.Module, batches: Iterable, optimizer, carry_state: bool = False,
                clip: float | None = 1.0) -> tuple[float, float]:
    """One epoch of language-model training; returns (perplexity, tokens per second).

    Args:
        model: returns (logits (B, T, V), state) for X (B, T), as :class:`RNNLM`.
        batches: (X, Y) minibatches of token indices.
        optimizer: a ``shendu.optim`` optimizer.
        carry_state: True for sequential partitioning (the state goes on, detached); False
            for random sampling (every minibatch starts from zeros).
        clip: the global gradient-norm bound (None: no clipping).
    """
    model.train()
    state, total, count, start = None, 0.0, 0, time.perf_counter()
    for X, Y in batches:
        state = detach_state(state) if carry_state else None
        logits, state = model(X, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        if clip is not None:
            clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        n = Y.numel()
        total, count = total + loss.item() * n, count + n
    return math.exp(total / max(count, 1)), count / (time.perf_counter() - start)


def perplexity(model: nn.Module, batches: Iterable, carry_state: bool = False) -> float:
    """exp of the mean cross-entropy per token over ``batches``, in eval mode."""
    model.eval()
    state, total, count = None, 0.0, 0
    with shendu.no_grad():
        for X, Y in batches:
            state = state if carry_state else None
            logits, state = model(X, state)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1),
                                   reduction="sum")
            total, count = total + loss.item(), count + Y.numel()
    model.train()
    return math.exp(total / max(count, 1))
