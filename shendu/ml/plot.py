"""Decision boundaries of 2-D classifiers: the grid of scores (NumPy) and a figure of one or
more models side by side (matplotlib, an optional extra, imported on first use)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from shendu.plot import figure, save_figure

__all__ = ["decision_grid", "plot_decision_boundaries"]


def decision_grid(score: Callable[[np.ndarray], np.ndarray], X: Any, resolution: int = 200,
                  margin: float = 0.1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate ``score`` on a grid covering the 2-D points X.

    Args:
        score: maps points (M, 2) to (M,) values, e.g. ``model.decision_function`` (the
            boundary is its 0 level) or ``model.predict``.
        X: (N, 2) points; the grid spans their range plus ``margin`` of it on each side.
        resolution: grid points per axis.

    Returns:
        ``(xx, yy, zz)``, each (resolution, resolution), for ``contour(xx, yy, zz, [0])``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_grid: X must be (N, 2) points, got shape {X.shape}")
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * (high - low)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    zz = np.asarray(score(np.stack([xx.ravel(), yy.ravel()], axis=1)), dtype=np.float64)
    return xx, yy, zz.reshape(xx.shape)


def plot_decision_boundaries(panels: dict[str, tuple[Callable, Any]], X: Any, y: Any,
                             path: str | os.PathLike, level: float = 0.0,
                             highlight: dict[str, Any] | None = None) -> Path:
    """One panel per model: the regions score > level and < level, the boundary, the points
    coloured by label, and optionally circled points (e.g. support vectors). Writes a PNG.

    Args:
        panels: title -> (score function as for :func:`decision_grid`, extra text or None).
        X, y: (N, 2) points and their labels.
        path: the .png file to write (folders are created).
        level: the boundary level (0 for decision functions, 0.5 for probabilities).
        highlight: title -> (K, 2) points to circle in that panel.
    """
    fig = figure(figsize=(4.2 * len(panels), 4.0))  # an ImportError without matplotlib
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    for k, (title, (score, note)) in enumerate(panels.items()):
        ax = fig.add_subplot(1, len(panels), k + 1)
        xx, yy, zz = decision_grid(score, X)
        ax.contourf(xx, yy, zz > level, levels=[-0.5, 0.5, 1.5], colors=["#f4cccc", "#cfe2f3"])
        ax.contour(xx, yy, zz, levels=[level], colors="k", linewidths=1.2)
        for label, color in zip(np.unique(y), ["#cc0000", "#1155cc"]):
            ax.scatter(*X[y == label].T, s=10, c=color, label=str(label))
        if highlight and title in highlight:
            ax.scatter(*np.asarray(highlight[title]).T, s=60, facecolors="none",
                       edgecolors="k", linewidths=0.8, label="support vectors")
        ax.set_title(title if note is None else f"{title}\n{note}", fontsize=9)
        ax.set_aspect("equal")
        ax.legend(fontsize=7, loc="upper right")
    return save_figure(fig, path)
