"""Sentences of a document and an in-order presence check: the promise that no words are lost."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from exporter.model import Block, Callout, Heading, ListBlock, Paragraph, plain_text

_SPLIT = re.compile(r"(?<=[.?!])\s+(?=\S)")
_SPACE = re.compile(r"\s+")
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\u2060]")  # soft hyphen, zero-width characters


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
    """Every sentence of the blocks in reading order (headings, paragraphs, items, callouts)."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            out += split(plain_text(b.children))
        elif isinstance(b, ListBlock):
            for item in b.items:
                out += of_blocks(item.blocks)
        elif isinstance(b, Callout):
            out += of_blocks(b.blocks)
    return out


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
