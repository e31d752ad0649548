"""Cases for shendu/ops/elementwise.py."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from shendu.ops.elementwise import Cast
from tests.opcases import Arg, Case
from tests.strategies import binary, unary


@st.composite
def condition_and_pair(draw):
    """A bool condition and two float operands, all three broadcasting together."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    c, a, b = shapes.input_shapes
    return [Arg(c, kind="bool"), Arg(a, noncontig=draw(st.booleans())), Arg(b)], {}

A = (3, 4)


def _unary(name, fn, low=-2.0, high=2.0):
    return Case(name, fn, [Arg(A, low, high)], draw=unary(low, high))


def _binary(name, fn, low=-2.0, high=2.0, low2=None, high2=None):
    return [
        Case(name, fn, [Arg((2, 3, 4), low, high), Arg((3, 1), low2 or low, high2 or high)],
             draw=binary(low, high, low2, high2)),
        Case(name + "_noncontig", fn,
             [Arg((4, 3), low, high, noncontig=True), Arg((4, 3), low2 or low, high2 or high)]),
    ]


CASES = [
    *_binary("add", lambda lib, x, y: x + y),
    *_binary("sub", lambda lib, x, y: x - y),
    *_binary("mul", lambda lib, x, y: x * y),
    *_binary("div", lambda lib, x, y: x / y, low2=0.5, high2=2.0),
    *_binary("pow", lambda lib, x, y: x**y, low=0.5, high=2.0),
    *_binary("maximum", lambda lib, x, y: lib.maximum(x, y)),
    *_binary("minimum", lambda lib, x, y: lib.minimum(x, y)),
    Case("add_alpha", lambda lib, x, y: lib.add(x, y, alpha=0.5), [Arg(A), Arg(A)]),
    Case("sub_alpha", lambda lib, x, y: lib.sub(x, y, alpha=2), [Arg(A), Arg(A)]),
    Case("radd_rsub_rmul", lambda lib, x: 3 - (2 * x + 1) * 0.5, [Arg(A)], draw=unary()),
    Case("rdiv", lambda lib, x: 1.5 / x, [Arg(A, 0.5, 2)], draw=unary(0.5, 2)),
    Case("pow_scalar", lambda lib, x: x**3, [Arg(A)], draw=unary()),
    Case("pow_half", lambda lib, x: x**0.5, [Arg(A, 0.5, 2)]),
    Case("rpow", lambda lib, x: 2.0**x, [Arg(A)], draw=unary()),
    _unary("neg", lambda lib, x: -x),
    _unary("abs", lambda lib, x: x.abs()),
    _unary("exp", lambda lib, x: lib.exp(x)),
    _unary("log", lambda lib, x: x.log(), 0.1, 3.0),
    _unary("log1p", lambda lib, x: lib.log1p(x), -0.5, 3.0),
    _unary("sqrt", lambda lib, x: x.sqrt(), 0.1, 3.0),
    _unary("rsqrt", lambda lib, x: lib.rsqrt(x), 0.1, 3.0),
    _unary("sin", lambda lib, x: x.sin()),
    _unary("cos", lambda lib, x: lib.cos(x)),
    _unary("tanh", lambda lib, x: x.tanh()),
    _unary("sigmoid", lambda lib, x: lib.sigmoid(x), -6, 6),
    Case("sigmoid_tails", lambda lib, x: x.sigmoid(), [Arg((50,), -40, 40)]),
    _unary("relu", lambda lib, x: lib.relu(x)),
    _unary("clamp", lambda lib, x: x.clamp(-0.5, 0.7)),
    _unary("clamp_min", lambda lib, x: lib.clamp(x, min=0.1)),
    _unary("clamp_max", lambda lib, x: x.clamp(max=0.3)),
    Case("clamp_tensor_bounds", lambda lib, x, lo, hi: x.clamp(lo, hi),
         [Arg(A), Arg((4,), -1.5, -0.5), Arg((3, 1), 0.5, 1.5)]),
    Case("where", lambda lib, c, x, y: lib.where(c, x, y),
         [Arg((3, 1), kind="bool"), Arg(A), Arg((4,))], draw=condition_and_pair()),
    _unary("clone", lambda lib, x: x.clone() * 2),
    Case("to_double", lambda lib, x: x.to(lib.float64) * x.double(), [Arg(A)]),
    Case("float_to_double", lambda lib, x: x.float().double(), [Arg(A)], grad=False),
    # Cast's backward (the identity, cast back) in float64, where central differences work
    Case("cast", lambda lib, x: Cast.apply(x, np.float64), [Arg(A)], draw=unary(), torch=False),
    Case("eq_ne_lt", lambda lib, x, y: ((x < y) | (x == y)) & (x != y),
         [Arg(A, kind="int", low=0, high=3), Arg((4,), kind="int", low=0, high=3)]),
    Case("le_gt_ge", lambda lib, x: (x <= 0.5) ^ (x > -0.2) ^ (x >= 1.0), [Arg(A)], grad=False),
    Case("sign_isfinite", lambda lib, x: lib.sign(x) * lib.isfinite(x), [Arg(A)], grad=False),
]
