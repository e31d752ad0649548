"""Switching gradient recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The flag lives in one module-level variable that :meth:`Function.apply` reads on every call.
"""

from __future__ import annotations

import functools

_enabled = True


def is_grad_enabled() -> bool:
    """Whether new operations are recorded for backward."""
    return _enabled


class set_grad_enabled:
    """Turn gradient recording on or off; usable as a function call, a context manager or a
    decorator. As a context manager the previous setting is restored on exit.

    >>> with shendu.set_grad_enabled(False):
    ...     y = x * 2          # y.requires_grad is False
    """

    def __init__(self, mode: bool = True) -> None:
        global _enabled
        self.prev = _enabled
        self.mode = bool(mode)
        _enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn):
        mode = self.mode
        # The constructor already switched the mode; undo it: as a decorator it applies per call.
        self.__exit__()

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class _GradModeContext:
    """Base of ``no_grad``/``enable_grad``: a context manager that is also a decorator."""

    mode = True

    def __enter__(self) -> None:
        global _enabled
        self.prev = _enabled
        _enabled = self.mode

    def __exit__(self, *exc) -> None:
        global _enabled
        _enabled = self.prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager and decorator under which no operation is recorded for backward.

    Use it for evaluation and for in-place parameter updates.

    >>> with shendu.no_grad():
    ...     w -= lr * w.grad
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager and decorator that turns recording back on inside ``no_grad``."""

    mode = True
