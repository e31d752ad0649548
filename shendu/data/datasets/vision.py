"""Image classification data sets: MNIST (bundled), FashionMNIST, KMNIST and CIFAR10.

MNIST ships inside the package and loads with no network. The others are read from ``root``
when their files are there, and with ``download=True`` the missing files are fetched from their
canonical addresses into ``root`` (default ``data_home()/<name>``, see
:func:`shendu.data.download.data_home`), each checked against its pinned SHA-256.

Files already present are read without hashing them (a copy may legitimately be recompressed or
unpacked, as torchvision stores MNIST); the format readers check their structure instead
(magic numbers, sizes, label ranges), so a damaged file raises an error naming it. A file
shendu downloads is only ever put under its final name after its SHA-256 matched.

Every data set holds the whole split in memory as ``data`` (uint8; (N, 28, 28) for the MNIST
family, (N, 32, 32, 3) height-width-channels for CIFAR-10, as torchvision) and ``targets``
(int64 (N,)). With ``transform=None`` a sample's image comes out as float32 (C, H, W) in
[0, 1], as after torchvision's ``ToTensor``; ``__getitems__`` converts a whole batch at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from shendu.data.dataset import Dataset
from shendu.data.datasets.cifar import read_cifar_binary
from shendu.data.datasets.idx import read_idx
from shendu.data.download import data_home, download_from_mirrors, extract_archive
from shendu.tensor import Tensor

_BUNDLED_MNIST = Path(__file__).resolve().parent / "mnist"


class _ImageDataset(Dataset):
    """What the image data sets share: ``data``/``targets`` in memory, indexing, batching,
    transforms.

    A transform receives one image as a uint8 array, (H, W) for gray images and (H, W, C) for
    colour ones (torchvision passes a PIL image of that size). A transform object with the
    attribute ``batched = True`` is instead called once per batch with the uint8 array
    (B, H, W) or (B, H, W, C); ``target_transform`` likewise receives an int, or the int64
    array (B,) when it is batched.
    """

    classes: list[str] = []
    description = ""  # one line, listed by ``shendu datasets``
    folder = ""  # the folder under data_home() that holds the files by default
    mirrors: tuple[str, ...] = ()  # base URLs of the files, tried in order
    resources: dict[str, str] = {}  # file name -> SHA-256 of the canonical file

    data: np.ndarray
    targets: np.ndarray

    def __init__(self, root: Path, train: bool, transform: Callable | None,
                 target_transform: Callable | None) -> None:
        self.root = root
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform

    @property
    def class_to_idx(self) -> dict[str, int]:
        """Class name -> label."""
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Sample ``index`` as ``(image, label)``.

        Without a transform: ``image`` is a float32 Tensor (C, H, W) with values in [0, 1]
        (``pixel / 255``) and ``label`` an int.
        """
        i = self._check_index(index)
        if self.transform is None:
            image = Tensor._make(self._to_float(self.data[i:i + 1])[0])
        elif _is_batched(self.transform):
            image = self.transform(self.data[i:i + 1])[0]
        else:
            image = self.transform(self.data[i].copy())  # a copy: the transform may edit it
        label = int(self.targets[i])
        if self.target_transform is not None:
            if _is_batched(self.target_transform):
                label = self.target_transform(self.targets[i:i + 1])[0]
            else:
                label = self.target_transform(label)
        return image, label

    def __getitems__(self, indices: Sequence[int] | np.ndarray) -> tuple[Any, Any]:
        """The samples at ``indices`` as one batch ``(images, labels)``.

        Without transforms: ``images`` is a float32 array (B, C, H, W) in [0, 1] and
        ``labels`` an int64 array (B,), each made by one vectorised operation. Per-sample
        transforms are applied to each image and their results stacked (a list is returned
        when they cannot be stacked); batched transforms are called once.
        """
        idx = self._check_indices(indices)
        raw, labels = self.data[idx], self.targets[idx]  # fancy indexing copies
        if self.transform is None:
            images = self._to_float(raw)
        elif _is_batched(self.transform):
            images = self.transform(raw)
        else:
            images = _stack([self.transform(x) for x in raw])
        if self.target_transform is not None:
            if _is_batched(self.target_transform):
                labels = self.target_transform(labels)
            else:
                labels = _stack([self.target_transform(int(y)) for y in labels])
        return images, labels

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}",
                 f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}",
                 f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)

    # ----------------------------------------------------------------------------- helpers
    @staticmethod
    def _to_float(batch: np.ndarray) -> np.ndarray:
        """uint8 (B, H, W) or (B, H, W, C) -> float32 (B, C, H, W), ``x / 255``."""
        out = batch.astype(np.float32)
        out /= np.float32(255.0)  # division, not * (1/255): bit-equal to ToTensor
        if out.ndim == 3:
            return out[:, None]
        return np.ascontiguousarray(out.transpose(0, 3, 1, 2))

    def _check_index(self, index) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: an index must be an int, got "
                            f"{type(index).__name__}; use __getitems__ for a batch")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for "
                             f"{n} samples")
        return int(index) % n

    def _check_indices(self, indices) -> np.ndarray:
        idx = np.asarray(indices)
        if idx.size == 0:
            return idx.astype(np.int64).reshape(0)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise TypeError(f"{type(self).__name__}: __getitems__ expects a 1-D sequence of "
                            f"ints, got {idx.dtype} of shape {idx.shape}")
        n = len(self)
        low, high = int(idx.min()), int(idx.max())
        if low < -n or high >= n:
            bad = low if low < -n else high
            raise IndexError(f"{type(self).__name__}: index {bad} is out of range for "
                             f"{n} samples")
        return idx

    def _default_root(self) -> Path:
        return data_home() / self.folder

    def _missing_error(self, missing: Sequence[str], root: Path) -> FileNotFoundError:
        return FileNotFoundError(
            f"{type(self).__name__}: missing {', '.join(missing)} in {root}. Pass "
            f"download=True to fetch them (from {self.mirrors[0]}), or copy the files there "
            f"and pass root={str(root)!r}")


