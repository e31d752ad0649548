"""Checkpoints (shendu.io.save / load) and atomic writes: round trips, interoperability with the
safetensors library and PyTorch, refusal of pickles and of corrupt files, and a writer killed
with SIGKILL at random moments."""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import select
import signal
import stat
import subprocess
import sys
import time
import zipfile
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest

import shendu
from shendu import nn
from shendu.io import atomic_write_bytes, atomic_write_text, load, save
from shendu.optim import Adam
from shendu.optim.lr_scheduler import StepLR

st_numpy = pytest.importorskip("safetensors.numpy")

DTYPES = [np.bool_, np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64,
          np.int64, np.float16, np.float32, np.float64]
WRITER = Path(__file__).with_name("io_writer.py")
KILLS = 15  # each costs a Python start (~0.3 s) and a random wait (0.05 to 0.3 s)


def temporaries(path: Path) -> list[str]:
    """The temporary files of target ``path`` in its directory."""
    return sorted(n for n in os.listdir(path.parent) if n.startswith(f".{path.name}.tmp-"))


def assert_same(a, b, where: str = "obj") -> None:
    """Deep equality that also checks types (tuple vs list, int vs str keys, Tensor vs
    ndarray, dtypes, requires_grad) and treats NaN as equal to NaN."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        assert [type(k) for k in a] == [type(k) for k in b], f"{where}: key types differ"
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{where}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, shendu.Tensor):
        assert a.requires_grad == b.requires_grad, f"{where}: requires_grad differs"
        assert_same(a.data, b.data, where)
    elif isinstance(a, np.ndarray):
        assert (a.dtype, a.shape) == (b.dtype, b.shape), f"{where}: {a.dtype}{a.shape} != " \
                                                          f"{b.dtype}{b.shape}"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, (float, np.floating)):
        same = a == b and math.copysign(1, a) == math.copysign(1, b)  # -0.0 is not 0.0
        assert same or (math.isnan(a) and math.isnan(b)), f"{where}: {a} != {b}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


# ================================================================================= round trips
def test_tensor_round_trip_keeps_data_dtype_and_requires_grad(tmp_path):
    path = tmp_path / "t.safetensors"
    t = shendu.randn(3, 4, requires_grad=True)
    save(t, path)
    back = load(path)
    assert isinstance(back, shendu.Tensor) and back.requires_grad and back.is_leaf
    assert_same(back, t)
    back.data[0, 0] = 123.0  # a fresh, writable array
    assert t.data[0, 0] != 123.0
    assert isinstance(load(path, as_tensors=False), np.ndarray)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (5,), (3, 4)])
def test_array_round_trip_every_dtype_and_shape(tmp_path, dtype, shape):
    rng = np.random.default_rng(0)
    if np.dtype(dtype).kind == "f":
        array = rng.standard_normal(shape).astype(dtype)
    else:
        info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
        array = (rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
                 if info else rng.integers(0, 2, shape).astype(bool))
    path = tmp_path / "a.safetensors"
    save({"x": array, "t": shendu.from_numpy(array.copy())}, path)
    back = load(path)
    assert_same(back["x"], array)
    assert back["t"].dtype == array.dtype and back["t"].shape == shape
    np.testing.assert_array_equal(back["t"].data, array)
    assert st_numpy.load_file(path)["x"].shape == shape  # the library reads 0-d and empty too


def test_strided_and_big_endian_arrays_are_saved_by_value(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    views = {"transposed": base.T, "sliced": base[::2, 1::3], "reversed": base[:, ::-1],
             "big_endian": np.arange(5, dtype=">i4"), "scalar_view": base[1, 2, ...]}
    path = tmp_path / "v.safetensors"
    save(views, path)
    back = load(path, as_tensors=False)
    for key, view in views.items():
        np.testing.assert_array_equal(back[key], view, err_msg=key)
        assert back[key].shape == view.shape
    assert back["big_endian"].dtype == np.int32


def test_nested_structure_round_trip_keeps_types(tmp_path):
    obj = {
        "state": {0: {"step": 3, "exp_avg": np.ones((2, 2), np.float32)}, 1: {}},
        "0": "a string key that looks like the int key 0",
        "groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1]}],
        "floats": [math.nan, math.inf, -math.inf, -0.0, 1.5, 1e-310],
        "numpy_scalars": [np.float32(0.1), np.float64(math.nan), np.int64(-7), np.uint8(255),
                          np.bool_(True), np.float16(65504), np.float32(-math.inf)],
        "plain": [None, True, False, 0, -1, 2**100, "", "ünïcode ✓", []],
        "tensor": shendu.tensor([[1.0, 2.0]]),
        "empty": {},
        "tuple_of_tuples": ((), (1,), ((2, 3), [4])),
        -5: "negative int key",
    }
    path = tmp_path / "n.safetensors"
    save(obj, path)
    assert_same(load(path), obj)


def test_colliding_and_reserved_names_stay_apart(tmp_path):
    obj = {"a/b": np.zeros(2), "a": {"b": np.ones(2)}, "a/b#1": np.full(2, 2.0),
           "__metadata__": np.full(2, 3.0), 0: np.full(2, 4.0), "0": np.full(2, 5.0)}
    path = tmp_path / "c.safetensors"
    save(obj, path)
    assert_same(load(path, as_tensors=False), obj)
    names = st_numpy.load_file(path)
    assert len(names) == 6 and "__metadata__" not in names


def test_a_structure_without_arrays_and_an_empty_dict(tmp_path):
    path = tmp_path / "e.safetensors"
    save({"epoch": 3, "history": {"loss": [0.5, 0.25]}}, path)
    assert load(path) == {"epoch": 3, "history": {"loss": [0.5, 0.25]}}
    save({}, path)
    assert load(path) == {}
    save(None, path)
    assert load(path) is None


def make_model(seed: int) -> nn.Module:
    shendu.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def trained_state(model: nn.Module) -> None:
    """One forward in train mode, so the BatchNorm running statistics are not the defaults."""
    model.train()
    model(shendu.randn(16, 4))


def test_model_state_dict_reloads_into_a_fresh_model(tmp_path):
    model = make_model(0)
    trained_state(model)
    path = tmp_path / "model.safetensors"
    save(model.state_dict(), path)
    fresh = make_model(1)
    x = shendu.randn(5, 4)
    model.eval(), fresh.eval()
    assert not np.allclose(fresh(x).data, model(x).data)
    fresh.load_state_dict(load(path))
    np.testing.assert_array_equal(fresh(x).data, model(x).data)


def test_state_dict_file_is_a_plain_safetensors_file_with_the_same_keys(tmp_path):
    model = make_model(0)
    trained_state(model)
    state = model.state_dict()
    path = tmp_path / "model.safetensors"
    save(state, path)
    plain = st_numpy.load_file(path)
    assert sorted(plain) == sorted(state)
    for key, value in state.items():
        np.testing.assert_array_equal(plain[key], value.data, err_msg=key)
        assert plain[key].dtype == value.dtype


@pytest.mark.torch
def test_state_dict_file_loads_into_the_same_pytorch_model(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    model = make_model(0)
    trained_state(model)
    path = tmp_path / "model.safetensors"
    save(model.state_dict(), path)
    twin = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                               torch.nn.Linear(8, 3))
    twin.load_state_dict(st_torch.load_file(path))  # strict: the same keys as PyTorch's
    model.eval(), twin.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = twin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(shendu.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.torch
def test_a_file_written_by_pytorch_loads(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    path = tmp_path / "pt.safetensors"
    tensors = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3),
               "n": torch.tensor([1, 2], dtype=torch.int64), "m": torch.tensor([True, False])}
    st_torch.save_file(tensors, path, metadata={"format": "pt"})
    back = load(path)
    assert set(back) == set(tensors)
    for key, value in tensors.items():
        np.testing.assert_array_equal(back[key].data, value.numpy(), err_msg=key)
    bf16 = tmp_path / "bf16.safetensors"
    st_torch.save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, bf16)
    with pytest.raises(ValueError, match=r"bf16\.safetensors.*'w' has dtype BF16"):
        load(bf16)


def test_a_plain_safetensors_file_loads_as_a_flat_dict(tmp_path):
    path = tmp_path / "plain.safetensors"
    arrays = {"b": np.arange(3, dtype=np.int16), "a.weight": np.eye(2, dtype=np.float32),
              "scalar": np.array(7.5)}
    st_numpy.save_file(arrays, path, metadata={"origin": "another tool"})
    back = load(path)
    assert set(back) == set(arrays)
    for key, value in arrays.items():
        assert isinstance(back[key], shendu.Tensor)
        assert_same(back[key].data, value, key)
    assert all(isinstance(v, np.ndarray) for v in load(path, as_tensors=False).values())


def one_adam_step(model: nn.Module, opt: Adam, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = shendu.tensor(rng.standard_normal((8, 4)).astype(np.float32))
    y = shendu.tensor(rng.standard_normal((8, 3)).astype(np.float32))
    opt.zero_grad()
    ((model(x) - y) ** 2).mean().backward()
    opt.step()


def test_training_checkpoint_resumes_identically(tmp_path):
    """Model + Adam + scheduler + epoch + RNG state saved after one step: the copy and the
    original take the next steps to exactly the same parameters and draw the same numbers."""
    model = make_model(0)
    opt = Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99), amsgrad=True)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    one_adam_step(model, opt, seed=1)
    sched.step()
    path = tmp_path / "ckpt.safetensors"
    rng_state = shendu.random.get_generator().bit_generator.state
    save({"model": model.state_dict(), "optimizer": opt.state_dict(),
          "scheduler": sched.state_dict(), "epoch": 1, "rng": rng_state}, path)
    next_draws = shendu.random.get_generator().random(3)

    ckpt = load(path)
    assert ckpt["epoch"] == 1 and ckpt["rng"] == rng_state
    assert set(ckpt["optimizer"]["state"]) == {0, 1, 2, 3, 4, 5}  # int keys kept
    copy = make_model(5)
    copy_opt = Adam(copy.parameters(), lr=0.5)
    copy_sched = StepLR(copy_opt, step_size=3)
    copy.load_state_dict(ckpt["model"])
    copy_opt.load_state_dict(ckpt["optimizer"])
    copy_sched.load_state_dict(ckpt["scheduler"])
    assert copy_opt.param_groups[0]["betas"] == (0.8, 0.99)  # a tuple again
    for seed in (2, 3):
        one_adam_step(model, opt, seed)
        one_adam_step(copy, copy_opt, seed)
        sched.step(), copy_sched.step()
    for (name, p), q in zip(model.named_parameters(), copy.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert copy_opt.param_groups[0]["lr"] == opt.param_groups[0]["lr"] == 1e-2 / 8
    restored = np.random.default_rng()
    restored.bit_generator.state = ckpt["rng"]
    np.testing.assert_array_equal(restored.random(3), next_draws)


# ================================================================================= save errors
Pair = namedtuple("Pair", "a b")


@pytest.mark.parametrize("obj, where, what", [
    ({"a": [1, np.array([{"x": 1}], dtype=object)]}, r"obj\['a'\]\[1\]", "object array"),
    ({"s": {1, 2}}, r"obj\['s'\]", "set"),
    ({"c": np.ones(2, np.complex64)}, r"obj\['c'\]", "complex64"),
    ({"b": b"bytes"}, r"obj\['b'\]", "bytes"),
    ({"m": [nn.Linear(2, 2)]}, r"obj\['m'\]\[0\]", "state_dict"),
    ({"p": Pair(1, 2)}, r"obj\['p'\]", "plain tuple"),
    ({"g": np.float128(1.0) if hasattr(np, "float128") else np.complex64(1)}, r"obj\['g'\]",
     "NumPy scalar"),
    ({(1, 2): 3}, "obj", r"key \(1, 2\)"),
    ({True: 3}, "obj", "key True"),
    ({"f": lambda x: x}, r"obj\['f'\]", "function"),
])
def test_unsavable_values_raise_type_error_naming_the_place(tmp_path, obj, where, what):
    path = tmp_path / "x.safetensors"
    save({"old": np.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=f"{where}.*{what}"):
        save(obj, path)
    assert path.read_bytes() == before  # untouched
    assert temporaries(path) == []


def test_a_header_too_large_to_load_is_not_written(tmp_path, monkeypatch):
    import shendu.io

    path = tmp_path / "x.safetensors"
    save({"history": [0.5] * 10}, path)
    before = path.read_bytes()
    monkeypatch.setattr(shendu.io, "_MAX_HEADER", 2000)  # instead of a 100 MB list in a test
    with pytest.raises(ValueError, match="header.*would take .* bytes.*store long lists"):
        save({"history": [0.5] * 1000}, path)
    assert path.read_bytes() == before and temporaries(path) == []
    assert load(path) == {"history": [0.5] * 10}


def test_save_into_a_missing_directory_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        save({"a": 1}, tmp_path / "nowhere" / "x.safetensors")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "x.safetensors"
    save({"v": np.zeros(4)}, path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        save({"v": np.ones(4)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert temporaries(path) == []


# ================================================================================= load errors
class CreatesFile:
    """Unpickling this object creates the file ``marker`` (it runs ``open(marker, "w")``)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_the_crafted_pickles_would_run_code(tmp_path):
    """The payload of the rejection tests below is live: unpickling it creates its marker."""
    marker = tmp_path / "proof"
    pickle.loads(pickle.dumps(CreatesFile(marker)))
    assert marker.exists()
    marker.unlink()
    npz = tmp_path / "proof.npz"
    np.savez(npz, a=np.array([CreatesFile(marker)], dtype=object))
    with np.load(npz, allow_pickle=True) as archive:
        archive["a"]
    assert marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_a_renamed_pickle_is_refused_and_not_run(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps({"w": CreatesFile(marker)}, protocol=protocol))
    with pytest.raises(ValueError, match=r"evil\.safetensors.*(pickle|never unpickles)"):
        load(path)
    assert not marker.exists()


