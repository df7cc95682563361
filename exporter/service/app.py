"""The download and format-request service: FastAPI routes over output/ and the variant cache."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at run time, and
# the query parameters' allowed values are built inside create_app.

import base64
import hashlib
import logging
import os
import re
import stat
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exporter import __version__, downloads, registry
from exporter.output import read_manifest, sha256_file
from exporter.styles import Styles, load_styles
from exporter.variants import KEY_LENGTH, VariantCache, VariantError, make_key
from exporter.writers.base import Options, WriterError

log = logging.getLogger("exporter.serve")

#: Request limits: the form sends well under 200 bytes; anything far larger is not a person.
MAX_BODY_BYTES = 8 * 1024
MAX_QUERY_BYTES = 1024
MAX_PATH_BYTES = 512
MAX_FORM_FIELDS = 16
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
_KEY = re.compile(rf"^[0-9a-f]{{{KEY_LENGTH}}}$")
#: Files open in the browser; everything else downloads.
INLINE_SUFFIXES = frozenset({".html", ".txt"})
PAGE_CSP = ("default-src 'none'; style-src {style}; img-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
#: Served files are never allowed to run anything, even an HTML page a writer produced.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox"
Endpoint = Callable[..., Awaitable[Response]]
FIELDS = ("format", "size", "scheme", "line_spacing")
FIELD_LABELS = {"format": "Format", "size": "Print size", "scheme": "Colour scheme",
                "line_spacing": "Line spacing"}


# ---------------------------------------------------------------- JSON shapes (OpenAPI)


class FileInfo(BaseModel):
    """One downloadable file."""

    file: str
    url: str
    format: str
    options: dict[str, Any]
    bytes: int
    sha256: str
    built: str | None = None
    content_type: str
    facts: dict[str, Any]


class FileList(BaseModel):
    """Everything in output/, with stable addresses."""

    title: str | None
    source_sha256: str | None
    files: list[FileInfo]


class SchemeInfo(BaseModel):
    name: str
    label: str
    text: str
    background: str


class FormatInfo(BaseModel):
    name: str
    label: str
    options: list[str]  #: which of size, scheme, line_spacing change this format


class Formats(BaseModel):
    """What /api/variant and the request form accept."""

    formats: list[FormatInfo]
    size_min: int
    size_max: int
    size_default: int
    schemes: list[SchemeInfo]
    scheme_default: str
    line_spacings: list[float]
    line_spacing_default: float


class VariantInfo(BaseModel):
    """A file made on request."""

    key: str
    format: str
    options: dict[str, Any]
    cache: str  #: hit, built, or shared (another request built it)
    page: str
    files: list[FileInfo]


class Problem(BaseModel):
    field: str
    message: str
    allowed: list[str]


class ErrorBody(BaseModel):
    error: str
    problems: list[Problem] = []


# ---------------------------------------------------------------- request limits and headers


class LimitsMiddleware:
    """Refuses long paths and query strings, bounds bodies, and adds safety headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
            await _plain(send, 414, f"Query string longer than {MAX_QUERY_BYTES} bytes.")
            return
        if len(scope.get("raw_path") or scope["path"].encode()) > MAX_PATH_BYTES:
            await _plain(send, 414, f"Address longer than {MAX_PATH_BYTES} bytes.")
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _plain(send, 413, f"Request body larger than {MAX_BODY_BYTES} bytes.")
            return
        body = b""
        if scope["method"] not in ("GET", "HEAD"):
            # Read the whole (small) body first, so an oversized chunked body is refused
            # before any handler parses it.
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > MAX_BODY_BYTES:
                    await _plain(send, 413, f"Request body larger than {MAX_BODY_BYTES} bytes.")
                    return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in ((b"x-content-type-options", b"nosniff"),
                             (b"referrer-policy", b"no-referrer"),
                             (b"x-frame-options", b"DENY")):
                    if k not in names:
                        headers.append((k, v))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, replay if scope["method"] not in ("GET", "HEAD") else receive,
                       with_headers)


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# ---------------------------------------------------------------- files


