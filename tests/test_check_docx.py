"""The Word read-back checks pass on a real Word file and each fails on a file broken on purpose."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exporter.model import Document
from exporter.reader import read
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.tamper import build, claim, failed, fresh_copy, only_failures, rehash
from tests.test_writer_docx_structures import page_folder

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
    """The heading showing ``title``, after its section number when numbering is on."""
    return next(p for p in document.paragraphs
                if (p.text == title or p.text.endswith(f" {title}"))
                and p.style.name.startswith("Heading"))


def only(out: Path, check: str) -> str:
    detail = only_failures(out, SOURCE, check)[0].detail
    assert detail.startswith(NAME)
    return detail


def test_real_word_file_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"docx.headings", "docx.contents", "docx.sentences", "docx.heading-styles",
            "docx.language", "docx.title", "docx.text-size", "docx.sans-serif", "docx.italic",
            "docx.alignment", "docx.contrast", "docx.tables", "docx.images", "docx.quotes",
            "docx.notes", "docx.numbering", "docx.whole-words", "docx.colophon",
            "docx.variant"} <= {
                f.check for f in report.findings}


def test_contents_entry_without_its_page_number(out: Path) -> None:
    from docx.oxml.ns import qn

    def drop(document: Any) -> None:
        entry = next(p for p in document.paragraphs if p.style.name.lower() == "toc 3"
                     and "Progressive MS" in p.text)
        for instr in entry._p.iter(qn("w:instrText")):
            instr.text = " "  # the field is still there, but refers to no page

    word_edit(out, drop)
    assert "contents entry '3.2 Progressive MS' has no page number" in only(
        out, "docx.contents")


def test_page_numbers_never_updated(out: Path) -> None:
    from docx.oxml.ns import qn

    def drop(document: Any) -> None:
        settings = document.settings.element
        settings.remove(settings.find(qn("w:updateFields")))

    word_edit(out, drop)
    assert "does not ask Word to update fields" in only(out, "docx.contents")


def test_breakable_hyphen(out: Path) -> None:
    from docx.oxml.ns import qn

    def plain(document: Any) -> None:
        p = paragraph(document, "Read the latest information")
        for r in p._p.iter(qn("w:r")):
            for hyphen in r.findall(qn("w:noBreakHyphen")):
                before = hyphen.getprevious()
                after = hyphen.getnext()
                before.text = f"{before.text}-{after.text}"
                r.remove(hyphen)
                r.remove(after)

    word_edit(out, plain)
    assert "1 hyphenated word(s) may break at the hyphen: 'COVID-19'" in only(
        out, "docx.whole-words")


def test_published_by_line_missing(out: Path) -> None:
    def drop(document: Any) -> None:
        p = paragraph(document, "Published by")
        p._p.getparent().remove(p._p)

    word_edit(out, drop)
    assert "no line 'Published by MS Society.'" in only(out, "docx.colophon")


def test_heading_without_its_number(out: Path) -> None:
    def unnumber(document: Any) -> None:
        p = heading(document, "Relapsing MS")
        first = p.runs[0]
        assert first.text == "3.1 "
        first.text = ""

    word_edit(out, unnumber)
    assert "heading 'Relapsing MS' has no section number" in only(out, "docx.numbering")


def test_contents_entry_without_its_number(out: Path) -> None:
    from docx.oxml.ns import qn

    def unnumber(document: Any) -> None:
        entry = next(p for p in document.paragraphs if p.style.name.lower() == "toc 3"
                     and "Progressive MS" in p.text)
        for t in entry._p.iter(qn("w:t")):
            t.text = (t.text or "").replace("3.2 Progressive MS", "Progressive MS")

    word_edit(out, unnumber)
    assert "contents entry 'Progressive MS' has no section number" in only(
        out, "docx.numbering")


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
    found = {f.check: f.detail for f in only_failures(out, SOURCE,
                                                      {"docx.text-size", "docx.variant"})}
    assert "smallest text 12pt < 18pt" in found["docx.text-size"]
    assert "body text is 12pt, asked for 18pt" in found["docx.variant"]


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


# ------------------------------------------------------------------ tables, pictures, quotes, notes


@pytest.fixture(scope="module")
def page_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The every-structure page with its picture, in a folder of its own."""
    return page_folder(tmp_path_factory.mktemp("page-source"))


