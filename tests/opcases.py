"""Declarative op tests (in the manner of Chainer's FunctionTestCase).

A :class:`Case` names an op call written once for both libraries, ``fn(lib, *tensors)``, where
``lib`` is ``shendu`` or ``torch`` (the APIs match, so one lambda serves both), and the inputs
it takes. The same cases drive:

- ``test_op_gradcheck.py``: central differences in float64, at fixed shapes and at shapes drawn
  by hypothesis (``Case.draw``), and a check that every Function in shendu.ops is covered;
- ``test_op_golden.py``: outputs and gradients against ``tests/golden/*.npz`` made by
  ``tools/make_golden.py`` with PyTorch (float64 to 1e-10, float32 to 1e-5, normwise relative);
- ``test_op_torch_live.py``: the same against live PyTorch on freshly drawn inputs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5}


@dataclass(frozen=True)
class Arg:
    """How to make one input array.

    kind: "float" (uniform in [low, high)), "int" (integers in [low, high)), "bool", or
    "distinct" (float, all values different by at least (high - low) / (4 n): for max, sort and
    other ops whose gradient is undefined at ties).
    grad: whether a float input requires grad.
    noncontig: give shendu a strided (non-contiguous) view.
    """

    shape: tuple
    low: float = -2.0
    high: float = 2.0
    kind: str = "float"
    grad: bool = True
    noncontig: bool = False

    def make(self, rng: np.random.Generator) -> np.ndarray:
        shape = tuple(self.shape)
        if self.kind == "int":
            return rng.integers(int(self.low), int(self.high), size=shape).astype(np.int64)
        if self.kind == "bool":
            return np.asarray(rng.random(shape) < 0.5)
        if self.kind == "distinct":
            n = int(np.prod(shape))
            grid = np.linspace(self.low, self.high, max(n, 1) * 2)
            values = rng.choice(grid, size=n, replace=False) if n else np.zeros(0)
            values = values + rng.uniform(0, (self.high - self.low) / (8 * max(n, 1)), size=n)
            return values.reshape(shape)
        if self.noncontig:
            wide = rng.uniform(self.low, self.high, size=shape + (2,))
            return wide[..., 0]
        return rng.uniform(self.low, self.high, size=shape)

    @property
    def is_float(self) -> bool:
        return self.kind in ("float", "distinct")


@dataclass
class Case:
    """One op call and its inputs. ``draw`` is a hypothesis strategy giving ``(args, kwargs)``
    for gradcheck at random shapes; ``kwargs`` are passed to ``fn`` after the tensors."""

    name: str
    fn: Callable
    args: list
    kwargs: dict = field(default_factory=dict)
    draw: object = None
    torch: bool = True
    grad: bool | None = None  # None: differentiable when some input is a float that needs grad
    atol: float = 1e-5
    rtol: float = 1e-3

    def __post_init__(self) -> None:
        if self.grad is None:
            self.grad = any(a.is_float and a.grad for a in self.args)


def make_arrays(case_args, seed: int) -> list:
    rng = np.random.default_rng(seed)
    return [a.make(rng) for a in case_args]


def to_lib(lib, arrays, case_args, dtype, shares_memory: bool = False) -> list:
    """Tensors of ``lib`` made from ``arrays``; float inputs cast to ``dtype`` and marked
    requires_grad where the Arg says so. With ``shares_memory`` (shendu only) strided views
    stay strided."""
    tensors = []
    for array, arg in zip(arrays, case_args):
        if arg.is_float:
            array = array.astype(dtype, copy=False) if shares_memory else array.astype(dtype)
        t = lib.from_numpy(array) if shares_memory else lib.tensor(array)
        if arg.is_float and arg.grad:
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def outputs_of(result) -> list:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def upstream_gradients(outputs, seed: int) -> list:
    """A fixed random d loss / d output for each floating output."""
    rng = np.random.default_rng(seed + 1)
    return [rng.uniform(-1, 1, size=tuple(o.shape)) if _is_float(o) else None for o in outputs]


def _is_float(t) -> bool:
    return np.asarray(t.detach()).dtype.kind == "f"


def run(lib, case: Case, arrays, dtype, seed: int) -> tuple:
    """Forward and backward of ``case`` in ``lib``; returns (outputs, upstream, input grads)
    as NumPy arrays (a grad is None where the library gives none)."""
    tensors = to_lib(lib, arrays, case.args, dtype)
    outputs = outputs_of(case.fn(lib, *tensors, **case.kwargs))
    upstream = upstream_gradients(outputs, seed)
    loss = None
    for o, g in zip(outputs, upstream):
        if g is not None and o.requires_grad:
            term = (o * lib.tensor(g.astype(dtype))).sum()
            loss = term if loss is None else loss + term
    if loss is not None and case.grad:
        loss.backward()
    out = [o.detach().numpy().copy() for o in outputs]
    grads = [None if t.grad is None else t.grad.numpy().copy() for t in tensors]
    return out, upstream, grads


def rel_error(actual: np.ndarray, expected: np.ndarray) -> float:
    """Normwise relative error max|a - e| / max|e| (0 for empty arrays)."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        return np.inf
    if expected.size == 0:
        return 0.0
    scale = max(np.max(np.abs(expected)), 1e-300)
    return float(np.max(np.abs(actual - expected)) / scale)


def assert_matches(name: str, actual, expected, dtype) -> None:
    """Compare an output or gradient within the dtype's relative tolerance."""
    if expected is None or actual is None:
        assert actual is None and expected is None or _all_zero(actual) and _all_zero(expected), (
            f"{name}: one library gives a gradient and the other does not"
        )
        return
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "iub":
        np.testing.assert_array_equal(actual, expected, err_msg=name)
        return
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), f"{name}: NaNs differ"
    finite = np.isfinite(expected)
    assert np.array_equal(actual[~finite], expected[~finite], equal_nan=True), f"{name}: inf differ"
    # the tolerance of the array's own precision (a float32 result of an int input, say)
    tol = max(RTOL[np.dtype(dtype)], RTOL.get(expected.dtype, 0.0))
    err = rel_error(actual[finite], expected[finite])
    assert err <= tol, f"{name}: relative error {err:.3g} > {tol}"


def assert_all_match(name: str, ours: dict, theirs: dict, dtype) -> None:
    """The same recorded arrays (name -> array) in both runs, each within tolerance."""
    assert sorted(ours) == sorted(theirs), f"{name}: recorded different arrays"
    for key, expected in theirs.items():
        assert_matches(f"{name} {key}", ours[key], expected, dtype)


def _all_zero(a) -> bool:
    return a is None or not np.any(a)


def build_module(lib, expression: str):
    """The module written as ``expression`` (``"Sequential(Linear(2, 3), ReLU())"``) built from
    ``lib.nn``: the same text gives the shendu and the PyTorch module."""
    return eval(re.sub(r"\b([A-Z]\w*)\(", r"lib.nn.\1(", expression), {"lib": lib})


def check_state_dict_keys_and_repr(modules: dict, expression: str) -> None:
    """``modules[expression]`` is (state_dict keys, repr or None) of the shendu module."""
    keys, text = modules[expression]
    module = build_module(importlib.import_module("shendu"), expression)
    assert list(module.state_dict()) == keys
    if text is not None:
        assert repr(module) == text
