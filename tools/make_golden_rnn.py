"""Write tests/golden/rnn.npz: for each recurrent-module scenario of tests/cases/rnn.py (RNN,
GRU, LSTM over 1-2 layers, uni- and bidirectional, batch_first both ways, with and without an
initial state and lengths; the cells over a few steps), its inputs and what PyTorch computes in
float64 and float32: the output, the final states and the gradients of the input, the initial
states and every parameter. Needs torch (pip install torch==2.13.0). No pickled objects.

    python tools/make_golden_rnn.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cases.rnn import SCENARIOS, make_module, run_scenario, scenario_inputs  # noqa: E402


def main() -> None:
    arrays_out = {}
    for scenario in SCENARIOS:
        inputs = scenario_inputs(scenario, make_module(torch, scenario), seed=0)
        for key, array in inputs.items():
            arrays_out[f"{scenario.name}/in/{key}"] = array
        for dtype in (np.float64, np.float32):
            for key, array in run_scenario(torch, scenario, inputs, dtype).items():
                arrays_out[f"{scenario.name}/{np.dtype(dtype).name}/{key}"] = array
    path = ROOT / "tests" / "golden" / "rnn.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays_out)
    print(f"wrote {len(arrays_out)} arrays for {len(SCENARIOS)} scenarios to {path}")


if __name__ == "__main__":
    main()
