"""The Word writer's tables, pictures, quotes, footnotes, definitions, code and breaks, read back
from the file with python-docx, its raw XML and pandoc (an independent reader)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from exporter import sentences
from exporter.model import Document, Figure, Quote, Table, plain_text
from exporter.reader import parse, read
from exporter.styles import Styles
from exporter.writers.docx.measure import text_width
from exporter.writers.docx.pictures import TWIPS_PER_PIXEL
from exporter.writers.docx.tables import share
from tests.conftest import FIXTURES
from tests.test_writer_docx import (
    EPOCH,
    StyleChain,
    body_paragraphs,
    build,
    para_text,
    style_id,
    words,
)

Element = Any
PAGE = FIXTURES / "docx" / "with-image" / "every-structure.md"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
EMU_PER_TWIP = 635
TEXT_WIDTH = 11906 - 2 * 1134  # A4 less 2 cm margins, twips
NOTE_MARK = "FootnoteReference"


def picture_bytes(width: int, height: int) -> bytes:
    """A real PNG made at test time."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 60, 140)).save(out, "PNG")
    return out.getvalue()


def page_folder(dest: Path, picture: tuple[int, int] = (480, 240)) -> Path:
    """A copy of the every-structure page with its picture beside it; returns the source."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "img").mkdir(exist_ok=True)
    (dest / "img" / "badge.png").write_bytes(picture_bytes(*picture))
    source = dest / PAGE.name
    shutil.copyfile(PAGE, source)
    return source


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return read(page_folder(tmp_path_factory.mktemp("page")))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, page: Document, styles: Styles) -> Path:
    return build(page, page.outline, styles, tmp_path_factory.mktemp("out"), "page")


@pytest.fixture(scope="module")
def d(built: Path) -> Any:
    return docx.Document(str(built))


def top_tables(d: Any) -> list[Element]:
    return list(d.element.body.findall(qn("w:tbl")))


def cell_text(tc: Element) -> str:
    return sentences.normalise(" ".join(words(p) for p in tc.iter(qn("w:p"))))


def pandoc(path: Path) -> list[Any]:
    done = subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(path)], check=True,
                          capture_output=True, text=True, timeout=60)
    return list(json.loads(done.stdout)["blocks"])


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every pandoc AST element, depth first."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def strs(node: Any) -> str:
    return " ".join(n["c"] for n in walk(node) if n["t"] == "Str")


# ------------------------------------------------------------------ tables


def test_tables_are_real_with_a_repeating_bold_header_row(d: Any, page: Document) -> None:
    chain = StyleChain(d)
    want = [b for b in page.blocks if isinstance(b, Table)]
    found = top_tables(d)
    assert len(found) == len(want) == 2
    for table, tbl in zip(want, found, strict=True):
        rows = tbl.findall(qn("w:tr"))
        assert [r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None for r in rows] == \
            [True] + [False] * len(table.rows)
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
        got = [[cell_text(tc) for tc in r.findall(qn("w:tc"))] for r in rows]
        assert got == [[sentences.normalise(plain_text(c.children)) for c in row]
                       for row in (table.header, *table.rows)]
        for p in rows[0].iter(qn("w:p")):
            assert style_id(p) == "TableHeading"
            for r in p.iter(qn("w:r")):
                assert chain.on(r, "TableHeading", "w:b")
        for p in tbl.iter(qn("w:p")):
            for r in p.iter(qn("w:r")):
                if r.find(qn("w:t")) is not None:
                    assert chain.half_points(r, style_id(p)) == 36
                    assert not chain.on(r, style_id(p), "w:i")


def test_table_caption_comes_first_and_names_the_table_for_screen_readers(d: Any,
                                                                          page: Document) -> None:
    first = top_tables(d)[0]
    caption = first.getprevious()
    assert style_id(caption) == "Caption"
    assert para_text(caption) == "Table: Tips that people with MS told us help"
    assert caption.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
    pr = first.find(qn("w:tblPr"))
    assert pr.find(qn("w:tblCaption")).get(qn("w:val")) == "Tips that people with MS told us help"
    assert pr.find(qn("w:tblDescription")).get(qn("w:val")) == (
        "Tips that people with MS told us help, 3 rows, 2 columns")
    # Large print: the caption at body size, upright, black.
    style = d.styles["Caption"]
    assert style.font.size.pt == 18 and style.font.italic is False
    assert str(style.font.color.rgb) == "000000"


def test_tables_fill_the_page_width(d: Any) -> None:
    for tbl in top_tables(d):
        width = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
        assert (width.get(qn("w:type")), width.get(qn("w:w"))) == ("pct", "5000")
        assert tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}").get(qn("w:type")) == "autofit"
        for tr in tbl.findall(qn("w:tr")):
            cells = [tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}") for tc in tr.findall(qn("w:tc"))]
            assert {c.get(qn("w:type")) for c in cells} == {"pct"}
            assert sum(int(c.get(qn("w:w"))) for c in cells) == pytest.approx(5000, abs=5)


def sections_around(d: Any, tbl: Element) -> tuple[Element | None, Element | None]:
    """The section properties that end the section before ``tbl`` and the one it is in."""
    body = list(d.element.body)
    at = body.index(tbl)
    before = next((s for el in reversed(body[:at]) for s in el.findall(
        f"{qn('w:pPr')}/{qn('w:sectPr')}")), None)
    after = next((s for el in body[at:] for s in
                  [*el.findall(f"{qn('w:pPr')}/{qn('w:sectPr')}"),
                   *([el] if el.tag == qn("w:sectPr") else [])]), None)
    return before, after


def test_a_table_too_wide_for_portrait_gets_landscape_pages_with_its_heading(d: Any) -> None:
    narrow, wide = top_tables(d)
    before, own = sections_around(d, narrow)
    assert before is None and own is not None
    assert own.find(qn("w:pgSz")).get(qn("w:orient")) is None
    before, own = sections_around(d, wide)
    assert before is not None and own is not None
    assert before.find(qn("w:pgSz")).get(qn("w:orient")) is None
    size = own.find(qn("w:pgSz"))
    assert (size.get(qn("w:orient")), size.get(qn("w:w")), size.get(qn("w:h"))) == (
        "landscape", "16838", "11906")
    # The heading that introduces the table goes with it, not alone at the foot of a page.
    body = list(d.element.body)
    holder = before.getparent().getparent()
    between = body[body.index(holder) + 1: body.index(wide)]
    assert [para_text(p) for p in between] == [
        "2 Comparing treatments", "Table: Disease modifying treatments at a glance"]
    # Every section shows the page numbers.
    for sect in d.element.body.iter(qn("w:sectPr")):
        assert sect.find(qn("w:footerReference")) is not None
    # The section after the table is portrait again.
    assert d.sections[-1].orientation == 0


def test_column_widths_keep_the_longest_words_whole() -> None:
    assert text_width("Administration", bold=True) > text_width("Administration")
    assert text_width("MMMM") > text_width("iiii") * 3
    mins, wants = [1000.0, 3000.0], [2000.0, 6000.0]
    assert share(mins, wants, 16000) == pytest.approx([4000, 12000])
    widths = share(mins, wants, 6000)
    assert sum(widths) == pytest.approx(6000) and all(
        w >= n for w, n in zip(widths, mins, strict=True))


# ------------------------------------------------------------------ pictures


def drawings(d: Any) -> list[Element]:
    return list(d.element.body.iter(qn("w:drawing")))


def test_picture_is_embedded_with_its_alt_text_and_caption_under_it(d: Any, page: Document,
                                                                     built: Path) -> None:
    [figure] = [b for b in page.blocks if isinstance(b, Figure)]
    [drawing] = drawings(d)
    doc_pr = next(drawing.iter(f"{{{WP}}}docPr"))
    assert doc_pr.get("descr") == figure.image.alt
    assert doc_pr.get("title") == plain_text(figure.caption)
    blip = next(drawing.iter(qn("a:blip")))
    part = d.part.related_parts[blip.get(qn("r:embed"))]
    assert part.blob == Path(figure.image.path).read_bytes()
    with zipfile.ZipFile(built) as z:
        assert "word/media/image1.png" in z.namelist()
    holder = drawing.getparent().getparent()
    assert style_id(holder) == "Figure"
    caption = holder.getnext()
    assert style_id(caption) == "Caption" and para_text(caption) == plain_text(figure.caption)


def test_picture_fits_the_text_width(d: Any) -> None:
    extent = next(drawings(d)[0].iter(f"{{{WP}}}extent"))
    # 480 x 240 pixels is 5 inches wide: twice that would overflow, so it fills the width.
    assert int(extent.get("cx")) == TEXT_WIDTH * EMU_PER_TWIP
    assert int(extent.get("cy")) == TEXT_WIDTH // 2 * EMU_PER_TWIP


def test_a_small_picture_is_enlarged_at_most_twice(tmp_path: Path, styles: Styles) -> None:
    doc = read(page_folder(tmp_path / "src", picture=(40, 30)))
    d = docx.Document(str(build(doc, doc.outline, styles, tmp_path / "out", "small")))
    extent = next(drawings(d)[0].iter(f"{{{WP}}}extent"))
    assert int(extent.get("cx")) == round(40 * TWIPS_PER_PIXEL * 2) * EMU_PER_TWIP
    assert int(extent.get("cy")) == round(30 * TWIPS_PER_PIXEL * 2) * EMU_PER_TWIP


# ------------------------------------------------------------------ quotes, terms, code, breaks


def test_quote_is_indented_upright_with_its_attribution(d: Any, page: Document) -> None:
    chain = StyleChain(d)
    [quote] = [b for b in page.blocks if isinstance(b, Quote)]
    quoted = [p for p in body_paragraphs(d) if style_id(p) in ("Quote", "QuoteAttribution")]
    assert [para_text(p) for p in quoted] == [
        "I rest before I am tired, not after.", "It took me a year to learn that.",
        f"\u2014 {plain_text(quote.attribution)}"]
    assert style_id(quoted[-1]) == "QuoteAttribution"
    assert d.styles["Quote Attribution"].base_style.name == "Quote"
    ind = chain.style_prop("Quote", f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind is not None and int(ind.get(qn("w:left"))) > 0
    assert chain.style_prop("Quote", f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:left')}") is not None
    for p in quoted:
        for r in p.iter(qn("w:r")):
            assert not chain.on(r, style_id(p), "w:i")
            assert chain.half_points(r, style_id(p)) == 36


def test_definition_terms_bold_and_definitions_indented(d: Any) -> None:
    chain = StyleChain(d)
    shown = [(style_id(p), words(p)) for p in body_paragraphs(d)
             if style_id(p) in ("DefinitionTerm", "Definition")]
    assert shown == [
        ("DefinitionTerm", "Relapse"),
        ("Definition", "New symptoms, or old ones coming back, for more than 24 hours."),
        ("DefinitionTerm", "Remission"),
        ("Definition", "A time when symptoms ease."),
        ("Definition", "It can last months or years."),
    ]
    assert chain.style_prop("DefinitionTerm", f"{qn('w:rPr')}/{qn('w:b')}") is not None
    ind = chain.style_prop("Definition", f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind is not None and int(ind.get(qn("w:left"))) > 0


def test_code_is_monospace_at_body_size_with_its_lines_and_spaces(d: Any) -> None:
    [code] = [p for p in body_paragraphs(d) if style_id(p) == "SourceCode"]
    assert para_text(code) == "exporter --version\n    indented: kept as written"
    fonts = d.styles["Source Code"].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert fonts.get(qn("w:ascii")) == "Consolas"
    assert StyleChain(d).half_points(next(code.iter(qn("w:r"))), "SourceCode") == 36
    assert not [p for p in body_paragraphs(d) if style_id(p) == "SourceCode"
                and p.find(f"{qn('w:pPr')}/{qn('w:jc')}") is not None]


def test_thematic_break_is_a_drawn_rule_not_text(d: Any) -> None:
    [rule] = [p for p in body_paragraphs(d) if style_id(p) == "ThematicBreak"]
    assert para_text(rule) == ""
    assert StyleChain(d).style_prop(
        "ThematicBreak", f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None
    assert para_text(rule.getnext()) == "A new topic after the break."


def test_bare_addresses_are_real_hyperlinks(d: Any) -> None:
    targets = {rel.target_ref for rel in d.part.rels.values() if rel.is_external}
    assert {"https://www.example.org/fatigue", "mailto:help@example.org"} <= targets


# ------------------------------------------------------------------ footnotes


def footnotes(d: Any) -> Element:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    [part] = [r.target_part for r in d.part.rels.values() if r.reltype == RT.FOOTNOTES]
    assert part.content_type.endswith("wordprocessingml.footnotes+xml")
    return parse_xml(part.blob)


def test_footnotes_are_real_word_footnotes(d: Any, page: Document) -> None:
    root = footnotes(d)
    notes = root.findall(qn("w:footnote"))
    assert [(n.get(qn("w:type")), n.get(qn("w:id"))) for n in notes[:2]] == [
        ("separator", "-1"), ("continuationSeparator", "0")]
    pr = d.settings.element.find(qn("w:footnotePr"))
    assert [f.get(qn("w:id")) for f in pr.findall(qn("w:footnote"))] == ["-1", "0"]
    refs = [r.get(qn("w:id")) for r in d.element.body.iter(qn("w:footnoteReference"))]
    assert refs == ["1", "2"]
    texts = {n.get(qn("w:id")): sentences.normalise(" ".join(words(p) for p in n.iter(qn("w:p"))))
             for n in notes[2:]}
    assert [texts[i] for i in refs] == [
        sentences.normalise(" ".join(plain_text(b.children) for b in note.blocks  # type: ignore[union-attr]
                                     )) for note in page.notes]
    # Each note opens with Word's automatic number hanging in the margin, then a tab.
    first = notes[2].find(qn("w:p"))
    runs = first.findall(qn("w:r"))
    assert runs[0].find(qn("w:footnoteRef")) is not None
    assert runs[1].find(qn("w:tab")) is not None
    ind = first.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    assert ind.get(qn("w:hanging")) == ind.get(qn("w:left")) != "0"


def test_note_markers_are_bracketed_at_body_size_on_the_line(d: Any) -> None:
    chain = StyleChain(d)
    style = chain.by_id[NOTE_MARK]
    assert style.find(f"{qn('w:rPr')}/{qn('w:vertAlign')}").get(qn("w:val")) == "baseline"
    assert style.find(f"{qn('w:rPr')}/{qn('w:sz')}").get(qn("w:val")) == "36"
    [p] = [p for p in body_paragraphs(d) if words(p).startswith("Fatigue affects")]
    runs = list(p.iter(qn("w:r")))
    at = next(i for i, r in enumerate(runs) if r.find(qn("w:footnoteReference")) is not None)
    assert [para_text(r) for r in runs[at - 1: at + 2]] == ["[", "", "]"]
    for r in runs[at - 1: at + 2]:
        assert r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == NOTE_MARK
        assert chain.half_points(r, style_id(p)) == 36


def test_a_note_cited_twice_is_one_footnote_and_a_cross_reference(d: Any) -> None:
    [definition] = [p for p in body_paragraphs(d) if words(p).startswith("New symptoms")]
    assert definition.find(f".//{qn('w:footnoteReference')}") is None
    instr = "".join(t.text for t in definition.iter(qn("w:instrText")))
    assert instr.split() == ["NOTEREF", "_Note1", "\\h"]
    assert para_text(definition).endswith("hours[1].")
    marks = {b.get(qn("w:name")): b for b in d.element.body.iter(qn("w:bookmarkStart"))}
    first = marks["_Note1"].getnext()
    assert first.find(qn("w:footnoteReference")).get(qn("w:id")) == "1"


def test_notes_keep_their_numbers_when_a_caption_comes_first(tmp_path: Path,
                                                              styles: Styles) -> None:
    """The source cites note 1 in a cell and note 2 in the caption written after the table;
    Word writes the caption first, so each note carries its number as a fixed mark."""
    doc = parse(b"---\ntitle: T\nlanguage: en-GB\n---\n\n# T\n\n| A | B |\n|---|---|\n"
                b"| cell[^c] | x |\n\nTable: Caption[^t]\n\n[^c]: Cell note.\n"
                b"[^t]: Caption note.\n", "t.md")
    d = docx.Document(str(build(doc, doc.outline, styles, tmp_path, "t")))
    refs = list(d.element.body.iter(qn("w:footnoteReference")))
    assert [r.get(qn("w:customMarkFollows")) for r in refs] == ["1", "1"]
    shown = [para_text(r.getparent().getnext()) for r in refs]
    assert shown == ["2", "1"]  # the caption's note first, as the source numbers it
    root = footnotes(d)
    texts = {n.get(qn("w:id")): para_text(n) for n in root.findall(qn("w:footnote"))[2:]}
    # (para_text shows the tab after the number as a line break)
    assert [texts[r.get(qn("w:id"))] for r in refs] == ["2\nCaption note.", "1\nCell note."]
    assert not list(root.iter(qn("w:footnoteRef")))


# ------------------------------------------------------------------ the whole file


def test_every_sentence_in_order_and_notes_and_closing(d: Any, page: Document) -> None:
    text = "\n".join(words(p) for p in body_paragraphs(d))
    assert sentences.missing_in_order(sentences.of_blocks(page.blocks), text) == []
    closing = [para_text(p) for p in body_paragraphs(d)][-2:]
    assert closing == ["Published by Test Charity.", "We last updated this page on 5\u00a0March"
                       "\u00a02024."]


def test_no_publisher_no_published_by_line(tmp_path: Path, styles: Styles) -> None:
    doc = parse(b"---\ntitle: T\nlanguage: en-GB\n---\n\n# T\n\nJust text.\n", "t.md")
    d = docx.Document(str(build(doc, doc.outline, styles, tmp_path, "t")))
    assert [p.text for p in d.paragraphs] == ["T", "Just text."]


def test_two_builds_with_pictures_and_notes_are_byte_identical(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, page: Document, styles: Styles) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first = build(page, page.outline, styles, tmp_path / "a", "page").read_bytes()
    second = build(page, page.outline, styles, tmp_path / "b", "page").read_bytes()
    assert first == second


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is installed by `make test`")
def test_pandoc_reads_tables_pictures_notes_quotes_terms_and_code(built: Path,
                                                                   page: Document) -> None:
    blocks = pandoc(built)
    tables = [b for b in blocks if b["t"] == "Table"]
    assert len(tables) == 2
    head = tables[0]["c"][3]
    assert strs(head) == "Tip What it means"
    assert "Take short breaks before you get tired." in strs(tables[0]["c"][4])
    [image] = [n for n in walk(blocks) if n["t"] == "Image"]
    assert strs(image["c"][1]) == "A blue parking badge on the dashboard, its hologram facing out"
    notes = [n for n in walk(blocks) if n["t"] == "Note"]
    assert [strs(n["c"]) for n in notes] == [
        "From our 2023 survey of 2,000 members. Most said fatigue was their hardest symptom.",
        "Occupational therapists can help you plan."]
    [quote] = [b for b in blocks if b["t"] == "BlockQuote"]
    assert strs(quote) == "I rest before I am tired, not after. It took me a year to learn " \
                          "that. \u2014 Ann, Cardiff"
    [terms] = [b for b in blocks if b["t"] == "DefinitionList"]
    assert [strs(term) for term, _ in terms["c"]] == ["Relapse", "Remission"]
    [code] = [b for b in blocks if b["t"] == "CodeBlock"]
    assert code["c"][1] == "exporter --version\n    indented: kept as written"


# ------------------------------------------------------------------ another language


def test_welsh_page_gets_welsh_interface_words(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "docx" / "welsh.md")
    path = build(doc, doc.outline, styles, tmp_path, "welsh")
    d = docx.Document(str(path))
    texts = [para_text(p) for p in body_paragraphs(d)]
    assert "Cynnwys" in texts
    assert "Tabl: Awgrymiadau i reoli blinder" in texts
    assert texts[-2:] == ["Cyhoeddwyd gan Elusen Prawf.",
                          "Diweddarwyd y dudalen hon ddiwethaf ar 5\u00a0Mawrth\u00a02024."]
    assert top_tables(d)[0].find(f"{qn('w:tblPr')}/{qn('w:tblDescription')}").get(
        qn("w:val")) == "Awgrymiadau i reoli blinder, rhesi: 2, colofnau: 2"
    footer = d.sections[-1].footer.paragraphs[0]._p
    assert para_text(footer) == "Tudalen 1 o 1"
    assert [f.get(qn("w:instr")).strip() for f in footer.iter(qn("w:fldSimple"))] == [
        "PAGE", "NUMPAGES"]
    lang = StyleChain(d).defaults.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "cy-GB"
    assert not [t for t in texts if "Contents" in t or "Published" in t or "Table:" in t]
