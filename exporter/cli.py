"""The `exporter` command: export, check, serve, worker, writers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from exporter import __version__

if TYPE_CHECKING:
    from exporter.executors import Executor
    from exporter.options import Options
    from exporter.progress import Progress
    from exporter.styles import Styles

EXIT_OK, EXIT_WRITER_FAILED, EXIT_BAD_INPUT = 0, 1, 2
#: The shell's convention: 128 + the signal's number.
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
#: What `exporter export` builds when given no source: every page in this folder.
DEFAULT_SOURCES = Path("source")
DEFAULT_OUTPUT = Path("output")
EXIT_STATUS = ("Exit status: 0 ok; 1 something failed (a page, a writer, the broker); 2 bad "
               "input: nothing could be built (every page's source has problems, or an option "
               "is wrong).")


#: The reader's choices `exporter export` takes besides --size (which may list several), each
#: a field of exporter.options.Options, checked there by its rule: (field, metavar).
OPTION_FLAGS = (("scheme", "NAME"), ("font", "NAME"), ("line_spacing", "N"),
                ("letter_spacing", "EM"), ("word_spacing", "EM"), ("grade", "N"))
#: Ends the help of an option whose rule writes the rest (_OptionHelp).
_RULE_MARK = "\x00rule"


def _flag(field: str) -> str:
    """The command-line flag of an Options field: line_spacing -> --line-spacing."""
    return "--" + field.replace("_", "-")


class _OptionHelp(argparse.HelpFormatter):
    """Writes an option's help from its rule in exporter.options: what it is, the values
    styles/ allows and the default, so --help always matches what is accepted."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if not text.endswith(_RULE_MARK):
            return super()._get_help_string(action)
        try:
            return _rule_help(action.dest).replace("%", "%%")
        except Exception:  # styles/ unreadable: say where the choices are; export will say why
            return text.removesuffix(_RULE_MARK)


def _rule_help(field: str) -> str:
    from exporter.options import defaults, rules
    from exporter.styles import load_styles

    styles = load_styles()
    rule, default = rules(styles)[field], getattr(defaults(styles), field)
    if rule.choices:
        allowed = ", ".join(c if rule.label_of(c) == c else f"{c} ({rule.label_of(c)})"
                            for c in rule.choices)
    else:
        allowed = f"{rule.allowed[0]}{' ' + rule.unit if rule.unit else ''}"
        if rule.presets and field != "size":
            allowed += f", usually {', '.join(rule.presets)}"
    shown = f"{default:g}" if isinstance(default, float) else str(default)
    more = "; several, comma-separated (16,18,24), give several files" if field == "size" else ""
    return f"{rule.help}. Allowed: {allowed}. Default: {shown}{more}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="exporter",
        description="Turn structured sources into accessible formats "
        "(large-print PDF, Word, EPUB 3, audio, HTML, braille).",
        epilog=EXIT_STATUS,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ex = sub.add_parser("export", help="build output files from sources",
                        formatter_class=_OptionHelp,
                        description="Check each page, then build each format into the output "
                        "folder. A page with problems is reported and nothing is written for "
                        "it; the other pages are built.", epilog=EXIT_STATUS)
    ex.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                    help="Markdown pages, or folders meaning every *.md page under them "
                    f"(default: {DEFAULT_SOURCES}/)")
    ex.add_argument("--to", default="all", metavar="FORMATS",
                    help="comma-separated writer names, or 'all' (default); see 'exporter writers'")
    ex.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT,
                    help=f"output folder (default: {DEFAULT_OUTPUT})")
    ex.add_argument("--size", default=None, metavar="PT[,PT...]",
                    help="body text size(s) in points for print formats (default and range: "
                    f"styles/settings.yaml); several give several files{_RULE_MARK}")
    for field, metavar in OPTION_FLAGS:
        # The help is written from the option's rule when it is shown (_OptionHelp): the
        # choices come from styles/, which is read only for --help, not for every command.
        ex.add_argument(_flag(field), dest=field, default=None, metavar=metavar,
                        help=f"(from styles/settings.yaml){_RULE_MARK}")
    ex.add_argument("-j", "--jobs", type=int, default=None,
                    help="writers to run at once (default: one per core)")
    ex.add_argument("--broker", default=None, metavar="URL",
                    help="send the jobs to Celery workers through this Redis broker "
                    "(redis://HOST:PORT/N) instead of this machine's cores; start workers "
                    "with 'exporter worker --broker URL'")
    ex.add_argument("--force", action="store_true",
                    help="rebuild every file even if its inputs have not changed")
    ex.add_argument("--styles", type=Path, default=None, metavar="DIR",
                    help="a styles folder whose files override the defaults (default: ./styles "
                    "when it exists)")
    ex.add_argument("--strict", action="store_true",
                    help="treat the sources' warnings (style advice) as errors")
    ex.add_argument("--check", action="store_true",
                    help="then run 'exporter check' on the output folder (as make export does)")

    ck = sub.add_parser("check", help="prove every output is complete, consistent, conformant",
                        description="Read back every file in the output folder's manifest and "
                        "compare it with its page's source: navigation, content, format "
                        "validity, large-print rules, integrity. Writes check-report.json; exit "
                        "1 on any failure.")
    ck.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT,
                    help=f"the output folder (default: {DEFAULT_OUTPUT})")
    ck.add_argument("--source", type=Path, action="append", default=None,
                    help="a page's source, if not where the manifest says it was (repeatable; "
                    "default: each page's source as the manifest records it)")
    ck.add_argument("-v", "--verbose", action="store_true", help="show passing checks' details")
    ck.add_argument("--force", action="store_true",
                    help="re-run every read-back check even if nothing changed since the last")

    sv = sub.add_parser("serve", help="run the download page and format-request service",
                        description="Serve the output folder with its download page, and make "
                        "files to a reader's needs on request: print size, colours, font, "
                        "line, letter and word spacing, braille grade "
                        "(127.0.0.1 by default).")
    sv.add_argument("sources", nargs="*", type=Path, metavar="SOURCE",
                    help="the pages variants are built from, files or folders (default: the "
                    f"pages the manifest lists, else {DEFAULT_SOURCES}/)")
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
    sv.add_argument("--broker", default=None, metavar="URL",
                    help="build requested files on Celery workers through this Redis broker "
                    "instead of in child processes here")

    wk = sub.add_parser("worker", help="run a Celery worker that builds pages for exporters",
                        description="Take export jobs from a Redis broker and build them here. "
                        "A job carries its page, pictures, options and styles; the files go "
                        "back to the exporter that sent it, which publishes them: no shared "
                        "folder is needed.")
    wk.add_argument("--broker", required=True, metavar="URL",
                    help="the Redis broker, redis://HOST:PORT/N (the same as the exporters')")
    wk.add_argument("-c", "--concurrency", type=int, default=None,
                    help="jobs to run at once (default: one per core)")
    wk.add_argument("--name", default=None,
                    help="this worker's name (default: worker@<host name>)")
    wk.add_argument("--cache", type=Path, default=None, metavar="DIR",
                    help="folder for writers' reusable intermediate results (default: "
                    "~/.cache/exporter-worker)")
    wk.add_argument("--loglevel", default="info", help="Celery log level (default: info)")

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
        return _serve(args)
    if args.command == "worker":
        return _worker(args)
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
    missing = [s for s in args.source or () if not s.is_file()]
    if missing:
        return _fail(f"no source file {missing[0]}")
    return _run_checks(args.output, args.source, force=args.force, verbose=args.verbose)


