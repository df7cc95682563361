"""The service's routes in-process over httpx: the page, the JSON lists, variants, bad input,
failures, and formats described by the writers themselves (plugins too)."""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
import pdfplumber
import pytest
from fastapi import FastAPI

from exporter import registry
from exporter.output import sha256_file
from exporter.registry import Registered
from exporter.service.app import create_app
from exporter.service.variants import BUILDING_PREFIX
from exporter.writers.base import FileKind, Job, Produced, Writer
from tests.service_client import ROOT, SOURCE, call, exported_site, get, head, post, sha

MINIMAL = ROOT / "tests" / "fixtures" / "valid" / "minimal.md"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return exported_site(tmp_path_factory.mktemp("site"))


@pytest.fixture
def app(site: Path, tmp_path: Path) -> FastAPI:
    return create_app(site, SOURCE, tmp_path / "cache", writers=["html", "pdf", "epub", "audio"])


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
                                                  "black-on-yellow", "black-on-blue",
                                                  "yellow-on-black"]
    assert get(app, "/docs").status_code == 404  # it would load scripts from a CDN
    listing = get(app, "/api/files").json()
    assert {f["file"] for f in listing["files"]} == {e["file"] for e in manifest(site)}
    for f in listing["files"][:4]:
        body = get(app, f["url"]).content
        assert sha(body) == f["sha256"]
    formats = get(app, "/api/formats").json()
    assert [f["name"] for f in formats["formats"]] == ["audio", "epub", "html", "pdf"]
    assert formats["size_min"] == 16 and formats["size_max"] == 36
    pdf = next(f for f in formats["formats"] if f["name"] == "pdf")
    assert pdf["options"] == ["font", "letter_spacing", "line_spacing", "scheme", "size",
                              "word_spacing"]
    assert pdf["label"] == registry.get("pdf").label == "Large print PDF"
    assert formats["line_spacings"] == [1.5, 1.75, 2.0]
    assert formats["line_spacing_default"] == 1.5 and formats["size_default"] == 18
    assert params["line_spacing"]["description"].endswith("1.5 to 2")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("query", "field", "allowed"), [
    ({"format": "pdf", "size": "99"}, "size", ["16 to 36"]),
    ({"format": "pdf", "size": "abc"}, "size", ["16 to 36"]),
    ({"format": "pdf", "size": "-18"}, "size", ["16 to 36"]),
    ({"format": "pdf", "scheme": "purple-on-green"}, "scheme",
     ["black-on-white", "black-on-cream", "black-on-yellow", "black-on-blue",
      "yellow-on-black"]),
    ({"format": "pdf", "size": "²"}, "size", ["16 to 36"]),  # a digit to str.isdigit()
    ({"format": "pdf", "size": "18.5"}, "size", ["16 to 36"]),
    ({"format": "pdf", "line_spacing": "3"}, "line_spacing", ["1.5 to 2"]),
    ({"format": "pdf", "line_spacing": "nan"}, "line_spacing", ["1.5 to 2"]),
    ({"format": "pdf", "line_spacing": "1e0"}, "line_spacing", ["1.5 to 2"]),
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


def test_the_new_choices_are_described_and_checked(app: FastAPI) -> None:
    """/api/formats says what each choice accepts and which formats use it; bad values come
    back naming the field and what it accepts, from the same rules as the command line."""
    described = {o["name"]: o for o in get(app, "/api/formats").json()["options"]}
    assert list(described) == ["size", "scheme", "line_spacing", "grade", "font",
                               "letter_spacing", "word_spacing"]
    font = described["font"]
    assert font["presets"] == ["atkinson-hyperlegible", "lexend", "opendyslexic"]
    assert font["preset_labels"] == ["Atkinson Hyperlegible", "Lexend", "OpenDyslexic"]
    assert font["default"] == "atkinson-hyperlegible" and "epub" in font["formats"]
    assert described["letter_spacing"]["allowed"] == ["0 to 0.12"]
    assert described["word_spacing"]["presets"] == ["0", "0.08", "0.16"]
    assert described["size"]["formats"] == ["pdf"]  # EPUB reflows to the app's size
    for query, field, allowed in (
            ({"format": "epub", "font": "papyrus"}, "font",
             ["atkinson-hyperlegible", "lexend", "opendyslexic"]),
            ({"format": "epub", "letter_spacing": "0.2"}, "letter_spacing", ["0 to 0.12"]),
            ({"format": "epub", "word_spacing": "-0.1"}, "word_spacing", ["0 to 0.16"]),
            ({"format": "epub", "grade": "3"}, "grade", ["1", "2"])):
        r = get(app, "/api/variant", params=query)
        assert r.status_code == 400
        [problem] = r.json()["problems"]
        assert problem["field"] == field and problem["allowed"] == allowed
        page = post(app, "/request", data=query)
        assert page.status_code == 400
        assert html.escape(problem["message"], quote=False) in page.text


def test_an_epub_is_cached_by_every_option_it_uses(app: FastAPI) -> None:
    """Font and spacing make different files under different keys; a choice the EPUB does
    not use (the print size) finds the same file."""
    base = {"format": "epub", "font": "lexend", "letter_spacing": "0.12", "word_spacing": "0.16",
            "line_spacing": "2"}
    first = get(app, "/api/variant", params=base).json()
    assert first["options"] == {"font": "lexend", "letter_spacing": 0.12, "line_spacing": 2.0,
                                "word_spacing": 0.16}
    [epub] = first["files"]
    assert epub["file"] == "hsct-lexend-line-spacing-2-letter-spacing-0.12-word-spacing-0.16.epub"
    same = get(app, "/api/variant", params={**base, "size": "30"}).json()
    assert same["key"] == first["key"] and same["cache"] == "hit"
    keys = {first["key"]}
    for change in ({"font": "opendyslexic"}, {"letter_spacing": "0.06"},
                   {"word_spacing": "0"}, {"line_spacing": "1.75"}):
        other = get(app, "/api/variant", params={**base, **change}).json()
        assert other["key"] not in keys, change
        keys.add(other["key"])
    css = _epub_css(get(app, epub["url"]).content)
    assert "Lexend" in css and "letter-spacing: 0.12em" in css and "word-spacing: 0.16em" in css


def test_files_are_made_with_the_styles_the_request_was_checked_against(
        site: Path, tmp_path: Path) -> None:
    """A service started with its own styles folder builds with it too: a letter spacing
    only that folder allows is accepted by the form and by the build."""
    from exporter.styles import load_styles

    own = tmp_path / "styles"
    own.mkdir()
    (own / "settings.yaml").write_text("spacing:\n  letter: {max: 0.25, presets: [0, 0.25]}\n",
                                       encoding="utf-8")
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["epub"],
                     styles=load_styles(own))
    made = get(app, "/api/variant", params={"format": "epub", "letter_spacing": "0.25"})
    assert made.status_code == 200, made.text
    [epub] = made.json()["files"]
    assert "letter-spacing: 0.25em" in _epub_css(get(app, epub["url"]).content)


