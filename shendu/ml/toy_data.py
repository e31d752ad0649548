"""Small synthetic 2-D data sets for the classic algorithms: two noisy rings (not linearly
separable) and a linearly separable set with a guaranteed margin."""

from __future__ import annotations

import numpy as np

__all__ = ["make_circles", "make_separable"]


def make_circles(n: int = 200, noise: float = 0.1, factor: float = 0.5,
                 seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric rings: samples 0, 2, 4, ... on the unit circle (label -1), samples
    1, 3, 5, ... on the circle of radius ``factor`` (label +1), at uniform random angles,
    plus Gaussian noise of standard deviation ``noise`` on each coordinate.

    Returns:
        X (n, 2) float64 and y (n,) int64 in {-1, +1}.
    """
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi, n)
    inner = np.arange(n) % 2 == 1
    radius = np.where(inner, factor, 1.0)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), np.where(inner, 1, -1).astype(np.int64)


def make_separable(n: int = 100, margin: float = 0.2, seed: int | None = 0
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-2, 2]^2 labelled by the side of the line x0 - 2 x1 + 0.3 sqrt(5)
    = 0, keeping only those at distance >= ``margin`` from it.

    Returns:
        X (n, 2) float64 and y (n,) int64 in {-1, +1}.
    """
    rng = np.random.default_rng(seed)
    normal = np.array([1.0, -2.0]) / np.sqrt(5.0)
    X = np.empty((0, 2))
    while len(X) < n:
        draw = rng.uniform(-2, 2, (4 * n, 2))
        X = np.concatenate([X, draw[np.abs(draw @ normal + 0.3) >= margin]])
    X = X[:n]
    return X, np.where(X @ normal + 0.3 > 0, 1, -1).astype(np.int64)
