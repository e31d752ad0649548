"""BLEU, the curriculum's score of a predicted sequence against a label sequence.

This is the sentence-level BLEU of d2l ("Sequence to Sequence Learning"), which follows
Papineni et al. (2002) with the curriculum's own weights: for the longest n-gram order ``k``,

    BLEU = exp(min(0, 1 - len_label / len_pred)) * prod_{n=1}^{k} p_n ** (1 / 2**n)

* ``p_n`` is the *clipped* n-gram precision: of the ``len_pred - n + 1`` n-grams of the
  prediction, the fraction that match an n-gram of the label, where an n-gram of the label is
  matched at most as many times as it occurs there (so ``'the the the'`` against ``'the cat'``
  has p_1 = 1/3, not 3/3).
* The first factor is the brevity penalty: a prediction shorter than the label is penalised
  (short predictions have high precisions easily); a longer one is not.
* ``p_n ** (1 / 2**n)``: a longer n-gram, harder to match, gets a larger weight than in the
  paper's geometric mean (``p_n ** (1/n)``, with uniform weights).
* Orders longer than the prediction are left out of the product (n runs up to
  ``min(k, len_pred)``), as in d2l: a one-token prediction has no bigrams to count.

A prediction equal to its label scores 1; a prediction sharing no token with it scores 0.

>>> round(bleu("il est riche .", "il est calme .", k=2), 3)   # (3/4)**(1/2) * (1/3)**(1/4)
0.658
"""

from __future__ import annotations

import collections
import math
from collections.abc import Hashable, Sequence

import numpy as np

from shendu.tensor import Tensor

__all__ = ["bleu", "mean_bleu", "ngram_precision"]

# A sequence of tokens: a space-separated string, or a list/tuple/1-D array of tokens.
TokenSeq = str | Sequence[Hashable] | np.ndarray | Tensor


def bleu(pred_seq: TokenSeq, label_seq: TokenSeq, k: int) -> float:
    """The BLEU of one predicted sequence against one label sequence, in [0, 1].

    **Argument order: the prediction first**, as in d2l's ``bleu(pred_seq, label_seq, k)``
    (and torchtext's ``bleu_score(candidate, references)``); this is the one function of
    :mod:`shendu.metrics` that does not take ``(y_true, y_pred)``. BLEU is not symmetric, so
    swapped arguments give another number, not an error.

    Args:
        pred_seq: the predicted sequence: a string of space-separated tokens (split on runs of
            whitespace, ``str.split()``) or a list, tuple, 1-D array or Tensor of tokens
            (strings, ints: any hashable values compared with ``==``).
        label_seq: the label (reference) sequence, in the same forms; it must not be empty.
        k: the longest n-gram order matched (>= 1); d2l uses ``k=2``, the paper 4.

    Returns:
        ``exp(min(0, 1 - len_label / len_pred)) * prod_{n=1}^{min(k, len_pred)} p_n**(1/2**n)``
        with ``p_n`` the clipped n-gram precision (:func:`ngram_precision`), as a float.
        An empty prediction scores 0.0 (the brevity penalty's limit as len_pred -> 0).

    Raises:
        ValueError: ``k < 1`` or an empty label sequence.
        TypeError: ``k`` not an int, or a sequence that is not a string or a flat sequence of
            hashable tokens.

    >>> bleu("va !", "va !", k=2)
    1.0
    >>> round(bleu(["A", "B"], ["A", "B", "C", "D", "E", "F"], k=2), 4)  # exp(1 - 6/2)
    0.1353
    """
    k = _check_k(k, "bleu")
    pred = _tokens(pred_seq, "pred_seq", "bleu")
    label = _tokens(label_seq, "label_seq", "bleu")
    if not label:
        raise ValueError("bleu: label_seq is empty; BLEU compares a prediction with a non-empty "
                         "label sequence")
    if not pred:
        return 0.0
    score = math.exp(min(0.0, 1.0 - len(label) / len(pred)))
    for n in range(1, min(k, len(pred)) + 1):
        score *= ngram_precision(pred, label, n) ** (0.5 ** n)
    return score


