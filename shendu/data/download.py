"""Downloading data files into a cache directory, with SHA-256 checks, and unpacking archives.

Files go into :func:`data_home` (``$SHENDU_DATA``, else ``~/.cache/shendu``) or a folder the
caller names. A download is streamed to a temporary file beside its destination, hashed while
it streams, and moved into place with ``os.replace`` only when its SHA-256 is the expected one,
so a file at its final name is always whole: an interrupted or corrupt download leaves nothing
behind. Archives are unpacked the same way (into a temporary folder, then moved into place),
and a member whose path would land outside the destination is refused.

Only ``urllib`` from the standard library is used; a progress bar is shown when ``tqdm`` is
installed.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

_CHUNK = 1 << 20  # bytes read per network or disk read
_USER_AGENT = "shendu (https://pypi.org/project/shendu/)"


class DownloadError(OSError):
    """A file could not be fetched (network error, HTTP error, timeout) or the bytes fetched
    are not the expected ones (SHA-256 mismatch)."""


def data_home() -> Path:
    """The cache directory for downloaded data sets: ``$SHENDU_DATA`` when set and not empty,
    else ``~/.cache/shendu``. It is not created here (:func:`download` creates it)."""
    env = os.environ.get("SHENDU_DATA", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "shendu"


def sha256sum(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes as 64 lowercase hex digits, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, root: str | os.PathLike | None = None, sha256: str | None = None,
             filename: str | None = None, progress: bool = True,
             timeout: float = 30.0) -> Path:
    """Fetch ``url`` into ``root/filename`` unless a file with the expected SHA-256 is there.

    Args:
        url: an ``http://`` or ``https://`` address.
        root: the destination folder (created if needed); default :func:`data_home`.
        sha256: the expected SHA-256 (64 hex digits). When given, a file already present is
            kept only if it matches, and a fetched file is kept only if it matches. When
            ``None`` a present file is kept as is and a fetched one is not checked.
        filename: the name to save under; default the last part of the URL's path.
        progress: show a progress bar on stderr when ``tqdm`` is importable.
        timeout: seconds to wait for the server to connect or send the next bytes.

    Returns:
        The path of the verified file.

    Raises:
        DownloadError: the server could not be reached, answered with an HTTP error, stopped
            sending, or sent bytes whose SHA-256 is not ``sha256`` (the partial file is
            deleted in every case).
        ValueError: the URL is not http(s), or ``sha256`` is not 64 hex digits.
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise ValueError(f"download: expected an http:// or https:// URL, got {url!r}")
    expected = _check_sha256_arg(sha256)
    root = Path(root).expanduser() if root is not None else data_home()
    filename = filename or _filename_from_url(url)
    path = root / filename
    if path.is_file() and (expected is None or sha256sum(path) == expected):
        return path
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=f".{filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            got = _fetch(url, out, timeout, progress, filename, root)
            out.flush()
            os.fsync(out.fileno())
        if expected is not None and got != expected:
            raise DownloadError(f"download: the file fetched from {url} has SHA-256 {got}, "
                                f"expected {expected}; it was deleted. The server may serve "
                                f"a changed or damaged file: try again later, or place a "
                                f"verified copy at {path}")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # gone already after os.replace
    return path


def download_from_mirrors(mirrors: Sequence[str], filename: str,
                          root: str | os.PathLike | None = None, sha256: str | None = None,
                          progress: bool = True, timeout: float = 30.0) -> Path:
    """Fetch ``filename`` from the first of ``mirrors`` (base URLs ending in ``/``) that
    serves it with the expected SHA-256; raise one :class:`DownloadError` listing every
    mirror's failure when none does."""
    failures = []
    for base in mirrors:
        try:
            return download(base + filename, root, sha256=sha256, filename=filename,
                            progress=progress, timeout=timeout)
        except DownloadError as err:
            failures.append(str(err))
    folder = Path(root).expanduser() if root is not None else data_home()
    raise DownloadError(f"could not download {filename} from any of {len(failures)} "
                        f"mirror(s):\n  " + "\n  ".join(failures) +
                        f"\nWhen offline, copy {filename} into {folder} by hand.")


