"""Detecting in-place changes to tensors that a recorded op saved for backward.

One global clock counts in-place operations. Each op records the clock when it runs
(``ctx._stamp``); each in-place change stamps the tensor it changes with the new clock value
(``tensor._version``). At backward, an op's saved arrays can only be stale if the clock moved
since its forward, so the usual case (no in-place op between forward and backward) costs one
integer comparison per op. Only then are the saved arrays matched to the tensors they belong to.
"""

from __future__ import annotations

clock = 0


def bump(tensor) -> None:
    """Record that ``tensor`` (and the tensor it was detached from) changed in place now."""
    global clock
    clock += 1
    tensor._version = clock
    if tensor._base is not None:
        tensor._base._version = clock


def check_saved(ctx, output) -> None:
    """Raise if an array ``ctx`` saved is the data of a tensor changed in place since ``ctx``
    ran forward (``output`` is the tensor that forward returned)."""
    for array in ctx.saved_tensors:
        owner = output if array is output.data else None
        if owner is None:
            for t in ctx.inputs:
                if getattr(t, "data", None) is array:
                    owner = t
                    break
        if owner is not None and owner._version > ctx._stamp:
            raise RuntimeError(
                f"one of the tensors saved by {ctx!r} for backward (shape {array.shape}) was "
                "modified by an in-place operation after the forward pass. Use the "
                "out-of-place op (e.g. x = x + 1 instead of x.add_(1)), or clone() the tensor "
                "before changing it."
            )
