"""Plots of training, written as PNG files: learning curves, confusion matrices, image grids
with their labels, first-layer filters and feature maps.

matplotlib is an optional extra (``pip install shendu[plot]``), imported when a function is
first called. Figures are built with ``matplotlib.figure.Figure`` directly, not with pyplot,
so nothing here needs a display, changes the user's matplotlib backend or leaves figures
open in pyplot's registry. Each function writes its PNG atomically (a temporary file in the
same folder, then a rename), creates missing parent folders, and returns the path.

Every function takes ``figsize`` (inches; a size suited to the content by default) and
``dpi`` (100): the PNG is ``figsize * dpi`` pixels.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from shendu.tensor import Tensor

PathLike = str | os.PathLike
_NOT_CURVES = ("lr", "learning_rate")  # logged by the Trainer, but not learning curves


# ------------------------------------------------------------------ shared helpers
def figure(figsize: tuple[float, float] = (6.4, 4.8), **kwargs):
    """A new matplotlib ``Figure`` (constrained layout, no pyplot) for a plot of your own,
    to be written with :func:`save_figure`; an ImportError naming the extra to install when
    matplotlib is missing.

    >>> fig = figure(figsize=(4, 3))              # doctest: +SKIP
    >>> fig.add_subplot().plot([1, 2], [3, 4])    # doctest: +SKIP
    >>> save_figure(fig, "runs/line.png")         # doctest: +SKIP
    """
    return _figure_class()(figsize=figsize, layout="constrained", **kwargs)


def save_figure(fig, path: PathLike, *, dpi: float = 100) -> Path:
    """Write ``fig`` as a PNG at ``path``, atomically, creating missing folders; returns the
    path."""
    return _save(fig, _png_path(path, "save_figure"), dpi)


def _figure_class():
    """matplotlib's ``Figure``, imported on first use, or an ImportError saying what to install."""
    try:
        import matplotlib  # noqa: F401  (imported first, so a missing matplotlib is caught here)
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError("shendu.plot needs matplotlib, an optional extra: "
                          "pip install shendu[plot]  (or: pip install matplotlib)") from err
    return Figure


def _png_path(path: PathLike, fn: str) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"{fn}: writes PNG files, so path must end in .png, got {str(path)!r}")
    return path


