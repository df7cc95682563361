"""The service under hostile clients, on loopback: idle and trickling sockets, huge heads.

Every loop here is bounded in count and time, and talks only to a server this test started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from exporter.batch import export
from exporter.service.server import Guard, GuardedProtocol
from tests.service_client import ROOT, SOURCE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listening on {port} after {seconds} s")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile-site")
    shutil.copy(SOURCE, base / "hsct.md")
    results = export(base / "hsct.md", base / "output", ["html", "epub"])
    assert all(r.ok for r in results)
    return base


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[int]:
    """`exporter serve` itself, as users start it, on a free loopback port."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "exporter", "serve", "hsct.md", "-o", "output", "--port",
         str(port), "--cache", "cache"], cwd=site, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        _wait_for(port)
        yield port
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _idle(port: int, n: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]


def _trickling(port: int, n: int, stop: threading.Event) -> tuple[list[socket.socket],
                                                                  threading.Thread]:
    """n connections that send a request head one byte every 0.3 s (never finishing)."""
    socks = _idle(port, n)
    for s in socks:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")

    def drip() -> None:
        for _ in range(200):  # at most 60 s
            if stop.wait(0.3):
                return
            for s in socks:
                with contextlib.suppress(OSError):
                    s.sendall(b"X")

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    return socks, thread


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0.01)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except OSError:
        return True


def test_150_idle_and_slow_sockets_do_not_lock_out_a_normal_request(served: int) -> None:
    stop = threading.Event()
    idle = _idle(served, 75)
    slow, thread = _trickling(served, 75, stop)
    try:
        time.sleep(0.5)
        for path in ("/", "/files/hsct.html", "/api/files"):
            started = time.monotonic()
            r = httpx.get(f"http://127.0.0.1:{served}{path}", timeout=2.0)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
            assert time.monotonic() - started < 2.0
    finally:
        stop.set()
        thread.join(5)
        for s in idle + slow:
            s.close()


def test_slow_and_idle_sockets_are_closed_after_the_header_time_out(served: int) -> None:
    from exporter.service.server import HEADER_TIMEOUT

    stop = threading.Event()
    idle = _idle(served, 5)
    slow, thread = _trickling(served, 5, stop)
    try:
        deadline = time.monotonic() + HEADER_TIMEOUT + 5
        while time.monotonic() < deadline and not all(_closed_by_server(s) for s in idle + slow):
            time.sleep(0.25)
        assert all(_closed_by_server(s) for s in idle + slow)
    finally:
        stop.set()
        thread.join(5)
        for s in idle + slow:
            s.close()


