"""Safe files: checkpoints in the safetensors format, and atomic writes.

``save(obj, path)`` stores every array of ``obj`` (Tensors and NumPy arrays, at any depth of
dicts, lists and tuples) as a tensor of a safetensors file, and everything else (numbers,
strings, ``None``, the shape of the structure) as one JSON document in the file's metadata, under
the key ``"shendu"``. ``load(path)`` rebuilds ``obj``. Nothing is ever pickled or unpickled:
a file that holds a pickle (``torch.save`` output, a renamed pickle, an ``.npz`` with an object
array) is refused with an error before a byte of it is interpreted as code.

A tensor's name in the file is its path in ``obj`` joined by ``/`` (``"optimizer/state/0/
exp_avg"``); the names of a flat ``{name: tensor}`` dict are its keys, so
``save(model.state_dict(), path)`` writes an ordinary safetensors weights file that
``safetensors.numpy.load_file`` or ``safetensors.torch.load_file`` read with the state_dict's
keys. The JSON refers to tensors by name, so names are free to be made unique (``"a/b#1"``) when
two paths would give the same one.

The JSON document (format version 1)::

    {"version": 1, "root": node}
    node = null | true | false | <int> | <finite float> | <str> | [node, ...]     (a list)
         | {"tuple": [node, ...]}
         | {"dict": [[key, node], ...]}            key: str or int, in insertion order
         | {"float": "nan" | "inf" | "-inf"}
         | {"scalar": "<numpy dtype name>", "value": node}           (np.float32(0.5), ...)
         | {"tensor": "<name>"[, "requires_grad": true]}  | {"ndarray": "<name>"}

Writes are atomic: the bytes go to a temporary file ``.{name}.tmp-{16 hex digits}`` in the
target's directory, which is flushed, fsynced and renamed onto the target (then the directory is
fsynced), so a crash at any moment leaves either the old file or the new one, never a mix. The
writer holds an advisory lock (``flock``) on its temporary file; each write first removes the
temporaries of the same target that nobody holds (left by a killed process).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

import numpy as np

from shendu.creation import from_numpy
from shendu.tensor import Tensor

try:  # POSIX advisory locks mark a temporary file as being written
    import fcntl
except ImportError:  # Windows: an open file cannot be removed, which serves the same purpose
    fcntl = None

__all__ = ["save", "load", "atomic_write_bytes", "atomic_write_text"]

FORMAT_VERSION = 1
_METADATA_KEY = "shendu"
# safetensors itself refuses headers above 100 MB; so does load, before reading one
_MAX_HEADER = 100_000_000
# safetensors dtype codes NumPy (and so shendu) can hold, little-endian as the format stores them
_DTYPES = {
    "BOOL": np.dtype(np.bool_), "U8": np.dtype("<u1"), "I8": np.dtype("<i1"),
    "U16": np.dtype("<u2"), "I16": np.dtype("<i2"), "U32": np.dtype("<u4"),
    "I32": np.dtype("<i4"), "U64": np.dtype("<u8"), "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
}
_SAVABLE = {dtype.newbyteorder("=") for dtype in _DTYPES.values()}
_SAVABLE_NAMES = "bool, uint8/16/32/64, int8/16/32/64, float16/32/64"
_SCALAR_TYPES = {dtype.name: dtype.type for dtype in _SAVABLE}
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# ================================================================================= save
def save(obj: Any, path: str | os.PathLike) -> None:
    """Save ``obj`` to ``path`` as a safetensors file, atomically.

    Args:
        obj: a Tensor, a NumPy array, or dicts (keys ``str`` or ``int``), lists and tuples
            nesting Tensors, NumPy arrays and scalars of dtype bool, (u)int8-64 or
            float16/32/64, and Python ``int``, ``float`` (``nan`` and ``inf`` included),
            ``bool``, ``str`` and ``None``. A model's ``state_dict()``, an optimizer's, a
            scheduler's, an epoch number, ``np.random.Generator.bit_generator.state`` all fit.
        path: the file to write (its directory must exist). An existing file is replaced
            only once the new one is complete and on disk.

    Raises:
        TypeError: naming the place in ``obj`` (``obj['optimizer']['state'][0]``) of a value
            that cannot be saved without pickle (an object array, a set, a class instance...);
            nothing is written then.
        ValueError: the non-tensor values would make the header larger than safetensors
            allows (100 MB); nothing is written then.

    >>> shendu.save({"model": model.state_dict(), "epoch": 3}, "ckpt.safetensors")
    """
    st_numpy = _safetensors_numpy()
    encoder = _Encoder()
    root = encoder.encode(obj, ())
    document = json.dumps({"version": FORMAT_VERSION, "root": root}, allow_nan=False,
                          separators=(",", ":"))
    data = st_numpy.save(encoder.arrays, metadata={_METADATA_KEY: document})
    header = int.from_bytes(data[:8], "little")
    if header > _MAX_HEADER:
        raise ValueError(f"shendu.save: the file's JSON header (obj's non-tensor values and "
                         f"the list of its tensors) would take {header} bytes, more than a "
                         f"safetensors header may hold ({_MAX_HEADER}); store long lists of "
                         "numbers as arrays; nothing was written")
    atomic_write_bytes(path, data)


def _safetensors_numpy():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("shendu.save needs the safetensors package: pip install safetensors "
                          "(or pip install 'shendu[files]')") from None
    return safetensors.numpy


class _Encoder:
    """Turns a structure into a JSON node, collecting its arrays in ``arrays`` by name."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value: Any, path: tuple) -> Any:
        if isinstance(value, Tensor):
            node = {"tensor": self._add(value.data, path)}
            if value.requires_grad:
                node["requires_grad"] = True
            return node
        if isinstance(value, np.ndarray):
            return {"ndarray": self._add(value, path)}
        if isinstance(value, np.generic):  # before float: np.float64 is a float subclass
            return self._scalar(value, path)
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, dict):
            return {"dict": [[self._key(key, path), self.encode(item, path + (key,))]
                             for key, item in value.items()]}
        if type(value) in (list, tuple):
            items = [self.encode(item, path + (i,)) for i, item in enumerate(value)]
            return items if type(value) is list else {"tuple": items}
        raise TypeError(f"shendu.save: {_where(path)} is a {type(value).__name__}, which cannot "
                        "be saved without pickle; shendu.save stores Tensors, NumPy arrays and "
                        "scalars, int, float, bool, str, None, and dicts, lists and tuples of "
                        "them" + _hint(value))

    def _add(self, array: np.ndarray, path: tuple) -> str:
        """Register ``array`` under a unique name derived from ``path``; return the name."""
        array = np.asarray(array)
        if array.dtype.newbyteorder("=") not in _SAVABLE:
            raise TypeError(f"shendu.save: {_where(path)} is an array of dtype {array.dtype}; "
                            f"safetensors stores {_SAVABLE_NAMES}" + _hint(array))
        native = array.dtype.newbyteorder("=")
        # safetensors copies raw memory: a strided view must be made contiguous first
        # (np.ascontiguousarray would turn a 0-d array into shape (1,))
        array = np.asarray(array, dtype=native, order="C")
        base = "/".join(str(part) for part in path) or "tensor"
        name, n = base, 0
        while name in self.arrays or name == "__metadata__":  # reserved by the format
            n += 1
            name = f"{base}#{n}"
        self.arrays[name] = array
        return name

    def _scalar(self, value: np.generic, path: tuple) -> dict:
        if value.dtype not in _SAVABLE:
            raise TypeError(f"shendu.save: {_where(path)} is a NumPy scalar of dtype "
                            f"{value.dtype}; safetensors stores {_SAVABLE_NAMES}")
        return {"scalar": value.dtype.name, "value": self.encode(value.item(), path)}

    @staticmethod
    def _key(key: Any, path: tuple) -> str | int:
        if isinstance(key, np.integer):
            key = int(key)
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise TypeError(f"shendu.save: {_where(path)} is a dict with a key {key!r} of type "
                            f"{type(key).__name__}; keys must be str or int")
        return key