def ngram_precision(pred_tokens: Sequence[Hashable], label_tokens: Sequence[Hashable],
                    n: int) -> float:
    """The clipped n-gram precision p_n of BLEU.

    ``p_n = sum_g min(count_pred(g), count_label(g)) / (len_pred - n + 1)`` over the distinct
    n-grams ``g`` of the prediction: each n-gram of the label can be matched as many times as
    it occurs in the label, no more.

    Args:
        pred_tokens, label_tokens: lists of tokens (already split).
        n: the n-gram order, 1 <= n <= len(pred_tokens).

    >>> ngram_precision(list("ABBCD"), list("ABCDEF"), 2)   # AB, BB, BC, CD: 3 of 4 match
    0.75
    """
    if not 1 <= n <= len(pred_tokens):
        raise ValueError(f"ngram_precision: n must be in [1, len(pred_tokens)] = "
                         f"[1, {len(pred_tokens)}], got n={n}")
    pred_counts = _ngram_counts(pred_tokens, n)
    label_counts = _ngram_counts(label_tokens, n)
    matches = sum(min(count, label_counts[gram]) for gram, count in pred_counts.items())
    return matches / (len(pred_tokens) - n + 1)


def mean_bleu(pred_seqs: Sequence[TokenSeq], label_seqs: Sequence[TokenSeq], k: int) -> float:
    """The mean of the per-sentence :func:`bleu` over pairs of sequences.

    This is **not** the corpus BLEU of Papineni et al. (and of sacreBLEU or NLTK's
    ``corpus_bleu``), which pools the n-gram counts and lengths of all sentences before
    dividing; it is the plain average of sentence scores, each with its own brevity penalty,
    the number a loop over d2l's ``bleu`` prints.

    Args:
        pred_seqs: predicted sequences, each in a form :func:`bleu` accepts.
        label_seqs: the label sequences, as many as ``pred_seqs``.
        k: the longest n-gram order.

    >>> round(mean_bleu(["va !", "il est riche ."], ["va !", "il est calme ."], k=2), 3)
    0.829
    """
    if isinstance(pred_seqs, str) or isinstance(label_seqs, str):
        raise TypeError("mean_bleu: pred_seqs and label_seqs must be lists of sequences, got a "
                        "str; for one pair of sentences use bleu(pred_seq, label_seq, k)")
    pred_seqs, label_seqs = list(pred_seqs), list(label_seqs)
    if len(pred_seqs) != len(label_seqs):
        raise ValueError(f"mean_bleu: got {len(pred_seqs)} predicted sequences and "
                         f"{len(label_seqs)} label sequences; they must pair up one to one")
    if not pred_seqs:
        raise ValueError("mean_bleu: no sequences given; the mean of nothing is undefined")
    scores = [bleu(pred, label, k) for pred, label in zip(pred_seqs, label_seqs)]
    return float(np.mean(scores))


def _ngram_counts(tokens: Sequence[Hashable], n: int) -> collections.Counter:
    """How often each n-gram (a tuple of n tokens) occurs in ``tokens``."""
    return collections.Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _check_k(k, fn: str) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{fn}: k (the longest n-gram order) must be an int, got "
                        f"{type(k).__name__}")
    if k < 1:
        raise ValueError(f"{fn}: k (the longest n-gram order) must be >= 1, got k={k}")
    return int(k)


def _tokens(seq, name: str, fn: str) -> list:
    """``seq`` as a list of tokens: a string is split on whitespace, a flat sequence taken as
    it is."""
    if isinstance(seq, str):
        return seq.split()
    if isinstance(seq, Tensor):
        seq = seq.data
    if isinstance(seq, np.ndarray):
        if seq.ndim != 1:
            raise TypeError(f"{fn}: {name} must be a 1-D array of tokens, got shape {seq.shape}")
        return seq.tolist()
    if not isinstance(seq, (list, tuple)):
        raise TypeError(f"{fn}: {name} must be a string of space-separated tokens or a list of "
                        f"tokens, got {type(seq).__name__}")
    for token in seq:
        if isinstance(token, (list, np.ndarray, Tensor)) or not isinstance(token, Hashable):
            raise TypeError(f"{fn}: {name} must be a flat sequence of tokens (strings or ints), "
                            f"but it holds a {type(token).__name__}; pass one sentence, or use "
                            "mean_bleu for many")
    return list(seq)
