"""Optimizer trajectories, declared once and run in any library with PyTorch's API (shendu or
torch): a fixed two-layer model in float64, 50 steps of an optimizer on a mean-squared error,
the parameters recorded after every step.

Each configuration is one where the trajectory is stable: where an optimizer oscillates
(RMSprop with alpha=0.9 at lr=0.01 here), a rounding difference of 1e-16 grows about five
times per step, and no two implementations (nor PyTorch against itself with another order of
operations) agree after 50 steps, so such a case would test the chaos, not the update rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class OptimCase:
    name: str
    optimizer: str                 # class name in lib.optim
    kwargs: dict = field(default_factory=dict)
    second_group: dict | None = None   # options of a second group holding the last layer


def _cases(optimizer: str, **variants: dict) -> list[OptimCase]:
    return [OptimCase(f"{optimizer}-{name}", optimizer, kw) for name, kw in variants.items()]


CASES = [
    *_cases("SGD", plain=dict(lr=0.1), momentum=dict(lr=0.05, momentum=0.9),
            dampening=dict(lr=0.05, momentum=0.9, dampening=0.9),
            nesterov=dict(lr=0.05, momentum=0.8, nesterov=True),
            weight_decay=dict(lr=0.1, momentum=0.5, weight_decay=0.05),
            maximize=dict(lr=0.01, momentum=0.9, maximize=True)),
    *_cases("Adam", plain=dict(lr=0.01), amsgrad=dict(lr=0.02, amsgrad=True),
            weight_decay=dict(lr=0.01, weight_decay=0.1),
            betas=dict(lr=0.01, betas=(0.5, 0.9), eps=1e-3),
            maximize=dict(lr=0.001, maximize=True, amsgrad=True)),
    *_cases("AdamW", plain=dict(lr=0.01), amsgrad=dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    *_cases("RMSprop", plain=dict(lr=0.01), alpha=dict(lr=0.003, alpha=0.9, eps=1e-4),
            centered=dict(lr=0.01, centered=True), momentum=dict(lr=0.005, momentum=0.9),
            all=dict(lr=0.005, momentum=0.5, centered=True, weight_decay=0.1),
            maximize=dict(lr=0.001, maximize=True)),
    *_cases("Adagrad", plain=dict(lr=0.1), lr_decay=dict(lr=0.1, lr_decay=0.05),
            accumulator=dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6),
            weight_decay=dict(lr=0.1, weight_decay=0.1, maximize=True)),
    *_cases("Adadelta", plain=dict(), rho=dict(lr=0.5, rho=0.5, eps=1e-4),
            weight_decay=dict(lr=2.0, weight_decay=0.1, maximize=True)),
    OptimCase("SGD-groups", "SGD", dict(lr=0.1, momentum=0.9), dict(lr=0.01, nesterov=True)),
    OptimCase("Adam-groups", "Adam", dict(lr=0.01), dict(lr=0.001, betas=(0.8, 0.99),
                                                         amsgrad=True)),
]
STEPS = 50


def make_data(seed: int = 0) -> dict[str, np.ndarray]:
    """The model's initial weights and the regression data, float64."""
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.uniform(-0.5, 0.5, (6, 4)), "0.bias": rng.uniform(-0.5, 0.5, 6),
            "2.weight": rng.uniform(-0.5, 0.5, (3, 6)), "2.bias": rng.uniform(-0.5, 0.5, 3),
            "x": rng.standard_normal((16, 4)), "y": rng.standard_normal((16, 3))}


def build(lib, case: OptimCase, data: dict[str, np.ndarray]):
    """The model (Linear-Tanh-Linear, float64, weights from ``data``) and its optimizer."""
    model = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Tanh(), lib.nn.Linear(6, 3)).double()
    with lib.no_grad():
        for name, p in model.named_parameters():
            p.copy_(lib.tensor(data[name]))
    cls = getattr(lib.optim, case.optimizer)
    if case.second_group is None:
        opt = cls(model.parameters(), **case.kwargs)
    else:
        groups = [{"params": list(model[0].parameters())},
                  {"params": list(model[2].parameters()), **case.second_group}]
        opt = cls(groups, **case.kwargs)
    return model, opt


def train(lib, model, opt, data: dict[str, np.ndarray], steps: int) -> list[np.ndarray]:
    """Run ``steps`` steps; the flattened parameters after each."""
    x, y = lib.tensor(data["x"]), lib.tensor(data["y"])
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        trajectory.append(np.concatenate([p.detach().numpy().ravel().copy()
                                          for p in model.parameters()]))
    return trajectory


def run_trajectory(lib, case: OptimCase, steps: int = STEPS) -> np.ndarray:
    """The parameters after each of ``steps`` steps: (steps, number of weights)."""
    data = make_data()
    model, opt = build(lib, case, data)
    return np.stack(train(lib, model, opt, data, steps))
