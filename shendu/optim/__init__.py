"""Optimizers (``shendu.optim``), with the names, arguments and defaults of ``torch.optim``."""

from shendu.optim import lr_scheduler
from shendu.optim.adadelta import Adadelta
from shendu.optim.adagrad import Adagrad
from shendu.optim.adam import Adam, AdamW
from shendu.optim.optimizer import Optimizer
from shendu.optim.rmsprop import RMSprop
from shendu.optim.sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD",
           "lr_scheduler"]
