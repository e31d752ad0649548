"""Cases for shendu/ops/activation.py (the functional activations, ``lib.nn.functional``).

Rectifier kinks (0 for ReLU, the bounds of hardtanh, the threshold) are measure-zero: random
inputs land on one with probability ~1e-6 per element, so plain ranges are used; maxout, a max,
gets distinct values so no two pieces tie. Sparsemax has no PyTorch counterpart (torch=False;
tests/test_nn_activation.py checks it against a NumPy reference); maxout is compared with its
PyTorch composite (unflatten + amax).
"""

from hypothesis import strategies as st

from tests.opcases import Arg, Case
from tests.strategies import shapes, unary

A = (3, 4)
B = (2, 3, 4)


def F(lib):
    return lib.nn.functional


def _is_shendu(lib) -> bool:
    return lib.__name__ == "shendu"


# ---------------------------------------------------------------------------- strategies
@st.composite
def along_dim(draw, low=-2.0, high=2.0, kind="float", min_dims=0):
    """One input of any shape and a ``dim`` of it (a 0-d input takes dim 0 or -1)."""
    shape = draw(shapes(min_dims=min_dims))
    n = max(len(shape), 1)
    dim = draw(st.integers(-n, n - 1))
    return [Arg(shape, low, high, kind, noncontig=draw(st.booleans()))], {"dim": dim}


@st.composite
def prelu_args(draw):
    """An input and a weight of one slope, or of one slope per channel (dim 1)."""
    shape = draw(shapes())
    per_channel = len(shape) >= 2 and draw(st.booleans())
    weight = (shape[1],) if per_channel else (1,)
    return [Arg(shape, noncontig=draw(st.booleans())), Arg(weight, 0.0, 0.5)], {}


