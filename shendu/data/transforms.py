"""Image transforms with torchvision's names and arguments: ``Compose``, ``Lambda``, ``ToTensor``,
``Normalize``, ``Resize``, ``CenterCrop``, ``RandomCrop``, ``RandomHorizontalFlip`` and
``RandomAffine``.

What a transform takes and gives:

* ``ToTensor`` turns a PIL image or an (H, W) / (H, W, C) array into a channels-first
  ``Tensor`` (``ToTensor(batched=True)``: an (N, H, W) / (N, H, W, C) batch).
* Every other transform takes one image of shape (C, H, W) or a batch of shape (N, C, H, W),
  as a ``Tensor`` or a NumPy array, and gives the same kind back (a Tensor for a Tensor, an
  array for an array) with the same dtype. The result is always a new array, never a view of
  the input (only ``Normalize(inplace=True)`` writes into its input). Transforms prepare data:
  they are not recorded by autograd.
* Random transforms draw from shendu's one generator (:func:`shendu.random.get_generator`), so
  ``shendu.manual_seed(n)`` makes them reproducible. On a batch each image gets its own draw,
  made for the whole batch at once and applied with one fancy-indexing operation, so a
  DataLoader can augment a batch with no per-image Python work. Each image consumes the same
  number of uniform draws whether it comes alone or in a batch, so a batch gives exactly what
  transforming its images one by one, in order, from the same seed gives.

A pipeline that starts with ``ToTensor(batched=True)`` is batched (``Compose.batched``): the
image data sets (``MNIST``, ...) then hand it a whole batch of uint8 arrays at once::

    augment = Compose([ToTensor(batched=True), RandomCrop(28, padding=2),
                       Normalize((0.1307,), (0.3081,))])
    train = MNIST(root, train=True, transform=augment)  # one call per DataLoader batch

>>> transform = Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])
>>> transform(np.zeros((28, 28), dtype=np.uint8)).shape
(1, 28, 28)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from enum import Enum

import numpy as np

from shendu import backend
from shendu.autograd import versions
from shendu.data.preprocessing import (  # re-exported: the tabular transforms
    DecimalScaler,
    MeanNormalizer,
    MinMaxScaler,
    OneHotEncoder,
    SimpleImputer,
    StandardScaler,
    fill_missing,
)
from shendu.random import get_generator
from shendu.tensor import Tensor

__all__ = [
    "CenterCrop", "Compose", "InterpolationMode", "Lambda", "Normalize", "RandomAffine",
    "RandomCrop", "RandomHorizontalFlip", "Resize", "ToTensor",
    # tabular preprocessing, from shendu.data.preprocessing
    "DecimalScaler", "MeanNormalizer", "MinMaxScaler", "OneHotEncoder", "SimpleImputer",
    "StandardScaler", "fill_missing",
]

_SHAPES = "one image (C, H, W) or a batch (N, C, H, W)"
_PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


# --------------------------------------------------------------------------- shared helpers
def _images(name: str, img) -> np.ndarray:
    """The array of ``img`` (a Tensor or an ndarray of 3 or 4 dims), checked."""
    if isinstance(img, Tensor):
        array = img.data
    elif isinstance(img, np.ndarray):
        array = img
    else:
        hint = " (convert a PIL image with ToTensor() first)" if hasattr(img, "getbands") else ""
        raise TypeError(f"{name}: expected a Tensor or NumPy array holding {_SHAPES}, got "
                        f"{type(img).__name__}{hint}")
    if array.ndim not in (3, 4):
        raise ValueError(f"{name}: expected {_SHAPES}, got shape {array.shape}")
    return array


def _like(array: np.ndarray, img):
    """``array`` as the same kind as the input ``img``: a Tensor for a Tensor, else the array."""
    return Tensor._make(array) if isinstance(img, Tensor) else array


def _batched(array: np.ndarray) -> np.ndarray:
    """A (C, H, W) image as a batch of one; a batch unchanged."""
    return array[None] if array.ndim == 3 else array


def _unbatched(array: np.ndarray, ndim: int) -> np.ndarray:
    return array[0] if ndim == 3 else array


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _size_pair(name: str, size) -> tuple:
    """torchvision's crop size: an int s means (s, s); a sequence is (h,) or (h, w)."""
    if _is_int(size):
        size = (size,)
    if (not isinstance(size, Sequence) or len(size) not in (1, 2)
            or not all(_is_int(s) and s > 0 for s in size)):
        raise ValueError(f"{name}: size must be a positive int or a sequence (h, w) of positive "
                         f"ints, got {size!r}")
    return (int(size[0]), int(size[-1]))


def _float_work(name: str, array: np.ndarray) -> np.ndarray:
    """The array to interpolate in: float arrays as they are, integer ones as float32."""
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name}: cannot interpolate images of dtype {array.dtype}; expected "
                        f"float or integer pixels")
    return array.astype(np.float32)


