"""``shendu.nn.utils``: gradient clipping and parameter vectors, against NumPy references and
live against ``torch.nn.utils`` (the same gradients give the same clipped gradients and the
same returned norm)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import shendu
from shendu.nn import Parameter
from shendu.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)

try:
    import torch
except ImportError:  # the suite runs without torch; the live checks are skipped
    torch = None

live = pytest.mark.skipif(torch is None, reason="live parity needs torch (pip install torch)")
SHAPES = [(3, 4), (5,), (2, 3, 2), (1,)]
NORMS = [2.0, 1.0, 3.0, 0.5, math.inf, -math.inf, 0.0]
TOL = {np.float64: 1e-12, np.float32: 2e-6}  # relative; float32: a few rounding steps


def make_params(seed: int, dtype=np.float64, scale: float = 1.0, with_grad=(True,) * 4):
    """Parameters of SHAPES whose gradients are given arrays (float64 or float32)."""
    rng = np.random.default_rng(seed)
    params = []
    for shape, has_grad in zip(SHAPES, with_grad):
        p = Parameter(rng.standard_normal(shape).astype(dtype))
        if has_grad:
            p.grad = shendu.tensor(scale * rng.standard_normal(shape), dtype=dtype)
        params.append(p)
    return params


def reference_norm(grads, p: float) -> float:
    """The p-norm of all gradients concatenated into one vector (float64)."""
    flat = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads])
    if p == math.inf:
        return np.abs(flat).max()
    if p == -math.inf:
        return np.abs(flat).min()
    if p == 0:
        return float(np.count_nonzero(flat))
    return (np.abs(flat) ** p).sum() ** (1 / p)


def close(a, b, dtype) -> None:
    np.testing.assert_allclose(a, b, rtol=TOL[dtype], atol=0)


# ---------------------------------------------------------------------------- clip_grad_norm_
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, math.inf], ids=str)
@pytest.mark.parametrize("scale", [0.01, 10.0], ids=["below", "above"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_clip_grad_norm_reference(p, scale, dtype):
    params = make_params(0, dtype, scale)
    before = [q.grad.data.copy() for q in params]
    arrays = [q.grad.data for q in params]
    max_norm = 1.5
    total = clip_grad_norm_(params, max_norm, norm_type=p)
    expected = reference_norm(before, p)
    assert isinstance(total, shendu.Tensor) and total.shape == () and total.dtype == dtype
    close(total.item(), expected, dtype)
    coef = min(1.0, max_norm / (expected + 1e-6))
    for q, g, array in zip(params, before, arrays):
        assert q.grad.data is array, "scaled in place"
        close(q.grad.data, g * coef, dtype)
    if scale > 1:
        # the clipped gradients have norm max_norm * total / (total + 1e-6)
        close(reference_norm([q.grad.data for q in params], p),
              max_norm * expected / (expected + 1e-6), dtype)
    else:
        for q, g in zip(params, before):
            np.testing.assert_array_equal(q.grad.data, g)  # a factor of exactly 1


def test_clip_grad_norm_generator_single_tensor_and_missing_grads():
    params = make_params(1, scale=10.0, with_grad=(True, False, True, False))
    expected = reference_norm([params[0].grad.data, params[2].grad.data], 2)
    total = clip_grad_norm_(iter(params), 1.0)  # a generator, read once
    close(total.item(), expected, np.float64)
    assert params[1].grad is None and params[3].grad is None
    single = make_params(2, scale=10.0)[0]
    g = single.grad.data.copy()
    total = clip_grad_norm_(single, 0.5)
    close(total.item(), np.linalg.norm(g), np.float64)
    close(single.grad.data, g * 0.5 / (np.linalg.norm(g) + 1e-6), np.float64)


def test_clip_grad_norm_without_gradients_returns_zero():
    total = clip_grad_norm_([Parameter(np.ones(3))], 1.0)
    assert total.item() == 0.0 and total.dtype == np.float32 and total.shape == ()
    assert clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_norm_nonfinite():
    params = make_params(3)
    params[0].grad.data[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert params[0].grad.data[0, 0] == np.inf, "nothing scaled when the error is raised"
    total = clip_grad_norm_(params, 1.0)  # as PyTorch: scaled by 1 / inf = 0 (inf * 0 = nan)
    assert total.item() == np.inf
    assert np.isnan(params[0].grad.data[0, 0]) and np.all(params[1].grad.data == 0)
    params = make_params(4)
    params[1].grad.data[2] = np.nan
    assert np.isnan(clip_grad_norm_(params, 1.0).item())
    assert all(np.isnan(q.grad.data).all() for q in params)


def test_clip_grad_norm_shared_gradient_is_scaled_once():
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    a.grad = b.grad = shendu.tensor([3.0, 4.0], dtype=np.float64)
    total = clip_grad_norm_([a, b], 1.0)
    close(total.item(), math.sqrt(50), np.float64)  # counted twice, as PyTorch
    coef = 1.0 / (math.sqrt(50) + 1e-6)
    close(a.grad.data, np.array([3.0, 4.0]) * coef, np.float64)


def test_clip_grad_norm_read_only_gradient():
    p = Parameter(np.zeros(3))
    p.grad = shendu.tensor([3.0, 0.0, 4.0], dtype=np.float64)
    p.grad.data.flags.writeable = False
    clip_grad_norm_(p, 1.0)
    close(p.grad.data, np.array([3.0, 0.0, 4.0]) / (5 + 1e-6), np.float64)


def test_clip_grad_norm_records_no_graph():
    params = make_params(5, scale=10.0)
    clip_grad_norm_(params, 1.0)
    assert all(q.grad.grad_fn is None and not q.grad.requires_grad for q in params)
    assert all(q.requires_grad and q.is_leaf for q in params)


def test_get_total_norm_and_clip_grads_with_norm():
    params = make_params(6, scale=5.0)
    grads = [q.grad for q in params]
    before = [g.data.copy() for g in grads]
    total = get_total_norm(grads, 3.0)
    close(total.item(), reference_norm(before, 3.0), np.float64)
    clip_grads_with_norm_(params, 2.0, total)
    coef = 2.0 / (total.item() + 1e-6)
    for g, b in zip(grads, before):
        close(g.data, b * coef, np.float64)


def test_errors():
    with pytest.raises(ValueError, match="max_norm must be >= 0, got -1"):
        clip_grad_norm_(make_params(0), -1)
    with pytest.raises(ValueError, match="clip_value must be >= 0"):
        clip_grad_value_(make_params(0), -0.5)
    with pytest.raises(TypeError, match="expected Tensors, got ndarray at position 0"):
        clip_grad_norm_([np.zeros(3)], 1.0)


# ---------------------------------------------------------------------------- clip_grad_value_
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_clip_grad_value_(dtype):
    params = make_params(7, dtype, scale=2.0, with_grad=(True, True, False, True))
    before = [q.grad.data.copy() if q.grad is not None else None for q in params]
    arrays = [q.grad.data if q.grad is not None else None for q in params]
    assert clip_grad_value_(params, 0.75) is None
    for q, b, array in zip(params, before, arrays):
        if b is None:
            assert q.grad is None
            continue
        assert q.grad.data is array and q.grad.dtype == dtype
        np.testing.assert_array_equal(q.grad.data, np.clip(b, -0.75, 0.75))
    single = make_params(8, dtype, scale=3.0)[0]
    clip_grad_value_(single, 1)
    assert np.abs(single.grad.data).max() <= 1


# ---------------------------------------------------------------------------- vectors
def test_parameters_to_vector_and_back():
    params = make_params(9, np.float32)
    vec = parameters_to_vector(params)
    assert vec.shape == (sum(math.prod(s) for s in SHAPES),) and vec.dtype == np.float32
    np.testing.assert_array_equal(vec.data, np.concatenate([q.data.ravel() for q in params]))
    arrays = [q.data for q in params]
    new = shendu.arange(vec.shape[0], dtype=np.float64) / 7
    vector_to_parameters(new, iter(params))
    offset = 0
    for q, array, shape in zip(params, arrays, SHAPES):
        n = math.prod(shape)
        assert q.data is array and q.dtype == np.float32 and q.shape == shape
        np.testing.assert_array_equal(q.data, new.data[offset:offset + n]
                                      .astype(np.float32).reshape(shape))
        offset += n
    new.data[:] = 0
    assert not np.all(params[0].data == 0), "copied, not a view of vec"


def test_parameters_to_vector_is_differentiable():
    params = make_params(10, with_grad=(False,) * 4)
    weights = shendu.randn(sum(math.prod(s) for s in SHAPES), dtype=np.float64)
    (parameters_to_vector(params) * weights).sum().backward()
    offset = 0
    for q in params:
        n = q.data.size
        np.testing.assert_array_equal(q.grad.data, weights.data[offset:offset + n]
                                      .reshape(q.shape))
        offset += n


def test_vector_to_parameters_invalidates_saved_tensors():
    w = Parameter(shendu.randn(3, 3))
    y = (shendu.randn(3, 3, requires_grad=True) @ w).sum()
    vector_to_parameters(shendu.zeros(9), [w])
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_vector_errors():
    params = make_params(11)
    with pytest.raises(TypeError, match="vec to be a Tensor, got ndarray"):
        vector_to_parameters(np.zeros(30), params)
    with pytest.raises(ValueError, match="1-D vec, got shape \\(5, 6\\)"):
        vector_to_parameters(shendu.zeros(5, 6), params)
    with pytest.raises(ValueError, match="vec has 29 elements, the 4 parameters have 30"):
        vector_to_parameters(shendu.zeros(29), params)
    with pytest.raises(ValueError, match="at least one parameter"):
        parameters_to_vector([])


# ---------------------------------------------------------------------------- live PyTorch
def torch_params(params):
    out = []
    for q in params:
        t = torch.tensor(q.data, requires_grad=True)
        if q.grad is not None:
            t.grad = torch.tensor(q.grad.data)
        out.append(t)
    return out


@pytest.mark.torch
@live
@pytest.mark.parametrize("p", NORMS, ids=str)
@pytest.mark.parametrize("scale", [0.01, 10.0], ids=["below", "above"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("missing", [False, True], ids=["all", "missing"])
def test_clip_grad_norm_matches_torch(p, scale, dtype, missing):
    with_grad = (True, False, True, True) if missing else (True,) * 4
    ours = make_params(12, dtype, scale, with_grad)
    theirs = torch_params(ours)
    total = clip_grad_norm_(ours, 1.25, norm_type=p)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.25, norm_type=p)
    assert total.dtype == np.dtype(str(expected.dtype).removeprefix("torch."))
    close(total.item(), expected.item(), dtype)
    for q, t in zip(ours, theirs):
        if t.grad is None:
            assert q.grad is None
        else:
            close(q.grad.data, t.grad.numpy(), dtype)


@pytest.mark.torch
@live
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_clip_grad_value_matches_torch(dtype):
    ours = make_params(13, dtype, scale=2.0, with_grad=(True, True, False, True))
    theirs = torch_params(ours)
    clip_grad_value_(ours, 0.6)
    torch.nn.utils.clip_grad_value_(theirs, 0.6)
    for q, t in zip(ours, theirs):
        assert (q.grad is None) == (t.grad is None)
        if t.grad is not None:
            np.testing.assert_array_equal(q.grad.data, t.grad.numpy())


@pytest.mark.torch
@live
def test_vectors_match_torch():
    ours = make_params(14)
    theirs = torch_params(ours)
    np.testing.assert_array_equal(parameters_to_vector(ours).data,
                                  torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    vec = np.random.default_rng(0).standard_normal(30)
    vector_to_parameters(shendu.tensor(vec), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(vec), theirs)
    for q, t in zip(ours, theirs):
        np.testing.assert_array_equal(q.data, t.detach().numpy())
