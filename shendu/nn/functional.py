"""``shendu.nn.functional`` (import as ``F``): the stateless form of every layer, activation
and loss. The ops live in ``shendu/ops``; this module gathers their public names."""

from shendu.ops.activation import *  # noqa: F403
from shendu.ops.conv import *  # noqa: F403
from shendu.ops.layers import *  # noqa: F403
from shendu.ops.loss import *  # noqa: F403
from shendu.ops.normalization import *  # noqa: F403
from shendu.ops.pool import *  # noqa: F403
from shendu.ops.shape import pad  # noqa: F401
