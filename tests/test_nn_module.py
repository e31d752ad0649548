"""The Module system: registration, traversal, modes, state_dict, repr, containers, errors."""

from __future__ import annotations

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.nn import Module, ModuleDict, ModuleList, Parameter, Sequential


class Affine(Module):
    """A minimal layer written only with Module and Parameter (no nn layers)."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = Parameter(shendu.randn(n_out, n_in))
        self.bias = Parameter(shendu.zeros(n_out))
        self.register_buffer("calls", shendu.zeros(1))
        self.register_buffer("scratch", shendu.zeros(2), persistent=False)

    def forward(self, x):
        if x.shape[-1] != self.weight.shape[1]:
            raise self.input_error(f"expected inputs with {self.weight.shape[1]} features in "
                                   f"the last dim, got shape {x.shape}")
        with shendu.no_grad():
            self.calls += 1
        return x @ self.weight.T + self.bias

    def extra_repr(self) -> str:
        return f"in={self.weight.shape[1]}, out={self.weight.shape[0]}"


class Net(Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = Sequential(Affine(4, 8), Affine(8, 3))
        self.head = Affine(3, 2)
        self.tied = self.head  # the same module twice: listed once

    def forward(self, x):
        return self.head(self.encoder(x))


def test_registration_order_and_dotted_names():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias",
                     "head.weight", "head.bias"]
    assert [n for n, _ in net.named_buffers()] == ["encoder.0.calls", "encoder.0.scratch",
                                                   "encoder.1.calls", "encoder.1.scratch",
                                                   "head.calls", "head.scratch"]
    assert [n for n, _ in net.named_modules()] == ["", "encoder", "encoder.0", "encoder.1",
                                                   "head"]
    assert [n for n, _ in net.named_children()] == ["encoder", "head"]
    assert len(list(net.parameters())) == 6 and len(list(net.modules())) == 5


def test_shared_parameter_is_listed_once():
    a, b = Affine(2, 2), Affine(2, 2)
    b.weight = a.weight
    seq = Sequential(a, b)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_reassignment_moves_between_registries():
    m = Affine(2, 2)
    m.bias = None
    assert "bias" in m._parameters and m._parameters["bias"] is None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    m.weight = shendu.ones(2, 2)  # a plain tensor is no longer a parameter
    assert list(m.parameters()) == []
    del m.calls
    assert "calls" not in dict(m.named_buffers())


def test_reassigning_a_module_or_parameter_keeps_its_place():
    seq = Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    setattr(seq, "1", nn.Tanh())  # as PyTorch: the replacement stays at position 1
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear"]
    m = Affine(2, 2)
    m.weight = Parameter(shendu.zeros(2, 2))
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]


def test_assignment_before_init_is_a_clear_error():
    class Broken(Module):
        def __init__(self):
            self.w = Parameter(shendu.ones(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_train_eval_recurse():
    net = Net()
    assert net.training and net.encoder[0].training
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_requires_grad_and_apply():
    net = Net()
    net(shendu.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Affine", "Affine", "Sequential", "Affine", "Net"]


def test_to_double_and_float():
    net = Net().double()
    assert all(p.dtype == shendu.float64 for p in net.parameters())
    assert net(shendu.randn(2, 4, dtype=shendu.float64)).dtype == shendu.float64
    assert all(b.dtype == shendu.float64 for b in net.buffers())
    net.float()
    assert all(p.dtype == shendu.float32 for p in net.parameters())
    assert net.to("cpu") is net


def test_state_dict_keys_and_sharing():
    net = Net()
    state = net.state_dict()
    assert list(state) == ["encoder.0.weight", "encoder.0.bias", "encoder.0.calls",
                           "encoder.1.weight", "encoder.1.bias", "encoder.1.calls",
                           "head.weight", "head.bias", "head.calls"]  # no non-persistent buffers
    assert not state["head.weight"].requires_grad
    assert state["head.weight"].data is net.head.weight.data


def test_load_state_dict_round_trip():
    a, b = Net(), Net()
    b.load_state_dict(a.state_dict())
    x = shendu.randn(3, 4)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    assert b.head.weight.data is not a.head.weight.data  # copied, not shared
    # plain arrays load too
    b.load_state_dict({k: v.numpy() * 2 for k, v in a.state_dict().items()})
    np.testing.assert_array_equal(b.head.bias.data, a.head.bias.data * 2)


def test_load_state_dict_reports_everything_and_changes_nothing():
    net = Net()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    bad = net.state_dict()
    del bad["head.bias"]
    bad["encoder.0.weight"] = shendu.zeros(3, 3)
    bad["extra.weight"] = shendu.zeros(1)
    with pytest.raises(ValueError) as info:
        net.load_state_dict(bad)
    message = str(info.value)
    assert "3 problem(s)" in message and "nothing was loaded" in message
    assert "encoder.0.weight: the model has shape (8, 4), the state_dict gives (3, 3)" in message
    assert "missing key: head.bias" in message and "unexpected key: extra.weight" in message
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])


def test_load_state_dict_not_strict():
    net = Net()
    partial = {"head.weight": shendu.ones(2, 3), "other": shendu.ones(1)}
    result = net.load_state_dict(partial, strict=False)
    assert result.unexpected_keys == ["other"] and "head.bias" in result.missing_keys
    assert net.head.weight.tolist() == [[1, 1, 1], [1, 1, 1]]


def test_repr_tree():
    assert repr(Net()) == (
        "Net(\n"
        "  (encoder): Sequential(\n"
        "    (0): Affine(in=4, out=8)\n"
        "    (1): Affine(in=8, out=3)\n"
        "  )\n"
        "  (head): Affine(in=3, out=2)\n"
        "  (tied): Affine(in=3, out=2)\n"
        ")"
    )


def test_input_error_names_the_path_in_the_model():
    net = Net()
    with pytest.raises(ValueError, match=r"^encoder\.0 \(Affine\): expected inputs with 4 "
                                         r"features in the last dim, got shape \(2, 5\)$"):
        net(shendu.randn(2, 5))
    with pytest.raises(nn.ModuleInputError, match=r"^Affine: expected"):
        Affine(4, 8)(shendu.randn(2, 5))  # called on its own: its type only


def test_forward_hook():
    net = Net()
    shapes = []
    handle = net.encoder.register_forward_hook(lambda m, args, out: shapes.append(out.shape))
    net(shendu.randn(2, 4))
    handle.remove()
    net(shendu.randn(2, 4))
    assert shapes == [(2, 3)]


def test_sequential_indexing_and_append():
    seq = Sequential(Affine(2, 3), Affine(3, 4))
    assert len(seq) == 2 and isinstance(seq[-1], Affine) and seq[-1].weight.shape == (4, 3)
    assert isinstance(seq[:1], Sequential) and len(seq[:1]) == 1
    seq.append(Affine(4, 1))
    assert seq(shendu.randn(5, 2)).shape == (5, 1)
    named = Sequential({"first": Affine(2, 2)})
    assert [n for n, _ in named.named_parameters()] == ["first.weight", "first.bias"]
    with pytest.raises(IndexError, match="out of range"):
        seq[5]
    with pytest.raises(TypeError, match="expected a Module"):
        Sequential(lambda x: x)


def test_module_list_and_dict():
    layers = ModuleList([Affine(2, 2) for _ in range(3)])
    assert len(layers) == 3 and [n for n, _ in layers.named_parameters()][-1] == "2.bias"
    layers.insert(0, Affine(2, 2))
    assert len(layers) == 4 and len(list(layers.parameters())) == 8
    d = ModuleDict({"a": Affine(1, 1)})
    d["b"] = Affine(1, 2)
    assert list(d.keys()) == ["a", "b"] and "b" in d and len(d) == 2
    del d["a"]
    assert list(d) == ["b"]


def test_identity_and_parameter():
    assert nn.Identity(3, unused=1)(shendu.ones(2)).tolist() == [1, 1]
    p = Parameter(shendu.ones(2))
    assert p.requires_grad and p.is_leaf and repr(p).startswith("Parameter containing:")
    t = shendu.zeros(2)
    assert Parameter(t).data is t.data  # shares the array
    assert not Parameter(t, requires_grad=False).requires_grad
