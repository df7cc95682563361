"""The corpus pages as paper and as a screen reader meets them, at every print size: no page
holding only the closing lines, no line alone at a page break, no page left emptier than what
must stay together needs, the running head on one line, one annotation and one Link tag per
link; read back with pdfplumber and pikepdf (the HSCT page: test_writer_pdf_print.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from exporter.locale import Messages, messages
from exporter.model import Document
from exporter.reader import read
from exporter.styles import Styles
from exporter.writers.base import Options
from exporter.writers.pdf import check_paper as paper
from exporter.writers.pdf import check_print as pr
from exporter.writers.pdf.check import colophon, contents_pattern, kept_whole, paragraphs
from exporter.writers.pdf.check_structure import blocks_of, links
from tests.conftest import FIXTURES
from tests.test_writer_pdf_print import (
    SIZES,
    _annotations,
    _link_elements,
    _list_items,
    read_pages,
    render,
)

#: The realistic pages, and the print fixtures with long links, a long table and notes.
PAGES = (sorted((FIXTURES / "pages").glob("*.md"))
         + [FIXTURES / "pdf" / f"{name}.md"
            for name in ("long-links", "long-table", "notes-links-and-nesting", "web-link")])


@dataclass(frozen=True)
class Printed:
    """One page's PDF at one size, its pages as pdfplumber reads them."""

    size: int
    path: Path
    pages: tuple[pr.Page, ...]


@dataclass(frozen=True)
class Corpus:
    doc: Document
    printed: tuple[Printed, ...]

    @property
    def words(self) -> Messages:
        return messages(self.doc.meta.language)


@pytest.fixture(scope="module", params=PAGES, ids=lambda p: p.stem)
def corpus(request: pytest.FixtureRequest, styles: Styles,
           tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    page: Path = request.param
    doc = read(page)
    out = tmp_path_factory.mktemp(page.stem)
    made = []
    for size in SIZES:
        path = render(doc, styles, out, Options(size=size))
        made.append(Printed(size, path, read_pages(path)))
    return Corpus(doc, tuple(made))


def test_no_page_holds_only_closing_lines(corpus: Corpus) -> None:
    closing = colophon(corpus.doc, corpus.words)
    for pdf in corpus.printed:
        assert paper.colophon_alone(pdf.pages, closing) == [], pdf.size


def test_no_line_alone_at_a_page_break(corpus: Corpus) -> None:
    """A paragraph or list item split by a page break keeps two lines on each page; no page
    holds a single line."""
    for pdf in corpus.printed:
        with pikepdf.open(pdf.path) as doc:
            blocks = blocks_of(doc)
        assert paper.stranded(pdf.pages, blocks, paragraphs(corpus.doc)) == [], pdf.size
        lone = [p.number for p in pdf.pages if len(p.lines(body=True)) == 1]
        assert lone == [], (pdf.size, lone)


def test_no_short_list_item_alone_at_a_page_break(corpus: Corpus) -> None:
    for pdf in corpus.printed:
        for items in _list_items(pdf.path):
            pages = [{p for p, _ in item} for item in items]
            for i, item in enumerate(items):
                alone_at_foot = i == 0 and len(items) > 1 and min(pages[1]) > max(pages[0])
                alone_at_head = i == len(items) - 1 > 0 and min(pages[i]) > max(pages[i - 1])
                assert not (len(item) <= 2 and (alone_at_foot or alone_at_head)), (pdf.size,
                                                                                   item)


def test_no_page_left_emptier_than_what_must_stay_together_needs(corpus: Corpus,
                                                                  styles: Styles) -> None:
    contents = contents_pattern(corpus.words("contents_page"))
    for pdf in corpus.printed:
        allowance = kept_whole(styles, pdf.size, {"options": {"size": pdf.size}})
        assert paper.page_fill(pdf.pages, allowance, contents) == [], pdf.size


def test_running_head_on_one_line(corpus: Corpus) -> None:
    for pdf in corpus.printed:
        assert paper.running_head(pdf.pages, corpus.words("page_of")) == [], pdf.size
        heads = [ln for ln in pdf.pages[0].lines() if ln.top < 0.15 * pdf.pages[0].height
                 and all(c.get("tag") == "Artifact" for c in ln.ink)]
        assert heads, pdf.size


def test_one_annotation_and_one_link_tag_per_link(corpus: Corpus) -> None:
    for pdf in corpus.printed:
        annots = _annotations(pdf.path)
        elements = list(_link_elements(pdf.path))
        assert not any(inside for _, inside in elements), pdf.size
        assert len(elements) == len(annots), pdf.size
        with pikepdf.open(pdf.path) as doc:
            assert links(doc) == [], pdf.size
