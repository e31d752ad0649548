"""The engine: accumulation, graph freeing, grad modes, hooks, autograd.grad, custom Functions,
in-place detection, anomaly detection and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from shendu.autograd import Function, GradcheckError, gradcheck


def leaf(*values, dtype=shendu.float64):
    return shendu.tensor(list(values), dtype=dtype, requires_grad=True)


def test_grad_accumulates_over_backward_calls():
    x = leaf(1.0, 2.0)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 + 3, 4 + 3])


def test_fan_out_sums_gradients():
    x = leaf(2.0)
    y = x * x + x.exp() + x  # x used four times
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4 + np.exp(2) + 1])


def test_non_scalar_backward_needs_gradient():
    y = leaf(1.0, 2.0) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2,\); pass gradient="):
        y.backward()
    y.backward(gradient=shendu.tensor([1.0, 10.0], dtype=shendu.float64))


def test_gradient_of_wrong_shape_is_rejected():
    y = leaf(1.0, 2.0) * 2
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\)"):
        y.backward(shendu.ones(3))


def test_second_backward_through_freed_graph_raises():
    x = leaf(1.0)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf(1.0)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4 * np.e])


def test_backward_frees_saved_arrays():
    x = leaf(1.0, 2.0)
    y = x.exp()
    z = y.sum()
    z.backward()
    assert y.grad_fn.saved_tensors is None


def test_backward_of_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        shendu.ones(2).sum().backward()


def test_no_grad_context_and_decorator():
    x = leaf(1.0)
    with shendu.no_grad():
        assert not shendu.is_grad_enabled()
        assert not (x * 2).requires_grad
        with shendu.enable_grad():
            assert (x * 2).requires_grad
    assert shendu.is_grad_enabled()

    @shendu.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert shendu.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    x = leaf(1.0)
    with shendu.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert shendu.is_grad_enabled()
    shendu.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        shendu.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_autograd_grad_leaves_dot_grad_alone():
    x, w = leaf(1.0, 2.0), leaf(3.0, 4.0)
    y = (x * w).sum()
    gx, gw = shendu.autograd.grad(y, [x, w])
    np.testing.assert_allclose(gx.numpy(), [3, 4])
    np.testing.assert_allclose(gw.numpy(), [1, 2])
    assert x.grad is None and w.grad is None


def test_autograd_grad_unused_input():
    x, unused = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="allow_unused"):
        shendu.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = shendu.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 2


def test_autograd_grad_of_intermediate():
    x = leaf(1.0, 2.0)
    h = x * 3
    (gh,) = shendu.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh.numpy(), [6, 12])


def test_hooks_replace_gradient_and_can_be_removed():
    x = leaf(1.0, 2.0)
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10)
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20, 20])
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2, 2])
    assert len(seen) == 1


def test_leaf_hook_sees_total_gradient_once():
    x = leaf(1.0)
    calls = []
    x.register_hook(lambda g: calls.append(g.item()))
    (x * 2 + x * 3).sum().backward()
    assert calls == [5.0]


def test_hook_on_intermediate_and_retain_grad():
    x = leaf(1.0, 2.0)
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda g: g * 0.5)
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [2, 4])  # hook applied before storing
    np.testing.assert_allclose(x.grad.numpy(), [4, 8])


def test_leaf_gradients_never_share_memory():
    a, b = leaf(1.0), leaf(2.0)
    (a + b).sum().backward()
    a.grad.mul_(0)
    assert b.grad.item() == 1.0


def test_very_deep_graph_without_recursion():
    x = leaf(0.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0 and y.item() == 100_000


def test_requires_grad_on_integer_tensor_is_refused():
    with pytest.raises(TypeError, match="floating-point"):
        shendu.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        shendu.arange(3).requires_grad_()


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"Add: shapes \(2, 3\) and \(4,\)"):
        shendu.ones(2, 3) + shendu.ones(4)
    with pytest.raises(ValueError, match=r"Mul: shapes \(2, 3\) and \(2,\)"):
        shendu.ones(2, 3, requires_grad=True) * shendu.ones(2)


# ---------------------------------------------------------------------------- in place
def test_inplace_on_leaf_requiring_grad_needs_no_grad():
    w = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1)
    with shendu.no_grad():
        w.add_(1).mul_(2)
    np.testing.assert_allclose(w.numpy() if not w.requires_grad else w.detach().numpy(), [4, 6])


def test_inplace_change_of_saved_input_is_detected():
    w = leaf(1.0, 2.0)
    c = shendu.tensor([3.0, 4.0], dtype=shendu.float64)
    y = (w * c).sum()  # Mul saves c
    c.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_inplace_change_of_saved_output_is_detected():
    w = leaf(1.0, 2.0)
    y = w.exp()  # Exp saves its output
    with shendu.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


def test_inplace_change_through_detach_is_detected():
    w = leaf(1.0, 2.0)
    y = w.exp()
    y.detach().zero_()
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


def test_inplace_change_of_unsaved_input_is_allowed():
    w = leaf(1.0, 2.0)
    c = shendu.tensor([3.0, 4.0], dtype=shendu.float64)
    y = (w + c).sum()  # Add saves nothing
    c.add_(1)
    y.backward()
    np.testing.assert_allclose(w.grad.numpy(), [1, 1])


def test_augmented_assignment_on_graph_tensor_is_out_of_place():
    w = leaf(1.0, 2.0)
    h = w * 2
    h += 1
    h.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2, 2])


# ---------------------------------------------------------------------------- custom Function
class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2  # d x^3/dx = 3 x^2


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x**2


class ScaleBy(Function):
    """A Function with a non-tensor argument and two tensor inputs."""

    @staticmethod
    def forward(ctx, x, y, factor):
        ctx.save_for_backward(x, y)
        ctx.factor = factor
        return factor * x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = grad * ctx.factor * y if ctx.needs_input_grad[0] else None
        gy = grad * ctx.factor * x if ctx.needs_input_grad[1] else None
        return gx, gy, None


def test_custom_function_gradcheck():
    x = shendu.randn(3, 2, dtype=shendu.float64, requires_grad=True)
    assert gradcheck(Cube.apply, (x,))
    y = shendu.randn(2, dtype=shendu.float64, requires_grad=True)
    assert gradcheck(lambda a, b: ScaleBy.apply(a, b, 2.5), (x, y))


def test_custom_function_needs_input_grad():
    x = shendu.randn(3, dtype=shendu.float64, requires_grad=True)
    y = shendu.randn(3, dtype=shendu.float64)
    out = ScaleBy.apply(x, y, 2.0)
    assert out.grad_fn.needs_input_grad == (True, False, False)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * y.numpy())


def test_gradcheck_reports_the_bad_element():
    x = shendu.tensor([1.0, 2.0], dtype=shendu.float64, requires_grad=True)
    pattern = r"input 0 at element \(0,\).*backward gives 2, central differences give 3"
    with pytest.raises(GradcheckError, match=pattern):
        gradcheck(WrongCube.apply, (x,))
    assert gradcheck(WrongCube.apply, (x,), raise_exception=False) is False


def test_gradcheck_requires_float64():
    x = shendu.randn(2, requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(Cube.apply, (x,))


# ---------------------------------------------------------------------------- anomalies
def test_detect_anomaly_names_forward_op():
    x = shendu.tensor([-1.0, 1.0], requires_grad=True)
    with shendu.autograd.detect_anomaly():
        with pytest.raises(RuntimeError, match="Log produced NaN in its forward"):
            with np.errstate(invalid="ignore"):
                x.log()


def test_detect_anomaly_names_backward_op():
    x = shendu.tensor([0.0, 1.0], requires_grad=True)
    with shendu.autograd.detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(FloatingPointError, match="Sqrt produced Inf in its backward"):
            with np.errstate(divide="ignore"):
                y.backward()


def test_nan_passes_silently_without_anomaly_mode():
    x = shendu.tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        y = x.log()
    assert np.isnan(y.item())


class Square(Function):
    """forward/backward written without @staticmethod, as PyTorch also allows."""

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad  # d x^2/dx = 2x


def test_custom_function_without_staticmethod():
    x = shendu.tensor([3.0], dtype=shendu.float64, requires_grad=True)
    Square.apply(x).sum().backward()
    assert x.grad.item() == 6.0


class SeesNeeds(Function):
    """Records, in forward, which gradients will be wanted (as PyTorch allows)."""

    seen: list = []

    @staticmethod
    def forward(ctx, x, y):
        SeesNeeds.seen.append(ctx.needs_input_grad)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


def test_needs_input_grad_is_known_in_forward():
    SeesNeeds.seen.clear()
    x = shendu.ones(2, requires_grad=True)
    SeesNeeds.apply(x, shendu.ones(2))
    with shendu.no_grad():
        SeesNeeds.apply(x, shendu.ones(2))
    assert SeesNeeds.seen == [(True, False), (False, False)]