def _epub_css(data: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode() for n in z.namelist() if n.endswith(".css"))


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
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html", "epub"], max_variants=1,
                     keep_recent=0)
    first = get(app, "/api/variant", params={"format": "html"}).json()
    get(app, "/api/variant", params={"format": "epub"})
    assert get(app, first["page"]).status_code == 404
    # One variant kept (the print pages' layout cache beside them is shared, not a variant).
    assert len([p for p in (tmp_path / "cache").iterdir()
                if p.is_dir() and not p.name.startswith(".")]) == 1


def test_a_variant_just_made_is_never_evicted_before_its_files_are_fetched(
        site: Path, tmp_path: Path) -> None:
    # One variant allowed: a second request must not take the first one's files away from
    # the client that was just told where they are.
    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html", "epub"], max_variants=1)
    first = get(app, "/api/variant", params={"format": "html"}).json()
    second = get(app, "/api/variant", params={"format": "epub"}).json()
    for made in (first, second):
        assert get(app, made["page"]).status_code == 200
        for f in made["files"]:
            r = get(app, f["url"])
            assert r.status_code == 200 and sha(r.content) == f["sha256"]


def test_variant_locks_leave_no_files_and_build_times_are_bounded(site: Path,
                                                                   tmp_path: Path) -> None:
    from exporter.service.variant_types import BUILD_TIMES_KEPT, Stats

    app = create_app(site, SOURCE, tmp_path / "cache", writers=["html"])
    for size in ("16", "20"):
        assert get(app, "/api/variant", params={"format": "html", "size": size}).status_code \
            == 200
    assert [p.name for p in (tmp_path / "cache").iterdir() if not p.is_dir()] == []
    stats = Stats()
    for i in range(BUILD_TIMES_KEPT * 3):
        stats.build_seconds.append(float(i % 7))
    assert len(stats.build_seconds) == BUILD_TIMES_KEPT
    assert stats.as_dict()["build_seconds_median"] == 3.0


def _image_source(tmp_path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (4, 4), "white").save(tmp_path / "chart.png")
    source = tmp_path / "with-image.md"
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "One sentence only.", "One sentence only.\n\n![A small chart](chart.png)\n")
    source.write_text(text, encoding="utf-8")
    return source


def test_a_failing_writer_gives_a_clear_500_page(site: Path, tmp_path: Path) -> None:
    # The page's picture is deleted while the service runs: a real failure, not a simulated one.
    app = create_app(site, _image_source(tmp_path), tmp_path / "cache", writers=["html"])
    (tmp_path / "chart.png").unlink()
    r = post(app, "/request", data={"format": "html"})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "Your file could not be made" in r.text and "chart.png" in r.text
    j = get(app, "/api/variant", params={"format": "html"})
    assert j.status_code == 500 and "chart.png" in j.json()["error"]
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