class Hashes:
    """sha256 of served files, recomputed only when a file changes: strong, content-based ETags."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._known: dict[Path, tuple[tuple[int, int, int, int], str]] = {}

    async def of(self, path: Path, st: os.stat_result) -> str:
        sig = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        known = self._known.get(path)
        if known and known[0] == sig:
            return known[1]
        digest = await anyio.to_thread.run_sync(sha256_file, path)
        if len(self._known) >= self.limit:
            self._known.clear()
        self._known[path] = (sig, digest)
        return digest


def safe_file(root: Path, name: str) -> Path | None:
    """The regular file ``name`` directly inside root, or None (traversal, symlinks out, dirs)."""
    if not _SAFE_NAME.match(name) or ".." in name:
        return None
    base = root.resolve()
    try:
        real = (base / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if real.parent != base:
        return None
    try:
        return real if stat.S_ISREG(real.stat().st_mode) else None
    except OSError:
        return None


def _etags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match wins over If-Modified-Since."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return inm.strip() == "*" or etag in _etags(inm)
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            return int(mtime) <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def _precondition_failed(request: Request, etag: str, mtime: float) -> bool:
    im = request.headers.get("if-match")
    if im is not None:
        return not (im.strip() == "*" or etag in [t.strip() for t in im.split(",")])
    ius = request.headers.get("if-unmodified-since")
    if ius:
        try:
            return int(mtime) > parsedate_to_datetime(ius).timestamp()
        except (TypeError, ValueError):
            return False
    return False


async def file_response(request: Request, path: Path, hashes: Hashes,
                        cache_control: str) -> Response:
    """A file with ETag, Last-Modified, conditional requests, HEAD and Range."""
    st = path.stat()
    etag = f'"{await hashes.of(path, st)}"'
    name = path.name
    suffix = path.suffix.lower()
    headers = {"etag": etag, "cache-control": cache_control, "content-security-policy": FILE_CSP}
    if _precondition_failed(request, etag, st.st_mtime):
        return Response(status_code=412, headers={"etag": etag})
    if _not_modified(request, etag, st.st_mtime):
        from email.utils import formatdate

        return Response(status_code=304, headers={
            "etag": etag, "cache-control": cache_control,
            "last-modified": formatdate(st.st_mtime, usegmt=True)})
    return FileResponse(path, headers=headers, media_type=downloads.content_type(name),
                        filename=name, stat_result=st,
                        content_disposition_type="inline" if suffix in INLINE_SUFFIXES
                        else "attachment")


# ---------------------------------------------------------------- options


@dataclass(frozen=True)
class Choices:
    """What may be asked for: the working writers and the ranges from styles/."""

    writers: Mapping[str, frozenset[str]]  #: writer name -> option names it uses
    styles: Styles

    @property
    def spacings(self) -> dict[str, float]:
        return {f"{x:g}": x for x in downloads.LINE_SPACINGS}

    def allowed(self, name: str) -> list[str]:
        if name == "format":
            return list(self.writers)
        if name == "size":
            return [f"{self.styles.min_size} to {self.styles.max_size}"]
        if name == "scheme":
            return list(self.styles.schemes)
        return list(self.spacings)

    def parse(self, items: Sequence[tuple[str, str]]) -> tuple[str, Options] | list[Problem]:
        """The writer and options asked for, or every problem found (field, message, allowed)."""
        given: dict[str, list[str]] = {}
        for k, v in items:
            if k in FIELDS:
                given.setdefault(k, []).append(v)
        problems: list[Problem] = []
        values: dict[str, str] = {}
        for name in FIELDS:
            vals = given.get(name, [])
            if len(vals) > 1:
                problems.append(self._problem(name, f"{FIELD_LABELS[name]} was given more than "
                                              "once; give one value"))
            elif vals:
                values[name] = vals[0].strip()
        writer = values.get("format")
        if writer is None:
            problems.append(self._problem("format", "Choose a format"))
        elif writer not in self.writers:
            problems.append(self._problem("format", f"Format {_shown(writer)} is not available"))
        size = self.styles.default_size
        if "size" in values:
            raw = values["size"]
            if raw.isdigit() and self.styles.min_size <= int(raw) <= self.styles.max_size:
                size = int(raw)
            else:
                problems.append(self._problem(
                    "size", f"Print size {_shown(raw)} is not a whole number of points we can "
                    "make"))
        scheme = values.get("scheme", self.styles.default_scheme)
        if scheme not in self.styles.schemes:
            problems.append(self._problem("scheme", f"Colour scheme {_shown(scheme)} is not one "
                                          "we can make"))
        spacing = self.styles.line_spacing
        if "line_spacing" in values:
            raw = values["line_spacing"]
            try:
                spacing = self.spacings[f"{float(raw):g}"]
            except (ValueError, KeyError):
                problems.append(self._problem("line_spacing",
                                              f"Line spacing {_shown(raw)} is not offered"))
        if problems or writer is None:
            return problems
        return writer, Options(size=size, scheme=scheme, line_spacing=spacing)

    def _problem(self, name: str, message: str) -> Problem:
        allowed = self.allowed(name)
        return Problem(field=name, message=f"{message}. Allowed: {', '.join(allowed)}.",
                       allowed=allowed)


def _shown(value: str) -> str:
    """A user's value quoted in a message, cut short (it is echoed back)."""
    return repr(value if len(value) <= 40 else value[:40] + "...")


