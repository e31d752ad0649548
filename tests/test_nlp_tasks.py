"""The curriculum's small NLP tasks: (a) "does this string contain 'a'"
(examples/contains_a.py) and (c) TextCNN sentiment (examples/textcnn_imdb.py)."""

from __future__ import annotations

import runpy
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import shendu
from shendu import optim
from shendu.autograd import gradcheck
from shendu.data import DataLoader, TensorDataset
from shendu.nn import functional as F

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def task_a() -> SimpleNamespace:
    return SimpleNamespace(**runpy.run_path(str(EXAMPLES / "contains_a.py")))


@pytest.fixture(scope="module")
def task_c() -> SimpleNamespace:
    return SimpleNamespace(**runpy.run_path(str(EXAMPLES / "textcnn_imdb.py")))


# =========================================================================== (a) contains 'a'
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contains_a_reaches_99_percent_on_held_out_strings(task_a, seed):
    result = task_a.train_and_evaluate(seed=seed)
    print(f"seed {seed}: train {result.train_accuracy:.4f}, held-out {result.test_accuracy:.4f}, "
          f"single 'a' in 15-20 characters {result.hard_accuracy:.4f} of {result.num_hard}")
    assert result.test_accuracy >= 0.99
    assert result.train_accuracy >= 0.99
    assert result.num_hard >= 30 and result.hard_accuracy >= 0.95
    assert result.losses[-1] < 0.1 * result.losses[0]


def test_main_returns_the_held_out_accuracy(task_a, capsys):
    accuracy = task_a.main()
    assert accuracy == task_a.train_and_evaluate(seed=0).test_accuracy
    assert f"held-out accuracy {accuracy:.4f}" in capsys.readouterr().out


def test_generated_strings_are_balanced_distinct_and_held_out(task_a):
    train, y_train = task_a.generate_strings(400, seed=0)
    test, y_test = task_a.generate_strings(200, seed=1, exclude=set(train))
    for strings, labels in [(train, y_train), (test, y_test)]:
        assert labels.sum() == len(strings) / 2
        assert len(set(strings)) == len(strings)
        assert all(("a" in s) == bool(label) for s, label in zip(strings, labels))
        assert all(task_a.MIN_LEN <= len(s) <= task_a.MAX_LEN for s in strings)
        assert set("".join(strings)) <= set(task_a.ALPHABET)
    assert not set(train) & set(test)
    # a positive with a single 'a' is common (the hard case is in the data)
    assert sum(s.count("a") == 1 for s in train) > 50


def test_encode_pads_and_counts_valid_lengths(task_a):
    vocab = task_a.Vocab(list(task_a.ALPHABET), reserved_tokens=[task_a.PAD])
    X, valid_lens = task_a.encode(["abc", "jihgfedcba"], vocab, num_steps=6)
    pad = vocab[task_a.PAD]
    assert X.shape == (2, 6) and X.dtype == np.int64
    assert valid_lens.tolist() == [3, 6]
    assert X.tolist()[0] == [vocab["a"], vocab["b"], vocab["c"], pad, pad, pad]


def test_masked_mean_is_the_mean_over_valid_positions(task_a):
    embedded = np.random.default_rng(0).normal(size=(3, 5, 4))
    valid_lens = np.array([5, 2, 1])
    out = task_a.masked_mean(shendu.tensor(embedded), shendu.tensor(valid_lens))
    expected = [embedded[i, :n].mean(axis=0) for i, n in enumerate(valid_lens)]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="at least one valid position"):
        task_a.masked_mean(shendu.tensor(embedded), shendu.tensor([5, 0, 1]))


def test_padding_does_not_change_predictions(task_a):
    """Whatever stands after a string's valid length is ignored: writing other letters into the
    padding leaves the probabilities exactly as they were (while changing a real character
    does change them, so the check can fail)."""
    result = task_a.train_and_evaluate(seed=0, num_train=400, num_test=10, num_epochs=2)
    model, vocab = result.model, result.vocab
    strings = ["bcdef", "abcdefg", "jjjjjjjjjjja"]
    X, valid_lens = task_a.encode(strings, vocab)
    scrambled = X.numpy().copy()
    rng = np.random.default_rng(1)
    for i, n in enumerate(valid_lens.tolist()):
        scrambled[i, n:] = rng.integers(0, len(vocab), size=scrambled.shape[1] - n)
    assert (scrambled != X.numpy()).any()
    model.eval()
    with shendu.no_grad():
        before = model(X, valid_lens).numpy()
        after = model(shendu.tensor(scrambled), valid_lens).numpy()
        changed = X.numpy().copy()
        changed[:, 0] = vocab["a"]  # a real position: the first string now contains 'a'
        moved = model(shendu.tensor(changed), valid_lens).numpy()
    np.testing.assert_array_equal(after, before)
    assert abs(moved[0] - before[0]) > 1e-3
    assert before.shape == (3,) and ((before > 0) & (before < 1)).all()


