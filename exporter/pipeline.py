"""One writer over one page: plans jobs, knows when they are up to date, writes and publishes.

A whole export (many pages, run in parallel or on Celery workers) is exporter.batch's.
"""

from __future__ import annotations

import errno
import hashlib
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter import __version__, registry
from exporter.fingerprint import job_fingerprint
from exporter.manifest import publish_job
from exporter.model import Document
from exporter.options import Options, OptionsError, check
from exporter.output import build_time, sha256_file
from exporter.staging import staging
from exporter.styles import Styles
from exporter.write_errors import folder_problem, os_error_in, write_problem
from exporter.writers.base import Job, Writer, WriterError

#: Writers' intermediate results, beside the output folder (output/ holds only what is published).
CACHE_DIR = ".exporter-cache"


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
    page: str = ""  #: the page's name (its source's stem)

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


def content_key(doc: Document) -> str:
    """What a page's files depend on besides styles, options and code: its source's bytes,
    and what print shows of the pages it links to (titles, addresses)."""
    from exporter.collection import links_key

    links = links_key(doc)
    if not links:
        return doc.source_sha256
    return hashlib.sha256(f"{doc.source_sha256}:{links}".encode()).hexdigest()


def fingerprint(spec: JobSpec, content: str, styles: Styles) -> str:
    """The content hash a job's manifest entries carry (``content``: content_key)."""
    cls = registry.get(spec.writer)
    return job_fingerprint(content, spec.writer, spec.options.subset(cls.option_names),
                           styles.roots)


#: The manifest's entries by fingerprint and format, to find a job's earlier files quickly.
Earlier = Mapping[tuple[str, str], Sequence[Mapping[str, Any]]]


def earlier(manifest: Sequence[Any]) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    """The manifest's entries indexed for up_to_date."""
    index: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for e in manifest:
        if isinstance(e, dict):
            index.setdefault((str(e.get("fingerprint")), str(e.get("format"))), []).append(e)
    return index


def up_to_date(spec: JobSpec, key: str, out_dir: Path,
               manifest: Sequence[Any] | Earlier) -> tuple[dict[str, Any], ...]:
    """The previous entries of this job if its inputs and files are unchanged, else ()."""
    index = manifest if isinstance(manifest, Mapping) else earlier(manifest)
    old = tuple(dict(e) for e in index.get((key, spec.writer), ()))
    for e in old:
        path = out_dir / str(e.get("file"))
        if not path.is_file() or path.stat().st_size != e.get("bytes") or \
                sha256_file(path) != e.get("sha256"):
            return ()
    return old


def document_fields(doc: Document, name: str = "") -> dict[str, Any]:
    """The manifest's record of a page (and of the tool that made its files)."""
    meta = doc.meta
    fields: dict[str, Any] = {
        "generator": f"hsct-exporter {__version__}",
        "name": name or Path(doc.source_path).stem,
        "source": doc.source_path,
        "source_sha256": doc.source_sha256,
        "title": meta.title,
        "language": meta.language,
    }
    if meta.subject:
        fields["subject"] = meta.subject
    if meta.summary:
        fields["summary"] = meta.summary
    return fields


def run_job(spec: JobSpec, doc: Document, styles: Styles, out_dir: Path, stem: str,
            *, manifest: bool = True) -> JobResult:
    """Run one writer into a staging folder and publish its files only if all went well.

    With ``manifest`` the files are recorded in out_dir's manifest as they are published
    (see manifest.publish_job); without, the caller records them.
    """
    start = time.perf_counter()
    try:
        with staging(out_dir, spec.writer) as dest:
            result = write_job(spec, doc, styles, dest, stem, cache_root(out_dir),
                               out_dir=out_dir)
            if not result.ok:
                return result
            try:
                publish_job(out_dir, [dest / str(e["file"]) for e in result.entries],
                            result.entries, document_fields(doc, stem) if manifest else None)
            except Exception as exc:
                # Judged while the staging folder still holds what filled the disk.
                error, detail = failure(exc, out_dir)
                return JobResult(spec, error=error, seconds=time.perf_counter() - start,
                                 detail=detail, page=stem)
        return result
    except Exception as exc:  # a bug in a writer must not stop the other formats
        error, detail = failure(exc, out_dir)
        return JobResult(spec, error=error, seconds=time.perf_counter() - start, detail=detail,
                         page=stem)


