"""The `exporter` command: export, writers (and check, serve as they arrive)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from exporter import __version__

EXIT_OK, EXIT_WRITER_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: The shell's convention: 128 + the signal's number.
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
DEFAULT_SOURCE = Path("source/hsct.md")
DEFAULT_OUTPUT = Path("output")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="exporter",
        description="Turn one structured source into accessible formats "
        "(large-print PDF, Word, EPUB 3, audio, HTML).",
        epilog="Exit status: 0 ok, 1 a writer failed, 2 bad input.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ex = sub.add_parser("export", help="build output files from a source",
                        description="Check the source, then build each format into the "
                        "output folder. Nothing is written if the source has problems.")
    ex.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                    help=f"the Markdown source (default: {DEFAULT_SOURCE})")
    ex.add_argument("--to", default="all", metavar="FORMATS",
                    help="comma-separated writer names, or 'all' (default); see 'exporter writers'")
    ex.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT,
                    help=f"output folder (default: {DEFAULT_OUTPUT})")
    ex.add_argument("--size", default=None, metavar="PT[,PT...]",
                    help="body text size(s) in points for print formats (default and range: "
                    "styles/settings.yaml); several give several files")
    ex.add_argument("--scheme", default=None,
                    help="colour scheme, a name from styles/settings.yaml")
    ex.add_argument("--line-spacing", default=None, metavar="N",
                    help="line spacing, a multiple of the text size (range: "
                    "styles/settings.yaml)")
    ex.add_argument("--grade", default=None, choices=None, metavar="N",
                    help="braille grade: 2 contracted (default), 1 uncontracted")
    ex.add_argument("-j", "--jobs", type=int, default=None,
                    help="writers to run at once (default: one per core)")
    ex.add_argument("--force", action="store_true",
                    help="rebuild every file even if its inputs have not changed")
    ex.add_argument("--styles", type=Path, default=None, metavar="DIR",
                    help="a styles folder whose files override the defaults (default: ./styles "
                    "when it exists)")
    ex.add_argument("--strict", action="store_true",
                    help="treat the source's warnings (style advice) as errors")
    ex.add_argument("--check", action="store_true",
                    help="then run 'exporter check' on the output folder (as make export does)")

    ck = sub.add_parser("check", help="prove every output is complete, consistent, conformant",
                        description="Read back every file in the output folder's manifest and "
                        "compare it with the source: navigation, content, format validity, "
                        "large-print rules, integrity. Writes check-report.json; exit 1 on any "
                        "failure.")
    ck.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT,
                    help=f"the output folder (default: {DEFAULT_OUTPUT})")
    ck.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                    help=f"the source the outputs were built from (default: {DEFAULT_SOURCE})")
    ck.add_argument("-v", "--verbose", action="store_true", help="show passing checks' details")
    ck.add_argument("--force", action="store_true",
                    help="re-run every read-back check even if nothing changed since the last")

    sv = sub.add_parser("serve", help="run the download page and format-request service",
                        description="Serve the output folder with its download page, and make "
                        "other sizes, colour schemes and line spacings on request "
                        "(127.0.0.1 by default).")
    sv.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                    help=f"the Markdown source variants are built from (default: {DEFAULT_SOURCE})")
    sv.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT,
                    help=f"the folder to serve (default: {DEFAULT_OUTPUT})")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    sv.add_argument("--cache", type=Path, default=Path(".variant-cache"),
                    help="folder for files made on request (default: .variant-cache)")
    sv.add_argument("--build-timeout", type=float, default=180.0,
                    help="seconds a build may take (default: 180)")
    sv.add_argument("--allowed-host", action="append", default=None,
                    help="a Host name to accept besides loopback names (repeatable)")

    sub.add_parser("writers", help="list installed writers",
                   description="List every writer installed through the exporter.writers "
                   "entry-point group, with a one-line description.")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `exporter check | head`: the reader left, nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C outside an export (which handles it itself)
        print("exporter: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "writers":
        return _writers()
    if args.command == "check":
        return _check(args)
    if args.command == "serve":
        from exporter.service.app import run

        run(args.host, args.port, out_dir=args.output, source=args.source, cache_dir=args.cache,
            build_timeout=args.build_timeout, allowed_hosts=args.allowed_host)
        return EXIT_OK
    return _export(args)


def _writers() -> int:
    from exporter import registry
    from exporter.writers.base import WriterError

    status = EXIT_OK
    for name, reg in registry.available().items():
        try:
            print(f"{name:<8} {reg.load().description}")
        except WriterError as exc:
            print(f"{name:<8} (unavailable: {exc})")
            status = EXIT_WRITER_FAILED
    return status


def _check(args: argparse.Namespace) -> int:
    if not args.output.is_dir():
        return _fail(f"no output folder {args.output}: run 'exporter export' first")
    if not args.source.is_file():
        return _fail(f"no source file {args.source}")
    return _run_checks(args.output, args.source, force=args.force, verbose=args.verbose)


def _run_checks(output: Path, source: Path, *, force: bool, verbose: bool) -> int:
    from exporter.readback import print_report, run_checks, write_report

    report = run_checks(output, source, reuse=not force)
    write_report(report, output)  # first: a closed pipe must not lose the report
    print_report(report, verbose=verbose)
    return EXIT_OK if report.ok else EXIT_WRITER_FAILED


def _fail(message: str) -> int:
    print(f"exporter: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _export(args: argparse.Namespace) -> int:
    from exporter import registry
    from exporter.options import OptionsError, parse
    from exporter.pipeline import JobResult, export
    from exporter.reader import SourceError
    from exporter.styles import StylesError, load_styles
    from exporter.writers.base import WriterError

    try:
        styles = load_styles(args.styles)
    except StylesError as exc:
        return _fail(str(exc))
    known = list(registry.available())
    names = known if args.to == "all" else [n.strip() for n in args.to.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        return _fail(f"unknown writer {', '.join(unknown) or '(none given)'}; "
                     f"installed: {', '.join(known)}")
    given = {"scheme": args.scheme, "line_spacing": args.line_spacing, "grade": args.grade}
    try:
        options = parse({k: v for k, v in given.items() if v is not None}, styles)
        sizes = [parse({"size": s}, styles).size for s in args.size.split(",")] \
            if args.size else [options.size]
    except OptionsError as exc:
        return _fail("; ".join(f"--{p.field.replace('_', '-')}: {p}" for p in exc.problems))
    options = options.changed(size=sizes[0])

    progress = _Progress()
    _stop_cleanly_on_signals(args.output, progress)
    try:
        # export() reads and checks the whole source before it writes anything.
        results = export(args.source, args.output, names, sizes=sizes, options=options,
                         styles=styles, jobs=args.jobs, force=args.force, on_start=progress.start,
                         on_done=progress.done, strict=args.strict,
                         on_warning=lambda w: print(w, file=sys.stderr))
    except SourceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        n = len(exc.problems)
        print(f"exporter: {n} problem{'s' * (n != 1)} in the source; nothing was written.",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except WriterError as exc:
        return _fail(str(exc))
    except OSError as exc:  # the output folder itself cannot be used
        from exporter.output import write_problem

        print(f"exporter: error: {write_problem(exc, args.output)}", file=sys.stderr)
        return EXIT_WRITER_FAILED
    finally:
        progress.stop()
        _default_signals()
    from exporter.output import os_error_in, write_problem
    from exporter.service.pages import write_index

    failed: list[JobResult] = [r for r in results if not r.ok]
    for r in failed:
        print(f"exporter: {_label(r.spec)} failed: {r.error}", file=sys.stderr)
        if r.detail:
            print(r.detail, file=sys.stderr)
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
    made = sum(len(r.entries) for r in results if not r.skipped)
    kept = sum(len(r.entries) for r in results if r.skipped)
    print(f"{made} file{'s' * (made != 1)} written to {args.output}/"
          + (f", {kept} already up to date" if kept else "")
          + (f"; {len(failed)} writer job(s) failed" if failed else ""), flush=True)
    status = EXIT_WRITER_FAILED if failed or index_problem else EXIT_OK
    if args.check:
        # In the same process: one start-up instead of two for a no-op `make export`.
        checked = _run_checks(args.output, args.source, force=args.force, verbose=False)
        status = max(status, checked)
    return status


def _stop_cleanly_on_signals(output: Path, progress: _Progress) -> None:
    """Ctrl-C or SIGTERM during an export: one line, children stopped, exit 130 (or 143).

    What is already published stays, and the manifest lists it truly (output.publish_job
    keeps it true at every instant); this process's staging folders are removed, and the
    next export removes anything else left behind.
    """
    import contextlib
    import os
    import signal

    def stop(signum: int, frame: object) -> None:
        from exporter import children
        from exporter.output import abandon_staging, remove_stale

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


def _label(spec: object) -> str:
    """'pdf 18pt': the writer, and the size when the writer makes one file per size."""
    from exporter import registry
    from exporter.pipeline import JobSpec

    assert isinstance(spec, JobSpec)
    try:
        sized = "size" in registry.get(spec.writer).option_names
    except Exception:  # a writer that cannot load is reported by its job, not here
        sized = False
    return f"{spec.writer} {spec.options.size}pt" if sized else spec.writer


class _Progress:
    """A rich progress bar on a terminal; plain lines otherwise (logs, CI, pipes)."""

    def __init__(self) -> None:
        self.live = sys.stdout.isatty()
        self.bar: object | None = None
        self.task: object | None = None

    def start(self, specs: Sequence[object]) -> None:
        if self.live:
            from rich.progress import Progress

            bar = Progress(transient=False)
            bar.start()
            self.task = bar.add_task("Exporting", total=len(specs))
            self.bar = bar
        else:
            print(f"exporting {len(specs)} job(s): {', '.join(_label(s) for s in specs)}")

    def done(self, result: object) -> None:
        from exporter.pipeline import JobResult

        assert isinstance(result, JobResult)
        files = ", ".join(e["file"] for e in result.entries)
        if result.skipped:
            line = f"{_label(result.spec)}: up to date ({files})"
        elif result.ok:
            line = f"{_label(result.spec)}: {files} ({result.seconds:.1f} s)"
        else:
            line = f"{_label(result.spec)}: FAILED (the reason follows at the end)"
        if self.bar is not None:
            from rich.progress import Progress

            assert isinstance(self.bar, Progress)
            self.bar.console.print(line)
            self.bar.advance(self.task)  # type: ignore[arg-type]
        else:
            print(line, flush=True)

    def stop(self) -> None:
        if self.bar is not None:
            from rich.progress import Progress

            assert isinstance(self.bar, Progress)
            self.bar.stop()
