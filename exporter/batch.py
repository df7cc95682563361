"""Exports a collection: each page's work found, run on an executor, published, summarised.

Pages are kept apart: one whose source has problems (or whose writer fails) is reported and
the others are built. A page whose bytes (and the pages it links to) made every current file
is not even parsed, so a page edited alone is the only one rebuilt.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from exporter import children
from exporter.collection import Linker, Page, find_sources, load, parsed
from exporter.executors import Executor, Task
from exporter.manifest import Publication, publish_jobs, read_manifest
from exporter.options import Options, defaults
from exporter.pipeline import (
    JobResult,
    JobSpec,
    content_key,
    document_fields,
    earlier,
    failure,
    fingerprint,
    plan,
    up_to_date,
)
from exporter.reader import ReadOptions
from exporter.staging import close_staging, open_staging, remove_stale
from exporter.styles import Styles, load_styles

#: Finished jobs wait at most this long to be published together (one manifest write).
PUBLISH_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class PageOutcome:
    """What became of one page: its jobs' results, or the problems that stopped it."""

    name: str
    source: str
    title: str = ""
    results: tuple[JobResult, ...] = ()
    problems: tuple[Any, ...] = ()  #: reader Problems (file:line ...) that stopped the page
    warnings: tuple[str, ...] = ()

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.failures


@dataclass(frozen=True)
class Summary:
    """Every page of an export, in the order given."""

    pages: tuple[PageOutcome, ...]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.pages)

    @property
    def results(self) -> list[JobResult]:
        return [r for p in self.pages for r in p.results]

    @property
    def made(self) -> int:
        """Files written by this export."""
        return sum(len(r.entries) for r in self.results if r.ok and not r.skipped)

    @property
    def kept(self) -> int:
        """Files already up to date."""
        return sum(len(r.entries) for r in self.results if r.skipped)

    @property
    def bad_input_only(self) -> bool:
        """Nothing could be built because every page's source has problems."""
        return bool(self.pages) and all(p.problems for p in self.pages)


#: Called when the jobs are known: (page name, job) for every job of the export.
OnStart = Callable[[Sequence[tuple[str, JobSpec]]], None]


@dataclass
class _Publisher:
    """Publishes finished jobs in batches and closes staging folders once emptied."""

    out_dir: Path
    on_done: Callable[[JobResult], None] | None
    pending: list[tuple[Task, int, JobResult]] = field(default_factory=list)
    left: dict[Path, int] = field(default_factory=dict)  #: jobs still to come per task folder
    results: dict[tuple[Path, int], JobResult] = field(default_factory=dict)
    last: float = 0.0

    def add(self, task: Task, i: int, result: JobResult) -> None:
        self.pending.append((task, i, result))
        if time.monotonic() - self.last >= PUBLISH_EVERY_SECONDS:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        jobs: list[Publication] = []
        for task, i, result in batch:
            if result.ok and task.page.doc is not None:
                folder = task.folder(i)
                jobs.append(([folder / str(e["file"]) for e in result.entries], result.entries,
                             document_fields(task.page.doc, task.page.name)))
        try:
            publish_jobs(self.out_dir, jobs)
        except Exception as exc:  # the disk or the folder: every job of the batch failed
            error, detail = failure(exc, self.out_dir)
            batch = [(t, i, replace(r, entries=(), error=error, detail=detail) if r.ok else r)
                     for t, i, r in batch]
        self.last = time.monotonic()
        for task, i, result in batch:
            self.results[task.dest, i] = result
            if self.on_done is not None:
                self.on_done(result)
            self.left[task.dest] -= 1
            if not self.left[task.dest]:
                close_staging(task.dest)


