"""Reading the CIFAR-10 *binary version* (``cifar-10-binary.tar.gz``), never the pickles.

The CIFAR-10 "python version" stores its batches as pickles, and unpickling runs code chosen by
whoever wrote the file, so shendu reads the binary version instead. Each of its batch files
(``data_batch_1.bin`` ... ``data_batch_5.bin``, ``test_batch.bin``; 10,000 records each) is a
sequence of 3073-byte records::

    record = <1 byte: label 0-9> <1024 bytes red> <1024 bytes green> <1024 bytes blue>

where each colour plane is a 32 x 32 image in row-major order.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

IMAGE_SHAPE = (3, 32, 32)  # as stored: channels, height, width
RECORD_BYTES = 1 + 3 * 32 * 32  # 3073
NUM_CLASSES = 10


def read_cifar_binary(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read one CIFAR-10 binary batch file.

    Args:
        path: e.g. ``cifar-10-batches-bin/data_batch_1.bin``.

    Returns:
        ``(images, labels)``: uint8 images of shape (N, 32, 32, 3) (height, width, channels,
        as torchvision's ``CIFAR10.data``) and int64 labels of shape (N,), values 0-9.

    Raises:
        ValueError: the file is empty, its length is not a whole number of 3073-byte records,
            or a label byte is 10 or more. The message names the file.
    """
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    return parse_cifar_binary(raw, path)


def parse_cifar_binary(raw: np.ndarray, name: str | os.PathLike = "<bytes>"
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Parse the bytes (a uint8 array) of a CIFAR-10 binary batch; see :func:`read_cifar_binary`."""
    if raw.size == 0:
        raise ValueError(f"{name}: the file is empty; expected records of {RECORD_BYTES} bytes "
                         f"(1 label byte + 3072 pixel bytes)")
    if raw.size % RECORD_BYTES:
        whole, rest = divmod(raw.size, RECORD_BYTES)
        raise ValueError(f"{name}: {raw.size} bytes is not a whole number of {RECORD_BYTES}-byte "
                         f"records (1 label byte + 3072 pixel bytes): {whole} records and "
                         f"{rest} bytes left over, so the file is truncated or not a CIFAR-10 "
                         f"binary batch (the pickled 'python version' is not read, use "
                         f"cifar-10-binary.tar.gz)")
    records = raw.reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels >= NUM_CLASSES)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{name}: record {i} has label {labels[i]}, CIFAR-10 labels are "
                         f"0-{NUM_CLASSES - 1} ({bad.size} bad records in all); the file is "
                         f"corrupt or not a CIFAR-10 batch")
    images = records[:, 1:].reshape((-1,) + IMAGE_SHAPE).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels
