"""Write tests/golden/nn_layers.npz: for each module scenario of tests/cases/layers.py
(training steps, then evaluation), its inputs and what PyTorch computes in float64 and float32:
outputs, input and parameter gradients, buffers after each step, final parameters. Needs torch
(pip install torch==2.13.0). No pickled objects.

    python tools/make_golden_nn.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cases.layers import SCENARIOS, run_scenario, scenario_inputs  # noqa: E402


def main() -> None:
    arrays_out = {}
    for scenario in SCENARIOS:
        shapes = {n: tuple(p.shape) for n, p in scenario.make(torch.nn).named_parameters()}
        inputs = scenario_inputs(scenario, shapes, seed=0)
        for key, array in inputs.items():
            arrays_out[f"{scenario.name}/in/{key}"] = array
        for dtype in (np.float64, np.float32):
            outputs = run_scenario(torch, scenario, inputs, dtype)
            for key, array in outputs.items():
                arrays_out[f"{scenario.name}/{np.dtype(dtype).name}/{key}"] = array
    path = ROOT / "tests" / "golden" / "nn_layers.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays_out)
    print(f"wrote {len(arrays_out)} arrays for {len(SCENARIOS)} scenarios to {path}")


if __name__ == "__main__":
    main()
