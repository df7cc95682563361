"""The command line's grammar: commands, flags, exit statuses, help written from the rules."""

from __future__ import annotations

import argparse
from pathlib import Path

from exporter import __version__

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


def flag(field: str) -> str:
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


def parser() -> argparse.ArgumentParser:
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
        ex.add_argument(flag(field), dest=field, default=None, metavar=metavar,
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
