"""Helpers for the service tests: requests to an app in this process, and a real export to serve."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

import httpx
from fastapi import FastAPI

from exporter.batch import export

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
SECRET = b"secret outside the output folder"
T = TypeVar("T")


def exported_site(base: Path) -> Path:
    """A real export (HTML, PDF 18 and 24 pt, EPUB, audio) in base/output, a secret beside it."""
    out = base / "output"
    results = export(SOURCE, out, ["html", "pdf", "epub", "audio"], sizes=[18, 24], jobs=2)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    (base / "secret.txt").write_bytes(SECRET)
    return out


def call(app: FastAPI, fn: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """Run fn with a client talking to the app in this process (no socket)."""
    async def main() -> T:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await fn(c)
    return asyncio.run(main())


def get(app: FastAPI, url: str, **kw: Any) -> httpx.Response:
    return call(app, lambda c: c.get(url, **kw))


def head(app: FastAPI, url: str, **kw: Any) -> httpx.Response:
    return call(app, lambda c: c.head(url, **kw))


def post(app: FastAPI, url: str, **kw: Any) -> httpx.Response:
    return call(app, lambda c: c.post(url, **kw))


def raw_get(app: FastAPI, raw_path: bytes) -> tuple[int, bytes]:
    """A GET with exactly this request target, decoded as uvicorn does (no client clean-up)."""
    path, _, query = raw_path.partition(b"?")
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": unquote(path.decode("latin-1")), "raw_path": path, "query_string": query,
             "root_path": "", "headers": [(b"host", b"testserver")],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    status = 0
    body = b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return status, body


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
