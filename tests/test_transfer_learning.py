"""Transfer learning (examples/transfer_learning.py): frozen layers get no gradient and do not
move while the new output layer learns, and a LeNet-5 pretrained on MNIST digits 0-4 learns
digits 5-9 from 500 images better than one trained from scratch on them."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.models.classic import lenet
from shendu.nn import functional as F

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def example() -> dict:
    """The example's functions (run as a module, not as a script)."""
    return runpy.run_path(str(ROOT / "examples" / "transfer_learning.py"),
                          run_name="transfer_learning_example")


def snapshot(module: nn.Module) -> dict[str, np.ndarray]:
    return {name: p.detach().numpy().copy() for name, p in module.named_parameters()}


def test_frozen_layers_do_not_change_while_the_head_learns(example):
    shendu.manual_seed(0)
    pretrained = lenet(num_classes=5)
    original = snapshot(pretrained)
    model = example["frozen_features"](pretrained)
    assert model[-1] is not pretrained[-1]             # a new output layer, on a copy
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen == {"0.weight", "0.bias", "3.weight", "3.bias"}   # the two conv layers
    before = snapshot(model)
    # every parameter in one group: the frozen ones sit beside the trainable ones
    optimizer = shendu.optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)
    for _ in range(3):
        X = shendu.from_numpy(rng.standard_normal((16, 1, 28, 28)).astype(np.float32))
        y = shendu.from_numpy(rng.integers(0, 5, size=16))
        loss = F.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        for name, p in model.named_parameters():
            assert (p.grad is None) == (name in frozen), name
        optimizer.step()
    after = snapshot(model)
    for name in before:
        if name in frozen:
            np.testing.assert_array_equal(after[name], before[name], err_msg=name)
        else:
            assert not np.allclose(after[name], before[name]), f"{name} did not learn"
    assert not any(p in optimizer.state for p in model.parameters() if not p.requires_grad)
    for name, value in snapshot(pretrained).items():   # the pretrained model is untouched
        np.testing.assert_array_equal(value, original[name])


def test_train_with_a_wholly_frozen_body_updates_only_the_head(example):
    shendu.manual_seed(1)
    model = example["new_head"](lenet(num_classes=5))
    model[:-1].requires_grad_(False)
    before = snapshot(model)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((32, 1, 28, 28)).astype(np.float32)
    example["train"](model, X, rng.integers(0, 5, size=32), epochs=1, lr=1e-3, head_lr=1e-2,
                     batch_size=16)
    after = snapshot(model)
    changed = {name for name in before if not np.array_equal(before[name], after[name])}
    assert changed == {"11.weight", "11.bias"}


def test_transfer_beats_training_from_scratch(example):
    # a short run: one pass over 4,000 images of digits 0-4, five epochs on the 500 images
    # of digits 5-9, tested on the first 1,000 test images of digits 5-9
    results = example["run"](n_pretrain=4000, pretrain_epochs=1, epochs=5, seed=0,
                             n_test=1000)
    scratch = results["from scratch"]
    fine_tuned = results["fine-tuned, new head"]
    frozen = results["frozen features, new head"]
    assert 0.6 < scratch < fine_tuned, results
    assert frozen > 0.8, results
