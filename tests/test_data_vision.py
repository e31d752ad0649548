"""Image data sets: the bundled MNIST, FashionMNIST/KMNIST read from a root of crafted IDX
files, CIFAR10 downloaded from a local server (never the internet), and the IDX and CIFAR
binary readers on crafted good and damaged files."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from shendu.data.dataset import Dataset
from shendu.data.datasets.cifar import read_cifar_binary
from shendu.data.datasets.idx import read_idx
from shendu.data.datasets.vision import (
    CIFAR10,
    DATASETS,
    KMNIST,
    MNIST,
    FashionMNIST,
    load_mnist,
)
from shendu.data.download import DownloadError
from shendu.tensor import Tensor
from tests.test_data_download import no_proxy, serve_directory  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def mnist_train() -> MNIST:
    return MNIST()


@pytest.fixture(scope="module")
def mnist_test() -> MNIST:
    return MNIST(train=False)


def with_transforms(ds, transform=None, target_transform=None):
    """A shallow copy of a loaded data set with other transforms (saves re-reading files)."""
    ds = copy.copy(ds)
    ds.transform, ds.target_transform = transform, target_transform
    return ds


# ------------------------------------------------------------------------- file crafting
def idx_bytes(array: np.ndarray, code: int | None = None) -> bytes:
    """An IDX file holding ``array`` (big-endian), written independently of the reader."""
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
             np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E}
    code = codes[array.dtype] if code is None else code
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx_set(folder: Path, n_train: int = 3, n_test: int = 2, seed: int = 0,
                  gz: bool = True, names: str = "-idx") -> dict:
    """Crafted tiny train/test IDX files with the real files' names; returns the arrays."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        arrays[prefix] = (images, labels)
        for kind, array in (("images", images), ("labels", labels)):
            name = f"{prefix}-{kind}{names}{3 if kind == 'images' else 1}-ubyte"
            data = idx_bytes(array)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(data))
            else:
                (folder / name).write_bytes(data)
    return arrays


def cifar_bytes(images_chw: np.ndarray, labels: np.ndarray) -> bytes:
    """Binary-version records: 1 label byte, then the red, green, blue 32x32 planes."""
    records = [bytes([int(y)]) + x.tobytes() for x, y in zip(images_chw, labels)]
    return b"".join(records)


