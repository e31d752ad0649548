"""The ``shendu`` command (also ``python -m shendu``).

    shendu train [MODEL] [--dataset mnist] [--epochs N] [--batch-size B] [--lr LR]
                 [--optimizer sgd|adam|...] [--seed S] [--out DIR] [--resume]
    shendu eval CHECKPOINT
    shendu predict CHECKPOINT IMAGE...
    shendu models | datasets | summary MODEL

``train`` with no arguments trains LeNet-5 on the MNIST bundled with the package, with a
progress bar, and writes ``runs/<model>-<dataset>/``: ``checkpoint.safetensors`` (the whole
training state, after every epoch, written atomically), ``metrics.json`` (the history) and
``learning_curve.png``. ``--resume`` continues an interrupted run from its checkpoint and ends
with the same weights as an uninterrupted run. Mistakes (unknown names, bad files) print one
line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from shendu.train.callbacks import Callback, ModelCheckpoint

CHECKPOINT = "checkpoint.safetensors"
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta")


class CLIError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except CLIError as error:
        print(f"shendu {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; `shendu train --resume` continues from the last finished epoch",
              file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shendu", description="Train and use shendu models.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model (LeNet on MNIST by default)")
    train.add_argument("model", nargs="?", default="lenet", help="a name from `shendu models`")
    train.add_argument("--dataset", default="mnist", help="a name from `shendu datasets`")
    train.add_argument("--epochs", type=int, help="default: the model's recipe")
    train.add_argument("--batch-size", type=int, help="default: the model's recipe")
    train.add_argument("--lr", type=float, help="learning rate; default: the model's recipe")
    train.add_argument("--optimizer", help=f"one of {', '.join(OPTIMIZERS)}")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", type=Path, help="run directory (default runs/MODEL-DATASET)")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument("--train-size", type=int, help="use only the first N training samples")
    train.add_argument("--root", type=Path, help="where the data set files are (or go)")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("eval", help="test accuracy of a checkpoint")
    evaluate.add_argument("checkpoint", type=Path)
    evaluate.add_argument("--root", type=Path)
    evaluate.set_defaults(run=_eval)

    predict = commands.add_parser("predict", help="classify image files with a checkpoint")
    predict.add_argument("checkpoint", type=Path)
    predict.add_argument("images", type=Path, nargs="+")
    predict.set_defaults(run=_predict)

    commands.add_parser("models", help="the models `train` knows").set_defaults(run=_models)
    commands.add_parser("datasets", help="the data sets `train` knows").set_defaults(
        run=_datasets)
    summary = commands.add_parser("summary", help="layers, shapes and parameters of a model")
    summary.add_argument("model")
    summary.set_defaults(run=_summary)
    return parser


# --------------------------------------------------------------------------- listing
def _models(args) -> None:
    from shendu.models.registry import MODELS, OTHER_MODELS

    for name, spec in sorted(MODELS.items()):
        print(f"{name:<12} {spec.description}")
    print("\nalso in shendu.models, built or trained as shown (not by `shendu train`):")
    for what, how in OTHER_MODELS.items():
        print(f"  {what}\n      {how}")


def _datasets(args) -> None:
    from shendu.data.datasets import DATASETS

    for name, cls in sorted(DATASETS.items()):
        print(f"{name:<14} {cls.description}")


def _summary(args) -> None:
    from shendu import nn

    spec = _model_spec(args.model)
    nn.summary(spec.build(), spec.input_shape)


# --------------------------------------------------------------------------- train
def _train(args) -> None:
    import shendu
    from shendu.train import Trainer

    spec = _model_spec(args.model)
    recipe = spec.recipe
    config = {
        "model": args.model, "dataset": args.dataset, "seed": args.seed,
        "epochs": _positive("--epochs", _given(args.epochs, recipe.epochs)),
        "batch_size": _positive("--batch-size", _given(args.batch_size, recipe.batch_size)),
        "lr": _given(args.lr, recipe.lr),
        "optimizer": (args.optimizer or recipe.optimizer).lower(),
        "momentum": recipe.momentum, "weight_decay": recipe.weight_decay,
        "lr_step_gamma": recipe.lr_step_gamma, "train_size": args.train_size,
        "label_smoothing": recipe.label_smoothing, "random_shift": recipe.random_shift,
    }
    if config["optimizer"] not in OPTIMIZERS:
        raise CLIError(f"unknown optimizer {config['optimizer']!r}; choose one of: "
                       f"{', '.join(OPTIMIZERS)}")
    if not config["lr"] > 0:
        raise CLIError(f"--lr must be > 0, got {config['lr']}")
    out = _run_dir(args)
    checkpoint = out / CHECKPOINT
    train_set, test_set, info = _load_data(args.dataset, args.root, args.train_size)
    config.update(info)
    train_set = _prepared(train_set, info, config["random_shift"])
    test_set = _prepared(test_set, info)

    shendu.manual_seed(args.seed)
    model = spec.build(num_classes=info["num_classes"], in_channels=info["channels"])
    optimizer = _optimizer(config, model)
    scheduler = (None if config["lr_step_gamma"] is None else
                 shendu.optim.lr_scheduler.StepLR(optimizer, 1, config["lr_step_gamma"]))
    loss = shendu.nn.CrossEntropyLoss(label_smoothing=config["label_smoothing"])
    trainer = Trainer(model, loss, optimizer, metrics=["accuracy"],
                      scheduler=scheduler, progress=not args.no_progress)
    if args.resume:
        state = _read_checkpoint(checkpoint)
        _check_same_run(state.get("config", {}), config, checkpoint)
        trainer.load_state_dict(state)
        print(f"resuming {out} after epoch {trainer.epoch} of {config['epochs']}")
    out.mkdir(parents=True, exist_ok=True)

    train_loader, test_loader = _loaders(train_set, test_set, config["batch_size"])
    print(f"training {args.model} on {args.dataset} ({len(train_set)} training and "
          f"{len(test_set)} test images) for {config['epochs']} epochs; writing to {out}")
    start = time.perf_counter()
    trainer.fit(train_loader, config["epochs"], val_loader=test_loader,
                callbacks=[ModelCheckpoint(out / CHECKPOINT, extra={"config": config}),
                           _MetricsWriter(out / "metrics.json", config)])
    elapsed = time.perf_counter() - start
    result = trainer.evaluate(test_loader)
    _plot_curve(trainer.history, out / "learning_curve.png")
    print(f"test accuracy {result['accuracy']:.4f}, test loss {result['loss']:.4f} "
          f"({elapsed:.1f} s of training this session)")
    print(f"wrote {out / CHECKPOINT}, {out / 'metrics.json'}, {out / 'learning_curve.png'}")


class _MetricsWriter(Callback):
    """After each epoch: metrics.json (the run's config and history), written atomically."""

    def __init__(self, path: Path, config: dict) -> None:
        self.path, self.config = path, config

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        from shendu.io import atomic_write_text

        history = self.trainer.history
        metrics = {"config": self.config, "epoch": [e + 1 for e in history.epoch],
                   **history.history}
        atomic_write_text(self.path, json.dumps(metrics, indent=2) + "\n")


def _run_dir(args) -> Path:
    """--out, else runs/MODEL-DATASET; a fresh run never overwrites an earlier one's
    checkpoint (it takes the next free -2, -3, ... name), --resume takes the newest."""
    if args.out is not None:
        if not args.resume and (args.out / CHECKPOINT).exists():
            raise CLIError(f"{args.out} already holds a checkpoint; pass --resume to continue "
                           "it, or another --out")
        if args.resume and not (args.out / CHECKPOINT).exists():
            raise CLIError(f"--resume: there is no {CHECKPOINT} in {args.out}")
        return args.out
    base = Path("runs") / f"{args.model}-{args.dataset}"
    taken = [base] + [base.with_name(f"{base.name}-{i}") for i in range(2, 1000)]
    existing = [d for d in taken if (d / CHECKPOINT).exists()]
    if args.resume:
        if not existing:
            raise CLIError(f"--resume: no earlier run of {args.model} on {args.dataset} "
                           f"under runs/ (looked for {base / CHECKPOINT})")
        return existing[-1]
    return next(d for d in taken if not (d / CHECKPOINT).exists())


def _check_same_run(saved: dict, config: dict, path: Path) -> None:
    keys = ("model", "dataset", "batch_size", "optimizer", "lr", "seed", "train_size")
    changed = [f"{k} {saved.get(k)!r} -> {config[k]!r}" for k in keys if saved.get(k) != config[k]]
    if changed:
        raise CLIError(f"--resume: {path} was trained with other options ({'; '.join(changed)}); "
                       "resume with the same options, or start a new run")


def _optimizer(config: dict, model):
    from shendu import optim

    lr, wd, params = config["lr"], config["weight_decay"], model.parameters()
    name = config["optimizer"]
    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=config["momentum"], weight_decay=wd)
    cls = {"adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
           "adagrad": optim.Adagrad, "adadelta": optim.Adadelta}[name]
    return cls(params, lr=lr, weight_decay=wd)


