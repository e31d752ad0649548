"""Data loading (``shendu.data``, also ``shendu.utils.data``): datasets, samplers, the
DataLoader, transforms, the bundled and downloadable data sets (``shendu.data.datasets``) and
text utilities (``shendu.data.text``)."""

from shendu.data import datasets, text, transforms
from shendu.data.collate import default_collate, default_convert
from shendu.data.dataloader import DataLoader
from shendu.data.dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from shendu.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from shendu.data.split import KFold, train_test_split

__all__ = [
    "BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "KFold", "RandomSampler",
    "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
    "WeightedRandomSampler", "datasets", "default_collate", "default_convert", "random_split",
    "text", "train_test_split", "transforms",
]
