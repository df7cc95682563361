"""The PDF read-back checks pass on a real large-print PDF; each fails on a broken PDF."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exporter.model import Document, Paragraph
from exporter.styles import Styles, load_styles
from exporter.writers.base import Options
from tests.tamper import build, claim, failed, fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
NAME = "hsct-large-print-18pt.pdf"



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    """One real 18pt PDF, built once for the module."""
    out = tmp_path_factory.mktemp("pdf") / "output"
    build(out, "pdf", hsct_doc, styles, Options(size=18))
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def pdf_edit(out: Path, change: Callable[[Any], None]) -> None:
    """Open the PDF with pikepdf, change it, save it, and record its new checksum."""
    import pikepdf

    path = out / NAME
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    rehash(out, NAME)


def css_styles(tmp_path: Path, css: str) -> Styles:
    """The project's styles with extra CSS appended to the PDF stylesheet."""
    root = tmp_path / "styles"
    shutil.copytree(load_styles().root, root)
    with (root / "pdf.css").open("a", encoding="utf-8") as f:
        f.write("\n" + css + "\n")
    return load_styles(root)


def only(out: Path, check: str | set[str]) -> str:
    """Assert exactly these checks fail; return the first failure's detail."""
    return only_failures(out, SOURCE, check)[0].detail


def test_real_pdf_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    checks = {f.check for f in report.findings}
    assert {"pdf.bookmarks", "pdf.headings", "pdf.sentences", "pdf.tags", "pdf.language",
            "pdf.title", "pdf.ua-identifier", "pdf.fonts", "pdf.artifacts", "pdf.text-size",
            "pdf.page-numbers", "pdf.sans-serif", "pdf.italic", "pdf.alignment",
            "pdf.contrast"} <= checks


def test_bookmark_removed(out: Path) -> None:
    def drop(pdf: Any) -> None:
        with pdf.open_outline() as outline:
            del outline.root[0].children[2]  # "How well does HSCT work?" and its two below

    pdf_edit(out, drop)
    detail = only(out, "pdf.bookmarks")
    assert NAME in detail.splitlines()[0] and "How well does HSCT work?" in detail


def test_heading_tag_changed(out: Path) -> None:
    import pikepdf

    def retag(pdf: Any) -> None:
        element = next(e for e in _struct_elements(pdf.Root.StructTreeRoot) if e.S == "/H3")
        element.S = pikepdf.Name("/H4")

    pdf_edit(out, retag)
    assert "skips from level 2 to level 4" in only(out, "pdf.headings")


def _struct_elements(node: Any) -> list[Any]:
    import pikepdf

    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    out = []
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(kid)
            out += _struct_elements(kid)
    return out


def test_paragraph_missing(tmp_path: Path, hsct_doc: Document, styles: Styles) -> None:
    index = next(i for i, b in enumerate(hsct_doc.blocks) if isinstance(b, Paragraph)
                 and b.children and "European guidelines" in str(b.children[0]))
    blocks = hsct_doc.blocks[:index] + hsct_doc.blocks[index + 1 :]
    doc = dataclasses.replace(hsct_doc, blocks=blocks)
    out = tmp_path / "output"
    build(out, "pdf", doc, styles, Options(size=18))
    assert "European guidelines are based" in only(out, "pdf.sentences")


def test_untagged(out: Path) -> None:
    pdf_edit(out, lambda pdf: setattr(pdf.Root.MarkInfo, "Marked", False))
    assert "Marked" in only(out, "pdf.tags")


def test_language_missing(out: Path) -> None:
    pdf_edit(out, lambda pdf: delattr(pdf.Root, "Lang"))
    assert "/Lang" in only(out, "pdf.language")


def test_display_doc_title_off(out: Path) -> None:
    pdf_edit(out, lambda pdf: setattr(pdf.Root.ViewerPreferences, "DisplayDocTitle", False))
    assert "DisplayDocTitle" in only(out, "pdf.title")


def test_ua_identifier_missing(out: Path) -> None:
    def drop(pdf: Any) -> None:
        with pdf.open_metadata() as xmp:
            del xmp["pdfuaid:part"]

    pdf_edit(out, drop)
    assert "pdfuaid" in only(out, "pdf.ua-identifier")


def test_font_not_embedded(out: Path) -> None:
    def unembed(pdf: Any) -> None:
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        desc = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).FontDescriptor
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in desc:
                del desc[key]

    pdf_edit(out, unembed)
    assert "not embedded" in only(out, "pdf.fonts")


def test_page_furniture_not_artifact(out: Path) -> None:
    def untag(pdf: Any) -> None:
        # Page 1 only: on later pages a footer read mid-sentence also breaks the text check.
        contents = pdf.pages[0].obj.Contents
        contents.write(contents.read_bytes().replace(b"/Artifact << /Type /Pagination >> BDC",
                                                     b"/Span << >> BDC"))

    pdf_edit(out, untag)
    assert "page number 'Page 1 of" in only(out, "pdf.artifacts")


@pytest.mark.parametrize(("suffix", "check"), [("-Italic", "pdf.italic"),
                                                ("-TimesNewRoman", "pdf.sans-serif")])
def test_font_renamed(out: Path, suffix: str, check: str) -> None:
    import pikepdf

    def rename(pdf: Any) -> None:
        font = next(iter(pdf.pages[1].Resources.Font.values()))
        desc = (font.DescendantFonts[0] if font.Subtype == "/Type0" else font).FontDescriptor
        font.BaseFont = pikepdf.Name(str(font.BaseFont) + suffix)
        desc.FontName = pikepdf.Name(str(desc.FontName) + suffix)  # the name readers show

    pdf_edit(out, rename)
    assert suffix[1:] in only(out, check)


def test_rendered_at_12pt(tmp_path: Path, hsct_doc: Document, styles: Styles) -> None:
    out = tmp_path / "output"
    # The writer refuses sizes below styles.min_size: lower it, as a careless edit could.
    [name] = build(out, "pdf", hsct_doc, dataclasses.replace(styles, min_size=12),
                   Options(size=12))
    claim(out, name, NAME, size=18)
    detail = only(out, "pdf.text-size")
    assert detail.startswith(f"{NAME}: smallest body glyph 12.0pt < 18pt")
    assert "page number 12.0pt < 18pt" in detail


@pytest.mark.parametrize(("css", "check", "words"), [
    ("p, li { text-align: justify !important; }", "pdf.alignment", "justified"),
    ("p, li { color: #999999 !important; }", "pdf.contrast", "#999999 on #FFFFFF"),
    ("@page { @bottom-left { content: none } }", "pdf.page-numbers", "no page number"),
])
def test_styles_broken(tmp_path: Path, hsct_doc: Document, css: str, check: str,
                       words: str) -> None:
    out = tmp_path / "output"
    build(out, "pdf", hsct_doc, css_styles(tmp_path, css), Options(size=18))
    assert words in only(out, check)
