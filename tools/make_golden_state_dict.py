"""Write tests/golden/state_dict_mlp.npz: the state_dict of a small PyTorch MLP with
BatchNorm (after a few training steps, so the running statistics are not the initial ones),
an input batch and the model's outputs in eval mode. The test loads the state_dict into the
shendu model of the same architecture and compares outputs. Needs torch. No pickles.

    python tools/make_golden_state_dict.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]


def build():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def main() -> None:
    torch.manual_seed(0)
    model = build()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        x = torch.randn(16, 4)
        loss = model(x).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    x = torch.randn(6, 4)
    with torch.no_grad():
        out = model(x)
    arrays = {f"state/{k}": v.numpy() for k, v in model.state_dict().items()}
    arrays["input"] = x.numpy()
    arrays["output_eval"] = out.numpy()
    path = ROOT / "tests" / "golden" / "state_dict_mlp.npz"
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(arrays)} arrays to {path}")


if __name__ == "__main__":
    main()
