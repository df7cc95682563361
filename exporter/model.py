"""The document model: small frozen dataclasses that every writer reads and none may change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

# ---------------------------------------------------------------- inlines


@dataclass(frozen=True)
class Text:
    """Plain text, exactly as written in the source."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """Markdown *emphasis*; large-print writers render it bold, never italic."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    """Markdown **strong** text."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Link:
    """A hyperlink: http(s), mailto, tel, or ``#id`` to a heading in this document."""

    href: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    """Inline code (a literal such as a file name)."""

    text: str


@dataclass(frozen=True)
class Image:
    """A picture from a file beside the source; ``alt`` is required by the reader, never empty."""

    src: str  #: as written in the source (for messages and the HTML's relative reference)
    alt: str  #: what the picture shows, for people who cannot see it
    path: str = ""  #: the file, resolved and checked by the reader (inside the source's folder)
    media_type: str = ""  #: "image/png" or "image/jpeg", from the file's own signature
    width: int = 0  #: pixels, read from the file
    height: int = 0


@dataclass(frozen=True)
class NoteRef:
    """A footnote reference ``[^label]``; the note itself is in ``Document.notes``."""

    label: str  #: as written in the source
    number: int  #: 1-based, in order of first reference: the marker every format shows


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


Inline = Text | Emphasis | Strong | Link | Code | Image | NoteRef | LineBreak

# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Heading:
    """A heading; its id, number and plain title live in the Outline, keyed by ``index``."""

    level: int  #: 1 is the document title, 2 a section, 3 a subsection ...
    children: tuple[Inline, ...]
    index: int  #: position among the document's headings, 0-based
    line: int  #: 1-based line in the source file
    explicit_id: str | None = None  #: from a trailing ``{#id}`` in the source, if any


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline content."""

    children: tuple[Inline, ...]
    line: int


@dataclass(frozen=True)
class ListItem:
    """One item of a list; usually one paragraph, possibly nested lists."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    """A bulleted (``ordered=False``) or numbered list; each list numbers afresh from ``start``."""

    ordered: bool
    items: tuple[ListItem, ...]
    line: int
    start: int = 1


@dataclass(frozen=True)
class Callout:
    """A labelled box: the helpline, a notice, related reading (``> [!KIND]`` in the source)."""

    kind: str  #: one of CALLOUT_LABELS
    label: str  #: the visible and spoken label, e.g. "Helpline"
    blocks: tuple[Block, ...]
    line: int


@dataclass(frozen=True)
class Cell:
    """One table cell: inline content and the column's alignment ("", "left", "right", "center")."""

    children: tuple[Inline, ...]
    align: str = ""


@dataclass(frozen=True)
class Table:
    """A table with one header row (a pipe table); ``caption`` from a ``Table: ...`` paragraph."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]  #: body rows, each as many cells as the header
    caption: tuple[Inline, ...]
    line: int


@dataclass(frozen=True)
class Figure:
    """An image on its own, with an optional caption (the image's title in the source)."""

    image: Image
    caption: tuple[Inline, ...]
    line: int


@dataclass(frozen=True)
class Quote:
    """A quotation; ``attribution`` from a last line starting with a dash ("— Ann, Cardiff")."""

    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...]
    line: int


@dataclass(frozen=True)
class DefinitionItem:
    """A term and its definitions."""

    term: tuple[Inline, ...]
    definitions: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class DefinitionList:
    """Terms with their definitions (``Term`` then ``: definition`` lines)."""

    items: tuple[DefinitionItem, ...]
    line: int


@dataclass(frozen=True)
class CodeBlock:
    """Literal text such as a command, shown in a monospace face at body size, wrapped."""

    text: str
    language: str  #: the fence's info word ("" when none), not used for colouring
    line: int


@dataclass(frozen=True)
class Break:
    """A thematic break (``---``): a change of topic inside a section, not a heading."""

    line: int


@dataclass(frozen=True)
class Note:
    """A footnote: its marker number and its content, listed in ``Document.notes``."""

    label: str
    number: int
    blocks: tuple[Block, ...]
    line: int


Block = (Heading | Paragraph | ListBlock | Callout | Table | Figure | Quote | DefinitionList
         | CodeBlock | Break)

#: Callout kinds the source may use, with the label every format shows or speaks.
CALLOUT_LABELS: dict[str, str] = {
    "helpline": "Helpline",
    "notice": "Notice",
    "related": "Related reading",
    "note": "Note",
    "warning": "Warning",
}

# ---------------------------------------------------------------- navigation

TreeNode = tuple[str, list["TreeNode"]]


@dataclass(frozen=True)
class Entry:
    """One heading as every format shows it in its navigation."""

    index: int  #: the heading's position in the document, 0-based
    level: int  #: 1 for the document title, 2 for sections ...
    id: str  #: unique, stable across builds: derived from the title unless given as {#id}
    number: str  #: "" for the title, "1", "2", "3.1" ... for sections
    title: str  #: plain text of the heading, exactly as written
    line: int  #: source line, for messages
    parent: int | None  #: index of the enclosing heading, None for the top
    children: tuple[int, ...]  #: indexes of the headings directly below this one

    @property
    def label(self) -> str:
        """The number and title together, as a spoken or printed contents line."""
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass(frozen=True)
class Chunk:
    """A heading and the blocks up to the next heading at the same depth or above."""

    entry: Entry
    blocks: tuple[Block, ...]  #: starts with the heading itself


