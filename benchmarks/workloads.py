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


def mlp_step(lib, batch: int = 64, sizes=(784, 256, 10)):
    """Forward and backward of a two-layer perceptron on a batch of MNIST-sized inputs, with a
    log-sum-exp loss: measures the matmul-bound path (BLAS on both sides)."""
    lib.manual_seed(0)
    X = lib.randn(batch, sizes[0])
    w1 = (lib.randn(sizes[0], sizes[1]) * 0.01).requires_grad_()
    b1 = lib.zeros(sizes[1], requires_grad=True)
    w2 = (lib.randn(sizes[1], sizes[2]) * 0.01).requires_grad_()

    def step():
        h = (X @ w1 + b1).relu()
        loss = (h @ w2).logsumexp(dim=1).mean()
        loss.backward()
        w1.grad = b1.grad = w2.grad = None

    return step


def conv_step(lib, batch: int = 128):
    """Forward and backward of two convolutions, Conv2d(1, 6, 5, padding=2) -> ReLU ->
    Conv2d(6, 16, 5) (LeNet-5's, without the pooling), on a batch of 28x28 single-channel
    inputs: measures the im2col + GEMM path, the weight gradients of both layers and the input
    gradient of the second."""
    lib.manual_seed(0)
    conv1 = lib.nn.Conv2d(1, 6, 5, padding=2)
    conv2 = lib.nn.Conv2d(6, 16, 5)
    X = lib.randn(batch, 1, 28, 28)
    params = [*conv1.parameters(), *conv2.parameters()]

    def step():
        y = conv2(conv1(X).relu())
        y.sum().backward()
        for p in params:
            p.grad = None

    return step


WORKLOADS = {
    "elementwise_chain": elementwise_chain,
    "mlp_step": mlp_step,
    "conv_step": conv_step,
}
