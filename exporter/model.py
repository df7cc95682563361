"""The document model: small frozen dataclasses that every writer reads and none may change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exporter.outline import Outline

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
    """An inline image; ``alt`` is required by the reader and never empty."""

    src: str
    alt: str


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


Inline = Text | Emphasis | Strong | Link | Code | Image | LineBreak

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


Block = Heading | Paragraph | ListBlock | Callout

#: Callout kinds the source may use, with the label every format shows or speaks.
CALLOUT_LABELS: dict[str, str] = {
    "helpline": "Helpline",
    "notice": "Notice",
    "related": "Related reading",
    "note": "Note",
    "warning": "Warning",
}

# ---------------------------------------------------------------- document


@dataclass(frozen=True)
class Metadata:
    """The front matter. Optional values are None or empty: writers print nothing for them."""

    title: str
    language: str  #: BCP 47, e.g. "en-GB"
    publisher: str
    helpline: str  #: a phone number as written, e.g. "0808 800 8000"
    summary: str
    updated: dt.date | None = None  #: None when the date is not known
    subject: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """A whole source document: metadata, blocks in reading order, and its navigation."""

    meta: Metadata
    blocks: tuple[Block, ...]
    source_path: str  #: as given to the reader, for messages
    source_sha256: str  #: of the source bytes, for the manifest and caches
    headings: tuple[Heading, ...]  #: every heading, in order
    outline: Outline  #: ids, numbers and tree of the headings, computed once by the reader


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
        else:
            out.append(plain_text(node.children))
    return "".join(out)


def block_text(block: Block) -> str:
    """Plain text of a block and everything inside it, paragraphs separated by newlines."""
    if isinstance(block, Heading | Paragraph):
        return plain_text(block.children)
    if isinstance(block, ListBlock):
        return "\n".join(block_text(b) for item in block.items for b in item.blocks)
    return "\n".join(block_text(b) for b in block.blocks)


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node in reading order, nested ones after their parent."""
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            yield from _walk(b.children)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from iter_inlines(item.blocks)
        else:
            yield from iter_inlines(b.blocks)


def _walk(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    for n in nodes:
        yield n
        if isinstance(n, Emphasis | Strong | Link):
            yield from _walk(n.children)
