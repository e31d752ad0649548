"""Attention: ``F.scaled_dot_product_attention`` and ``nn.MultiheadAttention`` against PyTorch
(golden file from tools/make_golden_attention.py, and live when torch is importable): outputs,
weights and the gradients of inputs, masks and every parameter; the mask conventions (and
their opposite meanings in the two); rows with every key masked out; dropout; d2l's
``masked_softmax``, ``DotProductAttention`` and ``AdditiveAttention`` on the book's examples;
numerical gradient checks in float64; initialisation; errors.

The case tables and runners below are library-agnostic (``lib`` is ``shendu`` or ``torch``) so
that the golden file, the live comparison and shendu run the very same code.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.autograd import gradcheck
from shendu.nn import functional as F
from shendu.nn.attention import (
    AdditiveAttention,
    DotProductAttention,
    MultiheadAttention,
    masked_softmax,
    scaled_dot_product_attention,
)

GOLDEN = Path(__file__).parent / "golden" / "attention.npz"
RTOL, ATOL = 1e-9, 1e-12  # float64 against float64: only the summation order differs

# ---------------------------------------------------------------------------- SDPA cases
# shapes of query, key, value; mask: None, "bool" (True = may attend), "float" (added, and
# differentiated), "blocked" (bool, with one query whose keys are all masked out),
# "blocked_float" (a float row of -inf); mask_shape broadcasts to the scores
SDPA_CASES = {
    "plain": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6))),
    "unbatched": dict(shapes=((3, 4), (5, 4), (5, 6))),
    "heads_4d": dict(shapes=((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5))),
    "broadcast_batch": dict(shapes=((2, 3, 4, 8), (3, 6, 8), (3, 6, 5))),
    "bool_mask": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), mask="bool", mask_shape=(3, 5)),
    "bool_mask_batched": dict(shapes=((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)), mask="bool",
                              mask_shape=(2, 1, 3, 5)),
    "float_mask": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), mask="float",
                       mask_shape=(2, 3, 5)),
    "float_mask_keys": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), mask="float",
                            mask_shape=(2, 1, 5)),
    "causal_square": dict(shapes=((2, 5, 4), (2, 5, 4), (2, 5, 3)), is_causal=True),
    "causal_wide": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 3)), is_causal=True),
    "causal_tall": dict(shapes=((2, 5, 4), (2, 3, 4), (2, 3, 3)), is_causal=True),
    "scale": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), scale=0.3),
    "scale_and_mask": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), scale=2.0, mask="bool",
                           mask_shape=(2, 3, 5)),
    "blocked_row": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), mask="blocked",
                        mask_shape=(3, 5)),
    "blocked_row_float": dict(shapes=((2, 3, 4), (2, 5, 4), (2, 5, 6)), mask="blocked_float",
                              mask_shape=(2, 3, 5)),
    "gqa": dict(shapes=((2, 6, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)), enable_gqa=True),
    "gqa_mask": dict(shapes=((1, 4, 3, 4), (1, 2, 5, 4), (1, 1, 5, 6)), enable_gqa=True,
                     mask="bool", mask_shape=(3, 5)),
}


def sdpa_inputs(case: dict, seed: int) -> dict:
    """Query, key, value, the upstream gradient and the mask of a case, as float64 arrays."""
    rng = np.random.default_rng(seed)
    arrays = {name: rng.normal(size=shape)
              for name, shape in zip(("query", "key", "value"), case["shapes"])}
    kind = case.get("mask")
    if kind is not None:
        shape = case["mask_shape"]
        if kind in ("bool", "blocked"):
            mask = rng.random(shape) < 0.6
            mask[..., 0] = True  # every query may attend to at least one key
            if kind == "blocked":
                mask[..., 1, :] = False  # ... except query 1, which may attend to none
            arrays["mask"] = mask
        else:
            mask = rng.normal(size=shape)
            mask[rng.random(shape) < 0.2] = -np.inf
            mask[..., 0] = rng.normal(size=shape[:-1])
            if kind == "blocked_float":
                mask[..., 1, :] = -np.inf
            arrays["mask"] = mask
    return arrays


def run_sdpa(lib, case: dict, arrays: dict) -> dict:
    """The output and the gradients of sum(output * upstream) in ``lib``."""
    inputs = [lib.tensor(arrays[n], requires_grad=True) for n in ("query", "key", "value")]
    mask = arrays.get("mask")
    differentiable_mask = case.get("mask") == "float"
    if mask is not None:
        mask = lib.tensor(mask, requires_grad=differentiable_mask)
    out = lib.nn.functional.scaled_dot_product_attention(
        *inputs, attn_mask=mask, is_causal=case.get("is_causal", False),
        scale=case.get("scale"), enable_gqa=case.get("enable_gqa", False))
    upstream = np.random.default_rng(99).normal(size=tuple(out.shape))
    (out * lib.tensor(upstream)).sum().backward()
    result = {"out": out.detach().numpy()}
    for name, t in zip(("query", "key", "value"), inputs):
        result[f"grad_{name}"] = t.grad.numpy()
    if differentiable_mask:
        result["grad_mask"] = mask.grad.numpy()
    return result


# ---------------------------------------------------------------------------- MHA cases
# kwargs for the module; L, S, N (None: unbatched); kpm / attn: the masks, "bool" (True = NOT
# allowed) or "float", attn "2d" (L, S) or "3d" (N*H, L, S); self: query is key is value
MHA_CASES = {
    "self_seq_first": dict(kwargs=dict(embed_dim=8, num_heads=2), L=4, S=4, N=3, self=True),
    "self_batch_first": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=4, S=4,
                             N=3, self=True),
    "cross_batch_first": dict(kwargs=dict(embed_dim=8, num_heads=4, batch_first=True), L=3, S=5,
                              N=2),
    "cross_seq_first": dict(kwargs=dict(embed_dim=6, num_heads=3), L=3, S=5, N=2),
    "padding_bool": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=2, kpm="bool"),
    "padding_float": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=3, S=5,
                          N=2, kpm="float"),
    "attn_bool_2d": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=2, attn="bool2d"),
    "attn_float_2d": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=2,
                          attn="float2d"),
    "attn_bool_3d": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=3, S=5, N=2,
                         attn="bool3d"),
    "attn_float_3d": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=2,
                          attn="float3d"),
    "both_masks_bool": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=3, S=5,
                            N=2, kpm="bool", attn="bool2d"),
    "both_masks_float": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=2,
                             kpm="float", attn="float3d"),
    "per_head_weights": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=2, kpm="bool",
                             average=False),
    "no_weights": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=3, S=5, N=2,
                       kpm="bool", attn="bool2d", need_weights=False),
    "kdim_vdim": dict(kwargs=dict(embed_dim=8, num_heads=2, kdim=5, vdim=7), L=3, S=4, N=2,
                      kpm="bool"),
    "kdim_vdim_batch_first": dict(kwargs=dict(embed_dim=8, num_heads=4, kdim=3, vdim=6,
                                              batch_first=True), L=2, S=4, N=3),
    "no_bias": dict(kwargs=dict(embed_dim=8, num_heads=2, bias=False), L=3, S=5, N=2,
                    attn="bool2d"),
    "unbatched": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=5, N=None),
    "unbatched_masks": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=3, S=5,
                            N=None, kpm="bool", attn="bool3d", average=False),
    "bias_kv": dict(kwargs=dict(embed_dim=8, num_heads=2, add_bias_kv=True), L=3, S=4, N=2,
                    kpm="bool", attn="bool2d"),
    "zero_attn": dict(kwargs=dict(embed_dim=8, num_heads=2, add_zero_attn=True), L=3, S=4,
                      N=2, kpm="float", attn="float3d"),
    "bias_kv_zero_attn": dict(kwargs=dict(embed_dim=8, num_heads=2, add_bias_kv=True,
                                          add_zero_attn=True, kdim=5, vdim=3), L=3, S=4, N=2,
                              kpm="bool", attn="bool3d", average=False),
    # a fully padded sequence: PyTorch gives 0 attention (out = out_proj.bias) without weights
    "blocked_sequence": dict(kwargs=dict(embed_dim=8, num_heads=2), L=3, S=4, N=2,
                             kpm="blocked", need_weights=False),
    "causal": dict(kwargs=dict(embed_dim=8, num_heads=2, batch_first=True), L=4, S=4, N=2,
                   attn="causal", is_causal=True, need_weights=False),
}


def _layout(case: dict, length: int, features: int) -> tuple:
    n = case["N"]
    if n is None:
        return (length, features)
    return (n, length, features) if case["kwargs"].get("batch_first") else (length, n, features)


def mha_inputs(case: dict, parameter_shapes: dict, seed: int) -> dict:
    """Parameters ("param/<name>"), inputs, masks and upstream gradients of a case."""
    rng = np.random.default_rng(seed)
    kw = case["kwargs"]
    E, H, L, S, N = kw["embed_dim"], kw["num_heads"], case["L"], case["S"], case["N"]
    arrays = {f"param/{name}": 0.5 * rng.normal(size=shape)
              for name, shape in parameter_shapes.items()}
    arrays["query"] = rng.normal(size=_layout(case, L, E))
    if not case.get("self"):
        arrays["key"] = rng.normal(size=_layout(case, S, kw.get("kdim") or E))
        arrays["value"] = rng.normal(size=_layout(case, S, kw.get("vdim") or E))
    batch = () if N is None else (N,)
    kpm = case.get("kpm")
    if kpm in ("bool", "blocked"):
        mask = rng.random(batch + (S,)) < 0.4
        mask[..., 0] = False  # key 0 is never padding, so no query is left without keys
        if kpm == "blocked":
            mask[-1] = True  # the last sequence is all padding
        arrays["key_padding_mask"] = mask
    elif kpm == "float":
        arrays["key_padding_mask"] = rng.normal(size=batch + (S,))
    attn = case.get("attn")
    if attn is not None:
        shape = (L, S) if attn.endswith("2d") or attn == "causal" else ((N or 1) * H, L, S)
        if attn == "causal":
            arrays["attn_mask"] = np.triu(np.ones((L, S), bool), 1)
        elif attn.startswith("bool"):
            mask = rng.random(shape) < 0.4
            mask[..., 0] = False
            arrays["attn_mask"] = mask
        else:
            mask = rng.normal(size=shape)
            mask[rng.random(shape) < 0.2] = -np.inf
            mask[..., 0] = 0.0
            arrays["attn_mask"] = mask
    return arrays


def build_mha(lib, case: dict, dtype=np.float64):
    lib_dtype = lib.float64 if dtype == np.float64 else lib.float32
    # shendu's from its module (shendu.nn exports it once the lead adds the name)
    cls = MultiheadAttention if lib is shendu else lib.nn.MultiheadAttention
    return cls(**case["kwargs"], dtype=lib_dtype)


def run_mha(lib, case: dict, arrays: dict, dtype=np.float64) -> dict:
    """Outputs, weights and the gradients of every input and parameter in ``lib``."""
    module = build_mha(lib, case, dtype)
    state = {k[len("param/"):]: lib.tensor(v.astype(dtype)) for k, v in arrays.items()
             if k.startswith("param/")}
    module.load_state_dict(state)
    names = ("query",) if case.get("self") else ("query", "key", "value")
    inputs = {n: lib.tensor(arrays[n].astype(dtype), requires_grad=True) for n in names}
    q = inputs["query"]
    k, v = (q, q) if case.get("self") else (inputs["key"], inputs["value"])
    masks = {}
    for name in ("key_padding_mask", "attn_mask"):
        if name in arrays:
            mask = arrays[name]
            masks[name] = lib.tensor(mask if mask.dtype == bool else mask.astype(dtype))
    out, weights = module(q, k, v, need_weights=case.get("need_weights", True),
                          average_attn_weights=case.get("average", True),
                          is_causal=case.get("is_causal", False), **masks)
    rng = np.random.default_rng(7)
    loss = (out * lib.tensor(rng.normal(size=tuple(out.shape)).astype(dtype))).sum()
    result = {"out": out.detach().numpy()}
    if weights is not None:
        result["weights"] = weights.detach().numpy()
        upstream = rng.normal(size=tuple(weights.shape)).astype(dtype)
        loss = loss + (weights * lib.tensor(upstream)).sum()
    loss.backward()
    for name, t in inputs.items():
        result[f"grad_{name}"] = t.grad.numpy()
    for name, param in module.named_parameters():
        result[f"grad_{name}"] = param.grad.numpy()
    return result


def _mha_parameter_shapes(case: dict) -> dict:
    return {name: tuple(p.shape) for name, p in build_mha(shendu, case).named_parameters()}


def _compare(name: str, ours: dict, theirs: dict, rtol: float = RTOL, atol: float = ATOL):
    assert sorted(ours) == sorted(theirs), f"{name}: recorded different arrays"
    for key, expected in theirs.items():
        assert ours[key].shape == expected.shape, f"{name} {key}: shape {ours[key].shape}"
        assert np.isfinite(ours[key]).all(), f"{name} {key}: not finite"
        np.testing.assert_allclose(ours[key], expected, rtol=rtol, atol=atol,
                                   err_msg=f"{name} {key}")


def _golden_part(golden: dict, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in golden.items() if k.startswith(prefix)}


@pytest.fixture(scope="module")
def golden():
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run `python tools/make_golden_attention.py`"
    with np.load(GOLDEN, allow_pickle=False) as data:
        return dict(data)


# ---------------------------------------------------------------------------- SDPA vs PyTorch
@pytest.mark.parametrize("name", list(SDPA_CASES))
def test_sdpa_matches_golden(name, golden):
    arrays = _golden_part(golden, f"sdpa/{name}/in/")
    expected = _golden_part(golden, f"sdpa/{name}/out/")
    assert arrays and expected, f"no golden arrays for {name}: rerun the tool"
    _compare(name, run_sdpa(shendu, SDPA_CASES[name], arrays), expected)


@pytest.mark.torch
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", list(SDPA_CASES))
def test_sdpa_matches_torch(name, seed):
    torch = pytest.importorskip("torch")
    arrays = sdpa_inputs(SDPA_CASES[name], seed)
    theirs = run_sdpa(torch, SDPA_CASES[name], arrays)
    _compare(f"{name}/seed{seed}", run_sdpa(shendu, SDPA_CASES[name], arrays), theirs)


@pytest.mark.torch
def test_sdpa_float32_matches_torch():
    torch = pytest.importorskip("torch")
    arrays = {k: v.astype(np.float32) if v.dtype == np.float64 else v
              for k, v in sdpa_inputs(SDPA_CASES["bool_mask"], 3).items()}
    ours = run_sdpa(shendu, SDPA_CASES["bool_mask"], arrays)
    assert ours["out"].dtype == np.float32 and ours["grad_key"].dtype == np.float32
    _compare("float32", ours, run_sdpa(torch, SDPA_CASES["bool_mask"], arrays), 1e-5, 1e-6)


def test_sdpa_by_hand():
    """softmax(q k^T / sqrt(E)) v written out in NumPy, and the bool mask meaning 'may attend'."""
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    scores = q @ k.T / 2
    weights = np.exp(scores - scores.max(1, keepdims=True))
    weights /= weights.sum(1, keepdims=True)
    out = F.scaled_dot_product_attention(shendu.tensor(q), shendu.tensor(k), shendu.tensor(v))
    np.testing.assert_allclose(out.numpy(), weights @ v, rtol=1e-12)
    assert F.scaled_dot_product_attention is scaled_dot_product_attention
    only = np.zeros((3, 5), bool)
    only[[0, 1, 2], [4, 0, 2]] = True  # query i may attend to one key only: it copies its value
    out = F.scaled_dot_product_attention(shendu.tensor(q), shendu.tensor(k), shendu.tensor(v),
                                         attn_mask=shendu.tensor(only))
    np.testing.assert_allclose(out.numpy(), v[[4, 0, 2]], rtol=1e-12)


def test_sdpa_blocked_row_is_zero_with_zero_gradient():
    """A query that may attend to no key gets a zero row and sends no gradient (PyTorch 2.13 on
    the CPU does the same; the golden cases blocked_row* compare the numbers)."""
    rng = np.random.default_rng(1)
    q, k, v = (shendu.tensor(rng.normal(size=s), requires_grad=True)
               for s in ((3, 4), (5, 4), (5, 2)))
    mask = np.ones((3, 5), bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    np.testing.assert_array_equal(out.detach().numpy()[1], 0)
    assert np.isfinite(out.detach().numpy()).all()
    out.sum().backward()
    np.testing.assert_array_equal(q.grad.numpy()[1], 0)
    assert np.isfinite(k.grad.numpy()).all() and np.abs(q.grad.numpy()[0]).sum() > 0


def test_sdpa_dropout_drops_weights_with_shendus_generator():
    """With value = I the output is the weight matrix itself: after dropout each weight is 0 or
    weight / (1 - p), zeros at rate p; the same seed gives the same draw."""
    rng = np.random.default_rng(2)
    q, k = shendu.tensor(rng.normal(size=(64, 8))), shendu.tensor(rng.normal(size=(50, 8)))
    eye = shendu.tensor(np.eye(50))
    weights = F.scaled_dot_product_attention(q, k, eye).numpy()
    p = 0.3
    shendu.manual_seed(5)
    dropped = F.scaled_dot_product_attention(q, k, eye, dropout_p=p).numpy()
    kept = dropped != 0
    np.testing.assert_allclose(dropped[kept], weights[kept] / (1 - p), rtol=1e-12)
    n = dropped.size
    assert abs((~kept).mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
    shendu.manual_seed(5)
    again = F.scaled_dot_product_attention(q, k, eye, dropout_p=p).numpy()
    np.testing.assert_array_equal(again, dropped)


def test_sdpa_float_mask_of_another_float_dtype_is_cast():
    q = shendu.randn(2, 3, 4, dtype=shendu.float64)
    k, v = shendu.randn(2, 5, 4, dtype=shendu.float64), shendu.randn(2, 5, 2, dtype=shendu.float64)
    mask32 = shendu.randn(3, 5)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask32)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask32.double())
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


# ---------------------------------------------------------------------------- MHA vs PyTorch
@pytest.mark.parametrize("name", list(MHA_CASES))
def test_mha_matches_golden(name, golden):
    arrays = _golden_part(golden, f"mha/{name}/in/")
    expected = _golden_part(golden, f"mha/{name}/out/")
    assert arrays and expected, f"no golden arrays for {name}: rerun the tool"
    _compare(name, run_mha(shendu, MHA_CASES[name], arrays), expected)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(MHA_CASES))
def test_mha_matches_torch(name):
    torch = pytest.importorskip("torch")
    case = MHA_CASES[name]
    arrays = mha_inputs(case, _mha_parameter_shapes(case), seed=11)
    _compare(name, run_mha(shendu, case, arrays), run_mha(torch, case, arrays))


@pytest.mark.torch
@pytest.mark.parametrize("name", ["cross_batch_first", "both_masks_bool", "bias_kv_zero_attn"])
def test_mha_float32_matches_torch(name):
    torch = pytest.importorskip("torch")
    case = MHA_CASES[name]
    arrays = mha_inputs(case, _mha_parameter_shapes(case), seed=12)
    ours = run_mha(shendu, case, arrays, np.float32)
    assert ours["out"].dtype == np.float32
    _compare(name, ours, run_mha(torch, case, arrays, np.float32), 2e-5, 2e-6)


@pytest.mark.torch
@pytest.mark.parametrize("kwargs", [dict(), dict(bias=False), dict(kdim=3, vdim=5),
                                    dict(add_bias_kv=True, batch_first=True)])
def test_mha_state_dict_keys_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = MultiheadAttention(6, 3, **kwargs), torch.nn.MultiheadAttention(6, 3, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert ours.load_state_dict(theirs.state_dict()) == ([], [])


def test_mha_state_dict_keys():
    assert list(MultiheadAttention(4, 2).state_dict()) == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    separate = MultiheadAttention(4, 2, kdim=3, add_bias_kv=True, bias=False)
    assert [(k, v.shape) for k, v in separate.state_dict().items()] == [
        ("q_proj_weight", (4, 4)), ("k_proj_weight", (4, 3)), ("v_proj_weight", (4, 4)),
        ("bias_k", (1, 1, 4)), ("bias_v", (1, 1, 4)), ("out_proj.weight", (4, 4))]
    assert separate.in_proj_weight is None and separate.out_proj.bias is None


@pytest.mark.torch
def test_mha_torch_gives_nan_for_blocked_rows_with_weights_and_we_give_zeros():
    """The one place shendu differs on purpose: PyTorch's need_weights=True path returns NaN
    for a query with every key masked out, its need_weights=False path zeros; shendu gives the
    zeros in both, so the weights and the output agree between the two settings."""
    torch = pytest.importorskip("torch")
    theirs = torch.nn.MultiheadAttention(4, 2, dtype=torch.float64)
    ours = MultiheadAttention(4, 2, dtype=shendu.float64)
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(3).normal(size=(3, 2, 4))
    mask = np.zeros((3, 3), bool)
    mask[1] = True  # query 1 may attend to nothing
    out_t, weights_t = theirs(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask))
    assert torch.isnan(out_t[1]).all() and torch.isnan(weights_t[:, 1]).all()
    out_t0, _ = theirs(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(mask), need_weights=False)
    out, weights = ours(*[shendu.tensor(x)] * 3, attn_mask=mask)
    np.testing.assert_allclose(out.detach().numpy(), out_t0.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(weights.detach().numpy()[:, 1], 0)
    np.testing.assert_allclose(weights.detach().numpy()[:, [0, 2]],
                               weights_t.detach().numpy()[:, [0, 2]], rtol=1e-12)


def test_mha_bool_mask_true_means_not_allowed():
    """The trap: for MultiheadAttention True = masked out (for F.scaled_dot_product_attention
    True = may attend). Each query allowed one key gets weight 1 on it."""
    shendu.manual_seed(0)
    mha = MultiheadAttention(4, 2, batch_first=True)
    x = shendu.randn(1, 3, 4)
    blocked = np.ones((3, 3), bool)
    blocked[[0, 1, 2], [2, 2, 0]] = False
    _, weights = mha(x, x, x, attn_mask=blocked)
    np.testing.assert_array_equal(weights.detach().numpy()[0], ~blocked)
    _, weights = mha(x, x, x, key_padding_mask=np.array([[False, True, True]]))
    np.testing.assert_array_equal(weights.detach().numpy()[0], [[1, 0, 0]] * 3)


def test_mha_layouts_agree():
    """batch_first, sequence first and unbatched inputs give the same numbers."""
    shendu.manual_seed(1)
    first = MultiheadAttention(6, 2, kdim=4, vdim=5, batch_first=True).double()
    second = MultiheadAttention(6, 2, kdim=4, vdim=5).double()
    second.load_state_dict(first.state_dict())
    q, k, v = shendu.randn(2, 3, 6).double(), shendu.randn(2, 4, 4).double(), \
        shendu.randn(2, 4, 5).double()
    with shendu.no_grad():
        _check_layouts(first, second, q, k, v)


def _check_layouts(first, second, q, k, v) -> None:
    out_bf, w_bf = first(q, k, v)
    out_sf, w_sf = second(q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1))
    np.testing.assert_allclose(out_sf.transpose(0, 1).numpy(), out_bf.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w_sf.numpy(), w_bf.numpy(), rtol=1e-12)
    out_1, w_1 = first(q[1], k[1], v[1])
    assert out_1.shape == (3, 6) and w_1.shape == (3, 4)
    np.testing.assert_allclose(out_1.numpy(), out_bf.numpy()[1], rtol=1e-12)
    np.testing.assert_allclose(w_1.numpy(), w_bf.numpy()[1], rtol=1e-12)
    _, per_head = first(q, k, v, average_attn_weights=False)
    assert per_head.shape == (2, 2, 3, 4)
    np.testing.assert_allclose(per_head.numpy().mean(1), w_bf.numpy(), rtol=1e-12)
    np.testing.assert_allclose(per_head.numpy().sum(-1), 1, rtol=1e-12)
    assert first(q, k, v, need_weights=False)[1] is None


def test_mha_dropout_only_in_training():
    shendu.manual_seed(2)
    mha = MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = shendu.randn(2, 6, 8)
    out_a, weights = mha(x, x, x, average_attn_weights=False)
    out_b, _ = mha(x, x, x)
    assert not np.allclose(out_a.detach().numpy(), out_b.detach().numpy())
    values = weights.detach().numpy()
    assert (values == 0).mean() > 0.3  # about half the weights are dropped ...
    assert not np.allclose(values.sum(-1), 1)  # ... so the rows no longer sum to 1
    mha.eval()
    out_c, weights = mha(x, x, x)
    out_d, _ = mha(x, x, x)
    np.testing.assert_array_equal(out_c.detach().numpy(), out_d.detach().numpy())
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1, rtol=1e-6)


def _assert_uniform(values: np.ndarray, bound: float) -> None:
    n = values.size
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.98 * bound
    var = bound**2 / 3
    assert abs(values.mean()) < 5 * math.sqrt(var / n)
    assert abs(values.var() - var) < 5 * math.sqrt((bound**4 / 5 - var**2) / n)


def test_mha_initialisation_is_pytorchs():
    shendu.manual_seed(0)
    E = 64
    mha = MultiheadAttention(E, 4, add_bias_kv=True)
    _assert_uniform(mha.in_proj_weight.detach().numpy(), math.sqrt(6 / (E + 3 * E)))
    np.testing.assert_array_equal(mha.in_proj_bias.detach().numpy(), 0)
    np.testing.assert_array_equal(mha.out_proj.bias.detach().numpy(), 0)
    _assert_uniform(mha.out_proj.weight.detach().numpy(), 1 / math.sqrt(E))  # a Linear's
    bias_kv = np.concatenate([mha.bias_k.detach().numpy(), mha.bias_v.detach().numpy()]).ravel()
    # xavier_normal_ on (1, 1, E): fan_in = fan_out = E, std = sqrt(2 / 2E) = 1 / sqrt(E)
    assert abs(bias_kv.std() - 1 / math.sqrt(E)) < 5 / math.sqrt(E) / math.sqrt(2 * 2 * E)
    separate = MultiheadAttention(E, 4, kdim=32, dtype=shendu.float64)
    _assert_uniform(separate.k_proj_weight.detach().numpy(), math.sqrt(6 / (E + 32)))
    assert separate.q_proj_weight.dtype == np.float64


# ---------------------------------------------------------------------------- masked softmax
def test_masked_softmax_d2l_examples():
    """d2l's two printed examples (random scores): zeros past the valid lengths [2, 3] (one per
    batch element) and [[1, 3], [2, 4]] (one per row); each row sums to 1 and equals the plain
    softmax of its valid part."""
    shendu.manual_seed(0)
    for lens, per_row in (([2, 3], [[2, 2], [3, 3]]), ([[1, 3], [2, 4]], [[1, 3], [2, 4]])):
        X = shendu.rand(2, 2, 4)
        out = masked_softmax(X, shendu.tensor(lens)).numpy()
        for b in range(2):
            for i in range(2):
                n = per_row[b][i]
                np.testing.assert_array_equal(out[b, i, n:], 0)
                valid = X.numpy()[b, i, :n]
                expected = np.exp(valid - valid.max())
                np.testing.assert_allclose(out[b, i, :n], expected / expected.sum(), rtol=1e-6)
        np.testing.assert_allclose(out.sum(-1), 1, rtol=1e-6)


def test_masked_softmax_edges():
    X = shendu.tensor(np.arange(12.0).reshape(3, 4))
    out = masked_softmax(X, np.array([0, 1, 4])).numpy()
    np.testing.assert_allclose(out[0], 0.25)  # valid length 0: every position -1e6, uniform
    np.testing.assert_array_equal(out[1], [1, 0, 0, 0])
    np.testing.assert_allclose(out[2], F.softmax(X, dim=-1).numpy()[2])
    np.testing.assert_array_equal(masked_softmax(X, None).numpy(), F.softmax(X, dim=-1).numpy())
    four_d = masked_softmax(shendu.randn(2, 3, 2, 5), [1, 4]).numpy()  # (B,) over every row
    np.testing.assert_array_equal(four_d[0, ..., 1:], 0)
    np.testing.assert_array_equal(four_d[1, ..., 4:], 0)
    assert (four_d[1, ..., :4] > 0).all()
    assert F.masked_softmax is masked_softmax


def test_masked_softmax_gradcheck():
    X = shendu.randn(2, 3, 4, dtype=shendu.float64, requires_grad=True)
    assert gradcheck(lambda x: masked_softmax(x, [2, 3]), (X,))
    assert gradcheck(lambda x: masked_softmax(x, np.array([[1, 2, 4], [0, 3, 2]])), (X,))


# ---------------------------------------------------------------------------- d2l modules
def _d2l_example(query_size: int):
    """d2l's example: two batch elements, one query each, ten identical keys, values
    0..39 as (10, 4) rows, valid lengths 2 and 6."""
    shendu.manual_seed(0)
    queries = shendu.randn(2, 1, query_size)
    keys = shendu.ones(2, 10, 2)
    values = shendu.arange(40, dtype=shendu.float32).reshape(1, 10, 4).repeat(2, 1, 1)
    return queries, keys, values, shendu.tensor([2, 6])


def test_additive_attention_d2l_example():
    """Identical keys give equal scores, so the output is the mean of the valid values: the
    book's [[2, 3, 4, 5]] and [[10, 11, 12, 13]]."""
    queries, keys, values, valid_lens = _d2l_example(20)
    attention = AdditiveAttention(key_size=2, query_size=20, num_hiddens=8, dropout=0.1)
    attention.eval()
    out = attention(queries, keys, values, valid_lens)
    np.testing.assert_allclose(out.detach().numpy(), [[[2, 3, 4, 5]], [[10, 11, 12, 13]]],
                               rtol=1e-6)
    weights = attention.attention_weights.detach().numpy()
    assert weights.shape == (2, 1, 10)
    np.testing.assert_allclose(weights[0, 0], [0.5] * 2 + [0] * 8, rtol=1e-6)
    np.testing.assert_allclose(weights[1, 0], [1 / 6] * 6 + [0] * 4, rtol=1e-6)
    assert list(attention.state_dict()) == ["W_k.weight", "W_q.weight", "w_v.weight"]


