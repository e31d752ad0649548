"""``shendu.vision``: image utilities in plain NumPy. ``filters`` holds 2-D correlation and
convolution and the classic kernels (identity, edge detection, sharpening, Gaussian blur)."""

from shendu.vision import filters
from shendu.vision.filters import (
    BOX_BLUR,
    EDGE_DETECT,
    IDENTITY,
    LAPLACIAN,
    SHARPEN,
    SOBEL_X,
    SOBEL_Y,
    convolve2d,
    correlate2d,
    gaussian_kernel,
)

__all__ = ["filters", "correlate2d", "convolve2d", "gaussian_kernel", "IDENTITY",
           "EDGE_DETECT", "LAPLACIAN", "SOBEL_X", "SOBEL_Y", "SHARPEN", "BOX_BLUR"]
