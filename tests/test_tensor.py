"""Tensor creation, dtypes, attributes, conversion, in-place updates and the Python protocol."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import shendu


def test_default_dtypes_follow_pytorch():
    assert shendu.tensor([1.0, 2.0]).dtype == shendu.float32
    assert shendu.tensor([1, 2]).dtype == shendu.int64
    assert shendu.tensor([True, False]).dtype == shendu.bool
    assert shendu.tensor(3.5).dtype == shendu.float32
    assert shendu.tensor(np.array([1.0])).dtype == shendu.float64  # ndarrays keep their dtype
    assert shendu.tensor(np.array([1], dtype=np.int32)).dtype == shendu.int32
    assert shendu.tensor([1, 2], dtype=shendu.float64).dtype == shendu.float64
    assert shendu.tensor([1, 2], dtype="float32").dtype == shendu.float32
    assert shendu.zeros(2).dtype == shendu.float32
    assert shendu.arange(3).dtype == shendu.int64
    assert shendu.arange(0, 1, 0.25).dtype == shendu.float32
    assert shendu.full((2,), 7).dtype == shendu.int64
    assert shendu.full((2,), 7.0).dtype == shendu.float32
    assert shendu.full((2,), True).dtype == shendu.bool


def test_tensor_copies_and_from_numpy_shares():
    a = np.zeros(3)
    t = shendu.tensor(a)
    s = shendu.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 0 and s[0].item() == 5
    assert shendu.as_tensor(a).data is a


def test_bad_data_is_rejected():
    with pytest.raises(ValueError, match="rectangular"):
        shendu.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="unsupported"):
        shendu.tensor(["a", "b"])
    with pytest.raises(TypeError, match="unknown dtype"):
        shendu.zeros(2, dtype="float128x")


def test_attributes():
    t = shendu.ones(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.size() == (2, 3, 4) and t.size(1) == 3
    assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
    assert t.T.shape == (4, 3, 2)
    assert t.is_leaf and t.grad is None and not t.requires_grad and t.grad_fn is None


def test_conversion():
    t = shendu.tensor([[1.5, 2.5]])
    assert t.tolist() == [[1.5, 2.5]]
    assert shendu.tensor([4.0]).item() == 4.0 and isinstance(shendu.tensor(3).item(), int)
    assert np.asarray(t).dtype == np.float32
    assert t.double().dtype == shendu.float64 and t.long().dtype == shendu.int64
    assert t.to(shendu.float64).dtype == shendu.float64 and t.to("cpu") is t
    assert t.float() is t
    with pytest.raises(ValueError, match="one-element"):
        t.item()
    with pytest.raises(RuntimeError, match="detach"):
        shendu.ones(2, requires_grad=True).numpy()


def test_ndarray_operands_and_reflected_ops():
    t = shendu.tensor([1.0, 2.0])
    assert isinstance(np.ones(2) + t, shendu.Tensor)
    np.testing.assert_allclose((2 - t).numpy(), [1, 0])
    np.testing.assert_allclose((2 / t).numpy(), [2, 1])
    np.testing.assert_allclose((2**t).numpy(), [2, 4])
    assert (t + 1).dtype == shendu.float32  # a Python float doesn't upcast float32


def test_integer_arithmetic_gives_pytorch_dtypes():
    i = shendu.tensor([1, 2])
    assert (i / 2).dtype == shendu.float32
    assert (i * 0.5).dtype == shendu.float32
    assert (i + 1).dtype == shendu.int64


def test_detach_shares_data_and_drops_graph():
    x = shendu.ones(2, requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    z = x.detach()
    z.data[0] = 7
    assert x.data[0] == 7


def test_iteration_len_bool():
    t = shendu.tensor([[1, 2], [3, 4]])
    rows = list(t)
    assert len(rows) == 2 and rows[1].tolist() == [3, 4]
    assert bool(shendu.tensor([1])) and not bool(shendu.tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    with pytest.raises(TypeError, match="0-d"):
        len(shendu.tensor(1.0))


def test_repr():
    assert repr(shendu.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(shendu.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "dtype=shendu.float64" in repr(shendu.zeros(1, dtype=shendu.float64))
    assert "grad_fn=<MulBackward>" in repr(shendu.ones(1, requires_grad=True) * 2)
    assert repr(shendu.tensor([1, 2])) == "tensor([1, 2])"


def test_inplace_updates():
    t = shendu.zeros(3)
    t.add_(1).mul_(3).sub_(shendu.ones(3), alpha=2)
    np.testing.assert_allclose(t.numpy(), [1, 1, 1])
    t.div_(2).add_(shendu.tensor([1.0, 2.0, 3.0]), alpha=2)
    np.testing.assert_allclose(t.numpy(), [2.5, 4.5, 6.5])
    t.copy_(shendu.tensor([9.0])).clamp_(max=5)
    np.testing.assert_allclose(t.numpy(), [5, 5, 5])
    t.fill_(2)
    assert t.tolist() == [2, 2, 2]
    t.zero_()
    t[1] = 4
    assert t.tolist() == [0, 4, 0]
    with pytest.raises(ValueError, match="add_"):
        t.add_(shendu.ones(4))


def test_inplace_on_expand_view_is_refused():
    t = shendu.ones(3)
    e = shendu.Tensor(np.broadcast_to(t.numpy(), (2, 3)))
    assert e.shape == (2, 3)
    v = shendu.from_numpy(np.broadcast_to(np.ones(3), (2, 3)))
    with pytest.raises(RuntimeError, match="read-only"):
        v.add_(1)


def test_creation_functions():
    assert shendu.zeros((2, 3)).shape == (2, 3) and shendu.ones([4]).shape == (4,)
    assert shendu.empty(2, 2).shape == (2, 2)
    np.testing.assert_allclose(shendu.eye(2, 3).numpy(), np.eye(2, 3))
    np.testing.assert_allclose(shendu.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert shendu.arange(1, 7, 2).tolist() == [1, 3, 5]
    x = shendu.ones(2, 3, dtype=shendu.float64)
    for like in (shendu.zeros_like, shendu.ones_like, shendu.empty_like, shendu.rand_like,
                 shendu.randn_like):
        y = like(x)
        assert y.shape == (2, 3) and y.dtype == shendu.float64
    assert shendu.full_like(x, 3).tolist() == [[3.0] * 3] * 2
    assert shendu.zeros(2, requires_grad=True).requires_grad


def test_manual_seed_makes_draws_reproducible():
    shendu.manual_seed(7)
    a = (shendu.rand(3), shendu.randn(3), shendu.randint(0, 10, (5,)), shendu.randperm(6))
    shendu.manual_seed(7)
    b = (shendu.rand(3), shendu.randn(3), shendu.randint(0, 10, (5,)), shendu.randperm(6))
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    assert shendu.initial_seed() == 7
    assert sorted(a[3].tolist()) == list(range(6))
    r = shendu.randint(3, (1000,))
    assert r.dtype == shendu.int64 and 0 <= r.data.min() and r.data.max() < 3
    u = shendu.rand(1000)
    assert u.dtype == shendu.float32 and 0 <= u.data.min() and u.data.max() < 1


def test_deepcopy_copies_data_and_grad():
    x = shendu.ones(2, requires_grad=True)
    x.grad = shendu.ones(2)
    y = copy.deepcopy(x)
    y.data[0] = 5
    assert x.data[0] == 1 and y.requires_grad and y.grad is not x.grad


def test_comparisons_give_bool_tensors():
    a, b = shendu.tensor([1, 2, 3]), shendu.tensor([3, 2, 1])
    assert (a == b).tolist() == [False, True, False]
    assert (a < b).dtype == shendu.bool
    assert (~(a > 1)).tolist() == [True, False, False]
    assert shendu.isnan(shendu.tensor([float("nan"), 1.0])).tolist() == [True, False]
    with pytest.raises(ValueError, match=r"eq: shapes \(3,\) and \(2,\)"):
        _ = a == shendu.tensor([1, 2])


def test_softmax_methods_match_functional():
    x = shendu.randn(3, 4)
    np.testing.assert_array_equal(x.softmax(dim=1).numpy(),
                                  shendu.nn.functional.softmax(x, dim=1).numpy())
    np.testing.assert_array_equal(shendu.log_softmax(x, -1).numpy(),
                                  shendu.nn.functional.log_softmax(x, dim=-1).numpy())
