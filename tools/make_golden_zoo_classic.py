"""Write tests/golden/zoo_classic.json: for torchvision's AlexNet and VGG networks, the ordered
state_dict keys and shapes, the parameter counts, and for a few of them the logits on a small
deterministic input with deterministic weights.

The weights are not torchvision's pretrained ones: every state_dict entry is filled, in key
order, from ``numpy.random.default_rng(seed)`` by ``fill_state`` of tests/golden_weights.py
(the test loads the same arrays into the shendu model with ``load_state_dict``). The input
is ``default_rng(seed + 1).standard_normal((2, 3, size, size), dtype=float32)``.

Needs torch and torchvision (whose C extension does not load with the CPU torch installed
here, hence the ``register_fake`` stub: the models need none of its operators)::

    python tools/make_golden_zoo_classic.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.golden_weights import fill_state  # noqa: E402

torch.library.register_fake = lambda *args, **kwargs: (lambda fn: fn)
import torchvision  # noqa: E402

SEED = 0
# name -> input size of the logit check (None: keys and shapes only)
MODELS = {"alexnet": 64, "vgg11": 32, "vgg11_bn": 32, "vgg13": None, "vgg13_bn": None,
          "vgg16": None, "vgg16_bn": None, "vgg19": None, "vgg19_bn": None}


def record(name: str, size: int | None) -> dict:
    model = getattr(torchvision.models, name)()
    shapes = [(key, tuple(value.shape)) for key, value in model.state_dict().items()]
    entry = {"keys": [[key, list(shape)] for key, shape in shapes],
             "num_parameters": sum(p.numel() for p in model.parameters())}
    if size is not None:
        state = fill_state(shapes, SEED)
        model.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
        model.eval()
        x = np.random.default_rng(SEED + 1).standard_normal((2, 3, size, size), dtype=np.float32)
        with torch.no_grad():
            logits = model(torch.from_numpy(x)).numpy()
        entry.update(input_size=size, logits=logits.tolist())
    return entry


def main() -> None:
    golden = {"seed": SEED, "torchvision": torchvision.__version__,
              "models": {name: record(name, size) for name, size in MODELS.items()}}
    path = ROOT / "tests" / "golden" / "zoo_classic.json"
    path.write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    print(f"wrote {len(golden['models'])} models to {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
