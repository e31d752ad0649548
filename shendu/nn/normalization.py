"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm`` and ``GroupNorm``,
with PyTorch's parameters, buffers (``running_mean``, ``running_var``, ``num_batches_tracked``)
and state_dict keys."""

from __future__ import annotations

import numbers

import numpy as np

from shendu.nn import functional as F
from shendu.nn import init
from shendu.nn.linear import _empty_parameter, _factory_dtype
from shendu.nn.module import Module
from shendu.tensor import Tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm"]


def _add_affine(module: Module, shape: tuple, affine: bool, bias: bool, dtype) -> None:
    """Register the learnable per-feature scale ``weight`` and shift ``bias`` (None when the
    layer is not affine, or has no bias), as PyTorch's normalization layers name them."""
    module.register_parameter("weight", _empty_parameter(shape, dtype) if affine else None)
    module.register_parameter("bias",
                              _empty_parameter(shape, dtype) if affine and bias else None)


def _reset_affine(module: Module) -> None:
    """Scale 1 and shift 0: the layer starts as a plain standardization."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    """Batch normalization over the channels (dim 1); subclasses check the input's rank."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True) -> None:
        super().__init__()
        dtype = _factory_dtype(device, dtype)
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _add_affine(self, (num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(num_features, dtype)))
            self.register_buffer("running_var", Tensor._make(np.ones(num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        """Reset the running statistics, and the weight to 1 and the bias to 0."""
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input(self, input: Tensor) -> None:
        raise NotImplementedError

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        # batch statistics in training, and in evaluation when no running statistics are kept
        use_batch = self.training or self.running_mean is None
        if use_batch and input.data.size // max(self.num_features, 1) == 1:
            raise self.input_error(f"expected more than 1 value per channel when using batch "
                                   f"statistics, got shape {input.shape} (use a batch of 2 or "
                                   f"more)")
        # momentum None: the cumulative average, factor 1 / (number of batches so far)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.data)
        # the running statistics are updated only when kept and training
        update = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if update else None,
                            self.running_var if update else None, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization (Ioffe and Szegedy 2015) of ``(N, C)`` or ``(N, C, L)`` input: each
    channel is standardized with the mean and (biased) variance over the batch (and L), then
    scaled by ``weight`` and shifted by ``bias``:

        y = (x - mean) / sqrt(var + eps) * weight + bias

    In training the batch statistics are used and folded into ``running_mean`` and
    ``running_var`` (running = (1 - momentum) running + momentum batch, with the unbiased
    batch variance; ``momentum=None`` keeps the plain average of all batches); in evaluation
    the running statistics are used.

    Args:
        num_features: C.
        eps: added to the variance.
        momentum: the weight of each new batch in the running statistics, or None.
        affine: learn ``weight`` (initialised to 1) and ``bias`` (to 0).
        track_running_stats: keep running statistics; without them evaluation also uses the
            batch statistics.
        bias: learn ``bias`` (keyword only, as PyTorch 2.13).

    >>> bn = shendu.nn.BatchNorm1d(16)
    >>> bn(shendu.randn(8, 16)).shape
    (8, 16)
    >>> bn.num_batches_tracked
    tensor(1)
    """

    def _check_input(self, input: Tensor) -> None:
        c = self.num_features
        if input.ndim not in (2, 3) or input.shape[1] != c:
            raise self.input_error(f"expected input of shape (N, {c}) or (N, {c}, L), got shape "
                                   f"{input.shape}")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of ``(N, C, H, W)`` input: each channel is standardized over the
    batch and both spatial dims; otherwise as :class:`BatchNorm1d`."""

    def _check_input(self, input: Tensor) -> None:
        c = self.num_features
        if input.ndim != 4 or input.shape[1] != c:
            raise self.input_error(f"expected input of shape (N, {c}, H, W), got shape "
                                   f"{input.shape}")


class LayerNorm(Module):
    """Layer normalization (Ba et al. 2016): each sample is standardized over its last dims
    (``normalized_shape``), then scaled and shifted elementwise:

        y = (x - mean) / sqrt(var + eps) * weight + bias

    The same in training and evaluation (no running statistics).

    Args:
        normalized_shape: an int or a tuple: the trailing dims of the input.
        eps: added to the variance.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of that shape.
        bias: learn ``bias`` (when elementwise_affine).

    Shape: ``(*, *normalized_shape)``, unchanged.

    >>> ln = shendu.nn.LayerNorm(64)
    >>> ln(shendu.randn(2, 10, 64)).shape
    (2, 10, 64)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        dtype = _factory_dtype(device, dtype)
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _add_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1, bias 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        shape = self.normalized_shape
        k = len(shape)
        if input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
            trailing = ", ".join(map(str, shape))
            raise self.input_error(f"expected input of shape (*, {trailing}) "
                                   f"(normalized_shape={shape}), got shape {input.shape}")
        return F.layer_norm(input, shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalization (Wu and He 2018): the channels are split into ``num_groups``
    groups and each group of each sample is standardized over its channels and spatial dims,
    then scaled and shifted per channel. Independent of the batch size; the same in training
    and evaluation.

    Args:
        num_groups: must divide ``num_channels``.
        num_channels: C.
        eps: added to the variance.
        affine: learn per-channel ``weight`` (ones) and ``bias`` (zeros).

    Shape: ``(N, C, *)``, unchanged.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        dtype = _factory_dtype(device, dtype)
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _add_affine(self, (num_channels,), affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight 1, bias 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        c = self.num_channels
        if input.ndim < 2 or input.shape[1] != c:
            raise self.input_error(f"expected input of shape (N, {c}, *), got shape "
                                   f"{input.shape}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")
