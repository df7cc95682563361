"""The download and format-request service: create_app wires the routes; run starts uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from exporter import __version__
from exporter import options as opts
from exporter.manifest import manifest_pages, page_name, read_manifest
from exporter.reader import ReadOptions
from exporter.service import formats as known
from exporter.service import pages
from exporter.service.catalogue import QUERY
from exporter.service.choices import Choices
from exporter.service.files import Entry
from exporter.service.formats import Format, format_of
from exporter.service.forms import RequestForm
from exporter.service.http import (
    MAX_FORM_FIELDS,
    Hashes,
    LimitsMiddleware,
    file_response,
    listed_file,
    page_response,
)
from exporter.service.models import ErrorBody, FileInfo, FileList, Formats, Problem, VariantInfo
from exporter.service.sources import Sources
from exporter.service.static import StaticCache
from exporter.service.variant_types import KEY_LENGTH, Variant, VariantError, make_key
from exporter.service.variants import KEEP_RECENT_SECONDS, VariantCache
from exporter.styles import Styles, load_styles

__all__ = ["LOOPBACK_NAMES", "create_app", "run"]

log = logging.getLogger("exporter.service.app")

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
#: The field naming the page a file is made of, in a collection.
PAGE = "page"
MACHINE_LINKS = (("/api/files", "List of every file, with its address and SHA-256 (JSON)"),
                 ("/api/formats", "Formats and options that can be asked for (JSON)"),
                 ("/openapi.json", "Description of this service (OpenAPI)"))


@dataclass(frozen=True)
class Service:
    """What the routes share: the folders, styles, formats, choices, variant cache and hashes."""

    out_dir: Path
    styles: Styles
    css: str  #: the pages' style sheet
    formats: Mapping[str, Format]  #: every installed writer: names and serves its files
    choices: Choices  #: what can be made on request
    cache: VariantCache
    hashes: Hashes
    #: the download page as last rendered, by what it was made from (a collection's page of
    #: hundreds of pages takes a few tenths of a second to make)
    rendered: dict[tuple[object, ...], str] = field(default_factory=dict)

    def page(self, request: Request, form: RequestForm | None = None,
             status: int = 200) -> Response:
        """The download page with the request form (filled in again after a bad request); a
        collection's page lists only the pages matching ``?q=`` when it is given."""
        links = pages.Links(file=lambda name: f"/files/{quote(name)}", machine=MACHINE_LINKS,
                            home="/")
        query = request.query_params.get(QUERY, "")[:200]
        key = (_signature(self.out_dir / "manifest.json"), _signature(self.out_dir), query)
        html = self.rendered.get(key) if form is None else None
        if html is None:
            html = pages.render_index(
                self.out_dir, styles=self.styles, css=self.css, links=links,
                formats=self.formats, query=query,
                form=form or RequestForm(list(self.choices.formats.values()),
                                         pages=self.pages()))
            if form is None:
                if len(self.rendered) >= 32:
                    self.rendered.clear()
                self.rendered[key] = html
        return page_response(request, html, status)

    def pages(self) -> list[tuple[str, str, str]]:
        """The pages a file can be made of, (name, title, subject), when there are several."""
        names = self.cache.sources.pages()
        if len(names) <= 1:
            return []
        records = manifest_pages(read_manifest(self.out_dir))
        return [(n, str(records.get(n, {}).get("title") or n),
                 str(records.get(n, {}).get("subject") or "")) for n in names]

    def language(self, page: str) -> str:
        """The lang of a page about one page's files: its content's language (from the
        manifest, which has it from the source's front matter) when that is English."""
        manifest = read_manifest(self.out_dir)
        records = manifest_pages(manifest)
        record = records.get(page) or (next(iter(records.values())) if len(records) == 1
                                       else {})
        found = str(record.get("language") or manifest.get("language") or "")
        return pages.page_language(found, pages.interface_language(self.styles))

    def page_of(self, items: Sequence[tuple[str, str]]) -> tuple[str, Problem | None]:
        """The page asked for ("" when there is one page), or the problem with the request."""
        names = list(self.cache.sources.pages())
        if len(names) <= 1:
            return "", None
        sent = [v.strip() for k, v in items if k == PAGE]
        if len(sent) != 1 or sent[0] not in names:
            why = "Choose a page" if not sent else ("The page was given more than once"
                                                    if len(sent) > 1 else
                                                    f"There is no page called {sent[0][:60]!r}")
            return "", Problem(field=PAGE, message=f"{why}.", allowed=names[:50])
        return sent[0], None

    def problem(self, request: Request, status: int, heading: str, message: str,
                headers: Mapping[str, str] | None = None) -> Response:
        """A plain page saying what went wrong."""
        html = pages.render_problem(heading, message, styles=self.styles, css=self.css)
        return page_response(request, html, status, headers)

    def file_info(self, entry: Entry, url: str) -> FileInfo:
        """One file for the JSON lists; its content type is the one it is served with."""
        name, writer = str(entry["file"]), str(entry.get("format", ""))
        return FileInfo(file=name, url=url, format=writer, page=page_name(entry) or None,
                        options=dict(entry.get("options") or {}), bytes=int(entry.get("bytes", 0)),
                        sha256=str(entry.get("sha256", "")), built=entry.get("built"),
                        content_type=format_of(self.formats, writer).kind_of(name).media_type,
                        facts=dict(entry.get("facts") or {}))

    def variant_label(self, record: Mapping[str, Any]) -> str:
        """'Large print PDF, 20 point, black on cream, line spacing 2'."""
        label = format_of(self.formats, str(record.get("writer", ""))).label
        return ", ".join(p for p in (label, opts.describe(record.get("options") or {},
                                                          self.styles)) if p)

    def record(self, key: str) -> Mapping[str, Any]:
        """A finished variant's record; 404 for anything else."""
        record = self.cache.load(key) if _is_key(key) else None
        if record is None:
            raise HTTPException(404, "No such variant; ask for it again from the form.")
        return record

    async def make(self, items: Sequence[tuple[str, str]]) -> tuple[str, Variant] | list[Problem]:
        """The variant asked for (made now or found), or the problems with the request."""
        parsed = self.choices.parse(items)
        page, problem = self.page_of(items)
        if isinstance(parsed, list) or problem is not None:
            return [*([problem] if problem else []), *(parsed if isinstance(parsed, list) else [])]
        writer, options = parsed
        key = make_key(self.cache.current_source_hash(page or None), writer,
                       self.choices.formats[writer].option_names, options, page)
        return writer, await self.cache.get(key, options)


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file or folder does: its inode, modification time and size."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _is_key(key: str) -> bool:
    return len(key) == KEY_LENGTH and all(c in "0123456789abcdef" for c in key)


