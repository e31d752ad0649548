"""Every op against live PyTorch on freshly drawn inputs (skipped, with the reason shown,
when torch is not installed; CI installs it)."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from tests.cases import TORCH_CASES
from tests.opcases import assert_matches, make_arrays, run

torch = pytest.importorskip("torch", reason="live parity needs torch (pip install torch==2.13.0)")
torch.set_default_dtype(torch.float32)


@pytest.mark.torch
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda c: c.name)
def test_matches_torch(case, dtype, seed):
    arrays = make_arrays(case.args, seed)
    ours = run(shendu, case, arrays, dtype, seed)
    theirs = run(torch, case, arrays, dtype, seed)
    name = f"{case.name}/{np.dtype(dtype).name}/seed{seed}"
    for k, (a, b) in enumerate(zip(ours[0], theirs[0])):
        assert_matches(f"{name} output {k}", a, b, dtype)
    assert len(ours[0]) == len(theirs[0]), f"{name}: number of outputs differs"
    for i, (a, b) in enumerate(zip(ours[2], theirs[2])):
        assert_matches(f"{name} grad of input {i}", a, b, dtype)
