"""The PDF read-back checks pass on a real large-print PDF; each fails on a broken PDF."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from exporter.model import CodeBlock, Document, Link, Paragraph, Table, Text
from exporter.reader import read
from exporter.styles import Styles, load_styles
from exporter.writers.base import Options
from exporter.writers.pdf import check_print as pr
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
    # The variant check cannot read the face either: it names the missing weight.
    failures = {f.check: f.detail for f in only_failures(out, SOURCE,
                                                         {"pdf.fonts", "pdf.variant"})}
    assert "not embedded" in failures["pdf.fonts"]
    assert "no embedded face of weight 700" in failures["pdf.variant"]


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
    failures = {f.check: f.detail for f in only_failures(out, SOURCE,
                                                         {"pdf.text-size", "pdf.variant"})}
    assert "body text is 12pt, asked for 18pt" in failures["pdf.variant"]
    detail = failures["pdf.text-size"]
    assert detail.startswith(f"{NAME}: smallest body glyph 12.0pt < 18pt")
    assert "page number 12.0pt < 18pt" in detail


@pytest.mark.parametrize(("css", "check", "words"), [
    ("p, li { text-align: justify !important; }", "pdf.alignment", "justified"),
    ("p, li { color: #999999 !important; }", "pdf.contrast", "#999999 on #FFFFFF"),
    ("@page { @bottom-left { content: none } }", "pdf.page-numbers", "no page number"),
    ("p, li { orphans: 1 !important; widows: 1 !important; }", "pdf.page-fill",
     "last line alone at the head of page 3: 'HSCT.'"),
])
def test_styles_broken(tmp_path: Path, hsct_doc: Document, css: str, check: str,
                       words: str) -> None:
    out = tmp_path / "output"
    build(out, "pdf", hsct_doc, css_styles(tmp_path, css), Options(size=18))
    # Justified lines widen the word spaces and grey text is not the scheme's colour: the
    # file is also not the variant asked for.
    also = {"pdf.variant"} if check in ("pdf.alignment", "pdf.contrast") else set()
    failures = {f.check: f.detail for f in only_failures(out, SOURCE, {check} | also)}
    assert words in failures[check]


# ------------------------------------------------------------------ the new structures


STRUCTURES = "hsct-large-print-18pt.pdf"  # tamper.build names every output "hsct"


@pytest.fixture(scope="module")
def structures_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.test_writer_pdf_structures import page_source

    return page_source(tmp_path_factory.mktemp("structures") / "source")


@pytest.fixture(scope="module")
def structures_built(tmp_path_factory: pytest.TempPathFactory, structures_source: Path,
                     styles: Styles) -> Path:
    """The page with every kind of block, at 18pt, built once."""
    out = tmp_path_factory.mktemp("structures-pdf") / "output"
    build(out, "pdf", read(structures_source), styles, Options(size=18))
    return out


def structures_edit(out: Path, change: Callable[[Any], None]) -> None:
    import pikepdf

    path = out / STRUCTURES
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    rehash(out, STRUCTURES)


def structures_only(out: Path, source: Path, check: str | set[str]) -> str:
    return only_failures(out, source, check)[0].detail


def _first(pdf: Any, tag: str) -> Any:
    """The first structure element with this tag, in tree order."""
    return next(e for e in _struct_elements(pdf.Root.StructTreeRoot) if str(e.S) == tag)


def test_every_structure_passes_every_check_at_every_size(
        structures_source: Path, tmp_path: Path, styles: Styles) -> None:
    out = tmp_path / "output"
    doc = read(structures_source)
    for size in (16, 24):
        build(out, "pdf", doc, styles, Options(size=size))
    report, names = failed(out, structures_source)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"pdf.tables", "pdf.figures", "pdf.quotes", "pdf.notes", "pdf.inside-page"} <= {
        f.check for f in report.findings}


def test_real_structures_pdf_passes(structures_built: Path, structures_source: Path) -> None:
    report, names = failed(structures_built, structures_source)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)


def test_column_header_without_scope(structures_built: Path, structures_source: Path,
                                     tmp_path: Path) -> None:
    out = fresh_copy(structures_built, tmp_path / "output")
    structures_edit(out, lambda pdf: delattr(_first(pdf, "/TH").A, "Scope"))
    assert "without /Scope /Column" in structures_only(out, structures_source, "pdf.tables")


def test_table_headers_tagged_as_plain_cells(structures_built: Path, structures_source: Path,
                                             tmp_path: Path) -> None:
    import pikepdf

    def retag(pdf: Any) -> None:
        for e in _struct_elements(pdf.Root.StructTreeRoot):
            if e.S == "/TH":
                e.S = pikepdf.Name("/TD")

    out = fresh_copy(structures_built, tmp_path / "output")
    structures_edit(out, retag)
    detail = structures_only(out, structures_source, "pdf.tables")
    assert "table 1 'Tips for saving energy' is neither tagged as a Table" in detail


def test_table_row_left_out_of_the_tree(structures_built: Path, structures_source: Path,
                                        tmp_path: Path) -> None:
    import pikepdf

    def drop(pdf: Any) -> None:
        body = _first(pdf, "/TBody")
        body.K = pikepdf.Array(list(body.K)[:-1])

    out = fresh_copy(structures_built, tmp_path / "output")
    structures_edit(out, drop)
    detail = only_failures(out, structures_source, {"pdf.tables", "pdf.sentences"})
    assert any("2 body rows tagged, the source has 3" in f.detail for f in detail)


def test_reflowed_row_missing(structures_source: Path, tmp_path: Path, styles: Styles) -> None:
    doc = read(structures_source)
    index, wide = [(i, b) for i, b in enumerate(doc.blocks) if isinstance(b, Table)][1]
    short = dataclasses.replace(wide, rows=wide.rows[:4] + wide.rows[5:])
    out = tmp_path / "output"
    build(out, "pdf", dataclasses.replace(
        doc, blocks=(*doc.blocks[:index], short, *doc.blocks[index + 1:])), styles,
        Options(size=18))
    failures = only_failures(out, structures_source, {"pdf.tables", "pdf.sentences"})
    detail = next(f.detail for f in failures if f.check == "pdf.tables")
    assert "table 2 'How the disease modifying therapies compare' is neither" in detail
    assert "Treatment: Fingolimod" in detail


def test_figure_alt_text_changed(structures_built: Path, structures_source: Path,
                                 tmp_path: Path) -> None:
    import pikepdf

    out = fresh_copy(structures_built, tmp_path / "output")
    structures_edit(out, lambda pdf: setattr(_first(pdf, "/Figure"), "Alt",
                                             pikepdf.String("A picture")))
    detail = structures_only(out, structures_source, "pdf.figures")
    assert "figure 1: /Alt is 'A picture'" in detail


def test_figure_alt_text_missing(structures_built: Path, structures_source: Path,
                                 tmp_path: Path) -> None:
    out = fresh_copy(structures_built, tmp_path / "output")
    structures_edit(out, lambda pdf: delattr(_first(pdf, "/Figure"), "Alt"))
    assert "figure 1: /Alt is missing" in structures_only(out, structures_source, "pdf.figures")


def test_quotation_not_tagged(structures_built: Path, structures_source: Path,
                              tmp_path: Path) -> None:
    import pikepdf

    out = fresh_copy(structures_built, tmp_path / "output")
    structures_edit(out, lambda pdf: setattr(_first(pdf, "/BlockQuote"), "S",
                                             pikepdf.Name("/Div")))
    detail = structures_only(out, structures_source, "pdf.quotes")
    assert "0 BlockQuote elements, the source has 1 quotations" in detail


def test_note_sentence_missing(structures_source: Path, tmp_path: Path, styles: Styles) -> None:
    doc = read(structures_source)
    note = doc.notes[0]
    first = note.blocks[0]
    assert isinstance(first, Paragraph)
    cut = dataclasses.replace(first, children=(Text("It can come and go."),))
    doc = dataclasses.replace(doc, notes=(dataclasses.replace(note, blocks=(cut,)),
                                          *doc.notes[1:]))
    out = tmp_path / "output"
    build(out, "pdf", doc, styles, Options(size=18))
    detail = structures_only(out, structures_source, "pdf.notes")
    assert "1 of 5 note sentences missing or out of order: 'About 8 in 10" in detail


@pytest.mark.parametrize("change", ["code", "address"])
def test_words_broken_across_lines_still_checked(structures_source: Path, tmp_path: Path,
                                                 styles: Styles, change: str) -> None:
    """The long address in the code block wraps over three lines, and the printed link
    address over two: a wrong character inside either is still found out."""
    doc = read(structures_source)
    blocks = list(doc.blocks)
    if change == "code":
        i, code = next((i, b) for i, b in enumerate(blocks) if isinstance(b, CodeBlock)
                       and b.text.startswith("https://"))
        blocks[i] = dataclasses.replace(code, text=code.text.replace("day-to-day", "day-by-day"))
        words = "https://www.example.org/information/living-with-ms"
    else:
        i, para = len(blocks) - 1, blocks[-1]
        assert isinstance(para, Paragraph)
        link = para.children[1]
        assert isinstance(link, Link)
        moved = dataclasses.replace(link, href=link.href.replace("symptoms", "symptom"))
        blocks[i] = dataclasses.replace(para, children=(para.children[0], moved,
                                                        *para.children[2:]))
        words = "Read the NHS page on fatigue"
    out = tmp_path / "output"
    build(out, "pdf", dataclasses.replace(doc, blocks=tuple(blocks)), styles, Options(size=18))
    assert words in structures_only(out, structures_source, "pdf.sentences")


def test_code_line_not_wrapped_runs_off_the_page(structures_source: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "output"
    build(out, "pdf", read(structures_source),
          css_styles(tmp_path, "pre.code { white-space: pre !important; }"), Options(size=18))
    detail = structures_only(out, structures_source, "pdf.inside-page")
    assert "glyphs outside the page, cut off in print" in detail


# ------------------------------------------------------------------ page numbers


def _glyphs(text: str, top: float, *, artifact: bool, mcid: int | None = None) -> list[
        dict[str, Any]]:
    out = []
    for i, ch in enumerate(text):
        out.append({"text": ch, "x0": 57.0 + 10 * i, "x1": 66.0 + 10 * i, "top": top,
                    "bottom": top + 18, "size": 18.0, "fontname": "Atkinson-Hyperlegible",
                    "tag": "Artifact" if artifact else "Span",
                    "mcid": None if artifact else mcid, "matrix": (1, 0, 0, 1, 0, 0)})
    return out


def _page(number: int, *lines: list[dict[str, Any]]) -> pr.Page:
    every = tuple(c for line in lines for c in line)
    return pr.Page(number, 595.0, 842.0, tuple(c for c in every if c["text"].strip()), every,
                   {}, ())


@pytest.mark.parametrize("phrase, footer", [("Page {page} of {pages}", "Page 3 of 8"),
                                             ("Tudalen {page} o {pages}", "Tudalen 3 o 8")])
def test_a_number_in_the_text_near_the_foot_is_not_a_page_number(phrase: str,
                                                                  footer: str) -> None:
    body = _glyphs("3 times a week", 740, artifact=False, mcid=5)
    number = _glyphs(footer, 790, artifact=True)
    ok = _page(3, _glyphs("Exercise helps.", 100, artifact=False, mcid=1), body, number)
    assert pr.page_numbers([ok], phrase) == []
    assert pr.artifacts([ok], phrase) == []
    # The same page with its real page number tagged as content is still caught.
    tagged = _page(3, body, _glyphs(footer, 790, artifact=False, mcid=6))
    assert pr.artifacts([tagged], phrase) == [
        f"page 3: page number '{footer}' is tagged content, not an artifact: screen readers "
        "read it"]
    # And a page without one is still missing it.
    assert pr.page_numbers([_page(3, body)], phrase) == [
        "page 3: no page number in the top or bottom margin"]


def test_notes_in_headings_and_cells_tables_in_lists_pass(tmp_path: Path, styles: Styles) -> None:
    """No false alarm: a note marker in a heading (its bookmark and tag read as the title), in
    a table cell, a printed address in a cell, inline code in a cell, a table in a list."""
    from tests.conftest import FIXTURES

    source = FIXTURES / "pdf" / "notes-links-and-nesting.md"
    out = tmp_path / "output"
    for size in (16, 24):
        build(out, "pdf", read(source), styles, Options(size=size))
    report, names = failed(out, source)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)


# ------------------------------------------------------------------ links, paper, variants


def test_link_read_twice_fails(out: Path) -> None:
    """WeasyPrint's own fault, put back: a second annotation for a contents entry, held by a
    Link tag inside the entry's Link tag."""
    import pikepdf

    def nest(pdf: Any) -> None:
        link = _first(pdf, "/Link")
        objr = next(k for k in link.K if isinstance(k, pikepdf.Dictionary))
        copy = pdf.make_indirect(pikepdf.Dictionary(dict(objr.Obj.items())))
        pdf.pages[0].obj.Annots.append(copy)
        inner = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=link, Pg=link.Pg,
            K=pikepdf.Array([pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=copy,
                                                Pg=link.Pg)])))
        link.K = pikepdf.Array([*link.K, inner])

    pdf_edit(out, nest)
    detail = only(out, "pdf.links")
    assert "a Link tag inside a Link tag ('who-can-hsct-work-for')" in detail
    assert "one link has 2 annotations" not in detail  # the inner one is its own tag's


