"""Full-batch gradient descent with the epsilon convergence test, shared by the linear models
of ``shendu.ml`` (linear, logistic and softmax regression)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["gradient_descent"]

LossAndGrad = Callable[[], tuple[float, Sequence[np.ndarray]]]


def gradient_descent(loss_and_grad: LossAndGrad, params: Sequence[np.ndarray], lr: float,
                     max_iter: int, tol: float, who: str) -> tuple[list[float], int, bool]:
    """Minimise a loss by theta <- theta - lr * dJ/dtheta, updating ``params`` in place.

    Stops when |J_t - J_{t-1}| < tol (the epsilon test) or after ``max_iter`` steps.

    Args:
        loss_and_grad: returns (J, [dJ/dparam for each param]) at the current params.
        params: the arrays to update in place.
        lr: the step size; a loss that becomes inf/NaN or grows 1000-fold raises ValueError.
        max_iter: the most steps.
        tol: epsilon of the convergence test.
        who: the estimator's name, for errors.

    Returns:
        (loss_history with J before each step and after the last, steps taken, converged).
    """
    loss, grads = loss_and_grad()
    history = [float(loss)]
    for step in range(1, max_iter + 1):
        for param, grad in zip(params, grads):
            param -= lr * grad
        loss, grads = loss_and_grad()
        history.append(float(loss))
        if not np.isfinite(loss) or loss > 1e3 * max(history[0], 1e-12):
            raise ValueError(f"{who}: gradient descent diverged (loss {history[0]:.4g} -> "
                             f"{loss:.4g} after {step} steps with lr={lr}); use a smaller lr or "
                             f"standardise the features")
        if abs(history[-2] - history[-1]) < tol:
            return history, step, True
    return history, max_iter, False