def test_every_kind_of_problem_is_reported_at_once(app: FastAPI) -> None:
    r = get(app, "/api/variant", params={"format": "tiff", "size": "x", "scheme": "plaid",
                                         "line_spacing": "9"})
    assert r.status_code == 400
    assert [p["field"] for p in r.json()["problems"]] == [
        "format", "size", "scheme", "line_spacing"]


# ---------------------------------------------------------------- formats the writers describe


class ShoutWriter(Writer):
    """A plugin writer defined here, registered under "shout" by the tests below."""

    name: ClassVar[str] = "shout"
    description: ClassVar[str] = "Everything in capitals (test plugin)"
    label: ClassVar[str] = "Shouted text"
    hint: ClassVar[str] = "For readers who like capitals."
    files: ClassVar[tuple[FileKind, ...]] = (
        FileKind(".shout", "text/x-shout; charset=utf-8", "SHOUT", role="loud copy",
                 inline=True),
        FileKind(".whisper", "application/x-whisper", "whisper", role="quiet copy"),
    )
    option_names: ClassVar[frozenset[str]] = frozenset({"size"})
    order: ClassVar[int] = 5

    def write(self, job: Job) -> list[Produced]:
        raise NotImplementedError


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two more installed writers: "shout" (above) and "shaky", whose module is missing."""
    installed = registry.available

    def available() -> dict[str, Registered]:
        return {**installed(), "shout": Registered("shout", f"{__name__}:ShoutWriter"),
                "shaky": Registered("shaky", "tests.no_such_module:Writer")}

    monkeypatch.setattr(registry, "available", available)


@pytest.fixture
def plugin_site(tmp_path: Path) -> Path:
    """An output folder with files of the two plugin writers and of the HTML writer."""
    out = tmp_path / "plugin-output"
    out.mkdir()
    made = {"doc.shout": "shout", "doc.whisper": "shout", "doc.txt": "shaky",
            "doc.html": "html"}
    for n in made:
        (out / n).write_bytes(f"content of {n}".encode())
    entries = [{"file": n, "format": w, "options": {"size": 20} if w == "shout" else {},
                "bytes": (out / n).stat().st_size, "sha256": sha256_file(out / n), "facts": {}}
               for n, w in made.items()]
    (out / "manifest.json").write_text(json.dumps({"files": entries}), encoding="utf-8")
    return out


@pytest.mark.usefixtures("plugins")
def test_a_plugin_writers_label_and_types_reach_the_page_and_files(plugin_site: Path,
                                                                   tmp_path: Path) -> None:
    app = create_app(plugin_site, SOURCE, tmp_path / "cache")
    page = get(app, "/")
    assert page.status_code == 200
    headings = re.findall(r'<h3 id="files-[a-z]+">(.*?)</h3>', page.text)
    assert headings == ["Shouted text", "Web page", "shaky"]  # in the writers' order
    assert "For readers who like capitals." in page.text
    assert ("Shouted text, loud copy, 20 point <span class=\"file-type\">(SHOUT, " in page.text)
    assert ("Shouted text, quiet copy, 20 point <span class=\"file-type\">(whisper, "
            in page.text)
    # the form offers the plugin under its own label, and leaves out the one that cannot load
    assert 'id="format-shout" value="shout"' in page.text
    assert '<label for="format-shout">Shouted text</label>' in page.text
    assert 'value="shaky"' not in page.text
    r = get(app, "/files/doc.shout")
    assert r.headers["content-type"] == "text/x-shout; charset=utf-8"
    assert r.headers["content-disposition"] == 'inline; filename="doc.shout"'
    r = get(app, "/files/doc.whisper")
    assert r.headers["content-type"] == "application/x-whisper"
    assert r.headers["content-disposition"].startswith("attachment;")
    # a writer that cannot load breaks nothing: its name, and bytes to download
    r = get(app, "/files/doc.txt")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment;")
    listing = {f["file"]: f["content_type"] for f in get(app, "/api/files").json()["files"]}
    assert listing == {"doc.shout": "text/x-shout; charset=utf-8",
                       "doc.whisper": "application/x-whisper",
                       "doc.txt": "application/octet-stream",
                       "doc.html": "text/html; charset=utf-8"}
    formats = {f["name"]: f for f in get(app, "/api/formats").json()["formats"]}
    assert formats["shout"] == {"name": "shout", "label": "Shouted text", "options": ["size"]}
    assert "shaky" not in formats
    r = get(app, "/api/variant", params={"format": "shaky"})
    assert r.status_code == 400 and r.json()["problems"][0]["field"] == "format"


@pytest.mark.usefixtures("plugins")
def test_a_writer_without_a_label_shows_its_name(plugin_site: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ShoutWriter, "label", "")
    monkeypatch.setattr(ShoutWriter, "hint", "")
    app = create_app(plugin_site, SOURCE, tmp_path / "cache", writers=["shout"])
    page = get(app, "/").text
    assert '<h3 id="files-shout">shout</h3>' in page
    assert "For readers who like capitals." not in page
    assert get(app, "/api/formats").json()["formats"] == [
        {"name": "shout", "label": "shout", "options": ["size"]}]
