"""Write tests/golden/optim.npz: for each optimizer case of tests/cases/optim.py, PyTorch's
parameters after each of 50 steps on the fixed float64 model. Needs torch
(pip install torch==2.13.0). No pickled objects.

    python tools/make_golden_optim.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cases.optim import CASES, run_trajectory  # noqa: E402


def main() -> None:
    arrays = {case.name: run_trajectory(torch, case) for case in CASES}
    path = ROOT / "tests" / "golden" / "optim.npz"
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} trajectories to {path}")


if __name__ == "__main__":
    main()
