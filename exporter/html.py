"""Document -> semantic, well-formed (X)HTML markup, shared by the HTML, PDF and EPUB writers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from exporter.model import (
    Block,
    Callout,
    Code,
    Document,
    Emphasis,
    Heading,
    Image,
    Inline,
    LineBreak,
    ListBlock,
    Paragraph,
    Strong,
    Text,
)
from exporter.outline import Entry, Outline

# A phone number or a date must never be split across lines (UKAAF): wrap them so CSS can
# keep them whole with `white-space: nowrap`.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
KEEP_TOGETHER = re.compile(
    rf"\b(?:0\d{{2,4}}(?: \d{{3,4}}){{1,2}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}})\b"
)


def _text(text: str) -> str:
    out, last = [], 0
    for m in KEEP_TOGETHER.finditer(text):
        out.append(escape(text[last : m.start()], quote=False))
        out.append(f'<span class="nowrap">{escape(m.group(), quote=False)}</span>')
        last = m.end()
    out.append(escape(text[last:], quote=False))
    return "".join(out)


def _attr(value: str) -> str:
    return escape(value, quote=True)


@dataclass(frozen=True)
class Markup:
    """Renders model nodes to markup; ``anchor`` maps a heading id to the href that reaches it."""

    outline: Outline
    #: where "#id" points: "#id" in one page, "chapter-2.xhtml#id" in a split EPUB
    anchor: Callable[[str], str] = lambda hid: f"#{hid}"

    # ------------------------------------------------------------ inlines

    def inlines(self, nodes: Iterable[Inline]) -> str:
        return "".join(self.inline(n) for n in nodes)

    def inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return _text(node.text)
        if isinstance(node, Emphasis):
            return f"<em>{self.inlines(node.children)}</em>"
        if isinstance(node, Strong):
            return f"<strong>{self.inlines(node.children)}</strong>"
        if isinstance(node, Code):
            return f"<code>{escape(node.text, quote=False)}</code>"
        if isinstance(node, LineBreak):
            return "<br/>"
        if isinstance(node, Image):
            return f'<img src="{_attr(node.src)}" alt="{_attr(node.alt)}"/>'
        href = self.anchor(node.href[1:]) if node.href.startswith("#") else node.href
        return f'<a href="{_attr(href)}">{self.inlines(node.children)}</a>'

    # ------------------------------------------------------------ blocks

    def blocks(self, nodes: Iterable[Block]) -> str:
        return "\n".join(self.block(b) for b in nodes)

    def block(self, node: Block) -> str:
        if isinstance(node, Heading):
            return self.heading(node)
        if isinstance(node, Paragraph):
            return f"<p>{self.inlines(node.children)}</p>"
        if isinstance(node, ListBlock):
            return self.list_block(node)
        return self.callout(node)

    def heading(self, node: Heading, level: int | None = None) -> str:
        entry = self.outline.of(node)
        tag = f"h{min(level or node.level, 6)}"
        return f'<{tag} id="{_attr(entry.id)}">{self.inlines(node.children)}</{tag}>'

    def list_block(self, node: ListBlock) -> str:
        items = []
        for item in node.items:
            # A tight item of one paragraph needs no <p>: screen readers announce less clutter.
            if len(item.blocks) == 1 and isinstance(item.blocks[0], Paragraph):
                items.append(f"<li>{self.inlines(item.blocks[0].children)}</li>")
            else:
                items.append(f"<li>{self.blocks(item.blocks)}</li>")
        if node.ordered:
            start = f' start="{node.start}"' if node.start != 1 else ""
            return f"<ol{start}>\n" + "\n".join(items) + "\n</ol>"
        return "<ul>\n" + "\n".join(items) + "\n</ul>"

    def callout(self, node: Callout) -> str:
        # Named by its label and its first paragraph: two "Related reading" boxes on one page
        # would otherwise be two regions with the same name (Ace: landmark-unique).
        label_id = f"callout-{node.line}"
        first = node.blocks[0] if node.blocks else None
        label = (f'<p class="callout-label" id="{label_id}">'
                 f"<strong>{escape(node.label)}</strong></p>")
        if isinstance(first, Paragraph):
            text_id = f"{label_id}-text"
            names = f"{label_id} {text_id}"
            body = f'<p id="{text_id}">{self.inlines(first.children)}</p>'
            rest = self.blocks(node.blocks[1:])
            body += f"\n{rest}" if rest else ""
        else:
            names, body = label_id, self.blocks(node.blocks)
        return (
            f'<aside class="callout callout-{node.kind}" aria-labelledby="{names}">\n'
            f"{label}\n{body}\n</aside>"
        )

    # ------------------------------------------------------------ navigation

    def contents(self, entries: Iterable[Entry] | None = None, *, numbered: bool = True) -> str:
        """Nested <ol> of links to the sections below the title (or below ``entries``)."""
        top = tuple(entries) if entries is not None else tuple(
            k for r in self.outline.roots for k in self.outline.kids(r)
        )
        if not top:
            return ""
        items = []
        for e in top:
            label = escape(e.label if numbered else e.title, quote=False)
            sub = self.contents(self.outline.kids(e), numbered=numbered)
            items.append(f'<li><a href="{_attr(self.anchor(e.id))}">{label}</a>{sub}</li>')
        return "<ol>\n" + "\n".join(items) + "\n</ol>"


def head_meta(doc: Document) -> str:
    """<title> and <meta> lines for a page's head from the front matter (missing values omitted)."""
    m = doc.meta
    lines = [
        '<meta charset="utf-8"/>',
        f"<title>{escape(m.title, quote=False)}</title>",
        f'<meta name="description" content="{_attr(m.summary)}"/>',
        f'<meta name="author" content="{_attr(m.publisher)}"/>',
    ]
    if m.keywords:
        lines.append(f'<meta name="keywords" content="{_attr(", ".join(m.keywords))}"/>')
    if m.subject:
        lines.append(f'<meta name="subject" content="{_attr(m.subject)}"/>')
    if m.updated:
        lines.append(f'<meta name="dcterms.modified" content="{m.updated.isoformat()}"/>')
    return "\n".join(lines)


