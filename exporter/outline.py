"""The outline: heading levels, stable unique ids, section numbers and titles, computed once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from exporter.model import Block, Document, Heading, plain_text

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
    """Every heading of a document in order; the one navigation all writers share."""

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


def slugify(title: str) -> str:
    """A lower-case ASCII id from a title: "Who can HSCT work for?" -> "who-can-hsct-work-for"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug or "section"


def build_outline(headings: tuple[Heading, ...]) -> Outline:
    """Number the headings and give each a unique id; levels are already checked by the reader."""
    used: set[str] = {h.explicit_id for h in headings if h.explicit_id}
    ids: list[str] = []
    for h in headings:
        if h.explicit_id:
            ids.append(h.explicit_id)
            continue
        base = slugify(plain_text(h.children))
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        ids.append(candidate)

    counters: list[int] = []
    stack: list[Heading] = []
    numbers: list[str] = []
    parents: list[int | None] = []
    for h in headings:
        while stack and stack[-1].level >= h.level:
            stack.pop()
        parents.append(stack[-1].index if stack else None)
        stack.append(h)
        depth = h.level - 2  # the title (level 1) is not numbered
        if depth < 0:
            numbers.append("")
            counters = []
            continue
        del counters[depth + 1 :]
        while len(counters) <= depth:
            counters.append(0)
        counters[depth] += 1
        numbers.append(".".join(str(c) for c in counters))

    children: dict[int, list[int]] = {h.index: [] for h in headings}
    for h, parent in zip(headings, parents, strict=True):
        if parent is not None:
            children[parent].append(h.index)
    return Outline(
        tuple(
            Entry(
                index=h.index,
                level=h.level,
                id=ids[i],
                number=numbers[i],
                title=plain_text(h.children).strip(),
                line=h.line,
                parent=parents[i],
                children=tuple(children[h.index]),
            )
            for i, h in enumerate(headings)
        )
    )
