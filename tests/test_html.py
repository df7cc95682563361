"""The shared markup generator: escaping, emphasis, keep-together spans, anchors, contents."""

from __future__ import annotations

import base64
import re

from exporter.html import Markup
from exporter.locale import messages
from exporter.model import Document, Emphasis, Link, Paragraph, Table, Text
from exporter.outline import Outline
from exporter.page import footer, head_meta, page
from exporter.reader import parse
from tests.conftest import FIXTURES


def test_text_is_escaped_and_phone_numbers_kept_whole(hsct_outline: Outline) -> None:
    mk = Markup(hsct_outline)
    html = mk.block(Paragraph((Text("A < B & call 0808 800 8000 on 5 March 2024"),), 1))
    assert html == ('<p>A &lt; B &amp; call <span class="nowrap">0808 800 8000</span> on '
                    '<span class="nowrap">5 March 2024</span></p>')


def test_emphasis_stays_semantic_and_links_keep_their_address(hsct_outline: Outline) -> None:
    mk = Markup(hsct_outline)
    html = mk.inlines((Emphasis((Text("not"),)), Link('https://example.org/?a="b"',
                                                     (Text("the example page"),))))
    assert html == ('<em>not</em><a href="https://example.org/?a=&quot;b&quot;">'
                    "the example page</a>")


def test_internal_anchors_follow_the_anchor_function() -> None:
    doc = parse((FIXTURES / "valid" / "nested-levels.md").read_bytes())
    outline = doc.outline
    mk = Markup(outline, anchor=lambda hid: f"part.xhtml#{hid}")
    assert 'href="part.xhtml#part-two"' in mk.block(doc.blocks[1])
    contents = mk.contents()
    assert contents.count("<li>") == len(outline) - 1  # every heading below the title
    assert '<a href="part.xhtml#part-one">1 Part one</a>' in contents
    assert "1.1 Part one, first detail" in contents


def test_head_and_footer_print_nothing_for_missing_values(hsct_doc: Document) -> None:
    assert "dcterms.modified" not in head_meta(hsct_doc)
    assert footer(hsct_doc) == "<p>Published by MS Society.</p>"
    dated = parse((FIXTURES / "valid" / "nested-levels.md").read_bytes())
    assert "We last updated this page on" in footer(dated)
    assert '<meta name="dcterms.modified" content="2024-03-05"/>' in head_meta(dated)


# ---------------------------------------------------------------- the new structures

PNG = FIXTURES / "markup" / "bar-chart.png"


def _doc(body: str, front: str = "title: A page\nlanguage: en-GB\n") -> Document:
    return parse(f"---\n{front}---\n\n# A page\n\n{body}\n".encode(), str(FIXTURES / "x.md"))


def _markup(doc: Document, **hooks: object) -> Markup:
    return Markup(doc.outline, words=messages(doc.meta.language), **hooks)  # type: ignore[arg-type]


def test_table_has_caption_column_headers_and_alignment_classes() -> None:
    doc = _doc("Table: Doses\n\n| Drug | Dose |\n|:--|--:|\n| A | 5 mg |\n")
    table = doc.blocks[1]
    html = _markup(doc).block(table)
    assert '<caption id="table-10">Doses</caption>' in html
    assert ('<tr><th scope="col" class="align-left">Drug</th>'
            '<th scope="col" class="align-right">Dose</th></tr>') in html
    assert '<tr><td class="align-left">A</td><td class="align-right">5 mg</td></tr>' in html
    assert "style=" not in html  # a strict content security policy forbids inline styles
    # A table wider than the screen scrolls in its own named, focusable box, not the page.
    assert html.startswith('<div class="table" tabindex="0" role="region" '
                           'aria-labelledby="table-10">')


def test_empty_header_cell_is_not_a_header_and_uncaptioned_table_is_no_region() -> None:
    doc = _doc("| | Dose |\n|--|--|\n| A | 5 mg |\n")
    html = _markup(doc).block(doc.blocks[1])
    assert '<thead>\n<tr><td></td><th scope="col">Dose</th></tr>' in html
    assert "role=" not in html and "<caption" not in html


def test_figure_embeds_the_picture_with_alt_text_size_and_caption() -> None:
    doc = _doc('![Two bars, blue and black.](markup/bar-chart.png "Tips people found useful")')
    fig = doc.blocks[1]
    html = _markup(doc).block(fig)
    data = base64.b64encode(PNG.read_bytes()).decode()
    assert html == ('<figure class="figure">\n'
                    f'<img src="data:image/png;base64,{data}" alt="Two bars, blue and black." '
                    'width="120" height="80"/>\n'
                    "<figcaption>Tips people found useful</figcaption>\n</figure>")
    # A format says where the bytes come from: an EPUB points at the file in its package.
    epub = _markup(doc, image_src=lambda img: "images/image-01.png").block(fig)
    assert 'src="images/image-01.png"' in epub and "base64" not in epub


