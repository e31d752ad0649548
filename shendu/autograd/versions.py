"""Detecting in-place changes to tensors that a recorded op saved for backward.

One counter numbers events in order: each recorded op takes the next number when it runs
(``ctx._seq``, which also orders the backward pass), and each in-place change takes the next
number and stamps it on the tensor it changes (``tensor._version``). A saved array is stale when
its tensor's stamp is larger than the op's number. At backward, nothing needs checking unless
some in-place change came after the op (``last_inplace > ctx._seq``), so the usual case (no
in-place op between forward and backward) costs one integer comparison per op.
"""

from __future__ import annotations

from itertools import count

sequence = count()
last_inplace = -1


def bump(tensor) -> None:
    """Record that ``tensor`` (and the tensor it was detached from) changed in place now."""
    global last_inplace
    last_inplace = tensor._version = next(sequence)
    if tensor._base is not None:
        tensor._base._version = last_inplace


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
        if owner is not None and owner._version > ctx._seq:
            raise RuntimeError(
                f"one of the tensors saved by {ctx!r} for backward (shape {array.shape}) was "
                "modified by an in-place operation after the forward pass. Use the "
                "out-of-place op (e.g. x = x + 1 instead of x.add_(1)), or clone() the tensor "
                "before changing it."
            )
