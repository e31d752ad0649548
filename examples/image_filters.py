"""Image filters on an MNIST digit: what a convolution kernel does to an image.

Each classic kernel -- identity, edge detection, sharpening, Gaussian blur, the Sobel
gradients -- is slid over a handwritten digit with ``shendu.vision.filters.correlate2d`` (the
cross-correlation that convolution layers compute). The script prints what each filter does
to the pixel values and saves a grid of the filtered digits as a PNG (needs matplotlib, an
optional extra: ``pip install matplotlib``; without it the PNG is skipped).

    python examples/image_filters.py
    python examples/image_filters.py --data path/to/mnist --index 7 --out filters.png

``--data`` is a directory holding MNIST's ``t10k-images.idx3-ubyte.gz`` (default:
``../shared/data/mnist`` beside the repository).
"""

from __future__ import annotations

import argparse
import gzip
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

from shendu import plot
from shendu.vision import filters

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
IMAGES = "t10k-images.idx3-ubyte.gz"

FILTERS = {
    "identity": filters.IDENTITY,
    "edge detect": filters.EDGE_DETECT,
    "sharpen": filters.SHARPEN,
    "box blur (3x3)": filters.BOX_BLUR,
    "Gaussian blur (5x5, sigma 1)": filters.gaussian_kernel(5, 1.0),
    "Sobel x": filters.SOBEL_X,
    "Sobel y": filters.SOBEL_Y,
}


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (gzip-compressed or not) as a NumPy array.

    The format: two zero bytes, a type code (0x08 = uint8), the number of dims, one big-endian
    uint32 per dim, then the values in row-major order.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        zero, code, ndim = struct.unpack(">HBB", f.read(4))
        if zero != 0 or code != 0x08:
            raise ValueError(f"{path} is not an IDX file of unsigned bytes (header {zero:#06x}, "
                             f"type code {code:#04x}; expected 0x0000 and 0x08)")
        shape = struct.unpack(f">{ndim}I", f.read(4 * ndim))
        data = np.frombuffer(f.read(), dtype=np.uint8)
    if data.size != np.prod(shape):
        raise ValueError(f"{path}: the header announces shape {shape} "
                         f"({int(np.prod(shape))} values), the file holds {data.size}")
    return data.reshape(shape)


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"directory holding {IMAGES} (default: {DEFAULT_DATA})")
    parser.add_argument("--index", type=int, default=0, help="which test digit (default: 0)")
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "shendu_image_filters.png",
                        help="where to save the PNG grid (default: in the temporary directory)")
    return parser.parse_args(argv)


def save_grid(image: np.ndarray, filtered: dict, path: Path) -> bool:
    """Plot the digit and its filtered versions in a grid of 4 columns; False (and nothing
    saved) when matplotlib is not installed."""
    panels = {"original": image, **filtered}
    rows = -(-len(panels) // 4)
    try:
        fig = plot.figure(figsize=(8, 2.2 * rows))
    except ImportError:
        return False
    axes = fig.subplots(rows, 4, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, out) in zip(axes.flat, panels.items()):
        ax.imshow(out, cmap="gray")
        ax.set_title(name, fontsize=9)
    plot.save_figure(fig, path)
    return True


def _show(value: float) -> str:
    return f"{np.round(value, 3) + 0.0:7.3f}"  # + 0.0: print -0.000 as 0.000


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    path = args.data / IMAGES
    if not path.is_file():
        print(f"MNIST test images not found at {path}; pass --data DIR, the directory that "
              f"holds {IMAGES}", file=sys.stderr)
        return 1
    images = read_idx(path)
    if not 0 <= args.index < len(images):
        print(f"--index must be in [0, {len(images)}), got {args.index}", file=sys.stderr)
        return 1
    image = images[args.index].astype(np.float64) / 255.0  # pixel values in [0, 1]

    print(f"MNIST test digit {args.index}, {image.shape[0]}x{image.shape[1]} pixels in [0, 1]")
    print(f"{'filter':30s} {'min':>7s} {'max':>7s} {'mean':>7s}")
    filtered = {}
    for name, kernel in FILTERS.items():
        filtered[name] = out = filters.correlate2d(image, kernel, mode="same")
        print(f"{name:30s} {_show(out.min())} {_show(out.max())} {_show(out.mean())}")

    if save_grid(image, filtered, args.out):
        print(f"saved {args.out}")
    else:
        print("matplotlib is not installed (pip install matplotlib): skipped the PNG")
    return 0


if __name__ == "__main__":
    status = main()
    if status:
        sys.exit(status)
