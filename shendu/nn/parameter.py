"""``Parameter``: a Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

import numpy as np

from shendu.tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is registered by the Module it is
    assigned to (``self.weight = Parameter(...)``), so ``parameters()`` and ``state_dict()``
    find it.

    Args:
        data: a Tensor (whose array is shared, not copied) or array-like; float32 by default.
        requires_grad: whether the optimizer should update it.
    """

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=np.float32)
        if isinstance(data, Tensor):
            self.data = data.data
            self.requires_grad = False
            self._ctx = None
        else:
            super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo) -> Parameter:
        p = Parameter(self.data.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            p.grad = Tensor._make(self.grad.data.copy())
        memo[id(self)] = p
        return p
