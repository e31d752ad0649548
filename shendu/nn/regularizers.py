"""Weight penalties attached to a layer's parameters, as Keras's ``kernel_regularizer``.

A regularizer maps a parameter ``w`` to a 0-d Tensor that is added to the data loss:

    L1(l1):       l1 * sum(|w|)                 pulls weights to exactly 0 (sparsity)
    L2(l2):       l2 * sum(w**2)                shrinks every weight towards 0
    L1L2(l1, l2): l1 * sum(|w|) + l2 * sum(w**2)

(Keras's formulas: no 1/2 in front of the L2 term.) Each is built from shendu ops, so
``loss.backward()`` differentiates it like the rest of the loss. Attach one with
``Module.regularize(weight=L2(0.01))`` or a layer's ``weight_regularizer=`` /
``bias_regularizer=`` argument, and add ``model.regularization_loss()`` to the data loss.

Relation to ``weight_decay``: the gradient of ``l2 * sum(w**2)`` is ``2 * l2 * w``, and SGD's
``weight_decay=wd`` adds ``wd * w`` to the gradient, so for SGD (momentum included)
``weight_decay=wd`` is the same update as ``L2(wd / 2)`` on every weight. The same holds for
any optimizer whose ``weight_decay`` is added to the gradient that way (PyTorch's Adam does
so), but there the adaptive step rescales the penalty's pull per weight like the data
gradient, so it is no longer a uniform shrinkage. AdamW's decoupled decay is not a penalty at
all: it shrinks the weights by ``lr * wd * w`` outside the adaptive step, and no ``L2`` factor
reproduces it.

>>> model = nn.Sequential(nn.Linear(20, 8, weight_regularizer=nn.L1(1e-3)), nn.ReLU(),
...                       nn.Linear(8, 1).regularize(weight=nn.L2(1e-2)))
>>> loss = F.mse_loss(model(X), y) + model.regularization_loss()
"""

from __future__ import annotations

import math
import numbers

from shendu.tensor import Tensor

__all__ = ["Regularizer", "L1", "L2", "L1L2"]


class Regularizer:
    """Base class of weight penalties: ``regularizer(w)`` returns a 0-d Tensor to add to the
    loss. Any callable of one Tensor works where a regularizer is expected; subclassing this
    one gives a repr and equality from :meth:`get_config`."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define __call__")

    def get_config(self) -> dict:
        """The factors, by name (``{"l2": 0.01}``)."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.get_config().items())))


def _factor(owner: str, name: str, value) -> float:
    """``value`` as a float, or a ValueError naming the regularizer when it is not a finite
    number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{owner}: {name} must be a number >= 0, got {value!r} "
                         f"({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {name}={value!r}")
    return value


def _check_tensor(owner: str, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{owner}: expected a Tensor (a parameter), got {type(x).__name__}")


def _l1(x: Tensor) -> Tensor:
    return x.abs().sum()  # d/dw = sign(w), 0 at w = 0


def _l2(x: Tensor) -> Tensor:
    return (x * x).sum()  # d/dw = 2 w


class L1(Regularizer):
    """L1 penalty: ``l1 * sum(|w|)``; gradient ``l1 * sign(w)`` (0 where w = 0).

    The gradient has the same size however small a weight is, so plain gradient descent pushes
    unneeded weights to (near) zero: a sparse model.

    Args:
        l1: the factor, a finite number >= 0.
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _factor("L1", "l1", l1)

    def __call__(self, x: Tensor) -> Tensor:
        _check_tensor("L1", x)
        return self.l1 * _l1(x)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """L2 penalty: ``l2 * sum(w**2)``; gradient ``2 * l2 * w``.

    The pull is proportional to the weight, so every weight shrinks by the same fraction per
    step and large weights are punished most; weights get small but rarely exactly zero. For
    plain SGD, ``L2(l2)`` equals ``weight_decay=2 * l2``.

    Args:
        l2: the factor, a finite number >= 0.
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _factor("L2", "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        _check_tensor("L2", x)
        return self.l2 * _l2(x)

    def get_config(self) -> dict:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """Both penalties (the elastic net): ``l1 * sum(|w|) + l2 * sum(w**2)``; gradient
    ``l1 * sign(w) + 2 * l2 * w``. A term whose factor is 0 is not computed.

    Args:
        l1: the L1 factor, a finite number >= 0.
        l2: the L2 factor, a finite number >= 0.
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _factor("L1L2", "l1", l1)
        self.l2 = _factor("L1L2", "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        _check_tensor("L1L2", x)
        if self.l1 and self.l2:
            return self.l1 * _l1(x) + self.l2 * _l2(x)
        if self.l1:
            return self.l1 * _l1(x)
        return self.l2 * _l2(x)  # also when both are 0: a zero that stays in the graph

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}
