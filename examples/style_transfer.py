"""Neural style transfer (Gatys et al.): paint a handwritten digit in the style of a texture.

The content image is an MNIST digit (the copy bundled with shendu) enlarged and coloured; the
style image is a procedural texture of coloured waves, so the example needs no network and no
files. The synthesised image starts as the content image and its pixels are optimised with
Adam against the content, style (Gram matrix) and total variation losses of
``shendu.models.style_transfer``. The PNG shows content | style | result.

By default the features come from a small VGG-like network with random weights: random
convolutions already describe texture (Gram matrices of random features carry colour and
local pattern statistics), which keeps the example fast and offline. For the real thing give a
pretrained VGG-19 ``state_dict`` (torchvision's key names, ``features.0.weight``, ...):

    python examples/style_transfer.py                         # quick: random features, 48 x 48
    python examples/style_transfer.py --weights vgg19.safetensors --size 224 --steps 500 \\
        --lr 0.3 --style-weight 1e3 --tv-weight 10 \\
        --content-image photo.jpg --style-image painting.jpg --out result.png

The defaults (style weight 1e4, TV weight 1, lr 0.2, 30 steps) suit the small random network
on 48 x 48 images; with VGG-19 use d2l's weights (1, 1e3, 10) and lr 0.3, as above.

A ``.pt`` file written by ``torch.save(model.state_dict(), path)`` is read with
``torch.load(weights_only=True)`` when PyTorch is installed; otherwise convert it once with
``safetensors.torch.save_file``. Writing the PNG needs Pillow or matplotlib (optional extras).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import shendu
from shendu import nn
from shendu.data.datasets import MNIST
from shendu.models.style_transfer import (
    D2L_CONTENT_LAYERS,
    D2L_STYLE_LAYERS,
    FeatureExtractor,
    postprocess,
    preprocess,
    transfer_style,
)

# the small random network: layer indices of its conv layers 0, 2 | 5, 7 | 10
SMALL_STYLE_LAYERS, SMALL_CONTENT_LAYERS = (0, 5, 10), (7,)


def digit_image(size: int, index: int = 0) -> np.ndarray:
    """MNIST test digit ``index`` enlarged to size x size (bilinear) and coloured: an orange
    stroke on a dark blue ground; float32 (size, size, 3) in [0, 1]."""
    digit = MNIST(train=False).data[index].astype(np.float32) / 255.0
    coords = (np.arange(size) + 0.5) * 28 / size - 0.5        # pixel centres, align_corners=False
    lo = np.clip(np.floor(coords).astype(int), 0, 27)
    hi = np.clip(lo + 1, 0, 27)
    frac = np.clip(coords - lo, 0.0, 1.0)
    rows = digit[lo] * (1 - frac)[:, None] + digit[hi] * frac[:, None]
    ink = rows[:, lo] * (1 - frac) + rows[:, hi] * frac
    ground, stroke = np.array([0.08, 0.12, 0.35]), np.array([1.0, 0.6, 0.15])
    return (ground + ink[..., None] * (stroke - ground)).astype(np.float32)


def wave_texture(size: int) -> np.ndarray:
    """A procedural texture: interfering coloured sine waves; float32 (size, size, 3)."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) * (64.0 / size)
    red = 0.5 + 0.5 * np.sin(0.55 * x + 0.25 * y)
    green = 0.5 + 0.5 * np.sin(0.45 * y - 0.2 * x + 1.0)
    blue = 0.5 + 0.5 * np.cos(0.3 * (x + y)) * np.sin(0.4 * x)
    return np.stack([red, green, blue], axis=-1).astype(np.float32)


