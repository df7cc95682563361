"""The `exporter` command: export, check, serve, worker, writers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from exporter.cli_common import broker_errors, check_folder, fail, page_sources
from exporter.cli_export import export
from exporter.cli_parser import EXIT_INTERRUPTED, EXIT_OK, EXIT_WRITER_FAILED, parser


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
    args = parser().parse_args(argv)
    if args.command == "writers":
        return _writers()
    if args.command == "check":
        return _check(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "worker":
        return _worker(args)
    return export(args)


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
        return fail(f"no output folder {args.output}: run 'exporter export' first")
    missing = [s for s in args.source or () if not s.is_file()]
    if missing:
        return fail(f"no source file {missing[0]}")
    return check_folder(args.output, args.source, force=args.force, verbose=args.verbose)


def _serve(args: argparse.Namespace) -> int:
    from exporter.service.app import run

    sources: list[Path] | None = None
    if args.sources:
        found = page_sources(args.sources)
        if isinstance(found, int):
            return found
        sources = found
    try:
        run(args.host, args.port, out_dir=args.output, sources=sources, cache_dir=args.cache,
            build_timeout=args.build_timeout, allowed_hosts=args.allowed_host,
            broker=args.broker)
    except broker_errors() as exc:
        return fail(str(exc), EXIT_WRITER_FAILED)
    return EXIT_OK


def _worker(args: argparse.Namespace) -> int:
    from exporter.executors.celery import BrokerError, run_worker

    try:
        return run_worker(args.broker, concurrency=args.concurrency, name=args.name,
                          cache=args.cache, loglevel=args.loglevel)
    except BrokerError as exc:
        return fail(str(exc), EXIT_WRITER_FAILED)
