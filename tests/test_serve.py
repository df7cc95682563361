"""The service's routes in-process over httpx: files, conditional and Range requests, variants,
bad input, bounds and failures."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import html
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlencode

import httpx
import pdfplumber
import pytest
from fastapi import FastAPI

from exporter.downloads import content_type
from exporter.output import sha256_file
from exporter.pipeline import export
from exporter.serve import MAX_BODY_BYTES, MAX_QUERY_BYTES, create_app
from exporter.variants import BUILDING_PREFIX

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
MINIMAL = ROOT / "tests" / "fixtures" / "valid" / "minimal.md"
SECRET = b"secret outside the output folder"
T = TypeVar("T")


# ---------------------------------------------------------------- helpers


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


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real export (HTML, PDF 18 and 24 pt, EPUB, audio) and a cache folder beside it."""
    base = tmp_path_factory.mktemp("site")
    out = base / "output"
    results = export(SOURCE, out, ["html", "pdf", "epub", "audio"], sizes=[18, 24], jobs=2)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    (base / "secret.txt").write_bytes(SECRET)
    return out


@pytest.fixture
def app(site: Path, tmp_path: Path) -> FastAPI:
    return create_app(site, SOURCE, tmp_path / "cache", writers=["html", "pdf", "epub", "audio"])


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """An output folder holding one small file of each type, plus traps: a symlink out, an
    unlisted file and a directory, the first and last even listed in the manifest."""
    out = tmp_path / "odd"
    out.mkdir()
    names = ["a.pdf", "a.docx", "a.epub", "a.mp3", "a.m3u8", "a.txt", "a.html"]
    for n in names:
        (out / n).write_bytes(f"content of {n}".encode())
    (tmp_path / "secret.txt").write_bytes(SECRET)
    os.symlink(tmp_path / "secret.txt", out / "link.pdf")
    os.symlink(out / "a.pdf", out / "inside.pdf")  # a symlink that stays inside is fine
    (out / "unlisted.pdf").write_bytes(SECRET)
    (out / "folder.pdf").mkdir()
    entries = [{"file": n, "format": "x", "options": {}, "bytes": (out / n).stat().st_size,
                "sha256": sha256_file(out / n), "facts": {}}
               for n in [*names, "inside.pdf"]]
    entries += [{"file": n, "format": "x", "options": {}, "bytes": 1, "sha256": "0", "facts": {}}
                for n in ("link.pdf", "folder.pdf")]
    (out / "manifest.json").write_text(json.dumps({"files": entries}), encoding="utf-8")
    return out


