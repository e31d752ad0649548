"""PyTorch state_dicts load into shendu models of the same architecture and back, and a small
network trained with plain SGD learns XOR (what a single-layer perceptron cannot)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn

GOLDEN = Path(__file__).parent / "golden" / "state_dict_mlp.npz"


def mlp_with_batchnorm():
    """The architecture of tools/make_golden_state_dict.py."""
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def golden():
    with np.load(GOLDEN, allow_pickle=False) as data:
        return {k: data[k] for k in data}


def test_pytorch_state_dict_loads_and_gives_the_same_outputs():
    data = golden()
    state = {k[len("state/"):]: v for k, v in data.items() if k.startswith("state/")}
    model = mlp_with_batchnorm()
    assert list(model.state_dict()) == list(state)  # same keys, same order
    model.load_state_dict(state)
    model.eval()
    with shendu.no_grad():
        out = model(shendu.tensor(data["input"])).numpy()
    expected = data["output_eval"]
    assert np.max(np.abs(out - expected)) <= 1e-5 * np.max(np.abs(expected))
    assert model[1].num_batches_tracked.item() == int(state["1.num_batches_tracked"])


@pytest.mark.torch
def test_shendu_state_dict_loads_into_pytorch():
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    shendu.manual_seed(3)
    model = mlp_with_batchnorm()
    for _ in range(3):  # training-mode forwards move the running statistics
        model(shendu.randn(10, 4))
    model.eval()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8),
                                 torch.nn.ReLU(), torch.nn.Linear(8, 3))
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.numpy()))
                            for k, v in model.state_dict().items()})
    theirs.eval()
    x = shendu.randn(5, 4)
    with shendu.no_grad():
        ours = model(x).numpy()
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x.numpy())).numpy()
    assert np.max(np.abs(ours - expected)) <= 1e-5 * np.max(np.abs(expected))


def test_mlp_learns_xor_with_plain_sgd():
    shendu.manual_seed(0)
    X = shendu.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = shendu.tensor([0, 1, 1, 0])
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    lr = 0.5
    for _ in range(500):
        loss = nn.functional.cross_entropy(model(X), y)
        model.zero_grad()
        loss.backward()
        with shendu.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    assert accuracy == 1.0, f"XOR accuracy {accuracy} after 500 SGD steps (loss {loss.item():.4f})"


def test_single_linear_layer_cannot_learn_xor():
    """The curriculum's point: XOR is not linearly separable, so a linear model stays below
    100% whatever the training."""
    shendu.manual_seed(0)
    X = shendu.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = shendu.tensor([0, 1, 1, 0])
    model = nn.Linear(2, 2)
    for _ in range(500):
        loss = nn.functional.cross_entropy(model(X), y)
        model.zero_grad()
        loss.backward()
        with shendu.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert (model(X).argmax(dim=1) == y).float().mean().item() <= 0.75
