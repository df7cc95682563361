"""Reading-need variants of the large-print PDF: the face, letter, word and line spacing and the
colours a reader asks for, read back from the file (the embedded fonts' own names, glyph
positions, fill colours), named so that no two variants share a file name."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from exporter.model import Document
from exporter.options import Options
from exporter.styles import Styles
from exporter.writers.pdf import check_paper as paper
from exporter.writers.pdf.check_tree import BREAK, marked_text, read_tree
from exporter.writers.pdf.check_variant import embedded_families, variant
from exporter.writers.pdf.css import running_head
from exporter.writers.pdf.writer import PdfWriter, file_name, identifier
from tests.test_writer_pdf_print import read_pages, render

SPACED = Options(size=18, font="lexend", letter_spacing=0.12, word_spacing=0.16,
                 line_spacing=2.0, scheme="black-on-blue")
GIANT = Options(size=36, font="opendyslexic")


@pytest.fixture(scope="module")
def made(hsct_doc: Document, styles: Styles,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("variants")
    return {"spaced": render(hsct_doc, styles, out, SPACED),
            "giant": render(hsct_doc, styles, out, GIANT)}


def _options(opts: Options) -> dict[str, object]:
    return opts.subset(PdfWriter.option_names)


def test_names_show_every_choice_that_is_not_the_default(made: dict[str, Path],
                                                         styles: Styles) -> None:
    assert made["spaced"].name == ("hsct-large-print-18pt-black-on-blue-lexend-line-spacing-2-"
                                   "letter-spacing-0.12-word-spacing-0.16.pdf")
    assert made["giant"].name == "hsct-large-print-36pt-opendyslexic.pdf"
    # Line spacing alone used to be left out: two PDFs shared one name.
    names = {file_name("hsct", Options(line_spacing=v), styles) for v in (1.5, 1.75, 2.0)}
    assert names == {"hsct-large-print-18pt.pdf", "hsct-large-print-18pt-line-spacing-1.75.pdf",
                     "hsct-large-print-18pt-line-spacing-2.pdf"}
    assert file_name("hsct", Options(size=24, scheme="yellow-on-black"), styles) == \
        "hsct-large-print-24pt-yellow-on-black.pdf"


def test_identifier_differs_by_every_option_and_keeps_the_usual_one(
        hsct_doc: Document) -> None:
    usual = identifier(hsct_doc, Options())
    others = {identifier(hsct_doc, Options(font="lexend")),
              identifier(hsct_doc, Options(letter_spacing=0.06)),
              identifier(hsct_doc, Options(word_spacing=0.08)),
              identifier(hsct_doc, Options(line_spacing=2.0))}
    assert usual not in others and len(others) == 4


def test_the_face_asked_for_is_the_face_embedded(made: dict[str, Path]) -> None:
    for key, family in (("spaced", "Lexend"), ("giant", "OpenDyslexic")):
        with pikepdf.open(made[key]) as pdf:
            faces = set(embedded_families(pdf).values())
            # Read from the font files themselves: a regular and a bold of the family.
            assert {(family, 400), (family, 700)} <= faces, key
            assert {name for name, _ in faces} <= {family, "Source Code Pro", "Noto Sans"}


def test_spacing_and_colours_measured_where_glyphs_are_drawn(made: dict[str, Path]) -> None:
    with pikepdf.open(made["spaced"]) as pdf:
        pages = list(read_pages(made["spaced"]))
        assert variant(pdf, pages, {"options": _options(SPACED)}) == []
        # The same file claimed as the usual one: every difference is named.
        problems = variant(pdf, pages, {"options": {"size": 18}})
    assert any("set in 'Lexend'" in p for p in problems)
    assert any("letters are 0.1" in p and "asked for 0em" in p for p in problems)
    assert any("words have 0.1" in p for p in problems)
    assert any("lines are 2.00 times" in p for p in problems)
    assert any("background #FFFFFF" in p for p in problems)


def test_giant_print_headings_never_break_inside_a_word(made: dict[str, Path],
                                                        hsct_doc: Document) -> None:
    """At 36pt in OpenDyslexic the title's "transplantation)" is wider than the line at the
    styles' 1.6 times the size: the heading is set smaller, so it breaks between words."""
    with pikepdf.open(made["giant"]) as pdf:
        pages = list(read_pages(made["giant"]))
        assert variant(pdf, pages, {"options": _options(GIANT)}) == []
        tree = read_tree(pdf, marked_text(pages))
    labels = {e.level: [] for e in hsct_doc.outline}  # type: dict[int, list[str]]
    for e in hsct_doc.outline:
        labels[e.level].append(e.label)
    words = {w for e in hsct_doc.outline for w in e.label.split()}
    for tag in ("H1", "H2", "H3"):
        for heading in tree.find(tag):
            for line in heading.content.split(BREAK):
                assert set(line.split()) <= words, (tag, line)
    with pdfplumber.open(made["giant"]) as plumb:
        title = [c for c in plumb.pages[0].chars if c.get("tag") != "Artifact"
                 and float(c["size"]) > 36]
    assert title and max(float(c["size"]) for c in title) < 1.6 * 36
    assert max(float(c["x1"]) for c in title) < 595.28 - 20 * 72 / 25.4


@pytest.mark.parametrize(("title", "size", "head"), [
    ("HSCT (haematopoietic stem cell transplantation)", 18,
     "HSCT (haematopoietic stem cell transplantation)"),
    ("HSCT (haematopoietic stem cell transplantation)", 24, "HSCT"),
    # No parenthesis to leave out: cut after the last whole word that fits, with an ellipsis.
    ("Living well with multiple sclerosis when fatigue and pain come together", 24,
     "Living well with multiple sclerosis when…"),
    # Never inside an open parenthesis: cut before it.
    ("Treatments and therapies (including disease modifying therapies) for MS", 30,
     "Treatments and therapies…"),
])
def test_running_head_is_the_titles_own_words_on_one_line(
        title: str, size: int, head: str, styles: Styles) -> None:
    from exporter.writers.pdf.css import load_fonts, text_width

    settings = styles.section("pdf")
    got = running_head(title, load_fonts(styles, settings), Options(size=size),
                       text_width(settings))
    assert (got.text, got.lines) == (head, 1)
    kept = got.text.removesuffix("…").split()
    assert kept == title.split()[:len(kept)]  # a prefix of the title's words, none changed


def test_page_fill_holds_at_giant_print(made: dict[str, Path], styles: Styles) -> None:
    from exporter.writers.pdf.check import contents_pattern, kept_whole

    pages = read_pages(made["giant"])
    allowance = kept_whole(styles, 36, {"options": _options(GIANT)})
    assert paper.page_fill(pages, allowance, contents_pattern("– page {page}")) == []
    assert paper.running_head(pages) == []
