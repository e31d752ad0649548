"""Train any network of the zoo on MNIST: the curriculum's CNNs side by side.

    python examples/cnn_zoo.py                      # list the registered networks
    python examples/cnn_zoo.py resnet18             # 1 epoch on 10,000 training images
    python examples/cnn_zoo.py googlenet --epochs 3 --train-size 60000

Each network registers itself (``shendu.models.register_model``) under a name, with a factory
``fn(num_classes=10, in_channels=1)`` for the MNIST-sized configuration and a training recipe
(optimizer, learning rate, batch size, schedule). This script is ``shendu train NAME`` with a
shorter default: it prints the test accuracy and writes the checkpoint, ``metrics.json`` and
the learning curve (``learning_curve.png``) under ``--out`` (default ``runs/examples/NAME``).
The networks themselves are short classes in ``shendu/models/`` (``lenet.py``, ``alexnet.py``,
``vgg.py``, ``nin.py``, ``googlenet.py``, ``resnet.py``, ``densenet.py``): read them beside
the chapter.
"""

from __future__ import annotations

import argparse
import sys

from shendu.cli import main as shendu_main
from shendu.models import list_models, model_spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", nargs="?", help="a registered network; none: list them")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=10000,
                        help="the first N training images (60000: all)")
    parser.add_argument("--out", default=None, help="run directory (default runs/examples/NAME)")
    args = parser.parse_args(argv)
    if args.name is None:
        for name in list_models():
            print(f"{name:<12} {model_spec(name).description}")
        return 0
    return shendu_main(["train", args.name, "--epochs", str(args.epochs),
                        "--train-size", str(args.train_size), "--no-progress",
                        "--out", args.out or f"runs/examples/{args.name}"])


if __name__ == "__main__":
    sys.exit(main())
