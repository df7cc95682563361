"""exporter/service/static.py: a file asked for again is answered exactly as the app answered
it, and only while the file and the manifest are unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi import FastAPI

from exporter.output import sha256_file
from exporter.service.app import create_app
from tests.service_client import SOURCE, get, head, sha


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A one-file output folder whose file the test can replace."""
    out = tmp_path / "out"
    out.mkdir()
    _publish(out, b"<!DOCTYPE html><title>first</title>")
    return out


def _publish(out: Path, data: bytes) -> None:
    """Replace hsct.html and its manifest entry as the exporter does (new file, renamed)."""
    tmp = out / ".hsct.html.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, out / "hsct.html")
    entry = {"file": "hsct.html", "format": "html", "options": {}, "bytes": len(data),
             "sha256": sha256_file(out / "hsct.html"), "facts": {}}
    (out / "manifest.json").write_text(json.dumps({"files": [entry]}), encoding="utf-8")


@pytest.fixture
def app(site: Path, tmp_path: Path) -> FastAPI:
    return create_app(site, SOURCE, tmp_path / "cache", writers=["html"],
                      allowed_hosts=["testserver"])


def _headers(r: object) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in r.headers.items() if k != "date")  # type: ignore[attr-defined]


def test_a_repeated_request_gets_the_same_bytes_and_headers(app: FastAPI) -> None:
    first, again = get(app, "/files/hsct.html"), get(app, "/files/hsct.html")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content == b"<!DOCTYPE html><title>first</title>"
    assert _headers(again) == _headers(first)
    assert again.headers["x-content-type-options"] == "nosniff"  # the service's own headers
    h1, h2 = head(app, "/files/hsct.html"), head(app, "/files/hsct.html")
    assert h1.status_code == h2.status_code == 200 and h2.content == b""
    assert _headers(h2) == _headers(h1)


def test_a_replaced_file_is_served_new_at_once(app: FastAPI, site: Path) -> None:
    assert get(app, "/files/hsct.html").content.endswith(b"first</title>")
    _publish(site, b"<!DOCTYPE html><title>second, longer</title>")
    r = get(app, "/files/hsct.html")
    assert r.content.endswith(b"second, longer</title>")
    assert r.headers["etag"] == f'"{sha(r.content)}"'


def test_a_file_taken_off_the_manifest_is_no_longer_served(app: FastAPI, site: Path) -> None:
    assert get(app, "/files/hsct.html").status_code == 200
    (site / "manifest.json").write_text(json.dumps({"files": []}), encoding="utf-8")
    assert get(app, "/files/hsct.html").status_code == 404


def test_range_and_conditional_requests_still_get_their_own_answers(app: FastAPI) -> None:
    full = get(app, "/files/hsct.html")
    part = get(app, "/files/hsct.html", headers={"range": "bytes=0-8"})
    assert part.status_code == 206 and part.content == full.content[:9]
    cond = get(app, "/files/hsct.html", headers={"if-none-match": full.headers["etag"]})
    assert cond.status_code == 304 and cond.content == b""


def test_another_host_is_refused_even_after_the_file_was_kept(app: FastAPI) -> None:
    assert get(app, "/files/hsct.html").status_code == 200
    refused = get(app, "/files/hsct.html", headers={"host": "evil.example"})
    assert refused.status_code == 400


def test_kept_answers_stay_bounded_whatever_hosts_are_sent(site: Path) -> None:
    import asyncio

    from starlette.types import Message, Receive, Scope, Send

    from exporter.service.static import MAX_ENTRIES, StaticCache

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    cache = StaticCache(app, site)

    async def ask(host: str) -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            pass

        scope = {"type": "http", "method": "HEAD", "path": "/files/hsct.html",
                 "query_string": b"", "headers": [(b"host", host.encode())]}
        await cache(scope, receive, send)

    async def main() -> None:
        for k in range(MAX_ENTRIES + 100):
            await ask(f"h{k}.example")

    asyncio.run(main())
    assert 0 < len(cache.kept) <= MAX_ENTRIES
