"""End to end in headless Chromium: a person asks for a 24pt yellow-on-black PDF and downloads
it, downloads the MP3 and the EPUB, and axe-core finds no accessibility violations.

Needs Debian's chromium and axe-core (`npm ci --prefix tests/browser`); without them these tests
skip, except under CI=true where they fail, so `make test` is the real gate.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from exporter.batch import export
from exporter.output import sha256_file
from exporter.service.app import LOOPBACK_NAMES, create_app
from exporter.service.pages import write_index

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
#: axe-core rule tags checked: WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
#: 400% and 200% zoom of a 1280 CSS pixel wide window (WCAG 1.4.10 Reflow).
ZOOMS = {"400%": 320, "200%": 640}
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(ok: bool, why: str) -> None:
    """Skip on a developer's machine; fail under CI, where a missing browser is a real error."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true, so this is an error: run `make test`, which installs it)")
    pytest.skip(f"{why}; `make test` installs it")


# ---------------------------------------------------------------- the service and the browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "output"
    results = export(SOURCE, out, ["html", "epub", "audio", "pdf"], sizes=[18], jobs=2)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    write_index(out)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The real service on a loopback port, run by uvicorn in a thread."""
    import uvicorn

    app = create_app(site, SOURCE, site.parent / "cache", allowed_hosts=LOOPBACK_NAMES)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM} "
            "(apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is missing")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp lets axe-core be injected into pages whose policy forbids scripts;
    # test_strict_policy_does_not_break_the_page checks the page under its real policy.
    context = browser.new_context(accept_downloads=True, bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    require(AXE.is_file(), f"axe-core is not installed at {AXE} "
            "(npm ci --prefix tests/browser)")
    page.add_script_tag(path=str(AXE))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(' '))}));
        }""", AXE_TAGS)
    return result


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, indent=1)


def assert_reflows(page: Any, url: str) -> None:
    for zoom, width in ZOOMS.items():
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(url)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{url} at {zoom} zoom scrolls sideways ({wide}px > {width}px)"
    page.set_viewport_size({"width": 1280, "height": 800})


# ---------------------------------------------------------------- a person asking for a format