def _run_checks(output: Path, sources: Sequence[Path] | None, *, force: bool,
                verbose: bool) -> int:
    from exporter.readback import print_report, run_checks, write_report

    report = run_checks(output, sources, reuse=not force)
    write_report(report, output)  # first: a closed pipe must not lose the report
    print_report(report, verbose=verbose)
    return EXIT_OK if report.ok else EXIT_WRITER_FAILED


def _fail(message: str, status: int = EXIT_BAD_INPUT) -> int:
    print(f"exporter: error: {message}", file=sys.stderr)
    return status


def _sources(given: Sequence[Path]) -> list[Path] | int:
    """The pages named (folders searched), or the exit status after saying what is wrong."""
    from exporter.collection import CollectionError, find_sources

    try:
        return find_sources(given or [DEFAULT_SOURCES])
    except CollectionError as exc:
        for problem in exc.problems:
            print(f"exporter: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _serve(args: argparse.Namespace) -> int:
    from exporter.service.app import run

    sources: list[Path] | None = None
    if args.sources:
        found = _sources(args.sources)
        if isinstance(found, int):
            return found
        sources = found
    try:
        run(args.host, args.port, out_dir=args.output, sources=sources, cache_dir=args.cache,
            build_timeout=args.build_timeout, allowed_hosts=args.allowed_host,
            broker=args.broker)
    except _broker_errors() as exc:
        return _fail(str(exc), EXIT_WRITER_FAILED)
    return EXIT_OK


def _worker(args: argparse.Namespace) -> int:
    from exporter.executors.celery import BrokerError, run_worker

    try:
        return run_worker(args.broker, concurrency=args.concurrency, name=args.name,
                          cache=args.cache, loglevel=args.loglevel)
    except BrokerError as exc:
        return _fail(str(exc), EXIT_WRITER_FAILED)


def _broker_errors() -> type[Exception]:
    """The error a broker that cannot be used raises (its module loads only when needed)."""
    if "exporter.executors.celery" in sys.modules:
        from exporter.executors.celery import BrokerError

        return BrokerError
    return _NeverRaised


class _NeverRaised(Exception):
    """Stands for BrokerError where Celery was never loaded."""


def _export(args: argparse.Namespace) -> int:
    from exporter import registry
    from exporter.options import OptionsError, parse
    from exporter.styles import StylesError, load_styles

    sources = _sources(args.sources)
    if isinstance(sources, int):
        return sources
    try:
        styles = load_styles(args.styles)
    except StylesError as exc:
        return _fail(str(exc))
    names = list(registry.available()) if args.to == "all" \
        else [n.strip() for n in args.to.split(",") if n.strip()]
    if not names or not registry.known(names):  # built-in names need no package scan
        known = list(registry.available())
        unknown = [n for n in names if n not in known]
        return _fail(f"unknown writer {', '.join(unknown) or '(none given)'}; "
                     f"installed: {', '.join(known)}")
    given = {field: getattr(args, field) for field, _ in OPTION_FLAGS}
    try:
        options = parse({k: v for k, v in given.items() if v is not None}, styles)
        sizes = [parse({"size": s}, styles).size for s in args.size.split(",")] \
            if args.size else [options.size]
    except OptionsError as exc:
        return _fail("; ".join(f"{_flag(p.field)}: {p}" for p in exc.problems))
    options = options.changed(size=sizes[0])
    executor: Executor | None = None
    if args.broker:
        from exporter.executors.celery import BrokerError, CeleryExecutor

        try:
            executor = CeleryExecutor(args.broker)
        except BrokerError as exc:
            return _fail(str(exc), EXIT_WRITER_FAILED)
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
        return _fail(str(exc))
    except _broker_errors() as exc:
        return _fail(str(exc), EXIT_WRITER_FAILED)
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
        checked = _run_checks(args.output, None, force=args.force, verbose=False)
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
