"""Write tests/golden/zoo_modern.json: for torchvision's GoogLeNet (aux_logits=False),
ResNet-18, ResNet-34 and DenseNet-121, the ordered state_dict (key, shape) list, and the
eval-mode logits on a small fixed input with weights that NumPy can rebuild:

* weights: every floating-point state_dict entry, in key order, drawn from one
  ``numpy.random.default_rng(WEIGHT_SEED)`` by ``tests/golden_weights.py``'s ``fill_state``,
  which the test uses too; integer entries (``num_batches_tracked``) stay 0;
* input: ``default_rng(INPUT_SEED).standard_normal((2, 3, 32, 32))`` in float32.

The test loads the same weights into the shendu models and compares the logits, so the suite
needs neither torch nor torchvision. Needs torch and torchvision:

    python tools/make_golden_zoo_modern.py

torchvision 0.28's C extension does not load with the CPU torch build used here; the models
do not need it, so ``torch.library.register_fake`` is replaced by a no-op before the import.
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

WEIGHT_SEED, INPUT_SEED = 0, 1
INPUT_SHAPE = (2, 3, 32, 32)


def build(name: str) -> torch.nn.Module:
    models = torchvision.models
    if name == "googlenet":
        return models.googlenet(weights=None, aux_logits=False, init_weights=False)
    return getattr(models, name)(weights=None)


def golden(name: str) -> dict:
    model = build(name)
    state = model.state_dict()
    shapes = [(key, tuple(value.shape)) for key, value in state.items()]
    model.load_state_dict({key: torch.from_numpy(value)
                           for key, value in fill_state(shapes, WEIGHT_SEED).items()})
    model.eval()
    x = np.random.default_rng(INPUT_SEED).standard_normal(INPUT_SHAPE).astype(np.float32)
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy()
    return {
        "state_dict": [[key, list(value.shape)] for key, value in state.items()],
        "num_parameters": sum(p.numel() for p in model.parameters()),
        "logits": [[float(f"{v:.8g}") for v in row] for row in logits.tolist()],
    }


def main() -> None:
    data = {
        "about": "made by tools/make_golden_zoo_modern.py with torch "
                 f"{torch.__version__}, torchvision {torchvision.__version__}",
        "weight_seed": WEIGHT_SEED,
        "input_seed": INPUT_SEED,
        "input_shape": list(INPUT_SHAPE),
        "models": {name: golden(name)
                   for name in ("googlenet", "resnet18", "resnet34", "densenet121")},
    }
    path = ROOT / "tests" / "golden" / "zoo_modern.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