def test_a_huge_request_head_is_refused(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            for _ in range(40):  # 40 x 1 KiB of headers: over the 16 KiB limit
                s.sendall(b"X-Filler: " + b"a" * 1012 + b"\r\n")
        except OSError:
            pass  # the server may close while we are still sending
        answer = b""
        try:
            while chunk := s.recv(4096):
                answer += chunk
        except OSError:
            pass
    assert answer.startswith(b"HTTP/1.1 431"), answer[:80]


# ---------------------------------------------------------------- the guard's caps, in-process


@pytest.fixture
def small_server(site: Path) -> Iterator[tuple[int, Guard]]:
    """The real app behind a guard with small caps and a 1 s head time-out, in a thread."""
    import asyncio

    import uvicorn

    from exporter.service.app import create_app

    guard = Guard(header_timeout=1.0, max_connections=20)
    app = create_app(site / "output", site / "hsct.md", site / "cache-small", writers=["html"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                          http=guard.protocol()))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    _wait_for(port)
    try:
        yield port, guard
    finally:
        server.should_exit = True
        thread.join(10)


def test_at_the_cap_the_longest_idle_connection_makes_room(
        small_server: tuple[int, Guard]) -> None:
    port, guard = small_server
    idle = _idle(port, 40)  # twice the cap
    try:
        time.sleep(0.2)
        r = httpx.get(f"http://127.0.0.1:{port}/files/hsct.html", timeout=2.0)
        assert r.status_code == 200
        assert guard.displaced >= 20
        assert len(guard.open) <= guard.max_connections
        assert sum(_closed_by_server(s) for s in idle[:10]) == 10  # the oldest went first
    finally:
        for s in idle:
            s.close()


def test_per_client_cap_leaves_loopback_alone() -> None:
    guard = Guard(max_per_client=2)
    bound = guard.protocol()
    assert issubclass(bound, GuardedProtocol) and bound.guard is guard
    from exporter.service.server import _is_loopback

    assert _is_loopback("127.0.0.1") and _is_loopback("::1")
    assert not _is_loopback("192.0.2.10") and not _is_loopback("")


# ---------------------------------------------------------------- behind nginx (deploy/)


@pytest.fixture(scope="module")
def behind_nginx(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """deploy/nginx.conf, as shipped but for ports and paths, in front of `exporter serve`."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if nginx is None:
        pytest.skip("nginx is not installed (make setup-test installs it)")
    work = tmp_path_factory.mktemp("nginx")
    app_port, port = _free_port(), _free_port()
    site_conf = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in (("127.0.0.1:8000", f"127.0.0.1:{app_port}"),
                     ("listen 80;", f"listen 127.0.0.1:{port};"),
                     ("/srv/hsct/output/", f"{site / 'output'}/"),
                     ("/etc/nginx/exporter_proxy_params",
                      str(ROOT / "deploy" / "exporter_proxy_params"))):
        assert old in site_conf
        site_conf = site_conf.replace(old, new)
    (work / "site.conf").write_text(site_conf)
    temps = " ".join(f"{kind}_temp_path {work / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"user root;\nworker_processes 1;\ndaemon off;\npid {work / 'nginx.pid'};\n"
        f"error_log {work / 'error.log'};\nevents {{ worker_connections 1024; }}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temps}\n"
        f"include {work / 'site.conf'}; }}\n")
    service = subprocess.Popen(
        [sys.executable, "-m", "exporter", "serve", "hsct.md", "-o", "output", "--port",
         str(app_port), "--cache", "cache-nginx", "--allowed-host", "downloads.example.org"],
        cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    proxy = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(app_port)
        _wait_for(port)
        yield port
    finally:
        for proc in (proxy, service):
            proc.send_signal(signal.SIGTERM if proc is proxy else signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_nginx_config_serves_files_itself_and_proxies_the_rest(behind_nginx: int,
                                                               site: Path) -> None:
    base = f"http://127.0.0.1:{behind_nginx}"
    host = {"Host": "downloads.example.org"}
    page = httpx.get(f"{base}/", headers=host, timeout=5)
    assert page.status_code == 200 and "hsct.html" in page.text  # from the service
    listed = httpx.get(f"{base}/api/files", headers=host, timeout=5).json()
    assert {f["file"] for f in listed["files"]} >= {"hsct.html", "hsct.epub"}
    html = httpx.get(f"{base}/files/hsct.html", headers=host, timeout=5)
    assert html.status_code == 200
    assert html.content == (site / "output" / "hsct.html").read_bytes()
    assert "sandbox" in html.headers["content-security-policy"]
    assert html.headers["content-disposition"] == "inline"
    assert html.headers["x-content-type-options"] == "nosniff"
    epub = httpx.get(f"{base}/files/hsct.epub", headers=host, timeout=5)
    assert epub.headers["content-type"] == "application/epub+zip"
    assert epub.headers["content-disposition"] == "attachment"
    (site / "output" / ".staging-html-x").mkdir(exist_ok=True)
    (site / "output" / ".staging-html-x" / "half.html").write_text("half")
    assert httpx.get(f"{base}/files/.staging-html-x/half.html", headers=host,
                     timeout=5).status_code == 404
    assert httpx.get(f"{base}/files/../hsct.md", headers=host, timeout=5).status_code in (
        400, 404)
    shutil.rmtree(site / "output" / ".staging-html-x")


def test_nginx_config_gives_each_file_the_type_its_writer_declares() -> None:
    import re

    from exporter import registry

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    block = re.search(r"types \{(.*?)\}", conf, re.DOTALL)
    assert block is not None
    types = {ext: kind for kind, *exts in (line.split() for line in
                                          block.group(1).strip().rstrip(";").split(";"))
             for ext in exts}
    inline = re.search(r"~\\.\((.*?)\)\$\s+inline", conf)
    assert inline is not None
    for name in ("html", "pdf", "docx", "epub", "audio"):
        for kind in registry.get(name).files:
            ext = kind.suffix.lstrip(".")
            assert types.get(ext) == kind.media_type.split(";")[0], ext
            assert (ext in inline.group(1).split("|")) == kind.inline, ext


def test_nginx_holds_150_idle_sockets_without_locking_anyone_out(behind_nginx: int) -> None:
    idle = _idle(behind_nginx, 150)
    try:
        started = time.monotonic()
        r = httpx.get(f"http://127.0.0.1:{behind_nginx}/files/hsct.html",
                      headers={"Host": "downloads.example.org"}, timeout=2.0)
        assert r.status_code == 200 and time.monotonic() - started < 2.0
    finally:
        for s in idle:
            s.close()
