"""Runs writers over one document: plans jobs, runs them (in parallel), publishes, records."""

from __future__ import annotations

import errno
import hashlib
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter import __version__, children, registry
from exporter.fingerprint import job_fingerprint
from exporter.model import Document
from exporter.options import Options, OptionsError, check, defaults
from exporter.output import (
    build_time,
    folder_problem,
    os_error_in,
    publish_job,
    read_manifest,
    remove_stale,
    sha256_file,
    staging,
    write_problem,
)
from exporter.reader import ReadOptions, parse, read_bytes
from exporter.styles import Styles, load_styles
from exporter.writers.base import Job, Writer, WriterError

#: Writers' intermediate results, beside the output folder (output/ holds only what is published).
CACHE_DIR = ".exporter-cache"

if TYPE_CHECKING:
    from concurrent.futures import Future


@dataclass(frozen=True)
class JobSpec:
    """One writer with one set of options."""

    writer: str
    options: Options


@dataclass(frozen=True)
class JobResult:
    """What one job made, or why it failed."""

    spec: JobSpec
    entries: tuple[dict[str, Any], ...] = ()  #: manifest entries of the files published
    error: str | None = None
    skipped: bool = False  #: already up to date: nothing was rebuilt
    seconds: float = 0.0
    detail: str = field(default="", repr=False)  #: traceback of an unexpected failure

    @property
    def ok(self) -> bool:
        return self.error is None


def plan(writers: Sequence[str], sizes: Sequence[int], options: Options) -> list[JobSpec]:
    """One job per writer, and per size for the writers whose output depends on size."""
    specs: list[JobSpec] = []
    for name in writers:
        cls = registry.get(name)
        if "size" in cls.option_names and sizes:
            specs += [JobSpec(name, options.changed(size=s)) for s in sizes]
        else:
            specs.append(JobSpec(name, options))
    return specs


def fingerprint(spec: JobSpec, source_sha256: str, styles: Styles) -> str:
    """The content hash a job's manifest entries carry."""
    cls = registry.get(spec.writer)
    return job_fingerprint(source_sha256, spec.writer,
                           spec.options.subset(cls.option_names), styles.roots)


def up_to_date(spec: JobSpec, key: str, out_dir: Path,
               manifest: Sequence[Any]) -> tuple[dict[str, Any], ...]:
    """The previous entries of this job if its inputs and files are unchanged, else ()."""
    old = tuple(e for e in manifest if isinstance(e, dict) and e.get("fingerprint") == key
                and e.get("format") == spec.writer)
    for e in old:
        path = out_dir / str(e.get("file"))
        if not path.is_file() or path.stat().st_size != e.get("bytes") or \
                sha256_file(path) != e.get("sha256"):
            return ()
    return old


def document_fields(doc: Document) -> dict[str, Any]:
    """The manifest's fields about the document and the tool that made its files."""
    return {
        "generator": f"hsct-exporter {__version__}",
        "source": doc.source_path,
        "source_sha256": doc.source_sha256,
        "title": doc.meta.title,
        "language": doc.meta.language,
    }


def run_job(spec: JobSpec, doc: Document, styles: Styles, out_dir: Path, stem: str,
            *, manifest: bool = True) -> JobResult:
    """Run one writer into a staging folder and publish its files only if all went well.

    With ``manifest`` the files are recorded in out_dir's manifest as they are published
    (see output.publish_job); without, the caller records them.
    """
    start = time.perf_counter()
    try:
        cls = registry.get(spec.writer)
        check(spec.options, styles, cls.option_names)
        key = fingerprint(spec, doc.source_sha256, styles)
        with staging(out_dir, spec.writer) as dest:
            try:
                entries = _write(cls, spec, doc, styles, dest, stem, key, out_dir)
                publish_job(out_dir, [dest / str(e["file"]) for e in entries], entries,
                            document_fields(doc) if manifest else None)
            except Exception as exc:
                # Judged while the staging folder still holds what filled the disk.
                error, detail = failure(exc, out_dir)
                return JobResult(spec, error=error, seconds=time.perf_counter() - start,
                                 detail=detail)
        return JobResult(spec, tuple(entries), seconds=time.perf_counter() - start)
    except Exception as exc:  # a bug in a writer must not stop the other formats
        error, detail = failure(exc, out_dir)
        return JobResult(spec, error=error, seconds=time.perf_counter() - start, detail=detail)


def _write(cls: type[Writer], spec: JobSpec, doc: Document, styles: Styles, dest: Path,
           stem: str, key: str, out_dir: Path) -> list[dict[str, Any]]:
    """Run the writer into dest; the manifest entries of what it made."""
    cache = out_dir.resolve().parent / CACHE_DIR / spec.writer
    produced = cls().write(Job(doc, styles, spec.options, dest, stem, cache))
    missing = [p.name for p in produced if not (dest / p.name).is_file()]
    if missing or not produced:
        raise WriterError(f"writer '{spec.writer}' reported files it did not write: "
                          f"{missing or 'none'}")
    built = build_time().isoformat().replace("+00:00", "Z")
    entries = []
    for p in produced:
        path = dest / p.name
        entries.append({
            "file": p.name,
            "format": spec.writer,
            "options": spec.options.subset(cls.option_names),
            "bytes": path.stat().st_size,
            "sha256": sha256_file(path),
            "source": doc.source_path,
            "source_sha256": doc.source_sha256,
            "built": built,
            "facts": dict(p.facts),
            "fingerprint": key,
        })
    return entries


