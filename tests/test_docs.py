"""The README's code and the examples run as shown."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+\.?\d*")


def python_blocks(path: Path) -> list:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_readme_python_blocks_run():
    namespace: dict = {}
    blocks = python_blocks(ROOT / "README.md")
    assert blocks, "the README shows no Python code"
    for block in blocks:  # later blocks may use names from earlier ones, as a reader would
        exec(compile(block, "README.md", "exec"), namespace)


def test_readme_output_is_the_examples_output(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the figure goes to ./runs/examples
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = r"Real output of `python examples/linear_regression.py`[^`]*?:"
    shown = re.search(header + r"\n\n```\n(.*?)```", readme, re.S)
    monkeypatch.setattr(sys, "argv", ["linear_regression.py"])
    runpy.run_path(str(ROOT / "examples" / "linear_regression.py"), run_name="__main__")
    printed, expected = capsys.readouterr().out, shown.group(1)
    # the same text and numbers; the last printed digit may differ with another BLAS build
    assert NUMBER.sub("#", printed) == NUMBER.sub("#", expected)
    ours = [float(v) for v in NUMBER.findall(printed)]
    theirs = [float(v) for v in NUMBER.findall(expected)]
    assert np.allclose(ours, theirs, rtol=1e-3, atol=2e-6), (ours, theirs)


NEEDS_SHARED_DATA = {"image_filters.py"}  # they read MNIST from ../shared/data/mnist
# scripts whose full run takes minutes are run here with these arguments (a short run)
QUICK_ARGS = {
    "time_machine_lm.py": ["--epochs", "1"],
    "softmax_classification.py": ["--epochs", "1", "--n-train", "10000"],
    "mlp_mnist.py": ["--epochs", "1", "--n-train", "10000"],
    "weight_decay_dropout.py": ["--epochs", "2", "--n-train", "60", "--n-test", "500"],
    "batch_norm.py": ["--n-train", "640", "--n-test", "500"],
    "cnn_zoo.py": ["softmax", "--train-size", "2000"],
    "autoencoders.py": ["--n-train", "1000", "--epochs", "1", "--n-test", "1000"],
    "metric_learning.py": ["--n-train", "1000", "--epochs", "1", "--pairs", "500",
                           "--n-test", "1000", "--supports", "2"],
    "transfer_learning.py": ["--pretrain-images", "500", "--epochs", "1", "--test-images", "500"],
    "style_transfer.py": ["--size", "24", "--steps", "10"],
    "char_lstm_shakespeare.py": ["--minutes", "0.02", "--max-chars", "20000", "--hidden", "32",
                                 "--batch-size", "8", "--num-steps", "20"],
}


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_example_runs(script, monkeypatch, request, tmp_path):
    if script.name in NEEDS_SHARED_DATA:
        request.getfixturevalue("shared_data")  # skips, with the reason, where it is absent
    monkeypatch.chdir(tmp_path)  # figures go to ./runs/examples: keep them out of the checkout
    monkeypatch.setattr(sys, "argv", [script.name, *QUICK_ARGS.get(script.name, [])])
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exit_:  # an example may end with sys.exit(0)
        assert exit_.code in (0, None), f"{script.name} exited with {exit_.code}"