def test_link_annotation_outside_the_tree_fails(out: Path) -> None:
    import pikepdf

    def orphan(pdf: Any) -> None:
        annot = pdf.pages[1].obj.Annots[0]
        pdf.pages[1].obj.Annots.append(pdf.make_indirect(pikepdf.Dictionary(
            dict(annot.items()))))

    pdf_edit(out, orphan)
    assert "a link annotation held by 0 tags" in only(out, "pdf.links")


@pytest.mark.parametrize(("css", "words"), [
    ("footer { break-before: page !important; }",
     "the last, holds only 'Published by MS Society.'"),
    ("h2, h3 { break-before: page !important; }", "mm empty at the foot"),
])
def test_paper_wasted_fails(tmp_path: Path, hsct_doc: Document, css: str, words: str) -> None:
    out = tmp_path / "output"
    build(out, "pdf", hsct_doc, css_styles(tmp_path, css), Options(size=18))
    assert words in only(out, "pdf.page-fill")


def test_running_head_on_two_lines_fails(tmp_path: Path, hsct_doc: Document) -> None:
    head = "HSCT (haematopoietic stem cell transplantation) for people with MS in the UK"
    out = tmp_path / "output"
    build(out, "pdf", hsct_doc, css_styles(
        tmp_path, f'@page {{ @top-left {{ content: "{head}" !important; }} }}'),
        Options(size=18))
    assert "the running head takes 2 lines" in only(out, "pdf.running-head")


def test_file_claimed_as_another_variant_fails(out: Path) -> None:
    claim(out, NAME, "hsct-large-print-18pt-lexend.pdf", font="lexend", letter_spacing=0.12)
    detail = only(out, "pdf.variant")
    assert "the text is set in 'Atkinson Hyperlegible', asked for Lexend" in detail
    assert "asked for 0.12em" in detail
