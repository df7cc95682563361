"""Jobs on Celery workers through a Redis broker: `exporter worker`, and export/serve --broker.

Celery is the queue (no queue of our own): a job is acknowledged only when it is done
(``task_acks_late``), so a worker killed in the middle loses nothing: its job goes back to
the queue, when the worker's process dies (``task_reject_on_worker_lost``) at once, when the
whole machine goes within the broker's visibility timeout, and another worker runs it. The
coordinator takes each job's files once, by the job's id, so a job run twice is published
once. Jobs and answers are msgpack: it carries bytes and can run no code, unlike pickle.
"""

from __future__ import annotations

import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from celery import Celery

from exporter.executors import Report, Task
from exporter.executors.remote import images_of, job_results, make_payload, run_payload
from exporter.pipeline import JobResult, content_key, entry, fingerprint
from exporter.reader import ReadOptions
from exporter.styles import Styles

#: The queue exporters send to and workers take from.
QUEUE = "exporter"
TASK = "exporter.build_page"
#: A job taken by a worker that vanished (a machine switched off, ``kill -9`` of the whole
#: worker) is given to another worker after this long. Longer than any one page's jobs take,
#: or a slow job would also be started a second time (harmless: its files are taken once).
VISIBILITY_TIMEOUT = float(os.environ.get("EXPORTER_VISIBILITY_TIMEOUT", "600"))
#: How often workers look for such jobs.
RESTORE_EVERY = float(os.environ.get("EXPORTER_RESTORE_INTERVAL", "10"))
#: Answers wait in the broker this long for their exporter.
RESULT_SECONDS = 24 * 3600
#: Seconds to wait for the broker to answer before calling it unreachable.
CONNECT_SECONDS = 5.0
#: How often the exporter looks for finished jobs: at first, and at most.
POLL_SECONDS = 0.05
MAX_POLL_SECONDS = 0.5


class BrokerError(Exception):
    """The broker cannot be used: one line saying which and why."""


