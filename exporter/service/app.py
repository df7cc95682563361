"""The download and format-request service: create_app wires the routes; run starts uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from exporter import __version__
from exporter.reader import ReadOptions
from exporter.service import formats as known
from exporter.service import pages
from exporter.service.choices import Choices
from exporter.service.formats import Format
from exporter.service.http import Hashes, LimitsMiddleware
from exporter.service.routes import (
    add_api_routes,
    add_error_handlers,
    add_file_routes,
    add_page_routes,
)
from exporter.service.sources import Sources
from exporter.service.state import Service
from exporter.service.static import StaticCache
from exporter.service.variants import KEEP_RECENT_SECONDS, VariantCache
from exporter.styles import Styles, load_styles

__all__ = ["LOOPBACK_NAMES", "create_app", "run"]

log = logging.getLogger("exporter.service.app")

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def create_app(out_dir: Path, source: Path | Sequence[Path] | None, cache_dir: Path, *,
               writers: Sequence[str] | None = None, styles: Styles | None = None,
               build_timeout: float = 180.0, max_builds: int = 2, max_waiting: int = 8,
               max_variants: int = 500, keep_recent: float = KEEP_RECENT_SECONDS,
               allowed_hosts: Sequence[str] | None = None,
               broker: str | None = None) -> FastAPI:
    """The service: download page, files from out_dir, variants built on demand into cache_dir.

    ``source``: the page(s) files are made of on request (default: every page out_dir's
    manifest lists, from the source it records). ``writers`` limits which installed writers
    are offered (default: all that load); ``allowed_hosts`` refuses other Host headers (a
    web page elsewhere cannot then reach a service on loopback through DNS rebinding);
    ``broker`` builds on Celery workers instead of child processes here.
    """
    styles = styles or load_styles()
    sources = Sources(source, out_dir, ReadOptions.from_settings(styles.settings))
    formats = known.load()
    offered: dict[str, Format] = {}
    for name, f in formats.items():
        if writers is not None and name not in writers:
            continue
        if f.writer is None:
            log.warning("leaving out writer %s: %s", name, f.problem)
        else:
            offered[name] = f
    svc = Service(out_dir, styles, styles.text(pages.CSS_FILE), formats, Choices(offered, styles),
                  VariantCache(cache_dir, sources, timeout=build_timeout, max_builds=max_builds,
                               max_waiting=max_waiting, max_entries=max_variants,
                               keep_recent=keep_recent, broker=broker,
                               styles_root=styles.root),
                  Hashes())
    app = FastAPI(
        title="HSCT accessible formats",
        version=__version__,
        description="Download each accessible format, or ask for one made to your needs: "
        "print size, colour scheme, font, line, letter and word spacing, braille grade. Files "
        "keep stable addresses under /files/.",
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
    )
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(LimitsMiddleware)
    # Outermost: a published file asked for again is replayed from memory (see static.py).
    app.add_middleware(StaticCache, out_dir=out_dir)
    app.state.cache = svc.cache
    app.state.choices = svc.choices
    add_page_routes(app, svc)
    add_file_routes(app, svc)
    add_api_routes(app, svc)
    add_error_handlers(app, svc)
    return app


def run(host: str = "127.0.0.1", port: int = 8000, *, out_dir: Path = Path("output"),
        sources: Sequence[Path] | None = None, cache_dir: Path | None = None,
        build_timeout: float = 180.0, allowed_hosts: Sequence[str] | None = None,
        log_level: str = "info", broker: str | None = None) -> None:
    """Start the service with uvicorn (loopback by default: put a proxy in front to publish it).

    On loopback only loopback Host names are accepted unless ``allowed_hosts`` says otherwise.
    Idle and slow clients are timed out and displaced (see service.server).
    """
    from exporter.service.server import serve

    if allowed_hosts is None and host in LOOPBACK_NAMES:
        allowed_hosts = LOOPBACK_NAMES
    if broker:
        from exporter.executors.celery import ensure_reachable, make_app

        ensure_reachable(make_app(broker), broker)  # one clear line now, not a 503 later
    app = create_app(out_dir, sources, cache_dir or Path(".variant-cache"),
                     build_timeout=build_timeout, allowed_hosts=allowed_hosts, broker=broker)
    serve(app, host, port, log_level=log_level)