def make_cifar_archive(path: Path, per_file: int = 2, seed: int = 0) -> dict:
    """A tiny ``cifar-10-binary.tar.gz`` laid out as the real one; returns its arrays (CHW)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            images = rng.integers(0, 256, (per_file, 3, 32, 32), dtype=np.uint8)
            labels = rng.integers(0, 10, per_file, dtype=np.uint8)
            arrays[name] = (images, labels)
            data = cifar_bytes(images, labels)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return arrays


# ---------------------------------------------------------------------------- bundled MNIST
def test_bundled_mnist_train_and_test(mnist_train, mnist_test):
    test = mnist_test
    assert isinstance(mnist_train, Dataset)
    assert len(mnist_train) == 60000 and len(test) == 10000
    assert mnist_train.data.shape == (60000, 28, 28) and test.data.shape == (10000, 28, 28)
    assert mnist_train.data.dtype == np.uint8 and mnist_train.targets.dtype == np.int64
    assert mnist_train.targets.shape == (60000,) and test.targets.shape == (10000,)
    assert mnist_train.targets[0] == 5 and test.targets[0] == 7
    assert set(np.unique(mnist_train.targets)) == set(range(10))
    assert set(np.unique(test.targets)) == set(range(10))
    # the well-known class counts of MNIST's training labels
    assert np.bincount(mnist_train.targets).tolist() == [5923, 6742, 5958, 6131, 5842, 5421,
                                                         5918, 6265, 5851, 5949]
    assert mnist_train.classes[5] == "5 - five" and mnist_train.class_to_idx["0 - zero"] == 0
    assert mnist_train.data.flags.writeable and mnist_train.train and not test.train


@pytest.mark.data
def test_bundled_mnist_equals_the_shared_copy(shared_data, mnist_train, mnist_test):
    """The same pixels as the files read independently with gzip + numpy."""
    for split, ds in (("train", mnist_train), ("t10k", mnist_test)):
        with gzip.open(shared_data / "mnist" / f"{split}-images.idx3-ubyte.gz") as f:
            pixels = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
        with gzip.open(shared_data / "mnist" / f"{split}-labels.idx1-ubyte.gz") as f:
            labels = np.frombuffer(f.read(), np.uint8, offset=8)
        assert int(ds.data.sum(dtype=np.int64)) == int(pixels.sum(dtype=np.int64))
        np.testing.assert_array_equal(ds.data.sum(axis=(1, 2)), pixels.sum(axis=(1, 2)))
        np.testing.assert_array_equal(ds.data, pixels)
        np.testing.assert_array_equal(ds.targets, labels)


def test_load_mnist_and_root_pointing_at_the_bundled_folder(mnist_train):
    X_train, y_train, X_test, y_test = load_mnist()
    assert X_train.shape == (60000, 28, 28) and X_test.shape == (10000, 28, 28)
    assert y_train.dtype == np.int64 and y_test.shape == (10000,)
    np.testing.assert_array_equal(X_train, mnist_train.data)
    # a root holding files named as the bundled ones (".idx") is read too
    again = MNIST(root=mnist_train.root, train=False)
    np.testing.assert_array_equal(again.data, X_test)


def test_getitem_without_transform_is_to_tensor(mnist_train):
    image, label = mnist_train[0]
    assert isinstance(image, Tensor) and image.shape == (1, 28, 28)
    assert image.dtype == np.float32 and label == 5 and type(label) is int
    np.testing.assert_array_equal(image.data[0], mnist_train.data[0] / np.float32(255))
    assert image.data.min() == 0.0 and image.data.max() == 1.0
    last, label_last = mnist_train[-1]
    np.testing.assert_array_equal(last.data[0], mnist_train.data[59999] / np.float32(255))
    assert label_last == mnist_train.targets[59999]


def test_getitems_equals_stacked_getitem(mnist_train):
    indices = [3, 59999, 0, 3, -2, 12345]
    images, labels = mnist_train.__getitems__(indices)
    items = [mnist_train[i] for i in indices]
    assert images.shape == (6, 1, 28, 28) and images.dtype == np.float32
    assert labels.shape == (6,) and labels.dtype == np.int64
    np.testing.assert_array_equal(images, np.stack([x.data for x, _ in items]))
    np.testing.assert_array_equal(labels, [y for _, y in items])
    images, labels = mnist_train.__getitems__(np.arange(0))
    assert len(images) == 0 and len(labels) == 0


@pytest.mark.torch
def test_scaling_is_bit_equal_to_torch_float_div_255(mnist_train):
    torch = pytest.importorskip("torch")
    images, _ = mnist_train.__getitems__(np.arange(500))
    expected = torch.from_numpy(mnist_train.data[:500]).float().div(255).unsqueeze(1).numpy()
    np.testing.assert_array_equal(images, expected)


def test_per_sample_and_batched_transforms(mnist_train):
    seen = []

    def flip(image):
        seen.append((image.dtype, image.shape))
        image[0, 0] = 255  # a transform editing its input must not change the data set
        return image[:, ::-1].astype(np.float32)

    image, label = with_transforms(mnist_train, flip, lambda y: y * 10)[7]
    assert seen == [(np.uint8, (28, 28))] and label == mnist_train.targets[7] * 10
    expected = mnist_train.data[7][:, ::-1].astype(np.float32)
    expected[0, -1] = 255
    np.testing.assert_array_equal(image, expected)
    assert mnist_train.data[7, 0, 0] == 0

    ds = with_transforms(mnist_train, flip, lambda y: y + 100)
    images, labels = ds.__getitems__([1, 2])
    assert images.shape == (2, 28, 28) and labels.tolist() == (mnist_train.targets[[1, 2]]
                                                                + 100).tolist()

    class Batched:
        batched = True

        def __init__(self):
            self.shapes = []

        def __call__(self, batch):
            self.shapes.append(batch.shape)
            return batch.reshape(batch.shape[0], -1).astype(np.float32) - 1

    transform, target = Batched(), Batched()
    ds = with_transforms(mnist_train, transform, target)
    images, labels = ds.__getitems__([4, 5, 6])
    assert transform.shapes == [(3, 28, 28)] and target.shapes == [(3,)]
    assert images.shape == (3, 784) and labels.shape == (3, 1)
    np.testing.assert_array_equal(images, mnist_train.data[4:7].reshape(3, -1) - 1.0)
    np.testing.assert_array_equal(labels[:, 0], mnist_train.targets[4:7] - 1)
    image, label = ds[4]
    assert transform.shapes[-1] == (1, 28, 28) and image.shape == (784,)
    assert target.shapes[-1] == (1,) and label.tolist() == [mnist_train.targets[4] - 1]


def test_bad_indices(mnist_train):
    with pytest.raises(IndexError, match="MNIST: index 60000 is out of range for 60000"):
        mnist_train[60000]
    with pytest.raises(IndexError, match="index -60001"):
        mnist_train.__getitems__([0, -60001])
    with pytest.raises(TypeError, match="an index must be an int, got float"):
        mnist_train[1.0]
    with pytest.raises(TypeError, match="1-D sequence of ints"):
        mnist_train.__getitems__([0.5, 1.5])


def test_registry_and_repr(mnist_train):
    assert list(DATASETS) == ["mnist", "fashion-mnist", "kmnist", "cifar10"]
    assert DATASETS["mnist"] is MNIST and DATASETS["cifar10"] is CIFAR10
    for cls in DATASETS.values():
        assert cls.description and "\n" not in cls.description and len(cls.classes) == 10
    text = repr(mnist_train)
    assert "Dataset MNIST" in text and "60000" in text and "Split: Train" in text


# ----------------------------------------------------------------------------- IDX parser
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32,
                                   np.float64])
def test_read_idx_round_trips_every_type(tmp_path, dtype):
    rng = np.random.default_rng(1)
    array = (rng.standard_normal((4, 3, 5)) * 100).astype(dtype)
    plain, packed = tmp_path / "a-idx3", tmp_path / "b-idx3.gz"
    plain.write_bytes(idx_bytes(array))
    packed.write_bytes(gzip.compress(idx_bytes(array)))
    for path in (plain, packed):
        got = read_idx(path)
        assert got.dtype == np.dtype(dtype) and got.dtype.isnative and got.flags.writeable
        np.testing.assert_array_equal(got, array)


def test_read_idx_one_dimensional_labels(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 1, 9]))
    np.testing.assert_array_equal(read_idx(path), [7, 1, 9])


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01\x08\x01\x00\x00\x00\x01\x05", "bad magic number 0x00010801"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown data type code 0x07"),
    (b"\x00\x00\x08\x00", "says 0 dimensions"),
    (b"\x00\x00", "truncated: an IDX file starts with a 4-byte magic number"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header: 3 dimensions need 16 bytes"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x04\x01\x02", r"truncated: the header says shape \(4,\) of "
                                                  "uint8, which is 4 bytes, but the file "
                                                  "holds only 2 bytes after its 8-byte header"),
    (b"\x00\x00\x0c\x01\x00\x00\x00\x01\x00\x00\x00\x01\x09", r"1 too many"),
])
def test_read_idx_damaged_files_name_the_file_and_the_fault(tmp_path, data, message):
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_gzip_faults(tmp_path):
    array = np.arange(600, dtype=np.uint8).reshape(6, 10, 10)
    not_gzip = tmp_path / "x-idx3-ubyte.gz"
    not_gzip.write_bytes(idx_bytes(array))
    with pytest.raises(ValueError, match="x-idx3-ubyte.gz: named .gz but is not a gzip file"):
        read_idx(not_gzip)
    cut = tmp_path / "cut-idx3-ubyte.gz"
    cut.write_bytes(gzip.compress(idx_bytes(array))[:-30])
    with pytest.raises(ValueError, match="cut-idx3-ubyte.gz: the gzip stream is truncated"):
        read_idx(cut)
    # a gzip file cut inside the IDX data (the gzip stream itself is whole)
    short = tmp_path / "short-idx3-ubyte.gz"
    short.write_bytes(gzip.compress(idx_bytes(array)[:-100]))
    with pytest.raises(ValueError, match="short-idx3-ubyte.gz: truncated: .* 600 bytes, but "
                                         "the file holds only 500 bytes after its 16-byte"):
        read_idx(short)


# ---------------------------------------------------------------------- CIFAR binary parser
def test_read_cifar_binary_two_records(tmp_path):
    rng = np.random.default_rng(2)
    chw = rng.integers(0, 256, (2, 3, 32, 32), dtype=np.uint8)
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar_bytes(chw, np.array([3, 9])))
    images, labels = read_cifar_binary(path)
    assert images.shape == (2, 32, 32, 3) and images.dtype == np.uint8
    assert images.flags.c_contiguous and labels.dtype == np.int64
    assert labels.tolist() == [3, 9]
    np.testing.assert_array_equal(images, chw.transpose(0, 2, 3, 1))
    # record 1, green plane, row 4, column 7: byte 3073 + 1 + 1024 + 4 * 32 + 7 of the file
    raw = path.read_bytes()
    assert images[1, 4, 7, 1] == raw[3073 + 1 + 1024 + 4 * 32 + 7]


def test_read_cifar_binary_damaged(tmp_path):
    good = cifar_bytes(np.zeros((2, 3, 32, 32), np.uint8), np.array([1, 2]))
    cases = {
        "short.bin": (good[:-1], r"6145 bytes is not a whole number of 3073-byte records "
                                 r"\(1 label byte \+ 3072 pixel bytes\): 1 records and 3072 "
                                 "bytes left over"),
        "label.bin": (good[:3073] + bytes([10]) + good[3074:], "record 1 has label 10"),
        "empty.bin": (b"", "the file is empty"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError, match=message) as info:
            read_cifar_binary(path)
        assert str(path) in str(info.value)


# ------------------------------------------------------------- MNIST-format sets from a root
def test_fashion_mnist_and_kmnist_read_from_root(tmp_path):
    arrays = write_idx_set(tmp_path / "fm", n_train=3, n_test=2)
    train = FashionMNIST(root=tmp_path / "fm")
    test = FashionMNIST(root=str(tmp_path / "fm"), train=False)
    np.testing.assert_array_equal(train.data, arrays["train"][0])
    np.testing.assert_array_equal(train.targets, arrays["train"][1])
    np.testing.assert_array_equal(test.data, arrays["t10k"][0])
    assert len(train) == 3 and len(test) == 2 and train.classes[9] == "Ankle boot"
    images, labels = train.__getitems__([2, 0])
    np.testing.assert_array_equal(images[:, 0], arrays["train"][0][[2, 0]] / np.float32(255))
    # KMNIST from unpacked files where torchvision keeps them: root/KMNIST/raw/
    arrays = write_idx_set(tmp_path / "tv" / "KMNIST" / "raw", seed=5, gz=False)
    kmnist = KMNIST(root=tmp_path / "tv", train=False)
    np.testing.assert_array_equal(kmnist.data, arrays["t10k"][0])
    assert kmnist.classes[0] == "o"


def test_default_root_follows_shendu_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SHENDU_DATA", str(tmp_path))
    arrays = write_idx_set(tmp_path / "kmnist", seed=3)
    np.testing.assert_array_equal(KMNIST().targets, arrays["train"][1])
    assert KMNIST().root == tmp_path / "kmnist"


def test_missing_files_say_which_where_and_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        FashionMNIST(root=tmp_path, train=False)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert str(tmp_path) in message and "download=True" in message
    with pytest.raises(FileNotFoundError, match="cifar-10-batches-bin/test_batch.bin.*"
                                                "download=True"):
        CIFAR10(root=tmp_path, train=False)


def test_damaged_idx_sets_name_the_file(tmp_path):
    arrays = write_idx_set(tmp_path)
    labels_path = tmp_path / "train-labels-idx1-ubyte.gz"
    labels_path.write_bytes(gzip.compress(idx_bytes(np.array([1, 12, 3], np.uint8))))
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz: label 12 at index 1 is "
                                         "out of range 0-9"):
        FashionMNIST(root=tmp_path)
    labels_path.write_bytes(gzip.compress(idx_bytes(np.array([1, 2], np.uint8))))
    with pytest.raises(ValueError, match="holds 3 images but .* holds 2 labels"):
        FashionMNIST(root=tmp_path)
    images_path = tmp_path / "t10k-images-idx3-ubyte.gz"
    images_path.write_bytes(gzip.compress(idx_bytes(arrays["t10k"][0].astype(np.int32))))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: expected uint8 images of "
                                         r"shape \(N, 28, 28\), got int32"):
        FashionMNIST(root=tmp_path, train=False)


# ------------------------------------------------------------------- downloads (local server)
@pytest.fixture
def cifar_server(tmp_path, monkeypatch):
    """A local server with a tiny cifar-10-binary.tar.gz; CIFAR10's table points at it."""
    served = tmp_path / "served"
    served.mkdir()
    arrays = make_cifar_archive(served / "cifar-10-binary.tar.gz")
    digest = hashlib.sha256((served / "cifar-10-binary.tar.gz").read_bytes()).hexdigest()
    with serve_directory(served) as (url, requests):
        monkeypatch.setattr(CIFAR10, "mirrors", (url,))
        monkeypatch.setattr(CIFAR10, "resources", {"cifar-10-binary.tar.gz": digest})
        yield arrays, requests


