"""shendu (深度, "deep"): a deep-learning framework from first principles on NumPy, with a
PyTorch-shaped API.

>>> import shendu
>>> x = shendu.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""

from shendu import autograd
from shendu.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from shendu.backend import bool_ as bool
from shendu.backend import float16, float32, float64, int32, int64, uint8
from shendu.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from shendu.ops.activation import log_softmax, softmax
from shendu.ops.elementwise import (
    abs,
    add,
    clamp,
    clip,
    cos,
    div,
    eq,
    exp,
    ge,
    gt,
    isfinite,
    isnan,
    le,
    log,
    log1p,
    logical_not,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    relu,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from shendu.ops.index import gather, index_select, masked_fill
from shendu.ops.linalg import bmm, dot, matmul, mm
from shendu.ops.reduce import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from shendu.ops.shape import (
    cat,
    chunk,
    expand,
    flatten,
    flip,
    pad,
    permute,
    repeat,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    swapaxes,
    t,
    tile,
    transpose,
    unflatten,
    unsqueeze,
)
from shendu.ops.sort import argsort, sort, topk
from shendu.random import initial_seed, manual_seed
from shendu.tensor import Tensor, _bind_methods

_bind_methods()
del _bind_methods

# after the Tensor methods exist:
from shendu import data, metrics, ml, models, nn, optim, train, utils, vision  # noqa: E402
from shendu.io import load, save  # noqa: E402

float = float32
double = float64
long = int64
int = int32
half = float16
subtract, multiply, divide, true_divide = sub, mul, div, div
concat = concatenate = cat

__version__ = "0.1.0"
