"""Reverse-mode automatic differentiation: ``Function``, the engine, grad modes, gradcheck."""

from shendu.autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from shendu.autograd.engine import backward, grad
from shendu.autograd.function import Function
from shendu.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from shendu.autograd.gradcheck import GradcheckError, gradcheck

__all__ = [
    "AnomalyError", "Function", "GradcheckError", "backward", "detect_anomaly", "enable_grad",
    "grad", "gradcheck", "is_anomaly_enabled", "is_grad_enabled", "no_grad", "set_grad_enabled",
]
