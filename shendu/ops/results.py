"""Named results of ops that return values and indices (``max(dim)``, ``sort``, ``topk``)."""

from collections import namedtuple

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "A pair (values, indices), as PyTorch's torch.return_types."