def test_dot_product_attention_d2l_example():
    queries, keys, values, valid_lens = _d2l_example(2)
    attention = DotProductAttention(dropout=0.5)
    attention.eval()
    out = attention(queries, keys, values, valid_lens)
    np.testing.assert_allclose(out.detach().numpy(), [[[2, 3, 4, 5]], [[10, 11, 12, 13]]],
                               rtol=1e-6)
    assert attention.attention_weights.shape == (2, 1, 10)


def test_dot_product_attention_is_sdpa_with_a_length_mask():
    rng = np.random.default_rng(4)
    q, k, v = (shendu.tensor(rng.normal(size=s)) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6)))
    lens = np.array([[1, 5, 3], [2, 2, 4]])
    out = DotProductAttention()(q, k, v, lens)
    allowed = np.arange(5) < lens[..., None]
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)


def test_attention_weights_dropout_in_training():
    shendu.manual_seed(3)
    attention = DotProductAttention(dropout=0.5)
    q, k = shendu.randn(4, 6, 3), shendu.randn(4, 7, 3)
    out = attention(q, k, shendu.eye(7).expand(4, 7, 7), [7, 7, 7, 7]).numpy()
    weights = attention.attention_weights.numpy()  # before dropout: rows sum to 1
    np.testing.assert_allclose(weights.sum(-1), 1, rtol=1e-6)
    kept = out != 0
    assert 0.3 < kept.mean() < 0.7
    np.testing.assert_allclose(out[kept], 2 * weights[kept], rtol=1e-6)


