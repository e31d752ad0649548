"""``Tensor``: an n-dimensional array that can record the operations applied to it.

A Tensor holds a NumPy array in ``.data``. When ``requires_grad`` is set, every op applied to it
(an :class:`~shendu.autograd.Function`) links its output to it through ``_ctx``, and
``backward()`` walks those links in reverse to fill ``.grad``. The methods here only delegate:
the formulas live in ``shendu/ops``.
"""

from __future__ import annotations

import numpy as np

from shendu import backend
from shendu.autograd import versions


class Tensor:
    """A multi-dimensional array with reverse-mode automatic differentiation.

    Create one with :func:`shendu.tensor`. ``data`` is the ndarray, ``grad`` the accumulated
    gradient (a Tensor or ``None``), ``requires_grad`` whether ops on it are recorded.
    """

    # What every tensor sets is a slot; what few tensors ever set (hooks, in-place version,
    # the tensor it was detached from) is a class-level default, overridden per instance only
    # when used, so making a tensor costs three attribute stores.
    __slots__ = ("data", "requires_grad", "_ctx", "__dict__", "__weakref__")
    grad = None  # set on leaves by backward
    _version = 0  # number of the last in-place change (see autograd/versions.py)
    _base = None  # the tensor this one was detached from, which shares its data
    _hooks = None
    _retains_grad = False
    # NumPy defers to our reflected operators (ndarray + Tensor -> Tensor.__radd__).
    __array_ufunc__ = None

    def __init__(self, data, dtype=None, requires_grad: bool = False) -> None:
        from shendu.creation import _to_array

        self.data = _to_array(data, dtype)
        self.requires_grad = False
        self._ctx = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap an ndarray without copying or checking it (the fast path used by ops)."""
        t = object.__new__(cls)
        t.data = data
        t.requires_grad = requires_grad
        t._ctx = None
        return t

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user, not computed by a recorded op."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The op (its ctx) that produced this tensor, or ``None`` for a leaf."""
        return self._ctx

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed (``permute(n-1, ..., 0)``)."""
        return self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of transposed matrices)."""
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None):
        """The shape, or the length of dimension ``dim``."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    def element_size(self) -> int:
        return self.data.itemsize

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return self.data.flags.c_contiguous

    # ----------------------------------------------------------------- conversion
    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shares memory). Fails on a tensor that requires grad,
        as in PyTorch: call ``detach().numpy()``."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad. Use tensor.detach().numpy()."
            )
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item(): only a one-element tensor can be converted to a Python number, "
                f"got shape {self.shape}"
            )
        return self.data.reshape(()).item()

    def tolist(self):
        """The data as (nested) Python lists of numbers."""
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def detach(self) -> Tensor:
        """A tensor sharing this one's data but cut from the graph."""
        t = Tensor._make(self.data)
        t._base = self if self._base is None else self._base  # in-place changes show on both
        return t

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph (its gradient flows back here)."""
        from shendu.ops.elementwise import Clone

        return Clone.apply(self)

    def contiguous(self) -> Tensor:
        return self if self.data.flags.c_contiguous else self.clone()

    def to(self, dtype=None, *args, **kwargs) -> Tensor:
        """A tensor of ``dtype`` (differentiable between floating types). Device strings such
        as ``"cpu"`` are accepted and ignored, so PyTorch code runs unchanged."""
        if isinstance(dtype, Tensor):
            dtype = dtype.dtype
        if dtype is None or isinstance(dtype, str) and dtype.startswith("cpu"):
            dtype = kwargs.get("dtype", args[0] if args else None)
            if dtype is None:
                return self
        from shendu.ops.elementwise import Cast

        dtype = backend.to_dtype(dtype)
        return self if dtype == self.data.dtype else Cast.apply(self, dtype)

    def float(self) -> Tensor:
        return self.to(backend.float32)

    def double(self) -> Tensor:
        return self.to(backend.float64)

    def half(self) -> Tensor:
        return self.to(backend.float16)

    def long(self) -> Tensor:
        return self.to(backend.int64)

    def int(self) -> Tensor:
        return self.to(backend.int32)

    def bool(self) -> Tensor:
        return self.to(backend.bool_)

    def cpu(self) -> Tensor:
        return self

    # ----------------------------------------------------------------- autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (floating tensors only) and return self."""
        if requires_grad and not backend.is_floating(self.data.dtype):
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.dtype}; "
                "convert first, e.g. x.float().requires_grad_()"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError(
                "requires_grad_(False) on a non-leaf tensor: use detach() to cut it from the graph"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Compute the gradient of this tensor with respect to the graph's leaves and add it to
        their ``.grad``. A non-scalar tensor needs ``gradient`` (d loss / d self)."""
        from shendu.autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. Returns a handle whose ``remove()`` unregisters the hook."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require grad")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that doesn't require grad")
        if self._ctx is not None:
            self._retains_grad = True
            if self._hooks is None:
                self._hooks = []  # the engine looks at _hooks only: not None means "look"

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    # ----------------------------------------------------------------- in place
    def _check_inplace(self, op: str) -> None:
        from shendu.autograd import grad_mode

        if grad_mode._enabled and self.requires_grad:
            kind = "a leaf tensor" if self._ctx is None else "a tensor"
            raise RuntimeError(
                f"{op}: in-place change of {kind} that requires grad. "
                "Do it under `with shendu.no_grad():` or use the out-of-place op."
            )
        if not self.data.flags.writeable:
            raise RuntimeError(f"{op}: the tensor's memory is read-only (an expand() view?)")
        versions.bump(self)

    def _inplace(self, op: str, fn, other=None) -> Tensor:
        self._check_inplace(op)
        other = other.data if isinstance(other, Tensor) else other
        try:
            fn(self.data, other)
        except ValueError as err:
            raise ValueError(f"{op}: cannot apply an operand of shape {np.shape(other)} to a "
                             f"tensor of shape {self.shape} in place ({err})") from None
        return self

    def add_(self, other, alpha=1) -> Tensor:
        """In place: self += alpha * other."""
        if alpha != 1:
            other = (other.data if isinstance(other, Tensor) else other) * alpha
        return self._inplace("add_", lambda a, b: np.add(a, b, out=a, casting="unsafe"), other)

    def sub_(self, other, alpha=1) -> Tensor:
        """In place: self -= alpha * other."""
        if alpha != 1:
            other = (other.data if isinstance(other, Tensor) else other) * alpha
        return self._inplace("sub_", lambda a, b: np.subtract(a, b, out=a, casting="unsafe"),
                             other)

    def mul_(self, other) -> Tensor:
        """In place: self *= other."""
        return self._inplace("mul_", lambda a, b: np.multiply(a, b, out=a, casting="unsafe"),
                             other)

    def div_(self, other) -> Tensor:
        """In place: self /= other."""
        return self._inplace("div_", lambda a, b: np.divide(a, b, out=a, casting="unsafe"), other)

    def copy_(self, src) -> Tensor:
        """In place: copy ``src`` (broadcast to this shape) into this tensor."""
        return self._inplace("copy_", lambda a, b: np.copyto(a, b, casting="unsafe"), src)

    def fill_(self, value) -> Tensor:
        """In place: set every element to ``value``."""
        return self._inplace("fill_", lambda a, b: a.fill(b), value)

    def zero_(self) -> Tensor:
        """In place: set every element to 0."""
        return self.fill_(0)

    def clamp_(self, min=None, max=None) -> Tensor:
        """In place: clamp into [min, max]."""
        return self._inplace("clamp_", lambda a, _: np.clip(a, min, max, out=a))

    def __setitem__(self, index, value) -> None:
        if isinstance(index, Tensor):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)

        def assign(a, b):
            a[index] = b

        self._inplace("__setitem__", assign, value)

    # ----------------------------------------------------------------- Python protocol
    __hash__ = object.__hash__

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __repr__(self) -> str:
        return _format(self)

    def __deepcopy__(self, memo) -> Tensor:
        t = Tensor._make(self.data.copy(), self.requires_grad)
        if self.grad is not None:
            t.grad = Tensor._make(self.grad.data.copy())
        return t


class _HookHandle:
    def __init__(self, hooks: list, hook) -> None:
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


def _format(t: Tensor) -> str:
    data = t.data
    prefix = "tensor("
    if data.size == 0:
        body = f"[], size={data.shape}" if data.ndim > 1 else "[]"
    else:
        body = np.array2string(data, separator=", ", prefix=prefix, precision=4,
                               threshold=1000, edgeitems=3)
    extras = []
    default = backend.default_float if data.dtype.kind == "f" else backend.default_int
    if data.dtype.kind in "fiu" and data.dtype != default:
        extras.append(f"dtype=shendu.{data.dtype.name}")
    if t._ctx is not None:
        extras.append(f"grad_fn={t._ctx!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return prefix + ", ".join([body, *extras]) + ")"


# ---------------------------------------------------------------------------- methods
# Each method is the functional form from shendu/ops with the tensor as ``input``; the
# functions carry the docstrings.
def _bind_methods() -> None:
    from shendu.ops import activation as A
    from shendu.ops import elementwise as E
    from shendu.ops import index as I
    from shendu.ops import linalg as L
    from shendu.ops import reduce as R
    from shendu.ops import shape as S
    from shendu.ops import sort as O

    modules = {
        E: "add sub mul div pow neg abs exp log log1p sqrt rsqrt sin cos tanh sigmoid relu "
           "maximum minimum clamp clip where eq ne lt le gt ge isnan isfinite sign logical_not",
        R: "sum mean max min amax amin prod var std logsumexp norm argmax argmin any all",
        L: "matmul mm bmm dot",
        S: "reshape view flatten unflatten squeeze unsqueeze permute transpose swapaxes t "
           "expand expand_as repeat tile flip roll split chunk",
        I: "gather index_select masked_fill",
        O: "sort argsort topk",
        A: "softmax log_softmax",
    }
    for module, names in modules.items():
        for name in names.split():
            setattr(Tensor, name, getattr(module, name))
    Tensor.true_divide = E.div
    Tensor.subtract = E.sub
    Tensor.multiply = E.mul
    Tensor.divide = E.div
    Tensor.view_as = lambda self, other: S.reshape(self, other.shape)
    Tensor.reshape_as = Tensor.view_as
    Tensor.type_as = lambda self, other: self.to(other.dtype)

    Tensor.__add__ = lambda self, other: E.Add.apply(self, other)
    Tensor.__radd__ = lambda self, other: E.Add.apply(other, self)
    Tensor.__sub__ = lambda self, other: E.Sub.apply(self, other)
    Tensor.__rsub__ = lambda self, other: E.Sub.apply(other, self)
    Tensor.__mul__ = E.mul
    Tensor.__rmul__ = lambda self, other: E.Mul.apply(other, self)
    Tensor.__truediv__ = E.div
    Tensor.__rtruediv__ = lambda self, other: E.Div.apply(other, self)
    Tensor.__pow__ = E.pow
    Tensor.__rpow__ = lambda self, other: E.Pow.apply(other, self)
    Tensor.__matmul__ = L.matmul
    Tensor.__rmatmul__ = lambda self, other: L.matmul(other, self)
    Tensor.__neg__ = E.neg
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = E.abs
    Tensor.__eq__ = E.eq
    Tensor.__ne__ = E.ne
    Tensor.__lt__ = E.lt
    Tensor.__le__ = E.le
    Tensor.__gt__ = E.gt
    Tensor.__ge__ = E.ge
    Tensor.__invert__ = E.logical_not
    Tensor.__and__ = E.bitwise_and
    Tensor.__or__ = E.bitwise_or
    Tensor.__xor__ = E.bitwise_xor
    Tensor.__getitem__ = I.getitem

    def _augmented(inplace, outofplace):
        # ``x += y`` changes x in place when it is not part of a recorded graph; on a tensor
        # that requires grad it computes x + y and rebinds the name (so ``h += b`` still works
        # inside a model without an in-place error).
        def augmented(self, other):
            from shendu.autograd import grad_mode

            if self.requires_grad and grad_mode._enabled:
                return outofplace(self, other)
            return getattr(self, inplace)(other)

        return augmented

    Tensor.__iadd__ = _augmented("add_", E.add)
    Tensor.__isub__ = _augmented("sub_", E.sub)
    Tensor.__imul__ = _augmented("mul_", E.mul)
    Tensor.__itruediv__ = _augmented("div_", E.div)
