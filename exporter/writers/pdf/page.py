"""The whole print page: title, contents, the text, the notes and the closing lines, in the
page's language, rendered with the print markup.

exporter.page.page() is the screen's page; print differs in what it leaves out: no viewport,
no skip link, no contents when the page has no sections (an empty contents page would waste a
sheet), and no footer box at all when the source gives neither publisher nor date (an empty
box would print a lone rule).
"""

from __future__ import annotations

from html import escape

from exporter.model import Document, Heading
from exporter.page import footer, head_meta
from exporter.writers.pdf.markup import PdfMarkup


def print_page(doc: Document, mk: PdfMarkup, css: str) -> str:
    """The page WeasyPrint lays out; the contents label is not a heading, so the headings are
    exactly the outline."""
    words = mk.words
    title, rest = doc.blocks[0], doc.blocks[1:]
    assert isinstance(title, Heading)  # the reader guarantees the body starts with the title
    lang = escape(doc.meta.language, quote=True)
    body = mk.blocks(rest)
    notes = mk.notes_part(doc.notes)  # after the text, so the markers it links back to exist
    body += f"\n{notes}" if notes else ""
    closing = footer(doc, words)
    foot = f"<footer>\n{closing}\n</footer>\n" if closing else ""
    entries = mk.contents()
    # A page with no sections has nothing to list: no contents page of its own on paper.
    contents = (f'<nav class="contents" aria-labelledby="contents-label">\n'
                f'<p class="contents-label" id="contents-label"><strong>'
                f'{escape(words("contents"))}</strong></p>\n{entries}\n</nav>\n'
                if entries else "")
    return f"""<!DOCTYPE html>
<html lang="{lang}" xml:lang="{lang}" xmlns="http://www.w3.org/1999/xhtml">
<head>
{head_meta(doc)}
<style>
{css}
</style>
</head>
<body>
<header>
{mk.heading(title)}
</header>
{contents}<main>
{body}
</main>
{foot}</body>
</html>
"""
