"""TextCNN (Kim 2014) for the sentiment of IMDb reviews, on the curriculum's tiny IMDb sample.

A review becomes a sequence of word vectors (N, T, E), read as E input channels over T time
steps. Several Conv1d of different widths (3, 4 and 5 words, 100 filters each) detect n-gram
patterns; ReLU; **max-over-time pooling** keeps, per filter, its strongest response anywhere in
the review (so a phrase counts wherever it stands, and reviews of any length give one vector);
the maxima of all filters are concatenated, dropped out (p = 0.5) and mapped by one Linear
layer to 2 class scores (0 negative, 1 positive):

    c_j = max_t relu(w_j * x[t : t + k_j] + b_j),   logits = W dropout([c_1, ..., c_300]) + b

Kim's "CNN-rand": one embedding, learnt from scratch. (d2l's version adds a second, frozen,
GloVe embedding as another 100 input channels; its PyTorch code pools with
``AdaptiveAvgPool1d(1)`` under a "max-over-time" comment, its MXNet code, like Kim, with max.)

The data: aclImdb_tiny.zip holds 40 reviews, 10 per class in train/ and in test/. With 20
training reviews the model learns them all within a few epochs; the test accuracy, over 20
reviews (5 points each), is noisy and is reported as measured, not as a claim about TextCNN:
0.35 with seed 0, 0.48 on average over seeds 0-9 (0.35 to 0.50), which is chance. Twenty
reviews share too few sentiment words with the test reviews (the curriculum trains it on the
full set of 25,000).

    python examples/textcnn_imdb.py [--data path/to/aclImdb_tiny.zip]
"""

from __future__ import annotations

import argparse
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import shendu
from shendu import nn, optim
from shendu.data import DataLoader, TensorDataset
from shendu.data.text import Vocab, pad_or_truncate_batch, tokenize
from shendu.nn import functional as F

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text" / \
    "aclImdb_tiny.zip"
PAD = "<pad>"
LABELS = {"neg": 0, "pos": 1}


# --------------------------------------------------------------------------- data
def read_imdb(path: str | Path) -> dict[str, tuple[list[str], list[int]]]:
    """The reviews of an aclImdb-style zip: ``{'train': (texts, labels), 'test': ...}``.

    Every ``<root>/<split>/<pos|neg>/*.txt`` member is a review (UTF-8); label 1 for pos, 0
    for neg; in each split, sorted by member name. Other members (``.DS_Store``) are skipped.
    """
    data: dict[str, tuple[list[str], list[int]]] = {"train": ([], []), "test": ([], [])}
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            parts = name.split("/")
            if len(parts) < 3 or not name.endswith(".txt"):
                continue
            split, label = parts[-3], parts[-2]
            if split in data and label in LABELS:
                data[split][0].append(archive.read(name).decode("utf-8"))
                data[split][1].append(LABELS[label])
    for split, (texts, _) in data.items():
        if not texts:
            raise ValueError(f"read_imdb: {path} holds no {split}/pos/*.txt or {split}/neg/*.txt "
                             "reviews; expected the layout <root>/{train,test}/{pos,neg}/*.txt")
    return data


def words(text: str) -> str:
    """Lower case, HTML line breaks removed, punctuation split from the words."""
    text = text.lower().replace("<br />", " ")
    return re.sub(r"([.,!?;:()\"])", r" \1 ", text)


def encode(texts: list[str], vocab: Vocab, num_steps: int) -> shendu.Tensor:
    """Word indices, padded with ``<pad>`` or truncated to ``num_steps``: (N, num_steps)
    int64."""
    tokens = tokenize([words(text) for text in texts], token="word")
    X, _ = pad_or_truncate_batch(vocab[tokens], num_steps, vocab[PAD])
    return X


