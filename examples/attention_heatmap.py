"""Attention weights as a heatmap: which key does each query look at?

Six items each have a random embedding. The keys of one example are the six items in a shuffled
order followed by two padding positions (valid length 6); the queries are noisy copies of the
items in another order. Attention should put each query's weight on the key that holds the
same item, and none on the padding.

- ``DotProductAttention`` (softmax(q k^T / sqrt(d)) over the valid keys) needs no training:
  an item's embedding has the largest dot product with itself.
- ``AdditiveAttention`` (Bahdanau: w_v^T tanh(W_q q + W_k k)) starts with random weights and
  is trained for a few hundred steps on random examples to put its weight on the matching key.

Both weight matrices (queries x keys) are saved side by side as a heatmap.

    python examples/attention_heatmap.py                 # the PNG goes to the temporary directory
    python examples/attention_heatmap.py attention.png

The PNG needs matplotlib (an optional extra: ``pip install matplotlib``); without it only the
printed summary is shown.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

import shendu
from shendu import plot
from shendu.nn.attention import AdditiveAttention, DotProductAttention

NUM_ITEMS, DIM, PADDING = 6, 8, 2


def make_batch(items: np.ndarray, batch_size: int, rng: np.random.Generator) -> tuple:
    """Queries (B, 6, d), keys and values (B, 8, ...), valid lengths (B,) and, per query, the
    position of its matching key (B, 6)."""
    queries, keys, targets = [], [], []
    for _ in range(batch_size):
        key_order, query_order = rng.permutation(NUM_ITEMS), rng.permutation(NUM_ITEMS)
        padding = rng.normal(size=(PADDING, DIM))
        keys.append(np.concatenate([items[key_order], padding]))
        queries.append(items[query_order] + 0.3 * rng.normal(size=(NUM_ITEMS, DIM)))
        targets.append(np.argsort(key_order)[query_order])  # where each query's item lies
    positions = NUM_ITEMS + PADDING  # value j is one-hot j: the output shows the weights again
    values = np.broadcast_to(np.eye(positions), (batch_size, positions, positions))
    return (shendu.tensor(np.array(queries)), shendu.tensor(np.array(keys)),
            shendu.tensor(values), shendu.tensor([NUM_ITEMS] * batch_size),
            np.array(targets))


def train_additive(items: np.ndarray, rng: np.random.Generator, steps: int = 300):
    """Train AdditiveAttention to put its weight on the matching key: minimise the negative log
    of that weight."""
    attention = AdditiveAttention(DIM, DIM, num_hiddens=16).double()
    optimizer = shendu.optim.Adam(attention.parameters(), lr=0.03)
    for _ in range(steps):
        queries, keys, values, valid_lens, targets = make_batch(items, 16, rng)
        attention(queries, keys, values, valid_lens)
        weights = attention.attention_weights  # (B, queries, keys)
        picked = np.zeros(weights.shape, dtype=bool)
        np.put_along_axis(picked, targets[..., None], True, axis=-1)
        loss = -(weights[shendu.tensor(picked)] + 1e-9).log().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return attention.eval(), loss.item()


def matches(weights: np.ndarray, targets: np.ndarray) -> int:
    return int((weights.argmax(-1) == targets).sum())


def save_heatmaps(panels: dict, path: Path) -> bool:
    """Queries x keys heatmaps side by side; False when matplotlib is missing."""
    try:
        fig = plot.figure(figsize=(4.5 * len(panels), 3.6))
    except ImportError:
        return False
    axes = fig.subplots(1, len(panels))
    for ax, (title, weights) in zip(axes, panels.items()):
        image = ax.imshow(weights, cmap="Reds", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("keys (the last two are padding)")
        ax.set_ylabel("queries")
        fig.colorbar(image, ax=ax, fraction=0.046)
    plot.save_figure(fig, path, dpi=80)
    return True


def main(argv: list) -> int:
    out = Path(argv[0]) if argv else Path(tempfile.gettempdir()) / "shendu_attention.png"
    shendu.manual_seed(0)
    rng = np.random.default_rng(0)
    # orthogonal embeddings of equal length 3: an item's dot product with itself is 9, with
    # any other 0 (before the query noise)
    items = 3 * np.linalg.qr(rng.normal(size=(DIM, NUM_ITEMS)))[0].T
    additive, loss = train_additive(items, rng)
    print(f"AdditiveAttention trained for 300 steps: -log(weight on the matching key) {loss:.3f}")

    queries, keys, values, valid_lens, targets = make_batch(items, 1, rng)
    dot = DotProductAttention().eval()
    panels = {}
    with shendu.no_grad():
        for name, attention in (("DotProductAttention", dot), ("AdditiveAttention", additive)):
            attention(queries, keys, values, valid_lens)
            weights = attention.attention_weights.numpy()[0]
            on_match = weights[np.arange(NUM_ITEMS), targets[0]].mean()
            print(f"{name:20s}: {matches(weights, targets[0])}/{NUM_ITEMS} queries attend most "
                  f"to their matching key; mean weight on it {on_match:.2f}, on the padding "
                  f"{weights[:, NUM_ITEMS:].sum():.1f}")
            panels[name] = weights
    if save_heatmaps(panels, out):
        print(f"saved the heatmaps to {out}")
    else:
        print("matplotlib is not installed: no heatmap (pip install matplotlib)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
