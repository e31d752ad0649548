"""shendu.data.text: tokenize, Vocab, padding, the two language-model samplers, the corpora.

Where a test says "the book", the expected values are copied from the printed outputs of the
curriculum's executed notebooks, d2l 0.17.5 (PyTorch, the classic edition), repository
d2l-ai/d2l-pytorch-colab-classic at commit 219cfca196bbd8de4c9ebe1bb1f3f827dd51ba8c:
chapter_recurrent-neural-networks/text-preprocessing.ipynb,
chapter_recurrent-neural-networks/language-models-and-dataset.ipynb and
chapter_natural-language-processing-pretraining/word-embedding-dataset.ipynb.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu.data.text import (
    SeqDataLoader,
    Vocab,
    corpora,
    load_corpus,
    load_data_jay_lyrics,
    load_data_time_machine,
    load_jay_chou,
    load_ptb,
    load_time_machine,
    load_tiny_shakespeare,
    pad_or_truncate,
    pad_or_truncate_batch,
    read_jay_chou,
    read_ptb,
    read_time_machine,
    read_tiny_shakespeare,
    seq_data_iter_random,
    seq_data_iter_sequential,
    tokenize,
    train_val_split,
)
from shendu.tensor import Tensor

MY_SEQ = list(range(35))  # the book's example corpus, with batch_size=2 and num_steps=5

# The book's printed sequential batches (language-models-and-dataset.ipynb, cell 10); its random
# offset came out as 1 (the first row starts at token 1).
BOOK_SEQUENTIAL = [
    ([[1, 2, 3, 4, 5], [17, 18, 19, 20, 21]], [[2, 3, 4, 5, 6], [18, 19, 20, 21, 22]]),
    ([[6, 7, 8, 9, 10], [22, 23, 24, 25, 26]], [[7, 8, 9, 10, 11], [23, 24, 25, 26, 27]]),
    ([[11, 12, 13, 14, 15], [27, 28, 29, 30, 31]], [[12, 13, 14, 15, 16], [28, 29, 30, 31, 32]]),
]
# The book's printed random-sampling batches (cell 8), also drawn at offset 1; their order comes
# from Python's random.shuffle, which shendu's generator does not reproduce.
BOOK_RANDOM = [
    ([[11, 12, 13, 14, 15], [21, 22, 23, 24, 25]], [[12, 13, 14, 15, 16], [22, 23, 24, 25, 26]]),
    ([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], [[2, 3, 4, 5, 6], [7, 8, 9, 10, 11]]),
    ([[26, 27, 28, 29, 30], [16, 17, 18, 19, 20]], [[27, 28, 29, 30, 31], [17, 18, 19, 20, 21]]),
]


def batches(iterator) -> list:
    return [(X.data.tolist(), Y.data.tolist()) for X, Y in iterator]


def rows(batch_list) -> list:
    return sorted(tuple(row) for X, _ in batch_list for row in X)


@pytest.fixture
def text_dir(shared_data) -> Path:
    return shared_data / "text"


@functools.lru_cache(maxsize=1)
def ptb_train(text_dir: Path):
    return load_ptb(text_dir)


# ----------------------------------------------------------------------------- tokenize
def test_tokenize_words_and_chars():
    lines = ["the time  machine", "", " by h g wells "]
    assert tokenize(lines) == [["the", "time", "machine"], [], ["by", "h", "g", "wells"]]
    assert tokenize(["ab c", ""], token="char") == [["a", "b", " ", "c"], []]


def test_tokenize_errors():
    with pytest.raises(ValueError, match="token must be 'word' or 'char', got 'bpe'"):
        tokenize(["a b"], token="bpe")
    with pytest.raises(TypeError, match="wrap it in a list"):
        tokenize("a b")
    with pytest.raises(TypeError, match="every line must be a str, got int"):
        tokenize(["a", 3])


# ----------------------------------------------------------------------------- Vocab
def test_vocab_order_frequency_then_first_occurrence():
    # counts: b 3, a 2, c 2, d 1; a appears before c, so a comes first among the ties
    vocab = Vocab([["a", "b", "c"], ["b", "c", "b", "a", "d"]])
    assert vocab.idx_to_token == ["<unk>", "b", "a", "c", "d"]
    assert vocab.token_to_idx == {"<unk>": 0, "b": 1, "a": 2, "c": 3, "d": 4}
    assert vocab.token_freqs == [("b", 3), ("a", 2), ("c", 2), ("d", 1)]
    assert len(vocab) == 5 and vocab.unk == 0


def test_vocab_flat_list_equals_nested_lists():
    flat = Vocab(["x", "y", "y", "z"])
    nested = Vocab([["x", "y"], ["y", "z"]])
    assert flat.idx_to_token == nested.idx_to_token == ["<unk>", "y", "x", "z"]
    assert Vocab(iter("xyyz")).idx_to_token == flat.idx_to_token  # any iterable of tokens


def test_vocab_min_freq_and_reserved_tokens():
    tokens = ["a"] * 3 + ["b"] * 2 + ["c", "<pad>"]
    vocab = Vocab(tokens, min_freq=2, reserved_tokens=["<pad>", "<bos>", "<eos>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "<bos>", "<eos>", "a", "b"]
    assert vocab["c"] == 0 and "c" not in vocab  # below min_freq: unknown
    assert vocab["<pad>"] == 1  # counted once, but reserved: kept at its reserved index
    assert ("c", 1) in vocab.token_freqs  # token_freqs lists every counted token
    assert Vocab(tokens).idx_to_token[:2] == ["<unk>", "a"]  # no <pad> unless reserved


def test_vocab_lookup_and_round_trip():
    vocab = Vocab("the cat sat on the mat".split())
    indices = vocab[["the", "cat", "dog"]]
    assert indices == [1, 2, 0]
    assert vocab[("the", "mat")] == [1, 5]  # a tuple the vocabulary does not hold: a sequence
    assert vocab[[["the"], ["on", "sat"]]] == [[1], [4, 3]]
    assert vocab.to_tokens(indices) == ["the", "cat", "<unk>"]
    assert vocab.to_tokens(3) == "sat"
    sentence = "the mat sat on the cat".split()
    assert vocab.to_tokens(vocab[sentence]) == sentence
    assert vocab.to_tokens(np.array([[1, 2], [3, 4]])) == [["the", "cat"], ["sat", "on"]]
    assert vocab.to_tokens(shendu.tensor([5, 1])) == ["mat", "the"]


def test_vocab_of_bigram_tuples():
    words = "a b a b c".split()
    bigrams = list(zip(words[:-1], words[1:]))
    vocab = Vocab(bigrams)
    assert vocab.token_freqs == [(("a", "b"), 2), (("b", "a"), 1), (("b", "c"), 1)]
    assert vocab[("a", "b")] == 1  # a tuple the vocabulary holds is one token


def test_vocab_empty_and_errors():
    assert Vocab().idx_to_token == ["<unk>"] and Vocab()["x"] == 0
    with pytest.raises(ValueError, match="'<unk>' is always index 0"):
        Vocab(["a"], reserved_tokens=["<unk>"])
    with pytest.raises(ValueError, match="lists '<pad>' more than once"):
        Vocab(["a"], reserved_tokens=["<pad>", "<pad>"])
    with pytest.raises(TypeError, match=r"reserved_tokens=\['<pad>'\]"):
        Vocab(["a"], reserved_tokens="<pad>")
    with pytest.raises(IndexError, match="index 2 is out of range for a vocabulary of 2"):
        Vocab(["a"]).to_tokens([1, 2])
    with pytest.raises(IndexError, match="out of range"):
        Vocab(["a"]).to_tokens(-1)
    with pytest.raises(TypeError, match="indices must be ints, got str"):
        Vocab(["a"]).to_tokens("a")
    with pytest.raises(TypeError, match="another item is a str"):
        Vocab([["a"], "b"])


# ----------------------------------------------------------------------------- The Time Machine
@pytest.mark.data
def test_time_machine_lines_match_the_book(text_dir):
    lines = read_time_machine(text_dir / "timemachine.txt")
    assert len(lines) == 3221  # the book: "# text lines: 3221"
    assert lines[0] == "the time machine by h g wells"
    assert lines[10] == "twinkled and his usually pale face was flushed and animated the"
    tokens = tokenize(lines)
    assert tokens[8] == ["the", "time", "traveller", "for", "so", "it", "will", "be",
                         "convenient", "to", "speak", "of", "him"]


@pytest.mark.data
def test_time_machine_word_vocab_matches_the_book(text_dir):
    tokens = tokenize(read_time_machine(text_dir))
    vocab = Vocab(tokens)
    assert list(vocab.token_to_idx.items())[:10] == [
        ("<unk>", 0), ("the", 1), ("i", 2), ("and", 3), ("of", 4), ("a", 5), ("to", 6),
        ("was", 7), ("in", 8), ("that", 9)]
    assert vocab[tokens[0]] == [1, 19, 50, 40, 2183, 2184, 400]
    assert vocab[tokens[10]] == [2186, 3, 25, 1044, 362, 113, 7, 1421, 3, 1045, 1]
    corpus = [token for line in tokens for token in line]
    assert Vocab(corpus).token_freqs[:10] == [
        ("the", 2261), ("i", 1267), ("and", 1245), ("of", 1155), ("a", 816), ("to", 695),
        ("was", 552), ("in", 541), ("that", 443), ("my", 440)]


@pytest.mark.data
def test_time_machine_char_corpus_matches_the_book(text_dir):
    corpus, vocab = load_time_machine(text_dir)
    assert (len(corpus), len(vocab)) == (170580, 28)  # the book: (170580, 28)
    assert "".join(vocab.to_tokens(corpus[:16])) == "the time machine"
    assert sorted(vocab.idx_to_token[1:]) == sorted(" abcdefghijklmnopqrstuvwxyz")
    short, short_vocab = load_time_machine(text_dir, max_tokens=10000)
    assert short == corpus[:10000] and len(short_vocab) == 28  # vocabulary of the whole book


# ----------------------------------------------------------------------------- sequential
def test_sequential_batches_are_the_books():
    assert batches(seq_data_iter_sequential(MY_SEQ, batch_size=2, num_steps=5,
                                            offset=1)) == BOOK_SEQUENTIAL


def test_sequential_yields_int64_tensors():
    X, Y = next(seq_data_iter_sequential(np.arange(35, dtype=np.int32), 2, 5, offset=0))
    assert isinstance(X, Tensor) and isinstance(Y, Tensor)
    assert X.dtype == np.int64 and Y.dtype == np.int64 and X.shape == Y.shape == (2, 5)
    assert X.data.flags["C_CONTIGUOUS"]


def test_sequential_rows_carry_over_between_batches():
    rng = np.random.default_rng(3)
    corpus = rng.permutation(1000)  # token value = a position we can find again
    position = np.argsort(corpus)
    out = list(seq_data_iter_sequential(corpus.tolist(), batch_size=4, num_steps=7, offset=3))
    assert len(out) == ((1000 - 3 - 1) // 4) // 7
    for (X0, Y0), (X1, _) in zip(out[:-1], out[1:]):
        # row r of batch k+1 starts at the token right after the last of row r of batch k
        np.testing.assert_array_equal(position[X1.data[:, 0]], position[X0.data[:, -1]] + 1)
        np.testing.assert_array_equal(Y0.data[:, -1], X1.data[:, 0])
    for X, Y in out:  # within a row, consecutive tokens; Y is X one token on
        np.testing.assert_array_equal(np.diff(position[X.data], axis=1), 1)
        np.testing.assert_array_equal(position[Y.data], position[X.data] + 1)


def test_sequential_offset_is_drawn_from_0_to_num_steps():
    generator = np.random.default_rng(0)
    offsets = {next(seq_data_iter_sequential(MY_SEQ, 2, 5, generator=generator))[0].data[0, 0]
               for _ in range(200)}
    assert offsets == {0, 1, 2, 3, 4, 5}  # d2l: random.randint(0, num_steps), both ends


# ----------------------------------------------------------------------------- random
def test_random_sampling_gives_the_books_subsequences_at_its_offset():
    shendu.manual_seed(0)
    ours = batches(seq_data_iter_random(MY_SEQ, batch_size=2, num_steps=5, offset=1))
    assert len(ours) == len(BOOK_RANDOM) == 3
    assert rows(ours) == rows(BOOK_RANDOM)  # the same six subsequences, in another order
    for X, Y in ours:
        assert np.array_equal(np.array(Y), np.array(X) + 1)


def test_random_sampling_structure():
    corpus, batch_size, num_steps, offset = list(range(100)), 3, 7, 2
    out = list(seq_data_iter_random(corpus, batch_size, num_steps, offset=offset,
                                    generator=np.random.default_rng(1)))
    num_subseqs = (100 - offset - 1) // num_steps  # 13 subsequences, 4 batches of 3
    assert len(out) == num_subseqs // batch_size == 4
    starts = [int(X.data[r, 0]) for X, _ in out for r in range(batch_size)]
    assert len(set(starts)) == len(starts)  # no subsequence twice in an epoch
    grid = set(range(offset, offset + num_subseqs * num_steps, num_steps))
    assert set(starts) <= grid and len(grid - set(starts)) == num_subseqs % batch_size
    for X, Y in out:
        assert X.shape == Y.shape == (batch_size, num_steps) and X.dtype == np.int64
        np.testing.assert_array_equal(X.data, X.data[:, :1] + np.arange(num_steps))
        np.testing.assert_array_equal(Y.data, X.data + 1)


def test_random_sampling_uses_every_subsequence_when_they_divide_evenly():
    out = list(seq_data_iter_random(list(range(61)), 3, 5, offset=0))
    assert rows(batches(out)) == [tuple(range(s, s + 5)) for s in range(0, 60, 5)]


def test_random_sampling_is_shuffled_and_seeded():
    def starts(seed):
        shendu.manual_seed(seed)
        return [X.data[:, 0].tolist() for X, _ in seq_data_iter_random(range(1000), 4, 5)]

    assert starts(7) == starts(7)  # shendu.manual_seed reproduces an epoch
    assert starts(7) != starts(8)
    first = np.concatenate(starts(7))
    assert not np.all(np.diff(first) > 0)  # not in corpus order
    assert len({s % 5 for s in first}) == 1  # one offset per epoch


def test_random_offset_is_drawn_from_0_to_num_steps_minus_1():
    generator = np.random.default_rng(0)
    offsets = {int(next(seq_data_iter_random(MY_SEQ, 2, 5, generator=generator))[0].data.min())
               % 5 for _ in range(200)}
    assert offsets == {0, 1, 2, 3, 4}  # d2l 0.17: random.randint(0, num_steps - 1)


# ----------------------------------------------------------------------------- sampler errors
def test_sampler_errors_are_raised_when_called():
    with pytest.raises(ValueError, match=r"corpus has 10 tokens, too few .* num_steps=20"):
        seq_data_iter_random(list(range(10)), batch_size=1, num_steps=20)
    with pytest.raises(ValueError, match=r"seq_data_iter_sequential: the corpus has 35 tokens"):
        seq_data_iter_sequential(MY_SEQ, batch_size=7, num_steps=5)
    # at a drawn offset: enough for every offset that may be drawn, or an error every time
    seq_data_iter_sequential(list(range(16)), 2, 5)  # (2 + 1) * 5 + 1 tokens
    with pytest.raises(ValueError, match="offset of up to 5, 16 in all"):
        seq_data_iter_sequential(list(range(15)), 2, 5)
    seq_data_iter_sequential(list(range(15)), 2, 5, offset=4)  # a fixed offset that fits
    seq_data_iter_random(list(range(15)), 2, 5)
    with pytest.raises(ValueError, match="offset of up to 4, 15 in all"):
        seq_data_iter_random(list(range(14)), 2, 5)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
    ({"num_steps": 2.0}, TypeError, "num_steps must be an int, got float"),
    ({"offset": -1}, ValueError, "offset must be >= 0, got -1"),
    ({"offset": 1.5}, TypeError, "offset must be an int or None, got float"),
    ({"generator": 3}, TypeError, "generator must be a numpy.random.Generator, got int"),
    ({"corpus": [[1, 2], [3, 4]]}, TypeError, r"flat sequence of integer token indices"),
    ({"corpus": ["a", "b"]}, TypeError, r"index tokens first"),
])
@pytest.mark.parametrize("sampler", [seq_data_iter_random, seq_data_iter_sequential])
def test_sampler_argument_errors(sampler, kwargs, error, message):
    args = {"corpus": MY_SEQ, "batch_size": 2, "num_steps": 5, **kwargs}
    with pytest.raises(error, match=message):
        sampler(**args)


# ----------------------------------------------------------------------------- SeqDataLoader
def test_seq_data_loader_over_a_corpus():
    loader = SeqDataLoader(MY_SEQ, 2, 5, offset=1)
    assert batches(loader) == batches(loader) == BOOK_SEQUENTIAL  # re-iterable
    assert loader.vocab is None and loader.corpus == MY_SEQ
    random_loader = SeqDataLoader(MY_SEQ, 2, 5, use_random_iter=True, offset=1)
    assert rows(batches(random_loader)) == rows(BOOK_RANDOM)
    vocab = Vocab(["x"])
    assert SeqDataLoader((MY_SEQ, vocab), 2, 5).vocab is vocab
    assert SeqDataLoader(MY_SEQ, 2, 5, vocab=vocab).vocab is vocab
    assert len(SeqDataLoader(MY_SEQ, 1, 5, max_tokens=20, offset=0).corpus) == 20
    with pytest.raises(ValueError, match="too few for one minibatch"):
        SeqDataLoader(MY_SEQ, 8, 5)


def test_seq_data_loader_epochs_differ_and_leave_the_seed_alone():
    shendu.manual_seed(5)
    expected = batches(seq_data_iter_random(range(500), 4, 5))
    shendu.manual_seed(5)
    loader = SeqDataLoader(list(range(500)), 4, 5, use_random_iter=True)
    first = batches(loader)
    assert first == expected  # building the loader drew nothing from the global generator
    assert batches(loader) != first  # a new shuffle each epoch


@pytest.mark.data
def test_seq_data_loader_from_a_file_and_load_data_time_machine(text_dir):
    loader = SeqDataLoader(text_dir / "timemachine.txt", 32, 35, max_tokens=10000)
    assert len(loader.corpus) == 10000 and len(loader.vocab) == 28
    train_iter, vocab = load_data_time_machine(32, 35, path=text_dir)
    assert len(train_iter.corpus) == 10000 and len(vocab) == 28
    X, Y = next(iter(train_iter))
    assert X.shape == Y.shape == (32, 35)
    assert X.data.max() < len(vocab)


# ----------------------------------------------------------------------------- padding
def test_pad_or_truncate():
    assert pad_or_truncate([47, 4], 5, 1) == [47, 4, 1, 1, 1]
    assert pad_or_truncate(["a", "b", "c"], 2, "<pad>") == ["a", "b"]
    assert pad_or_truncate((1, 2), 2, 0) == [1, 2]
    assert pad_or_truncate([1, 2], 0, 0) == []
    with pytest.raises(ValueError, match="num_steps must be >= 0, got -1"):
        pad_or_truncate([1], -1, 0)


def test_pad_or_truncate_batch():
    X, valid = pad_or_truncate_batch([[4, 5, 6, 7], [1], [], [2, 0]], 3, padding_value=0)
    assert X.dtype == np.int64 and valid.dtype == np.int64
    assert X.data.tolist() == [[4, 5, 6], [1, 0, 0], [0, 0, 0], [2, 0, 0]]
    assert valid.data.tolist() == [3, 1, 0, 2]  # a real 0 in the last line still counts
    with pytest.raises(TypeError, match="line 1 must be a flat sequence of integer indices"):
        pad_or_truncate_batch([[1], ["a"]], 3, 0)


# ----------------------------------------------------------------------------- split
def test_train_val_split():
    assert train_val_split(list(range(10)), 0.2) == (list(range(8)), [8, 9])
    assert train_val_split("abcdefghij", 0.3) == ("abcdefg", "hij")
    train, val = train_val_split(np.arange(100), 0.29)  # round(28.999...) = 29
    assert len(train) == 71 and val[0] == 71
    with pytest.raises(ValueError, match="between 0 and 1"):
        train_val_split([1, 2, 3], 1.0)
    with pytest.raises(ValueError, match="leave 3 for training and 0 for validation"):
        train_val_split([1, 2, 3], 0.1)


# ----------------------------------------------------------------------------- other corpora
@pytest.mark.data
def test_tiny_shakespeare(text_dir):
    text = read_tiny_shakespeare(text_dir / "tinyshakespeare.txt")
    assert len(text) == 1115394
    corpus, vocab = load_tiny_shakespeare(text_dir)
    assert len(corpus) == 1115394 and len(vocab) == 66  # 65 characters and <unk>
    assert "".join(vocab.to_tokens(corpus[:14])) == "First Citizen:"
    words, word_vocab = load_tiny_shakespeare(text_dir, token="word", max_tokens=3)
    assert word_vocab.to_tokens(words) == ["First", "Citizen:", "Before"]


@pytest.mark.data
def test_ptb_matches_the_book(text_dir):
    sentences = read_ptb(text_dir / "ptb.zip")
    assert len(sentences) == 42069  # the book: "# sentences: 42069"
    assert len(Vocab(sentences, min_freq=10)) == 6719  # the book: "vocab size: 6719"
    assert sentences[0][:3] == ["aer", "banknote", "berlitz"] and sentences[-1] == []
    assert read_ptb(text_dir, split="valid")[0][:3] == ["consumers", "may", "want"]


@pytest.mark.data
def test_ptb_language_model_corpus(text_dir):
    corpus, vocab = ptb_train(text_dir)
    assert len(corpus) == 887521 + 42068  # words + one <eos> per sentence
    assert len(vocab) == 10000  # Mikolov's PTB: 10k words, its own <unk> at our index 0
    assert vocab.to_tokens(corpus[:3]) == ["aer", "banknote", "berlitz"]
    assert vocab["<unk>"] == 0 and vocab.to_tokens(corpus[24]) == "<eos>"
    valid, same = load_ptb(text_dir, split="valid", vocab=vocab)
    assert same is vocab and len(valid) == 73760
    bare, bare_vocab = load_ptb(text_dir, split="valid", eos=None)
    assert "<eos>" not in bare_vocab
    assert len(bare) == len(valid) - (len(read_ptb(text_dir, split="valid")) - 1)
    assert bare_vocab.to_tokens(bare) == [w for w in vocab.to_tokens(valid) if w != "<eos>"]


@pytest.mark.data
def test_ptb_from_extracted_files(text_dir, tmp_path):
    with zipfile.ZipFile(text_dir / "ptb.zip") as archive:
        archive.extract("ptb/ptb.test.txt", tmp_path)
    test_file = tmp_path / "ptb" / "ptb.test.txt"
    from_zip = read_ptb(text_dir / "ptb.zip", split="test")
    assert read_ptb(test_file, split="test") == from_zip
    assert read_ptb(tmp_path, split="test") == from_zip  # a folder holding ptb/ptb.test.txt
    with pytest.raises(ValueError, match="ptb.test.txt is not the 'train' split"):
        read_ptb(test_file)
    with pytest.raises(ValueError, match="split must be one of"):
        read_ptb(text_dir, split="dev")
    assert load_corpus(test_file)[0][:2] == load_ptb(test_file, split="test")[0][:2]


@pytest.mark.data
def test_jay_chou(text_dir, tmp_path):
    text = read_jay_chou(text_dir / "jaychou_lyrics.txt.zip")
    # the book (d2l-zh v1) prints corpus_chars[:40] of its copy
    assert text[:40] == ("想要有直升机\n想要和你飞到宇宙去\n想要和你融化在一起\n"
                         "融化在宇宙里\n我每天每天每")
    corpus_indices, char_to_idx, idx_to_char, vocab_size = load_data_jay_lyrics(text_dir)
    assert len(corpus_indices) == 10000
    first = "".join(idx_to_char[i] for i in corpus_indices[:20])
    assert first == "想要有直升机 想要和你飞到宇宙去 想要和"  # the book's "chars:" line
    # d2l-zh v1 prints vocab_size 1027 for its copy; this copy (64,925 characters, no '\r')
    # has 1038 distinct characters in its first 10,000, counted by set() as d2l-zh does
    assert vocab_size == len(char_to_idx) == len(idx_to_char) == 1038
    assert idx_to_char[:3] == ["想", "要", "有"]  # numbered by first occurrence
    corpus, vocab = load_jay_chou(text_dir)
    assert len(corpus) == 10000 and len(vocab) == 1039  # and <unk>
    assert vocab.to_tokens(corpus[:6]) == list("想要有直升机")
    extracted = tmp_path / "jaychou_lyrics.txt"
    extracted.write_text(text, encoding="utf-8")
    assert read_jay_chou(extracted) == text
    assert len(load_jay_chou(extracted, max_tokens=-1)[0]) == len(text) == 64925


def test_missing_file_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="time_machine: no file at .*timemachine.txt"):
        read_time_machine(tmp_path)
    with pytest.raises(FileNotFoundError, match="neither a corpus name"):
        load_corpus(tmp_path / "nothing.txt")


def test_plain_text_file_is_a_char_corpus(tmp_path):
    file = tmp_path / "poem.txt"
    file.write_text("abba\nab\n", encoding="utf-8")
    corpus, vocab = load_corpus(file)
    assert vocab.to_tokens(corpus) == list("abba\nab\n")
    assert vocab.idx_to_token == ["<unk>", "a", "b", "\n"]


# ----------------------------------------------------------------------------- cache, download
@pytest.fixture
def fake_download(monkeypatch, tmp_path, shared_data):
    """A stand-in for shendu.data.download: the cache is tmp_path/cache, and "downloading"
    copies the file from ../shared/data/text (no network)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    calls = []

    def download(url, root=None, sha256=None, filename=None):
        calls.append({"url": url, "root": Path(root), "sha256": sha256, "filename": filename})
        source = {"timemachine.txt": "timemachine.txt", "ptb.zip": "ptb.zip"}[filename]
        return shutil.copy(shared_data / "text" / source, Path(root) / filename)

    module = types.ModuleType("shendu.data.download")
    module.data_home = lambda: cache
    module.download = download
    monkeypatch.setitem(sys.modules, "shendu.data.download", module)
    return cache, calls


