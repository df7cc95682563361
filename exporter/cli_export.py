"""`exporter export`: options from the flags, the build, the download page, a clean stop."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from exporter.cli_common import broker_errors, check_folder, fail, page_sources
from exporter.cli_parser import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_WRITER_FAILED,
    OPTION_FLAGS,
    flag,
)

if TYPE_CHECKING:
    from exporter.executors import Executor
    from exporter.options import Options
    from exporter.progress import Progress
    from exporter.styles import Styles


def export(args: argparse.Namespace) -> int:
    """Build every page named into the output folder; the exit status."""
    from exporter import registry
    from exporter.options import OptionsError, parse
    from exporter.styles import StylesError, load_styles

    sources = page_sources(args.sources)
    if isinstance(sources, int):
        return sources
    try:
        styles = load_styles(args.styles)
    except StylesError as exc:
        return fail(str(exc))
    names = list(registry.available()) if args.to == "all" \
        else [n.strip() for n in args.to.split(",") if n.strip()]
    if not names or not registry.known(names):  # built-in names need no package scan
        known = list(registry.available())
        unknown = [n for n in names if n not in known]
        return fail(f"unknown writer {', '.join(unknown) or '(none given)'}; "
                     f"installed: {', '.join(known)}")
    given = {field: getattr(args, field) for field, _ in OPTION_FLAGS}
    try:
        options = parse({k: v for k, v in given.items() if v is not None}, styles)
        sizes = [parse({"size": s}, styles).size for s in args.size.split(",")] \
            if args.size else [options.size]
    except OptionsError as exc:
        return fail("; ".join(f"{flag(p.field)}: {p}" for p in exc.problems))
    options = options.changed(size=sizes[0])
    executor: Executor | None = None
    if args.broker:
        from exporter.executors.celery import BrokerError, CeleryExecutor

        try:
            executor = CeleryExecutor(args.broker)
        except BrokerError as exc:
            return fail(str(exc), EXIT_WRITER_FAILED)
    return _build(args, sources, names, sizes, options, styles, executor)


def _build(args: argparse.Namespace, sources: list[Path], names: list[str], sizes: list[int],
           options: Options, styles: Styles, executor: Executor | None) -> int:
    from exporter.batch import build
    from exporter.progress import Progress, report_failures, summary_lines
    from exporter.service.pages import write_index
    from exporter.write_errors import os_error_in, write_problem
    from exporter.writers.base import WriterError

    progress = Progress()
    _stop_cleanly_on_signals(args.output, progress)
    try:
        summary = build(sources, args.output, names, sizes=sizes, options=options,
                        styles=styles, jobs=args.jobs, force=args.force,
                        strict=args.strict, executor=executor,
                        on_start=progress.start, on_done=progress.done,
                        on_warning=lambda w: print(w, file=sys.stderr))
    except WriterError as exc:
        return fail(str(exc))
    except broker_errors() as exc:
        return fail(str(exc), EXIT_WRITER_FAILED)
    except OSError as exc:  # the output folder itself cannot be used
        print(f"exporter: error: {write_problem(exc, args.output)}", file=sys.stderr)
        return EXIT_WRITER_FAILED
    finally:
        progress.stop()
        _default_signals()
    report_failures(summary)
    if summary.bad_input_only:
        if len(summary.pages) > 1:
            for line in summary_lines(summary, str(args.output)):
                print(line, file=sys.stderr)
            print("exporter: every page has problems in its source; nothing was written.",
                  file=sys.stderr)
        return EXIT_BAD_INPUT
    # The static download page lists whatever the manifest now holds.
    index_problem = None
    try:
        write_index(args.output, styles=styles)
    except OSError as exc:
        index_problem = write_problem(exc, args.output)
    except Exception as exc:
        os_error = os_error_in(exc)
        if os_error is None:
            raise
        index_problem = write_problem(os_error, args.output)
    if index_problem:
        print(f"exporter: the download page was not written: {index_problem}",
              file=sys.stderr)
    for line in summary_lines(summary, str(args.output)):
        print(line, flush=True)
    status = EXIT_WRITER_FAILED if not summary.ok or index_problem else EXIT_OK
    if args.check:
        # In the same process: one start-up instead of two for a no-op `make export`.
        checked = check_folder(args.output, None, force=args.force, verbose=False)
        status = max(status, checked)
    return status


def _stop_cleanly_on_signals(output: Path, progress: Progress) -> None:
    """Ctrl-C or SIGTERM during an export: one line, children stopped, exit 130 (or 143).

    What is already published stays, and the manifest lists it truly (manifest.publish_job
    keeps it true at every instant); this process's staging folders are removed, and the
    next export removes anything else left behind.
    """
    import contextlib
    import os
    import signal

    def stop(signum: int, frame: object) -> None:
        from exporter import children
        from exporter.staging import abandon_staging, remove_stale

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with contextlib.suppress(Exception):
            progress.stop()
        what = "interrupted" if signum == signal.SIGINT else "stopped"
        print(f"\nexporter: {what}; files already finished are kept and listed in "
              f"{output}/manifest.json; export again to finish", file=sys.stderr, flush=True)
        try:
            children.kill_children()
            abandon_staging()
            remove_stale(output)
        finally:
            sys.stdout.flush()
            os._exit(EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_TERMINATED)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def _default_signals() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
