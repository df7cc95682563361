"""What an export shows while it runs and says at the end: progress, failures, a summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from exporter.batch import PageOutcome, Summary
from exporter.pipeline import JobResult, JobSpec


def label(spec: JobSpec) -> str:
    """'pdf 18pt': the writer, and the size when the writer makes one file per size."""
    from exporter import registry

    try:
        sized = "size" in registry.get(spec.writer).option_names
    except Exception:  # a writer that cannot load is reported by its job, not here
        sized = False
    return f"{spec.writer} {spec.options.size}pt" if sized else spec.writer


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


class Progress:
    """A rich progress bar on a terminal; plain lines otherwise (logs, CI, pipes).

    One page: a line per job. A collection: a line per page once its jobs are done (hundreds
    of pages would otherwise print thousands of lines).
    """

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.live = self.out.isatty()
        self.bar: object | None = None
        self.task: object | None = None
        self.per_page: dict[str, int] = {}  #: jobs still to come, by page
        self.page_results: dict[str, list[JobResult]] = {}
        self.pages_done = 0

    @property
    def collection(self) -> bool:
        return len(self.per_page) > 1

    def start(self, work: Sequence[tuple[str, JobSpec]]) -> None:
        for page, _ in work:
            self.per_page[page] = self.per_page.get(page, 0) + 1
        if self.live:
            from rich.progress import Progress as Bar

            bar = Bar(transient=False, console=None)
            bar.start()
            self.task = bar.add_task("Exporting", total=len(work))
            self.bar = bar
        elif self.collection:
            self._print(f"exporting {_plural(len(self.per_page), 'page')}: "
                        f"{_plural(len(work), 'job')}")
        else:
            self._print(f"exporting {len(work)} job(s): {', '.join(label(s) for _, s in work)}")

    def done(self, result: JobResult) -> None:
        if self.collection:
            results = self.page_results.setdefault(result.page, [])
            results.append(result)
            if len(results) == self.per_page.get(result.page, 0):
                self.pages_done += 1
                self._print(self._page_line(result.page, results))
        else:
            self._print(self._job_line(result))
        if self.bar is not None:
            from rich.progress import Progress as Bar

            assert isinstance(self.bar, Bar)
            self.bar.advance(self.task)  # type: ignore[arg-type]

    def _job_line(self, result: JobResult) -> str:
        files = ", ".join(e["file"] for e in result.entries)
        if result.skipped:
            return f"{label(result.spec)}: up to date ({files})"
        if result.ok:
            return f"{label(result.spec)}: {files} ({result.seconds:.1f} s)"
        return f"{label(result.spec)}: FAILED (the reason follows at the end)"

    def _page_line(self, page: str, results: Sequence[JobResult]) -> str:
        where = f"[{self.pages_done}/{len(self.per_page)}] {page}:"
        failed = [r for r in results if not r.ok]
        files = sum(len(r.entries) for r in results)
        if failed:
            return f"{where} FAILED: {', '.join(label(r.spec) for r in failed)} (reasons at " \
                   "the end)"
        if all(r.skipped for r in results):
            return f"{where} up to date ({_plural(files, 'file')})"
        seconds = sum(r.seconds for r in results)
        return f"{where} {_plural(files, 'file')} ({seconds:.1f} s of work)"

    def _print(self, line: str) -> None:
        if self.bar is not None:
            from rich.progress import Progress as Bar

            assert isinstance(self.bar, Bar)
            self.bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.out, flush=True)

    def stop(self) -> None:
        if self.bar is not None:
            from rich.progress import Progress as Bar

            assert isinstance(self.bar, Bar)
            self.bar.stop()


def report_failures(summary: Summary, err: TextIO | None = None) -> None:
    """Every problem, under its page: a source's problems as file:line lines, then each failed
    job with its reason (and a writer bug's traceback)."""
    err = err or sys.stderr
    one = len(summary.pages) == 1
    for page in summary.pages:
        for problem in page.problems:
            print(problem, file=err)
        if page.problems and one:
            n = len(page.problems)
            print(f"exporter: {n} problem{'s' * (n != 1)} in the source; nothing was written.",
                  file=err)
        for r in page.failures:
            where = "" if one else f"{page.name}: "
            print(f"exporter: {where}{label(r.spec)} failed: {r.error}", file=err)
            if r.detail:
                print(r.detail, file=err)


def summary_lines(summary: Summary, out_dir: str) -> list[str]:
    """The closing lines: files written and kept; for a collection, the pages and each failed
    page with its reason."""
    made, kept = summary.made, summary.kept
    failed_jobs = sum(len(p.failures) for p in summary.pages)
    if len(summary.pages) == 1:
        page = summary.pages[0]
        if page.problems:
            return []
        return [f"{made} file{'s' * (made != 1)} written to {out_dir}/"
                + (f", {kept} already up to date" if kept else "")
                + (f"; {failed_jobs} writer job(s) failed" if failed_jobs else "")]
    bad = [p for p in summary.pages if not p.ok]
    lines = [f"{_plural(len(summary.pages), 'page')}: {_plural(made, 'file')} written to "
             f"{out_dir}/" + (f", {kept:,} already up to date" if kept else "")
             + f" ({summary.seconds:.1f} s)"]
    if bad:
        lines.append(f"{_plural(len(bad), 'page')} failed:")
        lines += [f"  {_why(p)}" for p in bad]
    return lines


def _why(page: PageOutcome) -> str:
    if page.problems:
        n = len(page.problems)
        first = str(page.problems[0])
        return (f"{page.name} ({page.source}): {n} problem{'s' * (n != 1)} in the source, "
                f"nothing written for it; first: {first}")
    reasons = "; ".join(f"{label(r.spec)}: {r.error}" for r in page.failures)
    return f"{page.name} ({page.source}): {reasons}"
