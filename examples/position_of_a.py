"""At which position is the character 'a'? Multi-class classification with an RNN.

Every string has 10 letters from 'bcdefghij' with exactly one 'a'; the label is the position
of the 'a' (0 to 9), so the task has 10 classes. Unlike "does the string contain an a", the
answer depends on the order of the characters: a bag of characters cannot solve it, a
recurrent network can, by carrying "how far back was the a" in its hidden state. The model
reads embedded characters with an ``nn.RNN`` and classifies its final hidden state h_T with
a linear layer (the softmax is in the cross-entropy loss). Held-out strings
come from another seed and none of them is a training string.

    python examples/position_of_a.py
"""

from __future__ import annotations

import numpy as np

import shendu
from shendu import nn, optim
from shendu.data import DataLoader, TensorDataset

LETTERS = "abcdefghij"
LENGTH = 10


def generate(num: int, seed: int, exclude=frozenset()) -> tuple[np.ndarray, np.ndarray]:
    """``num`` distinct strings as index arrays (num, LENGTH) (index = position in LETTERS)
    and the positions of their 'a' (num,); none of them in ``exclude``."""
    rng = np.random.default_rng(seed)
    rows, labels, seen = [], [], set(exclude)
    while len(rows) < num:
        row = rng.integers(1, len(LETTERS), LENGTH)
        position = int(rng.integers(LENGTH))
        row[position] = 0                                   # the one 'a'
        key = row.tobytes()
        if key not in seen:
            seen.add(key)
            rows.append(row)
            labels.append(position)
    return np.array(rows, dtype=np.int64), np.array(labels, dtype=np.int64)


class PositionClassifier(nn.Module):
    """Embedding -> RNN -> the final hidden state -> Linear(num_hiddens, LENGTH)."""

    def __init__(self, embed_size: int = 16, num_hiddens: int = 64) -> None:
        super().__init__()
        self.embedding = nn.Embedding(len(LETTERS), embed_size)
        self.rnn = nn.RNN(embed_size, num_hiddens, batch_first=True)
        self.output = nn.Linear(num_hiddens, LENGTH)

    def forward(self, X):
        _, h_n = self.rnn(self.embedding(X))               # h_n: (1, B, num_hiddens)
        return self.output(h_n[0])


def train_and_evaluate(seed: int = 0, num_train: int = 5000, num_test: int = 1000,
                       epochs: int = 20) -> float:
    """Train on generated strings; returns the held-out accuracy."""
    X, y = generate(num_train, seed)
    seen = frozenset(row.tobytes() for row in X)
    X_test, y_test = generate(num_test, seed + 1000, exclude=seen)
    shendu.manual_seed(seed)
    model = PositionClassifier()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    model.eval()
    with shendu.no_grad():
        predicted = model(shendu.from_numpy(X_test)).argmax(dim=1).numpy()
    return float((predicted == y_test).mean())


def main() -> float:
    accuracy = train_and_evaluate()
    print(f"held-out accuracy of the position of 'a': {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
