"""The curriculum's text corpora: The Time Machine, Tiny Shakespeare, Penn Treebank (PTB) and
the Jay Chou lyrics, read from a path or from the cache, downloaded there if missing.

Every ``read_*`` returns the text as the curriculum preprocesses it; every ``load_*`` returns
``(corpus, vocab)``: the corpus as one flat ``list[int]`` of token indices and its
:class:`~shendu.data.text.Vocab`.

Where the files come from when ``path`` is ``None``: the cache directory
``shendu.data.download.data_home()`` (``$SHENDU_DATA``, else ``~/.cache/shendu``), and if the
file is not there (or fails its checksums), a download from the URL in :data:`REMOTE`. The file
used must match the checksums recorded there; a file given by ``path`` is read as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shendu.data.text.vocab import Vocab, tokenize

PathLike = str | os.PathLike


@dataclass(frozen=True)
class Remote:
    """Where a corpus is downloaded from, the file name it is cached under, and its checksums
    (``sha1`` as the curriculum's data hub publishes it, where it does)."""

    url: str
    filename: str
    sha256: str
    sha1: str | None = None


_D2L_DATA = "https://d2l-data.s3-accelerate.amazonaws.com/"  # d2l's DATA_URL, over https

# SHA-1 values: d2l's DATA_HUB. SHA-256 values: computed from copies whose SHA-1 matched d2l's
# (time_machine, ptb) or, where nobody publishes a checksum (tiny_shakespeare, jay_chou), from the
# copies this project was developed with.
REMOTE: dict[str, Remote] = {
    "time_machine": Remote(
        _D2L_DATA + "timemachine.txt", "timemachine.txt",
        sha256="8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516",
        sha1="090b5e7e70c295757f55df93cb0a180b9691891a"),
    "ptb": Remote(
        _D2L_DATA + "ptb.zip", "ptb.zip",
        sha256="310d8f602882a5716613815ed75596e5764ea84ed04c5630eebaaf2b943ec5aa",
        sha1="319d85e578af0cdc590547f26231e4e31cdf1e42"),
    "tiny_shakespeare": Remote(
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/"
        "input.txt", "tinyshakespeare.txt",
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"),
    "jay_chou": Remote(
        "https://raw.githubusercontent.com/d2l-ai/d2l-zh/"
        "89403b9792861d86a0f1735cdd4a3d60c423f5a2/data/jaychou_lyrics.txt.zip",
        "jaychou_lyrics.txt.zip",
        sha256="182180582bd7811aa93f4eb954f9a8d7990177044c374b16bd9304132d2dc39c"),
}

PTB_SPLITS = ("train", "valid", "test")


# ------------------------------------------------------------------------ finding the files
def _locate(name: str, path: PathLike | None) -> Path:
    """The file of corpus ``name``: ``path`` (a file, or a folder holding the usual file name),
    else the cached copy, else a fresh download."""
    if path is None:
        return _fetch(name)
    file = Path(path)
    if file.is_dir():
        file = file / REMOTE[name].filename
    if not file.is_file():
        raise FileNotFoundError(f"{name}: no file at {file}; pass the path of "
                                f"{REMOTE[name].filename}, or path=None to use the cache")
    return file


def _fetch(name: str) -> Path:
    """The cached file of ``name``; downloaded first if it is missing or fails its checksums."""
    from shendu.data.download import data_home, download  # imported here: optional machinery

    remote = REMOTE[name]
    file = Path(data_home()) / remote.filename
    if not file.is_file() or _mismatches(file, remote):
        file = Path(download(remote.url, root=file.parent, sha256=remote.sha256,
                             filename=remote.filename))
    mismatch = _mismatches(file, remote)
    if mismatch:
        kind, got, want = mismatch
        raise ValueError(f"{name}: {file} has {kind} {got}, expected {want}; the file is "
                         "damaged or another edition: delete it to download it again, or pass "
                         "its path as path= to use it as it is")
    return file


def _mismatches(file: Path, remote: Remote) -> tuple[str, str, str] | None:
    """``(kind, got, expected)`` of the first checksum of ``file`` that is not the recorded
    one, or ``None`` when SHA-256 (and SHA-1, where recorded) match."""
    sha1, sha256 = hashlib.sha1(), hashlib.sha256()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha1.update(block)
            sha256.update(block)
    checks = [("SHA-256", sha256.hexdigest(), remote.sha256)]
    if remote.sha1 is not None:
        checks.append(("SHA-1", sha1.hexdigest(), remote.sha1))
    return next((check for check in checks if check[1] != check[2]), None)


def _read_text(file: Path) -> str:
    with open(file, encoding="utf-8") as f:
        return f.read()


def _read_zip_member(file: Path, suffix: str, name: str) -> str:
    """The text of the member of zip ``file`` whose name ends with ``suffix``."""
    with zipfile.ZipFile(file) as archive:
        members = [m for m in archive.namelist() if m.endswith(suffix)]
        if not members:
            raise ValueError(f"{name}: {file} holds no {suffix} (it has "
                             f"{', '.join(archive.namelist()) or 'nothing'})")
        return archive.read(members[0]).decode("utf-8")


# ------------------------------------------------------------------------ building a corpus
def _corpus(tokens: Sequence, vocab: Vocab | None, max_tokens: int) -> tuple[list[int], Vocab]:
    """Index a flat token list with ``vocab`` (built from the tokens when ``None``) and keep the
    first ``max_tokens`` indices when ``max_tokens > 0``."""
    if vocab is None:
        vocab = Vocab(tokens)
    lookup, unk = vocab.token_to_idx, vocab.unk
    corpus = [lookup.get(token, unk) for token in tokens]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


def _flat(lines: list[list]) -> list:
    return [token for line in lines for token in line]


# ------------------------------------------------------------------------ The Time Machine
def read_time_machine(path: PathLike | None = None) -> list[str]:
    """The lines of H. G. Wells' *The Time Machine*, as the curriculum cleans them: every run
    of characters other than ASCII letters becomes one space, then the line is stripped and
    lower-cased (3,221 lines for the d2l file).

    Args:
        path: ``timemachine.txt`` or a folder holding it; ``None``: the cache or a download.
    """
    with open(_locate("time_machine", path), encoding="utf-8") as f:
        lines = f.readlines()
    return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in lines]


def read_time_machine_text(path: PathLike | None = None) -> str:
    """*The Time Machine* as one string, as d2l 1.0 prepares it: every run of characters other
    than ASCII letters (line breaks included) becomes one space, then lower case.

    Args:
        path: ``timemachine.txt`` or a folder holding it; ``None``: the cache or a download.
    """
    with open(_locate("time_machine", path), encoding="utf-8") as f:
        return re.sub("[^A-Za-z]+", " ", f.read()).lower()


def load_time_machine(path: PathLike | None = None, token: str = "char",
                      max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """*The Time Machine* as one list of token indices and its vocabulary (d2l's
    ``load_corpus_time_machine``): the cleaned lines are tokenized, the vocabulary built from
    all of them, the lines concatenated (no separator between lines, as in the curriculum) and
    the first ``max_tokens`` indices kept when ``max_tokens > 0``.

    With ``token='char'`` the corpus has 170,580 indices and the vocabulary 28 tokens (26
    letters, space, ``<unk>``).
    """
    tokens = tokenize(read_time_machine(path), token)
    return _corpus(_flat(tokens), Vocab(tokens), max_tokens)


load_corpus_time_machine = load_time_machine  # the curriculum's name


# ------------------------------------------------------------------------ Tiny Shakespeare
def read_tiny_shakespeare(path: PathLike | None = None) -> str:
    """The whole Tiny Shakespeare text (1,115,394 characters), unchanged.

    Args:
        path: ``tinyshakespeare.txt`` (char-rnn's ``input.txt``) or a folder holding it.
    """
    return _read_text(_locate("tiny_shakespeare", path))


def load_tiny_shakespeare(path: PathLike | None = None, token: str = "char",
                          max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """Tiny Shakespeare as one list of token indices and its vocabulary.

    ``token='char'``: every character is a token, newlines and punctuation included, as in
    char-rnn (65 characters, so 66 entries with ``<unk>``). ``token='word'``: the
    whitespace-separated words.
    """
    text = read_tiny_shakespeare(path)
    if token not in ("char", "word"):
        raise ValueError(f"load_tiny_shakespeare: token must be 'char' or 'word', got {token!r}")
    tokens = list(text) if token == "char" else text.split()
    return _corpus(tokens, None, max_tokens)


# ------------------------------------------------------------------------ Penn Treebank
def read_ptb(path: PathLike | None = None, split: str = "train") -> list[list[str]]:
    """One split of the Penn Treebank (Mikolov's language-modelling version) as a list of
    sentences, each a list of words; as d2l's ``read_ptb``, the text is split at every
    ``'\\n'``, so the final newline gives a last, empty sentence (train: 42,069 entries).

    Args:
        path: ``ptb.zip``, a folder holding ``ptb.zip`` or ``ptb.<split>.txt``, or a
            ``ptb.<split>.txt`` file; ``None``: the cache or a download.
        split: ``'train'``, ``'valid'`` or ``'test'``.
    """
    if split not in PTB_SPLITS:
        raise ValueError(f"read_ptb: split must be one of {PTB_SPLITS}, got {split!r}")
    text = _ptb_text(path, split)
    return [line.split() for line in text.split("\n")]


def _ptb_text(path: PathLike | None, split: str) -> str:
    member = f"ptb.{split}.txt"
    file = _fetch("ptb") if path is None else Path(path)
    if file.is_dir():
        found = [f for f in (file / "ptb.zip", file / member, file / "ptb" / member)
                 if f.is_file()]
        if not found:
            raise FileNotFoundError(f"read_ptb: {file} holds neither ptb.zip nor {member}")
        file = found[0]
    if not file.is_file():
        raise FileNotFoundError(f"read_ptb: no file at {file}; pass ptb.zip or {member}")
    if zipfile.is_zipfile(file):
        return _read_zip_member(file, member, "read_ptb")
    if file.name.startswith("ptb.") and file.name != member:
        raise ValueError(f"read_ptb: {file.name} is not the {split!r} split; pass {member} or "
                         "ptb.zip")
    return _read_text(file)


def load_ptb(path: PathLike | None = None, split: str = "train", vocab: Vocab | None = None,
             min_freq: int = 0, eos: str | None = "<eos>",
             max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """One PTB split as a word-level language-modelling corpus: the sentences concatenated,
    ``eos`` appended to each (as PyTorch's word-language-model example and Zaremba et al. do;
    ``eos=None`` concatenates them bare).

    The file already writes rare words as ``<unk>``, which becomes index 0. The train split
    gives 929,589 indices and, with ``min_freq=0``, a vocabulary of exactly 10,000 words.
    Pass the training vocabulary as ``vocab`` to index ``'valid'`` and ``'test'`` with it.
    """
    sentences = read_ptb(path, split)
    if sentences and not sentences[-1]:
        sentences = sentences[:-1]  # the empty "sentence" after the final newline
    tokens = []
    for sentence in sentences:
        tokens.extend(sentence)
        if eos is not None:
            tokens.append(eos)
    if vocab is None:
        vocab = Vocab(tokens, min_freq=min_freq)
    return _corpus(tokens, vocab, max_tokens)


# ------------------------------------------------------------------------ Jay Chou lyrics
def read_jay_chou(path: PathLike | None = None) -> str:
    """The Jay Chou lyrics (Chinese characters) as one string, unchanged.

    Args:
        path: ``jaychou_lyrics.txt.zip``, the extracted ``jaychou_lyrics.txt``, or a folder
            holding the zip; ``None``: the cache or a download.
    """
    file = _locate("jay_chou", path)
    if zipfile.is_zipfile(file):
        return _read_zip_member(file, "jaychou_lyrics.txt", "read_jay_chou")
    return _read_text(file)


def _jay_chou_chars(path: PathLike | None, max_tokens: int) -> str:
    # d2l-zh v1: line breaks become spaces, then only the first 10,000 characters are used
    text = read_jay_chou(path).replace("\n", " ").replace("\r", " ")
    return text[:max_tokens] if max_tokens > 0 else text


def load_jay_chou(path: PathLike | None = None,
                  max_tokens: int = 10000) -> tuple[list[int], Vocab]:
    """The Jay Chou lyrics as a character corpus and a :class:`Vocab` (``<unk>`` at 0, then
    characters by frequency). As in d2l-zh, line breaks become spaces and the text is cut to
    ``max_tokens`` characters *before* the vocabulary is built (``-1``: the whole text)."""
    return _corpus(list(_jay_chou_chars(path, max_tokens)), None, -1)


def load_data_jay_lyrics(path: PathLike | None = None,
                         max_tokens: int = 10000) -> tuple[list[int], dict, list, int]:
    """d2l-zh v1's form: ``(corpus_indices, char_to_idx, idx_to_char, vocab_size)``, with no
    ``<unk>`` entry. d2l-zh numbers the characters in ``set`` order, which changes from run to
    run; here they are numbered in order of first occurrence, so runs agree."""
    chars = _jay_chou_chars(path, max_tokens)
    idx_to_char = list(dict.fromkeys(chars))
    char_to_idx = {char: i for i, char in enumerate(idx_to_char)}
    corpus_indices = [char_to_idx[char] for char in chars]
    return corpus_indices, char_to_idx, idx_to_char, len(idx_to_char)


# ------------------------------------------------------------------------ by name or path
LOADERS = {
    "time_machine": load_time_machine,
    "tiny_shakespeare": load_tiny_shakespeare,
    "ptb": load_ptb,
    "jay_chou": load_jay_chou,
}

_FILE_NAMES = {"timemachine.txt": "time_machine", "tinyshakespeare.txt": "tiny_shakespeare",
               "ptb.zip": "ptb", "jaychou_lyrics.txt.zip": "jay_chou",
               "jaychou_lyrics.txt": "jay_chou"}


def load_corpus(source: PathLike, max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """``(corpus, vocab)`` of a corpus named ``'time_machine'``, ``'tiny_shakespeare'``,
    ``'ptb'`` or ``'jay_chou'`` (from the cache or a download), or of a file: one of those
    corpora's usual file names (``timemachine.txt``, ``ptb.zip``, ...) is loaded as that corpus,
    any other text file as a character corpus of its whole text, line breaks included."""
    if isinstance(source, str) and source in LOADERS:
        return LOADERS[source](max_tokens=max_tokens)
    file = Path(source)
    if not file.is_file():
        raise FileNotFoundError(f"load_corpus: {source!r} is neither a corpus name "
                                f"({', '.join(LOADERS)}) nor an existing file")
    split = re.fullmatch(r"ptb\.(train|valid|test)\.txt", file.name)
    if split:
        return load_ptb(path=file, split=split.group(1), max_tokens=max_tokens)
    name = _FILE_NAMES.get(file.name)
    if name is not None:
        return LOADERS[name](path=file, max_tokens=max_tokens)
    return _corpus(list(_read_text(file)), None, max_tokens)
