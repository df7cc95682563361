"""On-demand builds of one format with chosen options, cached by (source hash, writer, options)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from exporter.options import Options
from exporter.output import atomic_write, fsync_folder
from exporter.service.sources import Sources
from exporter.service.variant_types import (
    Stats,
    Variant,
    VariantError,
    VariantKey,
)

#: Written last into a finished cache folder: its presence means the folder is complete.
RECORD = "variant.json"
BUILDING_PREFIX = ".building-"
#: A failed build is not retried for this long (a broken writer must not be hammered).
FAILURE_MEMORY_SECONDS = 30.0
#: Longest message kept from a build's error output.
MAX_ERROR_CHARS = 2000
#: A variant used (built, listed or served) this recently is never evicted: whoever was just
#: given its page or JSON is about to ask for its files. While every variant is that recent
#: the cache may hold more than max_entries (at most what can be built in this time).
KEEP_RECENT_SECONDS = 300.0


class VariantCache:
    """Builds variants in a separate process with a time limit, once per key, and keeps them."""

    def __init__(self, cache_dir: Path, sources: Sources | Path, *, timeout: float = 180.0,
                 max_builds: int = 2, max_waiting: int = 8, max_entries: int = 500,
                 keep_recent: float = KEEP_RECENT_SECONDS, broker: str | None = None,
                 styles_root: Path | None = None) -> None:
        """``max_builds`` run at once; at most ``max_waiting`` distinct variants are being made
        or queued (more are refused with 503); ``max_entries`` variants are kept, the least
        recently used evicted first, never one used in the last ``keep_recent`` seconds.
        With ``broker``, builds run on Celery workers rather than in child processes here.
        ``styles_root``: the styles folder builds use (the one the request was checked
        against; default: ./styles if present, over the package's)."""
        from exporter.reader import ReadOptions
        from exporter.styles import load_styles

        self.cache_dir = cache_dir
        self.styles_root = styles_root
        self.sources = sources if isinstance(sources, Sources) else Sources(
            sources, cache_dir, ReadOptions.from_settings(load_styles(styles_root).settings))
        self.broker = broker
        self.timeout = timeout
        self.max_entries = max_entries
        self.keep_recent = keep_recent
        self.max_waiting = max_waiting
        self.stats = Stats()
        self._builds = asyncio.Semaphore(max_builds)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # lock and how many hold or wait
        self._failed: dict[str, tuple[float, VariantError]] = {}
        self._source_hash: tuple[tuple[int, int], str] | None = None

    # ------------------------------------------------------------ lookup

    def current_source_hash(self, page: str | None = None) -> str:
        """The page's key (its source and the pages it links to), recomputed only when one of
        those files changes; ``page`` may be left out when there is one page."""
        name = page or self.sources.only()
        if name is None or self.sources.path(name) is None:
            raise VariantError(f"no page called {page!r} here", status=404)
        try:
            return self.sources.key(name)
        except OSError as exc:
            raise VariantError(f"the source {self.sources.path(name)} cannot be read: "
                               f"{exc.strerror or exc}", status=503) from exc

    def folder(self, key_id: str) -> Path:
        return self.cache_dir / key_id

    def load(self, key_id: str) -> Mapping[str, Any] | None:
        """The record of a finished variant, or None. Marks it used (see _evict)."""
        record = self.folder(key_id) / RECORD
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        # The record's modification time is the variant's last use, for every process
        # sharing the cache: eviction never takes a variant somebody has just been given.
        with contextlib.suppress(OSError):
            os.utime(record)
        return data if isinstance(data, dict) else None

    # ------------------------------------------------------------ building

    async def get(self, key: VariantKey, options: Options) -> Variant:
        """The variant for key, building it if needed; concurrent callers share one build."""
        kid = key.id
        record = self.load(kid)
        if record is not None:
            self.stats.hits += 1
            return Variant(kid, self.folder(kid), record, "hit")
        self._recent_failure(kid)
        if kid not in self._locks and len(self._locks) >= self.max_waiting:
            # Only new work is refused: a request for a file already being made just waits.
            self.stats.refused_busy += 1
            raise VariantError("the service is busy making other files; try again in a minute",
                               status=503, retry_after=30)
        lock, users = self._locks.get(kid, (asyncio.Lock(), 0))
        self._locks[kid] = (lock, users + 1)
        try:
            async with lock, self._file_lock(kid):
                record = self.load(kid)
                if record is not None:  # another request built it while this one waited
                    self.stats.shared += 1
                    return Variant(kid, self.folder(kid), record, "shared")
                self._recent_failure(kid)
                async with self._builds:
                    record = await self._build(key, options)
                self.stats.builds += 1
                return Variant(kid, self.folder(kid), record, "built")
        finally:
            lock, users = self._locks[kid]
            if users <= 1:
                del self._locks[kid]
            else:
                self._locks[kid] = (lock, users - 1)

    def _recent_failure(self, kid: str) -> None:
        failed = self._failed.get(kid)
        if failed and time.monotonic() - failed[0] < FAILURE_MEMORY_SECONDS:
            raise failed[1]

    @contextlib.asynccontextmanager
    async def _file_lock(self, kid: str) -> AsyncIterator[None]:
        """An flock on the key, so several service processes sharing a cache also build once.

        The lock file is removed by its holder when done; a waiter that then gets the lock
        on the removed file sees that the name now points elsewhere (or nowhere) and tries
        again, so no two holders ever hold different files of one name.
        """
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.cache_dir / f".{kid}.lock"
        deadline = time.monotonic() + self.timeout + 5
        while True:
            fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES) or \
                                time.monotonic() > deadline:
                            raise VariantError("timed out waiting for another build of this "
                                               "file", status=503, retry_after=30) from exc
                        await asyncio.sleep(0.05)
                try:
                    current = os.stat(path).st_ino
                except FileNotFoundError:
                    current = -1
            except BaseException:
                os.close(fd)
                raise
            if current == os.fstat(fd).st_ino:
                break
            os.close(fd)  # the holder before removed this file: lock the new one
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # while still holding it
            os.close(fd)

    async def _build(self, key: VariantKey, options: Options) -> Mapping[str, Any]:
        kid = key.id
        work = Path(tempfile.mkdtemp(prefix=f"{BUILDING_PREFIX}{kid}-", dir=self.cache_dir))
        start = time.perf_counter()
        try:
            source = self.sources.path(key.page or self.sources.only() or "")
            if source is None:
                raise VariantError(f"no page called {key.page!r} here", status=404)
            if self.broker:
                from exporter.service.remote import build_remotely

                result = await build_remotely(self.broker, source, key.writer, options, work,
                                              self.timeout, self.styles_root)
            else:
                result = await self._run_builder(key.writer, options, work, source)
            if result.get("source_sha256") != key.source_sha256:
                # The source changed between the request and the build: never file a build
                # under a key whose bytes it was not made from.
                raise VariantError("the source changed while this file was being made; "
                                   "ask again", status=503, retry_after=1)
            record = {"key": kid, "writer": key.writer, "options": dict(key.options),
                      "source_sha256": key.source_sha256, "files": result["files"],
                      **({"page": key.page} if key.page else {})}
            atomic_write(work / RECORD, (json.dumps(record, indent=2) + "\n").encode())
            target = self.folder(kid)
            if target.exists():  # a stale, unfinished folder from a killed process
                shutil.rmtree(target)
            os.replace(work, target)
            fsync_folder(self.cache_dir)
        except VariantError as exc:
            self.stats.failures += 1
            if exc.remember:
                self._failed[kid] = (time.monotonic(), exc)
            raise
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        self.stats.build_seconds.append(time.perf_counter() - start)
        self._evict(keep=kid)
        return record

    async def _run_builder(self, writer: str, options: Options, work: Path,
                           source: Path) -> dict[str, Any]:
        """Run the writer in a child process (its own session, so a timeout kills everything)."""
        args = [sys.executable, "-m", "exporter.service.variant_build", "--source", str(source),
                "--writer", writer, "--options", json.dumps(dataclasses.asdict(options)),
                "--dest", str(work), "--parent", str(os.getpid())]
        if self.styles_root is not None:
            args += ["--styles", str(self.styles_root.resolve())]
        proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.timeout)
        except (TimeoutError, asyncio.CancelledError) as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
            if isinstance(exc, asyncio.CancelledError):
                raise
            self.stats.timeouts += 1
            raise VariantError(f"making this file took longer than {self.timeout:g} seconds "
                               "and was stopped", status=503, retry_after=60,
                               remember=True) from exc
        try:
            result = json.loads(out.decode("utf-8", "replace").strip().splitlines()[-1])
        except (ValueError, IndexError):
            result = None
        if not isinstance(result, dict):
            detail = err.decode("utf-8", "replace").strip()[-MAX_ERROR_CHARS:]
            raise VariantError(f"the {writer} writer stopped unexpectedly "
                               f"(exit status {proc.returncode}): {detail or 'no message'}",
                               remember=True)
        if result.get("error"):
            raise VariantError(f"the {writer} writer failed: {result['error']}"[:MAX_ERROR_CHARS],
                               remember=True)
        return result

    def _evict(self, keep: str) -> None:
        """Keep at most max_entries variants: drop the least recently used ones.

        Never ``keep`` (just built, about to be listed) nor any variant used within
        ``keep_recent`` seconds (its files may be asked for at any moment).
        """
        records = []
        for p in self.cache_dir.glob(f"*/{RECORD}"):
            if p.parent.name == keep:
                continue
            with contextlib.suppress(OSError):
                records.append((p.stat().st_mtime, p.parent))
        records.sort()
        excess = len(records) + 1 - self.max_entries
        cutoff = time.time() - self.keep_recent
        for used, folder in records[:max(excess, 0)]:
            if used >= cutoff:
                break  # sorted by last use: every later one is more recent still
            shutil.rmtree(folder, ignore_errors=True)
