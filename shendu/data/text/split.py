"""``train_val_split``: a contiguous split of a corpus or of a list of lines."""

from __future__ import annotations

from collections.abc import Sequence


def train_val_split(corpus_or_lines: Sequence, val_fraction: float = 0.1) -> tuple:
    """Split a sequence in two contiguous parts: the last ``round(n * val_fraction)`` items are
    the validation part, everything before them the training part.

    Contiguous, not shuffled: a language model's validation text must not be interleaved with
    its training text, or every validation sequence has its neighbours in the training set.

    Args:
        corpus_or_lines: anything that slices (a list of token indices or of lines, a string,
            an ndarray or Tensor); the parts have its type.
        val_fraction: the share for validation, ``0 < val_fraction < 1``.

    Returns:
        ``(train, val)`` with ``train + val == corpus_or_lines`` (for lists and strings).

    >>> train_val_split(list(range(10)), val_fraction=0.2)
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    """
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, (int, float)):
        raise TypeError(f"train_val_split: val_fraction must be a float, got "
                        f"{type(val_fraction).__name__}")
    if not 0 < val_fraction < 1:
        raise ValueError(f"train_val_split: val_fraction must be between 0 and 1 (exclusive), "
                         f"got {val_fraction}")
    n = len(corpus_or_lines)
    n_val = round(n * val_fraction)
    if n_val == 0 or n_val == n:
        raise ValueError(f"train_val_split: {n} items with val_fraction={val_fraction} leave "
                         f"{n - n_val} for training and {n_val} for validation; both need at "
                         "least one")
    return corpus_or_lines[:n - n_val], corpus_or_lines[n - n_val:]
