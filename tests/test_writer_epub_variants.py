"""EPUBs made to a reader's needs: the face embedded from its package, line spacing and extra
letter and word spacing in ems; measured in Chromium (as Thorium and other Chromium-based
reading apps lay it out) and by `exporter check`, which fails a book that is not what was
asked for."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from exporter.model import Document
from exporter.options import Options
from exporter.styles import Styles
from tests.conftest import SOURCE
from tests.tamper import build, claim, only_failures
from tests.test_service_browser import CHROMIUM, FLAGS, require

DYSLEXIA = Options(font="opendyslexic", line_spacing=2.0, letter_spacing=0.12,
                   word_spacing=0.16)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles
          ) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("epub-variant") / "output"
    [name] = build(out, "epub", hsct_doc, styles, DYSLEXIA)
    return out, name


def test_name_says_what_differs_from_the_usual(built: tuple[Path, str]) -> None:
    _, name = built
    assert name == "hsct-opendyslexic-line-spacing-2-letter-spacing-0.12-word-spacing-0.16.epub"


def test_the_face_is_embedded_regular_and_bold(built: tuple[Path, str]) -> None:
    out, name = built
    with zipfile.ZipFile(out / name) as z:
        fonts = sorted(n for n in z.namelist() if n.startswith("EPUB/fonts/"))
        assert fonts == ["EPUB/fonts/OpenDyslexic-Bold.ttf", "EPUB/fonts/OpenDyslexic-Regular.ttf"]
        faces = {(str(TTFont(io.BytesIO(z.read(f)))["name"].getDebugName(1)),
                  int(TTFont(io.BytesIO(z.read(f)))["OS/2"].usWeightClass)) for f in fonts}
        assert faces == {("OpenDyslexic", 400), ("OpenDyslexic", 700)}
        opf = z.read("EPUB/content.opf").decode()
        assert "the embedded OpenDyslexic typeface" in opf  # the accessibility summary


def test_check_passes_the_variant_and_fails_a_book_claimed_as_another(
        built: tuple[Path, str], tmp_path: Path) -> None:
    from exporter.readback import run_checks

    out, name = built
    report = run_checks(out, SOURCE, reuse=False)
    assert report.ok, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert any(f.check == "epub.variant" for f in report.findings)
    broken = tmp_path / "output"
    shutil.copytree(out, broken)
    claim(broken, name, "hsct-lexend.epub", font="lexend", letter_spacing=0.06,
          line_spacing=1.5)
    [failure] = only_failures(broken, SOURCE, "epub.variant")
    for words in ("EPUB/fonts/OpenDyslexic-Regular.ttf is the face 'OpenDyslexic', asked for "
                  "Lexend", "line spacing 2, asked for 1.5",
                  "letter-spacing 0.12em on every element, asked for 0.06em"):
        assert words in failure.detail


# ---------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def book_page(built: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[Any]:
    require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is missing")
        raise
    out, name = built
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(out / name) as z:
        z.extractall(folder)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page()
            page.goto((folder / "EPUB" / "section-01.xhtml").as_uri())
            page.evaluate("document.fonts.ready")
            yield page
        finally:
            browser.close()


def test_text_is_laid_out_as_asked(book_page: Any) -> None:
    measured = book_page.evaluate("""() => [...document.querySelectorAll('p, h2')].map(el => {
        const s = getComputedStyle(el);
        return {tag: el.tagName, size: parseFloat(s.fontSize), letter: parseFloat(s.letterSpacing),
                word: parseFloat(s.wordSpacing), line: parseFloat(s.lineHeight),
                family: s.fontFamily};
    })""")
    assert {m["tag"].lower() for m in measured} == {"p", "h2"}
    for m in measured:
        # Each element's spacing is in ems of its own size (a heading's grows with it).
        assert m["letter"] == pytest.approx(0.12 * m["size"], abs=0.01)
        assert m["word"] == pytest.approx(0.16 * m["size"], abs=0.01)
        assert m["family"].split(",")[0].strip('"') == "OpenDyslexic"
        if m["tag"] == "P":
            assert m["line"] == pytest.approx(2 * m["size"], abs=0.01)
    # The embedded face is the one drawn, not a fallback.
    assert book_page.evaluate("document.fonts.check('16px OpenDyslexic')")
    loaded = book_page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert {f.strip('"') for f in loaded} == {"OpenDyslexic"}
