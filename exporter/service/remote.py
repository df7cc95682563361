"""Files made on request by Celery workers (`exporter serve --broker URL`), not child processes."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path
from typing import Any

from exporter.options import Options
from exporter.service.variant_types import VariantError

_executors: dict[str, Any] = {}
_lock = threading.Lock()


def _executor(broker: str) -> Any:
    """One executor (Celery app and connections) per broker, made on first use."""
    import logging

    from exporter.executors.celery import CeleryExecutor

    with _lock:
        if broker not in _executors:
            log = logging.getLogger("exporter.service.remote")
            _executors[broker] = CeleryExecutor(broker, warn=log.warning)
        return _executors[broker]


async def build_remotely(broker: str, source: Path, writer: str, options: Options, work: Path,
                         timeout: float, styles_root: Path | None = None) -> dict[str, Any]:
    """Build one writer's files of a page on a worker, into ``work``: the same result a child
    process gives (``source_sha256`` is the page's key; ``files`` the manifest entries)."""
    try:
        return await asyncio.to_thread(_build, broker, source, writer, options, work, timeout,
                                       styles_root)
    except TimeoutError as exc:
        raise VariantError(f"making this file took longer than {timeout:g} seconds and was "
                           "stopped", status=503, retry_after=60, remember=True) from exc


def _build(broker: str, source: Path, writer: str, options: Options, work: Path,
           timeout: float, styles_root: Path | None) -> dict[str, Any]:
    from exporter.collection import Linker, load, page_key, parsed
    from exporter.executors import Task
    from exporter.executors.celery import BrokerError
    from exporter.options import OptionsError, check
    from exporter.pipeline import JobResult, JobSpec
    from exporter.reader import ReadOptions
    from exporter.styles import StylesError, load_styles

    try:
        styles = load_styles(styles_root)
        check(options, styles)  # the rules every caller is held to (exporter.options)
    except (StylesError, OptionsError) as exc:
        return {"error": str(exc)}
    read = ReadOptions.from_settings(styles.settings)
    key, _ = page_key(source, read)
    page = parsed(load(source, read), read)
    linker = Linker({source: page}, read)
    table = linker.table(page.doc) if page.doc is not None else {}
    page = linker.resolve(page)
    if page.doc is None:
        return {"error": "the source has problems: " + "; ".join(str(p) for p in page.problems)}
    task = Task(page, (JobSpec(writer, options),), work / ".job", table)
    results: list[JobResult] = []
    try:
        _executor(broker).run([task], styles, work, lambda t, i, r: results.append(r),
                              timeout=timeout)
    except BrokerError as exc:
        raise VariantError(f"the build workers cannot be reached: {exc}", status=503,
                           retry_after=30) from exc
    (result,) = results
    if not result.ok:
        return {"error": result.error, "detail": result.detail}
    for entry in result.entries:  # the variant's folder holds its files directly
        (task.folder(0) / str(entry["file"])).replace(work / str(entry["file"]))
    shutil.rmtree(task.dest, ignore_errors=True)
    return {"source_sha256": key, "seconds": round(result.seconds, 3),
            "files": list(result.entries)}
