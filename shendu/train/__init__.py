"""Training (``shendu.train``): the ``Trainer`` loop, callbacks and the History."""

from shendu.train.callbacks import Callback, EarlyStopping, History, ModelCheckpoint
from shendu.train.trainer import Trainer

__all__ = ["Callback", "EarlyStopping", "History", "ModelCheckpoint", "Trainer"]
