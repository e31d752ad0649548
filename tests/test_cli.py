"""The `shendu` command: listing, training, exact resumption after SIGKILL, evaluation,
prediction, and one-line errors (exit status 2, no traceback) for mistakes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu.cli import main
from shendu.models import list_models

ROOT = Path(__file__).resolve().parents[1]


def shendu_cmd(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `python -m shendu ARGS` as a user would, in ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "shendu", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_models_and_datasets_are_listed(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert all(f"{name:<12} " in out for name in list_models())
    assert "python examples/autoencoders.py" in out and "SiameseNet" in out
    assert main(["datasets"]) == 0
    assert "mnist" in capsys.readouterr().out


def test_summary(capsys):
    assert main(["summary", "lenet"]) == 0
    assert "Total params: 61,706" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["train", "resnet999"],
     "unknown model 'resnet999'; choose one of: " + ", ".join(list_models())),
    (["train", "--dataset", "imagenet"], "unknown dataset 'imagenet'; choose one of:"),
    (["train", "--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'; choose one of: sgd, adam"),
    (["train", "--epochs", "0"], "--epochs must be at least 1"),
    (["train", "--lr", "-1"], "--lr must be > 0"),
    (["summary", "nope"], "unknown model 'nope'"),
])
def test_mistakes_are_one_line_and_exit_2(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_checkpoints_and_images(tmp_path, capsys):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x80\x04not a checkpoint")
    assert main(["eval", str(junk)]) == 2
    assert "pickle" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "missing.safetensors")]) == 2
    assert "no such checkpoint" in capsys.readouterr().err
    plain = tmp_path / "weights.safetensors"
    shendu.save({"w": shendu.ones(2)}, plain)
    assert main(["eval", str(plain)]) == 2
    assert "not a checkpoint written by `shendu train`" in capsys.readouterr().err


def test_train_eval_predict(tmp_path):
    run = shendu_cmd("train", "softmax", "--epochs", "2", "--train-size", "3000",
                     "--no-progress", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    out = tmp_path / "runs" / "softmax-mnist"
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint.safetensors", "learning_curve.png", "metrics.json"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["epoch"] == [1, 2] and len(metrics["val_accuracy"]) == 2
    accuracy = float(run.stdout.split("test accuracy ")[1].split(",")[0])
    assert accuracy == pytest.approx(metrics["val_accuracy"][-1]) and accuracy > 0.8
    assert (out / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = shendu_cmd("train", "softmax", "--epochs", "1", "--train-size", "3000",
                       "--no-progress", cwd=tmp_path)                 # never overwrites
    assert again.returncode == 0 and (tmp_path / "runs" / "softmax-mnist-2").is_dir()

    evaluated = shendu_cmd("eval", str(out / "checkpoint.safetensors"), cwd=tmp_path)
    assert evaluated.returncode == 0 and f"test accuracy {accuracy:.4f}" in evaluated.stdout

    from PIL import Image

    from shendu.data.datasets import MNIST

    test = MNIST(train=False)
    Image.fromarray(test.data[0]).save(tmp_path / "digit.png")
    (tmp_path / "notes.png").write_text("not an image")
    predicted = shendu_cmd("predict", str(out / "checkpoint.safetensors"),
                           str(tmp_path / "digit.png"), cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    assert f"digit.png: {test.targets[0]} (probability" in predicted.stdout
    bad = shendu_cmd("predict", str(out / "checkpoint.safetensors"),
                     str(tmp_path / "notes.png"), cwd=tmp_path)
    assert bad.returncode == 2 and "not a readable image" in bad.stderr
    assert "Traceback" not in bad.stderr


def _weights(path: Path) -> dict[str, np.ndarray]:
    return {k: v.numpy() for k, v in shendu.load(path)["model"].items()}


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL needs a POSIX system")
def test_sigkill_in_an_epoch_then_resume_gives_the_same_weights(tmp_path):
    """A run killed in the middle of its second epoch and resumed with --resume ends with the
    weights of an uninterrupted run (MLP with dropout: the random state must resume too)."""
    args = ["train", "mlp", "--epochs", "3", "--train-size", "60000", "--no-progress"]
    full = shendu_cmd(*args, "--out", "full", cwd=tmp_path)
    assert full.returncode == 0, full.stderr

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    checkpoint = tmp_path / "cut" / "checkpoint.safetensors"
    proc = subprocess.Popen([sys.executable, "-m", "shendu", *args, "--out", "cut"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.25)                 # into the second epoch (about 1.5 s of training)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert shendu.load(checkpoint)["epoch"] == 1, "the kill did not land in epoch 2"

    resumed = shendu_cmd(*args, "--out", "cut", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stdout
    ours, theirs = _weights(checkpoint), _weights(tmp_path / "full" / CHECKPOINT_NAME)
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_array_equal(ours[key], theirs[key], err_msg=key)
    history = json.loads((tmp_path / "cut" / "metrics.json").read_text())
    assert history["epoch"] == [1, 2, 3]


CHECKPOINT_NAME = "checkpoint.safetensors"


def test_a_checkpoint_of_another_architecture_names_the_keys(tmp_path, capsys):
    from shendu.models import get_model

    config = {"model": "lenet", "dataset": "mnist", "num_classes": 10, "channels": 1,
              "mean": 0.13, "std": 0.31}
    path = tmp_path / "other.safetensors"
    shendu.save({"config": config, "model": get_model("softmax").state_dict()}, path)
    assert main(["eval", str(path)]) == 2
    err = capsys.readouterr().err
    assert "do not fit lenet" in err and "missing key: 0.weight; " in err
    assert err.count("\n") == 1 and "Traceback" not in err
