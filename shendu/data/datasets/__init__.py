"""Data sets: MNIST (bundled with the package), FashionMNIST, KMNIST and CIFAR10 (downloaded
with checksums), and the tabular house-price and airfoil data."""

from shendu.data.datasets.cifar import read_cifar_binary
from shendu.data.datasets.idx import read_idx
from shendu.data.datasets.tabular import Airfoil, HousePrices, load_airfoil, load_house_prices
from shendu.data.datasets.vision import (
    CIFAR10,
    DATASETS,
    KMNIST,
    MNIST,
    FashionMNIST,
    load_mnist,
)

__all__ = [
    "CIFAR10", "DATASETS", "KMNIST", "MNIST", "Airfoil", "FashionMNIST", "HousePrices",
    "load_airfoil", "load_house_prices", "load_mnist", "read_cifar_binary", "read_idx",
]
