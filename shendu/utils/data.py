"""``shendu.utils.data``: the data-loading names under the path PyTorch code imports them from
(``torch.utils.data``). They are the very objects of ``shendu.data``."""

from shendu.data import *  # noqa: F403
from shendu.data import __all__  # noqa: F401
