"""The data core: datasets (Subset, ConcatDataset, random_split), samplers, collation and the
DataLoader, its fast path through ``__getitems__``, its errors, and PyTorch's behaviour."""

from __future__ import annotations

import doctest
import math
import warnings
from collections import namedtuple

import numpy as np
import pytest

import shendu
from shendu.data import collate, dataloader, dataset, sampler
from shendu.data.collate import default_collate, default_convert
from shendu.data.dataloader import DataLoader
from shendu.data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from shendu.data.sampler import (
    BatchSampler,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from shendu.tensor import Tensor


def make_data(n: int = 10, features: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose first feature is their label, so a batch shows which rows it holds."""
    X = np.tile(np.arange(n, dtype=np.float32)[:, None], (1, features))
    X[:, 1:] += np.float32(0.5)
    return X, np.arange(n, dtype=np.int64)


def labels(loader) -> list[int]:
    return [int(v) for _, y in loader for v in y.tolist()]


class Squares(Dataset):
    """A plain dataset (no ``__getitems__``): sample i is (i*i as float, i)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return float(i * i), i

    def __len__(self) -> int:
        return self.n


class BatchOnly(Dataset):
    """Reads only in batches: ``__getitem__`` fails, so only the fast path can read it."""

    def __init__(self, n: int) -> None:
        self.X, self.y = make_data(n)
        self.calls = 0

    def __getitem__(self, i):
        raise AssertionError("__getitem__ called: the fast path was not taken")

    def __getitems__(self, indices):
        self.calls += 1
        return {"x": self.X[indices], "y": self.y[indices]}

    def __len__(self) -> int:
        return len(self.y)


# ------------------------------------------------------------------ batching
def test_batches_shapes_dtypes_and_values():
    X, y = make_data(10)
    batches = list(DataLoader(TensorDataset(X, y), batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert [tuple(b[1].shape) for b in batches] == [(4,), (4,), (2,)]
    for xb, yb in batches:
        assert isinstance(xb, Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
        assert not xb.requires_grad
    assert type(batches[0]) is list  # a tuple sample gives a list batch, as in PyTorch
    np.testing.assert_array_equal(batches[1][0].numpy(), X[4:8])
    np.testing.assert_array_equal(batches[2][1].numpy(), [8, 9])


def test_order_without_shuffle():
    X, y = make_data(23)
    assert labels(DataLoader(TensorDataset(X, y), batch_size=5)) == list(range(23))


def per_sample(samples):
    """A collate_fn of one's own: it turns the fast path off (samples are read one by one)."""
    return default_collate(samples)


@pytest.mark.parametrize("options", [
    {}, {"shuffle": True}, {"shuffle": True, "drop_last": True},
    {"sampler": RandomSampler(range(23), replacement=True, num_samples=40)},
    {"sampler": SubsetRandomSampler(np.arange(3, 20))},
    {"sampler": WeightedRandomSampler(np.arange(23.0), 30)}], ids=str)
def test_fast_and_per_sample_paths_give_the_same_batches(options):
    X, y = make_data(23)
    shendu.manual_seed(4)
    fast = [list(DataLoader(TensorDataset(X, y), batch_size=5, **options)) for _ in range(2)]
    shendu.manual_seed(4)
    slow = [list(DataLoader(TensorDataset(X, y), batch_size=5, collate_fn=per_sample,
                            **options)) for _ in range(2)]
    assert labels(fast[0]) != labels(fast[1]) or not options  # epochs differ when random
    for fast_epoch, slow_epoch in zip(fast, slow, strict=True):
        assert len(fast_epoch) == len(slow_epoch)
        for (xf, yf), (xs, ys) in zip(fast_epoch, slow_epoch, strict=True):
            np.testing.assert_array_equal(xf.numpy(), xs.numpy())
            np.testing.assert_array_equal(yf.numpy(), ys.numpy())
            assert xf.dtype == xs.dtype and yf.dtype == ys.dtype


def test_a_sampler_subclass_with_its_own_iter_is_followed():
    class Reversed(SequentialSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    data = TensorDataset(*make_data(7))
    assert labels(DataLoader(data, batch_size=3, sampler=Reversed(data))) == [6, 5, 4, 3, 2, 1, 0]
    batches = BatchSampler(Reversed(data), 3, True)._batches()
    assert [list(b) for b in batches] == [[6, 5, 4], [3, 2, 1]]


def test_plain_dataset_collates_python_numbers():
    xb, yb = next(iter(DataLoader(Squares(6), batch_size=4)))
    assert xb.dtype == np.float64 and yb.dtype == np.int64  # torch: float -> double
    assert xb.tolist() == [0.0, 1.0, 4.0, 9.0] and yb.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("n, batch_size, drop_last", [
    (10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True), (2, 5, False), (2, 5, True),
    (1, 1, False), (7, 7, True)])
def test_len_and_drop_last(n, batch_size, drop_last):
    X, y = make_data(n)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last)
    expected = n // batch_size if drop_last else math.ceil(n / batch_size)
    batches = list(loader)
    assert len(loader) == len(batches) == expected
    sizes = [len(yb.tolist()) for _, yb in batches]
    assert all(s == batch_size for s in sizes[:-1])
    if drop_last:
        assert sum(sizes) == expected * batch_size
    else:
        assert sum(sizes) == n


def test_batch_size_none_yields_single_samples_as_tensors():
    X, y = make_data(4)
    loader = DataLoader(TensorDataset(X, y), batch_size=None)
    samples = list(loader)
    assert len(loader) == len(samples) == 4
    x2, y2 = samples[2]
    assert x2.shape == (3,) and y2.shape == () and int(y2.item()) == 2
    assert next(iter(DataLoader(Squares(3), batch_size=None))) == [0.0, 0]  # numbers stay


def test_num_workers_is_accepted_and_runs_in_the_main_process():
    X, y = make_data(10)
    shendu.manual_seed(3)
    with_workers = labels(DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True,
                                     num_workers=4, pin_memory=True, persistent_workers=True,
                                     prefetch_factor=2, worker_init_fn=lambda i: None))
    shendu.manual_seed(3)
    without = labels(DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True))
    assert with_workers == without


# ------------------------------------------------------------------ shuffling
def test_shuffle_is_reproducible_with_manual_seed_and_new_each_epoch():
    X, y = make_data(50)
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True)  # made before seeding
    shendu.manual_seed(0)
    first, second = labels(loader), labels(loader)
    shendu.manual_seed(0)
    assert labels(loader) == first and labels(loader) == second
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second and first != list(range(50))
    for xb, yb in loader:  # the rows travel with their labels
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy().astype(np.float32))


def test_shuffle_with_a_numpy_generator():
    X, y = make_data(30)

    def epochs(seed):
        loader = DataLoader(TensorDataset(X, y), batch_size=7, shuffle=True,
                            generator=np.random.default_rng(seed))
        return labels(loader), labels(loader)

    shendu.manual_seed(1)
    a = epochs(42)
    shendu.manual_seed(2)  # the global seed does not matter when a generator is given
    assert epochs(42) == a
    reference = np.random.default_rng(42)
    assert a[0] == reference.permutation(30).tolist()  # one permutation per epoch
    assert a[1] == reference.permutation(30).tolist()
    assert epochs(43) != a


# ------------------------------------------------------------------ samplers
def test_sequential_and_batch_sampler():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert list(BatchSampler(SequentialSampler(range(10)), 3, False)) == [
        [0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(range(10), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert len(BatchSampler(range(10), 3, False)) == 4
    assert len(BatchSampler(range(10), 3, True)) == 3


def test_random_sampler_without_replacement():
    rng = np.random.default_rng(0)
    draws = list(RandomSampler(range(7), generator=rng))
    assert sorted(draws) == list(range(7))
    long = list(RandomSampler(range(7), num_samples=17, generator=rng))
    counts = np.bincount(long, minlength=7)
    assert len(long) == 17 and counts.min() == 2 and counts.max() == 3  # 2 full passes + 3
    assert sorted(long[:7]) == sorted(long[7:14]) == list(range(7))
    reference = np.random.default_rng(0)
    assert draws == reference.permutation(7).tolist()
    expected = np.concatenate([reference.permutation(7), reference.permutation(7),
                               reference.permutation(7)[:3]])
    assert long == expected.tolist()


def test_random_sampler_with_replacement_is_uniform():
    s = RandomSampler(range(10), replacement=True, num_samples=20000,
                      generator=np.random.default_rng(7))
    draws = np.array(list(s))
    assert len(s) == len(draws) == 20000
    np.testing.assert_array_equal(draws, np.random.default_rng(7).integers(0, 10, 20000))
    counts = np.bincount(draws, minlength=10)
    # each count is Binomial(20000, 0.1): sd = 42; 5 sd is 212
    assert np.all(np.abs(counts - 2000) < 212), counts
    assert len(np.unique(draws[:10])) < 10  # draws repeat (P(10 distinct) = 10!/10**10)


def test_weighted_random_sampler_distribution():
    weights = [1.0, 2.0, 3.0, 4.0, 0.0]
    s = WeightedRandomSampler(weights, 40000, generator=np.random.default_rng(11))
    freq = np.bincount(list(s), minlength=5) / 40000
    # sd of a frequency is at most sqrt(0.25 / 40000) = 0.0025; 0.012 is about 5 sd
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.3, 0.4, 0.0], atol=0.012)
    assert freq[4] == 0.0  # weight 0: never drawn
    assert s.weights.dtype == np.float64 and s.weights.tolist() == weights


def test_weighted_random_sampler_without_replacement_draws_distinct_indices():
    s = WeightedRandomSampler([5, 1, 1, 1, 0], 4, replacement=False,
                              generator=np.random.default_rng(0))
    firsts = []
    for _ in range(400):
        draw = list(s)
        assert sorted(draw) == [0, 1, 2, 3]
        firsts.append(draw[0])
    assert 0.55 < np.mean(np.array(firsts) == 0) < 0.70  # P(first is 0) = 5/8
    with pytest.raises(ValueError, match="without replacement from 4 non-zero weights"):
        WeightedRandomSampler([5, 1, 1, 1, 0], 5, replacement=False)


def test_subset_random_sampler():
    indices = [10, 20, 30, 40, 50, 60]
    shendu.manual_seed(5)
    s = SubsetRandomSampler(indices)
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == indices and first != second
    shendu.manual_seed(5)
    assert list(s) == first and len(s) == 6


# ------------------------------------------------------------------ Subset / Concat / split
def test_subset_values_negative_indices_and_getitems_forwarding():
    X, y = make_data(10)
    sub = Subset(TensorDataset(X, y), [7, 2, -1])
    assert len(sub) == 3 and int(sub[2][1].item()) == 9 and int(sub[-3][1].item()) == 7
    xb, yb = sub.__getitems__([2, 0])
    assert isinstance(yb, np.ndarray) and yb.tolist() == [9, 7]
    np.testing.assert_array_equal(xb, X[[9, 7]])
    assert sub.indices == [7, 2, -1]
    nested = Subset(sub, np.array([1, 0]))
    assert nested.__getitems__([0, 1])[1].tolist() == [2, 7]
    assert labels(DataLoader(nested, batch_size=2)) == [2, 7]
    # negative indices are resolved here, for datasets that do not take them
    assert Subset(Squares(5), [-1, 0])[0] == (16.0, 4)


def test_wrappers_forward_getitems_only_when_underlying_has_it():
    assert not hasattr(Subset(Squares(5), [1]), "__getitems__")
    assert not hasattr(ConcatDataset([Squares(2), TensorDataset(*make_data(2))]), "__getitems__")

    class Doubled(Subset):  # its own __getitem__: the loader must read through it
        def __getitem__(self, i):
            x, label = super().__getitem__(i)
            return x * 2, label

    doubled = Doubled(TensorDataset(*make_data(4)), [3, 1])
    assert not hasattr(doubled, "__getitems__")
    xb, _ = next(iter(DataLoader(doubled, batch_size=2)))
    assert xb.numpy()[:, 0].tolist() == [6.0, 2.0]
    sub = Subset(BatchOnly(6), [5, 4, 3])  # forwarded: __getitem__ is never called
    batches = list(DataLoader(sub, batch_size=2))
    assert [b["y"].tolist() for b in batches] == [[5, 4], [3]]


def test_subset_setting_indices_checks_them_again():
    sub = Subset(TensorDataset(*make_data(4)), [0, 1])
    sub.indices = [3]
    assert len(sub) == 1 and int(sub[0][1].item()) == 3
    with pytest.raises(ValueError, match="index 4 .* out of range for a dataset of 4 samples"):
        sub.indices = [1, 4]


def test_concat_dataset_indexing_and_add():
    a, b, c = (TensorDataset(*make_data(n)) for n in (3, 0, 4))
    cat = ConcatDataset([a, b, c])
    assert len(cat) == 7 and cat.cumulative_sizes == [3, 3, 7]
    assert [int(cat[i][1].item()) for i in range(7)] == [0, 1, 2, 0, 1, 2, 3]
    assert int(cat[-1][1].item()) == 3 and int(cat[-7][1].item()) == 0
    with pytest.raises(IndexError, match="index 7 is out of range for 7 samples"):
        cat[7]
    plus = Squares(2) + Squares(3)
    assert isinstance(plus, ConcatDataset) and [plus[i][1] for i in range(5)] == [0, 1, 0, 1, 2]


def test_concat_dataset_getitems_groups_by_part_and_keeps_order():
    first = TensorDataset(*make_data(3))
    second = TensorDataset(make_data(4)[0] + 100, make_data(4)[1] + 100)
    cat = first + TensorDataset(np.zeros((0, 3), np.float32), np.zeros(0, np.int64)) + second
    xb, yb = cat.__getitems__([4, 0, 6, 2, 3, -7])
    assert yb.tolist() == [101, 0, 103, 2, 100, 0]
    np.testing.assert_array_equal(xb[:, 0], [101, 0, 103, 2, 100, 0])
    assert cat.__getitems__([5, 4])[1].tolist() == [102, 101]  # one part only
    dicts = ConcatDataset([BatchOnly(3), BatchOnly(2)])
    batch = dicts.__getitems__(np.array([3, 1, 4]))
    assert batch["y"].tolist() == [0, 1, 1] and batch["x"].shape == (3, 3)

    shendu.manual_seed(0)
    seen = []
    for xb, yb in DataLoader(cat, batch_size=3, shuffle=True):
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())
        seen += yb.tolist()
    assert sorted(seen) == [0, 1, 2, 100, 101, 102, 103]


def test_concat_dataset_merges_lists_of_samples():
    class ListBatches(Squares):
        def __getitems__(self, indices):
            return [self[int(i)] for i in indices]

    cat = ConcatDataset([ListBatches(2), ListBatches(3)])
    assert cat.__getitems__([3, 0, 2]) == [(1.0, 1), (0.0, 0), (0.0, 0)]
    xb, yb = next(iter(DataLoader(cat, batch_size=5)))  # lists are collated by default_collate
    assert xb.dtype == np.float64 and yb.tolist() == [0, 1, 0, 1, 2]


def test_random_split_int_lengths():
    X, y = make_data(10)
    data = TensorDataset(X, y)
    parts = random_split(data, [6, 4], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [6, 4]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    assert parts[0].indices + parts[1].indices == np.random.default_rng(0).permutation(10).tolist()
    assert hasattr(parts[0], "__getitems__")
    assert labels(DataLoader(parts[1], batch_size=4)) == parts[1].indices
    shendu.manual_seed(9)
    a = [p.indices for p in random_split(data, [3, 7])]
    shendu.manual_seed(9)
    assert [p.indices for p in random_split(data, [3, 7])] == a


@pytest.mark.parametrize("n, fractions, expected", [
    (10, [0.5, 0.3, 0.2], [5, 3, 2]), (11, [0.5, 0.3, 0.2], [6, 3, 2]),
    (7, [1 / 3, 1 / 3, 1 / 3], [3, 2, 2]), (5, [0.1, 0.9], [1, 4])])
def test_random_split_fractions(n, fractions, expected):
    parts = random_split(range(n), fractions, generator=np.random.default_rng(1))
    assert [len(p) for p in parts] == expected
    assert sorted(i for p in parts for i in p.indices) == list(range(n))


def test_random_split_warns_about_an_empty_split():
    with pytest.warns(UserWarning, match="split at index 1 is 0"):
        parts = random_split(range(3), [0.9, 0.1])
    assert [len(p) for p in parts] == [3, 0]


# ------------------------------------------------------------------ collation
def test_default_collate_numbers_strings_dicts_tuples():
    out = default_collate([{"x": np.zeros(2, np.float32), "n": 1, "f": 0.5, "ok": True,
                            "s": "a", "pair": (np.int32(1), [2.0, 3])},
                           {"x": np.ones(2, np.float32), "n": 2, "f": 1.5, "ok": False,
                            "s": "b", "pair": (np.int32(4), [5.0, 6])}])
    assert list(out) == ["x", "n", "f", "ok", "s", "pair"]
    assert out["x"].dtype == np.float32 and out["x"].shape == (2, 2)
    assert out["n"].dtype == np.int64 and out["n"].tolist() == [1, 2]
    assert out["f"].dtype == np.float64 and out["f"].tolist() == [0.5, 1.5]
    assert out["ok"].dtype == np.bool_ and out["ok"].tolist() == [True, False]
    assert out["s"] == ["a", "b"]
    first, inner = out["pair"]
    assert first.dtype == np.int32 and first.tolist() == [1, 4]
    assert inner[0].dtype == np.float64 and inner[1].dtype == np.int64
    assert inner[0].tolist() == [2.0, 5.0] and inner[1].tolist() == [3, 6]


def test_default_collate_namedtuple_and_tensors():
    Point = namedtuple("Point", ["x", "y"])
    out = default_collate([Point(shendu.tensor([1.0, 2.0]), 0),
                           Point(shendu.tensor([3.0, 4.0]), 1)])
    assert isinstance(out, Point) and out.x.shape == (2, 2) and out.y.tolist() == [0, 1]
    w = shendu.tensor([1.0, 2.0], requires_grad=True)
    stacked = default_collate([w, w * 3])
    stacked.sum().backward()  # collating tensors that need grad keeps the graph
    assert w.grad.tolist() == [4.0, 4.0]


def test_default_convert():
    Pair = namedtuple("Pair", ["a", "b"])
    out = default_convert((np.arange(3), {"k": np.float64(2.0)}, Pair(np.zeros(1), "s"), 5))
    assert type(out) is list and out[0].tolist() == [0, 1, 2] and out[3] == 5
    assert isinstance(out[1]["k"], Tensor) and out[1]["k"].shape == ()
    assert isinstance(out[2], Pair) and isinstance(out[2].a, Tensor) and out[2].b == "s"
    array = np.zeros(2)
    assert np.shares_memory(default_convert(array).data, array)


# ------------------------------------------------------------------ the fast path
def test_fast_path_calls_getitems_once_per_batch():
    data = BatchOnly(10)
    batches = list(DataLoader(data, batch_size=4, shuffle=True))
    assert data.calls == 3 and len(batches) == 3
    assert sorted(v for b in batches for v in b["y"].tolist()) == list(range(10))
    assert isinstance(batches[0]["x"], Tensor) and batches[0]["x"].dtype == np.float32


def test_a_collate_fn_of_ones_own_receives_samples():
    X, y = make_data(5)
    seen = []

    def collate_fn(samples):
        seen.append(samples)
        return len(samples)

    assert list(DataLoader(TensorDataset(X, y), batch_size=2, collate_fn=collate_fn)) == [2, 2, 1]
    assert type(seen[0]) is list and isinstance(seen[0][0], tuple)
    assert int(seen[2][0][1].item()) == 4
    with pytest.raises(AssertionError, match="fast path was not taken"):
        next(iter(DataLoader(BatchOnly(4), batch_size=2, collate_fn=collate_fn)))


# ------------------------------------------------------------------ PyTorch
@pytest.mark.torch
def test_len_and_batches_match_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader as TorchLoader

    for n in (1, 2, 7, 8, 9, 64, 65):
        X, y = make_data(n)
        for batch_size in (1, 3, 8, 100):
            for drop_last in (False, True):
                ours = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                                  drop_last=drop_last)
                theirs = TorchLoader(torch.utils.data.TensorDataset(torch.from_numpy(X),
                                                                    torch.from_numpy(y)),
                                     batch_size=batch_size, drop_last=drop_last)
                assert len(ours) == len(theirs), (n, batch_size, drop_last)
                got = [yb.tolist() for _, yb in ours]
                assert got == [yb.tolist() for _, yb in theirs]
    for n in (5, 12):
        for bs in (None, 4):
            assert len(DataLoader(Squares(n), batch_size=bs)) == len(TorchLoader(Squares(n),
                                                                                 batch_size=bs))


@pytest.mark.torch
def test_random_split_fraction_lengths_match_torch():
    torch = pytest.importorskip("torch")
    for n in (1, 5, 10, 11, 99, 1000):
        for fractions in ([0.5, 0.5], [0.7, 0.2, 0.1], [1 / 3] * 3, [0.1] * 10, [1.0, 0.0]):
            with warnings.catch_warnings():  # both warn about empty splits
                warnings.simplefilter("ignore")
                ours = [len(p) for p in random_split(range(n), fractions)]
                theirs = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
            assert ours == theirs, (n, fractions)


def test_random_split_fractions_whose_float_sum_exceeds_one():
    # torch rejects these (its check asks sum <= 1 and twenty 0.05s sum to 1.0000000000000002)
    parts = random_split(range(30), [0.05] * 20)
    assert [len(p) for p in parts] == [2] * 10 + [1] * 10


@pytest.mark.torch
def test_default_collate_matches_torch():
    pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    batches = [[1, 2], [0.5, 2.5], [True, False], [np.float32(1), np.float32(2)],
               [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)],
               [(1, 2.0), (3, 4.0)], [[1, 2], [3, 4]], [{"a": 1}, {"a": 2}]]
    for batch in batches:
        assert _structure(default_collate(batch)) == _structure(torch_collate(batch)), batch


