"""Document -> semantic, well-formed (X)HTML markup, shared by the HTML, PDF and EPUB writers."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from pathlib import Path
from typing import ClassVar

from exporter.links import Kind, link_target
from exporter.locale import FALLBACK, Messages, messages
from exporter.model import (
    Block,
    Break,
    Callout,
    Cell,
    Code,
    CodeBlock,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
)
from exporter.outline import Entry, Outline
from exporter.writers.base import WriterError

# A phone number, a date or a hyphenated word must never be split across lines (UKAAF: no
# word or item of information split): wrap them so CSS keeps them whole (`white-space:
# nowrap`); Word gets no-break spaces and hyphens instead.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: A word of letters or digits joined by hyphens ("COVID-19", "follow-up"), at most 20
#: characters (longer would not fit a line of giant print), not part of an address.
HYPHENATED = re.compile(r"(?<![\w/.@-])(?=[\w-]{3,20}(?![\w-]))[^\W_]+(?:-[^\W_]+)+"
                        r"(?![\w/@-]|\.\w)")
KEEP_TOGETHER = re.compile(
    rf"\b(?:0\d{{2,4}}(?: \d{{3,4}}){{1,2}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}})\b"
)
#: Phone numbers, dates and hyphenated words.
KEEP_WORDS = re.compile(rf"{KEEP_TOGETHER.pattern}|{HYPHENATED.pattern}")
#: A code block's info word is only used as a class name when it is a plain word.
_LANGUAGE = re.compile(r"[A-Za-z0-9_+-]{1,40}")
#: What a link's text may leave out of its address and still be "the address" (linkify).
_ADDRESS_SCHEMES = ("mailto:", "tel:", "https://", "http://")


def keep_together(text: str, *, words: bool = False) -> str:
    """Escaped text with phone numbers and dates (and, with ``words``, hyphenated words) in
    spans that keep them on one line."""
    out, last = [], 0
    for m in (KEEP_WORDS if words else KEEP_TOGETHER).finditer(text):
        out.append(escape(text[last : m.start()], quote=False))
        out.append(f'<span class="nowrap">{escape(m.group(), quote=False)}</span>')
        last = m.end()
    out.append(escape(text[last:], quote=False))
    return "".join(out)


def attr(value: str) -> str:
    return escape(value, quote=True)


def _same_page(hid: str) -> str:
    return f"#{hid}"


def _this_document(number: int) -> str:
    return ""


def data_uri(image: Image) -> str:
    """The image file's bytes as a ``data:`` URI: the page holds the picture, nothing is fetched."""
    if not image.path or not image.media_type:
        raise WriterError(f"image {image.src!r} has no checked file: documents must come from "
                          "exporter.reader, which checks every image")
    try:
        data = Path(image.path).read_bytes()
    except OSError as exc:
        raise WriterError(f"image {image.src}: cannot read {image.path}: {exc.strerror}; "
                          "export again once the file is back") from exc
    return f"data:{image.media_type};base64,{base64.b64encode(data).decode('ascii')}"


def is_address(link: Link) -> bool:
    """True when a link's text is its own address (a linkified web or e-mail address)."""
    text = plain_text(link.children).strip()
    if not text:
        return False
    forms = {link.href}
    lower = link.href.lower()
    forms |= {link.href[len(s):] for s in _ADDRESS_SCHEMES if lower.startswith(s)}
    return text.rstrip("/") in {f.rstrip("/") for f in forms}


