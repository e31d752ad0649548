"""``SeqDataLoader``: a re-iterable language-model data loader over one corpus, as the
curriculum's (d2l, "Language Models and the Dataset"), and ``load_data_time_machine``."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import numpy as np

from shendu.data.text.corpora import PathLike, load_corpus, load_time_machine
from shendu.data.text.sampling import (
    as_corpus_array,
    seq_data_iter_random,
    seq_data_iter_sequential,
)
from shendu.data.text.vocab import Vocab
from shendu.tensor import Tensor


class SeqDataLoader:
    """Minibatches ``(X, Y)`` of a token corpus for a language model; every ``iter()`` is a new
    epoch with a new random offset (and, for random sampling, a new shuffle).

    * ``use_random_iter=True``: :func:`seq_data_iter_random`. Consecutive minibatches are
      unrelated stretches of text: **reset the hidden state for every minibatch**.
    * ``use_random_iter=False``: :func:`seq_data_iter_sequential`. Row ``r`` of a minibatch
      continues row ``r`` of the one before: **carry the hidden state over, detached**
      (``state = state.detach()``) so gradients stop at the minibatch boundary, and reset it
      only at the start of an epoch.

    Args:
        source: the corpus: a name (``'time_machine'``, ``'tiny_shakespeare'``, ``'ptb'``,
            ``'jay_chou'``: cache or download) or a file path (see
            :func:`~shendu.data.text.load_corpus`), a ``(corpus, vocab)`` pair as the
            ``load_*`` functions return, or a sequence of token indices.
        batch_size: sequences per minibatch.
        num_steps: time steps per sequence.
        use_random_iter: random sampling instead of sequential partitioning.
        max_tokens: keep only the first ``max_tokens`` tokens of the corpus (``-1``: all).
        vocab: the vocabulary of a corpus given as indices (stored as ``self.vocab``).
        offset: fix the start offset of every epoch (``None``: drawn each epoch).
        generator: the ``numpy.random.Generator`` to draw from; default
            ``shendu.random.get_generator()``.

    Attributes:
        corpus: the token indices, ``vocab``: the vocabulary (``None`` if not known).

    The number of minibatches per epoch depends on the drawn offset, so there is no ``len()``.
    """

    def __init__(self, source, batch_size: int, num_steps: int, use_random_iter: bool = False,
                 max_tokens: int = -1, vocab: Vocab | None = None, offset: int | None = None,
                 generator: np.random.Generator | None = None) -> None:
        corpus, found_vocab = _resolve(source, max_tokens)
        self.corpus, self.vocab = corpus, vocab if vocab is not None else found_vocab
        self._array = as_corpus_array(corpus, "SeqDataLoader")
        self.batch_size, self.num_steps = batch_size, num_steps
        self.use_random_iter = bool(use_random_iter)
        self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
        self.offset, self.generator = offset, generator
        # fail here, not at the first epoch, if the corpus cannot fill one minibatch (checked
        # with a throwaway generator, so the caller's random stream is left as it was)
        self.data_iter_fn(self._array, batch_size, num_steps, offset=offset,
                          generator=np.random.default_rng(0))

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        return self.data_iter_fn(self._array, self.batch_size, self.num_steps,
                                 offset=self.offset, generator=self.generator)

    def __repr__(self) -> str:
        mode = "random" if self.use_random_iter else "sequential"
        return (f"SeqDataLoader({len(self._array)} tokens, batch_size={self.batch_size}, "
                f"num_steps={self.num_steps}, {mode})")


def _resolve(source, max_tokens: int) -> tuple[Sequence[int], Vocab | None]:
    """``(corpus, vocab)`` from whatever :class:`SeqDataLoader` was given."""
    if isinstance(source, (str, os.PathLike)):
        return load_corpus(source, max_tokens=max_tokens)
    if (isinstance(source, tuple) and len(source) == 2 and isinstance(source[1], Vocab)):
        corpus, vocab = source
    else:
        corpus, vocab = source, None
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def load_data_time_machine(batch_size: int, num_steps: int, use_random_iter: bool = False,
                           max_tokens: int = 10000,
                           path: PathLike | None = None) -> tuple[SeqDataLoader, Vocab]:
    """The curriculum's entry point: a :class:`SeqDataLoader` over the first ``max_tokens``
    characters of *The Time Machine* and its vocabulary (28 tokens).

    Args:
        path: ``timemachine.txt`` or a folder holding it; ``None``: the cache or a download.
    """
    corpus, vocab = load_time_machine(path, token="char", max_tokens=max_tokens)
    loader = SeqDataLoader((corpus, vocab), batch_size, num_steps, use_random_iter)
    return loader, vocab
