"""Shows a check report: failures first, a rich table on a terminal, plain lines otherwise; JSON."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from exporter.checks.common import Finding
from exporter.output import REPORT_NAME, atomic_write


@dataclass(frozen=True)
class Report:
    """Every finding of one run over an output folder."""

    out_dir: Path
    source: Path
    findings: tuple[Finding, ...]
    seconds: float
    key: str = ""  #: hash of what was checked: manifest, source and checker code
    reused: bool = False  #: the format checks' findings came from an earlier identical run

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.ok)

    def as_dict(self) -> dict[str, Any]:
        return {
            "output": str(self.out_dir),
            "source": str(self.source),
            "ok": self.ok,
            "checks": len(self.findings),
            "failures": len(self.failures),
            "seconds": round(self.seconds, 2),
            "key": self.key,
            "findings": [f.as_dict() for f in self.findings],
        }


def summary(report: Report) -> str:
    """One line: how many checks, how many failed, and where."""
    n, bad = len(report.findings), len(report.failures)
    if not bad:
        again = ("; files re-hashed, read-back results reused: nothing changed since the last "
                 "check" if report.reused else "")
        return (f"check: all {n} checks passed in {report.out_dir}/ ({report.seconds:.1f} s"
                f"{again})")
    return (f"check: {bad} of {n} checks FAILED in {report.out_dir}/ ({report.seconds:.1f} s): "
            + ", ".join(f"{f.check} ({f.file or report.out_dir})" for f in report.failures[:6])
            + (" …" if bad > 6 else ""))


def print_report(report: Report, file: TextIO | None = None, *, verbose: bool = False) -> None:
    """Failures (with their evidence) first, then every check; a table when ``file`` is a tty.

    ``verbose`` also prints the detail of passing checks.
    """
    out = file or sys.stdout
    if out.isatty():
        _rich(report, out, verbose)
    else:
        _plain(report, out, verbose)


def _ordered(report: Report) -> list[Finding]:
    return [*report.failures, *(f for f in report.findings if f.ok)]


def _plain(report: Report, out: TextIO, verbose: bool) -> None:
    print(summary(report), file=out)
    findings = _ordered(report)
    check_width = max((len(f.check) for f in findings), default=0)
    file_width = max((len(f.file or "-") for f in findings), default=0)
    indent = " " * (4 + 2 + check_width + 1 + file_width + 1)
    for f in findings:
        lines = f.detail.splitlines() or [""]
        shown = lines if (not f.ok or verbose) else lines[:1]
        print(f"{f.status.upper():<4}  {f.check:<{check_width}} {f.file or '-':<{file_width}} "
              f"{shown[0]}", file=out)
        for line in shown[1:]:
            print(f"{indent}{line}", file=out)


def _rich(report: Report, out: TextIO, verbose: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out)
    style = "bold green" if report.ok else "bold red"
    console.print(summary(report), style=style, markup=False, highlight=False)
    table = Table(show_lines=False)
    table.add_column("Result", no_wrap=True)
    table.add_column("Check", no_wrap=True)
    table.add_column("File", overflow="fold")
    table.add_column("Detail", overflow="fold", ratio=1)
    for f in _ordered(report):
        detail = f.detail if (not f.ok or verbose) else f.detail.splitlines()[0]
        if f.file and detail.startswith(f"{f.file}: "):
            detail = detail[len(f.file) + 2 :]  # the File column says it already
        table.add_row("[green]pass[/]" if f.ok else "[bold red]FAIL[/]", f.check,
                      f.file or "-", _escape(detail))
    console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def write_report(report: Report, out_dir: Path | None = None) -> Path:
    """Write the report as JSON to <out_dir>/check-report.json atomically; returns its path."""
    path = (out_dir or report.out_dir) / REPORT_NAME
    body = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, body.encode("utf-8"))
    return path