def test_contains_a_model_gradcheck(task_a):
    """The masked mean and the sigmoid head pass a float64 gradient check."""
    shendu.manual_seed(0)
    model = task_a.MeanEmbeddingClassifier(6, 3)
    model.double()
    X = shendu.tensor([[1, 2, 3, 0], [4, 5, 0, 0]])
    valid_lens = shendu.tensor([3, 2])
    assert gradcheck(lambda *params: model(X, valid_lens), tuple(model.parameters()))


# =========================================================================== (c) TextCNN
def small_textcnn(task_c, vocab_size=7, embed_size=3, kernel_sizes=(2, 3), num_channels=(4, 5),
                  **kwargs):
    shendu.manual_seed(0)
    return task_c.TextCNN(vocab_size, embed_size, kernel_sizes, num_channels, **kwargs)


def test_textcnn_shapes(task_c):
    model = small_textcnn(task_c, dropout=0.5)
    X = shendu.tensor(np.random.default_rng(0).integers(0, 7, size=(4, 9)))
    maps = model.feature_maps(X)
    assert [m.shape for m in maps] == [(4, 4, 8), (4, 5, 7)]  # (N, C_i, T - k_i + 1)
    assert model.features(X).shape == (4, 9)                  # (N, sum C_i)
    assert model(X).shape == (4, 2)
    model.eval()
    assert model(X[:1]).shape == (1, 2)
    default = task_c.TextCNN(50)
    assert [conv.kernel_size for conv in default.convs] == [(3,), (4,), (5,)]
    assert [conv.out_channels for conv in default.convs] == [100, 100, 100]
    assert default.decoder.in_features == 300 and default.dropout.p == 0.5


def test_textcnn_pools_the_maximum_over_time(task_c):
    model = small_textcnn(task_c)
    X = shendu.tensor(np.random.default_rng(1).integers(0, 7, size=(3, 10)))
    with shendu.no_grad():
        maps = [m.numpy() for m in model.feature_maps(X)]
        features = model.features(X).numpy()
    np.testing.assert_array_equal(features, np.concatenate([m.max(axis=2) for m in maps], axis=1))
    # and the maps are relu(conv) of the embedded words, computed here by hand
    emb = model.embedding.weight.detach().numpy()[X.numpy()]  # (N, T, E)
    conv = model.convs[0]
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()  # (C, E, k), (C,)
    windows = np.stack([emb[:, t:t + 2] for t in range(9)], axis=1)  # (N, T-1, k, E)
    by_hand = np.maximum(np.einsum("ntke,cek->nct", windows, w) + b[:, None], 0)
    np.testing.assert_allclose(maps[0], by_hand, rtol=1e-5, atol=1e-6)


def test_textcnn_features_do_not_depend_on_where_or_how_often_a_phrase_stands(task_c):
    """Max over time sees the set of windows, not their positions or counts: a phrase in a
    background of one repeated word gives the same pooled features early, late or twice (an
    average over time would change with the count)."""
    model = small_textcnn(task_c)
    early, late, twice = [6] * 12, [6] * 12, [6] * 12
    early[2:5] = late[7:10] = twice[2:5] = twice[7:10] = [1, 2, 3]
    with shendu.no_grad():
        features = model.features(shendu.tensor([early, late, twice])).numpy()
        means = [m.numpy().mean(axis=2) for m in model.feature_maps(shendu.tensor([early, twice]))]
    np.testing.assert_allclose(features[1], features[0], rtol=1e-6)
    np.testing.assert_allclose(features[2], features[0], rtol=1e-6)
    assert not np.allclose(means[0][0], means[0][1])  # the check would catch average pooling


