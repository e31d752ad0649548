"""Callbacks: code that runs at fixed points of ``Trainer.fit``, the Keras way.

A callback overrides any of ``on_train_begin/end(logs)``, ``on_epoch_begin(epoch)``,
``on_epoch_end(epoch, logs)``, ``on_train_batch_begin(batch)`` and
``on_train_batch_end(batch, logs)``; ``self.trainer`` is set before training starts, and a
callback stops training by setting ``self.trainer.stop_training = True``. ``logs`` maps metric
names (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``lr``) to floats.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any


class Callback:
    """Base class: every hook does nothing."""

    trainer: Any = None

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict) -> None: ...
    def on_train_batch_begin(self, batch: int) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict) -> None: ...


class History(Callback):
    """The per-epoch logs of training: ``history["val_loss"]`` is the list of validation losses,
    one per epoch, as Keras's ``History.history``; ``epoch`` lists the epoch numbers (from 0).
    A Trainer keeps one, so a resumed run continues the same curves."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, [math.nan] * (len(self.epoch) - 1)).append(value)
        for values in self.history.values():      # a metric missing this epoch
            if len(values) < len(self.epoch):
                values.append(math.nan)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def state_dict(self) -> dict:
        return {"history": copy.deepcopy(self.history), "epoch": list(self.epoch)}

    def load_state_dict(self, state: dict) -> None:
        self.history = {k: [float(v) for v in values] for k, values in state["history"].items()}
        self.epoch = [int(e) for e in state["epoch"]]


def _improvement(mode: str, monitor: str):
    """``better(current, best)`` for ``mode`` ('min', 'max' or 'auto': max for accuracy-like
    names, min otherwise)."""
    if mode == "auto":
        mode = "max" if any(k in monitor for k in ("acc", "f1", "precision", "recall")) else "min"
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min', 'max' or 'auto', got {mode!r}")
    return (lambda a, b: a < b) if mode == "min" else (lambda a, b: a > b), mode


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs (Keras's semantics).

    Args:
        monitor: the log to watch (``val_loss`` by default).
        min_delta: smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the name).
        restore_best_weights: at the end, load the model weights of the best epoch.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False) -> None:
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        self.monitor, self.patience = monitor, patience
        self.min_delta = abs(min_delta)
        self._better, self.mode = _improvement(mode, monitor)
        self.restore_best_weights = restore_best_weights
        self.best, self.wait, self.stopped_epoch, self._best_weights = None, 0, None, None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.best, self.wait, self.stopped_epoch, self._best_weights = None, 0, None, None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.monitor not in logs:
            raise ValueError(f"EarlyStopping: monitor {self.monitor!r} is not in the logs "
                             f"{sorted(logs)}; pass val_loader to fit() for val_* logs")
        current = logs[self.monitor]
        delta = -self.min_delta if self.mode == "min" else self.min_delta
        if self.best is None or self._better(current - delta, self.best):
            self.best, self.wait = current, 0
            if self.restore_best_weights:
                self._best_weights = {k: v.numpy().copy()
                                      for k, v in self.trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.restore_best_weights and self._best_weights is not None:
            self.trainer.model.load_state_dict(self._best_weights)


class ModelCheckpoint(Callback):
    """Save the trainer's whole state (model, optimizer, scheduler, epoch, history, random
    state) with ``shendu.save`` at the end of each epoch, atomically, so ``Trainer.resume``
    continues exactly where it stopped.

    Args:
        path: the file (``.safetensors``); ``{epoch}`` in it is replaced by the epoch number
            (from 1), so ``"ckpt-{epoch}.safetensors"`` keeps one file per epoch.
        monitor, mode: with ``save_best_only``, the log that decides what is best.
        save_best_only: write only when ``monitor`` improves.
        extra: more entries saved in the same file (a run's configuration, say).
    """

    def __init__(self, path: str | Path, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = False, extra: dict | None = None) -> None:
        self.path, self.extra = str(path), dict(extra or {})
        self.monitor, self.save_best_only = monitor, save_best_only
        self._better, self.mode = _improvement(mode, monitor)
        self.best = None

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.save_best_only:
            if self.monitor not in logs:
                raise ValueError(f"ModelCheckpoint: monitor {self.monitor!r} is not in the "
                                 f"logs {sorted(logs)}")
            if self.best is not None and not self._better(logs[self.monitor], self.best):
                return
            self.best = logs[self.monitor]
        from shendu.io import save

        save({**self.extra, **self.trainer.state_dict()},
             self.path.replace("{epoch}", str(epoch + 1)))