def _structure(tree):
    """Containers kept, each tensor replaced by (dtype name, values): comparable across
    libraries."""
    if isinstance(tree, dict):
        return {key: _structure(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_structure(item) for item in tree]
    if isinstance(tree, tuple):
        return tuple(_structure(item) for item in tree)
    return str(tree.dtype).split(".")[-1], tree.tolist()


# ------------------------------------------------------------------ errors
def test_loader_argument_errors():
    data = TensorDataset(*make_data(6))
    with pytest.raises(ValueError, match=r"dataset \(TensorDataset\) has no samples"):
        DataLoader(TensorDataset(np.zeros((0, 2))))
    for bad in (0, -1, 2.5, True, "4"):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            DataLoader(data, batch_size=bad)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        DataLoader(data, drop_last="yes")
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(data, sampler=SequentialSampler(data), shuffle=True)
    batches = BatchSampler(range(6), 2, False)
    for kwargs in ({"batch_size": 2}, {"shuffle": True}, {"drop_last": True},
                   {"sampler": range(6)}):
        with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
            DataLoader(data, batch_sampler=batches, **kwargs)
    assert len(DataLoader(data, batch_sampler=batches)) == 3
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(data, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(data, num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(data, persistent_workers=True)
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        DataLoader(data, shuffle=True, generator=0)
    with pytest.raises(TypeError, match=r"dataset \(Dataset\) has no __len__"):
        DataLoader(Dataset())


def test_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        RandomSampler([], generator=None)
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence .* shape \(2, 2\)"):
        WeightedRandomSampler([[1, 2], [3, 4]], 2)
    with pytest.raises(ValueError, match="weights must be finite, non-negative"):
        WeightedRandomSampler([1.0, -1.0], 2)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(range(3), 0, False)


def test_dataset_errors():
    data = TensorDataset(*make_data(5))
    with pytest.raises(ValueError, match=r"Subset: index 5 \(at position 1 of indices\) is out "
                                         r"of range for a dataset of 5 samples \(valid: -5 to 4\)"):
        Subset(data, [0, 5])
    with pytest.raises(ValueError, match="index -6"):
        Subset(data, [-6])
    with pytest.raises(TypeError, match="Subset: indices must be ints, got dtype float64"):
        Subset(data, [0.0, 1.0])
    with pytest.raises(ValueError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(ValueError, match=r"Sum of input lengths does not equal the length of the "
                                         r"input dataset: lengths \[2, 2\] sum to 4, the dataset "
                                         r"has 5"):
        random_split(data, [2, 2])
    with pytest.raises(ValueError, match="lengths must be non-negative ints"):
        random_split(data, [2.5, 2.5])
    with pytest.raises(ValueError, match="lengths must be non-negative ints"):
        random_split(data, [6, -1])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(data, [1.5, -0.5])
    with pytest.raises(TypeError, match="random_split: lengths must be a non-empty sequence"):
        random_split(data, [])


def test_collate_errors_name_shapes_and_elements():
    with pytest.raises(ValueError, match=r"batch element 2 has shape \(3,\) but batch element 0 "
                                         r"has shape \(2,\) \(at sample\)"):
        default_collate([np.zeros(2), np.zeros(2), np.zeros(3)])
    samples = [(shendu.zeros(2, 2), 0), (shendu.zeros(2, 3), 1)]
    with pytest.raises(ValueError, match=r"element 1 has shape \(2, 3\) .* \(2, 2\) \(at "
                                         r"sample\[0\]\)"):
        next(iter(DataLoader(samples, batch_size=2)))
    with pytest.raises(ValueError, match=r"batch element 1 has no key 'b' \(at sample\['x'\]\)"):
        default_collate([{"x": {"a": 1, "b": 2}}, {"x": {"a": 1}}])
    with pytest.raises(ValueError, match="batch element 1 has length 3 but batch element 0 has "
                                         "length 2"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="found NoneType at sample"):
        default_collate([None, None])
    with pytest.raises(TypeError, match=r"found an array of dtype <U1 at sample\[1\]"):
        default_collate([(1, np.array(["a"])), (2, np.array(["b"]))])
    with pytest.raises(ValueError, match="the batch is empty"):
        default_collate([])


# ------------------------------------------------------------------ namespaces and docs
def test_utils_data_gives_the_same_objects():
    import shendu.utils
    from shendu.utils import data as utils_data

    assert shendu.utils.data is utils_data
    homes = {"Dataset": dataset, "TensorDataset": dataset, "Subset": dataset,
             "ConcatDataset": dataset, "random_split": dataset, "DataLoader": dataloader,
             "default_collate": collate, "default_convert": collate}
    for name, home in homes.items():
        assert getattr(utils_data, name) is getattr(home, name)
    for name in ("Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
                 "WeightedRandomSampler", "BatchSampler"):
        assert getattr(utils_data, name) is getattr(sampler, name)


@pytest.mark.parametrize("module", [sampler, dataset, collate, dataloader],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.failed == 0