# --------------------------------------------------------------------------- data
class _Transformed:
    """A dataset whose images pass through ``transform``: one image at a time, or a whole
    batch at once where the dataset gives batches (``__getitems__``)."""

    def __init__(self, dataset, transform) -> None:
        self.dataset, self.transform = dataset, transform

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        x, y = self.dataset[index]
        return self.transform(x), y

    def __getitems__(self, indices):
        x, y = self.dataset.__getitems__(indices)
        return self.transform(np.asarray(x, dtype=np.float32)), y


def _prepared(dataset, info: dict, shift: float = 0.0) -> _Transformed:
    """Images standardised with the training set's mean and std, after random shifts of up to
    ``shift`` of their size (augmentation) when ``shift`` > 0."""
    from shendu.data.transforms import Compose, Normalize, RandomAffine

    shifts = [RandomAffine(0, translate=(shift, shift))] if shift else []
    return _Transformed(dataset, Compose([*shifts, Normalize(info["mean"], info["std"])]))


def _load_data(name: str, root: Path | None, train_size: int | None):
    from shendu.data.datasets import DATASETS

    if name not in DATASETS:
        raise CLIError(f"unknown dataset {name!r}; choose one of: {', '.join(sorted(DATASETS))}")
    cls = DATASETS[name]
    try:
        train = cls(root=root, train=True, download=True)
        test = cls(root=root, train=False, download=True)
    except (OSError, ValueError) as error:
        raise CLIError(str(error)) from None
    if len(train) == 0 or len(test) == 0:
        raise CLIError(f"the {name} data set is empty (train {len(train)}, test {len(test)})")
    labels = np.asarray(train.targets)
    num_classes = len(getattr(train, "classes", ())) or int(labels.max()) + 1
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if bad.size:
        raise CLIError(f"{name}: training label {labels[bad[0]]} at index {bad[0]} is outside "
                       f"0..{num_classes - 1}")
    if train_size is not None:
        from shendu.data.dataset import Subset

        train = Subset(train, np.arange(_positive("--train-size", min(train_size, len(train)))))
    pixels = np.asarray(train.dataset.data if hasattr(train, "dataset") else train.data)
    mean, std = float(pixels.mean() / 255), float(pixels.std() / 255)
    channels = 1 if pixels.ndim == 3 else pixels.shape[-1]
    info = {"num_classes": num_classes, "channels": channels, "mean": mean, "std": std}
    return train, test, info


