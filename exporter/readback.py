"""`exporter check`: read every output back, each with its writer's own checker, and report."""

from __future__ import annotations

import hashlib
import importlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from exporter.checks.common import CATEGORIES, Context, Finding
from exporter.checks.report import Report, print_report, write_report
from exporter.output import REPORT_NAME

__all__ = ["REPORT_NAME", "Finding", "Report", "print_report", "run_checks", "write_report"]

Checker = Callable[[Context, list[Mapping[str, Any]]], list[Finding]]


def run_checks(out_dir: Path, source: Path | Sequence[Path] | None = None, *,
               reuse: bool = True) -> Report:
    """Check every file of out_dir's manifest against its page's source; never raises for bad
    files. Each page's source is the one the manifest records, unless ``source`` names it
    (integrity.page_sources).

    With ``reuse``, the integrity checks always run (every file re-hashed against the
    manifest), but the slower read-back checks are taken from the last report when the
    manifest, the sources and the checkers are all unchanged and that report passed.
    """
    from exporter.checks import integrity

    start = time.perf_counter()
    sources = integrity.page_sources(integrity.load_manifest(out_dir), source)
    findings = integrity.check_folder(out_dir, sources)
    key = _inputs_key(out_dir, list(sources.values()))
    earlier = _earlier_findings(out_dir, key) if reuse and all(f.ok for f in findings) else None
    if earlier is not None:
        done = {(f.check, f.file) for f in findings}
        findings += [f for f in earlier if (f.check, f.file) not in done]
    else:
        ready: list[tuple[str, Context]] = []
        for name, ctx in integrity.contexts(out_dir, sources).items():
            if isinstance(ctx, Finding):
                if not any((f.check, f.file) == (ctx.check, ctx.file) and not f.ok
                           for f in findings):
                    findings.append(ctx)
            else:
                ready.append((name, ctx))
        findings += _format_checks(ready, len(sources) == 1)
        from exporter.checks.links import check_links

        manifest = integrity.load_manifest(out_dir)
        if not isinstance(manifest, str):  # an unusable manifest is integrity's finding
            findings += check_links(out_dir, manifest.get("files", []))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    findings.sort(key=lambda f: (order.get(f.category, len(order)), f.file, f.check))
    shown = next(iter(sources.values())) if len(sources) == 1 else _common_folder(sources)
    return Report(out_dir, shown, tuple(findings), time.perf_counter() - start, key,
                  reused=earlier is not None)


def _common_folder(sources: Mapping[str, Path]) -> Path:
    """The folder the pages' sources share ("." when nothing is shared)."""
    import os

    paths = [str(p.parent) for p in sources.values()]
    return Path(os.path.commonpath(paths)) if paths and len({os.path.isabs(p) for p in paths}) \
        == 1 else Path(".")


def _inputs_key(out_dir: Path, sources: Sequence[Path]) -> str:
    from exporter.fingerprint import tree_digest

    h = hashlib.sha256()
    for path in (out_dir / "manifest.json", *sorted(sources)):
        try:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            return ""
    h.update(tree_digest(Path(__file__).resolve().parent, "*.py").encode())
    # The styles say what the files must show (section numbers, the house font): a changed
    # setting must be checked afresh, not answered from the last report.
    from exporter.styles import StylesError, load_styles

    try:
        roots = load_styles().roots
    except StylesError:
        return ""
    for root in roots:
        h.update(tree_digest(root.resolve(), "*").encode())
    return h.hexdigest()


def _earlier_findings(out_dir: Path, key: str) -> list[Finding] | None:
    """The findings of the last report if it passed and checked exactly these inputs."""
    if not key:
        return None
    try:
        data = json.loads((out_dir / REPORT_NAME).read_text(encoding="utf-8"))
        if data.get("key") != key or not data.get("ok"):
            return None
        return [Finding(f["category"], f["check"], f["file"], f["status"] == "pass",
                        f["detail"]) for f in data["findings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _format_checks(pages: Sequence[tuple[str, Context]], only: bool) -> list[Finding]:
    """The read-back checks of each page's files, by format (``only``: the folder holds one
    page, whatever its files call it)."""
    from exporter.manifest import page_name

    work: dict[str, list[tuple[Context, list[Mapping[str, Any]]]]] = {}
    for page, ctx in pages:
        by_format: dict[str, list[Mapping[str, Any]]] = {}
        for entry in ctx.manifest.get("files", []):
            if isinstance(entry, Mapping) and (ctx.out_dir / str(entry.get("file"))).is_file() \
                    and (only or page_name(entry) == page):
                by_format.setdefault(str(entry.get("format")), []).append(entry)
        for fmt, entries in by_format.items():
            work.setdefault(fmt, []).append((ctx, entries))

    def one_format(fmt: str) -> list[Finding]:
        # A format's pages one after another: a checker's library need not be thread-safe.
        return [f for ctx, entries in work[fmt] for f in _run_one(fmt, ctx, entries)]

    # Threads, because EPUBCheck runs in a Java subprocess while the PDF checks use the CPU.
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(one_format, fmt) for fmt in sorted(work)]
        return [f for fut in futures for f in fut.result()]


def _run_one(fmt: str, ctx: Context, entries: Sequence[Mapping[str, Any]]) -> list[Finding]:
    from exporter import registry
    from exporter.writers.base import WriterError

    names = ", ".join(str(e["file"]) for e in entries)
    try:
        checker = registry.get(fmt).checker
    except WriterError as exc:
        return [Finding("validity", f"{fmt}.read-back", names, False,
                        f"{names}: not checked: {exc}")]
    if checker is None:
        return [Finding("validity", f"{fmt}.read-back", names, True,
                        f"the '{fmt}' writer declares no read-back check: checked for "
                        "integrity only")]
    try:
        module_name, _, function = checker.partition(":")
        check: Checker = getattr(importlib.import_module(module_name), function or "check")
        return check(ctx, list(entries))
    except ModuleNotFoundError as exc:
        return [Finding("validity", f"{fmt}.read-back", names, False,
                        f"{names}: not checked: the reader '{exc.name}' is not installed; "
                        "pip install -e '.[test]'")]
    except Exception as exc:  # a file too broken to read is a failure to report, not a crash
        return [Finding("validity", f"{fmt}.read-back", names, False,
                        f"{names}: cannot be read back: {type(exc).__name__}: {exc}")]
