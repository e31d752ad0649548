"""shendu.plot: every function writes a readable PNG of the asked size, atomically, handles the
edge cases of real training logs, and says what to install when matplotlib is missing."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import shendu
from shendu import nn, plot

matplotlib_image = pytest.importorskip("matplotlib.image")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGSIZE, DPI = (4, 3), 40  # small figures keep the tests fast: 160 x 120 pixels


def read_png(path):
    """The image's pixels (H, W, 4) in [0, 1], after checking the file is a PNG."""
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE
    return matplotlib_image.imread(path)


def assert_png(path, figsize=FIGSIZE, dpi=DPI):
    pixels = read_png(path)
    assert pixels.shape == (round(figsize[1] * dpi), round(figsize[0] * dpi), 4)
    assert pixels[..., :3].std() > 0.01  # something was drawn, not a blank canvas
    return pixels


def red_pixels(pixels) -> int:
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(np.count_nonzero((r > 0.8) & (g < 0.3) & (b < 0.3)))


HISTORY = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.7, 0.5],
           "accuracy": [0.5, 0.7, 0.8], "val_accuracy": [0.45, 0.6, 0.7], "lr": [0.1] * 3}


# ------------------------------------------------------------------ learning curves
def test_plot_history_writes_the_png_and_returns_the_path(tmp_path):
    out = tmp_path / "deep" / "er" / "history.png"  # missing folders are made
    assert plot.plot_history(HISTORY, out, figsize=FIGSIZE, dpi=DPI, title="run 1") == out
    assert_png(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["history.png"]  # no temporary left


def test_plot_history_default_size_and_a_history_object(tmp_path):
    class History:  # anything with a Keras-style .history dict
        history = HISTORY

    path = plot.plot_history(History(), str(tmp_path / "h.png"))
    assert_png(path, figsize=(9.0, 3.5), dpi=100)  # two panels (loss, accuracy), 4.5 x 3.5 each


def test_plot_history_one_epoch_missing_val_keys_and_gaps(tmp_path):
    assert_png(plot.plot_history({"loss": [0.7]}, tmp_path / "one.png", figsize=FIGSIZE,
                                 dpi=DPI))
    only_val = {"loss": [1.0, 0.5], "val_accuracy": [0.3, None]}  # None: an epoch not logged
    assert_png(plot.plot_history(only_val, tmp_path / "gaps.png", figsize=FIGSIZE, dpi=DPI))


def test_which_curves_are_drawn():
    logs = {"accuracy": [1], "lr": [1], "val_loss": [1], "loss": [1], "val_f1": [1]}
    assert plot._curve_names(logs, None, "t") == ["loss", "accuracy", "f1"]
    assert plot._curve_names(logs, "lr", "t") == ["lr"]
    with pytest.raises(ValueError, match=r"no 'top5' or 'val_top5' in the history; it holds "
                                         r"\['accuracy', 'lr', 'loss', 'f1'\]"):
        plot._curve_names(logs, ["loss", "top5"], "t")


def test_plot_history_replaces_an_existing_file(tmp_path):
    out = tmp_path / "h.png"
    out.write_bytes(b"old")
    plot.plot_history(HISTORY, out, metrics=["loss"], figsize=FIGSIZE, dpi=DPI)
    assert_png(out)


# ------------------------------------------------------------------ confusion matrix
@pytest.mark.parametrize("normalize", [False, True])
def test_plot_confusion_matrix(tmp_path, normalize):
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 0]])  # the last class has no samples
    out = plot.plot_confusion_matrix(cm, tmp_path / "cm.png", class_names=["cat", "dog", "emu"],
                                     normalize=normalize, figsize=FIGSIZE, dpi=DPI)
    assert_png(out)


def test_plot_confusion_matrix_from_metrics_and_many_classes(tmp_path):
    from shendu.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    cm = confusion_matrix(rng.integers(0, 40, 500), rng.integers(0, 40, 500), num_classes=40)
    assert_png(plot.plot_confusion_matrix(shendu.tensor(cm), tmp_path / "cm.png",
                                          figsize=FIGSIZE, dpi=DPI))


# ------------------------------------------------------------------ images, filters, maps
def test_plot_images_marks_wrong_predictions_in_red(tmp_path):
    images = np.random.default_rng(0).random((6, 1, 8, 8))  # grey: no red of their own
    labels = np.array([0, 1, 2, 0, 1, 2])
    right = plot.plot_images(images, tmp_path / "right.png", labels=labels, predictions=labels,
                             class_names=["a", "b", "c"], ncols=3, figsize=(6, 4), dpi=DPI)
    scores = np.eye(3)[[0, 1, 2, 0, 2, 1]]  # two wrong, given as class scores
    wrong = plot.plot_images(images, tmp_path / "wrong.png", labels=labels, predictions=scores,
                             class_names=["a", "b", "c"], ncols=3, figsize=(6, 4), dpi=DPI)
    assert red_pixels(assert_png(right, (6, 4))) == 0
    assert red_pixels(assert_png(wrong, (6, 4))) > 0


@pytest.mark.parametrize("shape, dtype", [((5, 8, 8), np.float32), ((5, 3, 8, 8), np.float64),
                                          ((5, 1, 8, 8), np.uint8)])
def test_plot_images_grey_rgb_and_uint8(tmp_path, shape, dtype):
    rng = np.random.default_rng(1)
    images = (rng.random(shape) * 255).astype(dtype) if dtype == np.uint8 else \
        rng.normal(size=shape).astype(dtype)  # outside [0, 1]: stretched per image
    out = plot.plot_images(shendu.tensor(images), tmp_path / "i.png", labels=[0, 1, 2, 3, 4],
                           figsize=FIGSIZE, dpi=DPI)
    assert_png(out)