def working_writers(only: Sequence[str] | None = None) -> dict[str, frozenset[str]]:
    """Installed writers whose module loads; a broken one is logged and left out of the form."""
    found: dict[str, frozenset[str]] = {}
    for name, reg in registry.available().items():
        if only is not None and name not in only:
            continue
        try:
            found[name] = reg.load().option_names
        except WriterError as exc:
            log.warning("leaving out writer %s: %s", name, exc)
    return found


# ---------------------------------------------------------------- the app


def _csp_for(page: str) -> str:
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in re.findall(r"<style>(.*?)</style>", page, flags=re.DOTALL)
    ]
    return PAGE_CSP.format(style=" ".join(hashes) or "'none'")


def _page(request: Request, page: str, status: int = 200,
          headers: Mapping[str, str] | None = None) -> Response:
    response = HTMLResponse(page, status_code=status, headers={
        "content-security-policy": _csp_for(page), "cache-control": "no-cache", **(headers or {})})
    if request.method == "HEAD":
        response.body = b""  # Content-Length stays that of the page, as HEAD requires
    return response


def _file_info(entry: Mapping[str, Any], url: str) -> FileInfo:
    name = str(entry["file"])
    return FileInfo(file=name, url=url, format=str(entry.get("format", "")),
                    options=dict(entry.get("options") or {}), bytes=int(entry.get("bytes", 0)),
                    sha256=str(entry.get("sha256", "")), built=entry.get("built"),
                    content_type=downloads.content_type(name), facts=dict(entry.get("facts") or {}))