def test_cifar10_download_extract_and_load(cifar_server, tmp_path):
    arrays, requests = cifar_server
    root = tmp_path / "cache"
    train = CIFAR10(root=root, download=True)
    assert requests == ["/cifar-10-binary.tar.gz"]
    assert (root / "cifar-10-batches-bin" / "data_batch_5.bin").is_file()
    assert len(train) == 10 and train.data.shape == (10, 32, 32, 3)
    expected = np.concatenate([arrays[f"data_batch_{i}.bin"][0] for i in range(1, 6)])
    np.testing.assert_array_equal(train.data, expected.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(
        train.targets, np.concatenate([arrays[f"data_batch_{i}.bin"][1] for i in range(1, 6)]))
    image, label = train[3]
    assert image.shape == (3, 32, 32) and image.dtype == np.float32
    np.testing.assert_array_equal(image.data, expected[3] / np.float32(255))
    images, labels = train.__getitems__([3, 9, 0])
    np.testing.assert_array_equal(images, np.stack([train[i][0].data for i in (3, 9, 0)]))
    assert labels.tolist() == [train[i][1] for i in (3, 9, 0)]
    seen = []
    CIFAR10(root=root, transform=lambda x: seen.append(x.shape))[0]
    assert seen == [(32, 32, 3)]
    # present files: no second request, with or without download=True
    test = CIFAR10(root=root, train=False, download=True)
    assert requests == ["/cifar-10-binary.tar.gz"] and len(test) == 2
    np.testing.assert_array_equal(test.targets, arrays["test_batch.bin"][1])


def test_cifar10_archive_in_root_is_unpacked_without_network(tmp_path):
    make_cifar_archive(tmp_path / "cifar-10-binary.tar.gz", per_file=1)
    assert len(CIFAR10(root=tmp_path)) == 5 and len(CIFAR10(root=tmp_path, train=False)) == 1


def test_cifar10_checksum_mismatch_keeps_nothing(cifar_server, tmp_path, monkeypatch):
    monkeypatch.setattr(CIFAR10, "resources", {"cifar-10-binary.tar.gz": "0" * 64})
    root = tmp_path / "cache"
    with pytest.raises(DownloadError, match="expected 0000"):
        CIFAR10(root=root, download=True)
    assert list(root.iterdir()) == []


def test_fashion_mnist_download(tmp_path, monkeypatch):
    served = tmp_path / "served"
    arrays = write_idx_set(served, seed=7)
    names = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    table = {name: hashlib.sha256((served / name).read_bytes()).hexdigest() for name in names}
    with serve_directory(served) as (url, requests):
        monkeypatch.setattr(FashionMNIST, "mirrors", (url + "gone/", url))
        monkeypatch.setattr(FashionMNIST, "resources", table)
        test = FashionMNIST(root=tmp_path / "cache", train=False, download=True)
    np.testing.assert_array_equal(test.data, arrays["t10k"][0])
    # only the split asked for is fetched; the first mirror fails over to the second
    assert requests == ["/gone/" + names[0], "/" + names[0], "/gone/" + names[1], "/" + names[1]]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == names
