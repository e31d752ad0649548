"""Write tests/golden/lr_scheduler.npz: for each case of tests/test_optim_lr_scheduler.py
(CASES), what PyTorch's schedulers set after construction and after each step: the learning
rate and the momentum (or beta1; NaN where a group has neither) of every param group, and the
last scheduler's get_last_lr(). Arrays of shape (steps + 1, groups), float64, keys
"<case>/lr", "<case>/momentum", "<case>/last_lr". Needs torch (pip install torch==2.13.0).
No pickled objects.

    python tools/make_golden_lr_scheduler.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_optim_lr_scheduler import CASES, run_case  # noqa: E402


def main() -> None:
    arrays = {}
    for case in CASES:
        for key, values in run_case(torch, case).items():
            arrays[f"{case.name}/{key}"] = values
    path = ROOT / "tests" / "golden" / "lr_scheduler.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} arrays for {len(CASES)} cases to {path} "
          f"(torch {torch.__version__})")


if __name__ == "__main__":
    main()
