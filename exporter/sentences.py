"""Sentences of a document and an in-order presence check: the promise that no words are lost."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from exporter.model import (
    Block,
    Callout,
    CodeBlock,
    DefinitionList,
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Table,
    plain_text,
    walk_blocks,
)

_SPLIT = re.compile(r"(?<=[.?!])\s+(?=\S)")
_SPACE = re.compile(r"\s+")
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters


def normalise(text: str) -> str:
    """Text as compared across formats: NFKC (ligatures, no-break spaces), one space per gap."""
    return _SPACE.sub(" ", _SOFT.sub("", unicodedata.normalize("NFKC", text))).strip()


def split(text: str) -> list[str]:
    """Sentences of a run of text, normalised; a line break always ends a sentence."""
    out: list[str] = []
    for line in text.split("\n"):
        out += [s for s in (normalise(p) for p in _SPLIT.split(line)) if s]
    return out


def of_blocks(blocks: Iterable[Block]) -> list[str]:
    """Every sentence of the blocks in the order every format keeps.

    Table headings are left out (a table too wide for the page repeats them before each
    value, so their place differs by format: see ``table_headings``), and so is an image's
    alt text, which is not printed; a figure's caption is in.
    """
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            out += split(plain_text(b.children))
        elif isinstance(b, ListBlock):
            for item in b.items:
                out += of_blocks(item.blocks)
        elif isinstance(b, Callout | Quote):
            out += of_blocks(b.blocks)
            if isinstance(b, Quote):
                out += split(plain_text(b.attribution))
        elif isinstance(b, Table):
            out += split(plain_text(b.caption))
            out += [s for row in b.rows for cell in row for s in split(plain_text(cell.children))]
        elif isinstance(b, Figure):
            out += split(plain_text(b.caption))
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                out += split(plain_text(entry.term))
                for definition in entry.definitions:
                    out += of_blocks(definition)
        elif isinstance(b, CodeBlock):
            out += split(b.text)
    return out


def of_notes(doc: Document) -> list[str]:
    """Every sentence of the footnotes, in note order (each format places notes its own way)."""
    return [s for note in doc.notes for s in of_blocks(note.blocks)]


def table_headings(blocks: Iterable[Block]) -> list[str]:
    """The column headings of every table, to be found in each format (in any place)."""
    return [normalise(plain_text(c.children)) for b in walk_blocks(blocks)
            if isinstance(b, Table) for c in b.header if normalise(plain_text(c.children))]


def missing_in_order(sentences: Iterable[str], text: str) -> list[str]:
    """The sentences not found in ``text`` in the given order (empty when all are there)."""
    haystack = normalise(text)
    pos, missing = 0, []
    for s in sentences:
        found = haystack.find(normalise(s), pos)
        if found < 0:
            missing.append(s)
        else:
            pos = found + len(normalise(s))
    return missing
