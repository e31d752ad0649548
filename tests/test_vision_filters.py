"""shendu.vision.filters: correlation and convolution against a direct double loop (and SciPy
and PyTorch's conv2d where installed), the named kernels, errors, and the image-filters
example's IDX reader."""

from __future__ import annotations

import gzip
import runpy
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from shendu.vision import filters
from shendu.vision.filters import convolve2d, correlate2d, gaussian_kernel

ROOT = Path(__file__).resolve().parents[1]
MODES = ["same", "valid", "full"]
KERNEL_SHAPES = [(1, 1), (3, 3), (2, 3), (4, 2), (2, 2), (5, 5), (1, 4)]


def reference_correlate(image: np.ndarray, kernel: np.ndarray, mode: str) -> np.ndarray:
    """The definition, one output pixel at a time: out[i, j] = sum over (a, b) of
    image[i + a - top, j + b - left] * kernel[a, b], zero outside the image, where (top, left)
    is how far the kernel reaches above and left of output pixel (0, 0)."""
    (h, w), (kh, kw) = image.shape, kernel.shape
    if mode == "valid":
        top, left, out_h, out_w = 0, 0, h - kh + 1, w - kw + 1
    elif mode == "full":
        top, left, out_h, out_w = kh - 1, kw - 1, h + kh - 1, w + kw - 1
    else:  # kernel entry ((kh - 1) // 2, (kw - 1) // 2) on the output pixel
        top, left, out_h, out_w = (kh - 1) // 2, (kw - 1) // 2, h, w
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    y, x = i + a - top, j + b - left
                    if 0 <= y < h and 0 <= x < w:
                        total += image[y, x] * kernel[a, b]
            out[i, j] = total
    return out


def reference_convolve(image: np.ndarray, kernel: np.ndarray, mode: str) -> np.ndarray:
    """out[i, j] = sum over (a, b) of image[i - a + top, j - b + left] * kernel[a, b], with
    the same placement: kernel entry ((kh - 1) // 2, (kw - 1) // 2) on the pixel in "same"."""
    (h, w), (kh, kw) = image.shape, kernel.shape
    if mode == "valid":
        top, left, out_h, out_w = kh - 1, kw - 1, h - kh + 1, w - kw + 1
    elif mode == "full":
        top, left, out_h, out_w = 0, 0, h + kh - 1, w + kw - 1
    else:
        top, left, out_h, out_w = (kh - 1) // 2, (kw - 1) // 2, h, w
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            for a in range(kh):
                for b in range(kw):
                    y, x = i - a + top, j - b + left
                    if 0 <= y < h and 0 <= x < w:
                        out[i, j] += image[y, x] * kernel[a, b]
    return out


def _pair(seed: int, kernel_shape: tuple, image_shape=(7, 6)) -> tuple:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(image_shape), rng.standard_normal(kernel_shape)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES, ids=str)
def test_correlate_and_convolve_match_the_double_loop(kernel_shape, mode):
    image, kernel = _pair(sum(kernel_shape), kernel_shape)
    np.testing.assert_allclose(correlate2d(image, kernel, mode),
                               reference_correlate(image, kernel, mode), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convolve2d(image, kernel, mode),
                               reference_convolve(image, kernel, mode), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES, ids=str)
def test_convolution_is_correlation_with_the_flipped_kernel(kernel_shape, mode):
    image, kernel = _pair(1, kernel_shape)
    np.testing.assert_allclose(convolve2d(image, kernel, mode),
                               correlate2d(image, kernel[::-1, ::-1], mode), rtol=1e-12)


def test_symmetric_kernels_correlate_and_convolve_alike():
    image = np.random.default_rng(0).random((9, 8))
    for kernel in (filters.IDENTITY, filters.EDGE_DETECT, filters.LAPLACIAN, filters.SHARPEN,
                   filters.BOX_BLUR, gaussian_kernel(5, 1.3)):
        np.testing.assert_allclose(correlate2d(image, kernel), convolve2d(image, kernel),
                                   rtol=1e-12, atol=1e-15)
    # Sobel is antisymmetric: flipping it changes the sign
    np.testing.assert_allclose(convolve2d(image, filters.SOBEL_X),
                               -correlate2d(image, filters.SOBEL_X), atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES, ids=str)