def make_app(broker: str) -> Celery:
    """A Celery app for this broker, configured the same in exporters and workers."""
    parts = urlsplit(broker)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise BrokerError(f"the broker address {broker!r} is not a Redis address; give "
                          "redis://HOST:PORT/N")
    app = Celery("exporter", broker=broker, backend=broker, set_as_current=False)
    transport = {"visibility_timeout": VISIBILITY_TIMEOUT,
                 "unacked_restore_interval": RESTORE_EVERY, "unacked_restore_throttle": 1,
                 "socket_connect_timeout": CONNECT_SECONDS, "socket_timeout": 30}
    app.conf.update(
        task_serializer="msgpack", result_serializer="msgpack",
        accept_content=["msgpack"], result_accept_content=["msgpack"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_default_queue=QUEUE, result_expires=RESULT_SECONDS,
        broker_transport_options=transport,
        result_backend_transport_options={"socket_connect_timeout": CONNECT_SECONDS},
        redis_socket_connect_timeout=CONNECT_SECONDS, redis_socket_timeout=30,
        broker_connection_retry_on_startup=False, broker_connection_max_retries=3,
        # A worker's process is replaced after this many jobs: some libraries keep memory
        # across renders (WeasyPrint #2130).
        worker_max_tasks_per_child=200,
        worker_hijack_root_logger=False, task_track_started=False,
    )
    return app


def ensure_reachable(app: Celery, broker: str) -> None:
    """BrokerError, in one line, unless the broker answers."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=CONNECT_SECONDS)
        client = app.backend.client
        client.ping()
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BrokerError(f"cannot reach the broker {_shown(broker)}: {reason}") from None


def _shown(broker: str) -> str:
    """The broker's address without its password."""
    parts = urlsplit(broker)
    if parts.password:
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return parts._replace(netloc=f"***@{host}{port}").geturl()
    return broker


# ---------------------------------------------------------------- the coordinator


@dataclass
class _Sent:
    task: Task
    result: Any  #: celery AsyncResult


class CeleryExecutor:
    """Sends each page's jobs to the workers and publishes what comes back."""

    def __init__(self, broker: str, *, warn: Callable[[str], None] | None = None) -> None:
        self.broker = broker
        self.app = make_app(broker)
        ensure_reachable(self.app, broker)
        self.warn = warn or (lambda line: print(line, file=sys.stderr, flush=True))

    def workers(self) -> list[str]:
        """The names of the workers that answer now."""
        try:
            replies = self.app.control.ping(timeout=1.0) or []
        except Exception:
            return []
        return sorted(name for reply in replies for name in reply)

    def run(self, tasks: Sequence[Task], styles: Styles, out_dir: Path, report: Report, *,
            timeout: float | None = None) -> None:
        """Send every task, then report each job as its answer comes; TimeoutError (the jobs
        still waiting taken back from the queue) if ``timeout`` seconds pass first."""
        if not tasks:
            return
        if not self.workers():
            self.warn(f"exporter: no worker answers on {_shown(self.broker)} yet; the jobs wait "
                      f"in the queue until one starts ('exporter worker --broker URL')")
        read = ReadOptions.from_settings(styles.settings)
        sent = [self.send(t, styles, read) for t in tasks]
        deadline = None if timeout is None else time.monotonic() + timeout
        self.collect(sent, styles, out_dir, report, deadline)

    def send(self, task: Task, styles: Styles, read: ReadOptions) -> _Sent:
        doc = task.page.doc
        assert doc is not None
        blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
        payload = make_payload(task.page.name, str(task.page.path), task.page.data,
                               images_of(blocks), task.links, task.specs, read, styles)
        result = self.app.send_task(TASK, args=[payload], queue=QUEUE,
                                    task_id=f"{task.page.name}-{uuid.uuid4().hex}")
        return _Sent(task, result)

    def collect(self, sent: Sequence[_Sent], styles: Styles, out_dir: Path,
                report: Report, deadline: float | None = None) -> None:
        """Wait for every job's answer, in any order, and report each job once.

        One MGET asks for every answer still awaited (no subscription per job), less and less
        often while nothing arrives: the coordinator must not take the CPU of workers that
        may run on this very machine.
        """
        backend = self.app.backend
        waiting = {s.result.id: s for s in sent}
        pause = POLL_SECONDS
        while waiting:
            ids = list(waiting)
            try:
                found = []
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    values = backend.client.mget([backend.get_key_for_task(i) for i in chunk])
                    found += [(i, v) for i, v in zip(chunk, values, strict=True) if v]
            except Exception as exc:
                raise BrokerError(f"lost the broker {_shown(self.broker)}: "
                                  f"{str(exc).splitlines()[0] if str(exc) else exc!r}") from None
            done = 0
            for task_id, value in found:
                meta = backend.decode_result(value)
                if meta.get("status") not in ("SUCCESS", "FAILURE"):
                    continue  # a retry in progress
                s = waiting.pop(task_id)
                answer = meta.get("result") if meta["status"] == "SUCCESS" else \
                    {"v": 1, "error": f"the worker failed: {meta.get('result')!r}"}
                self.finish(s, answer, styles, out_dir, report)
                backend.forget(task_id)
                done += 1
            pause = POLL_SECONDS if done else min(pause * 1.5, MAX_POLL_SECONDS)
            if waiting and deadline is not None and time.monotonic() > deadline:
                for task_id in waiting:
                    self.app.control.revoke(task_id)
                raise TimeoutError(f"{len(waiting)} job(s) not done in time")
            if waiting and not done:
                time.sleep(pause)

    def finish(self, s: _Sent, answer: Any, styles: Styles, out_dir: Path,
               report: Report) -> None:
        """Put one answer's files into the task's staging folder and report its jobs."""
        task = s.task
        for i, (result, files) in enumerate(job_results(answer, task.specs, task.page.name)):
            if result.ok:
                result = _published_entries(result, files, task, i, styles, out_dir)
            report(task, i, result)


def _published_entries(result: JobResult, files: list[tuple[str, bytes, dict[str, Any]]],
                       task: Task, i: int, styles: Styles, out_dir: Path) -> JobResult:
    """The job's files written into its staging folder, with their manifest entries."""
    from dataclasses import replace

    from exporter import registry
    from exporter.pipeline import failure

    doc = task.page.doc
    assert doc is not None
    spec = task.specs[i]
    folder = task.folder(i)
    try:
        cls = registry.get(spec.writer)
        key = fingerprint(spec, content_key(doc), styles)
        folder.mkdir(parents=True, exist_ok=True)
        entries = []
        for name, data, facts in files:
            if Path(name).name != name or not name or name.startswith("."):
                raise ValueError(f"the worker sent a file with a bad name: {name!r}")
            path = folder / name
            path.write_bytes(data)
            entries.append(entry(spec, cls, doc, name, path, facts, key, task.page.name))
    except Exception as exc:
        error, detail = failure(exc, out_dir)
        return replace(result, error=error, detail=detail)
    return replace(result, entries=tuple(entries))


# ---------------------------------------------------------------- the worker


def worker_app(broker: str, cache: Path | None) -> Celery:
    """The app a worker runs: the build task registered."""
    app = make_app(broker)
    app.conf.broker_connection_max_retries = None  # a worker outlives a broker's restart
    cache_dir = cache or Path.home() / ".cache" / "exporter-worker"

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def build_page(payload: Mapping[str, Any]) -> dict[str, Any]:
        _may_have_children()
        return run_payload(payload, cache_dir)

    return app


def _may_have_children() -> None:
    """Let this pool process start processes (the PDF writer renders in a child it can kill).

    Celery's pool marks its processes daemonic, and multiprocessing refuses children to a
    daemonic process; the pool's own shutdown does not depend on the flag (it kills its
    processes), and children.guard() makes theirs die with them.
    """
    import multiprocessing.process

    multiprocessing.process.current_process()._config["daemon"] = False  # type: ignore[attr-defined]


def run_worker(broker: str, *, concurrency: int | None = None, name: str | None = None,
               cache: Path | None = None, loglevel: str = "info") -> int:
    """Run a worker in this process until it is stopped (Ctrl-C: warm shutdown)."""
    from exporter import children

    app = worker_app(broker, cache)
    ensure_reachable(app, broker)
    children.guard()  # a writer's own children die with the worker's process
    argv = ["worker", f"--loglevel={loglevel}", f"--queues={QUEUE}",
            f"--hostname={name or 'worker@' + socket.gethostname()}",
            "--without-gossip", "--without-mingle",
            f"--concurrency={concurrency or os.cpu_count() or 1}"]
    app.worker_main(argv=argv)
    return 0


__all__ = ["BrokerError", "CeleryExecutor", "make_app", "run_worker"]
