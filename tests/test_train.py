"""shendu.train: the Trainer loop, callbacks, History, scheduler stepping, clipping,
penalties and exact resumption."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import shendu
from shendu import nn, optim
from shendu.train import Callback, EarlyStopping, History, Trainer


def accuracy(target, output) -> float:
    return float((output.argmax(dim=1) == target).float().mean().item())


def blobs(n: int = 256, seed: int = 0):
    """Two Gaussian blobs in 4-D, linearly separable, as a list of (x, y) batches of 32."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 4)).astype(np.float32) + 3 * y[:, None].astype(np.float32)
    return [(shendu.from_numpy(x[i:i + 32]), shendu.from_numpy(y[i:i + 32]))
            for i in range(0, n, 32)]


def make_trainer(seed: int = 0, dropout: float = 0.0, **kwargs):
    shendu.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return Trainer(model, nn.CrossEntropyLoss(), opt, metrics=[accuracy], progress=False,
                   **kwargs)


def test_fit_learns_and_logs_each_epoch():
    trainer = make_trainer()
    history = trainer.fit(blobs(), epochs=3, val_loader=blobs(seed=1))
    assert isinstance(history, History) and history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["accuracy", "loss", "lr", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.95
    result = trainer.evaluate(blobs(seed=1))
    assert result["accuracy"] == pytest.approx(history["val_accuracy"][-1])
    assert trainer.predict(blobs()).shape == (256, 2)


def test_epoch_loss_is_the_sample_weighted_mean_of_batch_losses():
    batches = blobs(n=80)                    # batches of 32, 32 and 16
    trainer = make_trainer()
    trainer.optimizer.param_groups[0]["lr"] = 0.0      # nothing changes: losses are fixed
    trainer.fit(batches, epochs=1)
    with shendu.no_grad():
        losses = [trainer.loss_fn(trainer.model(x), y).item() for x, y in batches]
    expected = (32 * losses[0] + 32 * losses[1] + 16 * losses[2]) / 80
    assert trainer.history["loss"][0] == pytest.approx(expected, rel=1e-6)


class Recorder(Callback):
    def __init__(self, stop_at_batch=None):
        self.events, self.stop_at_batch = [], stop_at_batch

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch):
        self.events.append(f"epoch_begin {epoch}")

    def on_train_batch_end(self, batch, logs):
        self.events.append(f"batch {batch} training={self.trainer.model.training}")
        if batch == self.stop_at_batch:
            self.trainer.stop_training = True

    def on_epoch_end(self, epoch, logs):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_callbacks_run_in_order_and_can_stop_training():
    recorder = Recorder(stop_at_batch=1)
    trainer = make_trainer()
    trainer.fit(blobs(), epochs=5, callbacks=[recorder])
    assert recorder.events == [
        "train_begin", "epoch_begin 0", "batch 0 training=True", "batch 1 training=True",
        "epoch_end 0 ['accuracy', 'loss', 'lr']", "train_end"]
    assert trainer.epoch == 1


def test_validation_runs_in_eval_mode_and_without_grad():
    modes = []

    class Probe(nn.Module):
        def forward(self, x):
            modes.append((self.training, shendu.is_grad_enabled()))
            return x

    shendu.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 2), Probe())
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                      progress=False)
    trainer.fit(blobs(n=64), epochs=1, val_loader=blobs(n=64))
    assert modes == [(True, True)] * 2 + [(False, False)] * 2
    assert model.training


def test_schedulers_step_per_epoch_and_per_batch():
    trainer = make_trainer()
    trainer.scheduler = optim.lr_scheduler.StepLR(trainer.optimizer, step_size=1, gamma=0.5)
    trainer.fit(blobs(), epochs=3)
    assert trainer.history["lr"] == [0.1, 0.05, 0.025]        # the lr each epoch trained with
    assert trainer.optimizer.param_groups[0]["lr"] == 0.0125

    trainer = make_trainer(scheduler_interval="batch")
    trainer.scheduler = optim.lr_scheduler.OneCycleLR(trainer.optimizer, max_lr=0.5,
                                                      total_steps=16)
    trainer.fit(blobs(), epochs=2)                             # 8 batches an epoch
    assert trainer.scheduler.last_epoch == 16


def test_reduce_on_plateau_watches_the_monitored_log():
    def const(target, output) -> float:
        return 1.0                                            # never improves

    trainer = make_trainer(monitor="val_const")
    trainer.metrics["const"] = shendu.metrics.get(const)
    trainer.scheduler = optim.lr_scheduler.ReduceLROnPlateau(trainer.optimizer, patience=0,
                                                             factor=0.5)
    trainer.fit(blobs(), epochs=3, val_loader=blobs(seed=1))
    assert trainer.history["lr"] == [0.1, 0.1, 0.05]
    assert trainer.optimizer.param_groups[0]["lr"] == 0.025