def test_an_npz_with_an_object_array_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    np.savez(path, w=np.ones(2), x=np.array([CreatesFile(marker)], dtype=object))
    with pytest.raises(ValueError, match=r"evil\.npz' is a NumPy \.npz archive"):
        load(path)
    npy = tmp_path / "evil.npy"
    np.save(npy, np.array([CreatesFile(marker)], dtype=object))
    with pytest.raises(ValueError, match=r"evil\.npy' is a NumPy \.npy file"):
        load(npy)
    assert not marker.exists()


def test_a_torch_save_zip_is_refused_and_named(tmp_path):
    """torch.save writes a zip whose data.pkl is a pickle; built here without torch."""
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/data.pkl", pickle.dumps(CreatesFile(marker)))
        archive.writestr("model/version", "3\n")
    with pytest.raises(ValueError, match=r"model\.pt' is a PyTorch checkpoint \(torch\.save\)"):
        load(path)
    assert not marker.exists()


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.safetensors"):
        load(tmp_path / "absent.safetensors")


def checkpoint_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "good.safetensors"
    save({"w": np.arange(100, dtype=np.float32), "b": np.ones(3, np.int64), "epoch": 2}, path)
    return path.read_bytes()


def test_a_truncated_checkpoint_says_so_at_every_cut(tmp_path):
    data = checkpoint_bytes(tmp_path)
    header = int.from_bytes(data[:8], "little")
    path = tmp_path / "cut.safetensors"
    cuts = {0: "empty", 4: "too short", 8: "too short", 9: "truncated", 8 + header // 2:
            "truncated", 8 + header: "truncated", 8 + header + 1: "truncated",
            len(data) - 200: "truncated", len(data) - 1: "truncated"}
    for cut, what in cuts.items():
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=rf"cut\.safetensors' (is|has).*{what}"):
            load(path)
    path.write_bytes(data)
    assert load(path)["epoch"] == 2