def test_matches_scipy(kernel_shape, mode):
    signal = pytest.importorskip("scipy.signal")
    image, kernel = _pair(2, kernel_shape)
    np.testing.assert_allclose(correlate2d(image, kernel, mode),
                               signal.correlate2d(image, kernel, mode), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convolve2d(image, kernel, mode),
                               signal.convolve2d(image, kernel, mode), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("kernel_shape", KERNEL_SHAPES, ids=str)
def test_same_correlation_is_a_deep_learning_conv2d(kernel_shape):
    """What nn.Conv2d computes, with padding="same" (PyTorch pads (k - 1) // 2 before)."""
    torch = pytest.importorskip("torch")
    image, kernel = _pair(3, kernel_shape)
    with warnings.catch_warnings():  # PyTorch warns that even kernels need a padded copy
        warnings.simplefilter("ignore", UserWarning)
        expected = torch.nn.functional.conv2d(torch.tensor(image)[None, None],
                                              torch.tensor(kernel)[None, None],
                                              padding="same")[0, 0].numpy()
    np.testing.assert_allclose(correlate2d(image, kernel), expected, rtol=1e-12, atol=1e-12)


def test_named_kernels():
    image = np.random.default_rng(4).random((8, 9))
    np.testing.assert_array_equal(correlate2d(image, filters.IDENTITY), image)
    flat = np.full((6, 6), 0.7)
    for edge in (filters.EDGE_DETECT, filters.LAPLACIAN, filters.SOBEL_X, filters.SOBEL_Y):
        # no response on a constant image away from the border
        np.testing.assert_allclose(correlate2d(flat, edge, "valid"), 0, atol=1e-15)
    # sharpening and blurring keep a constant image constant (the kernels sum to 1)
    for kernel in (filters.SHARPEN, filters.BOX_BLUR, gaussian_kernel(3, 0.8)):
        assert kernel.sum() == pytest.approx(1.0)
        np.testing.assert_allclose(correlate2d(flat, kernel, "valid"), 0.7)
    # Sobel x responds to a left-to-right ramp with 8 (the gradient 1 times 1 + 2 + 1, twice)
    ramp = np.tile(np.arange(6.0), (5, 1))
    np.testing.assert_allclose(correlate2d(ramp, filters.SOBEL_X, "valid"), 8.0)
    np.testing.assert_allclose(correlate2d(ramp, filters.SOBEL_Y, "valid"), 0.0)
    with pytest.raises(ValueError, match="read-only"):
        filters.IDENTITY[0, 0] = 1.0


@pytest.mark.parametrize("size, sigma", [(1, 1.0), (3, 0.5), (4, 1.0), (5, 1.0), (7, 2.5)])
def test_gaussian_kernel(size, sigma):
    kernel = gaussian_kernel(size, sigma)
    assert kernel.shape == (size, size)
    assert kernel.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(kernel, kernel.T)  # symmetric
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1])  # centred
    c = (size - 1) / 2
    a, b = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    direct = np.exp(-((a - c) ** 2 + (b - c) ** 2) / (2 * sigma**2))
    np.testing.assert_allclose(kernel, direct / direct.sum(), rtol=1e-12)


def test_wider_gaussian_blurs_more():
    point = np.zeros((15, 15))
    point[7, 7] = 1.0
    narrow = correlate2d(point, gaussian_kernel(7, 0.7))
    wide = correlate2d(point, gaussian_kernel(7, 2.0))
    assert narrow[7, 7] > wide[7, 7]
    assert narrow.sum() == pytest.approx(1.0) and wide.sum() == pytest.approx(1.0)


def test_dtypes():
    image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert correlate2d(image, filters.IDENTITY).dtype == np.float64
    assert correlate2d(image.astype(np.float32), filters.IDENTITY.astype(np.float32)).dtype \
        == np.float32
    np.testing.assert_array_equal(correlate2d(image, np.ones((1, 1), dtype=np.int64)), image)


@pytest.mark.parametrize("call, pattern", [
    (lambda: correlate2d(np.ones((3, 3, 3)), filters.IDENTITY),
     r"correlate2d: image must be a 2-D array, got shape \(3, 3, 3\)"),
    (lambda: convolve2d(np.ones((3, 3)), np.ones(3)),
     r"convolve2d: kernel must be a 2-D array, got shape \(3,\)"),
    (lambda: correlate2d(np.ones((3, 3)), np.ones((4, 2)), "valid"),
     r"correlate2d: the kernel of shape \(4, 2\) does not fit in the image of shape \(3, 3\)"),
    (lambda: correlate2d(np.ones((3, 3)), np.ones((0, 2))), r"the kernel is empty"),
    (lambda: convolve2d(np.ones((3, 3)), filters.IDENTITY, "circular"),
     r"convolve2d: mode must be one of"),
    (lambda: gaussian_kernel(0, 1.0), r"size must be a positive int"),
    (lambda: gaussian_kernel(3, 0.0), r"sigma must be positive"),
])
def test_errors(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# ---------------------------------------------------------------------------- the example
def _write_idx(path: Path, images: np.ndarray) -> None:
    header = struct.pack(">HBB", 0, 0x08, images.ndim) + struct.pack(f">{images.ndim}I",
                                                                       *images.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + images.astype(np.uint8).tobytes())


def test_example_reads_idx_and_filters(tmp_path, capsys, monkeypatch):
    """The example on a tiny IDX file of two 6x5 images: it prints one line per filter and
    saves the PNG where matplotlib is installed (a message where not)."""
    images = np.random.default_rng(0).integers(0, 256, (2, 6, 5))
    _write_idx(tmp_path / "t10k-images.idx3-ubyte.gz", images)
    module = runpy.run_path(str(ROOT / "examples" / "image_filters.py"))
    np.testing.assert_array_equal(module["read_idx"](tmp_path / "t10k-images.idx3-ubyte.gz"),
                                  images)
    out_png = tmp_path / "grid.png"
    status = module["main"](["--data", str(tmp_path), "--index", "1", "--out", str(out_png)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "6x5 pixels" in printed
    for name in module["FILTERS"]:
        assert name in printed
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "matplotlib is not installed" in printed and not out_png.exists()
    else:
        assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_example_reports_missing_data(tmp_path, capsys):
    module = runpy.run_path(str(ROOT / "examples" / "image_filters.py"))
    assert module["main"](["--data", str(tmp_path / "nowhere")]) == 1
    assert "MNIST test images not found" in capsys.readouterr().err


def test_example_rejects_a_file_that_is_not_idx(tmp_path):
    module = runpy.run_path(str(ROOT / "examples" / "image_filters.py"))
    path = tmp_path / "bad.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match="not an IDX file"):
        module["read_idx"](path)
