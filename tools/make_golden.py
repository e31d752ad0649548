"""Write tests/golden/ops.npz: inputs, outputs and gradients of every op case, computed by
PyTorch in float64 and float32. Needs torch (pip install torch==2.13.0). No pickled objects.

    python tools/make_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cases import TORCH_CASES  # noqa: E402
from tests.opcases import make_arrays, run  # noqa: E402


def main() -> None:
    arrays_out = {}
    for case in TORCH_CASES:
        arrays = make_arrays(case.args, seed=0)
        for i, a in enumerate(arrays):
            arrays_out[f"{case.name}/in{i}"] = a
        for dtype in (np.float64, np.float32):
            key = f"{case.name}/{np.dtype(dtype).name}"
            outputs, _, grads = run(torch, case, arrays, dtype, seed=0)
            for k, o in enumerate(outputs):
                arrays_out[f"{key}/out{k}"] = o
            for i, g in enumerate(grads):
                if g is not None:
                    arrays_out[f"{key}/grad{i}"] = g
    path = ROOT / "tests" / "golden" / "ops.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays_out)
    print(f"wrote {len(arrays_out)} arrays for {len(TORCH_CASES)} cases to {path}")


if __name__ == "__main__":
    main()
