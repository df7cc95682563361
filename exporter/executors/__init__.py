"""Where a collection's jobs run: a local process pool (the default) or Celery workers.

An executor runs each task's jobs and reports every job's result; the files stay in the
task's staging folder (``Task.dest``, job ``i`` in ``dest/i``) for the coordinator to publish.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from exporter.collection import Page, PageInfo
from exporter.pipeline import JobResult, JobSpec
from exporter.styles import Styles


@dataclass(frozen=True)
class Task:
    """Some jobs of one page, written into one staging folder."""

    page: Page  #: with its document read and its links resolved
    specs: tuple[JobSpec, ...]
    dest: Path  #: the staging folder (job i writes into dest / str(i))
    #: the page's links: each target path as written -> its page (or why it has none), so
    #: that a worker elsewhere, reading the page afresh, resolves them just the same
    links: Mapping[str, PageInfo | str]

    def folder(self, i: int) -> Path:
        """Where job ``i`` of the task writes its files."""
        return self.dest / str(i)


#: Called once per job as it finishes: the task, the job's index in it, and its result.
Report = Callable[[Task, int, JobResult], None]


class Executor(Protocol):
    """Runs tasks somewhere and reports each job."""

    def run(self, tasks: Sequence[Task], styles: Styles, out_dir: Path, report: Report) -> None:
        """Run every job of every task; call ``report`` for each, in any order."""
