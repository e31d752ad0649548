"""``detect_anomaly``: name the op whose forward or backward first produced NaN or Inf."""

from __future__ import annotations

import numpy as np

_enabled = False


class AnomalyError(RuntimeError, FloatingPointError):
    """An op made NaN or Inf under ``detect_anomaly`` (a RuntimeError, as PyTorch raises, and a
    FloatingPointError, as NumPy would)."""


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return _enabled


class detect_anomaly:
    """Context manager that checks every op's forward output and backward gradients for
    non-finite values and raises :class:`AnomalyError` naming the first op that made one.

    It costs one ``isfinite`` pass per array, so it is off by default.

    >>> with shendu.autograd.detect_anomaly():
    ...     loss = model(x).log().sum()
    ...     loss.backward()
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        global _enabled
        self.prev = _enabled
        _enabled = self.check_nan

    def __exit__(self, *exc) -> None:
        global _enabled
        _enabled = self.prev


def check_finite(array, op_name: str, where: str) -> None:
    """Raise :class:`AnomalyError` if a floating ``array`` holds NaN or Inf."""
    if array is None or not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        return
    if not np.isfinite(array).all():
        kind = "NaN" if np.isnan(array).any() else "Inf"
        raise AnomalyError(
            f"detect_anomaly: {op_name} produced {kind} in its {where}; "
            f"check the inputs of this op (e.g. log of 0, division by 0, overflow)"
        )