def with_header(data: bytes, edit) -> bytes:
    """``data`` (a safetensors file) with its JSON header changed by ``edit(header) -> header``
    and the length field made to match, so only what ``edit`` did is wrong."""
    length = int.from_bytes(data[:8], "little")
    header = edit(json.loads(data[8:8 + length]))
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw + data[8 + length:]


def with_document(data: bytes, edit) -> bytes:
    """``data`` with the shendu JSON document in its metadata changed by ``edit(text)``."""
    def change(header):
        header["__metadata__"]["shendu"] = edit(header["__metadata__"]["shendu"])
        return header
    return with_header(data, change)


def set_entry(name: str, key: str, value):
    def edit(header):
        header[name][key] = value
        return header
    return lambda d: with_header(d, edit)


@pytest.mark.parametrize("corrupt, what", [
    (lambda d: d + b"\x00" * 8, "8 unexpected bytes"),
    (lambda d: d[:-8], "truncated.*describes 424 bytes of tensor data, but only 416"),
    (set_entry("w", "dtype", "F33"), "tensor 'w' has dtype F33"),
    (set_entry("w", "dtype", "I64"), "tensor 'w' of shape \\[100\\] and dtype I64 spans 400"),
    (set_entry("w", "shape", [1e2]), "corrupt header entry for tensor 'w'"),
    (set_entry("w", "shape", "100"), "corrupt header entry for tensor 'w'"),
    (set_entry("w", "data_offsets", [16, 416]), "gap or overlap"),
    (lambda d: with_header(d, lambda h: [h]), "not a safetensors file"),
    (lambda d: d[:8] + b"{" + b"!" * (int.from_bytes(d[:8], "little") - 1) + d[8 + int.from_bytes(
        d[:8], "little"):], "not valid JSON"),
    (lambda d: with_header(d, lambda h: {**h, "__metadata__": {"shendu": 1}}),
     "__metadata__ must map strings to strings"),
    (lambda d: with_document(d, lambda t: t.replace('"version":1', '"version":7')), "format 7"),
    (lambda d: with_document(d, lambda t: t.replace('"version"', '"versio"')), "KeyError"),
    (lambda d: with_document(d, lambda t: t[:-3]), "JSONDecodeError"),
    (lambda d: with_document(d, lambda t: t.replace('{"dict"', '{"dictionary"', 1)),
     "unexpected node"),
    (lambda d: with_document(d, lambda t: t.replace('"ndarray":"w"', '"ndarray":"q"')),
     "tensor 'q' the file does not hold"),
])
def test_corrupt_checkpoints_say_which_file_and_what_is_wrong(tmp_path, corrupt, what):
    data = checkpoint_bytes(tmp_path)
    bad = corrupt(data)
    assert bad != data, "the corruption did not apply"
    path = tmp_path / "bad.safetensors"
    path.write_bytes(bad)
    with pytest.raises(ValueError, match=rf"bad\.safetensors'.*{what}"):
        load(path)
    path.write_bytes(with_header(data, lambda h: h))  # the helpers alone break nothing
    assert load(path, as_tensors=False)["w"].tolist() == list(range(100))


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_refused(tmp_path, seed):
    path = tmp_path / "noise.bin"
    path.write_bytes(np.random.default_rng(seed).bytes(1000))
    with pytest.raises(ValueError, match=r"noise\.bin' is not a safetensors file"):
        load(path)