@dataclass(frozen=True)
class Markup:
    """Renders model nodes to markup, one method per kind of node so a format can override one.

    A Markup renders one document (or one EPUB content document) once, in reading order:
    the first marker of each note gets the id its note's back link returns to.
    """

    #: where a link to another page of the collection leads (exporter.links): its HTML file
    links: ClassVar[Kind] = "html"
    outline: Outline
    #: where "#id" points: "#id" in one page, "chapter-2.xhtml#id" in a split EPUB
    anchor: Callable[[str], str] = _same_page
    #: interface words ("Note 1", "Notes", "Back to the text of note 1") in the page's language
    words: Messages = field(default_factory=lambda: messages(FALLBACK))
    #: an <img>'s src: by default the picture itself as a data: URI (self-contained, no fetching);
    #: an EPUB gives the relative name of the picture's file in the package
    image_src: Callable[[Image], str] = data_uri
    #: the document holding note n, relative to this one ("" when it is this document)
    note_page: Callable[[int], str] = _this_document
    #: hyphenated words ("COVID-19") kept whole too, never broken at the hyphen; the page and
    #: the EPUB ask for it, print decides for itself
    keep_words: bool = False
    _refs: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------ ids

    @cached_property
    def _ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.outline)

    def free_prefix(self, base: str) -> str:
        """``base``, lengthened until no heading id starts with it: made ids never clash."""
        prefix = base
        while any(i.startswith(prefix) for i in self._ids):
            prefix += "x-"
        return prefix

    def free_id(self, base: str) -> str:
        """``base``, or a variant of it, that is no heading's id (a heading "Main" has "main")."""
        found = base
        while found in self._ids:
            found += "-x"
        return found

    @cached_property
    def _note_prefix(self) -> str:
        return self.free_prefix("note-")

    def note_id(self, number: int) -> str:
        """The id of note ``number`` in the notes part."""
        return f"{self._note_prefix}{number}"

    def ref_id(self, number: int, occurrence: int = 1) -> str:
        """The id of the ``occurrence``-th marker of note ``number`` (the first is the back link's
        target)."""
        suffix = f"-{occurrence}" if occurrence > 1 else ""
        return f"{self._note_prefix}ref-{number}{suffix}"

    def semantic(self, kind: str) -> str:
        """Extra attributes naming what an element is ("noteref", "endnotes", "endnote",
        "backlink"); none in plain HTML, where the ARIA role says it."""
        return ""

    # ------------------------------------------------------------ inlines

    def inlines(self, nodes: Iterable[Inline]) -> str:
        return "".join(self.inline(n) for n in nodes)

    def inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return keep_together(node.text, words=self.keep_words)
        if isinstance(node, Emphasis):
            return f"<em>{self.inlines(node.children)}</em>"
        if isinstance(node, Strong):
            return f"<strong>{self.inlines(node.children)}</strong>"
        if isinstance(node, Code):
            return f"<code>{escape(node.text, quote=False)}</code>"
        if isinstance(node, LineBreak):
            return "<br/>"
        if isinstance(node, Image):
            return self.image(node)
        if isinstance(node, NoteRef):
            return self.note_ref(node)
        return self.link(node)

    def link(self, node: Link) -> str:
        """A link; one whose text is its address is marked ``class="address"`` (print shows the
        address after other links' text, never twice)."""
        href = self.anchor(node.href[1:]) if node.href.startswith("#") else \
            link_target(node, self.links)
        if not href:  # another page with no published address (exporter.links)
            return self.inlines(node.children)
        cls = ' class="address"' if is_address(node) else ""
        return f'<a href="{attr(href)}"{cls}>{self.inlines(node.children)}</a>'

    def image(self, node: Image) -> str:
        """The picture with its alt text and pixel size (so the layout does not jump)."""
        size = f' width="{node.width}" height="{node.height}"' if node.width and node.height \
            else ""
        return f'<img src="{attr(self.image_src(node))}" alt="{attr(node.alt)}"{size}/>'

    def note_ref(self, node: NoteRef) -> str:
        """The "[n]" marker at body size, linked to its note and named "Note n" for screen
        readers."""
        n = node.number
        occurrence = self._refs[n] = self._refs.get(n, 0) + 1
        href = f"{self.note_page(n)}#{self.note_id(n)}"
        name = attr(self.words("note", n=n))
        return (f'<a class="noteref" id="{self.ref_id(n, occurrence)}" href="{attr(href)}" '
                f'role="doc-noteref"{self.semantic("noteref")} aria-label="{name}">[{n}]</a>')

    # ------------------------------------------------------------ blocks

    def blocks(self, nodes: Iterable[Block]) -> str:
        return "\n".join(self.block(b) for b in nodes)

    def block(self, node: Block) -> str:
        if isinstance(node, Heading):
            return self.heading(node)
        if isinstance(node, Paragraph):
            return self.paragraph(node)
        if isinstance(node, ListBlock):
            return self.list_block(node)
        if isinstance(node, Callout):
            return self.callout(node)
        if isinstance(node, Table):
            return self.table(node)
        if isinstance(node, Figure):
            return self.figure(node)
        if isinstance(node, Quote):
            return self.quote(node)
        if isinstance(node, DefinitionList):
            return self.definition_list(node)
        if isinstance(node, CodeBlock):
            return self.code_block(node)
        return self.thematic_break(node)

    def heading(self, node: Heading, level: int | None = None) -> str:
        """A heading as every format shows it: with its section number when numbering is on
        (the number is text, so a screen reader, a search and a copy all get "3.1 ...")."""
        entry = self.outline.of(node)
        tag = f"h{min(level or node.level, 6)}"
        number = entry.shown_number
        shown = f'<span class="section-number">{number}</span> ' if number else ""
        return f'<{tag} id="{attr(entry.id)}">{shown}{self.inlines(node.children)}</{tag}>'

    def paragraph(self, node: Paragraph) -> str:
        return f"<p>{self.inlines(node.children)}</p>"

    def tight(self, blocks: Sequence[Block]) -> str:
        """Content of a list item or definition: one paragraph needs no <p> (screen readers
        announce less clutter)."""
        if len(blocks) == 1 and isinstance(blocks[0], Paragraph):
            return self.inlines(blocks[0].children)
        return self.blocks(blocks)

    def list_block(self, node: ListBlock) -> str:
        items = [f"<li>{self.tight(item.blocks)}</li>" for item in node.items]
        if node.ordered:
            start = f' start="{node.start}"' if node.start != 1 else ""
            return f"<ol{start}>\n" + "\n".join(items) + "\n</ol>"
        return "<ul>\n" + "\n".join(items) + "\n</ul>"

    def callout(self, node: Callout) -> str:
        """A boxed note ("Helpline", "Important"): a note named by its label alone.

        Not a landmark: the ARIA Authoring Practices keep complementary landmarks at the top
        level, for content that stands apart from the main text, while a callout is part of
        the text it sits in (ARIA's "note": parenthetic or ancillary to the main content).
        Named by the label only, so a screen reader announces "Helpline" and then reads the
        text once; naming it by its text as well made every word of it be read twice.
        """
        label_id = f"{self.free_prefix('callout-')}{node.line}"
        label = (f'<p class="callout-label" id="{label_id}">'
                 f"<strong>{escape(node.label)}</strong></p>")
        return (
            f'<aside class="callout callout-{node.kind}" role="note" '
            f'aria-labelledby="{label_id}">\n{label}\n{self.blocks(node.blocks)}\n</aside>'
        )

    def table(self, node: Table) -> str:
        """A data table: caption, column headers with scope, alignment as classes.

        It sits in a box that scrolls sideways on its own when it is wider than the screen,
        so the page never does (WCAG 1.4.10); the box takes keyboard focus to be scrolled.
        """
        caption_id = f"{self.free_prefix('table-')}{node.line}"
        caption = (f'<caption id="{caption_id}">{self.inlines(node.caption)}</caption>\n'
                   if node.caption else "")
        head = "".join(self.header_cell(c) for c in node.header)
        body = "\n".join("<tr>" + "".join(self.cell(c) for c in row) + "</tr>"
                         for row in node.rows)
        tbody = f"<tbody>\n{body}\n</tbody>\n" if node.rows else ""
        region = f' role="region" aria-labelledby="{caption_id}"' if node.caption else ""
        return (f'<div class="table" tabindex="0"{region}>\n<table>\n{caption}'
                f"<thead>\n<tr>{head}</tr>\n</thead>\n{tbody}</table>\n</div>")

    def header_cell(self, cell: Cell) -> str:
        """A column header; an empty one is a plain cell (an empty header names nothing)."""
        if not plain_text(cell.children).strip():
            return f"<td{_align(cell)}></td>"
        return f'<th scope="col"{_align(cell)}>{self.inlines(cell.children)}</th>'

    def cell(self, cell: Cell) -> str:
        return f"<td{_align(cell)}>{self.inlines(cell.children)}</td>"

    def figure(self, node: Figure) -> str:
        caption = (f"\n<figcaption>{self.inlines(node.caption)}</figcaption>"
                   if node.caption else "")
        return f'<figure class="figure">\n{self.image(node.image)}{caption}\n</figure>'

    def quote(self, node: Quote) -> str:
        """A quotation; with an attribution, a figure whose caption names who said it."""
        quoted = f"<blockquote>\n{self.blocks(node.blocks)}\n</blockquote>"
        if not node.attribution:
            return quoted
        return (f'<figure class="quote">\n{quoted}\n'
                f"<figcaption>— {self.inlines(node.attribution)}</figcaption>\n</figure>")

    def definition_list(self, node: DefinitionList) -> str:
        parts = []
        for item in node.items:
            parts.append(f"<dt>{self.inlines(item.term)}</dt>")
            parts += [f"<dd>{self.tight(d)}</dd>" for d in item.definitions]
        return "<dl>\n" + "\n".join(parts) + "\n</dl>"

    def code_block(self, node: CodeBlock) -> str:
        """Literal text kept as written; the stylesheet wraps long lines (never wider than the
        page)."""
        lang = f' class="language-{node.language}"' if _LANGUAGE.fullmatch(node.language) else ""
        return f'<pre class="code"><code{lang}>{escape(node.text, quote=False)}</code></pre>'

    def thematic_break(self, node: Break) -> str:
        return "<hr/>"

    # ------------------------------------------------------------ notes

    def notes_part(self, notes: Sequence[Note]) -> str:
        """The notes after the text, labelled (not headed: headings stay the outline)."""
        if not notes:
            return ""
        label_id = f"{self._note_prefix}label"
        items = "\n".join(self.note(n) for n in notes)
        return (f'<section class="notes" role="doc-endnotes"{self.semantic("endnotes")} '
                f'aria-labelledby="{label_id}">\n<p class="notes-label" id="{label_id}">'
                f'<strong>{escape(self.words("notes"), quote=False)}</strong></p>\n'
                f"<ol>\n{items}\n</ol>\n</section>")

    def note(self, note: Note) -> str:
        """One note, numbered as its marker, ending with a link back to the (first) marker."""
        n = note.number
        back = ""
        if n in self._refs:  # a link back to a marker that was never written would be broken
            back = (f'<a class="note-back" href="#{self.ref_id(n)}" role="doc-backlink"'
                    f'{self.semantic("backlink")}>'
                    f'{escape(self.words("back_to_text", n=n), quote=False)}</a>')
        blocks = list(note.blocks)
        last = blocks[-1] if blocks else None
        if back and isinstance(last, Paragraph):
            body = self.blocks(blocks[:-1])
            body += ("\n" if body else "") + f"<p>{self.inlines(last.children)} {back}</p>"
        else:
            body = self.blocks(blocks) + (f"\n<p>{back}</p>" if back else "")
        return (f'<li id="{self.note_id(n)}" value="{n}"{self.semantic("endnote")}>\n'
                f"{body}\n</li>")

    # ------------------------------------------------------------ navigation

    def contents(self, entries: Iterable[Entry] | None = None) -> str:
        """Nested <ol> of links to the sections below the title (or below ``entries``), each
        labelled as its heading is shown (with its number when numbering is on)."""
        top = tuple(entries) if entries is not None else tuple(
            k for r in self.outline.roots for k in self.outline.kids(r)
        )
        if not top:
            return ""
        items = []
        for e in top:
            label = escape(e.label, quote=False)
            sub = self.contents(self.outline.kids(e))
            items.append(f'<li><a href="{attr(self.anchor(e.id))}">{label}</a>{sub}</li>')
        return "<ol>\n" + "\n".join(items) + "\n</ol>"


def _align(cell: Cell) -> str:
    # A class, not a style attribute: a strict content security policy forbids inline styles.
    return f' class="align-{cell.align}"' if cell.align in ("left", "right", "center") else ""
