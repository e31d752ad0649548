"""The chapter examples compute what their docstrings say (tests/test_docs.py checks that they
run): softmax regression's formulas, the MLP's learning, vanishing gradients, the effect of
weight decay and dropout, batch normalisation, and the model-zoo runner."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import shendu
from shendu.nn import functional as F

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> ModuleType:
    """examples/NAME.py imported as a module (its main() is not run)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ softmax regression
def test_softmax_and_cross_entropy_are_the_formulas():
    ex = example("softmax_classification")
    rng = np.random.default_rng(0)
    O = shendu.tensor(rng.standard_normal((7, 10)) * 30, dtype=shendu.float64)
    y = rng.integers(0, 10, 7)
    probs = ex.softmax(O).numpy()
    expected = np.exp(O.numpy() - O.numpy().max(1, keepdims=True))
    np.testing.assert_allclose(probs, expected / expected.sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    Y = shendu.tensor(np.eye(10)[y])
    ours = ex.cross_entropy(O, Y).item()
    np.testing.assert_allclose(ours, F.cross_entropy(O, shendu.tensor(y)).item(), rtol=1e-12)
    np.testing.assert_allclose(ours, -np.mean(np.log(probs[np.arange(7), y])), rtol=1e-10)


def test_softmax_regression_learns_and_writes_the_confusion_matrix(tmp_path, capsys):
    ex = example("softmax_classification")
    result = ex.main(["--epochs", "1", "--out", str(tmp_path)])  # 234 steps on 60,000 images
    epoch, loss, train_acc, test_acc = result["logs"][-1]
    assert 0.87 < test_acc < 0.93 and 0.87 < train_acc < 0.93 and loss < 0.8
    cm = result["confusion_matrix"]
    assert cm.shape == (10, 10) and cm.sum() == 10000
    assert np.trace(cm) / cm.sum() == pytest.approx(test_acc)
    gap = float(capsys.readouterr().out.split("max gap ")[1].split()[0])
    assert gap < 1e-6  # autograd's dL/dO is (softmax(O) - Y) / n
    assert (tmp_path / "softmax_confusion_matrix.png").stat().st_size > 1000


# ------------------------------------------------------------------ MLP
def test_mlp_learns_in_one_epoch(tmp_path):
    logs = example("mlp_mnist").main(["--epochs", "1", "--n-train", "20000",
                                      "--out", str(tmp_path)])
    assert set(logs) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert 0.75 < logs["val_accuracy"][0] < 0.95  # 79 steps of SGD (0.82 measured)
    assert logs["val_loss"][0] < logs["loss"][0] < 2.0  # the mean over a rising epoch
    assert (tmp_path / "mlp_mnist_history.png").stat().st_size > 1000


# ------------------------------------------------------------------ initialisation
def test_gradient_norms_vanish_except_for_relu_with_he(tmp_path):
    results = example("initialization").main(["--batch-size", "128", "--out", str(tmp_path)])
    norms = {name: grads for name, (grads, _) in results.items()}
    assert all(len(g) == 10 for g in norms.values())
    # sigmoid: the gradient shrinks towards the input, far more with N(0, 0.01)
    assert norms["sigmoid, N(0, 0.01)"][0] / norms["sigmoid, N(0, 0.01)"][-1] < 1e-9
    assert 1e-9 < norms["sigmoid, Xavier"][0] / norms["sigmoid, Xavier"][-1] < 1e-3
    # ReLU with N(0, 0.01): every layer's gradient is tiny; with He, every layer's is O(1)
    assert np.all(norms["ReLU, N(0, 0.01)"] < 1e-6)
    he = norms["ReLU, He"]
    assert np.all(he > 0.1) and he.max() / he.min() < 10
    assert (tmp_path / "initialization_gradients.png").stat().st_size > 1000


def test_make_mlp_uses_the_given_initialisation():
    ex = example("initialization")
    shendu.manual_seed(0)
    model = ex.make_mlp(4, 300, shendu.nn.ReLU, ex.SETUPS["ReLU, He"][1])
    hidden = model[2].weight.detach().numpy()  # a 300 x 300 layer: std sqrt(2 / 300)
    assert hidden.std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    assert np.all(model[2].bias.detach().numpy() == 0)


# ------------------------------------------------------------------ weight decay, dropout
def test_weight_decay_shrinks_w_and_the_test_loss():
    ex = example("weight_decay_dropout")
    (plain, plain_norm), (decayed, decayed_norm) = ex.train_linear(0), ex.train_linear(3)
    assert plain[-1][0] < 1e-4 and plain[-1][1] > 10  # fits the 20 samples, not the rest
    assert decayed[-1][1] < 0.01 * plain[-1][1]
    assert decayed_norm < 0.1 * plain_norm


def test_weight_decay_narrows_the_mlp_loss_gap():
    ex = example("weight_decay_dropout")
    data = ex.mnist_subset(150, 2000)
    plain = ex.train_mlp(ex.VARIANTS["neither"], data, num_epochs=40)
    decayed = ex.train_mlp(ex.VARIANTS["weight decay 5e-3"], data, num_epochs=40)
    assert plain["train_acc"] == decayed["train_acc"] == 1.0  # both fit the 150 images
    assert plain["train_loss"] < decayed["train_loss"] < 0.1
    # measured: gaps 1.23 and 0.80 (dropout's, 1.18 here, is too close to assert on)
    assert (decayed["test_loss"] - decayed["train_loss"]
            < 0.8 * (plain["test_loss"] - plain["train_loss"]))


def test_weight_decay_dropout_main_reports_every_variant(tmp_path):
    result = example("weight_decay_dropout").main(["--epochs", "2", "--n-train", "60",
                                                   "--n-test", "500", "--out", str(tmp_path)])
    assert list(result["mlp"]) == ["neither", "weight decay 5e-3", "dropout 0.2/0.5", "both"]
    assert set(result["linear"]) == {"lambda=0", "lambda=3"}
    assert (tmp_path / "weight_decay_dropout.png").stat().st_size > 1000


# ------------------------------------------------------------------ batch normalisation
def test_batch_norm_trains_where_plain_sigmoid_lenet_stalls(tmp_path):
    # 50 steps: after fewer, BN's running averages (momentum 0.1) still lag the batch
    # statistics and the eval-mode accuracy is poor although the training loss fell
    result = example("batch_norm").main(["--n-train", "3200", "--n-test", "1000",
                                         "--out", str(tmp_path)])
    plain, bn = result["losses"]["LeNet"], result["losses"]["BN-LeNet"]
    assert len(plain) == len(bn) == 50
    assert np.mean(plain[-5:]) > 2.2  # still on the log 10 plateau
    assert np.mean(bn[-5:]) < 1.5
    accuracy = {name: r["test_acc"] for name, r in result["results"].items()}
    assert accuracy["BN-LeNet"] > accuracy["LeNet"] + 0.3
    assert (tmp_path / "batch_norm_loss.png").stat().st_size > 1000


# ------------------------------------------------------------------ the zoo runner
def test_cnn_zoo_lists_the_registry(capsys):
    from shendu.models import list_models

    assert example("cnn_zoo").main([]) == 0
    listed = capsys.readouterr().out
    assert all(f"{name:<12} " in listed for name in list_models())


def test_cnn_zoo_trains_through_shendu_train(tmp_path, capsys):
    assert example("cnn_zoo").main(["softmax", "--train-size", "2000",
                                    "--out", str(tmp_path / "run")]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["config"]["model"] == "softmax" and len(metrics["val_accuracy"]) == 1
    assert metrics["val_accuracy"][0] > 0.5   # 8 Adam steps of softmax regression: 0.5756
    assert "test accuracy" in capsys.readouterr().out
