"""Differentiable primitives: one :class:`~shendu.autograd.Function` subclass per op, forward
and backward side by side, plus the functional wrappers that the Tensor methods and the
``shendu.*`` functions call."""
