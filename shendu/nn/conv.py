"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d`` and ``ConvTranspose1d/2d/3d``, with
PyTorch's arguments, attributes, initialisation, state_dict keys (``weight``, ``bias``) and
repr. Each layer's forward is one call of the functional form in ``shendu.ops.conv`` (one
N-d implementation for the three ranks)."""

from __future__ import annotations

import math

from shendu.nn import functional as F
from shendu.nn import init
from shendu.nn.linear import _attach_regularizers, _empty_parameter, _factory_dtype
from shendu.nn.module import Module
from shendu.nn.regularizers import Regularizer
from shendu.nn.summary import register_macs
from shendu.ops import conv as _conv
from shendu.tensor import Tensor

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: argument checks, parameters, initialisation, repr.
    Subclasses set ``_nd`` (the number of spatial dims) and ``_functional``."""

    _nd = 0
    _functional = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding,
                 dilation, transposed: bool, output_padding, groups: int, bias: bool,
                 padding_mode: str, device, dtype, weight_regularizer: Regularizer | None = None,
                 bias_regularizer: Regularizer | None = None) -> None:
        super().__init__()
        name, nd = type(self).__name__, self._nd
        dtype = _factory_dtype(device, dtype)
        for what, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not _conv.is_int(value) or value < 0:
                raise ValueError(f"{name}: {what} must be a non-negative int, got {value!r}")
        groups = _conv.check_groups(groups, name)
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels must be divisible by groups, got "
                             f"in_channels={in_channels}, groups={groups}")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels must be divisible by groups, got "
                             f"out_channels={out_channels}, groups={groups}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        kernel_size = _conv.ntuple(kernel_size, nd, "kernel_size", name, low=1)
        geometry = _conv.geometry_of(name, nd, kernel_size, stride, padding, dilation, groups)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = geometry.stride
        self.padding = padding if isinstance(padding, str) else tuple(
            before for before, _ in geometry.padding)
        self.dilation = geometry.dilation
        self.transposed = transposed
        self.output_padding = _conv.ntuple(output_padding, nd, "output_padding", name)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's argument for the other padding modes: the last dim first, (before, after)
        self._reversed_padding_repeated_twice = tuple(
            width for pair in reversed(geometry.padding) for width in pair)
        shape = ((in_channels, out_channels // groups) if transposed
                 else (out_channels, in_channels // groups)) + kernel_size
        self.weight = _empty_parameter(shape, dtype)
        if bias:
            self.bias = _empty_parameter((out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        _attach_regularizers(self, weight_regularizer, bias_regularizer)

    def reset_parameters(self) -> None:
        """Draw the weight and bias again, as PyTorch initialises them: the weight from
        kaiming_uniform_ with a = sqrt(5), i.e. U(-k, k) with k = 1 / sqrt(fan_in), and the
        bias from U(-k, k) too; fan_in = weight.shape[1] * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        nd = self._nd
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * nd:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None, *, weight_regularizer: Regularizer | None = None,
                 bias_regularizer: Regularizer | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, device, dtype,
                         weight_regularizer, bias_regularizer)

    def _geometry(self) -> _conv.Geometry:
        return _conv.geometry_of(type(self).__name__, self._nd, self.kernel_size, self.stride,
                                 self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        geometry = self._geometry()
        problem = _conv.input_problem(self._nd, input.shape, self.in_channels,
                                      self.kernel_size, geometry)
        if problem:
            raise self.input_error(problem)
        if self.padding_mode == "zeros":
            return self._functional(input, self.weight, self.bias, self.stride, self.padding,
                                    self.dilation, self.groups)
        self._check_padding_mode(input.shape[-self._nd:], geometry)
        padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
        return self._functional(padded, self.weight, self.bias, self.stride, 0, self.dilation,
                                self.groups)

    def _check_padding_mode(self, size: tuple, geometry: _conv.Geometry) -> None:
        """reflect mirrors without repeating the edge (padding < size); circular wraps around
        at most once (padding <= size)."""
        widths = [max(pair) for pair in geometry.padding]
        if self.padding_mode == "reflect" and any(w >= n for w, n in zip(widths, size)):
            raise self.input_error(f"padding_mode='reflect' needs each padding smaller than the "
                                   f"input size, got padding {geometry.padding} for spatial "
                                   f"size {tuple(size)}")
        if self.padding_mode == "circular" and any(w > n for w, n in zip(widths, size)):
            raise self.input_error(f"padding_mode='circular' needs each padding at most the "
                                   f"input size, got padding {geometry.padding} for spatial "
                                   f"size {tuple(size)}")


_CONV_DOC = """{nd}-D convolution layer over an input with {nd} spatial dims (a
    cross-correlation, as PyTorch): y[n, o] = b[o] + sum_c W[o, c] * x[n, c], the sum running
    over the input channels c of output channel o's group.

    Args:
        in_channels: C_in, the channels of the input.
        out_channels: C_out, the channels of the output (the number of filters).
        kernel_size: an int or a tuple of {nd} ints.
        stride: the step between windows.
        padding: an int or a tuple of {nd} ints (added on both sides of each spatial dim),
            ``"valid"`` (none) or ``"same"`` (the output size equals the input size; stride 1
            only; d (k - 1) positions in all, the odd one on the right, as PyTorch).
        dilation: the spacing between kernel elements.
        groups: in_channels and out_channels are split into this many groups, each output
            group seeing only its input group (``groups = in_channels``: depthwise); it must
            divide both.
        bias: whether to learn an additive bias per output channel.
        padding_mode: ``"zeros"``, ``"reflect"``, ``"replicate"`` or ``"circular"``: what
            fills the padding.
        dtype: of the parameters (float32 by default).

    Shape: ``{shape}`` (or one unbatched sample ``{unbatched}``)
    to ``{out_shape}``, per spatial dim

        out = (n + 2 padding - dilation (kernel_size - 1) - 1) // stride + 1

    An input whose padded size is smaller than the dilated kernel (an output size below 1)
    raises ValueError, as does one with the wrong rank or number of channels; the message
    names the layer's path in the model.

    Attributes:
        weight: ``(out_channels, in_channels / groups, {kernel})``, from U(-k, k) with
            k = 1 / sqrt(in_channels / groups * prod(kernel_size)) (PyTorch's kaiming_uniform_
            with a = sqrt(5)).
        bias: ``(out_channels,)``, from U(-k, k) as well.

    >>> layer = shendu.nn.Conv{nd}d(3, 8, 3, padding=1)
    >>> layer(shendu.randn(2, {example})).shape
    {result}
"""

_TRANSPOSED_DOC = """{nd}-D transposed convolution layer: the gradient of Conv{nd}d with
    respect to its input, used to upsample (a "fractionally strided convolution").

    Args:
        in_channels, out_channels, kernel_size, stride, dilation, groups, bias, dtype: as
            Conv{nd}d's (stride, padding and dilation are those of the convolution that this
            layer transposes).
        padding: an int or a tuple of {nd} ints: d (k - 1) - padding zeros are added to both
            sides of the input, i.e. ``padding`` positions are cut from each side of the
            output.
        output_padding: extra positions on one side of each output dim, smaller than the
            stride or the dilation (a strided convolution maps several input sizes to one
            output size; this picks one). ``forward(input, output_size=...)`` computes it from
            the wanted size instead.
        padding_mode: only ``"zeros"``.
        weight_regularizer, bias_regularizer: keyword-only penalties, as Conv{nd}d's.

    Shape: ``{shape}`` (or one unbatched sample ``{unbatched}``)
    to ``{out_shape}``, per spatial dim

        out = (n - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1

    Attributes:
        weight: ``(in_channels, out_channels / groups, {kernel})`` (as PyTorch), from
            U(-k, k) with k = 1 / sqrt(out_channels / groups * prod(kernel_size)).
        bias: ``(out_channels,)``, from U(-k, k) as well.

    >>> layer = shendu.nn.ConvTranspose{nd}d(8, 3, 2, stride=2)
    >>> layer(shendu.randn(2, {example_t})).shape
    {result_t}
"""

_LAYOUT = {
    1: dict(shape="(N, C_in, L)", unbatched="(C_in, L)", kernel="kL",
            out_shape="(N, C_out, L_out)", example="3, 10", result="(2, 8, 10)",
            example_t="8, 5", result_t="(2, 3, 10)"),
    2: dict(shape="(N, C_in, H, W)", unbatched="(C_in, H, W)", kernel="kH, kW",
            out_shape="(N, C_out, H_out, W_out)", example="3, 10, 12", result="(2, 8, 10, 12)",
            example_t="8, 5, 6", result_t="(2, 3, 10, 12)"),
    3: dict(shape="(N, C_in, D, H, W)", unbatched="(C_in, D, H, W)", kernel="kD, kH, kW",
            out_shape="(N, C_out, D_out, H_out, W_out)", example="3, 4, 10, 12",
            result="(2, 8, 4, 10, 12)", example_t="8, 2, 5, 6", result_t="(2, 3, 4, 10, 12)"),
}


class Conv1d(_Conv):
    _nd = 1
    _functional = staticmethod(F.conv1d)


class Conv2d(_Conv):
    _nd = 2
    _functional = staticmethod(F.conv2d)


class Conv3d(_Conv):
    _nd = 3
    _functional = staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None, *,
                 weight_regularizer: Regularizer | None = None,
                 bias_regularizer: Regularizer | None = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{type(self).__name__}, got padding_mode={padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of "
                             f"{self._nd} ints, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, device, dtype,
                         weight_regularizer, bias_regularizer)

    def forward(self, input: Tensor, output_size=None) -> Tensor:
        problem = _conv.transposed_input_problem(self._nd, input.shape, self.in_channels)
        if problem:
            raise self.input_error(problem)
        output_padding = self._output_padding(input, output_size)
        return self._functional(input, self.weight, self.bias, self.stride, self.padding,
                                output_padding, self.groups, self.dilation)

    def _output_padding(self, input: Tensor, output_size) -> tuple:
        """``output_padding``, or the one that gives ``output_size`` (the spatial size, or the
        whole shape) when that is given."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        wanted = tuple(output_size)
        if len(wanted) == input.ndim:
            wanted = wanted[-nd:]
        if len(wanted) != nd:
            raise self.input_error(f"output_size must have {nd} or {input.ndim} elements for "
                                   f"an input of shape {input.shape}, got {tuple(output_size)}")
        size = input.shape[-nd:]
        smallest = tuple((n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
                         zip(size, self.stride, self.padding, self.dilation, self.kernel_size))
        largest = tuple(m + s - 1 for m, s in zip(smallest, self.stride))
        if not all(lo <= w <= hi for w, lo, hi in zip(wanted, smallest, largest)):
            raise self.input_error(f"requested an output size of {wanted}, but valid sizes "
                                   f"range from {smallest} to {largest} (for an input of "
                                   f"spatial size {tuple(size)})")
        return tuple(w - lo for w, lo in zip(wanted, smallest))


class ConvTranspose1d(_ConvTranspose):
    _nd = 1
    _functional = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    _nd = 2
    _functional = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    _nd = 3
    _functional = staticmethod(F.conv_transpose3d)


for _cls in (Conv1d, Conv2d, Conv3d):
    _cls.__doc__ = _CONV_DOC.format(nd=_cls._nd, **_LAYOUT[_cls._nd])
for _cls in (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d):
    _cls.__doc__ = _TRANSPOSED_DOC.format(nd=_cls._nd, **_LAYOUT[_cls._nd])


# ---------------------------------------------------------------------------- summary MACs
@register_macs("Conv1d", "Conv2d", "Conv3d")
def _conv_macs(module, inputs, output) -> int:
    """Each output element is a dot product over (in_channels / groups) * prod(kernel_size)
    inputs."""
    per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
    return output.data.size * per_output


@register_macs("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
def _conv_transpose_macs(module, inputs, output) -> int:
    """Each input element is multiplied into (out_channels / groups) * prod(kernel_size)
    outputs."""
    per_input = module.out_channels // module.groups * math.prod(module.kernel_size)
    return inputs[0].data.size * per_input