def _where(path: tuple) -> str:
    """``path`` as Python indexing: ``obj['state'][0]``."""
    return "obj" + "".join(f"[{part!r}]" for part in path)


def _hint(value: Any) -> str:
    if isinstance(value, np.ndarray) and value.dtype == object:
        return " (an object array would need pickle; convert it to a numeric array or a list)"
    if isinstance(value, tuple):
        return f" (convert the {type(value).__name__} to a plain tuple or dict first)"
    if hasattr(value, "state_dict"):
        return " (save its state_dict() instead)"
    return ""


# ================================================================================= load
def load(path: str | os.PathLike, *, as_tensors: bool = True) -> Any:
    """Load what :func:`save` wrote, or the tensors of any safetensors file.

    The file is opened once and read into fresh, writable arrays; nothing in it is executed.

    Args:
        path: a file written by :func:`save`, or a plain safetensors file (from
            ``safetensors.numpy.save_file``, ``safetensors.torch.save_file``, ...), which
            loads as a dict ``{name: Tensor}`` in the file's order.
        as_tensors: if False, saved Tensors come back as NumPy arrays.

    Returns:
        The saved structure: dicts (``int`` keys kept), lists, tuples, Tensors, NumPy arrays
        and scalars, numbers, strings and ``None``.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: naming ``path`` and what is wrong: it is a pickle, a zip (an ``.npz`` or a
            ``torch.save`` checkpoint), empty, truncated, corrupt, or holds a dtype NumPy has
            not (bfloat16, float8).

    >>> model.load_state_dict(shendu.load("model.safetensors"))
    """
    path = os.fspath(path)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"shendu.load: no such file: {path!r}") from None
    with f:
        size = os.fstat(f.fileno()).st_size
        header_len, header = _read_header(f, path, size)
        entries, metadata = _check_entries(header, path, size - 8 - header_len)
        reader = _Reader(f, path, 8 + header_len, entries)
        if _METADATA_KEY not in metadata:  # a plain weights file
            return {name: _wrap(reader.array(name), as_tensors) for name in entries}
        root = _parse_document(metadata[_METADATA_KEY], path)
        return _Decoder(reader, as_tensors).decode(root)


