"""The whole print page: title, contents, the text, the notes and the closing lines, in the
page's language, rendered with the print markup."""

from __future__ import annotations

from html import escape

from exporter.html import head_meta
from exporter.locale import Messages
from exporter.model import Document, Heading
from exporter.writers.pdf.markup import PdfMarkup


def footer(doc: Document, words: Messages) -> str:
    """The publisher and the date of the last update, each only when the source gives it."""
    parts = []
    if doc.meta.publisher.strip():
        line = words("published_by", publisher=doc.meta.publisher)
        parts.append(f"<p>{escape(line, quote=False)}</p>")
    if doc.meta.updated:
        # The date stays on one line whatever the language's month names (UKAAF).
        date = f'<span class="nowrap">{escape(words.date(doc.meta.updated), quote=False)}</span>'
        slot = "\ue000"
        line = escape(words("last_updated", date=slot), quote=False).replace(slot, date)
        parts.append(f"<p>{line}</p>")
    return "\n".join(parts)


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
    # A value the source leaves out is not written as an empty one (no "/Author ()").
    head = "\n".join(line for line in head_meta(doc).splitlines() if 'content=""' not in line)
    foot = f"<footer>\n{closing}\n</footer>\n" if closing else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}" xml:lang="{lang}" xmlns="http://www.w3.org/1999/xhtml">
<head>
{head}
<style>
{css}
</style>
</head>
<body>
<header>
{mk.heading(title)}
</header>
<nav class="contents" aria-labelledby="contents-label">
<p class="contents-label" id="contents-label"><strong>{escape(words("contents"))}</strong></p>
{mk.contents()}
</nav>
<main>
{body}
</main>
{foot}</body>
</html>
"""
