"""The deterministic weights of the model-zoo golden files: tools/make_golden_zoo_*.py load
them into torchvision's networks and record the logits, the tests load the same arrays into
shendu's and compare (neither torch nor torchvision is needed in the suite)."""

from __future__ import annotations

import numpy as np


def fill_state(shapes, seed: int) -> dict[str, np.ndarray]:
    """Float32 values for each (key, shape) of a state_dict, drawn in order from
    ``numpy.random.default_rng(seed)``: weights with 2+ dims N(0, 2 / fan_in) (He scale, so
    the activations keep their size through a deep stack), BatchNorm weights 1 + 0.1 N(0, 1),
    running variances U(0.5, 1.5), every other vector 0.1 N(0, 1); ``num_batches_tracked``
    stays 0 (int64, no draw)."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, shape in shapes:
        shape = tuple(shape)
        if key.endswith("num_batches_tracked"):
            state[key] = np.zeros(shape, dtype=np.int64)
        elif len(shape) >= 2:
            fan_in = int(np.prod(shape[1:]))
            state[key] = rng.standard_normal(shape, dtype=np.float32) * np.float32(
                np.sqrt(2.0 / fan_in))
        elif key.endswith("running_var"):
            state[key] = (0.5 + rng.random(shape, dtype=np.float32)).astype(np.float32)
        elif key.endswith("weight"):
            state[key] = 1 + np.float32(0.1) * rng.standard_normal(shape, dtype=np.float32)
        else:
            state[key] = np.float32(0.1) * rng.standard_normal(shape, dtype=np.float32)
    return state
