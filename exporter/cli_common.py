"""What the commands share: error lines, finding the pages, running the checks, broker errors."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from exporter.cli_parser import DEFAULT_SOURCES, EXIT_BAD_INPUT, EXIT_OK, EXIT_WRITER_FAILED


def check_folder(output: Path, sources: Sequence[Path] | None, *, force: bool,
                 verbose: bool) -> int:
    """`exporter check`: read back every output, write and print the report."""
    from exporter.readback import print_report, run_checks, write_report

    report = run_checks(output, sources, reuse=not force)
    write_report(report, output)  # first: a closed pipe must not lose the report
    print_report(report, verbose=verbose)
    return EXIT_OK if report.ok else EXIT_WRITER_FAILED


def fail(message: str, status: int = EXIT_BAD_INPUT) -> int:
    """Say what is wrong on stderr; the exit status to return."""
    print(f"exporter: error: {message}", file=sys.stderr)
    return status


def page_sources(given: Sequence[Path]) -> list[Path] | int:
    """The pages named (folders searched), or the exit status after saying what is wrong."""
    from exporter.collection import CollectionError, find_sources

    try:
        return find_sources(given or [DEFAULT_SOURCES])
    except CollectionError as exc:
        for problem in exc.problems:
            print(f"exporter: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT


def broker_errors() -> type[Exception]:
    """The error a broker that cannot be used raises (its module loads only when needed)."""
    if "exporter.executors.celery" in sys.modules:
        from exporter.executors.celery import BrokerError

        return BrokerError
    return _NeverRaised


class _NeverRaised(Exception):
    """Stands for BrokerError where Celery was never loaded."""