@pytest.mark.data
def test_download_when_not_cached_then_use_the_cache(fake_download):
    cache, calls = fake_download
    assert len(read_time_machine()) == 3221
    assert calls == [{"url": "https://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
                      "root": cache, "sha256": corpora.REMOTE["time_machine"].sha256,
                      "filename": "timemachine.txt"}]
    assert load_time_machine(max_tokens=5)[0] == load_time_machine(cache, max_tokens=5)[0]
    assert len(read_ptb()) == 42069
    assert len(calls) == 2  # the time machine came from the cache the second time
    loader = SeqDataLoader("time_machine", 4, 5, max_tokens=100)
    assert len(loader.corpus) == 100 and len(calls) == 2


@pytest.mark.data
def test_damaged_cached_file_is_downloaded_again(fake_download):
    cache, calls = fake_download
    (cache / "timemachine.txt").write_text("not the time machine", encoding="utf-8")
    assert read_time_machine()[0] == "the time machine by h g wells"
    assert [call["filename"] for call in calls] == ["timemachine.txt"]


@pytest.mark.data
def test_published_sha1_is_checked(fake_download, monkeypatch):
    remote = corpora.REMOTE["time_machine"]
    monkeypatch.setitem(corpora.REMOTE, "time_machine",
                        corpora.Remote(remote.url, remote.filename, remote.sha256, sha1="0" * 40))
    with pytest.raises(ValueError, match="has SHA-1 090b5e7e70c295757f55df93cb0a180b9691891a, "
                                         "expected 0000"):
        read_time_machine()


@pytest.mark.data
def test_cache_of_the_real_download_module(monkeypatch, tmp_path, text_dir):
    pytest.importorskip("shendu.data.download")
    monkeypatch.setenv("SHENDU_DATA", str(tmp_path))
    shutil.copy(text_dir / "jaychou_lyrics.txt.zip", tmp_path)
    assert load_jay_chou()[0] == load_jay_chou(text_dir)[0]  # found in the cache, no network


@pytest.mark.data
def test_recorded_checksums_are_those_of_the_shared_files(text_dir):
    for remote in corpora.REMOTE.values():
        data = (text_dir / remote.filename).read_bytes()
        assert hashlib.sha256(data).hexdigest() == remote.sha256, remote.filename
        if remote.sha1 is not None:
            assert hashlib.sha1(data).hexdigest() == remote.sha1, remote.filename