class _IDXDataset(_ImageDataset):
    """The MNIST family: four IDX files (images, labels for train and test), gzip or not."""

    image_shape = (28, 28)

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        root = Path(root).expanduser() if root is not None else self._default_root()
        super().__init__(root, train, transform, target_transform)
        prefix = "train" if self.train else "t10k"
        names = [f"{prefix}-images-idx3-ubyte.gz", f"{prefix}-labels-idx1-ubyte.gz"]
        images_path, labels_path = self._find(names, download)
        self.data, self.targets = self._load(images_path, labels_path)

    def _find(self, names: list[str], download: bool) -> list[Path]:
        """The paths of ``names`` in ``root``, downloading the missing ones if allowed."""
        found = {name: self._locate(name) for name in names}
        missing = [name for name, path in found.items() if path is None]
        if missing and not download:
            raise self._missing_error(missing, self.root)
        for name in missing:
            found[name] = download_from_mirrors(self.mirrors, name, self.root,
                                                sha256=self.resources[name])
        return [found[name] for name in names]

    def _locate(self, name: str) -> Path | None:
        """``name`` in ``root``: gzip or unpacked, ``-idx`` or ``.idx`` in the name, directly
        in ``root`` or in ``root/<ClassName>/raw`` (where torchvision keeps it)."""
        stem = name.removesuffix(".gz")
        spellings = [name, stem, name.replace("-idx", ".idx"), stem.replace("-idx", ".idx")]
        for folder in (self.root, self.root / type(self).__name__ / "raw"):
            for spelling in spellings:
                if (folder / spelling).is_file():
                    return folder / spelling
        return None

    def _load(self, images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.shape[1:] != self.image_shape:
            raise ValueError(f"{images_path}: expected uint8 images of shape (N, 28, 28), got "
                             f"{images.dtype} of shape {images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 1:
            raise ValueError(f"{labels_path}: expected uint8 labels of shape (N,), got "
                             f"{labels.dtype} of shape {labels.shape}")
        if len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: {images_path} holds {len(images)} images "
                             f"but {labels_path} holds {len(labels)} labels")
        return images, _check_labels(labels, len(self.classes), labels_path)


class MNIST(_IDXDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28 x 28 gray,
    labels 0-9. Shipped inside shendu: ``MNIST()`` needs no network.

    Args:
        root: a folder holding the four IDX files (gzip or not); default the bundled copy.
        train: the training split (60,000) if True, else the test split (10,000).
        transform: called on each image, a uint8 (28, 28) array (see the class notes above
            on ``batched`` transforms); ``None`` gives float32 (1, 28, 28) in [0, 1].
        target_transform: called on each label (an int).
        download: with a ``root`` lacking the files, fetch them (SHA-256 checked).

    Attributes:
        data: uint8 (N, 28, 28). targets: int64 (N,). classes: the 10 names.

    >>> train = MNIST()
    >>> image, label = train[0]          # float32 Tensor (1, 28, 28), int 5
    >>> images, labels = train.__getitems__([0, 1, 2])  # (3, 1, 28, 28), (3,)
    """

    description = "MNIST handwritten digits, 28x28 gray, 10 classes, 60k/10k (bundled)"
    folder = "mnist"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/")
    # SHA-256 of the original gzip files, as torchvision's prototype datasets pin them
    resources = {
        "train-images-idx3-ubyte.gz":
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz":
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz":
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz":
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def _default_root(self) -> Path:
        return _BUNDLED_MNIST

    def _find(self, names: list[str], download: bool) -> list[Path]:
        if self.root != _BUNDLED_MNIST:
            return super()._find(names, download)
        missing = [name for name in names if self._locate(name) is None]
        if missing:  # never downloads into the installed package
            raise FileNotFoundError(
                f"MNIST: the copy bundled with shendu lacks {', '.join(missing)} in "
                f"{self.root}; reinstall shendu, or pass root= a folder holding the files "
                f"(with download=True they are fetched there)")
        return [self._locate(name) for name in names]


class FashionMNIST(_IDXDataset):
    """Zalando's Fashion-MNIST: 28 x 28 gray images of clothes, 10 classes, 60,000 training
    and 10,000 test images, in MNIST's file format. Arguments as :class:`MNIST`; ``root``
    defaults to ``data_home()/fashion-mnist``.
    """

    description = "Fashion-MNIST clothing images, 28x28 gray, 10 classes, 60k/10k (download)"
    folder = "fashion-mnist"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
               "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/")
    resources = {
        "train-images-idx3-ubyte.gz":
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz":
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz":
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz":
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(_IDXDataset):
    """Kuzushiji-MNIST: 28 x 28 gray images of cursive Japanese (hiragana) characters, 10
    classes, 60,000 training and 10,000 test images, in MNIST's file format. Arguments as
    :class:`MNIST`; ``root`` defaults to ``data_home()/kmnist``.
    """

    description = ("Kuzushiji-MNIST cursive Japanese characters, 28x28 gray, 10 classes, "
                   "60k/10k (download)")
    folder = "kmnist"
    mirrors = ("https://codh.rois.ac.jp/kmnist/dataset/kmnist/",)
    resources = {
        "train-images-idx3-ubyte.gz":
            "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
        "train-labels-idx1-ubyte.gz":
            "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
        "t10k-images-idx3-ubyte.gz":
            "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
        "t10k-labels-idx1-ubyte.gz":
            "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c",
    }
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class CIFAR10(_ImageDataset):
    """CIFAR-10: 32 x 32 colour images in 10 classes, 50,000 training and 10,000 test images.

    Read from the *binary version* of the data set (``cifar-10-binary.tar.gz``, unpacked to
    ``root/cifar-10-batches-bin/``), never from the pickled python version. With
    ``download=True`` the archive is fetched into ``root`` (SHA-256 checked) and unpacked;
    an archive already in ``root`` is unpacked without a network.

    Args:
        root: the folder holding ``cifar-10-batches-bin/`` or the archive; default
            ``data_home()/cifar10``.
        train, transform, target_transform, download: as :class:`MNIST`; a per-sample
            transform receives a uint8 (32, 32, 3) array; ``None`` gives float32
            (3, 32, 32) in [0, 1].

    Attributes:
        data: uint8 (N, 32, 32, 3), height-width-channels as torchvision. targets: int64 (N,).
    """

    description = "CIFAR-10 colour images, 32x32x3, 10 classes, 50k/10k (download)"
    folder = "cifar10"
    base_folder = "cifar-10-batches-bin"
    archive = "cifar-10-binary.tar.gz"
    mirrors = ("https://www.cs.toronto.edu/~kriz/",)
    resources = {
        "cifar-10-binary.tar.gz":
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    }
    train_list = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list = ["test_batch.bin"]
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 download: bool = False) -> None:
        root = Path(root).expanduser() if root is not None else self._default_root()
        super().__init__(root, train, transform, target_transform)
        paths = self._find(self.train_list if self.train else self.test_list, download)
        parts = [read_cifar_binary(path) for path in paths]
        if len(parts) == 1:
            self.data, self.targets = parts[0]
        else:
            self.data = np.concatenate([images for images, _ in parts])
            self.targets = np.concatenate([labels for _, labels in parts])

    def _find(self, names: list[str], download: bool) -> list[Path]:
        """The batch files, unpacking (and with ``download``, first fetching) the archive
        when any is missing."""
        folder = self.root / self.base_folder
        paths = [folder / name for name in names]
        missing = [path.name for path in paths if not path.is_file()]
        if not missing:
            return paths
        archive = self.root / self.archive
        if download:
            archive = download_from_mirrors(self.mirrors, self.archive, self.root,
                                            sha256=self.resources[self.archive])
        if not archive.is_file():
            raise FileNotFoundError(
                f"CIFAR10: missing {', '.join(f'{self.base_folder}/{n}' for n in missing)} "
                f"and the archive {self.archive} in {self.root}. Pass download=True to fetch "
                f"the archive (from {self.mirrors[0]}), or copy it (or its unpacked "
                f"{self.base_folder}/ folder) there and pass root={str(self.root)!r}")
        extract_archive(archive, self.root)
        still = [path.name for path in paths if not path.is_file()]
        if still:
            raise FileNotFoundError(f"CIFAR10: {archive} does not contain "
                                    f"{self.base_folder}/{', '.join(still)}; it is not the "
                                    f"CIFAR-10 binary version archive")
        return paths


def load_mnist(root: str | os.PathLike | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as raw arrays, for quick scripts: ``(X_train, y_train, X_test, y_test)``.

    Returns:
        uint8 images (60000, 28, 28) and (10000, 28, 28), int64 labels (60000,), (10000,).
        ``root`` as :class:`MNIST` (default: the bundled copy).
    """
    train, test = MNIST(root, train=True), MNIST(root, train=False)
    return train.data, train.targets, test.data, test.targets


# name -> data set class; each class has a one-line ``description`` (``shendu datasets``)
DATASETS: dict[str, Callable[..., _ImageDataset]] = {
    "mnist": MNIST,
    "fashion-mnist": FashionMNIST,
    "kmnist": KMNIST,
    "cifar10": CIFAR10,
}


# --------------------------------------------------------------------------------- helpers
def _is_batched(transform: Callable) -> bool:
    return getattr(transform, "batched", False) is True


def _stack(items: list) -> Any:
    """Per-sample outputs as one array when they are arrays, Tensors or numbers of one shape;
    else the list itself."""
    arrays = []
    for item in items:
        if isinstance(item, Tensor):
            item = item.data
        if not isinstance(item, (np.ndarray, np.generic, int, float, bool)):
            return items
        arrays.append(np.asarray(item))
    if not arrays:
        return np.empty((0,))
    if len({a.shape for a in arrays}) != 1:
        return items
    return np.stack(arrays)


def _check_labels(labels: np.ndarray, num_classes: int, path: Path) -> np.ndarray:
    """uint8 labels as int64, after checking they are below ``num_classes``."""
    bad = np.flatnonzero(labels >= num_classes)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{path}: label {labels[i]} at index {i} is out of range "
                         f"0-{num_classes - 1} ({bad.size} bad labels in all); the file is "
                         f"corrupt or not a label file of this data set")
    return labels.astype(np.int64)
