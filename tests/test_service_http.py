"""Serving files: the types their writers declare, conditional and Range requests, HEAD, safe
names, and bounds on requests."""

from __future__ import annotations

import email.utils
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from exporter import registry
from exporter.output import sha256_file
from exporter.service.app import create_app
from exporter.service.http import MAX_BODY_BYTES, MAX_QUERY_BYTES, csp_for, safe_file
from tests.service_client import SECRET, SOURCE, call, exported_site, get, head, post, raw_get, sha


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return exported_site(tmp_path_factory.mktemp("site"))


@pytest.fixture
def app(site: Path, tmp_path: Path) -> FastAPI:
    return create_app(site, SOURCE, tmp_path / "cache", writers=["html", "pdf", "epub", "audio"])


#: One small file of each kind, with the writer that makes it; the last two are files a
#: writer never declared and a writer that is not installed.
ODD = {"a.pdf": "pdf", "a.docx": "docx", "a.epub": "epub", "a.mp3": "audio", "a.m3u8": "audio",
       "a.txt": "audio", "a.html": "html", "b.mp3": "html", "a.bin": "nope"}


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """An output folder holding one small file of each type, plus traps: a symlink out, an
    unlisted file and a directory, the first and last even listed in the manifest."""
    out = tmp_path / "odd"
    out.mkdir()
    for n in ODD:
        (out / n).write_bytes(f"content of {n}".encode())
    (tmp_path / "secret.txt").write_bytes(SECRET)
    os.symlink(tmp_path / "secret.txt", out / "link.pdf")
    os.symlink(out / "a.pdf", out / "inside.pdf")  # a symlink that stays inside is fine
    (out / "unlisted.pdf").write_bytes(SECRET)
    (out / "folder.pdf").mkdir()
    entries = [{"file": n, "format": w, "options": {}, "bytes": (out / n).stat().st_size,
                "sha256": sha256_file(out / n), "facts": {}}
               for n, w in [*ODD.items(), ("inside.pdf", "pdf")]]
    entries += [{"file": n, "format": "pdf", "options": {}, "bytes": 1, "sha256": "0",
                 "facts": {}} for n in ("link.pdf", "folder.pdf")]
    (out / "manifest.json").write_text(json.dumps({"files": entries}), encoding="utf-8")
    return out


def manifest(out: Path) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = json.loads((out / "manifest.json").read_text())["files"]
    return files


# ---------------------------------------------------------------- files


def test_every_file_downloads_with_the_headers_its_writer_declares(app: FastAPI,
                                                                    site: Path) -> None:
    for e in manifest(site):
        name = e["file"]
        kind = registry.get(e["format"]).kind_of(name)
        assert kind is not None, f"{e['format']} does not declare {name}"
        r = get(app, f"/files/{name}")
        assert r.status_code == 200, name
        assert sha(r.content) == e["sha256"]
        assert r.headers["etag"] == f'"{e["sha256"]}"'
        assert r.headers["content-type"] == kind.media_type
        assert r.headers["accept-ranges"] == "bytes"
        disposition = "inline" if kind.inline else "attachment"
        assert r.headers["content-disposition"] == f'{disposition}; filename="{name}"'
        mtime = email.utils.parsedate_to_datetime(r.headers["last-modified"]).timestamp()
        assert mtime == int((site / name).stat().st_mtime)
        assert "sandbox" in r.headers["content-security-policy"]
    assert get(app, "/files/hsct.epub").headers["content-type"] == "application/epub+zip"
    assert get(app, "/files/hsct-audio.mp3").headers["content-type"] == "audio/mpeg"
    assert get(app, "/files/hsct-audio.m3u8").headers["content-type"] == (
        "application/vnd.apple.mpegurl")
    transcript = get(app, "/files/hsct-audio-transcript.txt")
    assert transcript.headers["content-disposition"].startswith("inline")


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


def test_content_types_come_from_the_writer_that_made_the_file(odd: Path,
                                                                tmp_path: Path) -> None:
    app = create_app(odd, SOURCE, tmp_path / "cache", writers=["html"])
    expected = {
        "a.pdf": ("application/pdf", "attachment"),
        "a.docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   "attachment"),
        "a.epub": ("application/epub+zip", "attachment"),
        "a.mp3": ("audio/mpeg", "attachment"),
        "a.m3u8": ("application/vnd.apple.mpegurl", "attachment"),
        "a.txt": ("text/plain; charset=utf-8", "inline"),
        "a.html": ("text/html; charset=utf-8", "inline"),
        # the HTML writer makes no MP3, and no writer called "nope" is installed
        "b.mp3": ("application/octet-stream", "attachment"),
        "a.bin": ("application/octet-stream", "attachment"),
    }
    assert set(expected) == set(ODD)
    listing = {f["file"]: f for f in get(app, "/api/files").json()["files"]}
    for name, (ctype, disposition) in expected.items():
        r = get(app, f"/files/{name}")
        assert r.status_code == 200 and r.headers["content-type"] == ctype, name
        assert r.headers["content-disposition"].startswith(f"{disposition};"), name
        assert r.content == f"content of {name}".encode()
        assert listing[name]["content_type"] == ctype
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


def test_safe_file_refuses_what_is_not_a_plain_file_inside(odd: Path) -> None:
    assert safe_file(odd, "a.pdf") == (odd / "a.pdf").resolve()
    assert safe_file(odd, "inside.pdf") == (odd / "a.pdf").resolve()
    for name in ("link.pdf", "folder.pdf", "missing.pdf", "../secret.txt", ".hidden", "a/b.pdf"):
        assert safe_file(odd, name) is None, name


def test_page_policy_names_each_style_sheet_by_hash() -> None:
    csp = csp_for("<style>a{}</style><p>x</p><style>\nb{}\n</style>")
    assert csp.count("'sha256-") == 2 and "unsafe-inline" not in csp
    assert "style-src 'none'" in csp_for("<p>no styles</p>")


# ---------------------------------------------------------------- bounds


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


def test_other_host_names_can_be_refused(site: Path, tmp_path: Path) -> None:
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html"],
                     allowed_hosts=["127.0.0.1", "localhost"])
    assert get(app, "/").status_code == 400  # Host: testserver, as from a rebound DNS name
    assert get(app, "/", headers={"host": "localhost:8000"}).status_code == 200
