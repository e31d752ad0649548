"""PyTorch's ``torch.utils`` names, so ``from shendu.utils.data import DataLoader`` works as
``from torch.utils.data import DataLoader`` does."""

from shendu.utils import data

__all__ = ["data"]
