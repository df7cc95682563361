"""The whole document: front matter, blocks, notes and the outline every format navigates by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from exporter.model.nodes import Block, Heading, Note

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
    #: the number is part of the heading as every format shows and says it (styles/settings.yaml
    #: ``numbering``); the number itself is kept either way, for counting and for messages
    numbered: bool = True

    @property
    def label(self) -> str:
        """The heading as every format shows it: "3.1 Relapsing MS" with numbering on,
        "Relapsing MS" with it off (the title has no number either way)."""
        return f"{self.number} {self.title}" if self.number and self.numbered else self.title

    @property
    def shown_number(self) -> str:
        """The number a reader sees or hears before the title; "" when none is shown."""
        return self.number if self.numbered else ""


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

    @property
    def numbered(self) -> bool:
        """True when section numbers are shown (and spoken) as part of the headings."""
        return any(e.numbered and e.number for e in self.entries)

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

    def as_tree(self, *, labels: bool = False) -> list[TreeNode]:
        """Nested (title, children) pairs: the shape every format's navigation is compared with;
        with ``labels``, each heading as shown (its number first when numbering is on)."""

        def node(e: Entry) -> TreeNode:
            return (e.label if labels else e.title, [node(k) for k in self.kids(e)])

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