@pytest.mark.torch
def test_additive_attention_matches_d2l_formula_in_torch():
    """Random keys (not the identical ones of the book's example): the scores
    w_v^T tanh(W_q q + W_k k), a masked softmax, then the weighted values, in PyTorch."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    attention = AdditiveAttention(3, 4, 6).double()
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 2))
    lens = np.array([2, 4])
    out = attention(shendu.tensor(q), shendu.tensor(k), shendu.tensor(v), lens).detach().numpy()
    W_q, W_k, w_v = (torch.tensor(m.weight.detach().numpy())
                     for m in (attention.W_q, attention.W_k, attention.w_v))
    hidden_q, hidden_k = torch.tensor(q) @ W_q.T, torch.tensor(k) @ W_k.T
    scores = (torch.tanh(hidden_q[:, :, None] + hidden_k[:, None]) @ w_v.T)[..., 0]
    scores = scores.masked_fill(torch.arange(5) >= torch.tensor(lens)[:, None, None], -1e6)
    expected = torch.softmax(scores, dim=-1) @ torch.tensor(v)
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------- gradcheck
def _f64(rng, *shape, requires_grad=True):
    return shendu.tensor(rng.normal(size=shape), requires_grad=requires_grad)


@pytest.mark.parametrize("name", ["plain", "broadcast_batch", "bool_mask", "causal_tall",
                                  "scale", "blocked_row", "blocked_row_float", "gqa_mask"])
def test_sdpa_gradcheck(name):
    case = SDPA_CASES[name]
    arrays = sdpa_inputs(case, 6)
    q, k, v = (shendu.tensor(arrays[n], requires_grad=True) for n in ("query", "key", "value"))
    mask = arrays.get("mask")

    def fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                              is_causal=case.get("is_causal", False),
                                              scale=case.get("scale"),
                                              enable_gqa=case.get("enable_gqa", False))

    assert gradcheck(fn, (q, k, v))


def test_sdpa_gradcheck_float_mask():
    """A float mask is added to the scores and gets the gradient of the scores."""
    rng = np.random.default_rng(7)
    q, k, v, mask = _f64(rng, 2, 3, 4), _f64(rng, 2, 4, 4), _f64(rng, 2, 4, 2), _f64(rng, 3, 4)
    assert gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                     (q, k, v, mask))


def test_d2l_modules_gradcheck():
    rng = np.random.default_rng(8)
    additive = AdditiveAttention(3, 4, 5).double()
    q, k, v = _f64(rng, 2, 2, 4), _f64(rng, 2, 4, 3), _f64(rng, 2, 4, 2)
    params = tuple(additive.parameters())
    assert gradcheck(lambda q, k, v, *p: additive(q, k, v, [3, 2]), (q, k, v) + params)
    dot = DotProductAttention()
    k3 = _f64(rng, 2, 4, 4)
    assert gradcheck(lambda q, k, v: dot(q, k, v, np.array([[1, 4], [2, 3]])), (q, k3, v))


@pytest.mark.parametrize("kwargs, masks", [
    (dict(batch_first=True), dict(key_padding_mask=np.array([[False, True, False]]))),
    (dict(kdim=3, vdim=2, add_bias_kv=True, add_zero_attn=True),
     dict(attn_mask=np.array([[False, True, True], [False, False, True]]))),
])
def test_mha_gradcheck_inputs_and_parameters(kwargs, masks):
    """Every parameter and input, in float64, against central differences (the weights, a
    second output, are checked too)."""
    shendu.manual_seed(9)
    mha = MultiheadAttention(4, 2, dtype=shendu.float64, **kwargs)
    for param in mha.parameters():  # non-zero biases, so their gradients are exercised
        param.data[...] = np.random.default_rng(10).normal(size=param.shape) * 0.5
    rng = np.random.default_rng(11)
    layout = (1, 2) if kwargs.get("batch_first") else (2, 1)
    q = _f64(rng, *layout, 4)
    k = _f64(rng, layout[0], layout[1] + 1, kwargs.get("kdim", 4)) if kwargs.get("batch_first") \
        else _f64(rng, 3, 1, kwargs.get("kdim", 4))
    v = _f64(rng, *k.shape[:-1], kwargs.get("vdim", 4))
    params = tuple(mha.parameters())
    assert gradcheck(lambda q, k, v, *p: mha(q, k, v, **masks), (q, k, v) + params)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("call, error, pattern", [
    (lambda: F.scaled_dot_product_attention(shendu.ones(2, 3, 4), shendu.ones(2, 5, 3),
                                            shendu.ones(2, 5, 6)), ValueError,
     r"scaled_dot_product_attention: query .* and key .* same last dim E, got shapes "
     r"\(2, 3, 4\) and \(2, 5, 3\)"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(3, 4), shendu.ones(5, 4),
                                            shendu.ones(4, 6)), ValueError,
     r"same sequence length S, got shapes \(5, 4\) and \(4, 6\)"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(2, 3, 4), shendu.ones(3, 5, 4),
                                            shendu.ones(3, 5, 6)), ValueError,
     r"batch dims of query \(2, 3, 4\), key \(3, 5, 4\) .* cannot be broadcast"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(4), shendu.ones(5, 4),
                                            shendu.ones(5, 6)), ValueError,
     r"query must have at least 2 dims .* got shape \(4,\)"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(3, 4), shendu.ones(5, 4),
                                            shendu.ones(5, 6), attn_mask=np.ones((4, 5), bool)),
     ValueError, r"attn_mask of shape \(4, 5\) does not broadcast to the shape of the attention "
                 r"scores \(3, 5\)"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(3, 4), shendu.ones(5, 4),
                                            shendu.ones(5, 6), attn_mask=np.ones((3, 5), bool),
                                            is_causal=True), ValueError, "not both"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(3, 4), shendu.ones(5, 4),
                                            shendu.ones(5, 6), attn_mask=np.ones((3, 5), int)),
     TypeError, "attn_mask must be a bool or floating mask, got dtype int64"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(3, 4), shendu.ones(5, 4).double(),
                                            shendu.ones(5, 6)), TypeError, "same dtype"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(3, 4), shendu.ones(5, 4),
                                            shendu.ones(5, 6), dropout_p=1.5), ValueError,
     "between 0 and 1"),
    (lambda: F.scaled_dot_product_attention(shendu.ones(1, 4, 3, 4), shendu.ones(1, 3, 5, 4),
                                            shendu.ones(1, 3, 5, 6), enable_gqa=True),
     ValueError, r"key heads \(3\) and value heads \(3\) must divide the number of query heads "
                 r"\(4\)"),
    (lambda: masked_softmax(shendu.ones(2, 3, 4), [1, 2, 3]), ValueError,
     r"masked_softmax: valid_lens of shape \(3,\) does not fit scores of shape \(2, 3, 4\): "
     r"expected \(2,\) .* or \(2, 3\)"),
    (lambda: MultiheadAttention(10, 3), ValueError,
     r"embed_dim \(10\) must be divisible by num_heads \(3\)"),
    (lambda: MultiheadAttention(0, 1), ValueError, "embed_dim must be a positive integer"),
    (lambda: MultiheadAttention(4, 2, kdim=0), ValueError, "kdim must be a positive integer"),
    (lambda: MultiheadAttention(4, 2, dropout=2), ValueError, "between 0 and 1"),
    (lambda: MultiheadAttention(4, 2, device="cuda"), ValueError, "device 'cuda'"),
])
def test_function_and_constructor_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


class Holder(nn.Module):
    """A model with the attention module inside, for the error path."""

    def __init__(self, attention: nn.Module) -> None:
        super().__init__()
        self.attn = attention

    def forward(self, *args, **kwargs):
        return self.attn(*args, **kwargs)


X4 = shendu.ones(3, 2, 4)  # (L, N, E) for MultiheadAttention(4, 2)


@pytest.mark.parametrize("module, args, kwargs, pattern", [
    (MultiheadAttention(4, 2), (shendu.ones(3, 2, 5), X4, X4), {},
     r"expected query with last dim embed_dim=4, got shape \(3, 2, 5\)"),
    (MultiheadAttention(4, 2, kdim=3), (X4, X4, X4), {},
     r"expected key with last dim kdim=3, got shape \(3, 2, 4\)"),
    (MultiheadAttention(4, 2), (X4, shendu.ones(5, 2, 4), X4), {},
     r"same sequence length and batch size, got shapes \(5, 2, 4\) and \(3, 2, 4\)"),
    (MultiheadAttention(4, 2), (X4, shendu.ones(3, 3, 4), shendu.ones(3, 3, 4)), {},
     r"same batch size \(dim 1 with batch_first=False\), got shapes \(3, 2, 4\) and "
     r"\(3, 3, 4\)"),
    (MultiheadAttention(4, 2), (shendu.ones(4), X4, X4), {},
     r"expected query of shape \(L, N, E\) or unbatched \(L, E\), got shape \(4,\)"),
    (MultiheadAttention(4, 2), (X4, shendu.ones(3, 4), X4), {}, "3 dims like query"),
    (MultiheadAttention(4, 2), (X4, X4, X4), dict(key_padding_mask=np.zeros((3, 2), bool)),
     r"expected key_padding_mask of shape \(2, 3\), got shape \(3, 2\)"),
    (MultiheadAttention(4, 2), (X4, X4, X4), dict(attn_mask=np.zeros((3, 4), bool)),
     r"expected attn_mask of shape \(3, 3\) or \(4, 3, 3\), got shape \(3, 4\)"),
    (MultiheadAttention(4, 2), (X4, X4, X4), dict(attn_mask=np.zeros((3, 3), int)),
     "attn_mask must be a bool or floating mask, got dtype int64"),
    (MultiheadAttention(4, 2), (X4, X4, X4), dict(is_causal=True), "needs attn_mask"),
    (AdditiveAttention(2, 3, 4), (shendu.ones(2, 1, 4), shendu.ones(2, 5, 2),
                                  shendu.ones(2, 5, 3)), {},
     r"expected queries of shape \(batch, queries, 3\), got shape \(2, 1, 4\)"),
    (AdditiveAttention(2, 3, 4), (shendu.ones(2, 1, 3), shendu.ones(2, 5, 2),
                                  shendu.ones(2, 4, 3)), {},
     r"one value per key, got keys \(2, 5, 2\) and values \(2, 4, 3\)"),
    (AdditiveAttention(2, 3, 4), (shendu.ones(2, 1, 3), shendu.ones(2, 5, 2),
                                  shendu.ones(2, 5, 3)), dict(valid_lens=[1, 2, 3]),
     r"valid_lens of shape \(3,\) does not fit scores of shape \(2, 1, 5\)"),
    (DotProductAttention(), (shendu.ones(2, 1, 3), shendu.ones(2, 5, 2),
                             shendu.ones(2, 5, 3)), {},
     r"same feature size d, got shapes \(2, 1, 3\) and \(2, 5, 2\)"),
])
def test_module_input_errors_name_the_path(module, args, kwargs, pattern):
    name = type(module).__name__
    with pytest.raises(nn.ModuleInputError, match=f"^{name}: .*{pattern}"):
        module(*args, **kwargs)
    with pytest.raises(nn.ModuleInputError, match=f"^attn \\({name}\\): .*{pattern}"):
        Holder(module)(*args, **kwargs)


def test_mha_dtype_mismatch_is_a_type_error():
    with pytest.raises(TypeError, match="parameters' dtype float32, got float64"):
        MultiheadAttention(4, 2)(*[X4.double()] * 3)
