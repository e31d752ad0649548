"""``shendu.utils.data``: the data-loading names under the path PyTorch code imports them from
(``torch.utils.data``). They are the very objects of ``shendu.data``."""

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

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "random_split",
]
