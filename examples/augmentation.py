"""Data augmentation: one handwritten digit, many training images.

Each row of the saved grid is one transform from ``shendu.data.transforms`` applied to a batch
of copies of the same digit: every copy gets its own random draw, made for the whole batch at
once, so the row shows what the transform can do. The last row is a whole training pipeline
(crop, affine warp, normalisation) as one ``Compose`` called once on the batch.

    python examples/augmentation.py                  # the PNG goes to the temporary directory
    python examples/augmentation.py augmentation.png

The digit is the first MNIST test image when ``../shared/data/mnist`` (beside the repository)
holds it; otherwise a digit-like "7" drawn with NumPy, so the example runs anywhere. The PNG
needs matplotlib (an optional extra: ``pip install matplotlib``); without it the grid is
skipped and only the printed summary is shown.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from pathlib import Path

import numpy as np

import shendu
from shendu import plot
from shendu.data.transforms import (
    Compose,
    Normalize,
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    Resize,
    ToTensor,
)

MNIST_IMAGES = (Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
                / "t10k-images.idx3-ubyte.gz")
COPIES = 6  # images per row


def first_mnist_digit(path: Path) -> np.ndarray | None:
    """The first image of an MNIST IDX file (uint8, 28 x 28), or None if the file is absent.

    The IDX header is 16 bytes: magic 0x00000803 (unsigned bytes, 3 dims), then the number of
    images, rows and columns as big-endian uint32; the pixels follow row by row."""
    if not path.is_file():
        return None
    with gzip.open(path, "rb") as f:
        header = np.frombuffer(f.read(16), dtype=">u4")
        if header[0] != 0x803:
            raise ValueError(f"{path} is not an IDX file of uint8 images (magic {header[0]:#x})")
        rows, cols = int(header[2]), int(header[3])
        return np.frombuffer(f.read(rows * cols), dtype=np.uint8).reshape(rows, cols)


def drawn_seven(size: int = 28) -> np.ndarray:
    """A "7" drawn with NumPy: a horizontal bar and a slanted stroke, soft-edged (uint8)."""
    r, c = np.mgrid[0:size, 0:size].astype(np.float64)
    bar = np.exp(-((r - 7) / 1.6) ** 2) * ((c > 6) & (c < 21))
    # the stroke runs from (7, 20) down to (23, 11): distance to that line, in pixels
    distance = np.abs((c - 20) * 16 + (r - 7) * 9) / np.hypot(16, 9)
    stroke = np.exp(-(distance / 1.5) ** 2) * ((r > 6) & (r < 24))
    return (255 * np.clip(bar + stroke, 0, 1)).astype(np.uint8)


def augmentations() -> dict:
    """The transforms to show, each on a batch (N, 1, 28, 28) of float images in [0, 1]."""
    return {
        "RandomCrop(28, padding=4)": RandomCrop(28, padding=4),
        "RandomHorizontalFlip()": RandomHorizontalFlip(),
        "RandomAffine(degrees=30)": RandomAffine(30, interpolation="bilinear"),
        "translate=(0.15, 0.15)": RandomAffine(0, translate=(0.15, 0.15)),
        "scale=(0.6, 1.3)": RandomAffine(0, scale=(0.6, 1.3), interpolation="bilinear"),
        "shear=25": RandomAffine(0, shear=25, interpolation="bilinear"),
        "Resize(10) then Resize(28)": Compose([Resize(10), Resize(28, interpolation="nearest")]),
    }


def save_grid(rows: dict, path: Path) -> bool:
    """One row of images per entry of ``rows`` (name -> (COPIES, 28, 28)); False if
    matplotlib is not installed."""
    try:
        fig = plot.figure(figsize=(2 + COPIES, len(rows)))
    except ImportError:
        return False
    axes = fig.subplots(len(rows), COPIES, squeeze=False)
    for axes_row, (name, images) in zip(axes, rows.items()):
        for ax, image in zip(axes_row, images):
            ax.imshow(image, cmap="gray")
            ax.set_xticks([])
            ax.set_yticks([])
        axes_row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=7)
    plot.save_figure(fig, path, dpi=80)
    return True


def main(argv: list) -> int:
    out = Path(argv[0]) if argv else Path(tempfile.gettempdir()) / "shendu_augmentation.png"
    shendu.manual_seed(0)  # the same grid on every run
    digit = first_mnist_digit(MNIST_IMAGES)
    source = "the first MNIST test digit"
    if digit is None:
        digit, source = drawn_seven(), "a 7 drawn with NumPy (no MNIST at ../shared/data)"
    print(f"augmenting {source}: {COPIES} copies per transform, one call per batch")

    batch = ToTensor(batched=True)(np.repeat(digit[None], COPIES, axis=0)).numpy()
    rows = {"original": batch[:, 0]}
    for name, transform in augmentations().items():
        augmented = transform(batch)
        changed = np.abs(augmented - batch).mean(axis=(1, 2, 3))
        rows[name] = augmented[:, 0]
        print(f"  {name:28s} mean |change| per image: "
              + " ".join(f"{v:.3f}" for v in changed))

    pipeline = Compose([ToTensor(batched=True), RandomCrop(28, padding=2),
                        RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1)),
                        Normalize((0.1307,), (0.3081,))])
    print(f"a training pipeline, called once per batch (batched={pipeline.batched}):\n{pipeline}")
    normalized = pipeline(np.repeat(digit[None], COPIES, axis=0)).numpy()
    print(f"  output {normalized.shape} {normalized.dtype}, mean {normalized.mean():.3f}, "
          f"std {normalized.std():.3f}")
    rows["the pipeline"] = normalized[:, 0]

    if save_grid(rows, out):
        print(f"saved {out}")
    else:
        print("matplotlib is not installed (pip install matplotlib): skipped the PNG")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
