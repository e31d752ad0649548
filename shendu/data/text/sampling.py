"""Minibatches of a long token sequence for language models, the curriculum's two ways (d2l,
"Language Models and the Dataset"):

* **random sampling** (:func:`seq_data_iter_random`): the corpus, from a random offset, is cut
  into subsequences of ``num_steps`` tokens, which are shuffled and dealt out ``batch_size`` at
  a time. Neighbouring minibatches are not neighbours in the text, so a recurrent model must
  start every minibatch from a fresh hidden state.
* **sequential partitioning** (:func:`seq_data_iter_sequential`): the corpus, from a random
  offset, is laid out in ``batch_size`` rows, and minibatch ``k`` is columns
  ``k*num_steps ... (k+1)*num_steps - 1``. Row ``r`` of minibatch ``k+1`` continues row ``r`` of
  minibatch ``k`` in the text, so the hidden state is carried from one minibatch to the next
  (detached, so gradients stop at the minibatch boundary).

In both, the labels ``Y`` are the inputs ``X`` shifted one token on: ``Y[b, t]`` is the token
after ``X[b, t]``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from shendu import random as _random
from shendu.tensor import Tensor


def seq_data_iter_random(corpus: Sequence[int], batch_size: int, num_steps: int,
                         offset: int | None = None,
                         generator: np.random.Generator | None = None,
                         ) -> Iterator[tuple[Tensor, Tensor]]:
    """Minibatches of randomly sampled subsequences (reset the hidden state for each one).

    With offset ``o`` (drawn uniformly from ``0 ... num_steps - 1`` when ``None``), the corpus
    ``c[o:]`` gives ``n = (len(c) - o - 1) // num_steps`` subsequences starting at
    ``o, o + num_steps, ..., o + (n-1)*num_steps``; they are shuffled and every full group of
    ``batch_size`` makes one minibatch (``n // batch_size`` in all; the rest is dropped).

    Args:
        corpus: token indices (a list of ints, a 1-D integer ndarray or Tensor).
        batch_size: subsequences per minibatch.
        num_steps: tokens per subsequence (time steps).
        offset: where the first subsequence starts; ``None`` draws it (the curriculum's
            ``random.randint(0, num_steps - 1)``), an int fixes it.
        generator: the ``numpy.random.Generator`` for the offset and the shuffle; default
            ``shendu.random.get_generator()`` (seeded by ``shendu.manual_seed``).

    Yields:
        ``(X, Y)``, int64 tensors of shape ``(batch_size, num_steps)`` with
        ``Y[b, t] = c[start_b + t + 1]`` for ``X[b, t] = c[start_b + t]``.

    Raises:
        ValueError: the corpus cannot fill one minibatch at the largest offset that may be drawn
            (or at the given one). Checked when called, not at the first ``next``.
    """
    name = "seq_data_iter_random"
    array, rng = _setup(name, corpus, batch_size, num_steps, generator)
    largest = num_steps - 1  # the largest offset that may be drawn
    _check_length(name, len(array), batch_size, num_steps, _offset_bound(name, offset, largest))
    offset = _draw(offset, largest, rng)
    array = array[offset:]
    num_subseqs = (len(array) - 1) // num_steps
    starts = rng.permutation(num_subseqs) * num_steps
    return _random_batches(array, starts, batch_size, num_steps)


def _random_batches(array: np.ndarray, starts: np.ndarray, batch_size: int,
                    num_steps: int) -> Iterator[tuple[Tensor, Tensor]]:
    steps = np.arange(num_steps)
    for first in range(0, len(starts) - batch_size + 1, batch_size):
        positions = starts[first:first + batch_size, None] + steps  # (batch_size, num_steps)
        yield Tensor._make(array[positions]), Tensor._make(array[positions + 1])


def seq_data_iter_sequential(corpus: Sequence[int], batch_size: int, num_steps: int,
                             offset: int | None = None,
                             generator: np.random.Generator | None = None,
                             ) -> Iterator[tuple[Tensor, Tensor]]:
    """Minibatches by sequential partitioning (carry the hidden state, detached, between them).

    With offset ``o`` (drawn uniformly from ``0 ... num_steps`` when ``None``), the first
    ``m = ((len(c) - o - 1) // batch_size) * batch_size`` tokens of ``c[o:]`` are laid out as a
    ``(batch_size, m / batch_size)`` matrix ``Xs`` (row ``r`` holds the ``r``-th stretch of the
    text), the labels ``Ys`` likewise from ``c[o+1:]``, and minibatch ``k`` is
    ``Xs[:, k*num_steps:(k+1)*num_steps]``; ``(m / batch_size) // num_steps`` minibatches in all.
    Row ``r`` of minibatch ``k+1`` starts at the token after the last of row ``r`` of
    minibatch ``k``.

    Args:
        corpus: token indices (a list of ints, a 1-D integer ndarray or Tensor).
        batch_size: rows, i.e. parallel streams of text.
        num_steps: tokens per row and minibatch (time steps).
        offset: where row 0 starts; ``None`` draws it (the curriculum's
            ``random.randint(0, num_steps)``), an int fixes it.
        generator: the ``numpy.random.Generator`` for the offset; default
            ``shendu.random.get_generator()``.

    Yields:
        ``(X, Y)``, int64 tensors of shape ``(batch_size, num_steps)``, ``Y`` = ``X`` one token on.

    Raises:
        ValueError: a row cannot hold ``num_steps`` tokens at the largest offset that may be
            drawn (or at the given one). Checked when called, not at the first ``next``.
    """
    name = "seq_data_iter_sequential"
    array, rng = _setup(name, corpus, batch_size, num_steps, generator)
    largest = num_steps  # the largest offset that may be drawn
    _check_length(name, len(array), batch_size, num_steps, _offset_bound(name, offset, largest))
    offset = _draw(offset, largest, rng)
    num_tokens = ((len(array) - offset - 1) // batch_size) * batch_size
    Xs = array[offset:offset + num_tokens].reshape(batch_size, -1)
    Ys = array[offset + 1:offset + 1 + num_tokens].reshape(batch_size, -1)
    return _sequential_batches(Xs, Ys, num_steps)


def _sequential_batches(Xs: np.ndarray, Ys: np.ndarray,
                        num_steps: int) -> Iterator[tuple[Tensor, Tensor]]:
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_batches * num_steps, num_steps):
        X = np.ascontiguousarray(Xs[:, i:i + num_steps])
        Y = np.ascontiguousarray(Ys[:, i:i + num_steps])
        yield Tensor._make(X), Tensor._make(Y)


# ------------------------------------------------------------------------ checks
def _setup(name: str, corpus, batch_size, num_steps,
           generator) -> tuple[np.ndarray, np.random.Generator]:
    _check_count(name, "batch_size", batch_size)
    _check_count(name, "num_steps", num_steps)
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{name}: generator must be a numpy.random.Generator, got "
                        f"{type(generator).__name__}")
    rng = _random.get_generator() if generator is None else generator
    return as_corpus_array(corpus, name), rng


def as_corpus_array(corpus, name: str = "as_corpus_array") -> np.ndarray:
    """``corpus`` (a list of ints, an integer ndarray or Tensor) as a 1-D int64 ndarray."""
    if isinstance(corpus, Tensor):
        corpus = corpus.data
    array = np.asarray(corpus)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"{name}: corpus must be a flat sequence of integer token indices, got "
                        f"an array of dtype {array.dtype} and shape {array.shape} (index tokens "
                        "first, e.g. vocab[tokens])")
    return array.astype(np.int64, copy=False)


def _check_count(name: str, arg: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: {arg} must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name}: {arg} must be >= 1, got {value}")


def _offset_bound(name: str, offset, largest: int) -> int:
    """The largest offset the corpus must allow: the given one (checked), or ``largest``, the
    largest that may be drawn, so that a corpus either always or never gives a minibatch."""
    if offset is None:
        return largest
    if isinstance(offset, bool) or not isinstance(offset, (int, np.integer)):
        raise TypeError(f"{name}: offset must be an int or None, got {type(offset).__name__}")
    if offset < 0:
        raise ValueError(f"{name}: offset must be >= 0, got {offset}")
    return int(offset)


def _draw(offset, largest: int, rng: np.random.Generator) -> int:
    """The given offset, or one drawn uniformly from ``0 ... largest``."""
    return int(rng.integers(0, largest + 1)) if offset is None else int(offset)


def _check_length(name: str, length: int, batch_size: int, num_steps: int,
                  worst: int) -> None:
    """One minibatch needs ``batch_size * num_steps`` inputs plus one more token for the last
    label, after an offset of up to ``worst``."""
    needed = batch_size * num_steps + 1 + worst
    if length < needed:
        raise ValueError(
            f"{name}: the corpus has {length} tokens, too few for one minibatch of "
            f"batch_size={batch_size} x num_steps={num_steps}: that takes "
            f"{batch_size * num_steps} + 1 tokens after an offset of up to {worst}, "
            f"{needed} in all; use a smaller batch_size or num_steps, or a longer corpus")
