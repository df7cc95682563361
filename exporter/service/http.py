"""HTTP details: request limits, safe file names, ETags, conditional requests, page policies."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from collections.abc import Collection, Mapping
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import anyio
from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exporter.output import sha256_file
from exporter.writers.base import FileKind

#: Request limits: the form sends well under 200 bytes; anything far larger is not a person.
MAX_BODY_BYTES = 8 * 1024
MAX_QUERY_BYTES = 1024
MAX_PATH_BYTES = 512
MAX_FORM_FIELDS = 16
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
PAGE_CSP = ("default-src 'none'; style-src {style}; script-src {script}; img-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: Served files are never allowed to run anything, even an HTML page a writer produced.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox"


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
        """The file's sha256, from memory while its inode, size and mtime are unchanged."""
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
    if not SAFE_NAME.match(name) or ".." in name:
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


def listed_file(root: Path, name: str, listed: Collection[str]) -> Path:
    """The file ``name`` in root if it is listed and safe; 400 for a bad name, else 404."""
    if not SAFE_NAME.match(name) or ".." in name:
        raise HTTPException(400, "Bad file name.")
    path = safe_file(root, name) if name in listed else None
    if path is None:
        raise HTTPException(404, f"No file called {name!r} here.")
    return path


def _etags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def not_modified(request: Request, etag: str, mtime: float) -> bool:
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


def precondition_failed(request: Request, etag: str, mtime: float) -> bool:
    """RFC 9110 section 13.1.1 and 13.1.4: If-Match (strong comparison), If-Unmodified-Since."""
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


async def file_response(request: Request, path: Path, hashes: Hashes, cache_control: str,
                        kind: FileKind) -> Response:
    """A file with ETag, Last-Modified, conditional requests, HEAD and Range; its Content-Type
    and whether it opens in the browser come from its declared kind."""
    st = path.stat()
    etag = f'"{await hashes.of(path, st)}"'
    headers = {"etag": etag, "cache-control": cache_control, "content-security-policy": FILE_CSP}
    if precondition_failed(request, etag, st.st_mtime):
        return Response(status_code=412, headers={"etag": etag})
    if not_modified(request, etag, st.st_mtime):
        return Response(status_code=304, headers={
            "etag": etag, "cache-control": cache_control,
            "last-modified": formatdate(st.st_mtime, usegmt=True)})
    return FileResponse(path, headers=headers, media_type=kind.media_type, filename=path.name,
                        stat_result=st,
                        content_disposition_type="inline" if kind.inline else "attachment")


# ---------------------------------------------------------------- pages


def csp_for(page: str) -> str:
    """The page's policy: nothing may load or run but its own style sheets and scripts, each
    named by its hash."""

    def hashes(tag: str) -> str:
        found = [
            "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
            for m in re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)
        ]
        return " ".join(found) or "'none'"

    return PAGE_CSP.format(style=hashes("style"), script=hashes("script"))


def page_response(request: Request, page: str, status: int = 200,
                  headers: Mapping[str, str] | None = None) -> Response:
    """An HTML page with its policy; HEAD gets the headers alone."""
    response = HTMLResponse(page, status_code=status, headers={
        "content-security-policy": csp_for(page), "cache-control": "no-cache", **(headers or {})})
    if request.method == "HEAD":
        response.body = b""  # Content-Length stays that of the page, as HEAD requires
    return response