def test_gradient_clipping_bounds_the_step():
    trainer = make_trainer(clip_grad_norm=1e-3)
    trainer.optimizer = optim.SGD(trainer.model.parameters(), lr=1.0)
    before = [p.data.copy() for p in trainer.model.parameters()]
    trainer.fit(blobs()[:1], epochs=1)
    step = np.sqrt(sum(((p.data - b) ** 2).sum()
                       for p, b in zip(trainer.model.parameters(), before)))
    assert step == pytest.approx(1e-3, rel=1e-4)


def test_penalties_are_added_to_the_training_loss():
    trainer = make_trainer()
    trainer.model[0].regularize(weight=nn.L2(1.0))
    trainer.optimizer.param_groups[0]["lr"] = 0.0
    trainer.fit(blobs()[:1], epochs=1)
    x, y = blobs()[0]
    with shendu.no_grad():
        data_loss = trainer.loss_fn(trainer.model(x), y).item()
    penalty = float((trainer.model[0].weight.data.astype(np.float64) ** 2).sum())
    assert trainer.history["loss"][0] == pytest.approx(data_loss + penalty, rel=1e-5)


def test_resume_from_state_dict_is_exact():
    """2 epochs, save, fresh trainer (other seed), load, 2 more == 4 uninterrupted; dropout
    makes the random state matter."""
    full = make_trainer(dropout=0.3)
    full.fit(blobs(), epochs=4, val_loader=blobs(seed=1))

    first = make_trainer(dropout=0.3)
    first.fit(blobs(), epochs=2, val_loader=blobs(seed=1))
    state = copy.deepcopy(first.state_dict())
    shendu.randn(5)                                            # disturb the random stream
    second = make_trainer(seed=1, dropout=0.3)
    second.load_state_dict(state)
    second.fit(blobs(), epochs=4, val_loader=blobs(seed=1))
    for a, b in zip(full.model.parameters(), second.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    assert second.history.history == full.history.history


def test_early_stopping_restores_the_best_weights():
    class Scripted(Callback):
        """Overwrites val_loss with a fixed sequence, before EarlyStopping reads it."""

        def on_epoch_end(self, epoch, logs):
            logs["val_loss"] = [1.0, 0.5, 0.6, 0.7, 0.4][epoch]

    trainer = make_trainer()
    best = []

    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 1:
                best.extend(p.data.copy() for p in self.trainer.model.parameters())

    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    trainer.fit(blobs(), epochs=5, callbacks=[Scripted(), Snapshot(), stopper])
    assert trainer.epoch == 4 and stopper.stopped_epoch == 3 and stopper.best == 0.5
    for p, b in zip(trainer.model.parameters(), best):
        np.testing.assert_array_equal(p.data, b)


@pytest.mark.parametrize("make, error, match", [
    (lambda t: t.fit([], epochs=1), ValueError, "no batches"),
    (lambda t: t.fit([(shendu.ones(2, 4),)], epochs=1), ValueError, "must be a pair"),
    (lambda t: Trainer(t.model.parameters(), None, t.optimizer), TypeError, "nn.Module"),
    (lambda t: Trainer(t.model, None, "sgd"), TypeError, "optim.Optimizer"),
    (lambda t: Trainer(t.model, None, t.optimizer, scheduler_interval="step"), ValueError,
     "scheduler_interval"),
    (lambda t: t.fit(blobs(), epochs=1, callbacks=[EarlyStopping(monitor="val_acc")]),
     ValueError, "not in the logs"),
])
def test_bad_input(make, error, match):
    with pytest.raises(error, match=match):
        make(make_trainer())


def test_named_metrics_are_exact_over_the_epoch():
    """'rmse' combines batches as sqrt(sum of squares / count), not as a mean of roots."""
    trainer = make_trainer()
    trainer.metrics = {m.name: m for m in map(shendu.metrics.get, ["accuracy", "top1_accuracy"])}
    batches = blobs(n=80)
    result = trainer.evaluate(batches)
    with shendu.no_grad():
        out = shendu.cat([trainer.model(x) for x, _ in batches]).numpy()
    y = np.concatenate([t.numpy() for _, t in batches])
    assert result["accuracy"] == pytest.approx((out.argmax(1) == y).mean())
    assert result["top1_accuracy"] == pytest.approx(result["accuracy"])
    reg = Trainer(nn.Linear(4, 1), nn.MSELoss(), optim.SGD(nn.Linear(1, 1).parameters()),
                  metrics=["rmse"], progress=False)
    pairs = [(x, shendu.ones(len(x), 1)) for x, _ in batches]
    with shendu.no_grad():
        pred = np.concatenate([reg.model(x).numpy() for x, _ in pairs])
    assert reg.evaluate(pairs)["rmse"] == pytest.approx(np.sqrt(((pred - 1) ** 2).mean()),
                                                        rel=1e-6)
