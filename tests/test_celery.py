"""Batch export on Celery workers through a real Redis broker: the same bytes as a local
export, nothing lost when a worker is killed in the middle of a job, one clear line when the
broker cannot be reached, no pickle, and the service building requested files on the workers.

Needs Debian's redis-server (`make test` installs it); each test's Redis runs on a free
loopback port with persistence off, and the workers are real `exporter worker` processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
IN_CI = os.environ.get("CI", "").lower() == "true"
EPOCH = "1700000000"
#: Short enough for a test: a job taken by a killed worker goes back to the queue after
#: this many seconds (the default is 600), and workers look for such jobs every second.
WORKER_ENV = {"EXPORTER_VISIBILITY_TIMEOUT": "8", "EXPORTER_RESTORE_INTERVAL": "1"}
#: Four pages, one with a picture, one in Welsh; two link to corpus pages outside the export.
PAGES = [FIXTURES / "collection", FIXTURES / "pages" / "blue-badge-figure-steps.md",
         FIXTURES / "pages" / "welsh-language-cy.md"]


def require_redis() -> None:
    if Path(REDIS).is_file():
        return
    if IN_CI:
        pytest.fail("redis-server is not installed (CI=true: run `make test`, which installs it)")
    pytest.skip("redis-server is not installed; `make test` installs it")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_redis()
    import redis

    port = free_port()
    log = (tmp_path_factory.mktemp("redis") / "redis.log").open("w")
    proc = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--daemonize", "no"], stdout=log,
                            stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            assert proc.poll() is None, "redis-server stopped at once"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@dataclass
class Worker:
    """An `exporter worker` process (with its pool's processes, in its own session)."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, pattern: str, seconds: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while True:
            found = re.search(pattern, self.log())
            if found:
                return found
            assert self.proc.poll() is None, f"{self.name} stopped:\n{self.log()[-3000:]}"
            assert time.monotonic() < deadline, f"{self.name}: no {pattern!r}:\n{self.log()}"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def start_workers(broker: str, folder: Path, names: tuple[str, ...] = ("one", "two")
                  ) -> list[Worker]:
    workers = []
    for name in names:
        home = folder / name
        home.mkdir(parents=True)
        log = home / "worker.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "exporter", "worker", "--broker", broker, "-c", "1",
                 "--name", f"{name}@test", "--cache", str(home / "cache")],
                cwd=home, stdout=out, stderr=subprocess.STDOUT, env=env(**WORKER_ENV),
                start_new_session=True)
        workers.append(Worker(name, proc, log))
    for w in workers:
        w.wait_for(r"ready\.")
    return workers


@pytest.fixture(scope="module")
def workers(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Worker]]:
    started = start_workers(f"{redis_url}/0", tmp_path_factory.mktemp("workers"))
    yield started
    for w in started:
        w.stop()


def export(out: Path, *args: str, broker: str | None = None,
           sources: list[Path] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "exporter", "export", *map(str, sources or PAGES),
               "-o", str(out), *args]
    if broker:
        command += ["--broker", broker]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=env(SOURCE_DATE_EPOCH=EPOCH))


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- the tests


def test_two_workers_make_the_same_bytes_as_a_local_export(workers: list[Worker],
                                                           redis_url: str,
                                                           tmp_path: Path) -> None:
    local = export(tmp_path / "local", "--to", "all", "-j", "2")
    assert local.returncode == 0, local.stderr[-3000:]
    remote = export(tmp_path / "remote", "--to", "all", broker=f"{redis_url}/0")
    assert remote.returncode == 0, remote.stderr[-3000:]
    here, there = contents(tmp_path / "local"), contents(tmp_path / "remote")
    assert sorted(here) == sorted(there)
    differ = [name for name in here if here[name] != there[name]]
    assert not differ, f"not byte-identical: {differ}"
    assert any(name.endswith(".mp3") for name in here) and "manifest.json" in here
    # The work was shared, and nothing was written into output/ by a worker: each job's
    # files came back to the exporter (the workers ran in folders of their own).
    for w in workers:
        assert re.search(r"build_page\[[^\]]+\] succeeded", w.log()), w.log()[-2000:]


