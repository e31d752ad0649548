"""``summary``: a Keras-style table of a model's layers, output shapes, parameters and
multiply-accumulate operations (MACs).

The model runs once on a batch of one example. A forward hook on each leaf module (one without
sub-modules), and on each module that owns parameters directly, records a row per call: the
module's path and type, its output shape with the batch dim shown as -1, its own parameters
and its MACs for that example.

MACs come from rules: a function ``rule(module, inputs, output) -> int`` registered under a
module class name in :data:`MAC_RULES` (with :func:`register_macs`). The rule of the nearest
class in the module's MRO applies (``Dense``, a subclass of ``Linear``, uses Linear's rule). A
module without a rule counts 0: activations, normalisation, dropout, pooling and reshaping are
not counted (their cost is element-wise, small next to the contractions), and neither is work
done by plain function calls in a ``forward`` (only modules are seen). Bias additions are not
counted. A layer written later adds its rule beside it::

    from shendu.nn.summary import register_macs

    @register_macs("Conv2d")
    def _conv2d_macs(module, inputs, output):
        # each output element is a dot product over (in_channels / groups) * kH * kW inputs
        return output.numel() * (module.in_channels // module.groups) * math.prod(
            module.kernel_size)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from shendu import backend
from shendu.autograd import no_grad
from shendu.nn.module import Module
from shendu.tensor import Tensor

__all__ = ["MAC_RULES", "LayerSummary", "ModelSummary", "register_macs", "summary"]

MacRule = Callable[[Module, tuple, object], int]

MAC_RULES: dict[str, MacRule] = {}
"""Module class name -> ``rule(module, inputs, output)``: the multiply-accumulates of one call
(``inputs`` is the tuple of positional arguments the module was called with)."""


def register_macs(*class_names: str) -> Callable[[MacRule], MacRule]:
    """Decorator: register a MAC rule for the module classes named ``class_names``."""
    if not class_names or not all(isinstance(n, str) for n in class_names):
        raise TypeError("register_macs: give one or more module class names (strings)")

    def decorator(rule: MacRule) -> MacRule:
        for name in class_names:
            MAC_RULES[name] = rule
        return rule

    return decorator


@register_macs("Linear")
def _linear_macs(module, inputs, output) -> int:
    """y = x W^T + b: a call costs rows * weight rows * in_features MACs, the rows being the
    batch and any extra leading dims (numel(y) * in_features for Linear; Maxout, a Linear
    whose outputs are then pooled k at a time, computes k times as many dot products)."""
    rows = output.data.size // output.shape[-1] if output.ndim else 1
    return rows * module.weight.shape[0] * module.in_features


def count_macs(module: Module, inputs: tuple, output) -> int:
    """The MACs of one call of ``module``, by the rule of the nearest class in its MRO that
    has one (0 if none does)."""
    for klass in type(module).__mro__:
        rule = MAC_RULES.get(klass.__name__)
        if rule is not None:
            return int(rule(module, inputs, output))
    return 0


@dataclass(frozen=True)
class LayerSummary:
    """One row of a summary: one call of one module.

    Attributes:
        name: the module's dotted path in the model (``"features.0"``; ``""`` for the model).
        type: the module's class name.
        output_shape: the output's shape with the batch dim as -1 (``(-1, 256)``); a tuple of
            shapes for a tuple of outputs; ``None`` for an output that is not a tensor.
        params: the number of the module's own parameters, each parameter counted once in the
            whole table (in its first row; a module called twice shows 0 the second time).
        trainable_params: of those, the ones that require grad.
        macs: multiply-accumulate operations of this call for one example.
    """

    name: str
    type: str
    output_shape: tuple | None
    params: int
    trainable_params: int
    macs: int

    @property
    def label(self) -> str:
        """``"features.0 (Linear)"``, or the type alone for the model itself."""
        return f"{self.name} ({self.type})" if self.name else self.type


@dataclass(frozen=True)
class ModelSummary:
    """What :func:`summary` found; ``str()`` gives the table it prints.

    Attributes:
        rows: one :class:`LayerSummary` per module call, in the order the calls ended.
        input_shape: the shape of one example (a tuple of shapes for several inputs).
        total_params: elements of all parameters of the model (each shared parameter once;
            including modules the forward pass did not call).
        trainable_params: of those, the ones that require grad.
        param_bytes: the memory the parameters take.
        total_macs: multiply-accumulates for one example, summed over the rows.
    """

    rows: list[LayerSummary]
    input_shape: tuple
    total_params: int
    trainable_params: int
    param_bytes: int
    total_macs: int

    @property
    def non_trainable_params(self) -> int:
        """Elements of the parameters that do not require grad (frozen)."""
        return self.total_params - self.trainable_params

    def lines(self) -> list[str]:
        """The table, line by line."""
        header = ("Layer (type)", "Output Shape", "Param #", "MACs")
        cells = [(row.label, _format_shape(row.output_shape), f"{row.params:,}",
                  f"{row.macs:,}") for row in self.rows]
        widths = [max(len(text) for text in column) for column in zip(header, *cells)]
        widths = [widths[0] + 2, widths[1] + 2, widths[2] + 2, widths[3] + 2]

        def line(texts) -> str:
            return (texts[0].ljust(widths[0]) + texts[1].ljust(widths[1])
                    + texts[2].rjust(widths[2]) + texts[3].rjust(widths[3])).rstrip()

        rule_width = sum(widths)
        lines = [f"Input shape (one example): {_format_shape(self.input_shape)}",
                 "=" * rule_width, line(header), "=" * rule_width]
        lines += [line(texts) for texts in cells]
        lines += ["=" * rule_width,
                  f"Total params: {self.total_params:,} ({_format_bytes(self.param_bytes)})",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}",
                  f"Total MACs (per example): {self.total_macs:,}",
                  "-" * rule_width]
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


def summary(model: Module, input_shape, dtype=backend.float32,
            print_fn: Callable[[str], object] | None = print) -> ModelSummary:
    """Run ``model`` on one example and print a table of its layers (as Keras's
    ``model.summary()`` and ``torchsummary``).

    The input is a batch of one: standard normal values from a private generator for a
    floating ``dtype`` (the global generator is not touched), zeros for an integer one (valid
    indices for an Embedding). It runs under ``no_grad`` in evaluation mode (Dropout off,
    BatchNorm's running statistics neither used for the batch nor updated); afterwards every
    module's training flag is restored and the hooks are removed, also when forward fails.

    Args:
        model: the Module to describe.
        input_shape: the shape of ONE example, without the batch dim (``(784,)``,
            ``(1, 28, 28)``; an int n means ``(n,)``). A list of shapes for a model called
            with several inputs (``[(10,), (3,)]`` calls ``model(x1, x2)``).
        dtype: of the input(s): one dtype, or one per input.
        print_fn: called with each line of the table; ``None`` prints nothing.

    Returns:
        A :class:`ModelSummary` (rows and totals; ``str()`` is the table).

    >>> net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    >>> result = nn.summary(net, (784,), print_fn=None)
    >>> result.total_params, result.total_macs  # 784*256 + 256 + 256*10 + 10, 784*256 + 256*10
    (203530, 203264)
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: expected a Module, got {type(model).__name__}")
    shapes = _input_shapes(input_shape)
    dtypes = _input_dtypes(dtype, len(shapes))
    rng = np.random.default_rng(0)
    inputs = [Tensor._make(_example(rng, shape, dt)) for shape, dt in zip(shapes, dtypes)]

    names = {}
    for name, module in model.named_modules():
        has_children = any(True for _ in module.children())
        owns = any(p is not None for p in module._parameters.values())
        if not has_children or owns:
            names[id(module)] = name
    rows: list[LayerSummary] = []
    counted: set[int] = set()

    def hook(module, args, output) -> None:
        own = [p for p in module._parameters.values() if p is not None and id(p) not in counted]
        counted.update(id(p) for p in own)
        rows.append(LayerSummary(
            name=names[id(module)], type=type(module).__name__,
            output_shape=_output_shape(output),
            params=sum(p.data.size for p in own),
            trainable_params=sum(p.data.size for p in own if p.requires_grad),
            macs=count_macs(module, args, output)))

    modes = [(module, module.training) for module in model.modules()]
    handles = [module.register_forward_hook(hook) for module in model.modules()
               if id(module) in names]
    try:
        model.eval()
        with no_grad():
            model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in modes:
            object.__setattr__(module, "training", mode)

    params = list(model.parameters())
    result = ModelSummary(
        rows=rows,
        input_shape=shapes[0] if len(shapes) == 1 else tuple(shapes),
        total_params=sum(p.data.size for p in params),
        trainable_params=sum(p.data.size for p in params if p.requires_grad),
        param_bytes=sum(p.data.nbytes for p in params),
        total_macs=sum(row.macs for row in rows))
    if print_fn is not None:
        for text in result.lines():
            print_fn(text)
    return result


# ---------------------------------------------------------------------------- helpers
def _is_shape(value) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in value)


