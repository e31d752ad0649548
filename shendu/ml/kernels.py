"""Kernel functions k(x, z) = phi(x) . phi(z) for the kernel SVM, as Gram matrices."""

from __future__ import annotations

import numpy as np

__all__ = ["linear_kernel", "polynomial_kernel", "rbf_kernel", "KERNELS"]


def linear_kernel(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """K[i, j] = a_i . b_j; A (N, D), B (M, D) -> (N, M)."""
    return A @ B.T


def polynomial_kernel(A: np.ndarray, B: np.ndarray, gamma: float, degree: int,
                      coef0: float) -> np.ndarray:
    """K[i, j] = (gamma * a_i . b_j + coef0) ** degree; (N, M)."""
    return (gamma * (A @ B.T) + coef0) ** degree


def rbf_kernel(A: np.ndarray, B: np.ndarray, gamma: float) -> np.ndarray:
    """The Gaussian kernel K[i, j] = exp(-gamma * |a_i - b_j|^2); (N, M).

    |a - b|^2 is expanded as |a|^2 + |b|^2 - 2 a . b (one matmul), clipped at 0 against
    rounding."""
    squared = (A * A).sum(axis=1)[:, None] + (B * B).sum(axis=1)[None, :] - 2.0 * (A @ B.T)
    return np.exp(-gamma * np.maximum(squared, 0.0))


KERNELS = ("linear", "poly", "rbf")
