"""Write tests/golden/zoo_modern.json: for torchvision's GoogLeNet (aux_logits=False),
ResNet-18, ResNet-34 and DenseNet-121, the ordered state_dict (key, shape) list, and the
eval-mode logits on a small fixed input with weights that NumPy can rebuild:

* weights: every floating-point state_dict entry, in key order, drawn from one
  ``numpy.random.default_rng(WEIGHT_SEED)`` by :func:`draw_entry` (the test has a copy of the
  rule); integer entries (``num_batches_tracked``) stay 0;
* input: ``default_rng(INPUT_SEED).standard_normal((2, 3, 32, 32))`` in float32.

The test loads the same weights into the shendu models and compares the logits, so the suite
needs neither torch nor torchvision. Needs torch and torchvision:

    python tools/make_golden_zoo_modern.py

torchvision 0.28's C extension does not load with the CPU torch build used here; the models
do not need it, so ``torch.library.register_fake`` is replaced by a no-op before the import.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

torch.library.register_fake = lambda *args, **kwargs: (lambda fn: fn)
import torchvision  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WEIGHT_SEED, INPUT_SEED = 0, 1
INPUT_SHAPE = (2, 3, 32, 32)


def build(name: str) -> torch.nn.Module:
    models = torchvision.models
    if name == "googlenet":
        return models.googlenet(weights=None, aux_logits=False, init_weights=False)
    return getattr(models, name)(weights=None)


def draw_entry(rng: np.random.Generator, key: str, shape: tuple) -> np.ndarray:
    """A float32 array for state_dict entry ``key``: conv and linear weights (2-D or more)
    N(0, 2 / fan_in) (He: the activations keep their scale through a deep stack), BN scales
    and running variances U(0.5, 1.5) (positive), biases and running means N(0, 0.1^2)."""
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        values = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
    elif key.endswith("running_var") or key.endswith(".weight"):
        values = rng.uniform(0.5, 1.5, shape)
    else:
        values = rng.standard_normal(shape) * 0.1
    return values.astype(np.float32)


def golden(name: str) -> dict:
    model = build(name)
    state = model.state_dict()
    rng = np.random.default_rng(WEIGHT_SEED)
    filled = {key: torch.from_numpy(draw_entry(rng, key, tuple(value.shape)))
              if value.is_floating_point() else value for key, value in state.items()}
    model.load_state_dict(filled)
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