def test_plot_filters_of_a_conv_layer(tmp_path):
    shendu.manual_seed(0)
    weight = nn.Conv2d(1, 6, 5).weight  # a Parameter that requires grad
    assert_png(plot.plot_filters(weight, tmp_path / "f1.png", figsize=FIGSIZE, dpi=DPI))
    rgb = nn.Conv2d(3, 8, 3).weight
    assert_png(plot.plot_filters(rgb, tmp_path / "f3.png", ncols=4, figsize=FIGSIZE, dpi=DPI))
    many = nn.Conv2d(4, 2, 3).weight
    assert_png(plot.plot_filters(many, tmp_path / "f4.png", figsize=FIGSIZE, dpi=DPI))


def test_plot_feature_maps(tmp_path):
    maps = np.maximum(np.random.default_rng(2).normal(size=(1, 6, 12, 12)), 0)
    maps[0, 3] = 0.0  # a dead channel (constant) must not divide by zero
    assert_png(plot.plot_feature_maps(maps, tmp_path / "m.png", figsize=FIGSIZE, dpi=DPI))
    assert_png(plot.plot_feature_maps(maps[0], tmp_path / "m3.png", ncols=3, figsize=FIGSIZE,
                                      dpi=DPI))


def test_mosaic_layout_and_scaling():
    tiles = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    mosaic = plot._mosaic(plot._scale_each(tiles), ncols=2)
    assert mosaic.shape == (5, 5)
    np.testing.assert_array_equal(mosaic[:2, :2], [[0, 1 / 3], [2 / 3, 1]])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[:, 2]).all()  # the gaps
    assert np.isnan(mosaic[3:, 3:]).all()  # the empty fourth cell
    np.testing.assert_array_equal(plot._scale_each(np.full((1, 2, 2), 7.0)), np.zeros((1, 2, 2)))


# ------------------------------------------------------------------ errors and the extra
def test_figure_and_save_figure_for_a_plot_of_ones_own(tmp_path):
    fig = plot.figure(figsize=FIGSIZE)
    fig.add_subplot().plot([0, 1, 2], [2, 0, 1])
    path = plot.save_figure(fig, tmp_path / "new" / "line.png", dpi=DPI)
    assert path == tmp_path / "new" / "line.png"
    assert_png(path)
    assert [p.name for p in path.parent.iterdir()] == ["line.png"]  # no temporary file left
    with pytest.raises(ValueError, match=r"save_figure: writes PNG files"):
        plot.save_figure(plot.figure(), tmp_path / "line.jpg")


def test_missing_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install shendu\[plot\]"):
        plot.plot_history(HISTORY, tmp_path / "h.png")
    with pytest.raises(ImportError, match=r"pip install shendu\[plot\]"):
        plot.plot_filters(np.ones((2, 1, 3, 3)), tmp_path / "f.png")
    with pytest.raises(ImportError, match=r"pip install shendu\[plot\]"):
        plot.figure()
    assert not (tmp_path / "h.png").exists()


ERRORS = [
    (lambda p: plot.plot_history(HISTORY, p / "h.jpg"), ValueError,
     r"plot_history: writes PNG files, so path must end in .png"),
    (lambda p: plot.plot_history([1, 2], p / "h.png"), TypeError,
     r"plot_history: history must be a dict of lists"),
    (lambda p: plot.plot_history({"loss": []}, p / "h.png"), ValueError,
     r"history holds no epochs"),
    (lambda p: plot.plot_history({"loss": ["x"]}, p / "h.png"), TypeError,
     r"history\['loss'\] must be a list of numbers"),
    (lambda p: plot.plot_history(HISTORY, p / "h.png", metrics=[]), ValueError,
     r"metrics is empty"),
    (lambda p: plot.plot_confusion_matrix(np.ones((2, 3)), p / "c.png"), ValueError,
     r"cm must be a square \(C, C\) matrix, got shape \(2, 3\)"),
    (lambda p: plot.plot_confusion_matrix(np.eye(2), p / "c.png", class_names=["a"]), ValueError,
     r"1 class_names for a 2 x 2 matrix"),
    (lambda p: plot.plot_confusion_matrix(-np.eye(2), p / "c.png"), ValueError,
     r"cm holds negative counts"),
    (lambda p: plot.plot_images(np.ones((2, 2, 4, 4)), p / "i.png"), ValueError,
     r"images must be \(N, H, W\) or \(N, C, H, W\) with C = 1 \(grey\) or 3 \(RGB\)"),
    (lambda p: plot.plot_images(np.ones((2, 4, 4)), p / "i.png", labels=[0]), ValueError,
     r"1 labels for 2 images"),
    (lambda p: plot.plot_images(np.ones((2, 4, 4)), p / "i.png", labels=[0, 5],
                                class_names=["a", "b"]), ValueError,
     r"labels holds an index outside \[0, 2\)"),
    (lambda p: plot.plot_images(np.ones((2, 4, 4)), p / "i.png", ncols=0), ValueError,
     r"ncols must be a positive int"),
    (lambda p: plot.plot_filters(np.ones((2, 3, 3)), p / "f.png"), ValueError,
     r"weight must be convolution weights \(out_channels, in_channels, kh, kw\)"),
    (lambda p: plot.plot_feature_maps(np.ones((2, 3, 4, 4)), p / "m.png"), ValueError,
     r"maps must be one sample's \(C, H, W\) activations"),
]


@pytest.mark.parametrize("call, error, message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors_say_what_is_wrong(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written
