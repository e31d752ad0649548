"""``Trainer``: the training loop, written once.

    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
                      metrics=["accuracy"])
    history = trainer.fit(train_loader, epochs=10, val_loader=test_loader,
                          callbacks=[EarlyStopping(patience=2)])
    trainer.evaluate(test_loader)        # {"loss": ..., "accuracy": ...}

One epoch: ``model.train()``; for each batch (x, y): forward, loss (+ the model's
``regularization_loss()`` when it has penalties attached), ``zero_grad``, ``backward``,
optional gradient clipping, ``optimizer.step()``, per-batch scheduler step for schedules
such as OneCycleLR. Then ``model.eval()`` and validation under ``no_grad`` (logged as
``val_*``), the per-epoch scheduler step (``ReduceLROnPlateau`` gets the monitored value), and
the callbacks. Loss and metrics of an epoch are means over samples (each batch weighted by
its size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

import shendu
from shendu import metrics as _metrics
from shendu import random as _random
from shendu.nn import Module
from shendu.nn.utils import clip_grad_norm_
from shendu.optim import Optimizer
from shendu.optim.lr_scheduler import ReduceLROnPlateau
from shendu.tensor import Tensor
from shendu.train.callbacks import Callback, History
from shendu.train.progress import Progress


class Trainer:
    """Trains ``model`` with ``loss`` and ``optimizer``, logging ``metrics``.

    Args:
        model: the network.
        loss: ``loss(output, target) -> 0-d Tensor`` (an ``nn`` loss module or function).
        optimizer: a ``shendu.optim`` optimizer over the model's parameters.
        metrics: names (``"accuracy"``, ``"top5_accuracy"``, ``"mse"``, ``"perplexity"``,
            ...; see ``shendu.metrics.get``) or functions ``fn(y_true, y_pred) -> float``
            (the order of ``shendu.metrics``: the targets first, the model's output second).
        scheduler: a ``shendu.optim.lr_scheduler`` schedule, stepped once per epoch, or once
            per batch with ``scheduler_interval="batch"``; a ``ReduceLROnPlateau`` is stepped
            with the log named by ``monitor``.
        monitor: the log ``ReduceLROnPlateau`` watches (``val_loss``, else ``loss``).
        clip_grad_norm: if given, the global gradient norm is clipped to it before each step.
        progress: show a progress bar (tqdm) with the running loss, metrics and samples/s.
    """

    def __init__(self, model: Module, loss: Callable, optimizer: Optimizer,
                 metrics: Sequence[str | Callable] = (), scheduler=None,
                 scheduler_interval: str = "epoch", monitor: str | None = None,
                 clip_grad_norm: float | None = None, progress: bool = True) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"Trainer: model must be a shendu.nn.Module, got "
                            f"{type(model).__name__}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"Trainer: optimizer must be a shendu.optim.Optimizer, got "
                            f"{type(optimizer).__name__}")
        if scheduler_interval not in ("epoch", "batch"):
            raise ValueError(f"Trainer: scheduler_interval must be 'epoch' or 'batch', got "
                             f"{scheduler_interval!r}")
        self.model, self.loss_fn, self.optimizer = model, loss, optimizer
        self.metrics = {metric.name: metric for metric in map(_metrics.get, metrics)}
        self.scheduler, self.scheduler_interval = scheduler, scheduler_interval
        self.monitor, self.clip_grad_norm, self.progress = monitor, clip_grad_norm, progress
        self.history = History()
        self.epoch = 0                 # epochs completed
        self.stop_training = False

    # ----------------------------------------------------------------- training
    def fit(self, train_loader: Iterable, epochs: int = 1, val_loader: Iterable | None = None,
            callbacks: Sequence[Callback] = ()) -> History:
        """Train until ``epochs`` epochs in all are done (a resumed trainer continues from
        ``self.epoch``), or a callback sets ``stop_training``. Returns the History."""
        _check_loader("train_loader", train_loader)
        if val_loader is not None:
            _check_loader("val_loader", val_loader)
        callbacks = [self.history, *callbacks]
        for callback in callbacks:
            callback.trainer = self
        self.stop_training = False
        penalised = any(m._regularizers for m in self.model.modules())
        for callback in callbacks:
            callback.on_train_begin()
        for epoch in range(self.epoch, epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            logs = self._train_epoch(train_loader, epoch, epochs, callbacks, penalised)
            if val_loader is not None:
                val = self.evaluate(val_loader, desc=f"epoch {epoch + 1}/{epochs} val")
                logs.update({f"val_{name}": value for name, value in val.items()})
            logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
            self._step_scheduler_after_epoch(logs)
            self.epoch = epoch + 1
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end()
        return self.history

    def _train_epoch(self, loader, epoch: int, epochs: int, callbacks, penalised: bool) -> dict:
        self.model.train()
        totals = _Totals(self.metrics)
        bar = Progress(loader, _len(loader), f"epoch {epoch + 1}/{epochs}", self.progress)
        for index, batch in enumerate(bar):
            for callback in callbacks:
                callback.on_train_batch_begin(index)
            x, y = _split_batch(batch)
            output, loss = self._train_step(x, y, penalised)
            values = totals.add(loss, output, y)
            bar.update(_batch_size(x), totals.means())
            if self.scheduler is not None and self.scheduler_interval == "batch":
                self.scheduler.step()
            for callback in callbacks:
                callback.on_train_batch_end(index, values)
            if self.stop_training:
                break
        logs = totals.means()
        bar.close(logs)
        return logs

    def _train_step(self, x, y, penalised: bool):
        output = self.model(x)
        loss = self.loss_fn(output, y)
        if penalised:
            loss = loss + self.model.regularization_loss()
        self.optimizer.zero_grad()
        loss.backward()
        if self.clip_grad_norm is not None:
            clip_grad_norm_(self.model.parameters(), self.clip_grad_norm)
        self.optimizer.step()
        return output.detach(), loss

    def _step_scheduler_after_epoch(self, logs: dict) -> None:
        if self.scheduler is None or self.scheduler_interval != "epoch":
            return
        if isinstance(self.scheduler, ReduceLROnPlateau):
            monitor = self.monitor or ("val_loss" if "val_loss" in logs else "loss")
            if monitor not in logs:
                raise ValueError(f"Trainer: ReduceLROnPlateau monitors {monitor!r}, which is not "
                                 f"in the logs {sorted(logs)}")
            self.scheduler.step(logs[monitor])
        else:
            self.scheduler.step()

    # ----------------------------------------------------------------- evaluation
    def evaluate(self, loader: Iterable, desc: str = "evaluate") -> dict[str, float]:
        """Mean loss and metrics over ``loader`` in eval mode, without gradients."""
        _check_loader("loader", loader)
        self.model.eval()
        totals = _Totals(self.metrics)
        with shendu.no_grad():
            for batch in loader:
                x, y = _split_batch(batch)
                output = self.model(x)
                totals.add(self.loss_fn(output, y), output, y)
        self.model.train()
        return totals.means()

    def predict(self, data) -> Tensor:
        """The model's outputs, in eval mode without gradients, for a Tensor of inputs or a
        loader of batches (x or (x, y)), concatenated along the batch dim."""
        self.model.eval()
        with shendu.no_grad():
            if isinstance(data, Tensor):
                out = self.model(data)
            else:
                out = shendu.cat([self.model(_split_batch(b, need_target=False)[0])
                                  for b in data])
        self.model.train()
        return out

    # ----------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly: model, optimizer and scheduler state, epochs
        done, the history and the global random state (shuffling, dropout)."""
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
                "epoch": self.epoch, "history": self.history.state_dict(),
                "rng": _random.get_rng_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (for example read with ``shendu.load``)."""
        missing = {"model", "optimizer", "epoch", "history", "rng"} - set(state)
        if missing:
            raise ValueError(f"Trainer.load_state_dict: the checkpoint has no {sorted(missing)}; "
                             "is it a Trainer checkpoint (from ModelCheckpoint)?")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch = int(state["epoch"])
        self.history.load_state_dict(state["history"])
        _random.set_rng_state(state["rng"])


class _Totals:
    """An epoch's running loss (each batch's mean loss weighted by its size) and metrics
    (summed as (total, count) pairs, so RMSE and perplexity come out exact for the epoch)."""

    def __init__(self, metrics: dict) -> None:
        self.metrics = metrics
        self.sums = {"loss": [0.0, 0], **{name: [0.0, 0] for name in metrics}}

    def add(self, loss: Tensor, output: Tensor, y) -> dict[str, float]:
        """Add one batch; returns its own values."""
        n = _batch_size(output)
        values = {"loss": float(loss.item())}
        self.sums["loss"][0] += values["loss"] * n
        self.sums["loss"][1] += n
        for name, metric in self.metrics.items():
            total, count = metric.totals(y, output)
            self.sums[name][0] += total
            self.sums[name][1] += count
            values[name] = metric.finalize(total / max(count, 1))
        return values

    def means(self) -> dict[str, float]:
        return {name: (self.metrics[name].finalize(total / count) if name in self.metrics
                       else total / count) if count else float("nan")
                for name, (total, count) in self.sums.items()}


def _split_batch(batch, need_target: bool = True):
    if isinstance(batch, (tuple, list)) and len(batch) == 2:
        return batch[0], batch[1]
    if need_target:
        raise ValueError("Trainer: each batch must be a pair (inputs, targets), got "
                         f"{type(batch).__name__}"
                         + (f" of length {len(batch)}" if isinstance(batch, (tuple, list))
                            else ""))
    return (batch[0] if isinstance(batch, (tuple, list)) else batch), None


def _batch_size(x) -> int:
    return int(x.shape[0]) if hasattr(x, "shape") and len(x.shape) else 1


def _len(loader) -> int | None:
    try:
        return len(loader)
    except TypeError:
        return None


def _check_loader(name: str, loader) -> None:
    if _len(loader) == 0:
        raise ValueError(f"Trainer: {name} has no batches (an empty dataset, or drop_last with "
                         "fewer samples than one batch)")
    if isinstance(loader, (Tensor, np.ndarray)):
        raise TypeError(f"Trainer: {name} must be an iterable of (inputs, targets) batches such "
                        "as a shendu.data.DataLoader, got a single array")