def _read_header(f: BinaryIO, path: str, size: int) -> tuple[int, dict]:
    """The safetensors header (an 8-byte little-endian length, then that much JSON)."""
    head = f.read(9)
    header_len = int.from_bytes(head[:8], "little")
    if len(head) < 9 or head[8:9] != b"{" or not 2 <= header_len <= _MAX_HEADER:
        raise ValueError(_not_safetensors(f, path, size))
    if 8 + header_len > size:
        raise ValueError(f"shendu.load: {path!r} is truncated: its header says it is "
                         f"{header_len} bytes, but only {size - 8} bytes follow the length "
                         "field")
    raw = head[8:] + f.read(header_len - 1)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"shendu.load: {path!r} has a corrupt safetensors header (not valid "
                         f"JSON: {err})") from None
    if not isinstance(header, dict):
        raise ValueError(f"shendu.load: {path!r} has a corrupt safetensors header (a JSON "
                         f"{type(header).__name__}, expected an object)")
    return header_len, header


def _check_entries(header: dict, path: str, available: int) -> tuple[dict, dict]:
    """Validate every tensor entry of ``header`` against the ``available`` data bytes.

    Returns ``({name: (dtype, shape, begin)}, metadata)``; the data must be covered exactly,
    in order, with no gap or overlap (as the safetensors library requires)."""
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"shendu.load: {path!r} has a corrupt header: __metadata__ must map "
                         "strings to strings")
    entries, spans = {}, []
    for name, entry in header.items():
        dtype, shape, begin, end = _entry(entry, name, path)
        entries[name] = (dtype, shape, begin)
        spans.append((begin, end, name))
    expected = 0
    for begin, end, name in sorted(spans):
        if begin != expected:
            raise ValueError(f"shendu.load: {path!r} is corrupt: tensor {name!r} starts at byte "
                             f"{begin} of the data, expected {expected} (gap or overlap)")
        expected = end
    if expected > available:
        raise ValueError(f"shendu.load: {path!r} is truncated: its header describes {expected} "
                         f"bytes of tensor data, but only {available} follow the header")
    if expected < available:
        raise ValueError(f"shendu.load: {path!r} is corrupt: {available - expected} unexpected "
                         "bytes follow the last tensor")
    return entries, metadata


def _entry(entry: Any, name: str, path: str) -> tuple[np.dtype, tuple, int, int]:
    """One header entry ``{"dtype", "shape", "data_offsets"}``, checked."""
    try:
        code, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
        ok = (isinstance(code, str) and isinstance(shape, list)
              and all(type(n) is int and n >= 0 for n in shape)
              and type(begin) is int and type(end) is int and 0 <= begin <= end)
    except (TypeError, KeyError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"shendu.load: {path!r} has a corrupt header entry for tensor "
                         f"{name!r}: {entry!r}")
    if code not in _DTYPES:
        raise ValueError(f"shendu.load: {path!r}: tensor {name!r} has dtype {code}, which NumPy "
                         f"cannot hold (shendu loads {sorted(_DTYPES)}); convert it to float32 "
                         "before saving (in PyTorch: tensor.float())")
    dtype = _DTYPES[code]
    if end - begin != math.prod(shape) * dtype.itemsize:
        raise ValueError(f"shendu.load: {path!r} is corrupt: tensor {name!r} of shape {shape} "
                         f"and dtype {code} spans {end - begin} bytes")
    return dtype, tuple(shape), begin, end