#: Causes that are the disk's or the folder's, never a writer's: named with their file.
_DISK_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                          errno.EFBIG, errno.EIO})


def failure(exc: Exception, out_dir: Path) -> tuple[str, str]:
    """What to tell the user about a failed job, and a traceback only for a writer's bug.

    A full disk or a read-only folder shows up in many disguises (an OSError deep inside a
    library, a writer's time-out, a truncated file): the real cause is named with its file.
    """
    os_error = os_error_in(exc)
    if os_error is not None and (os_error.errno in _DISK_ERRNOS
                                 or not isinstance(exc, WriterError | OptionsError)):
        return write_problem(os_error, out_dir), ""
    expected = isinstance(exc, WriterError | OptionsError)
    message = str(exc) if expected else f"{type(exc).__name__}: {exc}"
    cause = folder_problem(out_dir)
    if cause is not None:
        return f"{message} ({cause})", ""
    return message, "" if expected else traceback.format_exc()


def run_jobs(specs: Sequence[JobSpec], doc: Document, styles: Styles, out_dir: Path,
             stem: str) -> list[JobResult]:
    """Several jobs one after another in one process (a worker's share of the work)."""
    return [run_job(spec, doc, styles, out_dir, stem) for spec in specs]


def schedule(specs: Sequence[JobSpec], todo: Sequence[int], workers: int) -> list[list[int]]:
    """Group job indexes into tasks for worker processes, the costliest first.

    With at least as many writers as workers, each writer's jobs share one process, so a
    heavy library (WeasyPrint: ~0.35 s to import) loads once rather than in every worker;
    with fewer, jobs spread singly so that one writer's sizes still use every core.
    """
    by_writer: dict[str, list[int]] = {}
    for i in todo:
        by_writer.setdefault(specs[i].writer, []).append(i)
    tasks = list(by_writer.values()) if len(by_writer) >= workers else [[i] for i in todo]

    def cost(task: list[int]) -> int:
        return sum(registry.get(specs[i].writer).cost for i in task)

    return sorted(tasks, key=cost, reverse=True)


def export(
    source: Path,
    out_dir: Path,
    writers: Sequence[str],
    *,
    sizes: Sequence[int] = (),
    options: Options | None = None,
    styles: Styles | None = None,
    jobs: int | None = None,
    force: bool = False,
    on_start: Callable[[Sequence[JobSpec]], None] | None = None,
    on_done: Callable[[JobResult], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    strict: bool = False,
) -> list[JobResult]:
    """Read, check and write every format. Raises SourceError before anything is written.

    The source's style warnings go to ``on_warning``; ``strict`` refuses them as errors.
    """
    data = read_bytes(source)
    source_sha256 = hashlib.sha256(data).hexdigest()
    children.guard()  # from here on, no child process outlives this one
    styles = styles or load_styles()
    options = options or defaults(styles)
    specs = plan(writers, sizes, options)
    done: dict[int, JobResult] = {}
    if out_dir.is_dir():
        remove_stale(out_dir)  # what a killed export left; a running export's are kept
    previous = [] if force else read_manifest(out_dir)["files"]
    todo: list[int] = []
    for i, spec in enumerate(specs):
        kept = up_to_date(spec, fingerprint(spec, source_sha256, styles), out_dir, previous)
        if kept:
            done[i] = JobResult(spec, kept, skipped=True)
        else:
            todo.append(i)
    # A source whose bytes produced every current file was checked then: parse only for work
    # (or to refuse its warnings, when strict).
    doc = parse(data, str(source), ReadOptions.from_settings(styles.settings, strict=strict)) \
        if todo or strict else None
    if doc is not None and on_warning is not None:
        for warning in doc.warnings:
            on_warning(warning)
    if on_start:
        on_start(specs)
    if on_done:
        for result in done.values():
            on_done(result)
    if doc is None:
        return [done[i] for i in range(len(specs))]
    stem = source.stem
    tasks = schedule(specs, todo, jobs or os.cpu_count() or 1)
    workers = min(len(tasks), jobs or os.cpu_count() or 1)
    # Starting worker processes costs more than a couple of quick writers take to run.
    light = sum(registry.get(specs[i].writer).cost for i in todo) <= 2
    if workers <= 1 or (light and jobs is None):
        for i in todo:
            done[i] = run_job(specs[i], doc, styles, out_dir, stem)
            if on_done:
                on_done(done[i])
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures: dict[Future[list[JobResult]], list[int]] = {
                pool.submit(run_jobs, [specs[i] for i in task], doc, styles, out_dir, stem): task
                for task in tasks
            }
            for fut in as_completed(futures):
                try:
                    finished = fut.result()
                except BrokenProcessPool:
                    # The worker died (out of memory, a CPU-time limit, a signal, a crash in
                    # C code): its jobs failed, and say so; the others' results stand.
                    finished = [JobResult(specs[i], error="the process running this writer "
                                          "ended abruptly (out of memory, over a CPU-time "
                                          "limit, or killed)")
                                for i in futures[fut]]
                for i, result in zip(futures[fut], finished, strict=True):
                    done[i] = result
                    if on_done:
                        on_done(result)
    # Each job recorded its own files in the manifest as it published them.
    return [done[i] for i in range(len(specs))]

