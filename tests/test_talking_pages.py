"""Print pages as places in the text: finding where each page of the PDF begins."""

from __future__ import annotations

from pathlib import Path

from exporter.model import CodeBlock, walk_blocks
from exporter.writers.printpages.pages import locate

ROOT = Path(__file__).resolve().parent.parent

PIECES = ["HSCT (haematopoietic stem cell transplantation)", "Questions about MS?",
          "Call us on 0808 800 8000", "It aims to stop the damage MS causes by wiping out "
          "and then regrowing your immune system.", "Who can HSCT work for?",
          "Research has shown that HSCT is most effective for people with MS who:"]


def test_a_page_begins_at_its_first_words_even_inside_a_sentence() -> None:
    pages = ["HSCT (haematopoietic stem cell transplantation) Contents 1 Who can HSCT work "
             "for?\xa0– page\xa02",
             "Helpline Questions about MS? Call us on 0808 800 8000 It aims to stop the",
             "damage MS causes by wiping out and then regrowing your immune system. Who can",
             "HSCT work for? Research has shown that HSCT is most effective"]
    found = locate(pages, PIECES)
    assert found[0] == (0, 0)  # the first page begins with the text
    assert found[1] == (1, 0)  # the callout's label is skipped: not a sentence of the text
    assert found[2] == (3, PIECES[3].index("damage"))
    assert found[3] == (4, PIECES[4].index("HSCT"))


def test_a_page_the_text_does_not_have_begins_where_the_next_one_does() -> None:
    pages = ["HSCT (haematopoietic stem cell transplantation)",
             "Contents 1 Who can HSCT work for? – page 3 2 Getting help – page 7",
             "Questions about MS? Call us on 0808 800 8000"]
    assert locate(pages, PIECES) == [(0, 0), (1, 0), (1, 0)]


def test_a_short_window_never_matches_by_chance() -> None:
    # "MS" alone is in the text many times: a page whose words are not there is not "found".
    pages = ["HSCT (haematopoietic stem cell transplantation)", "Index MS", "Questions about MS?"]
    assert locate(pages, PIECES)[1] == (1, 0)


def test_an_epub_without_audio_gets_page_markers_and_nothing_else(tmp_path: Path) -> None:
    """How the plain EPUB can place the same page breaks: markers only, no sentence ids."""
    from exporter.options import defaults
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Job
    from exporter.writers.epub.markup import EpubSentenceMarkup
    from exporter.writers.printpages import pagelist
    from exporter.writers.printpages.pages import page_map

    doc, styles = read(ROOT / "source" / "hsct.md"), load_styles()
    job = Job(doc, styles, defaults(styles), tmp_path, "hsct", tmp_path / "cache" / "epub")
    pages = page_map(job)
    mk = EpubSentenceMarkup(doc.outline, breaks=pages.by_key(), spans=False)
    body = mk.blocks(doc.blocks)
    plain = EpubSentenceMarkup(doc.outline).blocks(doc.blocks)
    assert 'id="s' not in body and 'id="s' in plain  # no sentence ids
    assert body.count('role="doc-pagebreak"') == pages.edition.pages
    listed = pagelist.entries(pages, [body], ["section.xhtml"])
    assert [label for _, label in listed] == [str(n) for n in range(1, pages.edition.pages + 1)]
    nav = pagelist.add_to_nav(b"<html><body><nav/></body></html>", listed, "Pages")
    assert nav.count(b"<li>") == pages.edition.pages


def test_a_page_that_begins_inside_a_reflowed_table_begins_at_its_row(tmp_path: Path) -> None:
    """The PDF re-flows a wide table as "Row 5 / Class: Circuit training / Day: ...": those
    labels are not sentences, so the page is found by its values."""
    from exporter.options import defaults
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Job
    from exporter.writers.printpages.pages import page_map, sentence_stream

    doc, styles = read(ROOT / "tests" / "fixtures" / "pages" / "narrow-and-wide-tables.md"), \
        load_styles()
    job = Job(doc, styles, defaults(styles), tmp_path, "t", tmp_path / "cache" / "daisy")
    texts = dict(sentence_stream(job))
    starts = {b.label: texts[b.key][b.offset:] for b in page_map(job).breaks}
    assert starts["4"] == "Gentle yoga" and starts["5"] == "Circuit training", starts


def test_a_page_that_begins_in_a_code_block_is_marked_before_its_line() -> None:
    """A print page may open with a code block (a text message to send): its marker goes
    before the line, with and without sentence spans."""
    from exporter.reader import read
    from exporter.writers.epub.markup import EpubSentenceMarkup
    from exporter.writers.printpages.spans import PageBreak

    doc = read(ROOT / "tests" / "fixtures" / "pages" / "code-break-bare-addresses-comment.md")
    code = next(b for b in walk_blocks(doc.blocks) if isinstance(b, CodeBlock))
    first = code.text.splitlines()[0]
    breaks = {(id(code), 0): (PageBreak((id(code), 0), 0, "3"),)}
    for spans in (True, False):
        body = EpubSentenceMarkup(doc.outline, breaks=breaks, spans=spans).blocks(doc.blocks)
        marker = body.index('id="page-3" role="doc-pagebreak"')
        assert body.count('role="doc-pagebreak"') == 1
        assert marker < body.index(first) and body.rfind("<pre", 0, marker) >= 0, spans
