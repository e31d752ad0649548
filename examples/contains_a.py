"""Does this string contain the character 'a'? A bag-of-characters classifier.

The curriculum's smallest NLP task: random strings over a small alphabet, half of them with at
least one 'a'. The model embeds every character, averages the vectors over the string's real
positions (padding masked out), and reads the mean with one linear unit and a sigmoid:

    p(contains 'a') = sigmoid(w . (1/L) sum_{t < L} E[x_t] + b),   predicted 'yes' when p > 0.5

Averaging throws the order away, and that is enough here: with s(c) = w . E[c] the score is the
mean of s over the characters, so a large s('a') and a negative s for every other letter puts
every string with an 'a' above every string without one (one 'a' among up to 19 others still
counts when s('a') > 19 |s(other)|). The classes are linearly separable in the mean embedding,
and Adam finds such a table in a few epochs. The held-out strings come from another seed and
none of them is a training string.

    python examples/contains_a.py
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import shendu
from shendu import nn, optim
from shendu.data import DataLoader, TensorDataset
from shendu.data.text import Vocab, pad_or_truncate_batch, tokenize

ALPHABET = "abcdefghij"
MIN_LEN, MAX_LEN = 5, 20
PAD = "<pad>"


# --------------------------------------------------------------------------- data
def random_string(rng: np.random.Generator, contains_a: bool) -> str:
    """A string of MIN_LEN..MAX_LEN letters drawn uniformly from ALPHABET, then made to
    contain 'a' (one random position set to 'a' if none was drawn) or not (every 'a' redrawn
    from the other letters). Positives therefore often hold a single 'a', the hard case."""
    chars = rng.choice(list(ALPHABET), size=rng.integers(MIN_LEN, MAX_LEN + 1))
    if contains_a and "a" not in chars:
        chars[rng.integers(len(chars))] = "a"
    elif not contains_a:
        is_a = chars == "a"
        chars[is_a] = rng.choice(list(ALPHABET[1:]), size=int(is_a.sum()))
    return "".join(chars)


def generate_strings(num: int, seed: int, exclude=frozenset()) -> tuple[list[str], np.ndarray]:
    """``num`` distinct strings, exactly half with an 'a' (labels 1) and half without (0),
    alternating; none of them in ``exclude``.

    Returns:
        ``(strings, labels)`` with labels a float32 array of shape (num,).
    """
    rng = np.random.default_rng(seed)
    strings, seen = [], set(exclude)
    while len(strings) < num:
        s = random_string(rng, contains_a=len(strings) % 2 == 1)
        if s not in seen:
            seen.add(s)
            strings.append(s)
    labels = np.array([float("a" in s) for s in strings], dtype=np.float32)
    return strings, labels


def encode(strings: list[str], vocab: Vocab, num_steps: int = MAX_LEN):
    """Character indices padded to ``num_steps``: ``(X, valid_lens)``, int64 tensors of shapes
    (N, num_steps) and (N,)."""
    return pad_or_truncate_batch(vocab[tokenize(strings, token="char")], num_steps, vocab[PAD])


# --------------------------------------------------------------------------- model
def masked_mean(embedded: shendu.Tensor, valid_lens: shendu.Tensor) -> shendu.Tensor:
    """Mean of ``embedded`` (N, T, E) over the first ``valid_lens[i]`` positions of each row:
    (N, E). Positions t >= valid_lens[i] (padding) get weight 0, whatever they hold."""
    lens = valid_lens.data if isinstance(valid_lens, shendu.Tensor) else np.asarray(valid_lens)
    if lens.min() < 1:
        raise ValueError(f"masked_mean: every row needs at least one valid position, got "
                         f"valid_lens with minimum {lens.min()}")
    steps = embedded.shape[1]
    mask = (np.arange(steps)[None, :] < lens[:, None]).astype(embedded.dtype)[:, :, None]
    total = (embedded * shendu.tensor(mask)).sum(dim=1)
    return total / shendu.tensor(lens[:, None].astype(embedded.dtype))


class MeanEmbeddingClassifier(nn.Module):
    """Embedding -> mean over the valid positions -> Linear(embed_size, 1) -> sigmoid.

    Args:
        vocab_size: the number of character indices.
        embed_size: the size of each character's vector.
        padding_idx: the padding index (its row stays zero; the mask ignores it anyway).

    Shape: ``X`` (N, T) int64 and ``valid_lens`` (N,) to probabilities (N,).
    """

    def __init__(self, vocab_size: int, embed_size: int, padding_idx: int | None = None):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=padding_idx)
        self.output = nn.Linear(embed_size, 1)

    def forward(self, X, valid_lens) -> shendu.Tensor:
        mean = masked_mean(self.embedding(X), valid_lens)
        return shendu.sigmoid(self.output(mean)).squeeze(-1)


# --------------------------------------------------------------------------- training
@dataclass
class Result:
    """What :func:`train_and_evaluate` returns."""

    train_accuracy: float
    test_accuracy: float
    hard_accuracy: float    # on held-out strings of >= 15 characters with one 'a' (positives)
    num_hard: int
    losses: list            # mean training loss of each epoch
    model: MeanEmbeddingClassifier
    vocab: Vocab


def accuracy(model: nn.Module, X, valid_lens, y: np.ndarray) -> float:
    """The fraction of strings whose probability, cut at 0.5, equals the label."""
    model.eval()
    with shendu.no_grad():
        predicted = model(X, valid_lens).numpy() > 0.5
    return float(np.mean(predicted == (y > 0.5)))


def train_and_evaluate(seed: int = 0, num_train: int = 2000, num_test: int = 1000,
                       embed_size: int = 8, num_epochs: int = 8, batch_size: int = 64,
                       lr: float = 0.05) -> Result:
    """Generate the data (training strings from ``seed``, held-out ones from ``seed + 1``,
    none shared), train with BCE and Adam, and measure both accuracies."""
    shendu.manual_seed(seed)
    train_strings, y_train = generate_strings(num_train, seed)
    test_strings, y_test = generate_strings(num_test, seed + 1, exclude=set(train_strings))
    vocab = Vocab(tokenize(train_strings, token="char"), reserved_tokens=[PAD])
    X_train, len_train = encode(train_strings, vocab)
    X_test, len_test = encode(test_strings, vocab)

    model = MeanEmbeddingClassifier(len(vocab), embed_size, padding_idx=vocab[PAD])
    loss_fn = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X_train, len_train, shendu.tensor(y_train)),
                        batch_size=batch_size, shuffle=True)
    losses = []
    for _ in range(num_epochs):
        model.train()
        total = 0.0
        for X, valid_lens, y in loader:
            loss = loss_fn(model(X, valid_lens), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        losses.append(total / num_train)
    hard = np.array([len(s) >= 15 and s.count("a") == 1 for s in test_strings])
    hard_accuracy = accuracy(model, X_test[shendu.tensor(hard)], len_test[shendu.tensor(hard)],
                             y_test[hard])
    return Result(accuracy(model, X_train, len_train, y_train),
                  accuracy(model, X_test, len_test, y_test), hard_accuracy, int(hard.sum()),
                  losses, model, vocab)


def main() -> float:
    """Train once (seed 0), print the numbers, return the held-out accuracy."""
    start = time.perf_counter()
    result = train_and_evaluate(seed=0)
    for epoch, loss in enumerate(result.losses, 1):
        print(f"epoch {epoch:2d}  loss {loss:.4f}")
    print(f"train accuracy {result.train_accuracy:.4f}  held-out accuracy "
          f"{result.test_accuracy:.4f}  ({time.perf_counter() - start:.1f} s)")
    print(f"the hardest positives, held-out strings of 15-20 characters with a single 'a': "
          f"{result.hard_accuracy:.4f} of {result.num_hard} recognised")
    return result.test_accuracy


if __name__ == "__main__":
    main()
