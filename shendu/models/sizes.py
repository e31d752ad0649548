"""The input-size check the zoo's networks share: which stage an input too small for the
downsampling would empty, and the smallest input that works."""

from __future__ import annotations

from collections.abc import Sequence

from shendu import nn
from shendu.ops.pool import output_size

__all__ = ["check_input_size"]


def check_input_size(model: nn.Module, shape: tuple,
                     stages: Sequence[tuple[str, nn.Module]]) -> None:
    """Raise a :class:`~shendu.nn.ModuleInputError` (a ValueError) when an input of ``shape``
    (``(N, C, H, W)``) is too small for ``model``'s downsampling: it names the first stage whose
    output would be empty, the size that stage receives and the smallest input that works.

    ``stages`` lists ``(name, layer)`` in forward order; only Conv2d, MaxPool2d and AvgPool2d
    layers (found directly or one level down, as ``BasicConv2d.conv``) change the size.
    """
    if len(shape) < 3:
        return  # Conv2d reports inputs of the wrong rank
    height, width = shape[-2:]
    stage, received = _first_empty_stage(stages, (height, width))
    if stage is None:
        return
    layer = dict(stages)[stage]
    smallest = next((n for n in range(1, 4097)
                     if _first_empty_stage(stages, (n, n))[0] is None), None)
    raise model.input_error(
        f"a {height}x{width} input is too small for the downsampling: stage {stage} "
        f"({type(layer).__name__}) receives {received[0]}x{received[1]} and its output "
        f"would be empty; "
        f"expected inputs of at least {smallest}x{smallest}")


def _first_empty_stage(stages, size: tuple) -> tuple:
    """(name, size it receives) of the first stage with an empty output, or (None, size)."""
    for name, layer in stages:
        out = tuple(_stage_output(layer, n, i) for i, n in enumerate(size))
        if min(out) < 1:
            return name, size
        size = out
    return None, size


def _stage_output(layer: nn.Module, size: int, dim: int) -> int:
    """The output size of ``layer`` (one sizing layer, or a module holding some in sequence)
    along spatial dim ``dim`` for an input of ``size``."""
    for m in layer.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            ceil_mode = getattr(m, "ceil_mode", False)  # Conv2d has none: it rounds down
            size = output_size(size, _at(m.kernel_size, dim), _at(m.stride, dim),
                               _at(m.padding, dim), _at(getattr(m, "dilation", 1), dim),
                               ceil_mode)
    return size


def _at(value, dim: int) -> int:
    """An int layer setting, or its entry for spatial dim ``dim`` when it is a tuple."""
    return value[dim] if isinstance(value, (tuple, list)) else value