def footer(doc: Document) -> str:
    """The closing lines every page format prints: publisher, and the update date when known."""
    parts = [f"<p>Published by {escape(doc.meta.publisher, quote=False)}.</p>"]
    if doc.meta.updated:
        date = f"{doc.meta.updated.day} {doc.meta.updated:%B %Y}"
        parts.append(f"<p>We last updated this page on {_text(date)}.</p>")
    return "\n".join(parts)


def page(doc: Document, outline: Outline, *, css: str, contents_label: str = "Contents",
         screen: bool = True) -> str:
    """One complete page: skip link, title, contents nav, main content, footer.

    The contents label is not a heading, so the page's headings stay exactly the outline.
    ``screen=False`` leaves out what only a browser uses (viewport, skip link), for print.
    """
    mk = Markup(outline)
    title, rest = doc.blocks[0], doc.blocks[1:]
    assert isinstance(title, Heading)  # the reader guarantees the body starts with the title
    lang = _attr(doc.meta.language)
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
    skip = '<a class="skip-link" href="#main">Skip to main content</a>\n'
    viewport, skip, main_attrs = (viewport, skip, ' id="main" tabindex="-1"') if screen else (
        "", "", "")
    return f"""<!DOCTYPE html>
<html lang="{lang}" xml:lang="{lang}" xmlns="http://www.w3.org/1999/xhtml">
<head>
{head_meta(doc)}
{viewport}<style>
{css}
</style>
</head>
<body>
{skip}<header>
{mk.heading(title)}
</header>
<nav class="contents" aria-labelledby="contents-label">
<p class="contents-label" id="contents-label"><strong>{escape(contents_label)}</strong></p>
{mk.contents()}
</nav>
<main{main_attrs}>
{mk.blocks(rest)}
</main>
<footer>
{footer(doc)}
</footer>
</body>
</html>
"""
