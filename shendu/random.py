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


def get_rng_state() -> dict:
    """The state of the global generator, as a JSON-compatible dict (NumPy's bit-generator
    state), so a checkpoint can resume the exact random stream."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a state returned by :func:`get_rng_state` (the generator object stays the
    same, so code holding it draws from the restored stream)."""
    if not isinstance(state, dict) or "bit_generator" not in state:
        raise ValueError("set_rng_state expects a dict from shendu.random.get_rng_state(), got "
                         f"{type(state).__name__}")
    kind = type(_generator.bit_generator).__name__
    if state["bit_generator"] != kind:
        raise ValueError(f"set_rng_state: the state is for {state['bit_generator']}, shendu uses "
                         f"{kind}")
    _generator.bit_generator.state = state   # in place: holders of the generator see it