def build(sources: Sequence[Path], out_dir: Path, writers: Sequence[str], *,
          sizes: Sequence[int] = (), options: Options | None = None,
          styles: Styles | None = None, jobs: int | None = None, force: bool = False,
          strict: bool = False, executor: Executor | None = None,
          on_start: OnStart | None = None, on_done: Callable[[JobResult], None] | None = None,
          on_warning: Callable[[str], None] | None = None) -> Summary:
    """Build every page of ``sources``: files, and folders meaning every page under them
    (CollectionError, before anything is written, if two pages would share a name).

    A page's style warnings go to ``on_warning``; ``strict`` refuses them as errors. Jobs run
    on ``executor`` (default: this machine's process pool with ``jobs`` processes).
    """
    begun = time.perf_counter()
    sources = find_sources(sources)
    children.guard()  # from here on, no child process outlives this one
    styles = styles or load_styles()
    options = options or defaults(styles)
    specs = plan(writers, sizes, options)
    read = ReadOptions.from_settings(styles.settings, strict=strict)
    if out_dir.is_dir():
        remove_stale(out_dir)  # what a killed export left; a running export's are kept
    index = {} if force else earlier(read_manifest(out_dir)["files"])
    pages = [load(path, read) for path in sources]
    kept: dict[int, list[JobResult]] = {}

    def current(page: Page, key: str) -> list[JobResult] | None:
        found = [up_to_date(spec, fingerprint(spec, key, styles), out_dir, index)
                 for spec in specs]
        if not all(found):
            return None
        return [JobResult(spec, entries, skipped=True, page=page.name)
                for spec, entries in zip(specs, found, strict=True)]

    # A page whose bytes made every current file, linking to no other page (else its files'
    # fingerprints would include the pages linked to), was checked then: not parsed again
    # (unless its warnings are to be refused).
    for k, page in enumerate(pages):
        if page.ok and not strict:
            found = current(page, page.sha256)
            if found is not None:
                kept[k] = found
    for k, page in enumerate(pages):
        if k not in kept:
            pages[k] = parsed(page, read)
    linker = Linker({p.path: p for p in pages}, read)
    tables: dict[int, dict[str, Any]] = {}
    for k, page in enumerate(pages):
        if k in kept or page.doc is None:
            continue
        tables[k] = linker.table(page.doc)
        pages[k] = page = linker.resolve(page, strict=strict)
        if page.doc is not None and on_warning is not None:
            for warning in page.doc.warnings:
                on_warning(warning)
        if page.doc is not None:
            found = current(page, content_key(page.doc))
            if found is not None:
                kept[k] = found

    todo = [k for k, p in enumerate(pages) if p.ok and k not in kept]
    if on_start is not None:
        on_start([(p.name, s) for k, p in enumerate(pages) if p.ok for s in specs])
    for k in sorted(kept):
        for result in kept[k]:
            if on_done is not None:
                on_done(result)
    publisher = _Publisher(out_dir, on_done)
    tasks = []
    unwritable: dict[int, tuple[JobResult, ...]] = {}
    for k in todo:
        page = pages[k]
        try:
            dest = open_staging(out_dir, page.name)
        except OSError as exc:  # the output folder itself: each job says so, named
            error, _ = failure(exc, out_dir)
            unwritable[k] = tuple(JobResult(s, error=error, page=page.name) for s in specs)
            for result in unwritable[k]:
                if on_done is not None:
                    on_done(result)
            continue
        task = Task(page, tuple(specs), dest, tables.get(k, {}))
        publisher.left[task.dest] = len(specs)
        tasks.append(task)
    try:
        if tasks:
            from exporter.executors.local import LocalExecutor

            (executor or LocalExecutor(jobs)).run(tasks, styles, out_dir, publisher.add)
        publisher.flush()
    finally:
        for task in tasks:
            close_staging(task.dest)  # a no-op for those already published
    outcomes = []
    for k, page in enumerate(pages):
        doc = page.doc
        title = doc.meta.title if doc is not None else ""
        warnings = doc.warnings if doc is not None else ()
        if k in kept:
            results: tuple[JobResult, ...] = tuple(kept[k])
        elif k in unwritable:
            results = unwritable[k]
        elif page.ok:
            task = next(t for t in tasks if t.page.path == page.path)
            results = tuple(publisher.results[task.dest, i] for i in range(len(specs)))
        else:
            results = ()
        outcomes.append(PageOutcome(page.name, str(page.path), title, results, page.problems,
                                    tuple(warnings)))
    return Summary(tuple(outcomes), time.perf_counter() - begun)


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
    """Read, check and write every format of one page. Raises SourceError before anything is
    written. (A collection of pages, each kept apart from the others' failures, is
    ``build``'s.)

    The source's style warnings go to ``on_warning``; ``strict`` refuses them as errors.
    """
    from exporter.reader import SourceError

    summary = build([source], out_dir, writers, sizes=sizes, options=options, styles=styles,
                    jobs=jobs, force=force, strict=strict,
                    on_start=(lambda work: on_start([s for _, s in work])) if on_start else None,
                    on_done=on_done, on_warning=on_warning)
    (page,) = summary.pages
    if page.problems:
        raise SourceError(page.problems)
    return list(page.results)
