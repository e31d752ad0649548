"""``shendu.nn``: modules (layers, activations, losses), ``functional``, ``init`` and
``utils``, with PyTorch's names and defaults."""

from shendu.nn import functional, init, regularizers, utils
from shendu.nn.activation import *  # noqa: F403
from shendu.nn.attention import AdditiveAttention, DotProductAttention, MultiheadAttention
from shendu.nn.conv import *  # noqa: F403
from shendu.nn.dropout import *  # noqa: F403
from shendu.nn.embedding import *  # noqa: F403
from shendu.nn.linear import *  # noqa: F403
from shendu.nn.loss import *  # noqa: F403
from shendu.nn.module import (
    Identity,
    Module,
    ModuleDict,
    ModuleInputError,
    ModuleList,
    Sequential,
)
from shendu.nn.normalization import *  # noqa: F403
from shendu.nn.parameter import Parameter
from shendu.nn.pooling import *  # noqa: F403
from shendu.nn.regularizers import L1, L1L2, L2
from shendu.nn.summary import summary