@st.composite
def maxout_args(draw):
    """An input whose ``dim`` holds m groups of ``num_pieces`` distinct values."""
    shape = list(draw(shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    k = draw(st.integers(1, 3))
    shape[dim] = draw(st.integers(0, 3)) * k
    return [Arg(tuple(shape), kind="distinct")], {"num_pieces": k, "dim": dim}


# ---------------------------------------------------------------------------- ops as cases
def _sigmoid_alpha(lib, x):
    return F(lib).sigmoid(x, alpha=2.5) if _is_shendu(lib) else lib.sigmoid(2.5 * x)


def _heaviside(lib, x, values):
    x = x.to(values.dtype)  # integers in [-2, 2], so that exact zeros occur
    return F(lib).heaviside(x, values) if _is_shendu(lib) else lib.heaviside(x, values)


def _maxout(lib, x, num_pieces, dim=-1):
    if _is_shendu(lib):
        return F(lib).maxout(x, num_pieces, dim=dim)
    d = dim % x.ndim
    return x.unflatten(d, (x.shape[d] // num_pieces, num_pieces)).amax(d + 1)


CASES = [
    # rectifiers
    Case("act_relu", lambda lib, x: F(lib).relu(x), [Arg(A)], draw=unary()),
    Case("act_relu6", lambda lib, x: F(lib).relu6(x), [Arg(B, -3, 9)], draw=unary(-3, 9)),
    Case("act_hardtanh", lambda lib, x: F(lib).hardtanh(x), [Arg(B)], draw=unary()),
    Case("act_hardtanh_bounds", lambda lib, x: F(lib).hardtanh(x, min_val=-0.5, max_val=1.5),
         [Arg(B)], draw=unary()),
    Case("act_threshold", lambda lib, x: F(lib).threshold(x, 0.3, -2.0), [Arg(B)],
         draw=unary()),
    Case("act_heaviside", _heaviside,
         [Arg(B, -2, 3, kind="int"), Arg((4,), grad=False)], grad=False),
    Case("act_leaky_relu", lambda lib, x: F(lib).leaky_relu(x), [Arg(B)], draw=unary()),
    Case("act_leaky_relu_slope", lambda lib, x: F(lib).leaky_relu(x, negative_slope=0.2),
         [Arg(B)], draw=unary()),
    Case("act_leaky_relu_steep", lambda lib, x: F(lib).leaky_relu(x, 1.5), [Arg(A)],
         draw=unary()),
    Case("act_prelu_shared", lambda lib, x, w: F(lib).prelu(x, w),
         [Arg(B), Arg((1,), 0.0, 0.5)], draw=prelu_args()),
    Case("act_prelu_channels", lambda lib, x, w: F(lib).prelu(x, w),
         [Arg((2, 3, 4, 2)), Arg((3,), 0.0, 0.5)]),
    Case("act_prelu_2d", lambda lib, x, w: F(lib).prelu(x, w),
         [Arg((5, 3), noncontig=True), Arg((3,), -0.5, 0.5)]),
    # smooth
    Case("act_elu", lambda lib, x: F(lib).elu(x), [Arg(B, -4, 2)], draw=unary(-4, 2)),
    Case("act_elu_alpha", lambda lib, x: F(lib).elu(x, alpha=0.7), [Arg(B, -4, 2)],
         draw=unary(-4, 2)),
    Case("act_gelu", lambda lib, x: F(lib).gelu(x), [Arg(B, -4, 4)], draw=unary(-4, 4)),
    Case("act_gelu_tails", lambda lib, x: F(lib).gelu(x), [Arg((40,), -12, 12)]),
    Case("act_gelu_tanh", lambda lib, x: F(lib).gelu(x, approximate="tanh"), [Arg(B, -4, 4)],
         draw=unary(-4, 4)),
    Case("act_softplus", lambda lib, x: F(lib).softplus(x), [Arg(B, -5, 5)], draw=unary(-5, 5)),
    Case("act_softplus_beta", lambda lib, x: F(lib).softplus(x, beta=2.0, threshold=3.0),
         [Arg(B, -3, 3)], draw=unary(-3, 3)),
    Case("act_softplus_tails", lambda lib, x: F(lib).softplus(x), [Arg((40,), -40, 40)]),
    Case("act_silu", lambda lib, x: F(lib).silu(x), [Arg(B, -5, 5)], draw=unary(-5, 5)),
    Case("act_silu_tails", lambda lib, x: F(lib).silu(x), [Arg((40,), -40, 40)]),
    Case("act_sigmoid", lambda lib, x: F(lib).sigmoid(x), [Arg(A, -6, 6)], draw=unary(-6, 6)),
    Case("act_sigmoid_alpha", _sigmoid_alpha, [Arg(A, -3, 3)], draw=unary(-3, 3)),
    Case("act_tanh", lambda lib, x: F(lib).tanh(x), [Arg(A)], draw=unary()),
    # normalising
    Case("act_softmax", lambda lib, x, dim: F(lib).softmax(x, dim=dim), [Arg(B)], {"dim": 1},
         draw=along_dim()),
    Case("act_softmax_last", lambda lib, x: F(lib).softmax(x, -1), [Arg(B, -5, 5)]),
    Case("act_softmax_dtype", lambda lib, x: F(lib).softmax(x, 0, dtype=lib.float64),
         [Arg(A)]),
    Case("act_softmax_large", lambda lib, x: F(lib).softmax(x, dim=1), [Arg((3, 5), -50, 50)]),
    Case("act_log_softmax", lambda lib, x, dim: F(lib).log_softmax(x, dim=dim), [Arg(B)],
         {"dim": -1}, draw=along_dim()),
    Case("act_log_softmax_large", lambda lib, x: F(lib).log_softmax(x, dim=0),
         [Arg((4, 3), -1e4, 1e4)]),
    Case("act_softmin", lambda lib, x, dim: F(lib).softmin(x, dim=dim), [Arg(B)], {"dim": 0},
         draw=along_dim()),
    Case("act_sparsemax", lambda lib, x, dim: F(lib).sparsemax(x, dim=dim), [Arg(B)],
         {"dim": -1}, draw=along_dim(), torch=False),
    Case("act_sparsemax_dim1", lambda lib, x: F(lib).sparsemax(x, dim=1),
         [Arg((3, 6, 2), -1, 1)], torch=False),
    Case("act_maxout", _maxout, [Arg((3, 6), kind="distinct")], {"num_pieces": 3},
         draw=maxout_args()),
    Case("act_maxout_dim", _maxout, [Arg((2, 4, 3), kind="distinct")],
         {"num_pieces": 2, "dim": 1}),
]
