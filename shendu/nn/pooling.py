"""Pooling and resampling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``,
``AdaptiveAvgPool1d/2d/3d``, ``AdaptiveMaxPool1d/2d/3d``, ``GlobalAvgPool2d`` (NiN),
``LocalResponseNorm`` (AlexNet), ``Upsample``, ``UpsamplingNearest2d`` and
``UpsamplingBilinear2d``, with PyTorch's arguments, defaults and reprs.

None has parameters; each ``forward`` is one call into ``shendu.nn.functional``. Bad input
raises an error naming the layer's path in the model (``features.3 (MaxPool2d): ...``).
"""

from __future__ import annotations

from shendu.nn import functional as F
from shendu.nn.module import Module
from shendu.ops.pool import OpInputError
from shendu.tensor import Tensor

__all__ = [
    "MaxPool1d", "MaxPool2d", "MaxPool3d",
    "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "GlobalAvgPool2d", "LocalResponseNorm",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
]


def _call(module: Module, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, its input errors re-raised under ``module``'s path."""
    try:
        return fn(*args, **kwargs)
    except OpInputError as err:
        raise module.input_error(err.detail) from None


# ---------------------------------------------------------------------------- max pooling
class _MaxPoolNd(Module):
    _fn = None  # the functional form, set by each subclass

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return _call(self, type(self)._fn, input, self.kernel_size, self.stride, self.padding,
                     self.dilation, self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling: the max of each window of ``kernel_size`` elements (see
    :func:`shendu.nn.functional.max_pool1d`).

    Args:
        kernel_size: the window size.
        stride: the step between windows (default: ``kernel_size``).
        padding: -inf added at both ends, at most ``kernel_size // 2``.
        dilation: the step between the elements of a window.
        return_indices: also return the position of each max (for un-pooling).
        ceil_mode: round the output size up instead of down.

    Shape: ``(N, C, L_in)`` or ``(C, L_in)`` to ``(N, C, L_out)`` or ``(C, L_out)``,
    L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.
    """

    _fn = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling: the max of each ``kernel_size`` window of every channel (see
    :func:`shendu.nn.functional.max_pool2d`). ``MaxPool2d(2)`` halves height and width.

    Args:
        kernel_size: the window size, an int or ``(kH, kW)``.
        stride: the step between windows (default: ``kernel_size``).
        padding: -inf added on both sides, at most ``kernel_size // 2``.
        dilation: the step between the elements of a window.
        return_indices: also return the flat position ``h * W_in + w`` of each max.
        ceil_mode: round the output size up instead of down.

    Shape: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)``, per spatial dim
    out = floor((in + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.

    >>> shendu.nn.MaxPool2d(2)(shendu.randn(1, 3, 28, 28)).shape
    (1, 3, 14, 14)
    """

    _fn = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling over ``(D, H, W)`` (see :func:`shendu.nn.functional.max_pool3d`);
    arguments as :class:`MaxPool2d`.

    Shape: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)`` to
    ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``, per spatial dim
    out = floor((in + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.
    """

    _fn = staticmethod(F.max_pool3d)


# ---------------------------------------------------------------------------- average pooling
class AvgPool1d(Module):
    """1-D average pooling: the mean of each window of ``kernel_size`` elements (see
    :func:`shendu.nn.functional.avg_pool1d`).

    Args:
        kernel_size: the window size.
        stride: the step between windows (default: ``kernel_size``).
        padding: zeros added at both ends, at most ``kernel_size // 2``.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the padding zeros in each window's divisor.

    Shape: ``(N, C, L_in)`` or ``(C, L_in)`` to ``(N, C, L_out)`` or ``(C, L_out)``,
    L_out = floor((L_in + 2 padding - kernel_size) / stride) + 1.

    As in PyTorch, this layer keeps its sizes as 1-tuples (its repr shows
    ``kernel_size=(3,)``).
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return _call(self, F.avg_pool1d, input, self.kernel_size, self.stride, self.padding,
                     self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _single(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class _AvgPoolNd(Module):
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return _call(self, type(self)._fn, input, self.kernel_size, self.stride, self.padding,
                     self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """2-D average pooling: the mean of each ``kernel_size`` window of every channel (see
    :func:`shendu.nn.functional.avg_pool2d`).

    Args:
        kernel_size: the window size, an int or ``(kH, kW)``.
        stride: the step between windows (default: ``kernel_size``).
        padding: zeros added on both sides, at most ``kernel_size // 2``.
        ceil_mode: round the output size up instead of down.
        count_include_pad: count the padding zeros in each window's divisor.
        divisor_override: divide every window's sum by this instead.

    Shape: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)``, per spatial dim out = floor((in + 2 padding - kernel_size) / stride)
    + 1.
    """

    _fn = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    """3-D average pooling over ``(D, H, W)`` (see :func:`shendu.nn.functional.avg_pool3d`);
    arguments as :class:`AvgPool2d`.

    Shape: ``(N, C, D_in, H_in, W_in)`` or ``(C, D_in, H_in, W_in)`` to
    ``(N, C, D_out, H_out, W_out)`` or ``(C, D_out, H_out, W_out)``, per spatial dim
    out = floor((in + 2 padding - kernel_size) / stride) + 1.
    """

    _fn = staticmethod(F.avg_pool3d)


# ---------------------------------------------------------------------------- adaptive pooling
class _AdaptiveAvgPoolNd(Module):
    _fn = None

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return _call(self, type(self)._fn, input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """1-D average pooling to a fixed output length, whatever the input's: output i averages
    input positions floor(i L / O) to ceil((i + 1) L / O) - 1 (PyTorch's windows).

    Shape: ``(N, C, L)`` or ``(C, L)`` to ``(N, C, output_size)`` or ``(C, output_size)``.
    """

    _fn = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """2-D average pooling to a fixed output size ``(H_out, W_out)`` (an int for a square; None
    keeps that input size), whatever the input's: per spatial dim, output i averages input
    positions floor(i L / O) to ceil((i + 1) L / O) - 1. ``AdaptiveAvgPool2d(1)`` is global
    average pooling.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)``.

    >>> shendu.nn.AdaptiveAvgPool2d((5, 7))(shendu.randn(1, 64, 8, 9)).shape
    (1, 64, 5, 7)
    """

    _fn = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """3-D average pooling to a fixed output size ``(D_out, H_out, W_out)``; see
    :class:`AdaptiveAvgPool2d`.

    Shape: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to ``(N, C, D_out, H_out, W_out)`` or
    ``(C, D_out, H_out, W_out)``.
    """

    _fn = staticmethod(F.adaptive_avg_pool3d)


class _AdaptiveMaxPoolNd(Module):
    _fn = None

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return _call(self, type(self)._fn, input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """1-D max pooling to a fixed output length: output i is the max of input positions
    floor(i L / O) to ceil((i + 1) L / O) - 1.

    Shape: ``(N, C, L)`` or ``(C, L)`` to ``(N, C, output_size)`` or ``(C, output_size)``.
    """

    _fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """2-D max pooling to a fixed output size ``(H_out, W_out)``; windows as
    :class:`AdaptiveAvgPool2d`.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` to ``(N, C, H_out, W_out)`` or
    ``(C, H_out, W_out)``.
    """

    _fn = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """3-D max pooling to a fixed output size ``(D_out, H_out, W_out)``.

    Shape: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to ``(N, C, D_out, H_out, W_out)`` or
    ``(C, D_out, H_out, W_out)``.
    """

    _fn = staticmethod(F.adaptive_max_pool3d)


class GlobalAvgPool2d(Module):
    """Global average pooling (Lin et al. 2013, Network in Network): the mean of each channel
    over its whole feature map, replacing the fully connected classifier head.

    The output keeps the spatial dims as size 1, ``(N, C, 1, 1)``, exactly as
    ``AdaptiveAvgPool2d(1)`` (which PyTorch models use for this); follow it with
    ``Flatten()`` to get ``(N, C)``. Not a PyTorch layer: shendu's name for the curriculum.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` to ``(N, C, 1, 1)`` or ``(C, 1, 1)``.

    >>> shendu.nn.GlobalAvgPool2d()(shendu.randn(2, 10, 5, 5)).shape
    (2, 10, 1, 1)
    """

    def forward(self, input: Tensor) -> Tensor:
        return _call(self, F.adaptive_avg_pool2d, input, 1)


# ---------------------------------------------------------------------------- normalization
class LocalResponseNorm(Module):
    """Local response normalization across channels (AlexNet):

        b_c = a_c / (k + alpha / n * sum of a_{c'}^2 over the n channels around c) ** beta

    with n = ``size``, the window c - n // 2 .. c + (n - 1) // 2, zero outside the channels
    (see :func:`shendu.nn.functional.local_response_norm`).

    Shape: ``(N, C, *)`` with at least one dim after C, unchanged.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return _call(self, F.local_response_norm, input, self.size, self.alpha, self.beta,
                     self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ---------------------------------------------------------------------------- upsampling
class Upsample(Module):
    """Resize the spatial dims (see :func:`shendu.nn.functional.interpolate`).

    Args:
        size: the output spatial size; or
        scale_factor: the factor to multiply each spatial size by.
        mode: ``"nearest"``, ``"nearest-exact"``, ``"linear"`` (3-D input), ``"bilinear"``
            (4-D), ``"trilinear"`` (5-D) or ``"area"``.
        align_corners: for the linear modes: map the corner pixels onto each other (True) or
            treat pixels as areas (False, the default).
        recompute_scale_factor: compute the index scale from the sizes.

    Shape: ``(N, C, *in)`` to ``(N, C, *out)``, 1 to 3 spatial dims.

    >>> shendu.nn.Upsample(scale_factor=2, mode="bilinear")(shendu.randn(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return _call(self, F.interpolate, input, self.size, self.scale_factor, self.mode,
                     self.align_corners, recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of ``(N, C, H, W)`` input: ``Upsample(mode="nearest")``."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of ``(N, C, H, W)`` input with the corners aligned:
    ``Upsample(mode="bilinear", align_corners=True)``."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
