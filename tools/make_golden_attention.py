"""Write tests/golden/attention.npz: for each case of tests/test_nn_attention.py, its inputs
and what PyTorch computes in float64, for ``F.scaled_dot_product_attention`` (outputs and the
gradients of query, key, value and a float mask) and ``nn.MultiheadAttention`` (outputs,
attention weights and the gradients of the inputs and of every parameter). Needs torch
(pip install torch==2.13.0). No pickled objects.

    python tools/make_golden_attention.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_nn_attention import (  # noqa: E402
    MHA_CASES,
    SDPA_CASES,
    build_mha,
    mha_inputs,
    run_mha,
    run_sdpa,
    sdpa_inputs,
)


def main() -> None:
    arrays_out = {}
    for name, case in SDPA_CASES.items():
        inputs = sdpa_inputs(case, seed=0)
        outputs = run_sdpa(torch, case, inputs)
        arrays_out.update({f"sdpa/{name}/in/{k}": v for k, v in inputs.items()})
        arrays_out.update({f"sdpa/{name}/out/{k}": v for k, v in outputs.items()})
    for name, case in MHA_CASES.items():
        shapes = {n: tuple(p.shape) for n, p in build_mha(torch, case).named_parameters()}
        inputs = mha_inputs(case, shapes, seed=0)
        outputs = run_mha(torch, case, inputs)
        arrays_out.update({f"mha/{name}/in/{k}": v for k, v in inputs.items()})
        arrays_out.update({f"mha/{name}/out/{k}": v for k, v in outputs.items()})
    path = ROOT / "tests" / "golden" / "attention.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays_out)
    print(f"wrote {len(arrays_out)} arrays for {len(SDPA_CASES)} SDPA and {len(MHA_CASES)} "
          f"MultiheadAttention cases to {path}")


if __name__ == "__main__":
    main()
