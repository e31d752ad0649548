"""``shendu.nn.functional`` (import as ``F``): the stateless form of every layer, activation
and loss. The ops live in ``shendu/ops``; this module gathers their public names.

The curriculum's absolute-value rectifier, g(x) = max(0, x) + a min(0, x) with a = -1, is |x|:
``F.abs``.
"""

from shendu.nn.attention import masked_softmax, scaled_dot_product_attention  # noqa: F401
from shendu.ops.activation import *  # noqa: F403
from shendu.ops.conv import *  # noqa: F403
from shendu.ops.elementwise import abs  # noqa: F401
from shendu.ops.layers import *  # noqa: F403
from shendu.ops.loss import *  # noqa: F403
from shendu.ops.normalization import *  # noqa: F403
from shendu.ops.pool import *  # noqa: F403
from shendu.ops.shape import pad  # noqa: F401
