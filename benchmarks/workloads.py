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


def _sgd_step(lib, model, loss, lr: float = 0.01):
    """Backward and a plain SGD update, written with public API only (same for both libs)."""
    model.zero_grad()
    loss.backward()
    with lib.no_grad():
        for p in model.parameters():
            p -= lr * p.grad


def lenet_step(lib, batch: int = 128):
    """One training step (forward, cross-entropy, backward, SGD update) of LeNet-5 (ReLU, max
    pooling) on a batch of MNIST-sized images."""
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    X, y = lib.randn(batch, 1, 28, 28), lib.randint(0, 10, (batch,))

    def step():
        _sgd_step(lib, model, nn.functional.cross_entropy(model(X), y))

    return step


def resnet18_step(lib, batch: int = 32):
    """One training step of a CIFAR-style ResNet-18 (3x3 stem, four stages of two basic blocks
    with 64/128/256/512 channels, global average pooling) on a batch of 3x32x32 images."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, c_in, c_out, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.shortcut = nn.Sequential()
            if stride != 1 or c_in != c_out:  # the 1x1 projection where the shape changes
                self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                              nn.BatchNorm2d(c_out))

        def forward(self, x):
            out = self.bn1(self.conv1(x)).relu()
            return (self.bn2(self.conv2(out)) + self.shortcut(x)).relu()

    lib.manual_seed(0)
    stages, c_in = [], 64
    for c_out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        stages += [Block(c_in, c_out, stride), Block(c_out, c_out, 1)]
        c_in = c_out
    model = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                          *stages, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))
    X, y = lib.randn(batch, 3, 32, 32), lib.randint(0, 10, (batch,))

    def step():
        _sgd_step(lib, model, nn.functional.cross_entropy(model(X), y))

    return step


def adam_step(lib, shapes=((784, 512), (512,), (512, 512), (512,), (512, 512), (512,),
                           (512, 128), (128,), (128, 10), (10,))):
    """One Adam update (default options) of about a million float32 parameters (994,190) in
    ten tensors, the weights and biases of a 784-512-512-512-128-10 perceptron, with fixed
    gradients: measures the optimizer alone."""
    lib.manual_seed(0)
    params = [lib.randn(*shape, requires_grad=True) for shape in shapes]
    for p in params:
        p.grad = lib.randn(*shape) if (shape := tuple(p.shape)) else None
    opt = lib.optim.Adam(params, lr=1e-3)
    opt.step()          # create the state outside the timed steps

    return opt.step


# name -> (workload, default timed samples, repetitions per sample)
WORKLOADS = {
    "elementwise_chain": (elementwise_chain, 30, 5),
    "mlp_step": (mlp_step, 30, 5),
    "conv_step": (conv_step, 20, 2),
    "lenet_step": (lenet_step, 20, 2),
    "resnet18_step": (resnet18_step, 5, 1),
    "adam_step": (adam_step, 30, 10),
}


def char_lstm_step(lib, vocab: int = 28, embed: int = 32, hidden: int = 256, batch: int = 32,
                   steps: int = 35):
    """One training step of a character-level LSTM language model: Embedding(28, 32) ->
    LSTM(32, 256) -> Linear(256, 28) over a batch of 32 sequences of 35 steps (time-major, as
    d2l feeds them), cross-entropy over every position, backward, gradient clipping to norm 1
    and a plain SGD update (``optim.SGD``): measures the recurrent layer's forward and
    backward through time."""
    nn = lib.nn
    lib.manual_seed(0)
    embedding = nn.Embedding(vocab, embed)
    lstm = nn.LSTM(embed, hidden)
    head = nn.Linear(hidden, vocab)
    params = [*embedding.parameters(), *lstm.parameters(), *head.parameters()]
    optimizer = lib.optim.SGD(params, lr=1.0)
    X, y = lib.randint(0, vocab, (steps, batch)), lib.randint(0, vocab, (steps * batch,))

    def step():
        optimizer.zero_grad()
        output, _ = lstm(embedding(X))
        loss = nn.functional.cross_entropy(head(output).reshape(-1, vocab), y)
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()

    return step


WORKLOADS["char_lstm_step"] = (char_lstm_step, 20, 2)