def _loaders(train_set, test_set, batch_size: int):
    from shendu.data.dataloader import DataLoader

    return (DataLoader(train_set, batch_size=batch_size, shuffle=True),
            DataLoader(test_set, batch_size=1000))


# --------------------------------------------------------------------------- eval, predict
def _restore(path: Path):
    """The model of a checkpoint written by `shendu train`, with its weights, and its
    config."""
    state = _read_checkpoint(path)
    config = state.get("config")
    if not isinstance(config, dict) or "model" not in config:
        raise CLIError(f"{path} is not a checkpoint written by `shendu train` (no run config)")
    spec = _model_spec(config["model"])
    model = spec.build(num_classes=config["num_classes"], in_channels=config["channels"])
    try:
        model.load_state_dict(state["model"])
    except (KeyError, ValueError, RuntimeError) as error:
        detail = str(error).replace(":\n  ", ": ").replace("\n  ", "; ")
        raise CLIError(f"{path}: the weights do not fit {config['model']}: {detail}") from None
    model.eval()
    return model, config


def _eval(args) -> None:
    import shendu
    from shendu.train import Trainer

    model, config = _restore(args.checkpoint)
    test_set = _prepared(_load_data(config["dataset"], args.root, None)[1], config)
    from shendu.data.dataloader import DataLoader

    trainer = Trainer(model, shendu.nn.CrossEntropyLoss(), shendu.optim.SGD(
        model.parameters(), lr=0.0), metrics=["accuracy"], progress=False)
    result = trainer.evaluate(DataLoader(test_set, batch_size=1000))
    print(f"{args.checkpoint}: {config['model']} on {config['dataset']}: test accuracy "
          f"{result['accuracy']:.4f}, test loss {result['loss']:.4f}")