class _Reader:
    """Reads one tensor at a time from the open file into a fresh array."""

    def __init__(self, f: BinaryIO, path: str, data_start: int, entries: dict) -> None:
        self.f, self.path, self.data_start, self.entries = f, path, data_start, entries

    def array(self, name: str) -> np.ndarray:
        dtype, shape, begin = self.entries[name]
        array = np.empty(shape, dtype)
        view = memoryview(array.reshape(-1).view(np.uint8))
        self.f.seek(self.data_start + begin)
        if self.f.readinto(view) != len(view):  # the file shrank while being read
            raise ValueError(f"shendu.load: {self.path!r} is truncated inside tensor {name!r}")
        return array


def _parse_document(text: str, path: str) -> Any:
    try:
        document = json.loads(text)
        version = document["version"]
        root = document["root"]
    except (json.JSONDecodeError, TypeError, KeyError) as err:
        raise ValueError(f"shendu.load: {path!r} has corrupt '{_METADATA_KEY}' metadata "
                         f"({type(err).__name__}: {err})") from None
    if version != FORMAT_VERSION:
        raise ValueError(f"shendu.load: {path!r} is in shendu file format {version!r}; this "
                         f"version of shendu reads format {FORMAT_VERSION} (upgrade shendu)")
    return root


class _Decoder:
    """Rebuilds the structure from a JSON node, reading the tensors it names."""

    def __init__(self, reader: _Reader, as_tensors: bool) -> None:
        self.reader, self.as_tensors = reader, as_tensors

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if isinstance(node, dict) and node:
            return self._tagged(node)
        raise self._corrupt(f"unexpected node {node!r}")

    def _tagged(self, node: dict) -> Any:
        tag = next(iter(node))  # save writes the tag first
        body = node[tag]
        if tag == "dict" and isinstance(body, list):
            return self._dict(body)
        if tag == "tuple" and isinstance(body, list):
            return tuple(self.decode(item) for item in body)
        if tag == "float" and isinstance(body, str) and body in _NONFINITE:
            return _NONFINITE[body]
        if tag == "scalar" and isinstance(body, str) and body in _SCALAR_TYPES:
            return self._scalar(body, node.get("value"))
        if tag in ("tensor", "ndarray") and isinstance(body, str):
            return self._array(tag, body, node)
        raise self._corrupt(f"unexpected node {str(node)[:200]}")

    def _dict(self, pairs: list) -> dict:
        out = {}
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) in (str, int)):
                raise self._corrupt(f"a dict item must be [key, value], got {str(pair)[:200]}")
            out[pair[0]] = self.decode(pair[1])
        return out

    def _scalar(self, dtype_name: str, value: Any) -> np.generic:
        value = self.decode(value)
        if type(value) not in (bool, int, float):
            raise self._corrupt(f"a {dtype_name} scalar holds {value!r}")
        try:
            return _SCALAR_TYPES[dtype_name](value)
        except (OverflowError, ValueError) as err:
            raise self._corrupt(f"a {dtype_name} scalar holds {value!r} ({err})") from None

    def _array(self, tag: str, name: str, node: dict) -> Tensor | np.ndarray:
        if name not in self.reader.entries:
            raise self._corrupt(f"it refers to a tensor {name!r} the file does not hold")
        array = self.reader.array(name)
        if tag == "ndarray" or not self.as_tensors:
            return array
        t = from_numpy(array)
        if node.get("requires_grad") is True and array.dtype.kind == "f":
            t.requires_grad_(True)
        return t

    def _corrupt(self, what: str) -> ValueError:
        return ValueError(f"shendu.load: {self.reader.path!r} has corrupt '{_METADATA_KEY}' "
                          f"metadata: {what}")


def _wrap(array: np.ndarray, as_tensors: bool) -> Tensor | np.ndarray:
    return from_numpy(array) if as_tensors else array


