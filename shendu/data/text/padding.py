"""Fixed-length sequences: cut a sequence to ``num_steps`` tokens or pad it up to them.

The curriculum calls the one-line form ``truncate_pad`` (d2l, "Machine Translation and the
Dataset"); the batched form builds the int64 array a sequence model reads, with each row's valid
length for masking.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shendu.tensor import Tensor


def pad_or_truncate(line: Sequence, num_steps: int, padding_token) -> list:
    """``line`` cut to its first ``num_steps`` items, or extended with ``padding_token`` to
    ``num_steps`` items.

    Args:
        line: a sequence of tokens or indices.
        num_steps: the length wanted (>= 0).
        padding_token: what to append (a token such as ``'<pad>'`` or its index).

    >>> pad_or_truncate([5, 6, 7], 5, 1)
    [5, 6, 7, 1, 1]
    >>> pad_or_truncate([5, 6, 7], 2, 1)
    [5, 6]
    """
    _check_num_steps("pad_or_truncate", num_steps)
    line = list(line)
    if len(line) > num_steps:
        return line[:num_steps]
    return line + [padding_token] * (num_steps - len(line))


truncate_pad = pad_or_truncate  # the curriculum's name


def pad_or_truncate_batch(lines: Sequence[Sequence[int]], num_steps: int,
                          padding_value: int) -> tuple[Tensor, Tensor]:
    """Lines of indices as one ``(N, num_steps)`` int64 tensor, and their valid lengths.

    Row ``i`` is ``pad_or_truncate(lines[i], num_steps, padding_value)``;
    ``valid_lens[i] = min(len(lines[i]), num_steps)``, the number of real (not padding) tokens,
    counted from the lengths, so a real token equal to ``padding_value`` still counts.

    Args:
        lines: N sequences of integer indices (e.g. ``vocab[tokens]`` per sentence).
        num_steps: the length of every row.
        padding_value: the index written into padded positions (e.g. ``vocab['<pad>']``).

    Returns:
        ``(array, valid_lens)``: int64 tensors of shapes ``(N, num_steps)`` and ``(N,)``.

    >>> X, valid = pad_or_truncate_batch([[4, 5, 6], [7]], 2, 0)
    >>> X.data.tolist(), valid.data.tolist()
    ([[4, 5], [7, 0]], [2, 1])
    """
    _check_num_steps("pad_or_truncate_batch", num_steps)
    if isinstance(lines, str):
        raise TypeError("pad_or_truncate_batch: lines must be a list of index sequences, got a str")
    array = np.full((len(lines), num_steps), padding_value, dtype=np.int64)
    valid_lens = np.empty(len(lines), dtype=np.int64)
    for i, line in enumerate(lines):
        row = _indices(line, i)[:num_steps]
        array[i, :len(row)] = row
        valid_lens[i] = len(row)
    return Tensor._make(array), Tensor._make(valid_lens)


def _indices(line, i: int) -> np.ndarray:
    row = np.asarray(line.data if isinstance(line, Tensor) else line)
    if row.ndim != 1 or (row.size and row.dtype.kind not in "iu"):
        raise TypeError(f"pad_or_truncate_batch: line {i} must be a flat sequence of integer "
                        f"indices, got an array of dtype {row.dtype} and shape {row.shape} "
                        "(map tokens to indices first, e.g. vocab[tokens])")
    return row


def _check_num_steps(name: str, num_steps) -> None:
    if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)):
        raise TypeError(f"{name}: num_steps must be an int, got {type(num_steps).__name__}")
    if num_steps < 0:
        raise ValueError(f"{name}: num_steps must be >= 0, got {num_steps}")
