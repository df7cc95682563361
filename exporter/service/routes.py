"""The service's routes: the pages, the files, the JSON interface, the error handlers."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from exporter.manifest import read_manifest
from exporter.service import pages
from exporter.service.formats import format_of
from exporter.service.forms import RequestForm
from exporter.service.http import MAX_FORM_FIELDS, file_response, listed_file, page_response
from exporter.service.models import ErrorBody, FileList, Formats, Problem, VariantInfo
from exporter.service.state import PAGE, Service, entries_by_name
from exporter.service.variant_types import VariantError

#: The app's logger, as before the routes had a module of their own.
log = logging.getLogger("exporter.service.app")


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
        entries = list(entries_by_name(record.get("files")).values())
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
        listed = entries_by_name(read_manifest(svc.out_dir)["files"])
        path = listed_file(svc.out_dir, name, listed)
        kind = format_of(svc.formats, str(listed[name].get("format", ""))).kind_of(name)
        return await file_response(request, path, svc.hashes, "no-cache", kind)

    @app.get("/variants/{key}/{name:path}", summary="A file of a variant made on request")
    @app.head("/variants/{key}/{name:path}", include_in_schema=False)
    async def variant_file(request: Request, key: str, name: str) -> Response:
        record = svc.record(key)
        listed = entries_by_name(record.get("files"))
        path = listed_file(svc.cache.folder(key), name, listed)
        kind = format_of(svc.formats, str(record.get("writer", ""))).kind_of(name)
        return await file_response(request, path, svc.hashes, "public, max-age=86400", kind)


def add_api_routes(app: FastAPI, svc: Service) -> None:
    """The JSON interface: file lists, what can be asked for, variants, cache counters."""

    @app.get("/api/files", response_model=FileList, summary="Every file in output/ (JSON)")
    async def api_files() -> FileList:
        manifest = read_manifest(svc.out_dir)
        files = [svc.file_info(e, f"/files/{quote(name)}")
                 for name, e in entries_by_name(manifest["files"]).items()
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
