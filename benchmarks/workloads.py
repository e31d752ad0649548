"""Benchmark workloads. Each is ``fn(lib)`` -> a zero-argument callable that runs one timed
repetition with ``lib`` = shendu or torch (the APIs match, so one body serves both); set-up
work happens outside the returned callable."""

from __future__ import annotations


def elementwise_chain(lib, n_ops: int = 200, size: int = 16):
    """A chain of ``n_ops`` small elementwise ops on a ``size``-element tensor, then
    ``backward()``: measures per-op overhead of the forward and the backward engine."""
    lib.manual_seed(0)
    w = lib.randn(size, requires_grad=True)
    b = lib.randn(size)

    def step():
        x = w
        for i in range(n_ops // 4):
            x = x * 0.9
            x = x + b
            x = x.tanh() if i % 2 else x.sigmoid()
            x = x - 0.1
        x.sum().backward()
        w.grad = None

    return step


WORKLOADS = {
    "elementwise_chain": elementwise_chain,
}
