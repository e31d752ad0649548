"""shendu.models.style_transfer: the Gram matrix and the three losses against NumPy formulas and
hand values, gradient checks in float64, the feature extractor, a few optimisation steps, the
errors, and a short run of examples/style_transfer.py."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.autograd.gradcheck import gradcheck
from shendu.models.style_transfer import (
    FeatureExtractor,
    content_loss,
    gram_matrix,
    postprocess,
    preprocess,
    style_loss,
    total_variation_loss,
    transfer_style,
)

ROOT = Path(__file__).resolve().parents[1]


def tiny_net() -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 6, 3, padding=1))


def f64(rng: np.random.Generator, *shape, grad: bool = True) -> shendu.Tensor:
    return shendu.tensor(rng.standard_normal(shape), dtype=shendu.float64, requires_grad=grad)


# ------------------------------------------------------------------------ gram and losses
def test_gram_matrix_matches_numpy_and_hand_value():
    rng = np.random.default_rng(0)
    x = f64(rng, 2, 3, 4, 5, grad=False)
    expected = np.einsum("nchw,ndhw->ncd", x.numpy(), x.numpy()) / (3 * 4 * 5)
    np.testing.assert_allclose(gram_matrix(x).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(gram_matrix(x[0]).numpy(), expected[0], rtol=1e-12)  # (C, H, W)
    # one channel [[1, 2], [3, 4]]: (1 + 4 + 9 + 16) / (1 * 2 * 2)
    one = shendu.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    assert gram_matrix(one).numpy()[0, 0, 0] == pytest.approx(7.5)


def test_losses_match_numpy_formulas():
    rng = np.random.default_rng(1)
    y_hat, y = f64(rng, 1, 3, 5, 6, grad=False), f64(rng, 1, 3, 5, 6, grad=False)
    a, b = y_hat.numpy(), y.numpy()
    assert content_loss(y_hat, y).item() == pytest.approx(((a - b) ** 2).mean(), rel=1e-12)
    gram_b = np.einsum("nchw,ndhw->ncd", b, b) / (3 * 5 * 6)
    gram_a = np.einsum("nchw,ndhw->ncd", a, a) / (3 * 5 * 6)
    assert style_loss(y_hat, gram_matrix(y)).item() == pytest.approx(
        ((gram_a - gram_b) ** 2).mean(), rel=1e-12)
    tv = 0.5 * (np.abs(np.diff(a, axis=2)).mean() + np.abs(np.diff(a, axis=3)).mean())
    assert total_variation_loss(y_hat).item() == pytest.approx(tv, rel=1e-12)


def test_total_variation_hand_value():
    x = shendu.tensor([[[[0.0, 1.0], [3.0, 5.0]]]])
    # vertical |3 - 0|, |5 - 1| -> mean 3.5; horizontal |1 - 0|, |5 - 3| -> mean 1.5
    assert total_variation_loss(x).item() == pytest.approx(0.5 * (3.5 + 1.5))
    assert total_variation_loss(shendu.ones(1, 3, 4, 4)).item() == 0.0


def test_targets_are_detached():
    rng = np.random.default_rng(2)
    y_hat, y = f64(rng, 1, 2, 3, 3), f64(rng, 1, 2, 3, 3)
    (content_loss(y_hat, y) + style_loss(y_hat, gram_matrix(y))).backward()
    assert y_hat.grad is not None and y.grad is None


def test_gradcheck_float64():
    rng = np.random.default_rng(3)
    x, y = f64(rng, 2, 3, 3, 4), f64(rng, 2, 3, 3, 4, grad=False)
    gram_y = gram_matrix(y)
    assert gradcheck(gram_matrix, (x,))
    assert gradcheck(lambda t: content_loss(t, y), (x,))
    assert gradcheck(lambda t: style_loss(t, gram_y), (x,))
    assert gradcheck(total_variation_loss, (x,))   # random values: no |0| kinks


# ------------------------------------------------------------------------------ extractor
def test_extractor_returns_the_outputs_of_the_chosen_layers():
    shendu.manual_seed(0)
    net = tiny_net()
    extractor = FeatureExtractor(net, content_layers=[4], style_layers=[0, 3])
    assert len(extractor.net) == 5          # cut after layer 4; layer 5 is never run
    x = shendu.randn(1, 3, 8, 8)
    contents, styles = extractor(x)
    with shendu.no_grad():
        outputs, h = [], x
        for layer in net:
            h = layer(h)
            outputs.append(h.numpy())
    assert len(contents) == 1 and len(styles) == 2
    np.testing.assert_allclose(contents[0].detach().numpy(), outputs[4], rtol=1e-6)
    np.testing.assert_allclose(styles[0].detach().numpy(), outputs[0], rtol=1e-6)
    np.testing.assert_allclose(styles[1].detach().numpy(), outputs[3], rtol=1e-6)
    assert [tuple(s.shape) for s in styles] == [(1, 4, 8, 8), (1, 6, 4, 4)]
    assert extractor.net[0] is net[0]       # shared, not copied


# --------------------------------------------------------------------------- optimisation
def test_a_few_adam_steps_decrease_the_loss_and_leave_the_network_alone():
    shendu.manual_seed(1)
    net = tiny_net()
    before = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    content, style = shendu.randn(1, 3, 12, 12), shendu.randn(1, 3, 10, 10)
    image, history = transfer_style(content, style, net, content_layers=[3],
                                    style_layers=[0, 5], weights=(1.0, 1e3, 10.0),
                                    num_steps=8, lr=0.05)
    assert image.shape == (1, 3, 12, 12) and not image.requires_grad
    assert len(history["total"]) == 8
    assert history["total"][-1] < 0.8 * history["total"][0]
    total = np.array(history["content"]) + np.array(history["style"]) + np.array(history["tv"])
    np.testing.assert_allclose(total, history["total"], rtol=1e-5)
    assert not np.allclose(image.numpy(), content.numpy())
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value.detach().numpy(), before[key])
    assert all(p.requires_grad for p in net.parameters())   # flags restored afterwards
    assert all(p.grad is None for p in net.parameters())


def test_preprocess_postprocess_round_trip():
    image = np.random.default_rng(4).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    tensor = preprocess(image)
    assert tensor.shape == (1, 3, 5, 7) and tensor.dtype == shendu.float32
    np.testing.assert_array_equal(postprocess(tensor), image)


# ------------------------------------------------------------------------------- errors
def test_errors():
    net = tiny_net()
    with pytest.raises(ValueError, match=r"FeatureExtractor: style_layers \[6, 9\] out of range"
                                         r".*6 layers"):
        FeatureExtractor(net, content_layers=[1], style_layers=[0, 6, 9])
    with pytest.raises(ValueError, match=r"FeatureExtractor: content_layers \[-1\]"):
        FeatureExtractor(net, content_layers=[-1], style_layers=[0])
    with pytest.raises(TypeError, match="FeatureExtractor: net must be an nn.Sequential"):
        FeatureExtractor(nn.Linear(2, 2), [0], [0])
    image = shendu.randn(1, 3, 4, 4)
    with pytest.raises(ValueError, match="transfer_style: with a plain network"):
        transfer_style(image, image, net)
    with pytest.raises(ValueError, match=r"transfer_style: weights must be three"):
        transfer_style(image, image, net, [1], [0], weights=(1.0, 2.0))
    with pytest.raises(ValueError, match=r"transfer_style: content_image must have shape"):
        transfer_style(image[0], image, net, [1], [0])
    with pytest.raises(ValueError, match=r"gram_matrix: features must have shape"):
        gram_matrix(shendu.randn(3, 4))
    with pytest.raises(ValueError, match=r"style_loss: gram_y must be \(3, 3\)"):
        style_loss(shendu.randn(1, 3, 4, 4), shendu.randn(2, 2))
    with pytest.raises(ValueError, match=r"total_variation_loss: the image must be at least"):
        total_variation_loss(shendu.randn(1, 3, 1, 4))


# ------------------------------------------------------------------------------ example
def test_example_writes_the_png(tmp_path, monkeypatch, capsys):
    pytest.importorskip("PIL")
    from PIL import Image

    out = tmp_path / "styled.png"
    monkeypatch.setattr(sys, "argv", ["style_transfer.py", "--size", "16", "--steps", "3",
                                      "--out", str(out)])
    runpy.run_path(str(ROOT / "examples" / "style_transfer.py"), run_name="__main__")
    with Image.open(out) as png:
        assert png.size == (3 * 16, 16) and png.mode == "RGB"
    printed = capsys.readouterr().out
    assert "3 steps on 16 x 16" in printed and "step    3: total" in printed