# --------------------------------------------------------------------------- model
class TextCNN(nn.Module):
    """Kim's (2014) convolutional sentence classifier.

    Args:
        vocab_size: the number of word indices.
        embed_size: the size of each word vector (the Conv1d input channels).
        kernel_sizes: the widths (in words) of the parallel convolutions.
        num_channels: the number of filters of each width.
        dropout: the probability of zeroing a pooled feature in training.
        num_classes: the number of output scores.
        padding_idx: the ``<pad>`` index (its embedding stays zero).
        dtype: of every parameter (float32 by default; float64 for gradient checks).

    Shape: ``X`` (N, T) int64, T >= max(kernel_sizes), to logits (N, num_classes).
    """

    def __init__(self, vocab_size: int, embed_size: int = 50, kernel_sizes=(3, 4, 5),
                 num_channels=(100, 100, 100), dropout: float = 0.5, num_classes: int = 2,
                 padding_idx: int | None = None, dtype=None) -> None:
        super().__init__()
        if len(kernel_sizes) != len(num_channels):
            raise ValueError(f"TextCNN: kernel_sizes {tuple(kernel_sizes)} and num_channels "
                             f"{tuple(num_channels)} must have the same length")
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=padding_idx,
                                      dtype=dtype)
        self.convs = nn.ModuleList([nn.Conv1d(embed_size, channels, width, dtype=dtype)
                                    for width, channels in zip(kernel_sizes, num_channels)])
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveMaxPool1d(1)  # max over time; no parameters, shared
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(sum(num_channels), num_classes, dtype=dtype)

    def feature_maps(self, X) -> list[shendu.Tensor]:
        """relu(conv(embedding)) of each width: (N, C_i, T - k_i + 1)."""
        embeddings = self.embedding(X).permute(0, 2, 1)  # (N, T, E) -> (N, E, T): E channels
        return [self.relu(conv(embeddings)) for conv in self.convs]

    def features(self, X) -> shendu.Tensor:
        """The max over time of every feature map, concatenated: (N, sum(num_channels))."""
        return shendu.cat([self.pool(maps).squeeze(-1) for maps in self.feature_maps(X)], dim=1)

    def forward(self, X) -> shendu.Tensor:
        return self.decoder(self.dropout(self.features(X)))


# --------------------------------------------------------------------------- training
@dataclass
class Result:
    """What :func:`train_and_evaluate` returns."""

    losses: list            # mean training loss of each epoch
    train_accuracy: float
    test_accuracy: float
    test_positive: int      # how many test reviews the model calls positive
    num_train: int
    num_test: int
    vocab_size: int
    model: TextCNN


def predict(model: nn.Module, X) -> np.ndarray:
    """The predicted classes (N,), in evaluation mode (no dropout)."""
    model.eval()
    with shendu.no_grad():
        return model(X).numpy().argmax(axis=1)


def accuracy(model: nn.Module, X, y) -> float:
    return float(np.mean(predict(model, X) == y.numpy()))


def train_and_evaluate(path: str | Path = DEFAULT_DATA, seed: int = 0, num_steps: int = 256,
                       min_freq: int = 2, embed_size: int = 50, num_epochs: int = 10,
                       batch_size: int = 10, lr: float = 0.005) -> Result:
    """Read the reviews, build the vocabulary on the training reviews, train a TextCNN with
    cross-entropy and Adam, and measure the accuracy on both splits."""
    shendu.manual_seed(seed)
    data = read_imdb(path)
    train_texts, train_labels = data["train"]
    vocab = Vocab(tokenize([words(text) for text in train_texts], token="word"),
                  min_freq=min_freq, reserved_tokens=[PAD])
    X_train, y_train = encode(train_texts, vocab, num_steps), shendu.tensor(train_labels)
    X_test, y_test = encode(data["test"][0], vocab, num_steps), shendu.tensor(data["test"][1])

    model = TextCNN(len(vocab), embed_size, padding_idx=vocab[PAD])
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True)
    losses = []
    for _ in range(num_epochs):
        model.train()
        total = 0.0
        for X, y in loader:
            loss = F.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        losses.append(total / len(y_train))
    return Result(losses, accuracy(model, X_train, y_train), accuracy(model, X_test, y_test),
                  int(predict(model, X_test).sum()), len(y_train), len(y_test), len(vocab), model)


def main(argv: list[str] | None = None) -> Result | None:
    """Train once and print the numbers; ``None`` (exit status 0) when the data is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"the aclImdb_tiny.zip file (default: {DEFAULT_DATA})")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"textcnn_imdb: no data at {args.data}; pass --data path/to/aclImdb_tiny.zip")
        return None
    start = time.perf_counter()
    result = train_and_evaluate(args.data)
    for epoch, loss in enumerate(result.losses, 1):
        print(f"epoch {epoch:2d}  loss {loss:.4f}")
    print(f"vocabulary {result.vocab_size} words; train accuracy {result.train_accuracy:.3f} "
          f"({result.num_train} reviews), test accuracy {result.test_accuracy:.3f} "
          f"({result.num_test} reviews, {result.test_positive} called positive; one review is "
          f"{1 / result.num_test:.0%})  ({time.perf_counter() - start:.1f} s)")
    return result


if __name__ == "__main__":
    main()