def manifest(out: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads((out / "manifest.json").read_text())["files"]
    return files


# ---------------------------------------------------------------- the page


def test_page_has_the_form_a_strict_policy_and_head(app: FastAPI, site: Path) -> None:
    r = get(app, "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'sha256-" in csp and "form-action 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    for e in manifest(site):
        assert f'href="/files/{e["file"]}"' in r.text
    for w in ("html", "pdf", "epub", "audio"):
        assert f'name="format" id="format-{w}" value="{w}"' in r.text
    h = head(app, "/")
    assert h.status_code == 200 and h.content == b""
    assert h.headers["content-length"] == str(len(r.content))


def test_openapi_and_machine_readable_lists(app: FastAPI, site: Path) -> None:
    spec = get(app, "/openapi.json").json()
    for path in ("/api/files", "/api/formats", "/api/variant", "/files/{name}", "/request"):
        assert path in spec["paths"], path
    params = {p["name"]: p for p in spec["paths"]["/api/variant"]["get"]["parameters"]}
    assert params["scheme"]["schema"]["enum"] == ["black-on-white", "black-on-cream",
                                                  "black-on-yellow", "yellow-on-black"]
    assert get(app, "/docs").status_code == 404  # it would load scripts from a CDN
    listing = get(app, "/api/files").json()
    assert {f["file"] for f in listing["files"]} == {e["file"] for e in manifest(site)}
    for f in listing["files"][:4]:
        body = get(app, f["url"]).content
        assert sha(body) == f["sha256"]
    formats = get(app, "/api/formats").json()
    assert [f["name"] for f in formats["formats"]] == ["audio", "epub", "html", "pdf"]
    assert formats["size_min"] == 16 and formats["size_max"] == 36
    assert next(f for f in formats["formats"] if f["name"] == "pdf")["options"] == [
        "line_spacing", "scheme", "size"]


# ---------------------------------------------------------------- files


def test_every_file_downloads_with_its_headers(app: FastAPI, site: Path) -> None:
    for e in manifest(site):
        name = e["file"]
        r = get(app, f"/files/{name}")
        assert r.status_code == 200, name
        assert sha(r.content) == e["sha256"]
        assert r.headers["etag"] == f'"{e["sha256"]}"'
        assert r.headers["content-type"] == content_type(name)
        assert r.headers["accept-ranges"] == "bytes"
        kind = "inline" if name.endswith((".html", ".txt")) else "attachment"
        assert r.headers["content-disposition"] == f'{kind}; filename="{name}"'
        mtime = email.utils.parsedate_to_datetime(r.headers["last-modified"]).timestamp()
        assert mtime == int((site / name).stat().st_mtime)
        assert "sandbox" in r.headers["content-security-policy"]
    assert get(app, "/files/hsct.epub").headers["content-type"] == "application/epub+zip"
    assert get(app, "/files/hsct-audio.mp3").headers["content-type"] == "audio/mpeg"
    assert get(app, "/files/hsct-audio.m3u8").headers["content-type"] == (
        "application/vnd.apple.mpegurl")


def test_head_gives_headers_only(app: FastAPI, site: Path) -> None:
    r = head(app, "/files/hsct-large-print-24pt.pdf")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str((site / "hsct-large-print-24pt.pdf").stat().st_size)
    assert r.headers["content-type"] == "application/pdf"


def test_conditional_requests(app: FastAPI, site: Path) -> None:
    url = "/files/hsct-large-print-18pt.pdf"
    first = get(app, url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in ({"if-none-match": etag}, {"if-none-match": f"W/{etag}"},
                    {"if-none-match": f'"other", {etag}'}, {"if-none-match": "*"},
                    {"if-modified-since": modified}):
        r = get(app, url, headers=headers)
        assert r.status_code == 304, headers
        assert r.content == b"" and r.headers["etag"] == etag
    assert head(app, url, headers={"if-none-match": etag}).status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert get(app, url, headers={"if-none-match": '"other"',
                                  "if-modified-since": modified}).status_code == 200
    old = email.utils.formatdate(time.time() - 10 * 365 * 86400, usegmt=True)
    assert get(app, url, headers={"if-modified-since": old}).status_code == 200
    assert get(app, url, headers={"if-modified-since": "not a date"}).status_code == 200
    assert get(app, url, headers={"if-match": '"other"'}).status_code == 412
    assert get(app, url, headers={"if-match": etag}).status_code == 200
    assert get(app, url, headers={"if-unmodified-since": old}).status_code == 412


def test_range_requests(app: FastAPI, site: Path) -> None:
    url = "/files/hsct-audio.mp3"
    data = (site / "hsct-audio.mp3").read_bytes()
    size = len(data)
    r = get(app, url, headers={"range": "bytes=0-99"})
    assert r.status_code == 206 and r.content == data[:100]
    assert r.headers["content-range"] == f"bytes 0-99/{size}"
    r = get(app, url, headers={"range": "bytes=-10"})
    assert r.status_code == 206 and r.content == data[-10:]
    r = get(app, url, headers={"range": f"bytes={size - 5}-"})
    assert r.status_code == 206 and r.content == data[-5:]
    etag = r.headers["etag"]
    r = get(app, url, headers={"range": "bytes=10-19", "if-range": etag})
    assert r.status_code == 206 and r.content == data[10:20]
    r = get(app, url, headers={"range": "bytes=10-19", "if-range": '"stale"'})
    assert r.status_code == 200 and r.content == data  # changed file: the whole of it
    r = get(app, url, headers={"range": f"bytes={size}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{size}"
    r = get(app, url, headers={"range": "bytes=0-9,100-109"})
    assert r.status_code == 206
    assert r.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert data[:10] in r.content and data[100:110] in r.content
    assert get(app, url, headers={"range": "lines=1-2"}).status_code == 400
    h = head(app, url, headers={"range": "bytes=0-99"})
    assert h.status_code == 206 and h.content == b"" and h.headers["content-length"] == "100"


def test_content_types_of_every_kind(odd: Path, tmp_path: Path) -> None:
    app = create_app(odd, SOURCE, tmp_path / "cache", writers=["html"])
    expected = {
        "a.pdf": "application/pdf",
        "a.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "a.epub": "application/epub+zip",
        "a.mp3": "audio/mpeg",
        "a.m3u8": "application/vnd.apple.mpegurl",
        "a.txt": "text/plain; charset=utf-8",
        "a.html": "text/html; charset=utf-8",
    }
    for name, ctype in expected.items():
        r = get(app, f"/files/{name}")
        assert r.status_code == 200 and r.headers["content-type"] == ctype, name
        assert r.content == f"content of {name}".encode()
    assert get(app, "/files/inside.pdf").content == b"content of a.pdf"


@pytest.mark.parametrize("target", [
    b"/files/..%2fsecret.txt",
    b"/files/%2e%2e%2fsecret.txt",
    b"/files/%2e%2e/secret.txt",
    b"/files/..%5csecret.txt",
    b"/files/../secret.txt",
    b"/files//etc/passwd",
    b"/files/%2fetc%2fpasswd",
    b"/files/%252e%252e%252fsecret.txt",
    b"/files/.%2e/secret.txt",
    b"/files/link.pdf",
    b"/files/unlisted.pdf",
    b"/files/folder.pdf",
    b"/files/manifest.json",
    b"/files/a.pdf%00.txt",
    b"/files/.hidden",
    b"/variants/..%2f..%2fsecret.txt",
    b"/variants/0123456789abcdef01234567/..%2f..%2fsecret.txt",
])
def test_only_listed_files_inside_the_folders_are_served(odd: Path, tmp_path: Path,
                                                         target: bytes) -> None:
    app = create_app(odd, SOURCE, tmp_path / "cache", writers=["html"])
    status, body = raw_get(app, target)
    assert status in (400, 404), (target, status)
    assert SECRET not in body


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("query", "field", "allowed"), [
    ({"format": "pdf", "size": "99"}, "size", ["16 to 36"]),
    ({"format": "pdf", "size": "abc"}, "size", ["16 to 36"]),
    ({"format": "pdf", "size": "-18"}, "size", ["16 to 36"]),
    ({"format": "pdf", "scheme": "purple-on-green"}, "scheme",
     ["black-on-white", "black-on-cream", "black-on-yellow", "yellow-on-black"]),
    ({"format": "pdf", "line_spacing": "3"}, "line_spacing", ["1.5", "1.75", "2"]),
    ({"format": "pdf", "line_spacing": "nan"}, "line_spacing", ["1.5", "1.75", "2"]),
    ({"format": "tiff"}, "format", ["audio", "epub", "html", "pdf"]),
    ({"size": "18"}, "format", ["audio", "epub", "html", "pdf"]),
    ([("format", "pdf"), ("size", "18"), ("size", "24")], "size", ["16 to 36"]),
])
def test_invalid_options_get_400_naming_field_and_values(
        app: FastAPI, query: Any, field: str, allowed: list[str]) -> None:
    r = get(app, "/api/variant", params=query)
    assert r.status_code == 400
    problems = r.json()["problems"]
    assert [p["field"] for p in problems] == [field]
    assert problems[0]["allowed"] == allowed
    assert all(a in problems[0]["message"] for a in allowed)
    form = post(app, "/request", content=urlencode(query).encode(),
                headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400
    assert form.headers["content-type"].startswith("text/html")
    assert html.escape(problems[0]["message"], quote=False) in form.text
    assert 'aria-invalid="true"' in form.text and "There is a problem" in form.text


def test_bounds_on_requests(app: FastAPI) -> None:
    long_query = "format=pdf&x=" + "a" * MAX_QUERY_BYTES
    assert get(app, f"/api/variant?{long_query}").status_code == 414
    assert get(app, "/files/" + "a" * 600).status_code == 414
    big = {"format": "pdf", "pad": "x" * (MAX_BODY_BYTES + 1)}
    assert post(app, "/request", data=big).status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"a" * 1024

    r = post(app, "/request", content=chunks(),
             headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413  # no Content-Length: counted as it arrives
    r = post(app, "/request", content=b'{"format": "pdf"}',
             headers={"content-type": "application/json"})
    assert r.status_code == 415
    fields = "&".join(f"f{i}=1" for i in range(40))
    r = post(app, "/request", content=fields.encode(),
             headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400  # too many fields
    assert call(app, lambda c: c.delete("/files/hsct.epub")).status_code == 405
    assert get(app, "/variants/not-a-key").status_code == 404
    assert get(app, "/variants/0123456789abcdef01234567").status_code == 404


# ---------------------------------------------------------------- variants


def test_form_makes_a_pdf_with_the_asked_size_and_scheme(app: FastAPI) -> None:
    data = {"format": "pdf", "size": "20", "scheme": "black-on-cream", "line_spacing": "2"}
    r = post(app, "/request", data=data)
    assert r.status_code == 303, r.text
    assert r.headers["x-variant-cache"] == "built"
    page_url = r.headers["location"]
    page = get(app, page_url)
    assert page.status_code == 200
    assert "Large print PDF, 20 point, black on cream, line spacing 2" in page.text
    file_url = next(part.split('"')[0] for part in page.text.split('href="')[1:]
                    if part.startswith(f"{page_url}/"))
    f = get(app, file_url)
    assert f.status_code == 200 and f.headers["content-type"] == "application/pdf"
    assert f.headers["etag"] == f'"{sha(f.content)}"'
    assert "attachment" in f.headers["content-disposition"]
    assert get(app, file_url, headers={"if-none-match": f.headers["etag"]}).status_code == 304
    path = Path(app.state.cache.cache_dir) / page_url.rsplit("/", 1)[1]
    pdf_file = next(path.glob("*.pdf"))
    with pdfplumber.open(pdf_file) as pdf:
        sizes = [round(c["size"], 1) for c in pdf.pages[0].chars]
        assert max(set(sizes), key=sizes.count) == 20.0
        cream = [r for r in pdf.pages[0].rects if r["width"] >= pdf.pages[0].width - 1]
        assert cream, "no page background"
    again = post(app, "/request", data=data)
    assert again.headers["x-variant-cache"] == "hit"
    assert again.headers["location"] == page_url


def test_simultaneous_requests_build_once(site: Path, tmp_path: Path) -> None:
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html"])

    async def burst(c: httpx.AsyncClient) -> list[httpx.Response]:
        return list(await asyncio.gather(*[
            c.get("/api/variant", params={"format": "html"}) for _ in range(5)]))

    responses = call(app, burst)
    assert [r.status_code for r in responses] == [200] * 5
    kinds = sorted(r.json()["cache"] for r in responses)
    assert kinds == ["built", "shared", "shared", "shared", "shared"]
    assert len({r.json()["key"] for r in responses}) == 1
    stats = get(app, "/api/stats").json()
    assert stats["builds"] == 1 and stats["shared"] == 4
    folders = [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]
    assert len(folders) == 1


def test_options_a_writer_ignores_do_not_make_new_variants(app: FastAPI) -> None:
    a = get(app, "/api/variant", params={"format": "html", "size": "16"}).json()
    b = get(app, "/api/variant", params={"format": "html", "size": "30",
                                         "scheme": "yellow-on-black"}).json()
    assert a["key"] == b["key"] and b["cache"] == "hit" and a["options"] == {}
    for f in a["files"]:
        assert sha(get(app, f["url"]).content) == f["sha256"]


def test_a_changed_source_gets_a_new_variant(site: Path, tmp_path: Path) -> None:
    source = tmp_path / "hsct.md"
    shutil.copy(SOURCE, source)
    app = create_app(site, source, tmp_path / "cache", writers=["html"])
    first = get(app, "/api/variant", params={"format": "html"}).json()
    with source.open("a", encoding="utf-8") as f:
        f.write("\n")
    second = get(app, "/api/variant", params={"format": "html"}).json()
    assert first["key"] != second["key"] and second["cache"] == "built"


def test_old_variants_are_evicted(site: Path, tmp_path: Path) -> None:
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html", "epub"], max_variants=1)
    first = get(app, "/api/variant", params={"format": "html"}).json()
    get(app, "/api/variant", params={"format": "epub"})
    assert get(app, first["page"]).status_code == 404
    assert len([p for p in (tmp_path / "cache").iterdir() if p.is_dir()]) == 1


def _image_source(tmp_path: Path) -> Path:
    source = tmp_path / "with-image.md"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "One sentence only.", "One sentence only. ![A small chart](chart.png)")
    source.write_text(text, encoding="utf-8")
    return source


def test_a_failing_writer_gives_a_clear_500_page(site: Path, tmp_path: Path) -> None:
    # The HTML writer refuses images: a real writer failure, not a simulated one.
    app = create_app(site, _image_source(tmp_path), tmp_path / "cache", writers=["html"])
    r = post(app, "/request", data={"format": "html"})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "Your file could not be made" in r.text and "images are not supported" in r.text
    j = get(app, "/api/variant", params={"format": "html"})
    assert j.status_code == 500 and "images are not supported" in j.json()["error"]
    stats = get(app, "/api/stats").json()
    assert stats["failures"] == 1, "a failed build is not retried at once"
    assert get(app, "/").status_code == 200  # the service carries on
    assert not list((tmp_path / "cache").glob(f"{BUILDING_PREFIX}*"))


def test_a_build_has_a_time_limit(site: Path, tmp_path: Path) -> None:
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["pdf"], build_timeout=0.05)
    started = time.perf_counter()
    r = post(app, "/request", data={"format": "pdf", "size": "33"})
    assert time.perf_counter() - started < 5
    assert r.status_code == 503 and "longer than 0.05 seconds" in r.text
    assert r.headers["retry-after"] == "60"
    assert get(app, "/api/stats").json()["timeouts"] == 1
    assert not [p for p in (tmp_path / "cache").iterdir() if p.is_dir()]


def test_too_many_waiting_builds_are_refused(site: Path, tmp_path: Path) -> None:
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html"], max_waiting=0)
    r = get(app, "/api/variant", params={"format": "html"})
    assert r.status_code == 503 and r.headers["retry-after"] == "30"
    assert "busy" in r.json()["error"]


def test_other_host_names_can_be_refused(site: Path, tmp_path: Path) -> None:
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html"],
                     allowed_hosts=["127.0.0.1", "localhost"])
    assert get(app, "/").status_code == 400  # Host: testserver, as from a rebound DNS name
    assert get(app, "/", headers={"host": "localhost:8000"}).status_code == 200