def _entries(files: object) -> dict[str, Entry]:
    """Manifest or variant entries by file name."""
    listed = files if isinstance(files, list) else []
    return {str(e.get("file")): e for e in listed if isinstance(e, dict)}


# ---------------------------------------------------------------- routes


def add_page_routes(app: FastAPI, svc: Service) -> None:
    """The download page, the request form and the page of a variant's files."""

    @app.get("/", response_class=HTMLResponse, summary="The download page, with the request form")
    @app.head("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        return svc.page(request)

    @app.get("/variants/{key}", response_class=HTMLResponse,
             summary="The page listing a variant's files")
    @app.head("/variants/{key}", include_in_schema=False)
    async def variant_page(request: Request, key: str) -> Response:
        record = svc.record(key)
        entries = list(_entries(record.get("files")).values())
        html = pages.render_result(svc.variant_label(record), entries,
                                   lambda n: f"/variants/{key}/{quote(n)}", styles=svc.styles,
                                   css=svc.css, formats=svc.formats,
                                   language=svc.language(str(record.get("page") or "")))
        return page_response(request, html)

    @app.post("/request", summary="The request form: make a variant, then go to its page",
              response_class=RedirectResponse, status_code=303,
              responses={400: {"description": "Invalid choices (the form again, with errors)"}})
    async def request_form(request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return svc.problem(request, 415, "Send the form", "This address takes the request "
                               "form's fields (application/x-www-form-urlencoded).")
        async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=1024) as f:
            items = [(k, v) for k, v in f.multi_items() if isinstance(v, str)]
        try:
            made = await svc.make(items)
        except VariantError as exc:
            _log(exc)
            heading = ("Your file could not be made" if exc.status == 500
                       else "Your file cannot be made just now")
            return svc.problem(request, exc.status, heading, f"Sorry: {exc}.", _retry(exc))
        if isinstance(made, list):
            form = RequestForm(list(svc.choices.formats.values()),
                               values={k: v for k, v in items
                                       if k in svc.choices.fields or k == PAGE},
                               errors={p.field: p.message for p in made}, pages=svc.pages())
            return svc.page(request, form, status=400)
        variant = made[1]
        return RedirectResponse(f"/variants/{variant.key_id}", status_code=303,
                                headers={"x-variant-cache": variant.cache})


def add_file_routes(app: FastAPI, svc: Service) -> None:
    """Files by their stable addresses: output/ under /files/, variants under /variants/."""
    file_responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"application/octet-stream": {}}},
        304: {"description": "Not modified"}, 206: {"description": "Part of the file (Range)"}}

    @app.get("/files/{name:path}", summary="A file from output/, by its stable address",
             responses=file_responses)
    @app.head("/files/{name:path}", include_in_schema=False)
    async def output_file(request: Request, name: str) -> Response:
        listed = _entries(read_manifest(svc.out_dir)["files"])
        path = listed_file(svc.out_dir, name, listed)
        kind = format_of(svc.formats, str(listed[name].get("format", ""))).kind_of(name)
        return await file_response(request, path, svc.hashes, "no-cache", kind)

    @app.get("/variants/{key}/{name:path}", summary="A file of a variant made on request")
    @app.head("/variants/{key}/{name:path}", include_in_schema=False)
    async def variant_file(request: Request, key: str, name: str) -> Response:
        record = svc.record(key)
        listed = _entries(record.get("files"))
        path = listed_file(svc.cache.folder(key), name, listed)
        kind = format_of(svc.formats, str(record.get("writer", ""))).kind_of(name)
        return await file_response(request, path, svc.hashes, "public, max-age=86400", kind)