def cache_root(out_dir: Path) -> Path:
    """Where writers keep reusable intermediate results: beside the output folder."""
    return out_dir.resolve().parent / CACHE_DIR


def write_job(spec: JobSpec, doc: Document, styles: Styles, dest: Path, stem: str,
              cache: Path | None, *, out_dir: Path | None = None) -> JobResult:
    """Run one writer into ``dest`` (a private folder); its files stay there, described by
    the result's manifest entries, for the caller to publish. Never raises.

    ``out_dir``, the folder the files are for, names them in messages (a full disk ...).
    """
    start = time.perf_counter()
    try:
        cls = registry.get(spec.writer)
        check(spec.options, styles, cls.option_names)
        key = fingerprint(spec, content_key(doc), styles)
        dest.mkdir(parents=True, exist_ok=True)
        entries = _write(cls, spec, doc, styles, dest, stem, key,
                         cache / spec.writer if cache is not None else None)
    except Exception as exc:  # a bug in a writer must not stop the other formats
        # Judged while the folder still holds what filled the disk.
        error, detail = failure(exc, out_dir or dest)
        return JobResult(spec, error=error, seconds=time.perf_counter() - start, detail=detail,
                         page=stem)
    return JobResult(spec, tuple(entries), seconds=time.perf_counter() - start, page=stem)


def _write(cls: type[Writer], spec: JobSpec, doc: Document, styles: Styles, dest: Path,
           stem: str, key: str, cache: Path | None) -> list[dict[str, Any]]:
    """Run the writer into dest; the manifest entries of what it made."""
    produced = cls().write(Job(doc, styles, spec.options, dest, stem, cache))
    missing = [p.name for p in produced if not (dest / p.name).is_file()]
    if missing or not produced:
        raise WriterError(f"writer '{spec.writer}' reported files it did not write: "
                          f"{missing or 'none'}")
    return [entry(spec, cls, doc, p.name, dest / p.name, dict(p.facts), key, stem)
            for p in produced]


def entry(spec: JobSpec, cls: type[Writer], doc: Document, name: str, path: Path,
          facts: Mapping[str, Any], key: str, stem: str) -> dict[str, Any]:
    """The manifest entry of one file a job made."""
    return {
        "file": name,
        "format": spec.writer,
        "options": spec.options.subset(cls.option_names),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "page": stem,
        "source": doc.source_path,
        "source_sha256": doc.source_sha256,
        "built": build_time().isoformat().replace("+00:00", "Z"),
        "facts": dict(facts),
        "fingerprint": key,
    }


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


def schedule(units: Sequence[tuple[str, str]], costs: Sequence[int],
             workers: int) -> list[list[int]]:
    """Group jobs, given as (page, writer), into tasks for worker processes, costliest first.

    A worker process imports each library once and keeps it: with at least as many pages as
    workers, each page's jobs share a task (the page travels to one process once); with
    fewer, each writer's jobs share one (a heavy library, WeasyPrint ~0.35 s to import, loads
    once rather than in every worker); with fewer writers still, jobs spread singly so that
    one writer's sizes still use every core.
    """
    pages = {page for page, _ in units}
    by_page = len(pages) >= workers
    by_writer = not by_page and len(set(units)) >= workers
    groups: dict[object, list[int]] = {}
    for i, unit in enumerate(units):
        key = unit[0] if by_page else unit if by_writer else i
        groups.setdefault(key, []).append(i)
    return sorted(groups.values(), key=lambda task: sum(costs[i] for i in task), reverse=True)
