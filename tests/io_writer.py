"""Helper of tests/test_io.py's kill test: save ~20 MB checkpoints to PATH in a loop until
killed, each one self-consistent (every array filled with the counter stored beside it).

Usage: ``python tests/io_writer.py PATH FIRST_COUNTER``. Prints ``ready`` once imported.
"""

from __future__ import annotations

import sys

import numpy as np

from shendu.io import save

SIZE = 1_250_000  # float32 elements per array: 5 MB


def main() -> None:
    path, counter = sys.argv[1], int(sys.argv[2])
    # 20 MB in all, in two dtypes so that the tensors of a file are not all alike
    arrays = [np.empty(SIZE, np.float32), np.empty(SIZE, np.float32),
              np.empty(SIZE // 2, np.int64), np.empty(SIZE, np.float32)]
    print("ready", flush=True)
    while True:
        for array in arrays:
            array.fill(counter)
        save({"counter": counter, "arrays": arrays, "note": f"checkpoint {counter}"}, path)
        counter += 1


if __name__ == "__main__":
    main()
