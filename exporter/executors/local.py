"""The default executor: this machine's cores, a process pool that imports each library once."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from exporter import registry
from exporter.executors import Report, Task
from exporter.model import Document
from exporter.pipeline import JobResult, JobSpec, cache_root, schedule, write_job
from exporter.styles import Styles

if TYPE_CHECKING:
    from concurrent.futures import Future


class LocalExecutor:
    """Runs jobs in worker processes (one per core by default), or in this process when the
    work is too light to be worth starting any."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs  #: worker processes; None: one per core

    def run(self, tasks: Sequence[Task], styles: Styles, out_dir: Path, report: Report) -> None:
        units = [(t, i) for t in tasks for i in range(len(t.specs))]
        if not units:
            return
        cores = self.jobs or os.cpu_count() or 1
        costs = [_cost(t.specs[i].writer) for t, i in units]
        groups = schedule([(t.page.name, t.specs[i].writer) for t, i in units], costs, cores)
        workers = min(len(groups), cores)
        # Starting worker processes costs more than a couple of quick writers take to run.
        light = sum(costs) <= 2 and self.jobs is None
        cache = cache_root(out_dir)
        if workers <= 1 or light:
            for t, i in units:
                doc = t.page.doc
                assert doc is not None
                report(t, i, write_job(t.specs[i], doc, styles, t.folder(i), t.page.name, cache,
                                       out_dir=out_dir))
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures: dict[Future[list[JobResult]], list[tuple[Task, int]]] = {}
            for group in groups:
                members = [units[k] for k in group]
                # A group holds one page's jobs (see schedule): the page travels once.
                task = members[0][0]
                futures[pool.submit(run_jobs, [task.specs[i] for _, i in members], task.page.doc,
                                    styles, [task.folder(i) for _, i in members],
                                    task.page.name, cache, out_dir)] = members
            for fut in as_completed(futures):
                try:
                    finished = fut.result()
                except BrokenProcessPool:
                    # The worker died (out of memory, a CPU-time limit, a signal, a crash in
                    # C code): its jobs failed, and say so; the others' results stand.
                    finished = [JobResult(t.specs[i], error="the process running this writer "
                                          "ended abruptly (out of memory, over a CPU-time "
                                          "limit, or killed)")
                                for t, i in futures[fut]]
                for (t, i), result in zip(futures[fut], finished, strict=True):
                    report(t, i, result)


def run_jobs(specs: Sequence[JobSpec], doc: Document | None, styles: Styles,
             folders: Sequence[Path], stem: str, cache: Path, out_dir: Path) -> list[JobResult]:
    """Several jobs of one page, one after another, in a worker process."""
    assert doc is not None
    return [write_job(spec, doc, styles, folder, stem, cache, out_dir=out_dir)
            for spec, folder in zip(specs, folders, strict=True)]


def _cost(writer: str) -> int:
    try:
        return registry.get(writer).cost
    except Exception:  # a writer that cannot load fails in its job, with its reason
        return 1