def extract_archive(path: str | os.PathLike, dest: str | os.PathLike | None = None) -> Path:
    """Unpack a ``.tar.gz``/``.tgz``/``.tar``/``.zip`` archive into ``dest`` (default: the
    archive's folder) and return ``dest``.

    The archive is unpacked into a temporary folder inside ``dest`` first and each top-level
    entry is then moved into place (replacing an entry of the same name), so an interrupted
    extraction leaves no half-written files under their final names. Tar archives are read
    with the ``'data'`` filter: absolute paths, ``..``, links leaving the folder and device
    files are refused. Zip member names are checked to stay inside the folder.

    Raises:
        ValueError: the archive type is not one of the above, the archive is damaged, or a
            member would be written outside ``dest``.
    """
    path = Path(path)
    dest = Path(dest) if dest is not None else path.parent
    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest, prefix=".extract-"))
    try:
        try:
            _extract_into(path, staging)
        except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error) as err:
            raise ValueError(f"extract_archive: {path} is truncated or not a valid archive "
                             f"({err}); delete it and download it again") from err
        for entry in staging.iterdir():
            _replace(entry, dest / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


# --------------------------------------------------------------------------------- helpers
def _check_sha256_arg(sha256: str | None) -> str | None:
    if sha256 is None:
        return None
    value = sha256.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise ValueError(f"download: sha256 must be 64 hex digits, got {sha256!r}")
    return value


def _filename_from_url(url: str) -> str:
    name = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name
    if not name:
        raise ValueError(f"download: the URL {url!r} names no file; pass filename=")
    return name


def _fetch(url: str, out, timeout: float, progress: bool, filename: str, root: Path) -> str:
    """Stream ``url`` into the open file ``out``; return the SHA-256 of the bytes written."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    offline_hint = (f"If this machine is offline, download the file elsewhere and copy it to "
                    f"{root / filename}")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            bar = _progress_bar(total, filename) if progress else None
            received = 0
            try:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
        if total is not None and received != total:
            raise DownloadError(f"download: {url} sent {received} bytes, but announced "
                                f"{total}; the connection was cut. {offline_hint}")
    except urllib.error.HTTPError as err:
        raise DownloadError(f"download: {url} answered HTTP {err.code} {err.reason}. "
                            f"{offline_hint}") from err
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError,
            ConnectionError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(f"download: could not fetch {url} ({reason}). "
                            f"{offline_hint}") from err
    return digest.hexdigest()


def _progress_bar(total: int | None, filename: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=filename,
                leave=False)


def _extract_into(path: Path, folder: Path) -> None:
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):
                try:
                    tar.extractall(folder, filter="data")
                except tarfile.FilterError as err:
                    raise ValueError(f"extract_archive: {path} has an unsafe member, refusing "
                                     f"to extract it ({err})") from err
            else:  # Python < 3.10.12 / 3.11.4: check the members ourselves
                for member in tar.getmembers():
                    _check_tar_member(member, folder, path)
                tar.extractall(folder)
    elif name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                _check_inside(folder, member, path)
            archive.extractall(folder)
    else:
        raise ValueError(f"extract_archive: {path} is not a .tar.gz, .tgz, .tar or .zip "
                         f"archive")


def _check_inside(folder: Path, member: str, archive: Path) -> None:
    target = (folder / member).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ValueError(f"extract_archive: {archive} has a member {member!r} that would be "
                         f"written outside {folder}; refusing to extract it")


def _check_tar_member(member: tarfile.TarInfo, folder: Path, archive: Path) -> None:
    _check_inside(folder, member.name, archive)
    if member.issym() or member.islnk() or member.isdev():
        raise ValueError(f"extract_archive: {archive} has a link or device member "
                         f"{member.name!r}; refusing to extract it")


def _replace(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, removing what is at ``target`` first."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()
    os.replace(source, target)