def _cast_back(result: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """An interpolated result in the input's dtype: integers rounded (half to even) and
    clipped to the dtype's range, as torchvision rounds uint8 images."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.rint(result), info.min, info.max).astype(dtype)
    return result.astype(dtype, copy=False)


def _fill_values(name: str, fill, channels: int, dtype: np.dtype) -> np.ndarray:
    """``fill`` (a number, or one number per channel) as an array of shape (C, 1, 1)."""
    values = np.atleast_1d(np.asarray(fill, dtype=np.float64))
    if values.ndim != 1 or values.size not in (1, channels):
        raise ValueError(f"{name}: fill must be a number or one number per channel ({channels}), "
                         f"got {fill!r}")
    values = np.broadcast_to(values, (channels,))
    return _cast_back(values, dtype).reshape(channels, 1, 1)


def _check_fill(name: str, fill) -> None:
    values = fill if isinstance(fill, Sequence) else [fill]
    if not values or not all(_is_number(v) for v in values):
        raise TypeError(f"{name}: fill must be a number or a sequence of numbers, got {fill!r}")


def _pad(array: np.ndarray, left: int, top: int, right: int, bottom: int, fill: np.ndarray,
         mode: str) -> np.ndarray:
    """Pad the last two dims of a (N, C, H, W) batch. ``mode`` is one of torchvision's padding
    modes, which are NumPy's. The row 1 2 3 padded by 2 on both sides becomes, with
    ``constant``: f f | 1 2 3 | f f (``fill`` f, of shape (C, 1, 1)); ``edge``:
    1 1 | 1 2 3 | 3 3; ``reflect``: 3 2 | 1 2 3 | 2 1; ``symmetric``: 2 1 | 1 2 3 | 3 2."""
    n, c, h, w = array.shape
    if mode != "constant":
        return np.pad(array, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=mode)
    out = np.empty((n, c, h + top + bottom, w + left + right), dtype=array.dtype)
    out[...] = fill
    out[:, :, top:top + h, left:left + w] = array
    return out


def _crop_windows(array: np.ndarray, tops: np.ndarray, lefts: np.ndarray,
                  height: int, width: int) -> np.ndarray:
    """Crop image i of a (N, C, H, W) batch at row ``tops[i]``, column ``lefts[i]`` to
    (height, width), all at once: a view of every window, indexed once per image."""
    windows = np.lib.stride_tricks.sliding_window_view(array, (height, width), axis=(2, 3))
    return windows[np.arange(array.shape[0]), :, tops, lefts]  # (N, C, height, width)


def _uniform(count: int, per_image: int) -> np.ndarray:
    """Uniform draws in [0, 1) from shendu's generator, one row of ``per_image`` per image. A
    batch of N draws the same numbers, in the same order, as N single images one by one."""
    return get_generator().random((count, per_image))


def _check_probability(name: str, p) -> float:
    if not _is_number(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: p must be a probability in [0, 1], got {p!r}")
    return float(p)


# --------------------------------------------------------------------------- composition
class Compose:
    """Apply ``transforms`` one after another: ``Compose([f, g])(x) == g(f(x))``.

    Args:
        transforms: a sequence of callables (transforms or any functions).

    >>> Compose([ToTensor(), Normalize((0.5,), (0.5,))])
    Compose(
        ToTensor()
        Normalize(mean=(0.5,), std=(0.5,))
    )
    """

    def __init__(self, transforms: Sequence[Callable]) -> None:
        if isinstance(transforms, (str, bytes)) or not isinstance(transforms, Sequence):
            raise TypeError(f"Compose: transforms must be a list of callables, got "
                            f"{type(transforms).__name__}")
        for i, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(f"Compose: transforms[{i}] is not callable (a "
                                f"{type(t).__name__})")
        self.transforms = list(transforms)

    @property
    def batched(self) -> bool:
        """Whether it takes whole batches of raw arrays: when its first transform does
        (``ToTensor(batched=True)``). The image data sets then call it once per batch."""
        return bool(self.transforms) and getattr(self.transforms[0], "batched", False) is True

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class Lambda:
    """Use a function as a transform: ``Lambda(lambd)(x) == lambd(x)``.

    Args:
        lambd: any callable of one argument (torchvision's name for it).

    >>> Lambda(lambda x: x * 2)(np.ones((1, 1, 2))).tolist()
    [[[2.0, 2.0]]]
    """

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: lambd must be callable, got a {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# --------------------------------------------------------------------------- conversion
def _pil_array(pic) -> np.ndarray | None:
    """The pixels of a PIL image as an (H, W) or (H, W, C) array (None if ``pic`` is not one,
    or Pillow is not installed). A 1-bit image ("1") becomes uint8 0/255, as torchvision."""
    try:
        from PIL import Image
    except ImportError:
        return None
    if not isinstance(pic, Image.Image):
        return None
    array = np.array(pic)
    if pic.mode == "1":
        array = array.astype(np.uint8) * 255
    return array


class ToTensor:
    """Convert a PIL image or a NumPy array to a channels-first ``Tensor``.

    A 2-D array (H, W) is one channel; a 3-D array is (H, W, C). uint8 pixels become float32
    values x / 255 in [0, 1]; any other dtype keeps its values and dtype (float arrays are not
    rescaled), as torchvision. The result is a new array.

    Args:
        batched: shendu's addition: the input is a batch of arrays, (N, H, W) gray or
            (N, H, W, C). A ``Compose`` that starts with ``ToTensor(batched=True)`` is itself
            batched, so the image data sets call it once per batch with their uint8 arrays.

    Shape: (H, W) -> (1, H, W); (H, W, C) -> (C, H, W); batched: (N, H, W) -> (N, 1, H, W),
    (N, H, W, C) -> (N, C, H, W).

    >>> ToTensor()(np.full((2, 2, 3), 255, dtype=np.uint8)).shape
    (3, 2, 2)
    """

    def __init__(self, batched: bool = False) -> None:
        self.batched = bool(batched)

    def __call__(self, pic) -> Tensor:
        name = type(self).__name__
        array = pic if isinstance(pic, np.ndarray) else _pil_array(pic)
        if array is None:
            raise TypeError(f"{name}: expected a PIL image or a NumPy array, got "
                            f"{type(pic).__name__}")
        if array.ndim - self.batched not in (2, 3):
            wanted = "(N, H, W) or (N, H, W, C)" if self.batched else "(H, W) or (H, W, C)"
            raise ValueError(f"{name}: expected an array of shape {wanted}, got shape "
                             f"{array.shape}" + ("" if self.batched else
                                                 " (pass batched=True for a batch)"))
        if array.ndim - self.batched == 2:
            array = array[..., None]
        channels_first = np.moveaxis(array, -1, -3)
        if array.dtype != np.uint8:
            return Tensor._make(np.array(channels_first, order="C"))  # a copy, never a view
        out = channels_first.astype(backend.default_float, order="C")
        out /= backend.default_float.type(255)
        return Tensor._make(out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'batched=True' if self.batched else ''})"


class Normalize:
    """Normalize each channel: ``out[c] = (x[c] - mean[c]) / std[c]``.

    Args:
        mean: one number per channel (or one for all).
        std: one number per channel (or one for all); none may be 0.
        inplace: write the result into the input instead of a new array.

    Shape: (C, H, W) or (N, C, H, W), unchanged; the input must be a float tensor or array.

    >>> Normalize((0.5,), (0.5,))(np.ones((1, 1, 2), dtype=np.float32)).tolist()
    [[[1.0, 1.0]]]
    """

    def __init__(self, mean: Sequence[float] | float, std: Sequence[float] | float,
                 inplace: bool = False) -> None:
        for label, values in (("mean", mean), ("std", std)):
            if not all(_is_number(v) for v in np.atleast_1d(np.asarray(values, dtype=object))):
                raise TypeError(f"Normalize: {label} must be a number or a sequence of "
                                f"numbers, got {values!r}")
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor):
        name = type(self).__name__
        array = _images(name, tensor)
        if array.dtype.kind != "f":
            raise TypeError(f"{name}: expected a float tensor or array, got dtype {array.dtype} "
                            f"(convert uint8 images with ToTensor() first)")
        channels = array.shape[-3]
        mean = self._per_channel("mean", self.mean, channels, array.dtype)
        std = self._per_channel("std", self.std, channels, array.dtype)
        if np.any(std == 0):
            raise ValueError(f"{name}: std must not be 0 (it divides), got std={self.std!r} "
                             f"(in {array.dtype}: {std.ravel().tolist()})")
        if not self.inplace:
            return _like((array - mean) / std, tensor)
        array -= mean
        array /= std
        if isinstance(tensor, Tensor):
            versions.bump(tensor)
        return tensor

    def _per_channel(self, label: str, values, channels: int, dtype: np.dtype) -> np.ndarray:
        array = np.atleast_1d(np.asarray(values, dtype=dtype))
        if array.ndim != 1 or array.size not in (1, channels):
            raise ValueError(f"{type(self).__name__}: {label} needs one value per channel "
                             f"({channels}) or one for all, got {values!r}")
        return array.reshape(-1, 1, 1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


# --------------------------------------------------------------------------- resizing
class InterpolationMode(str, Enum):
    """How pixels between samples are computed (torchvision's enum; plain strings work too)."""

    NEAREST = "nearest"
    BILINEAR = "bilinear"


def _interpolation(name: str, mode) -> str:
    value = getattr(mode, "value", mode)
    if value not in ("nearest", "bilinear"):
        raise ValueError(f"{name}: interpolation must be 'nearest' or 'bilinear', got {mode!r}")
    return value


def _resized_size(size, max_size: int | None, height: int, width: int) -> tuple:
    """The (height, width) ``Resize`` gives an image of (height, width): ``size`` itself for
    (h, w); for an int s, the smaller edge becomes s and the larger int(s * larger / smaller)
    (then both shrink, keeping the ratio, if the larger would exceed ``max_size``)."""
    if len(size) == 2:
        return tuple(size)
    short, long = min(height, width), max(height, width)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None and new_long > max_size:
        new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if width <= height else (new_short, new_long)


def _antialias_matrix(n_in: int, n_out: int, dtype: np.dtype) -> np.ndarray:
    """The (n_out, n_in) matrix of antialiased bilinear resampling along one axis:
    output = matrix @ input.

    Output pixel i is centred at input position c = scale * (i + 0.5), scale = n_in / n_out.
    The triangle filter tri(d) = max(0, 1 - |d|) is stretched by the scale when shrinking
    (support s = max(scale, 1)), so every input pixel within s of c counts:
    w[i, j] = tri((j + 0.5 - c) / s) for the input pixels j in [floor(c - s + 0.5),
    floor(c + s + 0.5)), normalised to sum to 1 over j. This is PyTorch's antialiased kernel
    (the one PIL uses); when enlarging it is plain bilinear interpolation. Each row has about
    2 s nonzeros; a dense matrix lets one BLAS product apply them all.
    """
    scale = n_in / n_out
    support = max(scale, 1.0)
    center = scale * (np.arange(n_out) + 0.5)[:, None]
    j = np.arange(n_in)
    within = (j >= np.floor(center - support + 0.5)) & (j < np.floor(center + support + 0.5))
    weights = np.where(within, np.maximum(0.0, 1.0 - np.abs((j + 0.5 - center) / support)), 0.0)
    return (weights / weights.sum(axis=1, keepdims=True)).astype(dtype)


def _resize_antialias(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """Antialiased bilinear resize of the last two dims, separably: the rows times the width
    matrix, then (transposed, so that the product is again one BLAS call) the columns times
    the height matrix."""
    *lead, h, w = array.shape
    out = array.reshape(-1, w) @ _antialias_matrix(w, width, array.dtype).T  # (... h, width)
    out = out.reshape(-1, h, width).transpose(0, 2, 1).reshape(-1, h)
    out = out @ _antialias_matrix(h, height, array.dtype).T  # (... width, height)
    return out.reshape(-1, width, height).transpose(0, 2, 1).reshape(*lead, height, width)


class Resize:
    """Resize images to ``size``.

    Args:
        size: (h, w), or an int s: the smaller edge becomes s and the other keeps the aspect
            ratio, int(s * larger / smaller) (as torchvision; a sequence (s,) means s too).
        interpolation: ``"bilinear"`` (default) or ``"nearest"`` (or an
            :class:`InterpolationMode`).
        max_size: with an int ``size``, the most the larger edge may become.
        antialias: bilinear only. True (torchvision's default): when shrinking, each output
            pixel averages all the input pixels under a triangle filter as wide as the scale
            (PyTorch's ``interpolate(..., antialias=True)``, like PIL). False: plain bilinear
            interpolation of the 2 x 2 nearest pixels (``antialias=False``,
            ``align_corners=False``), which aliases when shrinking by more than 2.

    Nearest takes input pixel floor(j * in / out) (PyTorch's ``mode="nearest"``). Integer
    images are interpolated in float32, then rounded. The resize is separable and vectorised,
    with no loop over pixels: antialiased, one weight matrix per axis applied by one matrix
    product (O(in x out) per line, quick up to some hundreds of pixels); otherwise
    ``F.interpolate``'s index arrays and weights per axis.

    Shape: (C, H, W) -> (C, h, w); (N, C, H, W) -> (N, C, h, w).

    >>> Resize(14)(np.zeros((1, 28, 56), dtype=np.float32)).shape
    (1, 14, 28)
    """

    def __init__(self, size: int | Sequence[int], interpolation: str = "bilinear",
                 max_size: int | None = None, antialias: bool = True) -> None:
        name = type(self).__name__
        sizes = (size,) if _is_int(size) else size
        if (not isinstance(sizes, Sequence) or len(sizes) not in (1, 2)
                or not all(_is_int(s) and s > 0 for s in sizes)):
            raise ValueError(f"{name}: size must be a positive int or a sequence (h, w) of "
                             f"positive ints, got {size!r}")
        if max_size is not None:
            if len(sizes) != 1:
                raise ValueError(f"{name}: max_size is only allowed with an int size (the "
                                 f"smaller edge), got size={size!r}")
            if not _is_int(max_size) or max_size <= sizes[0]:
                raise ValueError(f"{name}: max_size must be an int larger than size "
                                 f"({sizes[0]}), got {max_size!r}")
        self.size = size
        self.interpolation = _interpolation(name, interpolation)
        self.max_size = max_size
        self.antialias = bool(antialias)
        self._sizes = tuple(int(s) for s in sizes)

    def __call__(self, img):
        array = _images(type(self).__name__, img)
        height, width = _resized_size(self._sizes, self.max_size, *array.shape[-2:])
        if self.interpolation == "bilinear" and self.antialias:
            work = _float_work(type(self).__name__, array)
            out = _cast_back(_resize_antialias(work, height, width), array.dtype)
        else:
            out = self._interpolate(array, height, width)
        return _like(np.ascontiguousarray(out), img)

    def _interpolate(self, array: np.ndarray, height: int, width: int) -> np.ndarray:
        """Nearest, or bilinear without antialiasing, through ``F.interpolate``."""
        from shendu.nn.functional import interpolate

        if self.interpolation == "nearest":
            work = _batched(array)
            out = interpolate(Tensor._make(work), size=(height, width), mode="nearest").data
            return _unbatched(out, array.ndim)
        work = _batched(_float_work(type(self).__name__, array))
        out = interpolate(Tensor._make(work), size=(height, width), mode="bilinear",
                          align_corners=False).data
        return _cast_back(_unbatched(out, array.ndim), array.dtype)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


# --------------------------------------------------------------------------- cropping, flipping
class CenterCrop:
    """Crop the centre (h, w) of images, as torchvision: the crop starts at row
    round((H - h) / 2) and column round((W - w) / 2) (Python's round, half to even). An image
    smaller than the crop is first padded with zeros, (h - H) // 2 above and the rest below
    (the same for the width).

    Args:
        size: (h, w), or an int s for (s, s).

    Shape: (C, H, W) -> (C, h, w); (N, C, H, W) -> (N, C, h, w).

    >>> CenterCrop(2)(np.arange(16.0).reshape(1, 4, 4))[0]
    array([[ 5.,  6.],
           [ 9., 10.]])
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _size_pair(type(self).__name__, size)

    def __call__(self, img):
        source = _images(type(self).__name__, img)
        array = _batched(source)
        (height, width), (h, w) = self.size, array.shape[-2:]
        if height > h or width > w:
            top, left = max(height - h, 0) // 2, max(width - w, 0) // 2
            zero = np.zeros((array.shape[1], 1, 1), dtype=array.dtype)
            array = _pad(array, left, top, max(width - w, 0) - left, max(height - h, 0) - top,
                         zero, "constant")
            h, w = array.shape[-2:]
        top, left = int(round((h - height) / 2)), int(round((w - width) / 2))
        out = array[..., top:top + height, left:left + width].copy()
        return _like(_unbatched(out, source.ndim), img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


def _padding_ltrb(name: str, padding) -> tuple | None:
    """torchvision's padding forms as (left, top, right, bottom): p (all sides), (lr, tb),
    (l, t, r, b)."""
    if padding is None:
        return None
    values = (padding,) if _is_int(padding) else padding
    if (not isinstance(values, Sequence) or len(values) not in (1, 2, 4)
            or not all(_is_int(v) and v >= 0 for v in values)):
        raise ValueError(f"{name}: padding must be a non-negative int or a sequence of 1, 2 or "
                         f"4 non-negative ints (left/right and top/bottom, or left, top, right, "
                         f"bottom), got {padding!r}")
    if len(values) == 1:
        return (values[0],) * 4
    if len(values) == 2:
        return (values[0], values[1], values[0], values[1])
    return tuple(values)


class RandomCrop:
    """Crop images at a random place to (h, w); on a batch, each image at its own place.

    Args:
        size: (h, w), or an int s for (s, s).
        padding: padding added to every image before cropping: an int (all sides), (left and
            right, top and bottom) or (left, top, right, bottom).
        pad_if_needed: pad an image smaller than the crop: a dimension short by d pixels gets
            d on both sides (torchvision's rule), then the crop is drawn.
        fill: the value of constant padding: a number, or one per channel.
        padding_mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"`` (see
            torchvision; ``reflect`` mirrors without repeating the border pixel).

    The top-left corner is drawn uniformly: row floor(u * (H - h + 1)), column
    floor(v * (W - w + 1)) with u, v uniform in [0, 1) (2 draws per image).

    Shape: (C, H, W) -> (C, h, w); (N, C, H, W) -> (N, C, h, w).
    """

    def __init__(self, size: int | Sequence[int], padding=None, pad_if_needed: bool = False,
                 fill: float | Sequence[float] = 0, padding_mode: str = "constant") -> None:
        name = type(self).__name__
        self.size = _size_pair(name, size)
        self._ltrb = _padding_ltrb(name, padding)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"{padding_mode!r}")
        _check_fill(name, fill)
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def __call__(self, img):
        source = _images(type(self).__name__, img)
        array = self._padded(_batched(source))
        height, width = self.size
        h, w = array.shape[-2:]
        if h < height or w < width:
            raise ValueError(f"{type(self).__name__}: the crop {self.size} is larger than the "
                             f"image ({h}, {w}); pass padding= or pad_if_needed=True")
        u = _uniform(array.shape[0], 2)
        tops = np.floor(u[:, 0] * (h - height + 1)).astype(np.intp)
        lefts = np.floor(u[:, 1] * (w - width + 1)).astype(np.intp)
        out = _crop_windows(array, tops, lefts, height, width)
        return _like(_unbatched(out, source.ndim), img)

    def _padded(self, array: np.ndarray) -> np.ndarray:
        fill = _fill_values(type(self).__name__, self.fill, array.shape[1], array.dtype)
        if self._ltrb is not None:
            array = _pad(array, *self._ltrb, fill, self.padding_mode)
        height, width = self.size
        if self.pad_if_needed and array.shape[-1] < width:
            d = width - array.shape[-1]
            array = _pad(array, d, 0, d, 0, fill, self.padding_mode)
        if self.pad_if_needed and array.shape[-2] < height:
            d = height - array.shape[-2]
            array = _pad(array, 0, d, 0, d, fill, self.padding_mode)
        return array

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror images left-right with probability ``p``; on a batch, each image on its own
    draw (one uniform u per image, flipped when u < p).

    Shape: (C, H, W) or (N, C, H, W), unchanged.
    """

    def __init__(self, p: float = 0.5) -> None:
        self.p = _check_probability(type(self).__name__, p)

    def __call__(self, img):
        source = _images(type(self).__name__, img)
        array = _batched(source)
        flip = _uniform(array.shape[0], 1)[:, 0] < self.p
        out = np.where(flip[:, None, None, None], array[..., ::-1], array)
        return _like(_unbatched(out, source.ndim), img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


# --------------------------------------------------------------------------- affine warps
def _range(name: str, label: str, value, sizes: tuple = (2,)) -> list:
    """torchvision's angle ranges: a number d >= 0 means [-d, d]; else a sequence of
    ``sizes`` numbers, each (lo, hi) pair with lo <= hi."""
    if _is_number(value):
        if value < 0:
            raise ValueError(f"{name}: {label} as a single number is the range [-{label}, "
                             f"{label}] and must be >= 0, got {value!r}")
        return [-float(value), float(value)]
    if (not isinstance(value, Sequence) or len(value) not in sizes
            or not all(_is_number(v) for v in value)):
        raise ValueError(f"{name}: {label} must be a number or a sequence of "
                         f"{' or '.join(map(str, sizes))} numbers, got {value!r}")
    bounds = [float(v) for v in value]
    if any(lo > hi for lo, hi in zip(bounds[0::2], bounds[1::2])):
        raise ValueError(f"{name}: {label} ranges must be (min, max) with min <= max, got "
                         f"{value!r}")
    return bounds


def _check_translate(name: str, translate) -> tuple | None:
    if translate is None:
        return None
    if (not isinstance(translate, Sequence) or len(translate) != 2
            or not all(_is_number(t) and 0.0 <= t <= 1.0 for t in translate)):
        raise ValueError(f"{name}: translate must be (a, b) with fractions of the width and "
                         f"height in [0, 1], got {translate!r}")
    return tuple(float(t) for t in translate)


def _check_scale(name: str, scale) -> tuple | None:
    if scale is None:
        return None
    if (not isinstance(scale, Sequence) or len(scale) != 2
            or not all(_is_number(s) and s > 0 for s in scale) or scale[0] > scale[1]):
        raise ValueError(f"{name}: scale must be (min, max) with 0 < min <= max, got {scale!r}")
    return tuple(float(s) for s in scale)


def _affine_draws(count: int, degrees, translate, scale, shear, height: int,
                  width: int) -> tuple:
    """Per-image (angle, tx, ty, scale, shear_x, shear_y) arrays from 6 uniform draws per
    image; the translations are whole pixels (rounded half to even, as torchvision)."""
    u = _uniform(count, 6)
    angle = degrees[0] + u[:, 0] * (degrees[1] - degrees[0])
    max_dx, max_dy = (translate[0] * width, translate[1] * height) if translate else (0.0, 0.0)
    tx = np.rint(max_dx * (2 * u[:, 1] - 1))
    ty = np.rint(max_dy * (2 * u[:, 2] - 1))
    lo, hi = scale if scale else (1.0, 1.0)
    factor = lo + u[:, 3] * (hi - lo)
    sx = shear[0] + u[:, 4] * (shear[1] - shear[0]) if shear else np.zeros(count)
    sy = shear[2] + u[:, 5] * (shear[3] - shear[2]) if shear and len(shear) == 4 \
        else np.zeros(count)
    return angle, tx, ty, factor, sx, sy


def _affine_matrices(angle, scale, shear_x, shear_y) -> np.ndarray:
    """A = s R(angle) Hy(shear_y) Hx(shear_x) for arrays of angles and shears in degrees, as
    (N, 2, 2): R(a) = [[cos a, -sin a], [sin a, cos a]], Hx(b) = [[1, -tan b], [0, 1]],
    Hy(b) = [[1, 0], [-tan b, 1]] (see :class:`RandomAffine`)."""
    a, bx, by = np.deg2rad(angle), np.deg2rad(shear_x), np.deg2rad(shear_y)
    rotation = np.stack([np.cos(a), -np.sin(a), np.sin(a), np.cos(a)], -1).reshape(-1, 2, 2)
    one, zero = np.ones_like(a), np.zeros_like(a)
    hx = np.stack([one, -np.tan(bx), zero, one], -1).reshape(-1, 2, 2)
    hy = np.stack([one, zero, -np.tan(by), one], -1).reshape(-1, 2, 2)
    return np.asarray(scale).reshape(-1, 1, 1) * rotation @ hy @ hx


def _source_positions(matrices: np.ndarray, tx, ty, height: int, width: int) -> tuple:
    """For each output pixel of each image, the (row, column) it is pulled from:
    p = A^-1 (q - t) in centred coordinates. Two arrays of shape (N, H, W), float64."""
    inverse = np.linalg.inv(matrices)  # (N, 2, 2)
    cy, cx = (height - 1) / 2, (width - 1) / 2
    qx = np.arange(width) - cx - np.asarray(tx).reshape(-1, 1, 1)  # (N, 1, W)
    qy = (np.arange(height) - cy)[:, None] - np.asarray(ty).reshape(-1, 1, 1)  # (N, H, 1)
    inv = inverse[:, :, :, None, None]
    cols = inv[:, 0, 0] * qx + inv[:, 0, 1] * qy + cx
    rows = inv[:, 1, 0] * qx + inv[:, 1, 1] * qy + cy
    return rows, cols


def _sample(array: np.ndarray, rows: np.ndarray, cols: np.ndarray, mode: str,
            fill: np.ndarray) -> np.ndarray:
    """Sample a (N, C, H, W) batch at per-image positions ``rows``, ``cols`` (N, H', W'):
    nearest (the pixel at the rounded position, half to even) or bilinear (the 4 pixels around
    it: v = lerp(lerp(v00, v01, fc), lerp(v10, v11, fc), fr), fr and fc the fractional parts
    of the position). Pixels outside the image read ``fill``.

    The images are framed with ``fill`` (1 pixel before, 2 after) and the positions clamped to
    [-1, size], so a tap outside the image lands on the frame: no masks. Pixels are stored
    channels-last, so each tap is one gather of whole pixels (C values) over the batch."""
    n, c, h, w = array.shape
    framed = _pad(array, 1, 1, 2, 2, fill, "constant")
    pixels = np.ascontiguousarray(framed.transpose(0, 2, 3, 1)).reshape(-1, c)  # (N L, C)
    stride = w + 3
    first = (np.arange(n) * (h + 3) * stride).reshape(n, 1, 1)  # image i starts at row i L
    rows, cols = np.clip(rows, -1, h), np.clip(cols, -1, w)
    if mode == "nearest":
        r0, c0 = np.rint(rows), np.rint(cols)
    else:
        r0, c0 = np.floor(rows), np.floor(cols)
    # the flat pixel index of tap (r0, c0); its right and lower neighbours are +1 and +stride
    index = first + (r0.astype(np.intp) + 1) * stride + c0.astype(np.intp) + 1
    out = pixels.take(index, axis=0)  # (N, H', W', C)
    if mode == "bilinear":
        fr = (rows - r0).astype(array.dtype)[..., None]
        fc = (cols - c0).astype(array.dtype)[..., None]
        out += fc * (pixels.take(index + 1, axis=0) - out)
        bottom = pixels.take(index + stride, axis=0)
        bottom += fc * (pixels.take(index + stride + 1, axis=0) - bottom)
        out += fr * (bottom - out)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


class RandomAffine:
    """Random rotation, translation, scaling and shear that keep the image centre in place;
    on a batch, each image gets its own draw. The output has the input's size.

    Args:
        degrees: the range of rotation angles in degrees: (min, max), or d for (-d, d).
            Positive angles turn the image clockwise as displayed (torchvision's
            ``RandomAffine`` and ``F.affine``; its ``RandomRotation`` turns the other way).
        translate: (a, b): horizontal shifts drawn in [-a W, a W] and vertical ones in
            [-b H, b H], rounded to whole pixels; positive moves the content right and down.
        scale: (min, max): the zoom factor's range (> 1 enlarges the content).
        shear: shear angles in degrees: s for x-shears in (-s, s), (min, max) for x-shears,
            (x min, x max, y min, y max) for both.
        interpolation: ``"nearest"`` (default, as torchvision) or ``"bilinear"``.
        fill: the value of pixels that come from outside the image: a number or one per
            channel. In bilinear mode a pixel near the border mixes image and ``fill`` by the
            weights of its taps (torchvision weights the fill by its own interpolated mask).

    The matrix. Pixel (row r, column c) has centred coordinates x = c - (W - 1) / 2,
    y = r - (H - 1) / 2 (x to the right, y downwards). A source point p = (x, y) goes to

        q = A p + t,    A = s R(a) Hy(by) Hx(bx),    t = (tx, ty)

        R(a) = [[cos a, -sin a],      Hx(bx) = [[1, -tan bx],     Hy(by) = [[1,       0],
                [sin a,  cos a]]                [0,        1]]               [-tan by, 1]]

    With y downwards, R(a) with a > 0 turns clockwise on screen. The output is computed
    backwards: output pixel q takes the input at p = A^-1 (q - t), sampled nearest (position
    rounded, half to even) or bilinearly; positions outside the image read ``fill``. Every
    image of a batch gets its own A and t; all positions are computed and gathered at once.
    Each image consumes 6 uniform draws: angle, tx, ty, scale, x-shear, y-shear.

    Shape: (C, H, W) or (N, C, H, W), unchanged.
    """

    def __init__(self, degrees: float | Sequence[float], translate: Sequence[float] | None = None,
                 scale: Sequence[float] | None = None,
                 shear: float | Sequence[float] | None = None,
                 interpolation: str = "nearest", fill: float | Sequence[float] = 0) -> None:
        name = type(self).__name__
        self.degrees = _range(name, "degrees", degrees)
        self.translate = _check_translate(name, translate)
        self.scale = _check_scale(name, scale)
        self.shear = None if shear is None else _range(name, "shear", shear, (2, 4))
        if self.shear is not None and max(abs(v) for v in self.shear) >= 90:
            raise ValueError(f"{name}: shear angles must lie in (-90, 90) degrees (a shear "
                             f"of 90 flattens the image to a line), got {shear!r}")
        self.interpolation = _interpolation(name, interpolation)
        _check_fill(name, fill)
        self.fill = fill

    @staticmethod
    def get_params(degrees: Sequence[float], translate: Sequence[float] | None,
                   scale_ranges: Sequence[float] | None, shears: Sequence[float] | None,
                   img_size: Sequence[int]) -> tuple:
        """One draw, as torchvision: (angle, (tx, ty), scale, (shear_x, shear_y)) for an image
        of ``img_size`` = (width, height), from the validated ranges (``degrees`` = [min, max])."""
        width, height = img_size
        angle, tx, ty, factor, sx, sy = _affine_draws(1, degrees, translate, scale_ranges,
                                                      shears, height, width)
        return (float(angle[0]), (int(tx[0]), int(ty[0])), float(factor[0]),
                (float(sx[0]), float(sy[0])))

    def __call__(self, img):
        source = _images(type(self).__name__, img)
        array = _batched(source)
        n, c, h, w = array.shape
        angle, tx, ty, factor, sx, sy = _affine_draws(n, self.degrees, self.translate,
                                                      self.scale, self.shear, h, w)
        rows, cols = _source_positions(_affine_matrices(angle, factor, sx, sy), tx, ty, h, w)
        if self.interpolation == "nearest":  # pixels are copied: any dtype, no rounding
            fill = _fill_values(type(self).__name__, self.fill, c, array.dtype)
            out = _sample(array, rows, cols, "nearest", fill)
        else:
            work = _float_work(type(self).__name__, array)
            fill = _fill_values(type(self).__name__, self.fill, c, work.dtype)
            out = _cast_back(_sample(work, rows, cols, "bilinear", fill), array.dtype)
        return _like(_unbatched(out, source.ndim), img)

    def __repr__(self) -> str:
        text = f"{type(self).__name__}(degrees={self.degrees}"
        for label, value, default in (("translate", self.translate, None),
                                      ("scale", self.scale, None), ("shear", self.shear, None),
                                      ("interpolation", self.interpolation, "nearest"),
                                      ("fill", self.fill, 0)):
            if value != default:
                text += f", {label}={value}"
        return text + ")"
