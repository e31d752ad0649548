"""``shendu.nn``: modules (layers, activations, losses), ``functional``, ``init`` and
``utils``, with PyTorch's names and defaults."""

import sys as _sys

from shendu.nn import functional, init, regularizers, rnn, utils
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
from shendu.nn.rnn import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    RNNBase,
    RNNCell,
    RNNCellBase,
)
from shendu.nn.summary import summary

# PyTorch's torch.nn.utils.rnn (pack_padded_sequence, pad_sequence, ...) lives in shendu.nn.rnn
utils.rnn = rnn
_sys.modules["shendu.nn.utils.rnn"] = rnn
