"""2-D image filtering on plain NumPy arrays: cross-correlation, convolution and named kernels.

**Cross-correlation** slides the kernel over the image and takes, at each position, the sum
of the products of the overlapping entries:

    out[i, j] = sum_{a, b} image[i + a, j + b] * kernel[a, b]

(in "valid" mode). **Convolution** is the same with the kernel flipped in both axes,
``kernel[kh - 1 - a, kw - 1 - b]``; that flip makes it commutative and associative, which is
why signal processing defines it so. The "convolutional" layers of deep learning
(``nn.Conv2d`` in PyTorch and shendu) compute the cross-correlation: their kernel is learned,
so whether it is stored flipped does not matter. For a symmetric kernel (identity, Laplacian,
box blur, Gaussian) the two agree; for Sobel they differ in sign.

The modes say how far the kernel may hang over the image (zeros outside it):

- ``"valid"``: only where the kernel lies inside: ``(H - kh + 1, W - kw + 1)``.
- ``"full"``: wherever kernel and image overlap: ``(H + kh - 1, W + kw - 1)``.
- ``"same"``: as large as the image, ``(H, W)``: the kernel's centre entry
  ``((kh - 1) // 2, (kw - 1) // 2)`` lies on each output pixel (for an even size, the entry
  before the middle), as in ``scipy.signal.correlate2d`` and ``convolve2d`` and in PyTorch's
  ``padding="same"`` (which pads (k - 1) // 2 before and the rest after).

The windows are a strided view of the (zero-padded) image, contracted with the kernel in one
``tensordot``: no Python loop over pixels.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["correlate2d", "convolve2d", "gaussian_kernel", "IDENTITY", "EDGE_DETECT",
           "LAPLACIAN", "SOBEL_X", "SOBEL_Y", "SHARPEN", "BOX_BLUR"]

_MODES = ("same", "valid", "full")


def _as_2d(name: str, array, op: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2:
        raise ValueError(f"{op}: {name} must be a 2-D array, got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{op}: {name} must hold real numbers, got dtype {array.dtype}")
    return array


def correlate2d(image, kernel, mode: str = "same") -> np.ndarray:
    """The 2-D cross-correlation of ``image`` with ``kernel`` (the kernel is not flipped):

        full[i, j] = sum_{a, b} image[i + a - (kh - 1), j + b - (kw - 1)] * kernel[a, b]

    with zeros outside the image; "valid" and "same" are parts of "full" (see the module
    docstring). This is what a deep-learning convolution layer computes: in "same" mode it
    equals ``F.conv2d`` with ``padding="same"``.

    Args:
        image: a 2-D array ``(H, W)``.
        kernel: a 2-D array ``(kh, kw)``.
        mode: ``"same"`` (default, ``(H, W)``), ``"valid"`` (``(H - kh + 1, W - kw + 1)``,
            the kernel must fit in the image) or ``"full"`` (``(H + kh - 1, W + kw - 1)``).

    Returns: a float array (float32 when both inputs are float32 or smaller, else float64).

    >>> correlate2d(np.arange(9.0).reshape(3, 3), np.array([[1.0, 0.0], [0.0, -1.0]]),
    ...             mode="valid")
    array([[-4., -4.],
           [-4., -4.]])
    """
    return _filter("correlate2d", image, kernel, mode, flip=False)


def convolve2d(image, kernel, mode: str = "same") -> np.ndarray:
    """The 2-D convolution of ``image`` with ``kernel``: the cross-correlation with the kernel
    flipped in both axes,

        full[i, j] = sum_{a, b} image[i - a, j - b] * kernel[a, b]

    (zeros outside the image). Arguments, modes and result as :func:`correlate2d`; for a
    symmetric kernel the two are equal.

    >>> convolve2d(np.eye(3), IDENTITY)
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """
    return _filter("convolve2d", image, kernel, mode, flip=True)


def _filter(op: str, image, kernel, mode: str, flip: bool) -> np.ndarray:
    """Correlate ``image`` with ``kernel``, flipped first when ``flip`` (a convolution)."""
    image = _as_2d("image", image, op)
    kernel = _as_2d("kernel", kernel, op)
    if mode not in _MODES:
        raise ValueError(f"{op}: mode must be one of {_MODES}, got {mode!r}")
    (h, w), (kh, kw) = image.shape, kernel.shape
    if kh == 0 or kw == 0:
        raise ValueError(f"{op}: the kernel is empty (shape {kernel.shape})")
    if mode == "valid" and (kh > h or kw > w):
        raise ValueError(f"{op}: the kernel of shape {kernel.shape} does not fit in the image "
                         f"of shape {image.shape}; mode 'valid' needs kh <= H and kw <= W "
                         f"(use mode 'same' or 'full')")
    dtype = np.result_type(image.dtype, kernel.dtype, np.float32)
    # zeros before and after the image along each axis
    if mode == "valid":
        pads = ((0, 0), (0, 0))
    elif mode == "full":
        pads = ((kh - 1, kh - 1), (kw - 1, kw - 1))
    else:  # "same": kernel entry ((kh - 1) // 2, (kw - 1) // 2) lies on the output pixel
        pads = tuple(_same_pads(k, flip) for k in (kh, kw))
    if flip:
        kernel = kernel[::-1, ::-1]
    padded = np.pad(image.astype(dtype, copy=False), pads)
    windows = sliding_window_view(padded, (kh, kw))  # (out_h, out_w, kh, kw), a view
    return np.tensordot(windows, kernel.astype(dtype, copy=False), axes=2)


def _same_pads(k: int, flip: bool) -> tuple:
    """(before, after) for "same" along an axis of kernel size k: entry c = (k - 1) // 2 of the
    given kernel lies on the output pixel; flipped, that entry sits at k - 1 - c."""
    c = (k - 1) // 2
    before = k - 1 - c if flip else c
    return before, k - 1 - before


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """A ``(size, size)`` Gaussian blur kernel, normalised to sum 1:

        kernel[a, b] proportional to exp(-((a - c)^2 + (b - c)^2) / (2 sigma^2)),
        c = (size - 1) / 2

    (the centre lies between two entries when ``size`` is even).

    >>> gaussian_kernel(3, 1.0).round(4)
    array([[0.0751, 0.1238, 0.0751],
           [0.1238, 0.2042, 0.1238],
           [0.0751, 0.1238, 0.0751]])
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"gaussian_kernel: size must be a positive int, got {size!r}")
    if not sigma > 0:
        raise ValueError(f"gaussian_kernel: sigma must be positive, got {sigma!r}")
    x = np.arange(size) - (size - 1) / 2
    line = np.exp(-(x * x) / (2.0 * sigma * sigma))
    kernel = np.outer(line, line)  # separable: the 2-D Gaussian is the product of two 1-D ones
    return kernel / kernel.sum()


def _constant(rows) -> np.ndarray:
    """A read-only float64 kernel (a shared constant that no caller can change by mistake)."""
    array = np.array(rows, dtype=np.float64)
    array.setflags(write=False)
    return array


#: Leaves the image unchanged (in "same" mode).
IDENTITY = _constant([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
#: Edge detection: the 8-neighbour Laplacian, 0 on flat regions, large where the intensity
#: changes in any direction.
EDGE_DETECT = _constant([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
#: The 4-neighbour Laplacian (second derivative), for edges.
LAPLACIAN = _constant([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
#: Sobel: the horizontal intensity gradient (responds to vertical edges) as a correlation.
SOBEL_X = _constant([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
#: Sobel: the vertical intensity gradient (responds to horizontal edges) as a correlation.
SOBEL_Y = _constant([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
#: Sharpening: the image plus its (negated 4-neighbour) Laplacian; sums to 1.
SHARPEN = _constant([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
#: Box blur: the mean of the 3x3 neighbourhood.
BOX_BLUR = _constant(np.full((3, 3), 1 / 9))
