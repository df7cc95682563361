"""The Word read-back checks pass on a real Word file and each fails on a file broken on purpose."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exporter.model import Document
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.tamper import build, claim, failed, fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
NAME = "hsct-large-print-18pt.docx"



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("docx") / "output"
    build(out, "docx", hsct_doc, styles, Options(size=18))
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def word_edit(out: Path, change: Callable[[Any], None]) -> None:
    """Open the Word file with python-docx, change it, save it, record its new checksum."""
    import docx

    document = docx.Document(str(out / NAME))
    change(document)
    document.save(str(out / NAME))
    rehash(out, NAME)


def paragraph(document: Any, starts: str) -> Any:
    return next(p for p in document.paragraphs if p.text.startswith(starts))


def heading(document: Any, title: str) -> Any:
    return next(p for p in document.paragraphs
                if p.text == title and p.style.name.startswith("Heading"))


def only(out: Path, check: str) -> str:
    detail = only_failures(out, SOURCE, check)[0].detail
    assert detail.startswith(NAME)
    return detail


def test_real_word_file_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"docx.headings", "docx.contents", "docx.sentences", "docx.heading-styles",
            "docx.language", "docx.title", "docx.text-size", "docx.sans-serif", "docx.italic",
            "docx.alignment", "docx.contrast"} <= {f.check for f in report.findings}


def test_skipped_heading_level(out: Path) -> None:
    def skip(document: Any) -> None:
        heading(document, "Who can HSCT work for?").style = document.styles["Heading 3"]

    word_edit(out, skip)
    assert "skips from level 1 to level 3" in only(out, "docx.headings")


def test_italic_run(out: Path) -> None:
    def slant(document: Any) -> None:
        paragraph(document, "European guidelines").runs[0].italic = True

    word_edit(out, slant)
    assert "European guidelines" in only(out, "docx.italic")


def test_contents_removed(out: Path) -> None:
    def drop(document: Any) -> None:
        for p in [p for p in document.paragraphs if p.style.name.lower().startswith("toc")]:
            p._p.getparent().remove(p._p)

    word_edit(out, drop)
    assert "no contents" in only(out, "docx.contents")


def test_paragraph_removed(out: Path) -> None:
    def drop(document: Any) -> None:
        p = paragraph(document, "European guidelines")
        p._p.getparent().remove(p._p)

    word_edit(out, drop)
    assert "European guidelines are based" in only(out, "docx.sentences")


def test_heading_in_custom_style(out: Path) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    def restyle(document: Any) -> None:
        style = document.styles.add_style("Section heading", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Heading 2"]  # same look and outline level
        heading(document, "How does HSCT work?").style = style

    word_edit(out, restyle)
    assert "'Section heading'" in only(out, "docx.heading-styles")


def test_language_changed(out: Path) -> None:
    from docx.oxml.ns import qn

    def relang(document: Any) -> None:
        lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
        lang.set(qn("w:val"), "en-US")

    word_edit(out, relang)
    assert "'en-US'" in only(out, "docx.language")


def test_title_missing(out: Path) -> None:
    word_edit(out, lambda document: setattr(document.core_properties, "title", ""))
    assert "title property" in only(out, "docx.title")


def test_rendered_at_12pt(tmp_path: Path, hsct_doc: Document, styles: Styles) -> None:
    out = tmp_path / "output"
    [name] = build(out, "docx", hsct_doc, dataclasses.replace(styles, min_size=12),
                   Options(size=12))
    claim(out, name, NAME, size=18)
    assert "smallest text 12pt < 18pt" in only(out, "docx.text-size")


def test_serif_font(out: Path) -> None:
    def serif(document: Any) -> None:
        paragraph(document, "European guidelines").runs[0].font.name = "Times New Roman"

    word_edit(out, serif)
    assert "Times New Roman" in only(out, "docx.sans-serif")


def test_justified_paragraph(out: Path) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    def justify(document: Any) -> None:
        paragraph(document, "European guidelines").alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    word_edit(out, justify)
    assert "justified paragraph" in only(out, "docx.alignment")


def test_pale_text(out: Path) -> None:
    from docx.shared import RGBColor

    def pale(document: Any) -> None:
        paragraph(document, "European guidelines").runs[0].font.color.rgb = RGBColor(0xAA, 0xAA,
                                                                                      0xAA)

    word_edit(out, pale)
    assert "#AAAAAA on #FFFFFF" in only(out, "docx.contrast")
