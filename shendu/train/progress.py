"""The progress bar of training: tqdm when it is installed (``pip install shendu[progress]``),
otherwise one line per epoch."""

from __future__ import annotations

import sys
import time


class Progress:
    """Wraps an iterable of batches; ``update(n, **values)`` after each batch shows the running
    values and the samples per second.

    Args:
        iterable: the batches.
        total: the number of batches (for the bar's length).
        desc: the label in front of the bar.
        enabled: False shows nothing at all.
    """

    def __init__(self, iterable, total: int | None, desc: str, enabled: bool = True) -> None:
        self.iterable, self.desc, self.enabled = iterable, desc, enabled
        self.samples, self.start = 0, time.perf_counter()
        self._bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=desc, unit="batch", leave=True,
                                 dynamic_ncols=True, mininterval=0.5, file=sys.stderr)

    def __iter__(self):
        return iter(self.iterable)

    def rate(self) -> float:
        return self.samples / max(time.perf_counter() - self.start, 1e-9)

    def update(self, samples: int, values: dict[str, float]) -> None:
        self.samples += samples
        if self._bar is not None:
            self._bar.update(1)
            if self._bar.n == 1 or self._bar.n % 10 == 0:   # formatting costs; not every batch
                self._bar.set_postfix(_format(values, self.rate()), refresh=False)

    def close(self, values: dict[str, float]) -> None:
        """End the bar, showing the epoch's final values."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix(_format(values, self.rate()), refresh=False)
            self._bar.close()
        else:
            text = "  ".join(f"{k} {v}" for k, v in _format(values, self.rate()).items())
            print(f"{self.desc}  {text}", file=sys.stderr, flush=True)


def _format(values: dict[str, float], rate: float) -> dict[str, str]:
    shown = {k: f"{v:.4f}" for k, v in values.items()}
    shown["samples/s"] = f"{rate:,.0f}"
    return shown
