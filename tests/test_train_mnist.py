"""The main job, end to end: `shendu train` on the MNIST bundled with the package reaches
the accuracies the curriculum's models should (LeNet >= 98.8% with no arguments, the MLP >=
98.4% within 10 epochs, softmax regression >= 92%) and writes its three files. Each test
prints its time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def train(args: list[str], cwd: Path) -> tuple[float, float, Path]:
    """Run `shendu train ARGS --no-progress` in ``cwd``; (test accuracy, seconds, run dir)."""
    command = [shutil.which("shendu")] if shutil.which("shendu") else [sys.executable, "-m",
                                                                       "shendu"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    run = subprocess.run([*command, "train", *args, "--no-progress"], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    assert run.returncode == 0, run.stderr
    accuracy = float(run.stdout.split("test accuracy ")[1].split(",")[0])
    out = cwd / run.stdout.split("writing to ")[1].split()[0]
    print(f"\nshendu train {' '.join(args)}: test accuracy {accuracy:.4f} in {elapsed:.1f} s")
    return accuracy, elapsed, out


def test_shendu_train_with_no_arguments(tmp_path):
    accuracy, _, out = train([], tmp_path)
    assert out == tmp_path / "runs" / "lenet-mnist"
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint.safetensors", "learning_curve.png", "metrics.json"]
    assert accuracy >= 0.988, f"LeNet test accuracy {accuracy:.4f} < 0.988"
    history = json.loads((out / "metrics.json").read_text())
    assert history["val_accuracy"][-1] == pytest.approx(accuracy)


@pytest.mark.parametrize("model, epochs, target", [("mlp", 10, 0.984), ("softmax", 10, 0.92)])
def test_recipes_reach_their_accuracy(tmp_path, model, epochs, target):
    accuracy, _, out = train([model], tmp_path)
    history = json.loads((out / "metrics.json").read_text())
    assert len(history["epoch"]) <= epochs
    assert accuracy >= target, f"{model} test accuracy {accuracy:.4f} < {target}"
