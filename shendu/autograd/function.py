"""``Function``: the base class of every differentiable op, built-in or user-written.

An op is a subclass with two static methods side by side::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = np.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y          # d exp(x)/dx = exp(x)

and is called as ``Exp.apply(tensor)``. ``forward`` and ``backward`` work on NumPy arrays (the
``.data`` of the tensors), not on Tensors: the formula is plain NumPy and the engine adds no
per-element overhead. Arguments that are not Tensors (ints, tuples, flags) are passed through
unchanged and get ``None`` as their gradient. ``backward`` returns one gradient per positional
argument of ``forward`` (a tuple, or a single array when there is one), ``None`` where no
gradient is needed (``ctx.needs_input_grad`` says which). A gradient may have the broadcast
shape of the output: the engine sums it back to the input's shape in one place. ``backward``
must not change ``grad`` in place: it may be shared with other ops or be a read-only view.
"""

from __future__ import annotations

import numpy as np

from shendu.autograd import anomaly, grad_mode, versions
from shendu.tensor import Tensor

# Each recorded op gets the next number: outputs are numbered after their inputs, which gives
# the backward engine its order (and in-place checks their reference point).
_sequence = versions.sequence
_ndarray = np.ndarray
_NONE_NEEDED = [(False,) * n for n in range(64)]  # needs_input_grad of calls not recorded
_new = object.__new__


class Function:
    """Base class of differentiable operations; an instance is the ``ctx`` of one call.

    Attributes set by :meth:`apply` on the ctx:
        inputs: the positional arguments of the call (Tensors and other values).
        needs_input_grad: for each positional argument, whether its gradient is needed
            (already set when ``forward`` runs, so it can skip saving what won't be used).
        saved_tensors: what ``forward`` passed to :meth:`save_for_backward`.
    """

    __slots__ = ("inputs", "needs_input_grad", "saved_tensors", "_seq", "__dict__")

    def __init_subclass__(cls, **kwargs) -> None:
        # forward/backward written without @staticmethod still take ctx first, as in PyTorch
        super().__init_subclass__(**kwargs)
        for name in ("forward", "backward"):
            method = cls.__dict__.get(name)
            if method is not None and not isinstance(method, (staticmethod, classmethod)):
                setattr(cls, name, staticmethod(method))

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` for ``backward`` (read them back from ``ctx.saved_tensors``).

        Arrays that are the data of an input or of the output are watched: changing that tensor
        in place before backward raises an error instead of giving a wrong gradient.
        """
        self.saved_tensors = arrays

    @property
    def parents(self) -> tuple:
        """The inputs that need a gradient (``None`` in the place of the others)."""
        return tuple(a if need else None for a, need in zip(self.inputs, self.needs_input_grad))

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, ...)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs) -> Tensor:
        """Run ``forward`` on the arrays of ``args`` and, when any input requires grad and
        recording is on, link the output into the graph."""
        # The hottest path of the library: one loop over the arguments, no generators.
        ctx = _new(cls)
        ctx.saved_tensors = ()
        arrays = []
        needs = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                needs.append(a.requires_grad)
                if a.requires_grad:
                    record = True
            else:
                arrays.append(a)
                needs.append(False)
        # as in PyTorch, forward can already see which gradients will be wanted
        recording = record and grad_mode._enabled
        ctx.needs_input_grad = tuple(needs) if recording else _NONE_NEEDED[len(needs)]
        try:
            out = cls.forward(ctx, *arrays, **kwargs) if kwargs else cls.forward(ctx, *arrays)
        except ValueError as err:
            if "broadcast" in str(err):
                raise _broadcast_error(cls.__name__, arrays, err) from None
            raise
        if type(out) is not _ndarray:
            out = np.asarray(out)
        if anomaly._enabled:
            anomaly.check_finite(out, cls.__name__, "forward output")

        result = _new(Tensor)
        result.data = out
        if recording and out.dtype.kind == "f":
            ctx.inputs = args
            ctx._seq = next(_sequence)
            result.requires_grad = True
            result._ctx = ctx
        else:
            result.requires_grad = False
            result._ctx = None
        return result

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


def _broadcast_error(op: str, arrays, err: ValueError) -> ValueError:
    """Rewrite NumPy's broadcasting error so it names the op and the operands' shapes."""
    shapes = " and ".join(str(tuple(a.shape)) for a in arrays if isinstance(a, np.ndarray))
    return ValueError(f"{op}: shapes {shapes} cannot be broadcast together ({err})")