def test_a_worker_killed_in_the_middle_of_a_job_loses_nothing(redis_url: str,
                                                              tmp_path: Path) -> None:
    broker = f"{redis_url}/1"  # workers of their own: one of them is killed
    one, two = start_workers(broker, tmp_path / "workers")
    sources = [FIXTURES / "pages"]
    try:
        local = export(tmp_path / "local", "--to", "pdf,docx", "-j", "2", sources=sources)
        assert local.returncode == 0, local.stderr[-3000:]
        command = [sys.executable, "-m", "exporter", "export", str(FIXTURES / "pages"),
                   "--to", "pdf,docx", "-o", str(tmp_path / "remote"), "--broker", broker]
        running = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True,
                                   env=env(SOURCE_DATE_EPOCH=EPOCH))
        # The moment the first worker has taken a job (a PDF takes it a second or more),
        # the whole worker goes: its main process and its pool, as when a machine fails.
        job = one.wait_for(r"build_page\[([^\]]+)\] received").group(1)
        os.killpg(one.proc.pid, signal.SIGKILL)
        one.proc.wait(timeout=10)
        _, err = running.communicate(timeout=300)
        assert running.returncode == 0, err[-3000:]
        assert f"build_page[{job}] succeeded" not in one.log()
        two.wait_for(rf"build_page\[{re.escape(job)}\] succeeded", seconds=5)
        manifest = json.loads((tmp_path / "remote" / "manifest.json").read_text())
        listed = [e["file"] for e in manifest["files"]]
        assert len(listed) == len(set(listed)) == 18, listed  # 9 pages, each file once
        assert contents(tmp_path / "local") == contents(tmp_path / "remote")
    finally:
        for w in (one, two):
            w.stop()


def test_a_broker_that_cannot_be_reached_is_one_clear_line(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    done = export(tmp_path / "out", "--to", "html", broker=f"redis://127.0.0.1:{port}/0")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"exporter: error: cannot reach the broker redis://127.0.0.1:{port}/0: Error 111 "
        f"connecting to 127.0.0.1:{port}. Connection refused."], done.stderr
    assert not (tmp_path / "out").exists()
    worker = subprocess.run([sys.executable, "-m", "exporter", "worker", "--broker",
                             f"redis://127.0.0.1:{port}/0"], capture_output=True, text=True,
                            timeout=60, env=env())
    assert worker.returncode == 1 and len(worker.stderr.splitlines()) == 1
    assert "cannot reach the broker" in worker.stderr


def test_workers_refuse_a_pickled_job(workers: list[Worker], redis_url: str) -> None:
    from exporter.executors.celery import QUEUE, TASK, make_app

    app = make_app(f"{redis_url}/0")
    app.conf.accept_content = ["msgpack", "pickle"]  # a broker someone else can write to
    result = app.send_task(TASK, args=[{"v": 1}], queue=QUEUE, serializer="pickle")
    deadline = time.monotonic() + 20
    while not any("Refusing to deserialize untrusted content of type pickle" in w.log()
                  for w in workers):
        assert time.monotonic() < deadline, [w.log()[-1500:] for w in workers]
        time.sleep(0.05)
    assert not result.ready()


def test_the_service_makes_requested_files_on_the_workers(workers: list[Worker],
                                                          redis_url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from exporter.service.app import create_app
    from tests.service_client import get

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "output"
    done = export(out, "--to", "html", sources=[FIXTURES / "collection"])
    assert done.returncode == 0, done.stderr
    before = [len(re.findall(r"succeeded", w.log())) for w in workers]
    app = create_app(out, None, tmp_path / "cache", writers=["docx"],
                     broker=f"{redis_url}/0")
    asked = {"format": "docx", "size": "20", "page": "living-with-ms-guide"}
    made = get(app, "/api/variant", params=asked)
    assert made.status_code == 200, made.text
    body = made.json()
    assert body["cache"] == "built"
    (file,) = body["files"]
    assert file["file"] == "living-with-ms-guide-large-print-20pt.docx"
    data = get(app, file["url"]).content
    after = [len(re.findall(r"succeeded", w.log())) for w in workers]
    assert sum(after) == sum(before) + 1  # made by a worker
    # The same file as a build here.
    local = create_app(out, None, tmp_path / "cache-local", writers=["docx"])
    here = get(local, "/api/variant", params=asked).json()
    assert get(local, here["files"][0]["url"]).content == data
    missing = get(app, "/api/variant", params={"format": "docx"})
    assert missing.status_code == 400 and missing.json()["problems"][0]["field"] == "page"
