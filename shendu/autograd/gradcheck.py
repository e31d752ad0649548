"""``gradcheck``: compare the gradients from backward with central differences.

For f: R^n -> R^m the analytic Jacobian J[i, j] = d f_i / d x_j is built one row at a time
(one backward pass per output element, seeded with a one-hot gradient); the numerical one one
column at a time, J[:, j] ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps). Both in float64.
"""

from __future__ import annotations

import numpy as np

from shendu.autograd import grad_mode
from shendu.autograd.engine import run_backward


class GradcheckError(AssertionError):
    """The analytic and numerical gradients differ."""


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central differences.

    Args:
        fn: a function of ``*inputs`` returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors (and other arguments, passed unchanged). Floating
            tensors with ``requires_grad`` are checked; they should be float64.
        eps: the finite-difference step.
        atol, rtol: an element passes when |analytic - numerical| <= atol + rtol |numerical|.
        raise_exception: raise :class:`GradcheckError` naming the input, the element and both
            values on failure (else return False).

    Returns:
        True when every gradient matches.
    """
    from shendu.tensor import Tensor

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; use float64 inputs "
                "(x.double()), float32 is too coarse for central differences"
            )
    analytic = _analytic_jacobians(fn, inputs, checked)
    numerical = _numerical_jacobians(fn, inputs, checked, eps)
    for i, a, n in zip(checked, analytic, numerical):
        # written as "not within" so that a NaN on either side counts as a failure
        bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
        if bad.any():
            out_idx, in_idx = np.argwhere(bad)[0]
            element = np.unravel_index(in_idx, inputs[i].shape)
            ours, theirs = float(a[out_idx, in_idx]), float(n[out_idx, in_idx])
            message = (
                f"gradcheck: d output[{out_idx}] / d input {i} at element "
                f"{tuple(int(e) for e in element)} (input shape {tuple(inputs[i].shape)}): "
                f"backward gives {ours:.6g}, central differences give {theirs:.6g} "
                f"(difference {abs(ours - theirs):.3g}, allowed {atol + rtol * abs(theirs):.3g}; "
                f"{int(bad.sum())} of {bad.size} Jacobian entries differ)"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _outputs(fn, inputs) -> list:
    from shendu.tensor import Tensor

    out = fn(*inputs)
    out = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in out if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _analytic_jacobians(fn, inputs, checked) -> list:
    with grad_mode.enable_grad():
        outputs = _outputs(fn, inputs)
    sizes = [o.data.size for o in outputs]
    total = sum(sizes)
    jacobians = [np.zeros((total, inputs[i].data.size)) for i in checked]
    wanted = [inputs[i] for i in checked]
    row = 0
    for o, size in zip(outputs, sizes):
        for k in range(size):
            if o.requires_grad:
                seed = np.zeros(o.shape, dtype=o.dtype)
                seed.flat[k] = 1
                found = run_backward([o], [seed], retain_graph=True, inputs=wanted)
                for col, x in enumerate(wanted):
                    if id(x) in found:
                        jacobians[col][row] = np.asarray(found[id(x)], dtype=np.float64).ravel()
            row += 1
    return jacobians


def _numerical_jacobians(fn, inputs, checked, eps: float) -> list:
    jacobians = []
    with grad_mode.no_grad():
        for i in checked:
            data = inputs[i].data
            columns = []
            for index in np.ndindex(data.shape):
                original = data[index]
                data[index] = original + eps
                plus = _flat(_outputs(fn, inputs))
                data[index] = original - eps
                minus = _flat(_outputs(fn, inputs))
                data[index] = original
                columns.append((plus - minus) / (2 * eps))
            total = len(_flat(_outputs(fn, inputs)))
            jacobians.append(np.stack(columns, axis=1) if columns else np.zeros((total, 0)))
    return jacobians


def _flat(outputs) -> np.ndarray:
    if not outputs:
        return np.zeros(0)
    return np.concatenate([np.asarray(o.data, dtype=np.float64).ravel() for o in outputs])
