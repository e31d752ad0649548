"""Tokens and vocabularies: :func:`tokenize` splits text lines into tokens, :class:`Vocab` maps
tokens to integer indices and back.

These follow the curriculum (d2l, "Text Preprocessing"): a vocabulary counts its tokens, puts
``<unk>`` at index 0, then the reserved tokens the caller gives, then every token seen at least
``min_freq`` times, most frequent first.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Hashable, Sequence
from operator import itemgetter

import numpy as np

from shendu.tensor import Tensor

UNK = "<unk>"


def tokenize(lines: Sequence[str], token: str = "word") -> list[list[str]]:
    """Split each text line into tokens.

    Args:
        lines: text lines (a list of ``str``); one string must be wrapped in a list.
        token: ``'word'`` splits on runs of whitespace (``str.split()``); ``'char'`` makes
            every character a token, spaces included.

    Returns:
        one list of tokens per line (an empty line gives ``[]``).

    >>> tokenize(["the time machine", ""], token="word")
    [['the', 'time', 'machine'], []]
    >>> tokenize(["ab c"], token="char")
    [['a', 'b', ' ', 'c']]
    """
    if isinstance(lines, str):
        raise TypeError("tokenize: lines must be a list of strings, got one str; "
                        "wrap it in a list: tokenize([text])")
    if token == "word":
        return [_line(line).split() for line in lines]
    if token == "char":
        return [list(_line(line)) for line in lines]
    raise ValueError(f"tokenize: token must be 'word' or 'char', got {token!r}")


def _line(line) -> str:
    if not isinstance(line, str):
        raise TypeError(f"tokenize: every line must be a str, got {type(line).__name__}")
    return line


def count_corpus(tokens: Sequence) -> collections.Counter:
    """Token frequencies of a flat list of tokens or of a list of token lists.

    A list whose first element is a list is taken as lines of tokens and flattened, as in the
    curriculum; tuples are tokens themselves (so bigrams ``('the', 'time')`` can be counted).
    The counter keeps first-occurrence order, which :class:`Vocab` uses to break frequency ties.
    """
    if len(tokens) > 0 and isinstance(tokens[0], list):
        for line in tokens:
            if not isinstance(line, list):
                raise TypeError("Vocab: tokens look like a list of token lists (the first item "
                                f"is a list), but another item is a {type(line).__name__}")
        return collections.Counter(itertools.chain.from_iterable(tokens))
    return collections.Counter(tokens)


class Vocab:
    """A vocabulary: token <-> index.

    Index 0 is always ``<unk>``, the index of every token the vocabulary does not hold. Next come
    ``reserved_tokens`` in the order given (``<pad>``, ``<bos>``, ``<eos>`` exist only if passed
    here), then the counted tokens with frequency ``>= min_freq``, sorted by frequency, most
    frequent first; tokens of equal frequency keep the order of their first occurrence (Python's
    stable sort over the counter, as the curriculum's ``Vocab``).

    Args:
        tokens: a flat list (or other iterable) of tokens, or a list of token lists (lines), or
            ``None`` for an empty vocabulary. Tokens are any hashable values (strings, bigram
            tuples, ...).
        min_freq: tokens seen fewer times are left out (they map to ``<unk>``).
        reserved_tokens: tokens placed right after ``<unk>`` whether or not they occur.

    Attributes:
        idx_to_token: list, ``idx_to_token[i]`` is the token of index ``i``.
        token_to_idx: dict, the inverse of ``idx_to_token``.
        token_freqs: ``[(token, count), ...]`` of every counted token (also those below
            ``min_freq``), most frequent first.

    >>> vocab = Vocab([["a", "b", "b"], ["c", "b"]], reserved_tokens=["<pad>"])
    >>> vocab.idx_to_token
    ['<unk>', '<pad>', 'b', 'a', 'c']
    >>> vocab[["b", "z"]], vocab.to_tokens([2, 3])
    ([2, 0], ['b', 'a'])
    """

    def __init__(self, tokens: Sequence | None = None, min_freq: int = 0,
                 reserved_tokens: Sequence[Hashable] | None = None) -> None:
        if isinstance(min_freq, bool) or not isinstance(min_freq, (int, np.integer)):
            raise TypeError(f"Vocab: min_freq must be an int, got {type(min_freq).__name__}")
        reserved = _check_reserved(reserved_tokens)
        if tokens is None:
            tokens = []
        elif not isinstance(tokens, (list, tuple, str)):
            tokens = list(tokens)  # a generator, a dict's keys, an ndarray ...
        counter = count_corpus(tokens)
        self._token_freqs = sorted(counter.items(), key=itemgetter(1), reverse=True)
        self.idx_to_token = [UNK, *reserved]
        self.token_to_idx = {token: idx for idx, token in enumerate(self.idx_to_token)}
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break  # sorted by frequency: every later token is rarer still
            if token not in self.token_to_idx:
                self.token_to_idx[token] = len(self.idx_to_token)
                self.idx_to_token.append(token)

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __contains__(self, token: Hashable) -> bool:
        return token in self.token_to_idx

    def __getitem__(self, tokens):
        """Index of one token, or a list of indices for a list of tokens (nested lists give
        nested lists). Unknown tokens give ``unk`` (0). A tuple is looked up as one token when the
        vocabulary holds it (n-gram vocabularies), otherwise as a sequence of tokens."""
        if isinstance(tokens, list) or (isinstance(tokens, tuple)
                                        and tokens not in self.token_to_idx):
            return [self[token] for token in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    def to_tokens(self, indices):
        """Token of one index, or a list of tokens for a list, tuple, ndarray or Tensor of
        indices (one level of nesting per dimension)."""
        if isinstance(indices, Tensor):
            indices = indices.data
        if isinstance(indices, np.ndarray):
            indices = indices.tolist()
        if isinstance(indices, (list, tuple)):
            return [self.to_tokens(index) for index in indices]
        return self.idx_to_token[self._index(indices)]

    def _index(self, index) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Vocab.to_tokens: indices must be ints, got {type(index).__name__}")
        if not 0 <= index < len(self.idx_to_token):
            raise IndexError(f"Vocab.to_tokens: index {index} is out of range for a vocabulary "
                             f"of {len(self.idx_to_token)} tokens (valid: 0 to "
                             f"{len(self.idx_to_token) - 1})")
        return int(index)

    @property
    def unk(self) -> int:
        """Index of the unknown token ``<unk>``: 0."""
        return 0

    @property
    def token_freqs(self) -> list[tuple]:
        """``[(token, count), ...]`` of every counted token, most frequent first."""
        return self._token_freqs

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.idx_to_token[:6])
        more = ", ..." if len(self) > 6 else ""
        return f"Vocab(size={len(self)}, tokens=[{head}{more}])"


def _check_reserved(reserved_tokens) -> list:
    if reserved_tokens is None:
        return []
    if isinstance(reserved_tokens, str):
        raise TypeError("Vocab: reserved_tokens must be a list of tokens, got one str; "
                        f"write reserved_tokens=[{reserved_tokens!r}]")
    reserved = list(reserved_tokens)
    if UNK in reserved:
        raise ValueError(f"Vocab: {UNK!r} is always index 0 and must not be in reserved_tokens")
    repeated = sorted({repr(t) for t in reserved if reserved.count(t) > 1})
    if repeated:
        raise ValueError(f"Vocab: reserved_tokens lists {', '.join(repeated)} more than once")
    return reserved