def _input_shapes(input_shape) -> list[tuple]:
    """One example's shape, or a list of them, as a list of tuples (checked)."""
    if isinstance(input_shape, (int, np.integer)) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if _is_shape(input_shape):
        shapes = [tuple(int(n) for n in input_shape)]
    elif (isinstance(input_shape, Sequence) and input_shape
          and all(_is_shape(s) for s in input_shape)):
        shapes = [tuple(int(n) for n in s) for s in input_shape]
    else:
        raise TypeError(f"summary: input_shape must be the shape of one example (a tuple of "
                        f"ints, without the batch dim) or a list of such shapes, got "
                        f"{input_shape!r}")
    for shape in shapes:
        if any(n < 0 for n in shape):
            raise ValueError(f"summary: input_shape {shape} has a negative size")
    return shapes


def _input_dtypes(dtype, count: int) -> list[np.dtype]:
    if isinstance(dtype, (list, tuple)):
        if len(dtype) != count:
            raise ValueError(f"summary: {len(dtype)} dtypes given for {count} inputs")
        return [backend.to_dtype(d) for d in dtype]
    return [backend.to_dtype(dtype)] * count


def _example(rng: np.random.Generator, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """A batch of one: standard normal for floating dtypes, zeros otherwise."""
    if dtype.kind == "f":
        return rng.standard_normal((1, *shape)).astype(dtype)
    return np.zeros((1, *shape), dtype=dtype)


def _output_shape(output):
    """The shape with the batch dim (the first) as -1; nested for tuples, lists and dicts."""
    if isinstance(output, Tensor):
        shape = output.shape
        return (-1, *shape[1:]) if shape else ()
    if isinstance(output, (tuple, list)):
        return tuple(_output_shape(o) for o in output)
    if isinstance(output, dict):
        return tuple(_output_shape(o) for o in output.values())
    return None


def _format_shape(shape) -> str:
    if shape is None:
        return "-"
    if all(isinstance(n, int) for n in shape):
        return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
    return "[" + ", ".join(_format_shape(s) for s in shape) + "]"


def _format_bytes(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} B" if unit == "B" else f"{n:,.2f} {unit}"
        n /= 1024
    return ""  # not reached
