"""``shendu.data.download``: downloads from a local HTTP server on 127.0.0.1 (never the internet),
SHA-256 checks, atomic placement, errors that name the URL, the cache directory, archives."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import socket
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from shendu.data.download import (
    DownloadError,
    data_home,
    download,
    download_from_mirrors,
    extract_archive,
    sha256sum,
)


@contextlib.contextmanager
def serve_directory(directory: Path):
    """Serve ``directory`` over HTTP on 127.0.0.1 in a thread; yields ``(base_url, paths)``
    where ``paths`` records every GET request. ``/cut`` announces 100 bytes and sends 10;
    ``/slow`` waits 1 s, then closes without answering."""
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, *args):  # keep the test output clean
            pass

        def do_GET(self):
            requests.append(self.path)
            if self.path == "/cut":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.write(b"x" * 10)
                self.close_connection = True
                return
            if self.path == "/slow":  # the client gives up first; answer nothing
                time.sleep(1.0)
                self.close_connection = True
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """A proxy set in the environment must not see requests to the local server."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def served(tmp_path):
    """A served folder holding ``data.bin`` (1000 known bytes); yields
    ``(base_url, requests, served_dir, payload)``."""
    served_dir = tmp_path / "served"
    served_dir.mkdir()
    payload = bytes(range(256)) * 3 + b"shendu" * 37
    (served_dir / "data.bin").write_bytes(payload)
    with serve_directory(served_dir) as (url, requests):
        yield url, requests, served_dir, payload


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_success_places_verified_file_and_no_temporary(served, tmp_path):
    url, requests, _, payload = served
    root = tmp_path / "cache" / "deeper"  # created on demand
    path = download(url + "data.bin", root, sha256=sha(payload), progress=False)
    assert path == root / "data.bin"
    assert path.read_bytes() == payload
    assert sha256sum(path) == sha(payload)
    assert sorted(p.name for p in root.iterdir()) == ["data.bin"]  # no .part left
    assert requests == ["/data.bin"]


def test_download_with_progress_bar_and_other_filename(served, tmp_path, capsys):
    pytest.importorskip("tqdm")
    url, _, _, payload = served
    path = download(url + "data.bin", tmp_path, sha256=sha(payload).upper(),
                    filename="renamed.bin", progress=True)
    assert path.name == "renamed.bin" and path.read_bytes() == payload


def test_checksum_mismatch_raises_and_leaves_nothing(served, tmp_path):
    url, _, _, payload = served
    wrong = sha(b"something else")
    root = tmp_path / "cache"
    with pytest.raises(DownloadError) as info:
        download(url + "data.bin", root, sha256=wrong, progress=False)
    message = str(info.value)
    assert wrong in message and sha(payload) in message and url + "data.bin" in message
    assert list(root.iterdir()) == []


def test_http_404_names_the_url_and_says_to_copy_by_hand(served, tmp_path):
    url, _, _, _ = served
    with pytest.raises(DownloadError) as info:
        download(url + "absent.gz", tmp_path / "cache", progress=False)
    message = str(info.value)
    assert "404" in message and url + "absent.gz" in message
    assert "offline" in message and str(tmp_path / "cache" / "absent.gz") in message
    assert list((tmp_path / "cache").iterdir()) == []


def test_connection_refused_is_a_download_error(tmp_path):
    with socket.socket() as s:  # a port nobody listens on once this socket is closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/file.bin"
    with pytest.raises(DownloadError, match="could not fetch .*file.bin"):
        download(url, tmp_path, progress=False, timeout=5)
    assert list(tmp_path.iterdir()) == []


def test_cut_connection_and_timeout_leave_nothing(served, tmp_path):
    url, _, _, _ = served
    root = tmp_path / "cache"
    with pytest.raises(DownloadError, match="cut"):
        download(url + "cut", root, progress=False)
    with pytest.raises(DownloadError, match="slow"):
        download(url + "slow", root, progress=False, timeout=0.2)
    assert list(root.iterdir()) == []


def test_present_file_with_right_checksum_is_not_downloaded_again(served, tmp_path):
    url, requests, _, payload = served
    (tmp_path / "data.bin").write_bytes(payload)
    path = download(url + "data.bin", tmp_path, sha256=sha(payload), progress=False)
    assert path.read_bytes() == payload and requests == []
    # without a checksum a present file is taken as it is
    (tmp_path / "other.bin").write_bytes(b"local")
    assert download(url + "other.bin", tmp_path, progress=False).read_bytes() == b"local"
    assert requests == []


def test_present_file_with_wrong_checksum_is_replaced(served, tmp_path):
    url, requests, _, payload = served
    (tmp_path / "data.bin").write_bytes(b"stale or damaged")
    path = download(url + "data.bin", tmp_path, sha256=sha(payload), progress=False)
    assert path.read_bytes() == payload and requests == ["/data.bin"]


def test_shendu_data_is_honoured(served, tmp_path, monkeypatch):
    url, _, _, payload = served
    monkeypatch.setenv("SHENDU_DATA", str(tmp_path / "mycache"))
    assert data_home() == tmp_path / "mycache"
    path = download(url + "data.bin", sha256=sha(payload), progress=False)
    assert path == tmp_path / "mycache" / "data.bin" and path.read_bytes() == payload