def _save(fig, path: Path, dpi: float) -> Path:
    """Write ``fig`` to ``path`` as PNG through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            fig.savefig(f, format="png", dpi=dpi)
        os.chmod(tmp, 0o644)  # mkstemp makes it private (0600); a plot is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        fig.clear()  # frees the artists at once; the figure is not registered anywhere
    return path


def _array(x, name: str, fn: str) -> np.ndarray:
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{fn}: {name} must hold numbers, got dtype {array.dtype}")
    return array


def _scale_each(tiles: np.ndarray) -> np.ndarray:
    """Each tile (axis 0) mapped linearly to [0, 1] by its own minimum and maximum; a
    constant tile becomes 0."""
    tiles = tiles.astype(np.float64)
    axes = tuple(range(1, tiles.ndim))
    low = tiles.min(axis=axes, keepdims=True)
    span = tiles.max(axis=axes, keepdims=True) - low
    return np.divide(tiles - low, span, out=np.zeros_like(tiles), where=span > 0)


def _mosaic(tiles: np.ndarray, ncols: int) -> np.ndarray:
    """Tiles (n, h, w) or (n, h, w, 3) in [0, 1] laid out in a grid with 1-pixel gaps. Gaps
    are nan (grey tiles) or transparent (RGB tiles) so the figure background shows."""
    n, h, w = tiles.shape[:3]
    rgb = tiles.ndim == 4
    nrows = math.ceil(n / ncols)
    shape = (nrows * (h + 1) - 1, ncols * (w + 1) - 1) + ((4,) if rgb else ())
    out = np.zeros(shape) if rgb else np.full(shape, np.nan)
    for i in range(n):
        r, c = divmod(i, ncols)
        cell = out[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w]
        if rgb:
            cell[..., :3], cell[..., 3] = tiles[i], 1.0
        else:
            cell[...] = tiles[i]
    return out


def _mosaic_figure(mosaic: np.ndarray, path: Path, title: str, cmap: str, background: str,
                   figsize, dpi) -> Path:
    """One image of the mosaic; the gaps show ``background``, a colour the tiles do not use."""
    Figure = _figure_class()
    if figsize is None:
        height, width = mosaic.shape[:2]
        scale = 8.0 / max(height, width)
        figsize = (max(2.5, width * scale), max(2.5, height * scale + 0.5))
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(mosaic, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_facecolor(background)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=10)
    return _save(fig, path, dpi)


def _check_ncols(ncols, fn: str) -> int:
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"{fn}: ncols must be a positive int, got {ncols!r}")
    return int(ncols)


# ------------------------------------------------------------------ learning curves
def _history_logs(history, fn: str) -> dict[str, np.ndarray]:
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(f"{fn}: history must be a dict of lists (Keras's History.history) or an "
                        f"object with such a .history, got {type(history).__name__}")
    arrays = {}
    for key, values in logs.items():
        try:  # None (a missing epoch) becomes nan, which matplotlib leaves as a gap
            arrays[str(key)] = np.asarray(values, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"{fn}: history[{key!r}] must be a list of numbers, one per epoch, "
                            f"got {values!r}") from None
    if not any(a.size for a in arrays.values()):
        raise ValueError(f"{fn}: history holds no epochs; train at least one epoch first")
    return arrays


def _curve_names(logs: dict, metrics, fn: str) -> list[str]:
    """The metrics to draw: those asked for, or every logged one ('loss' first, then in the
    order logged, without the learning rate), named without the ``val_`` prefix."""
    available = []
    for key in logs:
        base = key[4:] if key.startswith("val_") else key
        if base not in available:
            available.append(base)
    if metrics is None:
        names = [n for n in available if n not in _NOT_CURVES]
        return sorted(names, key=lambda n: n != "loss")  # stable: only moves loss to the front
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    for name in names:
        if name not in available:
            raise ValueError(f"{fn}: no {name!r} or 'val_{name}' in the history; it holds "
                             f"{available} (name a metric without the 'val_' prefix)")
    if not names:
        raise ValueError(f"{fn}: metrics is empty; name at least one of {available}")
    return names


def plot_history(history, path: PathLike, *, metrics: str | Sequence[str] | None = None,
                 title: str | None = None, figsize=None, dpi: float = 100) -> Path:
    """Learning curves: one panel per metric, the training and validation values per epoch.

    Args:
        history: a dict of per-epoch lists as Keras's ``History.history``
            (``{'loss': [...], 'val_loss': [...], 'accuracy': [...], ...}``), or an object
            with such a ``.history`` (a Trainer's History). nan or None marks a missing epoch.
        path: the PNG file to write.
        metrics: the metrics to draw, named without ``val_`` (``['loss', 'accuracy']``); by
            default all of them, loss first, without the learning rate (``'lr'``).
        title: a title over all panels.

    The x axis is the epoch, 1 to n; training is drawn with circles, validation with squares
    and a dashed line; a metric logged only for validation gets just that curve.

    Returns:
        ``path`` as a Path.
    """
    fn = "plot_history"
    path = _png_path(path, fn)
    logs = _history_logs(history, fn)
    names = _curve_names(logs, metrics, fn)
    Figure = _figure_class()
    from matplotlib.ticker import MaxNLocator

    ncols = min(len(names), 3)
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=figsize or (4.5 * ncols, 3.5 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        curves = ((name, "train", "o-", "C0"), (f"val_{name}", "validation", "s--", "C1"))
        for key, label, style, color in curves:
            if key in logs and logs[key].size:
                epochs = np.arange(1, logs[key].size + 1)
                ax.plot(epochs, logs[key], style, color=color, label=label, markersize=4)
        last = max([logs[k].size for k in (name, f"val_{name}") if k in logs] + [1])
        ax.set_xlim(0.5, last + 0.5)  # so that one epoch still gets the integer tick 1
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        ax.grid(True, alpha=0.3)
        ax.legend()
    for ax in axes[len(names):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return _save(fig, path, dpi)


# ------------------------------------------------------------------ confusion matrix
def plot_confusion_matrix(cm, path: PathLike, *, class_names: Sequence[str] | None = None,
                          normalize: bool = False, title: str | None = None,
                          cmap: str = "Blues", figsize=None, dpi: float = 100) -> Path:
    """A confusion matrix as a heatmap, every cell annotated with its count.

    Args:
        cm: counts of shape (C, C), rows true classes and columns predicted ones (as
            :func:`shendu.metrics.confusion_matrix` returns).
        path: the PNG file to write.
        class_names: C names for the axes; class indices by default.
        normalize: divide each row by its total, so a cell is the fraction of a true class
            predicted as each class (the diagonal is then the recall); cells show 2 decimals.
        title: the figure's title.
        cmap: a matplotlib colour map.

    Cells are annotated up to C = 30; beyond that the numbers would not be legible.
    """
    fn = "plot_confusion_matrix"
    path = _png_path(path, fn)
    cm = _array(cm, "cm", fn)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.size == 0:
        raise ValueError(f"{fn}: cm must be a square (C, C) matrix, got shape {cm.shape}")
    if np.any(cm < 0):
        raise ValueError(f"{fn}: cm holds negative counts; expected counts or fractions >= 0")
    n = cm.shape[0]
    names = [str(i) for i in range(n)] if class_names is None else [str(c) for c in class_names]
    if len(names) != n:
        raise ValueError(f"{fn}: {len(names)} class_names for a {n} x {n} matrix")
    values = cm.astype(np.float64)
    if normalize:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    top = 1.0 if normalize else max(float(values.max()), 1.0)

    Figure = _figure_class()
    side = min(max(4.0, 0.45 * n + 2.5), 16.0)
    fig = Figure(figsize=figsize or (side + 1.0, side), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap=cmap, vmin=0.0, vmax=top)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if n <= 30:
        size = max(5.0, min(10.0, 120.0 / n))
        for (i, j), v in np.ndenumerate(values):
            text = f"{v:.2f}" if normalize else f"{v:g}"
            ax.text(j, i, text, ha="center", va="center", fontsize=size,
                    color="white" if v > top / 2 else "black")
    long_names = max(map(len, names)) > 3
    ax.set_xticks(range(n), names, rotation=45 if long_names else 0,
                  ha="right" if long_names else "center")
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    default = "confusion matrix" + (" (each row sums to 1)" if normalize else "")
    ax.set_title(title or default)
    return _save(fig, path, dpi)


# ------------------------------------------------------------------ image grids
def _images_for_display(images: np.ndarray, fn: str) -> np.ndarray:
    """(N, H, W) or (N, C, H, W) with C 1 or 3 -> (N, H, W) or (N, H, W, 3) in [0, 1]."""
    if images.ndim == 4 and images.shape[1] in (1, 3):
        images = images[:, 0] if images.shape[1] == 1 else images.transpose(0, 2, 3, 1)
    elif images.ndim != 3:
        raise ValueError(f"{fn}: images must be (N, H, W) or (N, C, H, W) with C = 1 "
                         f"(grey) or 3 (RGB), got shape {images.shape}")
    if images.shape[0] == 0:
        raise ValueError(f"{fn}: no images to plot (N = 0)")
    if images.dtype == np.uint8:
        return images / 255.0
    images = images.astype(np.float64)
    if np.all((images >= 0) & (images <= 1)):
        return images
    return _scale_each(images)  # normalised inputs (x - mean) / std, for example


def _label_names(values, n: int, class_names, name: str, fn: str) -> list[str] | None:
    if values is None:
        return None
    values = _array(values, name, fn)
    if values.ndim == 2:  # class scores
        values = values.argmax(axis=1)
    values = values.reshape(-1)
    if values.size != n:
        raise ValueError(f"{fn}: {values.size} {name} for {n} images")
    if class_names is None:
        return [str(v) for v in values.tolist()]
    if values.dtype.kind == "f" and np.any(values != np.round(values)):
        raise ValueError(f"{fn}: {name} must be class indices to look up class_names")
    indices = values.astype(np.int64)
    if np.any((indices < 0) | (indices >= len(class_names))):
        raise ValueError(f"{fn}: {name} holds an index outside [0, {len(class_names)}), the "
                         "range of class_names")
    return [str(class_names[i]) for i in indices.tolist()]


def plot_images(images, path: PathLike, *, labels=None, predictions=None,
                class_names: Sequence[str] | None = None, ncols: int = 8, figsize=None,
                dpi: float = 100) -> Path:
    """A grid of images, each titled with its label, its prediction, or ``true/predicted``.

    Args:
        images: (N, H, W) or (N, C, H, W) with C = 1 (grey) or 3 (RGB). uint8 is read as
            0..255; floats within [0, 1] as they are; other floats (normalised inputs) are
            stretched to [0, 1] image by image.
        path: the PNG file to write.
        labels: the true classes, (N,).
        predictions: the predicted classes (N,) or class scores (N, C) (argmax is taken).
        class_names: names looked up by class index; the indices themselves by default.
        ncols: images per row.

    With both labels and predictions a title reads ``true/predicted`` and is red where they
    differ.
    """
    fn = "plot_images"
    path = _png_path(path, fn)
    ncols = _check_ncols(ncols, fn)
    shown = _images_for_display(_array(images, "images", fn), fn)
    n = shown.shape[0]
    true = _label_names(labels, n, class_names, "labels", fn)
    pred = _label_names(predictions, n, class_names, "predictions", fn)

    Figure = _figure_class()
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=figsize or (1.4 * ncols, 1.6 * nrows + 0.3), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        grey = shown.ndim == 3
        ax.imshow(shown[i], cmap="gray" if grey else None, vmin=0.0, vmax=1.0,
                  interpolation="nearest")
        if true is not None and pred is not None:
            wrong = true[i] != pred[i]
            ax.set_title(f"{true[i]}/{pred[i]}", fontsize=8, color="red" if wrong else "black")
        elif true is not None or pred is not None:
            ax.set_title((true or pred)[i], fontsize=8)
    if true is not None and pred is not None:
        fig.suptitle("true/predicted (red: wrong)", fontsize=9)
    return _save(fig, path, dpi)


def plot_filters(weight, path: PathLike, *, ncols: int = 8, title: str | None = None,
                 figsize=None, dpi: float = 100) -> Path:
    """The kernels of a convolution layer, each stretched to [0, 1] by its own range.

    Args:
        weight: (out_channels, in_channels, kh, kw), as ``conv.weight`` of the first layer.
            With 3 input channels each filter is one RGB image; otherwise every
            (output, input) kernel is a grey image, one row per output channel when there
            are several input channels.
        path: the PNG file to write.
        ncols: filters per row when each filter is one image.
        title: the figure's title (by default the weight's shape).
    """
    fn = "plot_filters"
    path = _png_path(path, fn)
    ncols = _check_ncols(ncols, fn)
    w = _array(weight, "weight", fn)
    if w.ndim != 4 or w.size == 0:
        raise ValueError(f"{fn}: weight must be convolution weights (out_channels, "
                         f"in_channels, kh, kw), got shape {w.shape}")
    out_channels, in_channels = w.shape[:2]
    if in_channels == 3:
        tiles = _scale_each(w.transpose(0, 2, 3, 1))
    else:
        tiles = _scale_each(w.reshape(-1, *w.shape[2:]))
        if in_channels > 1:
            ncols = in_channels
    mosaic = _mosaic(tiles, min(ncols, tiles.shape[0]))
    shape = " x ".join(map(str, w.shape))
    default = f"filters ({shape})" + ("\nrows: output channels, columns: input channels"
                                      if in_channels not in (1, 3) else "")
    # grey and RGB tiles can be white, so the gaps are a pale blue no kernel shows
    return _mosaic_figure(mosaic, path, title or default, "gray", "lightsteelblue", figsize, dpi)


def plot_feature_maps(maps, path: PathLike, *, ncols: int = 8, title: str | None = None,
                      cmap: str = "viridis", figsize=None, dpi: float = 100) -> Path:
    """The channels of one sample's activations, each stretched to [0, 1] by its own range.

    Args:
        maps: (C, H, W), or (1, C, H, W) (a batch of one), for example a conv layer's output.
        path: the PNG file to write.
        ncols: maps per row.
        title: the figure's title (by default the shape).
        cmap: a matplotlib colour map.
    """
    fn = "plot_feature_maps"
    path = _png_path(path, fn)
    ncols = _check_ncols(ncols, fn)
    m = _array(maps, "maps", fn)
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if m.ndim != 3 or m.size == 0:
        raise ValueError(f"{fn}: maps must be one sample's (C, H, W) activations (or a batch "
                         f"of one, (1, C, H, W)), got shape {m.shape}; index one sample")
    mosaic = _mosaic(_scale_each(m), min(ncols, m.shape[0]))
    shape = " x ".join(map(str, m.shape))
    return _mosaic_figure(mosaic, path, title or f"feature maps ({shape})", cmap, "white",
                          figsize, dpi)