def test_a_person_gets_a_24pt_yellow_on_black_pdf(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.get_by_role("radio", name="Large print PDF", exact=True).check()
    page.get_by_label("Print size").select_option("24")
    page.get_by_role("radio", name="Yellow on black", exact=True).check()
    page.get_by_role("button", name="Make my file").click()
    page.wait_for_url(re.compile(r"/variants/[0-9a-f]+$"), timeout=120_000)
    assert page.get_by_role("heading", level=1).inner_text() == "Your file is ready"
    assert_accessible(page)
    link = page.get_by_role("link", name=re.compile(r"^Large print PDF, 24 point, yellow on black"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "hsct-large-print-24pt-yellow-on-black.pdf"
    path = Path(download.path())
    with pdfplumber.open(path) as pdf:
        chars = [c for p in pdf.pages for c in p.chars]
        sizes = [round(c["size"], 1) for c in chars]
        assert max(set(sizes), key=sizes.count) == 24.0, "body text is not 24pt"
        assert min(sizes) >= 24.0, "nothing may be smaller than the size asked for"
        yellow = [c for c in chars if tuple(c["non_stroking_color"] or ()) == (1, 1, 0)]
        assert len(yellow) > 0.8 * len(chars), "most text should be yellow"
        for p in pdf.pages:
            assert any(r["width"] >= p.width - 1 and r["height"] >= p.height - 1
                       and tuple(r["non_stroking_color"] or ()) == (0, 0, 0) for r in p.rects), \
                f"page {p.page_number} has no black background"


def test_a_person_downloads_the_mp3_and_the_epub(page: Any, server: str, site: Path) -> None:
    from mutagen.mp3 import MP3

    manifest = {e["file"]: e for e in
                json.loads((site / "manifest.json").read_text(encoding="utf-8"))["files"]}
    page.goto(f"{server}/")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^Audio, whole recording")).click()
    mp3 = Path(info.value.path())
    assert info.value.suggested_filename == "hsct-audio.mp3"
    assert sha256_file(mp3) == manifest["hsct-audio.mp3"]["sha256"]
    length = MP3(mp3).info.length  # type: ignore[no-untyped-call, attr-defined]
    assert abs(length - manifest["hsct-audio.mp3"]["facts"]["duration"]) < 1.0

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^EPUB e-book")).click()
    epub = Path(info.value.path())
    assert info.value.suggested_filename == "hsct.epub"
    with zipfile.ZipFile(epub) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and z.read(first) == b"application/epub+zip"
        assert "META-INF/container.xml" in z.namelist()

    # An audio player seeks with Range requests: the browser gets just the part it asks for.
    status = page.evaluate("""async () => {
        const r = await fetch('/files/hsct-audio.mp3', {headers: {Range: 'bytes=1000-1999'}});
        const b = await r.arrayBuffer();
        return [r.status, b.byteLength, r.headers.get('content-range')];
    }""")
    size = manifest["hsct-audio.mp3"]["bytes"]
    assert status == [206, 1000, f"bytes 1000-1999/{size}"]


# ---------------------------------------------------------------- accessibility of every page


def test_download_page_has_no_axe_violations_and_reflows(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    assert_accessible(page)
    page.locator("details.tracks summary").click()  # the folded tracks, opened
    assert_accessible(page)
    assert_reflows(page, f"{server}/")


def test_static_page_has_no_axe_violations_and_reflows(page: Any, site: Path) -> None:
    url = (site / "index.html").as_uri()
    page.goto(url)
    assert_accessible(page)
    assert_reflows(page, url)


def test_result_error_and_missing_pages_have_no_axe_violations(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.get_by_role("radio", name="Web page", exact=True).check()
    page.get_by_role("button", name="Make my file").click()
    page.wait_for_url(re.compile(r"/variants/[0-9a-f]+$"), timeout=60_000)
    assert_accessible(page)
    assert_reflows(page, page.url)

    # A tampered form (a size the list does not offer) comes back with the errors marked.
    page.goto(f"{server}/")
    page.evaluate("document.querySelector('#size option').value = '99'")
    page.get_by_label("Print size").select_option("99")
    page.get_by_role("button", name="Make my file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Print size").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.goto(f"{server}/no-such-page")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert_accessible(page)


def test_keyboard_reaches_everything_with_visible_focus(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.textContent")
    assert first == "Skip to main content"
    box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                        " return [r.width, r.height, r.top]; })()")
    assert box[0] > 0 and box[1] > 0 and box[2] >= 0, "the skip link must show when focused"
    reached: list[str] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        info = page.evaluate("""(() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    shadow: s.boxShadow};
        })()""")
        if info["tag"] == "body":
            break
        visible = (info["outline"] != "none" and info["width"] >= 2) or info["shadow"] != "none"
        assert visible, f"no visible focus on {info}"
        reached.append(f"{info['tag']}:{info['name']}")
    for control in ("input:format", "select:size", "input:scheme", "input:line_spacing",
                    "button:"):
        assert control in reached, f"{control} cannot be reached with the keyboard"
    # choosing with the keyboard alone: arrow keys move within a radio group
    page.focus("#scheme-black-on-white")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#scheme-black-on-cream")


def test_strict_policy_does_not_break_the_page(browser: Any, server: str) -> None:
    context = browser.new_context()  # the page's real Content-Security-Policy applies
    pg = context.new_page()
    messages: list[str] = []
    pg.on("console", lambda m: messages.append(m.text))
    pg.goto(f"{server}/")
    border = pg.evaluate("getComputedStyle(document.querySelector('.file')).borderLeftWidth")
    context.close()
    assert border == "6px", "the page's own style sheet was blocked"
    assert not [m for m in messages if "Content Security Policy" in m], messages


def test_the_scan_does_find_problems(page: Any) -> None:
    """The scan is live: a page with known faults gets them reported."""
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label", "html-has-lang"} <= found, found