# ------------------------------------------------------------ recognising other formats
def _not_safetensors(f: BinaryIO, path: str, size: int) -> str:
    """Why the file at ``path`` is not a safetensors file, as precisely as its first bytes
    tell. Only magic numbers and (for zips) the list of member names are read."""
    f.seek(0)
    head = f.read(16)
    where = f"shendu.load: {path!r}"
    never = ("shendu never unpickles files, because unpickling can run arbitrary code")
    if size == 0:
        return f"{where} is empty (0 bytes); was the copy or download interrupted?"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return (f"{where} is a pickle file, not a safetensors checkpoint; {never}. If you trust "
                "its source, load it with the program that wrote it and save the arrays with "
                "shendu.save (or safetensors)")
    if head[:2] == b"PK":
        return f"{where} is {_zip_kind(f)}, not a safetensors checkpoint; {never}"
    if head[:6] == b"\x93NUMPY":
        return (f"{where} is a NumPy .npy file, not a safetensors checkpoint; read it with "
                "numpy.load (allow_pickle=False) and save the array with shendu.save")
    if head[:8] == b"\x89HDF\r\n\x1a\n":
        return f"{where} is an HDF5 file (a Keras .h5?), not a safetensors checkpoint"
    if head[:2] == b"\x1f\x8b":
        return f"{where} is gzip-compressed; decompress it first"
    if size < 9:
        return f"{where} is too short ({size} bytes) to be a safetensors file"
    return (f"{where} is not a safetensors file (it does not start with an 8-byte header "
            f"length and a JSON header; first bytes: {head!r}); if it is a pickle, {never}")


def _zip_kind(f: BinaryIO) -> str:
    """What a zip archive most likely is, from its member names (nothing is extracted)."""
    try:
        names = zipfile.ZipFile(f).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a zip archive"
    if any(name.endswith("data.pkl") for name in names):
        return ("a PyTorch checkpoint (torch.save), which holds a pickle; in PyTorch, load it "
                "with torch.load(path, weights_only=True) and write it with "
                "safetensors.torch.save_file")
    if names and all(name.endswith(".npy") for name in names):
        return ("a NumPy .npz archive; read it with numpy.load (allow_pickle=False) and save "
                "the arrays with shendu.save")
    return "a zip archive"


# ================================================================================= atomic writes
def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one, whole,
    even if this process is killed or the machine loses power at any moment.

    The data goes to a temporary file beside ``path``, which is flushed, fsynced and renamed
    onto ``path``; the directory is fsynced after. The new file keeps an existing file's
    permissions (a new one gets the usual ``0o666 & ~umask``). On any error the temporary file
    is removed and ``path`` is untouched.
    """
    with _atomic_file(path) as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode(encoding))


@contextmanager
def _atomic_file(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file object whose content replaces ``path`` when the block ends normally."""
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"cannot write {path!r}: the directory {directory!r} does not "
                                "exist")
    _remove_stale_temporaries(directory, name)
    fd, temporary = _create_temporary(directory, name)
    try:
        with open(fd, "wb", closefd=False) as f:
            yield f
        _copy_mode(path, fd)
        os.fsync(fd)
        if os.name == "nt":  # Windows cannot rename a file that is open
            os.close(fd)
            fd = None
        os.replace(temporary, path)
    except BaseException:
        _remove_quietly(temporary)
        raise
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock, after the rename on POSIX
    _fsync_directory(directory)


def _temporary_pattern(name: str) -> re.Pattern:
    return re.compile(re.escape(f".{name}.tmp-") + "[0-9a-f]{16}")


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    """Create and lock a new temporary file for target ``name``; return its fd and path."""
    while True:
        temporary = os.path.join(directory, f".{name}.tmp-{secrets.token_hex(8)}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(temporary, flags, 0o666)  # the umask applies, as for open()
        except FileExistsError:
            continue
        # Between open and lock another process's cleanup may have taken it for stale and
        # removed it: then it has no links left, and we start again.
        if _lock(fd) != "busy" and os.fstat(fd).st_nlink > 0:
            return fd, temporary
        os.close(fd)


def _lock(fd: int) -> str:
    """Try to lock ``fd`` exclusively without waiting: "locked", "busy" (another process holds
    it) or "unsupported" (no flock on this platform or file system)."""
    if fcntl is None:
        return "unsupported"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "busy"
    except OSError:
        return "unsupported"
    return "locked"


def _remove_stale_temporaries(directory: str, name: str) -> None:
    """Remove the temporaries of target ``name`` that no live writer holds (each writer locks
    its own; a killed process's lock is gone with it)."""
    pattern = _temporary_pattern(name)
    try:
        candidates = [e.path for e in os.scandir(directory) if pattern.fullmatch(e.name)]
    except OSError:
        return
    for temporary in candidates:
        try:
            fd = os.open(temporary, os.O_RDONLY)
        except OSError:
            continue  # already gone
        try:
            if fcntl is None:  # Windows: removing a file that a writer has open fails
                os.close(fd)
                fd = None
                os.remove(temporary)
            elif _lock(fd) == "locked":
                os.remove(temporary)
        except OSError:
            pass
        finally:
            if fd is not None:
                os.close(fd)


def _copy_mode(path: str, fd: int) -> None:
    """Give the temporary file the permissions of the file it replaces, if any."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on directories
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
