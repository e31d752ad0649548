"""Text data (``shendu.data.text``): tokens, vocabularies, padding, the two minibatch samplers
for language models, and the curriculum's corpora.

* :func:`tokenize`, :class:`Vocab`: text lines -> tokens -> indices and back.
* :func:`pad_or_truncate`, :func:`pad_or_truncate_batch`: fixed-length sequences.
* :func:`seq_data_iter_random` (reset the hidden state every minibatch),
  :func:`seq_data_iter_sequential` (carry it over, detached), :class:`SeqDataLoader`.
* :func:`load_time_machine`, :func:`load_tiny_shakespeare`, :func:`load_ptb`,
  :func:`load_jay_chou` (and their ``read_*``): from a path, the cache or a download.
* :func:`train_val_split`: a contiguous split, the end for validation.
"""

from shendu.data.text.corpora import (
    REMOTE,
    load_corpus,
    load_corpus_time_machine,
    load_data_jay_lyrics,
    load_jay_chou,
    load_ptb,
    load_time_machine,
    load_tiny_shakespeare,
    read_jay_chou,
    read_ptb,
    read_time_machine,
    read_time_machine_text,
    read_tiny_shakespeare,
)
from shendu.data.text.loader import SeqDataLoader, load_data_time_machine
from shendu.data.text.padding import pad_or_truncate, pad_or_truncate_batch, truncate_pad
from shendu.data.text.sampling import seq_data_iter_random, seq_data_iter_sequential
from shendu.data.text.split import train_val_split
from shendu.data.text.vocab import Vocab, count_corpus, tokenize

__all__ = [
    "REMOTE", "SeqDataLoader", "Vocab", "count_corpus", "load_corpus", "load_corpus_time_machine",
    "load_data_jay_lyrics", "load_data_time_machine", "load_jay_chou", "load_ptb",
    "load_time_machine", "load_tiny_shakespeare", "pad_or_truncate", "pad_or_truncate_batch",
    "read_jay_chou", "read_ptb", "read_time_machine", "read_time_machine_text",
    "read_tiny_shakespeare",
    "seq_data_iter_random", "seq_data_iter_sequential", "tokenize", "train_val_split",
    "truncate_pad",
]