@pytest.fixture(scope="module")
def page_built(tmp_path_factory: pytest.TempPathFactory, page_source: Path,
               styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("page") / "output"
    build(out, "docx", read(page_source), styles, Options(size=18))
    return out


@pytest.fixture
def page_out(page_built: Path, tmp_path: Path) -> Path:
    return fresh_copy(page_built, tmp_path / "output")


def page_only(out: Path, source: Path, checks: str | set[str]) -> str:
    found = only_failures(out, source, checks)
    assert all(f.detail.startswith(NAME) for f in found)
    return "\n".join(f.detail for f in found)


def notes_edit(out: Path, change: Callable[[Any], None]) -> None:
    """Change word/footnotes.xml (python-docx reads it as an opaque part)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from lxml import etree

    def edit(document: Any) -> None:
        [part] = [r.target_part for r in document.part.rels.values()
                  if r.reltype == RT.FOOTNOTES]
        root = parse_xml(part.blob)
        change(root)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)

    word_edit(out, edit)


def tables_of(document: Any) -> list[Any]:
    from docx.oxml.ns import qn

    return list(document.element.body.findall(qn("w:tbl")))


def test_page_with_every_structure_passes_every_check(page_built: Path,
                                                      page_source: Path) -> None:
    report, names = failed(page_built, page_source)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    passed = {f.check: f.detail for f in report.findings}
    assert passed["docx.tables"].startswith("2 table(s)")
    assert passed["docx.images"].startswith("1 picture(s)")
    assert passed["docx.notes"].startswith("2 footnote(s)")
    assert "docx.quotes" in passed


def test_header_row_not_marked(page_out: Path, page_source: Path) -> None:
    from docx.oxml.ns import qn

    def unmark(document: Any) -> None:
        for tbl in tables_of(document):
            mark = tbl.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:tblHeader')}")
            mark.getparent().remove(mark)

    word_edit(page_out, unmark)
    assert "table 1: the first row is not marked as a header row" in page_only(
        page_out, page_source, "docx.tables")


def test_header_cell_changed_and_not_bold(page_out: Path, page_source: Path) -> None:
    from docx.oxml.ns import qn

    def change(document: Any) -> None:
        first = tables_of(document)[1].find(qn("w:tr"))
        next(first.iter(qn("w:t"))).text = "Drug"
        for r in first.iter(qn("w:r")):
            r.get_or_add_rPr().append(r.makeelement(qn("w:b"), {qn("w:val"): "0"}))

    word_edit(page_out, change)
    detail = page_only(page_out, page_source, "docx.tables")
    assert "table 2: header cells ['Drug'" in detail
    assert "header cell text not bold: 'Drug'" in detail


def test_table_flattened_to_paragraphs(page_out: Path, page_source: Path) -> None:
    from docx.oxml.ns import qn

    def flatten(document: Any) -> None:
        tbl = tables_of(document)[0]
        for p in list(tbl.iter(qn("w:p"))):
            tbl.addprevious(p)
        tbl.getparent().remove(tbl)

    word_edit(page_out, flatten)
    assert "1 tables, the source has 2" in page_only(page_out, page_source, "docx.tables")


def test_picture_without_alt_text(page_out: Path, page_source: Path) -> None:
    def blank(document: Any) -> None:
        document.inline_shapes[0]._inline.docPr.set("descr", "")

    word_edit(page_out, blank)
    assert "picture 1 has no alt text" in page_only(page_out, page_source, "docx.images")


def test_picture_with_other_alt_text(page_out: Path, page_source: Path) -> None:
    def other(document: Any) -> None:
        document.inline_shapes[0]._inline.docPr.set("descr", "image1.png")

    word_edit(page_out, other)
    assert "alt text 'image1.png', the source says 'A blue parking badge" in page_only(
        page_out, page_source, "docx.images")


def test_quote_in_the_normal_style(page_out: Path, page_source: Path) -> None:
    def plain(document: Any) -> None:
        for p in document.paragraphs:
            if p.style.name in ("Quote", "Quote Attribution"):
                p.style = document.styles["Normal"]

    word_edit(page_out, plain)
    assert "3 of 3 quoted sentences are not in the Quote style" in page_only(
        page_out, page_source, "docx.quotes")


def test_footnote_text_changed(page_out: Path, page_source: Path) -> None:
    from docx.oxml.ns import qn

    def change(root: Any) -> None:
        for t in root.iter(qn("w:t")):
            if t.text and t.text.startswith("Occupational"):
                t.text = "Ask your nurse."

    notes_edit(page_out, change)
    assert "1 of 3 note sentences missing or out of order: 'Occupational" in page_only(
        page_out, page_source, "docx.notes")


def test_note_numbers_as_small_superscripts(page_out: Path, page_source: Path) -> None:
    from docx.shared import Pt

    def shrink(document: Any) -> None:
        style = document.styles["footnote reference"]
        style.font.superscript = True
        style.font.size = Pt(10)

    word_edit(page_out, shrink)
    detail = page_only(page_out, page_source, {"docx.notes", "docx.text-size"})
    assert "note 1's number is superscript" in detail
    assert "note 1's number at 10.0pt, below 18pt" in detail


def test_footnotes_part_dropped(page_out: Path, page_source: Path) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    def drop(document: Any) -> None:
        [rid] = [r for r, rel in document.part.rels.items() if rel.reltype == RT.FOOTNOTES]
        document.part.drop_rel(rid)

    word_edit(page_out, drop)
    assert "no footnotes part: the source's 2 notes are missing" in page_only(
        page_out, page_source, "docx.notes")


def test_fixed_note_mark_changed(tmp_path: Path, styles: Styles) -> None:
    """A page whose caption cites a note before the table's: Word shows fixed marks, read back
    as the numbers readers see; a wrong mark fails."""
    from docx.oxml.ns import qn

    source = tmp_path / "order.md"
    source.write_text("---\ntitle: T\nlanguage: en-GB\n---\n\n# T\n\n| A | B |\n|---|---|\n"
                      "| cell[^c] | x |\n\nTable: Caption[^t]\n\n[^c]: Cell note.\n"
                      "[^t]: Caption note.\n", encoding="utf-8")
    out = tmp_path / "output"
    build(out, "docx", read(source), styles, Options(size=18))
    assert not failed(out, source)[1]

    def renumber(document: Any) -> None:
        ref = next(document.element.body.iter(qn("w:footnoteReference"))).getparent()
        next(ref.getnext().iter(qn("w:t"))).text = "3"

    word_edit(out, renumber)
    assert "notes are shown as [3, 1], not numbered 1 to 2" in page_only(out, source,
                                                                         "docx.notes")


def test_picture_in_a_table_cell_is_read_by_its_alt_text(tmp_path: Path, styles: Styles) -> None:
    """A cell holding a picture matches the source's cell by the picture's alt text, as a
    screen reader reads it; its alt text stays checked."""
    source = page_folder(tmp_path / "src")
    source.write_text("---\ntitle: T\nlanguage: en-GB\n---\n\n# T\n\n| Sign | Meaning |\n"
                      "|---|---|\n| ![a wheelchair symbol](img/badge.png) | Step-free access |\n",
                      encoding="utf-8")
    out = tmp_path / "output"
    build(out, "docx", read(source), styles, Options(size=18))
    report, names = failed(out, source)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)

    def blank(document: Any) -> None:
        document.inline_shapes[0]._inline.docPr.set("descr", "")

    word_edit(out, blank)
    detail = page_only(out, source, {"docx.images", "docx.tables", "docx.sentences"})
    assert "picture 1 has no alt text" in detail
    assert "row 1 has ['', 'Step-free access']" in detail
