"""The print page's markup: the shared markup, with the blocks large print sets its own way.

What differs from the screen: a table too wide for the page is re-flowed; a figure has a
measured size and reads its file through the safe fetcher; a link prints its address after
its text; notes are endnotes whose number links back; a definition list is one list item per
term. The rest (headings, paragraphs, lists, callouts, ids, notes' ids) is the shared base's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from exporter.html import Markup
from exporter.html import is_address as _text_is_address
from exporter.links import link_target, page_reference
from exporter.model import (
    Callout,
    DefinitionList,
    Figure,
    Heading,
    Link,
    ListBlock,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Table,
    plain_text,
)
from exporter.writers.pdf.fill import KEEP_ATTRIBUTE
from exporter.writers.pdf.layout import Layout, keep_key

#: Schemes whose address print shows after a link's text (without the scheme for e-mail).
_PRINTED = ("https://", "http://", "mailto:")


def _attr(value: str) -> str:
    return escape(value, quote=True)


def printed_address(link: Link) -> str:
    """What print shows after a link's text: its web or e-mail address, unless the text already
    is that address (a linkified address) or the link goes within the page or to a phone."""
    href = link.href
    lower = href.lower()
    if not lower.startswith(_PRINTED):
        return ""
    shown = href[len("mailto:"):].split("?")[0] if lower.startswith("mailto:") else href
    text = plain_text(link.children).strip().rstrip("/")
    if _text_is_address(link) or text == shown.rstrip("/"):
        return ""
    return shown


def is_address(link: Link) -> bool:
    """True when a link's text is its own address (print shows it once, breakable anywhere)."""
    lower = link.href.lower()
    return lower.startswith(_PRINTED) and not printed_address(link)


