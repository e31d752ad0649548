"""Dropout layers: ``Dropout`` (elements) and ``Dropout2d`` (whole channels). Active in
training mode only; ``model.eval()`` turns them into the identity."""

from __future__ import annotations

import numbers

from shendu.nn import functional as F
from shendu.nn.module import Module
from shendu.tensor import Tensor

__all__ = ["Dropout", "Dropout2d"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: dropout probability has to be between 0 "
                             f"and 1, but got {p!r}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Inverted dropout (Srivastava et al. 2014): in training, zero each element with
    probability ``p`` and scale the others by 1 / (1 - p), so the expected output equals the
    input and evaluation needs no rescaling. In evaluation mode, the identity.

    Args:
        p: the probability of zeroing an element, in [0, 1].
        inplace: accepted for PyTorch compatibility (the output is always a new tensor).

    Shape: any, unchanged.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Channel dropout (Tompson et al. 2015): in training, zero each whole channel (feature
    map) with probability ``p`` and scale the others by 1 / (1 - p). Neighbouring pixels are
    strongly correlated, so zeroing single pixels would regularize little.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)``, unchanged.
    """

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise self.input_error(f"expected input of shape (N, C, H, W) or (C, H, W), got "
                                   f"shape {input.shape}")
        return F.dropout2d(input, self.p, self.training)