@dataclass(frozen=True)
class Outline:
    """Every heading of a document in order; the one navigation all writers share (built by
    exporter.outline.build_outline)."""

    entries: tuple[Entry, ...]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def of(self, heading: Heading) -> Entry:
        """The entry of a heading of this document."""
        return self.entries[heading.index]

    @property
    def roots(self) -> tuple[Entry, ...]:
        """Entries with no parent (normally just the document title)."""
        return tuple(e for e in self.entries if e.parent is None)

    def kids(self, entry: Entry) -> tuple[Entry, ...]:
        """The entries directly below ``entry``."""
        return tuple(self.entries[i] for i in entry.children)

    def as_tree(self) -> list[TreeNode]:
        """Nested (title, children) pairs: the shape every format's navigation is compared with."""

        def node(e: Entry) -> TreeNode:
            return (e.title, [node(k) for k in self.kids(e)])

        return [node(r) for r in self.roots]

    def chunks(self, doc: Document, depth: int = 2) -> tuple[Chunk, ...]:
        """Split the document at every heading of level <= ``depth``.

        The first chunk is the title with its introduction; blocks before any heading
        (which the reader does not allow) would be dropped, so none are lost in practice.
        """
        chunks: list[Chunk] = []
        current: Entry | None = None
        blocks: list[Block] = []
        for block in doc.blocks:
            if isinstance(block, Heading) and block.level <= depth:
                if current is not None:
                    chunks.append(Chunk(current, tuple(blocks)))
                current, blocks = self.of(block), []
            blocks.append(block)
        if current is not None:
            chunks.append(Chunk(current, tuple(blocks)))
        return tuple(chunks)



# ---------------------------------------------------------------- document


@dataclass(frozen=True)
class Metadata:
    """The front matter. Optional values are empty or None: no format prints or says them."""

    title: str
    language: str  #: BCP 47, e.g. "en-GB"
    publisher: str = ""
    helpline: str = ""  #: a phone number as written, e.g. "0808 800 8000"
    summary: str = ""
    updated: dt.date | None = None  #: None when the date is not known
    subject: str | None = None
    keywords: tuple[str, ...] = ()
    base_url: str = ""  #: where the page is published; relative links resolve against it


@dataclass(frozen=True)
class Document:
    """A whole source document: metadata, blocks in reading order, and its navigation."""

    meta: Metadata
    blocks: tuple[Block, ...]
    source_path: str  #: as given to the reader, for messages
    source_sha256: str  #: of the source bytes, for the manifest and caches
    headings: tuple[Heading, ...]  #: every heading, in order
    outline: Outline  #: ids, numbers and tree of the headings, computed once by the reader
    notes: tuple[Note, ...] = ()  #: footnotes in marker order
    warnings: tuple[str, ...] = ()  #: style advice the reader gave ("file:line: warning: ...")


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text a reader sees, with markup removed (images give their alt text)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code):
            out.append(node.text)
        elif isinstance(node, Image):
            out.append(node.alt)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, NoteRef):
            continue  # a marker, not words: every format shows it its own way
        else:
            out.append(plain_text(node.children))
    return "".join(out)


def block_text(block: Block) -> str:
    """Plain text of a block and everything inside it, paragraphs separated by newlines."""
    return "\n".join(plain_text(run) if isinstance(run, tuple) else run
                     for run in inline_runs((block,)))


def inline_runs(blocks: tuple[Block, ...]) -> Iterator[tuple[Inline, ...] | str]:
    """Every run of inline content in reading order (code as its literal text).

    A table gives its caption, its header cells, then its body cells row by row; a quote its
    blocks then its attribution; a figure its caption and the image (whose text is its alt).
    """
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            yield b.children
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from inline_runs(item.blocks)
        elif isinstance(b, Callout):
            yield from inline_runs(b.blocks)
        elif isinstance(b, Table):
            if b.caption:
                yield b.caption
            for row in (b.header, *b.rows):
                for cell in row:
                    yield cell.children
        elif isinstance(b, Figure):
            yield (b.image,)
            if b.caption:
                yield b.caption
        elif isinstance(b, Quote):
            yield from inline_runs(b.blocks)
            if b.attribution:
                yield b.attribution
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                yield entry.term
                for definition in entry.definitions:
                    yield from inline_runs(definition)
        elif isinstance(b, CodeBlock):
            yield b.text


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node in reading order, nested ones after their parent."""
    for run in inline_runs(blocks):
        if isinstance(run, tuple):
            yield from _walk(run)


def _walk(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    for n in nodes:
        yield n
        if isinstance(n, Emphasis | Strong | Link):
            yield from _walk(n.children)
