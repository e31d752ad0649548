"""The library's one random number generator, so ``shendu.manual_seed(n)`` makes every random
draw reproducible: creation (``rand``, ``randn``, ``randint``, ``randperm``) and everything built
on it later (initialisation, dropout, shuffling)."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()
_initial_seed: int | None = None


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the global generator; returns it."""
    global _generator, _initial_seed
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _initial_seed = int(seed)
    _generator = np.random.default_rng(_initial_seed & 0xFFFF_FFFF_FFFF_FFFF)
    return _generator


def initial_seed() -> int | None:
    """The seed last given to :func:`manual_seed` (``None`` if never seeded)."""
    return _initial_seed


def get_generator() -> np.random.Generator:
    """The global ``numpy.random.Generator`` every random draw in shendu uses."""
    return _generator
