"""The shared markup generator: escaping, emphasis, keep-together spans, anchors, contents."""

from __future__ import annotations

from exporter.html import Markup, footer, head_meta
from exporter.model import Document, Emphasis, Link, Paragraph, Text
from exporter.outline import Outline
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