def test_quote_definitions_code_and_break() -> None:
    doc = _doc("> It helped.\n>\n> — Ann, Cardiff\n\nTerm\n: Meaning.\n\n---\n\n"
               "```sh\nmake <all> & done\n```\n\n> No one said this.\n")
    mk = _markup(doc)
    quote, dl, rule, code, bare = doc.blocks[1:]
    assert mk.block(quote) == ('<figure class="quote">\n<blockquote>\n<p>It helped.</p>\n'
                               "</blockquote>\n<figcaption>— Ann, Cardiff</figcaption>\n</figure>")
    assert mk.block(bare) == "<blockquote>\n<p>No one said this.</p>\n</blockquote>"
    assert mk.block(dl) == "<dl>\n<dt>Term</dt>\n<dd>Meaning.</dd>\n</dl>"
    assert mk.block(rule) == "<hr/>"
    assert mk.block(code) == ('<pre class="code"><code class="language-sh">make &lt;all&gt; '
                              "&amp; done</code></pre>")


def test_a_link_whose_text_is_its_address_is_marked() -> None:
    doc = _doc("See https://www.example.org/help or write to help@example.org or "
               "[our help page](https://www.example.org/help).")
    html = _markup(doc).block(doc.blocks[1])
    assert ('<a href="https://www.example.org/help" class="address">'
            "https://www.example.org/help</a>") in html
    assert ('<a href="mailto:help@example.org" class="address">help@example.org</a>') in html
    assert '<a href="https://www.example.org/help">our help page</a>' in html


def test_notes_are_linked_both_ways_and_labelled_not_headed() -> None:
    doc = _doc("One.[^a] Two.[^b] Again.[^a]\n\n[^a]: First note.\n\n[^b]: Second.\n\n"
               "    More of the second.")
    mk = _markup(doc)
    body = mk.block(doc.blocks[1])
    assert ('<a class="noteref" id="note-ref-1" href="#note-1" role="doc-noteref" '
            'aria-label="Note 1">[1]</a>') in body
    assert 'id="note-ref-1-2" href="#note-1"' in body  # a second marker of the same note
    notes = mk.notes_part(doc.notes)
    assert '<section class="notes" role="doc-endnotes" aria-labelledby="note-label">' in notes
    assert '<p class="notes-label" id="note-label"><strong>Notes</strong></p>' in notes
    assert not re.search(r"<h[1-6]", notes)
    assert ('<li id="note-1" value="1">\n<p>First note. <a class="note-back" href="#note-ref-1" '
            'role="doc-backlink">Back to the text of note 1</a></p>\n</li>') in notes
    assert "<p>Second.</p>\n<p>More of the second. <a" in notes


def test_made_ids_never_clash_with_heading_ids() -> None:
    doc = _doc("## Note 1\n\nText.[^a]\n\n## Table 9\n\n| A |\n|--|\n| b |\n\n[^a]: A note.")
    mk = _markup(doc)
    html = mk.blocks(doc.blocks) + mk.notes_part(doc.notes)
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), ids
    assert "note-1" in ids and "note-x-1" in ids and "note-x-ref-1" in ids


def test_interface_words_come_from_the_page_language(hsct_doc: Document) -> None:
    welsh = _doc("## Adran\n\nTestun.[^a]\n\n[^a]: Nodyn.",
                 "title: Tudalen\nlanguage: cy-GB\npublisher: Cymdeithas MS Cymru\n"
                 "updated: 2024-03-05\n")
    html = page(welsh, welsh.outline, css="")
    for words in ('<a class="skip-link" href="#main">Neidio i\'r prif gynnwys</a>',
                  "<strong>Cynnwys</strong>", "<strong>Nodiadau</strong>",
                  'aria-label="Nodyn 1"', "Yn ôl at destun nodyn 1",
                  "<p>Cyhoeddwyd gan Cymdeithas MS Cymru.</p>",
                  '<p>Diweddarwyd y dudalen hon ddiwethaf ar <span class="nowrap">5 Mawrth 2024'
                  "</span>.</p>"):
        assert words in html
    for english in ("Skip to", "Contents", "Notes", "Note 1", "Published by", "last updated",
                    "March"):
        assert english not in html
    # A format may still name its contents itself (the PDF's settings do).
    assert "<strong>Contents list</strong>" in page(welsh, welsh.outline, css="",
                                                    contents_label="Contents list")


def test_nothing_printed_for_a_missing_publisher_or_summary() -> None:
    doc = _doc("Text.")
    assert footer(doc) == ""
    assert "author" not in head_meta(doc) and "description" not in head_meta(doc)
    assert "Published by" not in page(doc, doc.outline, css="")


def test_a_format_can_override_one_block_kind(hsct_outline: Outline) -> None:
    class Reflowed(Markup):
        def table(self, node: Table) -> str:
            return "<p>reflowed</p>"

    doc = _doc("| A |\n|--|\n| b |\n\nText.")
    html = page(doc, doc.outline, css="", markup=Reflowed(doc.outline))
    assert "<p>reflowed</p>\n<p>Text.</p>" in html and "<table" not in html


def test_page_ids_never_clash_with_heading_ids() -> None:
    doc = _doc("## Main\n\nText.\n\n## Contents label\n\nMore.\n\n## Callout 13\n\n"
               "> [!NOTE]\n> A note.")
    html = page(doc, doc.outline, css="")
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), ids
    assert '<a class="skip-link" href="#main-x">' in html and '<main id="main-x"' in html
    assert 'aria-labelledby="contents-label-x"' in html


def test_a_page_without_sections_or_closing_lines_has_no_empty_landmarks() -> None:
    doc = parse(b"---\ntitle: Short note\nlanguage: en-GB\n---\n\n# Short note\n\nOne line.\n",
                "note.md")
    html = page(doc, doc.outline, css="")
    assert "<nav" not in html and "<footer" not in html
    assert "<main" in html and "One line." in html