def add_api_routes(app: FastAPI, svc: Service) -> None:
    """The JSON interface: file lists, what can be asked for, variants, cache counters."""

    @app.get("/api/files", response_model=FileList, summary="Every file in output/ (JSON)")
    async def api_files() -> FileList:
        manifest = read_manifest(svc.out_dir)
        files = [svc.file_info(e, f"/files/{quote(name)}")
                 for name, e in _entries(manifest["files"]).items()
                 if (svc.out_dir / name).is_file()]
        return FileList(title=manifest.get("title"), source_sha256=manifest.get("source_sha256"),
                        files=files)

    @app.get("/api/formats", response_model=Formats, summary="What can be asked for")
    async def api_formats() -> Formats:
        return svc.choices.described()

    @app.get("/api/variant", response_model=VariantInfo,
             summary="Make (or reuse) a variant and list its files",
             responses={400: {"model": ErrorBody}, 500: {"model": ErrorBody},
                        503: {"model": ErrorBody}},
             openapi_extra={"parameters": svc.choices.query_parameters()})
    async def api_variant(request: Request) -> Response:
        try:
            made = await svc.make(list(request.query_params.multi_items()))
        except VariantError as exc:
            _log(exc)
            return JSONResponse(ErrorBody(error=str(exc)).model_dump(), status_code=exc.status,
                                headers=_retry(exc))
        if isinstance(made, list):
            return JSONResponse(ErrorBody(error="invalid options", problems=made).model_dump(),
                                status_code=400)
        writer, variant = made
        files = [svc.file_info(e, f"/variants/{variant.key_id}/{quote(str(e['file']))}")
                 for e in variant.files]
        body = VariantInfo(key=variant.key_id, format=writer,
                           options=dict(variant.record.get("options") or {}), cache=variant.cache,
                           page=f"/variants/{variant.key_id}", files=files)
        return JSONResponse(body.model_dump(), headers={"x-variant-cache": variant.cache})

    @app.get("/api/stats", summary="Variant cache counters")
    async def api_stats() -> dict[str, Any]:
        return svc.cache.stats.as_dict()


def add_error_handlers(app: FastAPI, svc: Service) -> None:
    """Errors as JSON under /api/, as a page elsewhere."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                                headers=exc.headers)
        titles = {400: "Bad request", 404: "Page not found", 405: "Method not allowed"}
        return svc.problem(request, exc.status_code, titles.get(exc.status_code, "Error"),
                           str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [Problem(field=str(e["loc"][-1]), message=str(e["msg"]), allowed=[])
                    for e in exc.errors()]
        return JSONResponse(ErrorBody(error="invalid request", problems=problems).model_dump(),
                            status_code=400)


def _log(exc: VariantError) -> None:
    log.log(logging.ERROR if exc.status >= 500 and exc.status != 503 else logging.WARNING,
            "variant not made: %s", exc)


def _retry(exc: VariantError) -> dict[str, str]:
    return {"retry-after": str(exc.retry_after)} if exc.retry_after else {}


# ---------------------------------------------------------------- the app


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