def test_other_formats_are_named(tmp_path):
    for name, data, what in [("x.h5", b"\x89HDF\r\n\x1a\n" + bytes(100), "HDF5"),
                             ("x.gz", b"\x1f\x8b\x08" + bytes(100), "gzip"),
                             ("x.zip", _zip_with("readme.txt"), "a zip archive")]:
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ValueError, match=rf"{name}' is .*{what}"):
            load(path)


def _zip_with(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "hello")
    return buffer.getvalue()


# ================================================================================= atomic writes
def test_atomic_write_text_and_bytes(tmp_path):
    path = tmp_path / "metrics.json"
    atomic_write_text(path, json.dumps({"accuracy": 0.99}))
    assert json.loads(path.read_text()) == {"accuracy": 0.99}
    atomic_write_bytes(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    atomic_write_text(path, "ünï", encoding="utf-16")
    assert path.read_text(encoding="utf-16") == "ünï"
    with pytest.raises(TypeError):
        atomic_write_bytes(path, "not bytes")
    assert path.read_text(encoding="utf-16") == "ünï" and temporaries(path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_permissions_are_the_usual_ones_and_kept_on_overwrite(tmp_path):
    reference = tmp_path / "reference"
    reference.write_bytes(b"")
    path = tmp_path / "x.json"
    atomic_write_text(path, "1")
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(reference.stat().st_mode)
    path.chmod(0o640)
    atomic_write_text(path, "2")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "2"


@pytest.mark.skipif(os.name != "posix", reason="flock marks a temporary file as being written")
def test_stale_temporaries_are_removed_but_live_ones_kept(tmp_path):
    import fcntl

    path = tmp_path / "ckpt.safetensors"
    stale = tmp_path / ".ckpt.safetensors.tmp-0123456789abcdef"
    live = tmp_path / ".ckpt.safetensors.tmp-fedcba9876543210"
    unrelated = [tmp_path / ".ckpt.safetensors.tmp-notours",
                 tmp_path / ".other.tmp-0123456789abcdef"]
    for p in (stale, live, *unrelated):
        p.write_bytes(b"partial")
    with open(live, "rb") as holder:  # a writer in progress holds the lock on its temporary
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        save({"x": np.ones(2)}, path)
        assert not stale.exists()
        assert live.exists() and all(p.exists() for p in unrelated)
    save({"x": np.ones(2)}, path)  # the lock is gone: now it is stale
    assert not live.exists()
    assert load(path, as_tensors=False)["x"].tolist() == [1.0, 1.0]


# ================================================================================= SIGKILL
@pytest.mark.skipif(os.name != "posix" or not hasattr(signal, "SIGKILL"),
                    reason="needs POSIX SIGKILL and flock")
def test_sigkill_during_save_never_leaves_an_unreadable_checkpoint(tmp_path):
    """A process saving ~20 MB checkpoints in a loop is killed at random moments, 15 times;
    each time the checkpoint loads and is self-consistent, and at most one temporary file
    (the one being written when the kill came) is left."""
    path = tmp_path / "ckpt.safetensors"
    save({"counter": 0, "arrays": [np.zeros(3, np.float32)], "note": "checkpoint 0"}, path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(WRITER.parents[1]), os.environ.get("PYTHONPATH", "")])}
    rng = np.random.default_rng(0)
    counter, mid_write, left = 0, 0, []
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, str(WRITER), str(path), str(counter + 1)],
                                stdout=subprocess.PIPE, env=env)
        try:
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            assert ready and proc.stdout.readline() == b"ready\n", "the writer did not start"
            time.sleep(rng.uniform(0.05, 0.3))
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
        ckpt = load(path, as_tensors=False)
        assert ckpt["counter"] >= counter and ckpt["note"] == f"checkpoint {ckpt['counter']}"
        counter = ckpt["counter"]
        for array in ckpt["arrays"]:
            assert (array == counter).all(), f"checkpoint {counter} mixes contents"
        before, left = left, temporaries(path)
        assert len(left) <= 1, left
        mid_write += bool(set(left) - set(before))  # this writer died between write and rename
    assert counter >= KILLS // 2, "the writer seldom got to save"
    # the test proves something only if kills came while a file was being written
    assert mid_write >= 1, f"none of {KILLS} kills came while a file was being written"
    save({"counter": -1}, path)
    assert temporaries(path) == []
