"""End to end in headless Chromium with JavaScript off: a person asks the running service for a
file made to their reading needs (face, size, paper colour, line, letter and word spacing,
braille grade), downloads it, and the file is read back to be what was asked for; axe-core
finds no violations on the form, with or without errors; the download page reflows at 320
pixels with its SHA-256s wrapped.

Needs Debian's chromium and axe-core, like tests/test_service_browser.py (skips without them,
except under CI=true).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from exporter.batch import export
from exporter.options import Options
from exporter.output import sha256_file
from exporter.service.app import LOOPBACK_NAMES, create_app
from exporter.service.pages import write_index
from tests.test_service_browser import (
    CHROMIUM,
    FLAGS,
    SOURCE,
    _free_port,
    assert_accessible,
    assert_reflows,
    require,
)

#: The formats the service offers here: every one a reading need changes, and the web page.
WRITERS = ["pdf", "docx", "epub", "braille", "html"]
#: Height at 320 pixels of one file's entry (link and facts), at most: with the facts in two
#: columns each SHA-256 took 4 lines and a file 422 pixels on average (HSCT, every format);
#: flowing them as lines of text takes 360.
MAX_PX_PER_FILE = 400


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("variants") / "output"
    results = export(SOURCE, out, ["html", "epub", "braille"], sizes=[18], jobs=2)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    write_index(out)
    return out


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    import uvicorn

    app = create_app(site, SOURCE, site.parent / "cache", writers=WRITERS,
                     allowed_hosts=LOOPBACK_NAMES)
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
    require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}")
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
def person(browser: Any) -> Iterator[Any]:
    """A person whose browser runs no JavaScript: the form must work without it. (Under the
    page's real policy, too: no bypass.)"""
    context = browser.new_context(accept_downloads=True, java_script_enabled=False)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page axe-core can be injected into (see tests/test_service_browser.py)."""
    context = browser.new_context(accept_downloads=True, bypass_csp=True)
    pg = context.new_page()
    yield pg
    context.close()


def ask(pg: Any, server: str, fmt: str, choices: dict[str, str], size: str | None = None) -> None:
    """Fill the form as a person does, by the words on it, and send it; wait for the file."""
    pg.goto(f"{server}/")
    pg.get_by_role("group", name="Format").get_by_role("radio", name=fmt, exact=True).check()
    if size is not None:
        pg.get_by_label("Print size").select_option(size)
    for legend, label in choices.items():
        pg.get_by_role("group", name=legend).get_by_role("radio", name=label,
                                                         exact=True).check()
    pg.get_by_role("button", name="Make my file").click()
    pg.wait_for_url(re.compile(r"/variants/[0-9a-f]+$"), timeout=180_000)
    assert pg.get_by_role("heading", level=1).inner_text() == "Your file is ready"


def download(pg: Any, suffix: str) -> tuple[str, Path]:
    """Click the result page's link to the file ending in ``suffix``: (its name, where it is)."""
    link = pg.locator(f"main a[href*='/variants/'][href$='{suffix}']").first
    with pg.expect_download() as info:
        link.click()
    return info.value.suggested_filename, Path(info.value.path())


# ---------------------------------------------------------------- files made to a reader's needs


def test_a_word_file_in_lexend_24pt_widely_spaced_on_cream(person: Any, server: str) -> None:
    from docx.oxml.ns import qn

    from exporter.writers.docx.check_variant import variant
    from exporter.writers.docx.wordfile import open_word

    ask(person, server, "Word document", {
        "Font": "Lexend", "Colour scheme": "Black on cream",
        "Line spacing": "2 times the text size (double)",
        "Letter spacing": "12% of the text size added (the widest)",
        "Word spacing": "16% of the text size added (the widest)"}, size="24")
    label = person.locator("main p").first.inner_text()
    assert label == ("Word document, 24 point, black on cream, line spacing 2, Lexend, letter "
                     "spacing 0.12em, word spacing 0.16em.")
    name, path = download(person, ".docx")
    assert name == ("hsct-large-print-24pt-black-on-cream-lexend-line-spacing-2-letter-spacing-"
                    "0.12-word-spacing-0.16.docx")
    word = open_word(path)
    defaults = word.doc.styles.element.find(qn("w:docDefaults"))
    run = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert run.find(qn("w:rFonts")).get(qn("w:ascii")) == "Lexend"
    assert run.find(qn("w:sz")).get(qn("w:val")) == "48"  # half-points: 24pt
    assert run.find(qn("w:spacing")).get(qn("w:val")) == "58"  # 0.12 x 24pt, in twips
    para = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    assert para.find(qn("w:spacing")).get(qn("w:line")) == "480"  # double
    assert word.doc.element.find(qn("w:background")).get(qn("w:color")).upper() == "FFF8DC"
    # and `exporter check`'s own read-back of a variant finds nothing different
    asked = Options(size=24, scheme="black-on-cream", font="lexend", line_spacing=2.0,
                    letter_spacing=0.12, word_spacing=0.16)
    assert variant(word, {"options": asked.subset(_docx_options())}) == []


def _docx_options() -> frozenset[str]:
    from exporter import registry

    return registry.get("docx").option_names


def test_an_epub_in_opendyslexic_with_wide_word_spacing(person: Any, server: str) -> None:
    from exporter.writers.epub.book import open_book
    from exporter.writers.epub.check_variant import variant

    ask(person, server, "EPUB e-book", {
        "Font": "OpenDyslexic", "Line spacing": "1.75 times the text size",
        "Word spacing": "16% of the text size added (the widest)"})
    name, path = download(person, ".epub")
    assert name == "hsct-opendyslexic-line-spacing-1.75-word-spacing-0.16.epub"
    with zipfile.ZipFile(path) as z:
        css = "\n".join(z.read(n).decode() for n in z.namelist() if n.endswith(".css"))
        fonts = [n for n in z.namelist() if n.lower().endswith((".otf", ".ttf", ".woff2"))]
    assert re.search(r"font-family:\s*['\"]?OpenDyslexic", css)
    assert "word-spacing: 0.16em" in css and "line-height: 1.75" in css
    assert "letter-spacing: 0.12em" not in css  # not asked for
    assert any("OpenDyslexic" in f for f in fonts), fonts
    asked = Options(font="opendyslexic", line_spacing=1.75, word_spacing=0.16)
    assert variant(open_book(path), {"options": asked.subset(
        {"font", "line_spacing", "letter_spacing", "word_spacing"})}) == []


def test_giant_print_pdf_36pt_black_on_yellow(person: Any, server: str) -> None:
    ask(person, server, "Large print PDF", {"Colour scheme": "Black on yellow",
                                            "Line spacing": "2 times the text size (double)"},
        size="36")
    name, path = download(person, ".pdf")
    assert name.startswith("hsct-large-print-36pt-black-on-yellow")
    with pdfplumber.open(path) as pdf:
        chars = [c for p in pdf.pages for c in p.chars]
        sizes = [round(c["size"], 1) for c in chars]
        assert max(set(sizes), key=sizes.count) == 36.0, "body text is not 36pt"
        assert min(sizes) >= 36.0, "nothing may be smaller than the size asked for"
        for p in pdf.pages:
            assert any(r["width"] >= p.width - 1 and r["height"] >= p.height - 1
                       and _rgb(r["non_stroking_color"]) == (1.0, 1.0, 0.6) for r in p.rects), \
                f"page {p.page_number} is not on yellow (#FFFF99)"
        # double spacing: baselines of a paragraph's lines 2 x 36pt apart
        first = pdf.pages[1]
        tops = sorted({round(c["top"], 1) for c in first.chars if round(c["size"]) == 36})
        gaps = [round(b - a) for a, b in itertools.pairwise(tops)]
        assert 72 in gaps, gaps


def _rgb(colour: Any) -> tuple[float, ...]:
    return tuple(round(float(x), 2) for x in colour or ())


def test_braille_grade_1_and_grade_2_differ(person: Any, server: str) -> None:
    ask(person, server, "Braille", {"Braille grade": "Grade 1: uncontracted, every letter "
                                    "spelt out"})
    name1, grade1 = download(person, ".brf")
    ask(person, server, "Braille", {"Braille grade": "Grade 2: contracted, what most adult "
                                    "braille readers use (standard)"})
    name2, grade2 = download(person, ".brf")
    one, two = grade1.read_text(encoding="ascii"), grade2.read_text(encoding="ascii")
    assert one != two
    assert len(one) > len(two) * 1.15, "grade 2's contractions make it shorter"
    # "and" is spelt out in grade 1 ("and" in BRF) and one sign in grade 2 ("&")
    assert len(re.findall(r"\band\b", one, re.I)) > len(re.findall(r"\band\b", two, re.I))
    assert two.count("&") > one.count("&")
    assert name1 != name2 or sha256_file(grade1) != sha256_file(grade2)


# ---------------------------------------------------------------- the form, with and without errors


def test_the_form_has_no_axe_violations_with_or_without_errors(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    for legend in ("Format", "Colour scheme", "Font", "Line spacing", "Letter spacing",
                   "Word spacing", "Braille grade"):
        assert page.get_by_role("group", name=legend).is_visible(), legend
    assert page.get_by_label("Print size").locator("option").last.inner_text() == "36 point"
    assert_accessible(page)
    assert_reflows(page, f"{server}/")

    # A tampered form: a face and a letter spacing the service does not offer.
    page.evaluate("""() => {
        document.querySelector('#font-lexend').value = 'comic-sans';
        document.querySelector('#letter-spacing-2').value = '0.5';
    }""")
    page.get_by_role("group", name="Format").get_by_role("radio", name="Word document").check()
    page.get_by_role("group", name="Font").get_by_role("radio", name="Lexend").check()
    page.get_by_role("group", name="Letter spacing").get_by_role(
        "radio", name="12% of the text size added (the widest)").check()
    page.get_by_role("button", name="Make my file").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    links = summary.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
        ["#font-atkinson-hyperlegible", "#letter-spacing-0"]
    assert "Font 'comic-sans' is not one we can make" in links.nth(0).inner_text()
    assert "Allowed: atkinson-hyperlegible, lexend, opendyslexic" in links.nth(0).inner_text()
    for legend, field in (("Font", "font"), ("Letter spacing", "letter_spacing")):
        group = page.get_by_role("group", name=legend)
        assert group.get_attribute("aria-invalid") == "true"
        assert f"{field}-error" in (group.get_attribute("aria-describedby") or "").split()
        assert page.locator(f"#{field}-error").inner_text().startswith("Error:")
    # what was chosen and allowed is kept
    assert page.get_by_role("group", name="Format").get_by_role(
        "radio", name="Word document").is_checked()
    assert_accessible(page)
    page.locator("a[href='#font-atkinson-hyperlegible']").click()
    assert page.evaluate("document.activeElement.id") == "font-atkinson-hyperlegible"


# ---------------------------------------------------------------- the download page itself


def test_download_page_is_in_the_content_language_and_hashes_wrap(page: Any, server: str,
                                                                 site: Path) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    for url in (f"{server}/", (site / "index.html").as_uri()):
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == "en-GB"  # front matter's
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        hashes = page.evaluate("""Array.from(document.querySelectorAll('.facts .hash')).map(e => {
            const r = e.getBoundingClientRect();
            const lines = Math.round(r.height / parseFloat(getComputedStyle(e).lineHeight));
            return {text: e.innerText, lines: lines, right: r.right};
        })""")
        assert hashes
        for h in hashes:
            assert re.fullmatch(r"[0-9a-f]{64}", h["text"]), "a hash copies as it is"
            assert h["lines"] <= 3, h
            assert h["right"] <= 320
        heights = page.evaluate("Array.from(document.querySelectorAll('li.file'))"
                                ".filter(e => e.offsetParent).map(e => e.offsetHeight)")
        assert heights and max(heights) <= MAX_PX_PER_FILE, heights
