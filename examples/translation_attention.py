"""Sequence to sequence with attention (Bahdanau et al., 2015): French to English on the
curriculum's 20 sentence pairs (../shared/data/text/fr-en-small.txt).

A GRU encoder reads the French sentence; a GRU decoder writes the English one a token at a
time. At each step the decoder's last hidden state is the query of an additive attention over
the encoder's outputs (the keys and values, masked beyond each sentence's length), and the
context it returns is fed in with the previous token. Training uses teacher forcing (the
decoder reads the true previous token) and a cross-entropy masked to each target's length;
translation decodes greedily until ``<eos>``. With so few pairs a working model memorises
them: the script prints each translation with its BLEU (k=2), the mean, and saves the
attention weights of one sentence as a heatmap.

    python examples/translation_attention.py [--epochs N] [--data PATH] [--out PNG]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

import shendu
from shendu import nn, optim, plot
from shendu.data.text import Vocab, pad_or_truncate_batch
from shendu.metrics import bleu
from shendu.nn import functional as F

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / "fr-en-small.txt"
RESERVED = ["<pad>", "<bos>", "<eos>"]


def read_pairs(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    """Source and target token lists, one pair per tab-separated line."""
    source, target = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"{path}, line {number}: expected 'source<TAB>target', got {line!r}")
        source.append(parts[0].split())
        target.append(parts[1].split())
    return source, target


def encode(sentences: list[list[str]], vocab: Vocab, num_steps: int):
    """Indices with <eos> appended, padded to num_steps: (N, num_steps) and valid lengths."""
    lines = [vocab[s] + [vocab["<eos>"]] for s in sentences]
    return pad_or_truncate_batch(lines, num_steps, vocab["<pad>"])


class Encoder(nn.Module):
    """Embedding -> multi-layer GRU. (B, T) -> outputs (T, B, H), state (layers, B, H)."""

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int,
                 dropout: float) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X):
        return self.rnn(self.embedding(X.t()))


class AttentionDecoder(nn.Module):
    """At each step: context = attention(query = top hidden state, keys = values = encoder
    outputs), then GRU([embedding of the previous token, context]) -> Linear to the
    vocabulary."""

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int,
                 dropout: float) -> None:
        super().__init__()
        self.attention = nn.AdditiveAttention(num_hiddens, num_hiddens, num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.attention_weights: list = []

    def forward(self, X, enc_outputs, state, valid_lens):
        """X (B, T) previous tokens -> logits (B, T, V), the final state."""
        keys = enc_outputs.transpose(0, 1)                         # (B, T_src, H)
        outputs, self.attention_weights = [], []
        for x in self.embedding(X.t()):                            # x: (B, E), one step
            query = state[-1].unsqueeze(1)                         # (B, 1, H)
            context = self.attention(query, keys, keys, valid_lens)  # (B, 1, H)
            step = shendu.cat([x.unsqueeze(1), context], dim=-1).transpose(0, 1)
            out, state = self.rnn(step, state)
            outputs.append(out[0])
            self.attention_weights.append(self.attention.attention_weights)
        return self.dense(shendu.stack(outputs, dim=1)), state


class Seq2Seq(nn.Module):
    def __init__(self, src_vocab: int, tgt_vocab: int, embed_size: int = 32,
                 num_hiddens: int = 32, num_layers: int = 2, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = Encoder(src_vocab, embed_size, num_hiddens, num_layers, dropout)
        self.decoder = AttentionDecoder(tgt_vocab, embed_size, num_hiddens, num_layers,
                                        dropout)

    def forward(self, src, src_lens, dec_input):
        enc_outputs, state = self.encoder(src)
        return self.decoder(dec_input, enc_outputs, state, src_lens)[0]


def masked_cross_entropy(logits, target, valid_lens):
    """Mean over the valid target tokens of each sequence (padding does not count)."""
    mask = shendu.arange(target.shape[1]).unsqueeze(0) < valid_lens.unsqueeze(1)
    losses = F.cross_entropy(logits.transpose(1, 2), target, reduction="none")
    return (losses * mask.to(losses.dtype)).sum() / mask.sum().to(losses.dtype)


def translate(model: Seq2Seq, sentence: list[str], src_vocab: Vocab, tgt_vocab: Vocab,
              num_steps: int):
    """Greedy decoding; returns (the translation, the attention weights (steps, T_src))."""
    model.eval()
    src, src_len = encode([sentence], src_vocab, num_steps)
    with shendu.no_grad():
        enc_outputs, state = model.encoder(src)
        token, words, weights = tgt_vocab["<bos>"], [], []
        for _ in range(num_steps):
            logits, state = model.decoder(shendu.tensor([[token]]), enc_outputs, state, src_len)
            weights.append(model.decoder.attention_weights[0][0, 0].numpy())
            token = int(logits[0, -1].argmax().item())
            if token == tgt_vocab["<eos>"]:
                break
            words.append(tgt_vocab.to_tokens(token))
    model.train()
    return " ".join(words), np.stack(weights)


def train(path: Path = DATA, epochs: int = 300, num_steps: int = 10, seed: int = 0,
          lr: float = 0.005):
    """Train on every pair; returns (model, source sentences, target sentences, vocabs)."""
    source, target = read_pairs(path)
    src_vocab = Vocab(source, reserved_tokens=RESERVED)
    tgt_vocab = Vocab(target, reserved_tokens=RESERVED)
    src, src_lens = encode(source, src_vocab, num_steps)
    tgt, tgt_lens = encode(target, tgt_vocab, num_steps)
    bos = shendu.full((len(target), 1), tgt_vocab["<bos>"], dtype=shendu.int64)
    dec_input = shendu.cat([bos, tgt[:, :-1]], dim=1)              # teacher forcing
    shendu.manual_seed(seed)
    model = Seq2Seq(len(src_vocab), len(tgt_vocab))
    optimizer = optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = masked_cross_entropy(model(src, src_lens, dec_input), tgt, tgt_lens)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return model, source, target, src_vocab, tgt_vocab, loss.item()


def evaluate(model, source, target, src_vocab, tgt_vocab, num_steps: int = 10):
    """(translations, BLEU scores with k=2) on the given pairs."""
    translations = [translate(model, s, src_vocab, tgt_vocab, num_steps)[0] for s in source]
    scores = [bleu(t, " ".join(ref), k=2) for t, ref in zip(translations, target)]
    return translations, scores


def plot_attention(weights: np.ndarray, source: list[str], words: list[str], path: Path):
    fig = plot.figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.imshow(weights[:, : len(source) + 1], cmap="Reds")
    ax.set_xticks(range(len(source) + 1), [*source, "<eos>"], rotation=45)
    ax.set_yticks(range(len(weights)), [*words, "<eos>"][: len(weights)])
    ax.set_xlabel("French (keys)")
    ax.set_ylabel("English (queries)")
    plot.save_figure(fig, path)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "shendu_attention.png")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no {args.data}; pass --data fr-en-small.txt")
        return 0.0
    model, source, target, src_vocab, tgt_vocab, loss = train(args.data, args.epochs)
    translations, scores = evaluate(model, source, target, src_vocab, tgt_vocab)
    for s, t, score in zip(source, translations, scores):
        print(f"{' '.join(s):<32} => {t:<28} BLEU {score:.3f}")
    mean = float(np.mean(scores))
    print(f"final training loss {loss:.4f}, mean BLEU {mean:.3f}")
    words, weights = translate(model, source[0], src_vocab, tgt_vocab, 10)
    try:
        plot_attention(weights, source[0], words.split(), args.out)
        print(f"attention weights of the first sentence: {args.out}")
    except ImportError:
        print("matplotlib is not installed: no heatmap (pip install shendu[plot])")
    return mean


if __name__ == "__main__":
    main(sys.argv[1:])
