"""The document's nodes: inline content and blocks, small frozen dataclasses."""

from __future__ import annotations

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
class PageTarget:
    """Another page of the collection a link leads to: ``[text](other-page.md#section)``.

    The reader fills in ``path``, ``fragment`` and ``line``; the collection step
    (exporter.collection) checks that the page and its section exist and fills in the rest.
    """

    path: str  #: the page's source, relative to the linking page's folder, e.g. "b/other.md"
    fragment: str = ""  #: the section's heading id ("" for the top of the page)
    line: int = 0  #: where the link is in the linking page, for messages
    name: str = ""  #: the page's output name (its file stem); "" until resolved
    title: str = ""  #: the page's title; "" until resolved
    address: str = ""  #: its published address (base_url + name.html#fragment); "" if unknown

    @property
    def file(self) -> str:
        """The page's HTML file and section, relative to another page of the collection."""
        return f"{self.name}.html" + (f"#{self.fragment}" if self.fragment else "")


@dataclass(frozen=True)
class Link:
    """A hyperlink: http(s), mailto, tel, ``#id`` to a heading in this document, or (with
    ``page``) a link to another page of the collection."""

    href: str
    children: tuple[Inline, ...]
    page: PageTarget | None = None  #: the other page, for a link to one


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
    # GitHub's alert kinds, so pages written for GitHub read as they were meant.
    "tip": "Tip",
    "important": "Important",
    "caution": "Caution",
}