def test_textcnn_gradcheck_float64(task_c):
    model = small_textcnn(task_c, vocab_size=6, embed_size=3, kernel_sizes=(2, 3),
                          num_channels=(2, 2), padding_idx=0, dtype=shendu.float64)
    model.eval()  # no dropout: a deterministic function of the parameters
    X = shendu.tensor([[1, 2, 3, 4, 5, 1], [5, 4, 4, 3, 2, 2]])  # no padding: row 0 unused
    params = tuple(model.parameters())
    assert all(p.dtype == np.float64 for p in params)
    assert gradcheck(lambda *p: model(X), params)


def test_textcnn_argument_errors(task_c):
    with pytest.raises(ValueError, match=r"TextCNN: kernel_sizes \(3, 4\) and num_channels"):
        task_c.TextCNN(10, 4, kernel_sizes=(3, 4), num_channels=(8,))


def phrase_data(n: int, seed: int, steps: int = 24, vocab_size: int = 10):
    """Random word sequences; label 1 when the bigram (3, 7) occurs anywhere, 0 when it
    nowhere does; half of each."""
    rng = np.random.default_rng(seed)
    X = rng.integers(1, vocab_size, size=(n, steps))
    y = np.arange(n) % 2
    for row, label in zip(X, y):
        for t in np.flatnonzero((row[:-1] == 3) & (row[1:] == 7)):
            row[t + 1] = 8
        if label:
            t = rng.integers(steps - 1)
            row[t], row[t + 1] = 3, 7
    return shendu.tensor(X), shendu.tensor(y)


def test_textcnn_learns_a_phrase_anywhere_in_the_sequence(task_c):
    """What a TextCNN is for, on data big enough to measure: the label is whether one bigram
    occurs anywhere; held-out sequences from another seed."""
    model = small_textcnn(task_c, vocab_size=10, embed_size=8, num_channels=(8, 8), dropout=0.0)
    X_train, y_train = phrase_data(1000, seed=0)
    X_test, y_test = phrase_data(500, seed=1)
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=50, shuffle=True)
    for _ in range(4):
        model.train()
        for X, y in loader:
            loss = F.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    accuracy = task_c.accuracy(model, X_test, y_test)
    print(f"TextCNN, bigram anywhere in 24 words: held-out accuracy {accuracy:.4f}")
    assert accuracy >= 0.98


# --------------------------------------------------------------------------- tiny IMDb
def test_read_imdb_layout(task_c, tmp_path):
    path = tmp_path / "reviews.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("root/train/pos/1.txt", "Great film.")
        archive.writestr("root/train/neg/0.txt", "Awful.<br />Boring!")
        archive.writestr("root/train/.DS_Store", "junk")
        archive.writestr("root/test/pos/0.txt", "Loved it")
    data = task_c.read_imdb(path)
    assert data["train"] == (["Awful.<br />Boring!", "Great film."], [0, 1])
    assert data["test"] == (["Loved it"], [1])
    assert task_c.words("Awful.<br />Boring!").split() == ["awful", ".", "boring", "!"]
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as archive:
        archive.writestr("train/pos/1.txt", "no root folder, no test split")
    with pytest.raises(ValueError, match="holds no test/pos"):
        task_c.read_imdb(tmp_path / "bad.zip")


def test_missing_data_prints_and_returns_none(task_c, tmp_path, capsys):
    assert task_c.main(["--data", str(tmp_path / "missing.zip")]) is None
    assert "no data at" in capsys.readouterr().out


@pytest.mark.data
def test_textcnn_trains_on_tiny_imdb(task_c, shared_data):
    path = shared_data / "text" / "aclImdb_tiny.zip"
    data = task_c.read_imdb(path)
    assert [len(data[s][0]) for s in ("train", "test")] == [20, 20]
    assert sum(data["train"][1]) == sum(data["test"][1]) == 10
    result = task_c.train_and_evaluate(path, seed=0)
    print(f"tiny IMDb: losses {[round(v, 3) for v in result.losses]}, train accuracy "
          f"{result.train_accuracy:.3f}, test accuracy {result.test_accuracy:.3f} "
          f"({result.test_positive} of {result.num_test} called positive)")
    assert result.train_accuracy == 1.0
    assert result.losses[-1] < 0.25 * result.losses[0]
    assert min(result.losses[-3:]) < 0.15
    # 20 test reviews are too few for a claim about generalisation; only a valid number
    assert 0.0 <= result.test_accuracy <= 1.0 and result.num_test == 20
