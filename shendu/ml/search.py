"""Hyper-parameter search: random search and coarse-to-fine random search, with uniform,
log-uniform (for learning rates and penalties), integer and categorical spaces."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shendu.ml._validation import check_count

__all__ = ["Uniform", "LogUniform", "IntUniform", "Choice", "SearchResult", "random_search",
           "coarse_to_fine_search"]


@dataclass(frozen=True)
class Uniform:
    """A real number drawn uniformly from [low, high]."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"{type(self).__name__}: needs low < high, got low={self.low}, "
                             f"high={self.high}")

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def narrow(self, center: float, factor: float) -> Uniform:
        """The range ``factor`` times as wide, centred on ``center``, kept inside this one."""
        half = (self.high - self.low) * factor / 2
        low, high = max(self.low, center - half), min(self.high, center + half)
        return type(self)(low, high) if low < high else self


@dataclass(frozen=True)
class LogUniform(Uniform):
    """A positive real whose logarithm is uniform: 10 ** Uniform(log10 low, log10 high).
    Each decade (1e-4..1e-3, 1e-3..1e-2, ...) is drawn equally often, as a learning rate or
    a penalty should be searched."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.low > 0:
            raise ValueError(f"LogUniform: needs low > 0, got {self.low}")

    def sample(self, rng: np.random.Generator) -> float:
        return float(10 ** rng.uniform(math.log10(self.low), math.log10(self.high)))

    def narrow(self, center: float, factor: float) -> LogUniform:
        """``factor`` times as many decades, centred on ``center`` in log scale."""
        lo, hi = math.log10(self.low), math.log10(self.high)
        half = (hi - lo) * factor / 2
        c = math.log10(center)
        low, high = 10 ** max(lo, c - half), 10 ** min(hi, c + half)
        return LogUniform(low, high) if low < high else self


@dataclass(frozen=True)
class IntUniform:
    """An integer drawn uniformly from low, low + 1, ..., high (both included)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"IntUniform: needs low <= high, got {self.low}, {self.high}")

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high + 1))

    def narrow(self, center: int, factor: float) -> IntUniform:
        half = max(1, round((self.high - self.low) * factor / 2))
        return IntUniform(max(self.low, center - half), min(self.high, center + half))


@dataclass(frozen=True)
class Choice:
    """One of a fixed list of options, each equally likely; not narrowed."""

    options: tuple

    def __init__(self, options: Sequence[Any]) -> None:
        if len(options) == 0:
            raise ValueError("Choice: needs at least one option")
        object.__setattr__(self, "options", tuple(options))

    def sample(self, rng: np.random.Generator) -> Any:
        return self.options[int(rng.integers(len(self.options)))]

    def narrow(self, center: Any, factor: float) -> Choice:
        return self


@dataclass
class SearchResult:
    """The best parameters and score found, and every trial as (params, score)."""

    best_params: dict
    best_score: float
    history: list = field(default_factory=list)


def _check_space(space: dict, who: str) -> None:
    if not isinstance(space, dict) or not space:
        raise ValueError(f"{who}: space must be a non-empty dict of name -> Uniform, "
                         f"LogUniform, IntUniform or Choice, got {space!r}")
    for name, dist in space.items():
        if not hasattr(dist, "sample"):
            raise TypeError(f"{who}: space[{name!r}] must be a Uniform, LogUniform, IntUniform "
                            f"or Choice, got {type(dist).__name__}")


def random_search(fn: Callable[..., float], space: dict, n_iter: int = 20,
                  seed: int | None = 0, minimize: bool = True) -> SearchResult:
    """Evaluate ``fn(**params)`` at ``n_iter`` points drawn independently from ``space``
    and keep the best (lowest score; highest with ``minimize=False``).

    Random search beats a grid of the same size when only a few parameters matter
    (Bergstra and Bengio, 2012): every trial tries a new value of each parameter.

    >>> result = random_search(lambda x: (x - 2) ** 2, {"x": Uniform(0, 4)}, n_iter=200)
    >>> abs(result.best_params["x"] - 2) < 0.1
    True
    """
    _check_space(space, "random_search")
    n_iter = check_count(n_iter, "n_iter", "random_search")
    rng = np.random.default_rng(seed)
    sign = 1.0 if minimize else -1.0
    result = None
    for _ in range(n_iter):
        params = {name: dist.sample(rng) for name, dist in space.items()}
        score = float(fn(**params))
        if result is None:
            result = SearchResult(params, score)
        elif sign * score < sign * result.best_score:
            result.best_params, result.best_score = params, score
        result.history.append((params, score))
    return result


def coarse_to_fine_search(fn: Callable[..., float], space: dict, n_iter: int = 20,
                          n_rounds: int = 3, shrink: float = 0.5, seed: int | None = 0,
                          minimize: bool = True) -> SearchResult:
    """Random search in rounds, each in a smaller region around the best point so far.

    Round 1 searches ``space`` with ``n_iter`` trials; after each round every range is
    narrowed to ``shrink`` times its width (in decades for :class:`LogUniform`), centred on
    the best point found so far and kept inside the previous range. Choices are not narrowed.

    Returns:
        A :class:`SearchResult` with the best over all rounds and the history of all
        ``n_iter * n_rounds`` trials.
    """
    _check_space(space, "coarse_to_fine_search")
    n_rounds = check_count(n_rounds, "n_rounds", "coarse_to_fine_search")
    if not 0 < shrink < 1:
        raise ValueError(f"coarse_to_fine_search: shrink must be in (0, 1), got {shrink!r}")
    rng = np.random.default_rng(seed)
    sign = 1.0 if minimize else -1.0
    best = None
    for _ in range(n_rounds):
        round_result = random_search(fn, space, n_iter, int(rng.integers(2**63)), minimize)
        if best is None or sign * round_result.best_score < sign * best.best_score:
            best = SearchResult(round_result.best_params, round_result.best_score,
                                best.history if best else [])
        best.history += round_result.history
        space = {name: dist.narrow(best.best_params[name], shrink)
                 for name, dist in space.items()}
    return best