def create_app(out_dir: Path, source: Path, cache_dir: Path, *,
               writers: Sequence[str] | None = None, styles: Styles | None = None,
               build_timeout: float = 180.0, max_builds: int = 2, max_waiting: int = 8,
               max_variants: int = 500, allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """The service: download page, files from out_dir, variants built on demand into cache_dir.

    ``writers`` limits which installed writers are offered (default: all that load);
    ``allowed_hosts`` refuses other Host headers (a web page elsewhere cannot then reach a
    service on loopback through DNS rebinding).
    """
    styles = styles or load_styles()
    css = styles.text(downloads.CSS_FILE)
    choices = Choices(working_writers(writers), styles)
    cache = VariantCache(cache_dir, source, timeout=build_timeout, max_builds=max_builds,
                         max_waiting=max_waiting, max_entries=max_variants)
    hashes = Hashes()
    form_writers = [downloads.WriterChoice(n, o) for n, o in choices.writers.items()]
    links = downloads.Links(
        file=lambda name: f"/files/{quote(name)}",
        machine=(("/api/files", "List of every file, with its address and SHA-256 (JSON)"),
                 ("/api/formats", "Formats and options that can be asked for (JSON)"),
                 ("/openapi.json", "Description of this service (OpenAPI)")),
        home="/")

    app = FastAPI(
        title="HSCT accessible formats",
        version=__version__,
        description="Download each accessible format, or ask for a print size, colour scheme "
        "and line spacing. Files keep stable addresses under /files/.",
        docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
    )
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.add_middleware(LimitsMiddleware)
    app.state.cache = cache
    app.state.choices = choices

    def get_and_head(path: str, **kw: Any) -> Callable[[Endpoint], Endpoint]:
        """GET in the OpenAPI description, HEAD beside it (one operation id each)."""
        def register(fn: Endpoint) -> Endpoint:
            app.get(path, **kw)(fn)
            app.head(path, include_in_schema=False)(fn)
            return fn
        return register

    def index(request: Request, form: downloads.RequestForm | None = None,
              status: int = 200) -> Response:
        page = downloads.render_index(
            out_dir, styles=styles, css=css, links=links, language=None,
            form=form or downloads.RequestForm(form_writers))
        return _page(request, page, status)

    @get_and_head("/", response_class=HTMLResponse,
                   summary="The download page, with the request form")
    async def home(request: Request) -> Response:
        return index(request)

    @get_and_head("/files/{name:path}", summary="A file from output/, by its stable address",
                   responses={200: {"content": {"application/octet-stream": {}}},
                              304: {"description": "Not modified"},
                              206: {"description": "Part of the file (Range)"}})
    async def output_file(request: Request, name: str) -> Response:
        manifest = read_manifest(out_dir)
        listed = {str(e.get("file")) for e in manifest["files"] if isinstance(e, dict)}
        path = _checked(out_dir, name, listed)
        return await file_response(request, path, hashes, "no-cache")

    @get_and_head("/variants/{key}", response_class=HTMLResponse,
                   summary="The page listing a variant's files")
    async def variant_page(request: Request, key: str) -> Response:
        record = _record(key)
        label = _variant_label(record)
        entries = [e for e in record.get("files", []) if isinstance(e, dict)]
        page = downloads.render_result(label, entries, lambda n: f"/variants/{key}/{quote(n)}",
                                       styles=styles, css=css)
        return _page(request, page)

    @get_and_head("/variants/{key}/{name:path}", summary="A file of a variant made on request")
    async def variant_file(request: Request, key: str, name: str) -> Response:
        record = _record(key)
        listed = {str(e.get("file")) for e in record.get("files", []) if isinstance(e, dict)}
        path = _checked(cache.folder(key), name, listed)
        return await file_response(request, path, hashes, "public, max-age=86400")

    def _record(key: str) -> Mapping[str, Any]:
        record = cache.load(key) if _KEY.match(key) else None
        if record is None:
            raise StarletteHTTPException(404, "No such variant; ask for it again from the form.")
        return record

    def _checked(root: Path, name: str, listed: set[str]) -> Path:
        if not _SAFE_NAME.match(name) or ".." in name:
            raise StarletteHTTPException(400, "Bad file name.")
        path = safe_file(root, name) if name in listed else None
        if path is None:
            raise StarletteHTTPException(404, f"No file called {name!r} here.")
        return path

    def _variant_label(record: Mapping[str, Any]) -> str:
        writer = str(record.get("writer", ""))
        opts = downloads.options_text(record.get("options") or {}, styles)
        return ", ".join(p for p in (downloads.format_label(writer), opts) if p)

    async def _make(items: Sequence[tuple[str, str]]) -> tuple[str, Options, Any] | list[Problem]:
        parsed = choices.parse(items)
        if isinstance(parsed, list):
            return parsed
        writer, options = parsed
        key = make_key(cache.current_source_hash(), writer, choices.writers[writer], options)
        return writer, options, await cache.get(key, options)

    @app.post("/request", summary="The request form: make a variant, then go to its page",
              response_class=RedirectResponse, status_code=303,
              responses={400: {"description": "Invalid choices (the form again, with errors)"}})
    async def request_form(request: Request) -> Response:
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return _problem_page(request, 415, "Send the form", "This address takes the request "
                                 "form's fields (application/x-www-form-urlencoded).")
        async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=1024) as f:
            items = [(k, v) for k, v in f.multi_items() if isinstance(v, str)]
        try:
            made = await _make(items)
        except VariantError as exc:
            return _failure_page(request, exc)
        if isinstance(made, list):
            values = {k: v for k, v in items if k in FIELDS}
            form = downloads.RequestForm(form_writers, values=values,
                                         errors={p.field: p.message for p in made})
            return index(request, form, status=400)
        variant = made[2]
        return RedirectResponse(f"/variants/{variant.key_id}", status_code=303,
                                headers={"x-variant-cache": variant.cache})

    @app.get("/api/files", response_model=FileList, summary="Every file in output/ (JSON)")
    async def api_files() -> FileList:
        manifest = read_manifest(out_dir)
        files = [_file_info(e, f"/files/{quote(str(e['file']))}") for e in manifest["files"]
                 if isinstance(e, dict) and (out_dir / str(e.get("file", ""))).is_file()]
        return FileList(title=manifest.get("title"), source_sha256=manifest.get("source_sha256"),
                        files=files)

    @app.get("/api/formats", response_model=Formats, summary="What can be asked for")
    async def api_formats() -> Formats:
        return Formats(
            formats=[FormatInfo(name=n, label=downloads.format_label(n), options=sorted(o))
                     for n, o in choices.writers.items()],
            size_min=styles.min_size, size_max=styles.max_size, size_default=styles.default_size,
            schemes=[SchemeInfo(name=s.name, label=s.label, text=s.text, background=s.background)
                     for s in styles.schemes.values()],
            scheme_default=styles.default_scheme,
            line_spacings=list(downloads.LINE_SPACINGS),
            line_spacing_default=styles.line_spacing)

    @app.get("/api/variant", response_model=VariantInfo,
             summary="Make (or reuse) a variant and list its files",
             responses={400: {"model": ErrorBody}, 500: {"model": ErrorBody},
                        503: {"model": ErrorBody}})
    async def api_variant(
        request: Request,
        format: Annotated[str | None, Query(
            description="writer name", json_schema_extra={"enum": list(choices.writers)})] = None,
        size: Annotated[str | None, Query(
            description=f"print size in points, {styles.min_size} to {styles.max_size}",
            json_schema_extra={"pattern": "^[0-9]+$"})] = None,
        scheme: Annotated[str | None, Query(
            description="colour scheme", json_schema_extra={"enum": list(styles.schemes)})] = None,
        line_spacing: Annotated[str | None, Query(
            description="line spacing", json_schema_extra={"enum": list(choices.spacings)})] = None,
    ) -> Response:
        try:
            made = await _make(list(request.query_params.multi_items()))
        except VariantError as exc:
            return _failure_json(exc)
        if isinstance(made, list):
            return JSONResponse(ErrorBody(error="invalid options", problems=made).model_dump(),
                                status_code=400)
        writer, _, variant = made
        files = [_file_info(e, f"/variants/{variant.key_id}/{quote(str(e['file']))}")
                 for e in variant.files]
        body = VariantInfo(key=variant.key_id, format=writer,
                           options=dict(variant.record.get("options") or {}), cache=variant.cache,
                           page=f"/variants/{variant.key_id}", files=files)
        return JSONResponse(body.model_dump(), headers={"x-variant-cache": variant.cache})

    @app.get("/api/stats", summary="Variant cache counters")
    async def api_stats() -> dict[str, Any]:
        return cache.stats.as_dict()

    def _problem_page(request: Request, status: int, heading: str, message: str,
                      headers: Mapping[str, str] | None = None) -> Response:
        page = downloads.render_problem(heading, message, styles=styles, css=css)
        return _page(request, page, status, headers)

    def _log(exc: VariantError) -> None:
        log.log(logging.ERROR if exc.status >= 500 and exc.status != 503 else logging.WARNING,
                "variant not made: %s", exc)

    def _failure_page(request: Request, exc: VariantError) -> Response:
        _log(exc)
        heading = ("Your file could not be made" if exc.status == 500
                   else "Your file cannot be made just now")
        return _problem_page(request, exc.status, heading, f"Sorry: {exc}.", _retry(exc))

    def _failure_json(exc: VariantError) -> Response:
        _log(exc)
        return JSONResponse(ErrorBody(error=str(exc)).model_dump(), status_code=exc.status,
                            headers=_retry(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                                headers=exc.headers)
        titles = {400: "Bad request", 404: "Page not found", 405: "Method not allowed"}
        return _problem_page(request, exc.status_code, titles.get(exc.status_code, "Error"),
                             str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [Problem(field=str(e["loc"][-1]), message=str(e["msg"]), allowed=[])
                    for e in exc.errors()]
        return JSONResponse(ErrorBody(error="invalid request", problems=problems).model_dump(),
                            status_code=400)

    return app


def _retry(exc: VariantError) -> dict[str, str]:
    return {"retry-after": str(exc.retry_after)} if exc.retry_after else {}


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def run(host: str = "127.0.0.1", port: int = 8000, *, out_dir: Path = Path("output"),
        source: Path = Path("source/hsct.md"), cache_dir: Path | None = None,
        build_timeout: float = 180.0, allowed_hosts: Sequence[str] | None = None,
        log_level: str = "info") -> None:
    """Start the service with uvicorn (loopback by default: put a proxy in front to publish it).

    On loopback only loopback Host names are accepted unless ``allowed_hosts`` says otherwise.
    """
    import uvicorn

    if allowed_hosts is None and host in LOOPBACK_NAMES:
        allowed_hosts = LOOPBACK_NAMES
    app = create_app(out_dir, source, cache_dir or Path(".variant-cache"),
                     build_timeout=build_timeout, allowed_hosts=allowed_hosts)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, limit_concurrency=100, timeout_keep_alive=5,
                h11_max_incomplete_event_size=16 * 1024)

