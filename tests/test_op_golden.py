"""Outputs and gradients of every op against reference arrays made with PyTorch
(``tools/make_golden.py``), so parity is checked without torch installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import shendu
from tests.cases import TORCH_CASES
from tests.opcases import assert_matches, run

GOLDEN = Path(__file__).parent / "golden" / "ops.npz"


@pytest.fixture(scope="module")
def golden():
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run `python tools/make_golden.py`"
    with np.load(GOLDEN, allow_pickle=False) as data:
        return dict(data)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda c: c.name)
def test_matches_golden(case, dtype, golden):
    key = f"{case.name}/{np.dtype(dtype).name}"
    n_in = sum(1 for k in golden if k.startswith(f"{case.name}/in"))
    assert n_in == len(case.args), f"no golden arrays for {case.name}: rerun tools/make_golden.py"
    arrays = [golden[f"{case.name}/in{i}"] for i in range(n_in)]
    outputs, _, grads = run(shendu, case, arrays, dtype, seed=0)
    for k, out in enumerate(outputs):
        assert_matches(f"{key} output {k}", out, golden[f"{key}/out{k}"], dtype)
    for i, g in enumerate(grads):
        expected = golden.get(f"{key}/grad{i}")
        assert_matches(f"{key} grad of input {i}", g, expected, dtype)