def test_data_home_default_is_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("SHENDU_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_home() == tmp_path / ".cache" / "shendu"
    monkeypatch.setenv("SHENDU_DATA", "")  # empty means unset
    assert data_home() == tmp_path / ".cache" / "shendu"
    monkeypatch.setenv("SHENDU_DATA", "~/data")
    assert data_home() == tmp_path / "data"


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="http"):
        download("ftp://example.org/file", tmp_path)
    with pytest.raises(ValueError, match="http"):
        download("file:///etc/passwd", tmp_path)
    with pytest.raises(ValueError, match="64 hex digits"):
        download("http://127.0.0.1/x", tmp_path, sha256="abc")
    with pytest.raises(ValueError, match="names no file"):
        download("http://127.0.0.1/", tmp_path, sha256=None)


def test_mirrors_fall_through_and_report_every_failure(served, tmp_path):
    url, requests, served_dir, payload = served
    (served_dir / "sub").mkdir()
    (served_dir / "sub" / "data.bin").write_bytes(payload)
    # the first mirror lacks the file, the second serves it
    path = download_from_mirrors([url + "nowhere/", url + "sub/"], "data.bin", tmp_path,
                                 sha256=sha(payload), progress=False)
    assert path.read_bytes() == payload
    assert requests == ["/nowhere/data.bin", "/sub/data.bin"]
    # both mirrors serve other bytes than pinned: one error naming both, and the folder
    with pytest.raises(DownloadError) as info:
        download_from_mirrors([url, url + "sub/"], "data.bin", tmp_path / "b",
                              sha256=sha(b"pinned"), progress=False)
    message = str(info.value)
    assert message.count("SHA-256") == 2 and str(tmp_path / "b") in message
    assert list((tmp_path / "b").iterdir()) == []


# ---------------------------------------------------------------------------------- archives
def make_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_extract_tar_gz_and_zip(tmp_path):
    archive = make_tar(tmp_path / "a.tar.gz", {"top/x.bin": b"xx", "top/sub/y.txt": b"y"})
    dest = extract_archive(archive, tmp_path / "out")
    assert (dest / "top" / "x.bin").read_bytes() == b"xx"
    assert (dest / "top" / "sub" / "y.txt").read_bytes() == b"y"
    assert sorted(p.name for p in dest.iterdir()) == ["top"]  # no staging folder left
    # extracting again replaces the folder (a stale file in it is gone)
    (dest / "top" / "stale").write_bytes(b"old")
    extract_archive(archive, dest)
    assert not (dest / "top" / "stale").exists() and (dest / "top" / "x.bin").is_file()

    with zipfile.ZipFile(tmp_path / "b.zip", "w") as z:
        z.writestr("folder/z.txt", "zed")
    assert (extract_archive(tmp_path / "b.zip") / "folder" / "z.txt").read_text() == "zed"


def test_extract_refuses_members_outside_the_folder(tmp_path):
    archive = make_tar(tmp_path / "evil.tar.gz", {"ok.txt": b"ok", "../escape.txt": b"bad"})
    dest = tmp_path / "out"
    with pytest.raises(ValueError, match="evil.tar.gz"):
        extract_archive(archive, dest)
    assert not (tmp_path / "escape.txt").exists()
    assert list(dest.iterdir()) == []  # nothing half-extracted

    link = tmp_path / "link.tar.gz"
    with tarfile.open(link, "w:gz") as tar:
        info = tarfile.TarInfo("passwd")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="link.tar.gz"):
        extract_archive(link, tmp_path / "lout")
    assert list((tmp_path / "lout").iterdir()) == []

    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as z:
        z.writestr("../escape.txt", "bad")
    with pytest.raises(ValueError, match="outside"):
        extract_archive(tmp_path / "evil.zip", tmp_path / "zout")
    assert not (tmp_path / "escape.txt").exists()


def test_extract_absolute_member_never_lands_outside(tmp_path):
    """The 'data' filter strips the leading slash (older Pythons refuse the member)."""
    archive = make_tar(tmp_path / "abs.tar.gz", {"/abs/escape.txt": b"bad"})
    dest = tmp_path / "out"
    try:
        extract_archive(archive, dest)
    except ValueError:
        assert list(dest.iterdir()) == []
    else:
        assert (dest / "abs" / "escape.txt").read_bytes() == b"bad"
    assert not Path("/abs/escape.txt").exists()


def test_extract_damaged_or_unknown_archive(tmp_path):
    archive = make_tar(tmp_path / "a.tar.gz", {"x.bin": bytes(5000)})
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[:40])
    with pytest.raises(ValueError, match="cut.tar.gz.*truncated or not a valid archive"):
        extract_archive(cut, tmp_path / "out")
    (tmp_path / "x.rar").write_bytes(b"rar")
    with pytest.raises(ValueError, match=r"x.rar is not a \.tar\.gz"):
        extract_archive(tmp_path / "x.rar")


def test_extract_checks_members_itself_where_tarfile_has_no_data_filter(tmp_path, monkeypatch):
    """Pythons before 3.10.12 / 3.11.4 lack tarfile's 'data' filter: the fallback checks."""
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    good = make_tar(tmp_path / "good.tar.gz", {"d/x.bin": b"x"})
    assert (extract_archive(good, tmp_path / "out") / "d" / "x.bin").read_bytes() == b"x"
    for name in ("../escape.txt", "/abs/escape.txt"):
        evil = make_tar(tmp_path / "evil.tar.gz", {name: b"bad"})
        with pytest.raises(ValueError, match="outside"):
            extract_archive(evil, tmp_path / "out2")
    link = tmp_path / "link.tar.gz"
    with tarfile.open(link, "w:gz") as tar:
        info = tarfile.TarInfo("passwd")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="link or device"):
        extract_archive(link, tmp_path / "out3")
    assert not (tmp_path / "escape.txt").exists() and list((tmp_path / "out3").iterdir()) == []