def _predict(args) -> None:
    import shendu

    model, config = _restore(args.checkpoint)
    classes = [str(i) for i in range(config["num_classes"])]
    for path in args.images:
        x = (_read_image(path, config["channels"]) - config["mean"]) / config["std"]
        with shendu.no_grad():
            probs = shendu.softmax(model(shendu.from_numpy(x[None])), dim=1).numpy()[0]
        k = int(probs.argmax())
        print(f"{path}: {classes[k]} (probability {probs[k]:.3f})")


def _read_image(path: Path, channels: int) -> np.ndarray:
    """An image file as float32 (C, 28, 28) in [0, 1]; a light background is inverted to
    MNIST's white-on-black."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise CLIError("reading images needs Pillow: pip install shendu[images]") from None
    if not path.is_file():
        raise CLIError(f"{path}: no such file")
    try:
        with Image.open(path) as image:
            image = image.convert("L" if channels == 1 else "RGB").resize((28, 28))
            x = np.asarray(image, dtype=np.float32) / 255
    except (UnidentifiedImageError, OSError) as error:
        raise CLIError(f"{path}: not a readable image ({error})") from None
    if x.mean() > 0.5:
        x = 1 - x
    return x[None] if x.ndim == 2 else x.transpose(2, 0, 1)


# --------------------------------------------------------------------------- helpers
def _read_checkpoint(path: Path) -> dict:
    from shendu.io import load

    if not path.is_file():
        raise CLIError(f"{path}: no such checkpoint")
    try:
        state = load(path)
    except (ValueError, OSError) as error:
        raise CLIError(str(error)) from None
    if not isinstance(state, dict):
        raise CLIError(f"{path} holds a {type(state).__name__}, not a training checkpoint")
    return state


def _model_spec(name: str):
    from shendu.models import MODELS

    if name not in MODELS:
        raise CLIError(f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}")
    return MODELS[name]


def _given(value, default):
    return default if value is None else value


def _positive(flag: str, value: int) -> int:
    if value is None or value < 1:
        raise CLIError(f"{flag} must be at least 1, got {value}")
    return value


def _plot_curve(history, path: Path) -> None:
    try:
        from shendu.plot import plot_history

        plot_history(history, path, title="learning curve")
    except ImportError as error:
        print(f"no learning_curve.png: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
