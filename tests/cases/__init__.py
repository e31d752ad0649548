"""Every op case, gathered from one module per ops file."""

from tests.cases import activation, conv, elementwise, index, layers, loss, pool, reduce, rnn, shape

ALL_CASES = [
    *elementwise.CASES, *reduce.CASES, *shape.CASES, *index.CASES,
    *activation.CASES, *layers.CASES, *loss.CASES, *conv.CASES,
    *pool.CASES, *rnn.CASES,
]
TORCH_CASES = [c for c in ALL_CASES if c.torch]
GRAD_CASES = [c for c in ALL_CASES if c.grad]
DRAWN_CASES = [c for c in GRAD_CASES if c.draw is not None]

_names = [c.name for c in ALL_CASES]
assert len(_names) == len(set(_names)), "duplicate case names"