@dataclass(frozen=True)
class PdfMarkup(Markup):
    """Markup for the large-print page; ``layout`` holds what was measured before rendering."""

    layout: Layout = field(default_factory=Layout)

    def link_labels(self, notes: Sequence[Note]) -> dict[str, str]:
        """What each note link says to a screen reader (PDF/UA: every link is described)."""
        labels = {self.note_id(n.number): self.words("note", n=n.number) for n in notes}
        labels |= {self.ref_id(n.number): self.words("back_to_text", n=n.number) for n in notes}
        return labels

    # ------------------------------------------------------------ inlines

    def link(self, node: Link) -> str:
        href = self.anchor(node.href[1:]) if node.href.startswith("#") else \
            link_target(node, "print")
        shown = page_reference(node, self.words) or printed_address(node)
        if not href:  # another page with no published address: named, not linked
            return self.inlines(node.children) + (f" ({escape(shown, quote=False)})" if shown
                                                  else "")
        extra = f' data-print="{_attr(shown)}"' if shown else (
            ' class="address"' if is_address(node) else "")
        return f'<a href="{_attr(href)}"{extra}>{self.inlines(node.children)}</a>'

    def heading(self, node: Heading, level: int | None = None) -> str:
        """A heading; one with a note marker names its bookmark without the marker
        (``data-title``, used by pdf.css), as the heading is shown: numbered when numbering is
        on, so navigation stays the outline."""
        html = super().heading(node, level)
        if not any(isinstance(n, NoteRef) for n in node.children):
            return html
        title = _attr(self.outline.of(node).label)
        return html.replace(">", f' data-title="{title}">', 1)

    # ------------------------------------------------------------ blocks

    def list_block(self, node: ListBlock) -> str:
        """A list whose first and last items, when short, stay with their neighbours: no one-
        or two-line item alone at the foot or the head of a page (pdf.css, layout.py). The
        list also stays with the block before it, which usually introduces it (WeasyPrint's
        own stylesheet: ``ul, ol { break-before: avoid }``)."""
        last = len(node.items) - 1
        kept = self.layout.kept(node)
        items = []
        for i, item in enumerate(node.items):
            keep = [k for k, on in (("keep-next", i == 0 < last), ("keep-previous", i == last > 0))
                    if on and self.layout.is_short(item) and kept]
            cls = f' class="{" ".join(keep)}"' if keep else ""
            items.append(f"<li{cls}>{self.tight(item.blocks)}</li>")
        # Named, so that its keeps can be let go when they leave a page too empty (fill.py):
        # then it may also start a page of its own after its introduction (pdf.css).
        key = f' {KEEP_ATTRIBUTE}="{keep_key(node)}"' if kept else ' data-loose="loose"'
        if node.ordered:
            start = f' start="{node.start}"' if node.start != 1 else ""
            return f"<ol{start}{key}>\n" + "\n".join(items) + "\n</ol>"
        return f"<ul{key}>\n" + "\n".join(items) + "\n</ul>"

    def callout(self, node: Callout) -> str:
        """The shared callout, kept in one box (pdf.css) unless that left a page too empty."""
        html = super().callout(node)
        if self.layout.kept(node):
            extra = f' {KEEP_ATTRIBUTE}="{keep_key(node)}"'
        else:
            extra = ' data-loose="loose"'
        return html.replace("<aside ", f"<aside{extra} ", 1)

    def table(self, node: Table) -> str:
        if self.layout.reflowed(node):
            return self.reflowed_table(node)
        caption = f"<caption>{self.inlines(node.caption)}</caption>\n" if node.caption else ""
        head = "".join(self.header_cell(c) for c in node.header)
        body = "\n".join("<tr>" + "".join(self.cell(c) for c in row) + "</tr>"
                         for row in node.rows)
        tbody = f"<tbody>\n{body}\n</tbody>\n" if node.rows else ""
        # <thead> is a table-header-group: printed again at the top of every page it runs to.
        # pdf.css sets every cell left (UKAAF: left-aligned throughout, numbers too), whatever
        # alignment class the shared cells carry.
        return (f'<table class="data">\n{caption}<thead>\n<tr>{head}</tr>\n</thead>\n'
                f"{tbody}</table>")

    def reflowed_table(self, node: Table) -> str:
        """A table too wide for the page as groups of "header: value" lines, one per row.

        Nothing is shrunk or cut: each row is a list item labelled "Row n" (as audio says it),
        each cell a line led by its column's header, empty cells left out.
        """
        label = self.words("table")
        caption = f"{escape(label, quote=False)}: {self.inlines(node.caption)}" \
            if node.caption else escape(label, quote=False)
        rows = []
        for number, row in enumerate(node.rows, 1):
            lines = [f'<p class="row-label"><strong>'
                     f'{escape(self.words("row", n=number), quote=False)}</strong></p>']
            for head, cell in zip(node.header, row, strict=False):
                if not plain_text(cell.children).strip():
                    continue
                value = self.inlines(cell.children)
                if plain_text(head.children).strip():
                    value = f"<strong>{self.inlines(head.children)}:</strong> {value}"
                lines.append(f"<p>{value}</p>")
            rows.append("<li>\n" + "\n".join(lines) + "\n</li>")
        return (f'<div class="table-reflowed">\n<p class="table-label"><strong>{caption}'
                f'</strong></p>\n<ol class="table-rows"{self._keep(node)}>\n'
                + "\n".join(rows) + "\n</ol>\n</div>")

    def _keep(self, node: Table) -> str:
        """A re-flowed table's rows are each kept whole, unless that leaves a page too empty
        (fill.py): then they break between their lines, each row's label kept with a line."""
        if self.layout.kept(node):
            return f' {KEEP_ATTRIBUTE}="{keep_key(node)}"'
        return ' data-loose="loose"'

    def figure(self, node: Figure) -> str:
        """The picture at its measured size, read from the file the reader checked; the caption
        under it at body size. A <div>, not <figure>, so the tags are Div > Figure, Caption."""
        image = node.image
        size = self.layout.figure_size(node)
        style = f' style="width: {size.width:g}pt; height: {size.height:g}pt"' if size else ""
        src = Path(image.path).as_uri() if image.path else image.src
        caption = (f"\n<figcaption>{self.inlines(node.caption)}</figcaption>"
                   if node.caption else "")
        return (f'<div class="figure">\n<img src="{_attr(src)}" alt="{_attr(image.alt)}"'
                f"{style}/>{caption}\n</div>")

    def quote(self, node: Quote) -> str:
        """The quotation (tagged BlockQuote), then who said it, outside the quoted words."""
        quoted = f"<blockquote>\n{self.blocks(node.blocks)}\n</blockquote>"
        if not node.attribution:
            return quoted
        return (f'<div class="quote">\n{quoted}\n'
                f'<p class="attribution">— {self.inlines(node.attribution)}</p>\n</div>')

    def definition_list(self, node: DefinitionList) -> str:
        """One list item per term, its definitions under it.

        Not <dl>: WeasyPrint tags each <dt> and <dd> as a list item of its own, so a
        screen reader would hear twice as many items as there are terms.
        """
        items = []
        for item in node.items:
            defs = "\n".join(f'<div class="definition">\n{self.blocks(d)}\n</div>'
                             for d in item.definitions)
            items.append(f'<li>\n<p class="term">{self.inlines(item.term)}</p>\n{defs}\n</li>')
        return '<ul class="definitions">\n' + "\n".join(items) + "\n</ul>"

    # ------------------------------------------------------------ notes

    def note(self, note: Note) -> str:
        """One note, led by its number, which links back to the (first) marker.

        Endnotes in a "Notes" part after the text (the shared notes_part) rather than page
        footnotes (``float: footnote``): at 24pt a footnote area at body size eats half a
        page, a long note is pushed to later pages away from its marker, and a note placed
        at the foot of a page falls inside a sentence that runs on to the next page, in print
        and in the tag order a screen reader follows. At the end, every note is whole, at
        body size, in number order, and a link away. The number leads the note (as the
        marker shows it) instead of a "Back to the text" phrase printed after it: on paper
        that phrase is noise; the link's description says it to a screen reader.
        """
        n = note.number
        number = f"[{n}]"
        if n in self._refs:
            number = f'<a class="note-back" href="#{self.ref_id(n)}">{number}</a>'
        blocks = list(note.blocks)
        first = blocks[0] if blocks else None
        if isinstance(first, Paragraph):
            body = f"<p>{number} {self.inlines(first.children)}</p>"
            rest = self.blocks(blocks[1:])
            body += f"\n{rest}" if rest else ""
        else:
            body = f"<p>{number}</p>\n{self.blocks(blocks)}"
        return f'<li id="{self.note_id(n)}">\n{body}\n</li>'