def small_network() -> nn.Sequential:
    """A VGG-like stack (two 3x3 convs per block, max pooling between blocks), random weights."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
    )


def read_state_dict(path: Path) -> dict:
    """A state_dict from safetensors (``shendu.load``) or, with PyTorch installed, a ``.pt``
    file read with ``torch.load(weights_only=True)`` (no arbitrary unpickling)."""
    if path.suffix in (".pt", ".pth"):
        try:
            import torch
        except ImportError as error:
            raise SystemExit(f"style_transfer.py: reading {path} (a torch.save file) needs "
                             "PyTorch; or convert it to safetensors with safetensors.torch."
                             "save_file(torch.load(path), 'vgg19.safetensors')") from error
        state = torch.load(path, map_location="cpu", weights_only=True)
        return {k: shendu.from_numpy(v.numpy()) for k, v in state.items()}
    return shendu.load(path)


def vgg19_features(path: Path) -> nn.Sequential:
    """VGG-19's ``features`` with the weights in ``path``: a whole torchvision VGG-19
    state_dict, or only its ``features.*`` entries."""
    from shendu.models.vgg import vgg19

    state = read_state_dict(path)
    model = vgg19()
    if any(key.startswith("classifier.") for key in state):
        model.load_state_dict(state)
    else:
        model.features.load_state_dict({k.removeprefix("features."): v
                                        for k, v in state.items()})
    return model.features


def load_image(path: Path, size: int) -> np.ndarray:
    """An image file as float32 (size, size, 3) in [0, 1] (needs Pillow)."""
    try:
        from PIL import Image
    except ImportError as error:
        raise SystemExit("style_transfer.py: reading image files needs Pillow "
                         "(pip install pillow)") from error
    with Image.open(path) as image:
        image = image.convert("RGB").resize((size, size), Image.BILINEAR)
        return np.asarray(image, dtype=np.float32) / 255.0


def save_png(image: np.ndarray, path: Path) -> None:
    """Write a uint8 (H, W, 3) image with Pillow, else matplotlib; a clear error without."""
    try:
        from PIL import Image

        Image.fromarray(image).save(path)
        return
    except ImportError:
        pass
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.imsave(path, image)
    except ImportError as error:
        raise SystemExit("style_transfer.py: writing the PNG needs Pillow or matplotlib "
                         "(pip install pillow)") from error


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "shendu_style_transfer.png")
    parser.add_argument("--size", type=int, default=48, help="image side in pixels")
    parser.add_argument("--steps", type=int, default=30, help="Adam steps")
    parser.add_argument("--lr", type=float, default=0.2, help="Adam's learning rate")
    parser.add_argument("--weights", type=Path, default=None,
                        help="a VGG-19 state_dict (.safetensors, or .pt with PyTorch)")
    parser.add_argument("--content-image", type=Path, default=None)
    parser.add_argument("--style-image", type=Path, default=None)
    parser.add_argument("--content-weight", type=float, default=1.0)
    parser.add_argument("--style-weight", type=float, default=1e4)
    parser.add_argument("--tv-weight", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    shendu.manual_seed(args.seed)

    content = (load_image(args.content_image, args.size) if args.content_image
               else digit_image(args.size))
    style = load_image(args.style_image, args.size) if args.style_image else wave_texture(
        args.size)
    if args.weights is not None:
        extractor = FeatureExtractor(vgg19_features(args.weights), D2L_CONTENT_LAYERS,
                                     D2L_STYLE_LAYERS)
    else:
        extractor = FeatureExtractor(small_network(), SMALL_CONTENT_LAYERS, SMALL_STYLE_LAYERS)
    began = time.perf_counter()
    result, history = transfer_style(preprocess(content), preprocess(style), extractor,
                                     weights=(args.content_weight, args.style_weight,
                                              args.tv_weight),
                                     num_steps=args.steps, lr=args.lr)
    seconds = time.perf_counter() - began
    for step in sorted({0, len(history["total"]) // 2, len(history["total"]) - 1}):
        if 0 <= step < len(history["total"]):
            print(f"step {step + 1:4d}: total {history['total'][step]:.4f} = content "
                  f"{history['content'][step]:.4f} + style {history['style'][step]:.4f} + tv "
                  f"{history['tv'][step]:.4f}")
    panel = np.concatenate([(content * 255 + 0.5).astype(np.uint8),
                            (style * 255 + 0.5).astype(np.uint8), postprocess(result)], axis=1)
    save_png(panel, args.out)
    print(f"{args.steps} steps on {args.size} x {args.size} in {seconds:.1f} s; "
          f"wrote {args.out} (content | style | result)")
    return history


if __name__ == "__main__":
    main(sys.argv[1:])
