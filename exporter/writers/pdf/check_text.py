"""Finding the source's words in the PDF's reading order, across line breaks.

Where WeasyPrint ends a line it does not draw the space, and a long address or code line may
be broken inside a word (``overflow-wrap``); the PDF never hyphenates. So between two pieces
of marked content (BREAK) there may be a space or nothing, and only there: a space that is
drawn must be in the source, and a space in the source must be drawn or fall at a break.
What print adds by design is taken out first: a link's address after its text, "(https://
...)", and the note markers "[1]".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from exporter.links import page_reference
from exporter.locale import messages
from exporter.model import Block, Document, Link, iter_inlines
from exporter.sentences import normalise
from exporter.writers.pdf.check_tree import BREAK
from exporter.writers.pdf.markup import printed_address

#: A note marker "[12]" as print shows it (a break may fall before it).
NOTE_MARKER = re.compile(rf"{BREAK}?\[\d+\]")
_GAP = re.compile(rf"[\s{BREAK}]+")


def clean(text: str) -> str:
    """Normalised text keeping its breaks: a gap with a drawn space is one space, a gap of
    breaks only is one BREAK."""
    text = normalise(text.replace(BREAK, "\ue001")).replace("\ue001", BREAK)
    return _GAP.sub(lambda m: " " if " " in m.group() or "\n" in m.group() else BREAK, text)


def pattern(words: str) -> str:
    """A regex for ``words`` in text with breaks: a space may be a break, and a break may fall
    between any two characters."""
    out: list[str] = []
    for ch in normalise(words):
        if ch == " ":
            out.append(f"[ {BREAK}]")
        else:
            if out and not out[-1].startswith("["):
                out.append(f"{BREAK}?")
            out.append(re.escape(ch))
    return "".join(out)


def addresses(doc: Document) -> list[str]:
    """Every address print shows after a link's text, longest first (one may contain another)."""
    words = messages(doc.meta.language)
    found = {page_reference(n, words) or printed_address(n)
             for n in iter_inlines(_all_blocks(doc)) if isinstance(n, Link)}
    return sorted((a for a in found if a), key=len, reverse=True)


def _all_blocks(doc: Document) -> tuple[Block, ...]:
    return (*doc.blocks, *(b for note in doc.notes for b in note.blocks))


def strip_print_additions(text: str, printed: Iterable[str]) -> str:
    """Text without the printed addresses and the note markers."""
    for address in printed:
        text = re.sub(rf"[ {BREAK}]?\({BREAK}?{pattern(address)}{BREAK}?\)", "", text)
    return NOTE_MARKER.sub("", text)


@dataclass(frozen=True)
class Found:
    """Where each wanted piece of text was found, in order; -1 when missing."""

    wanted: tuple[str, ...]
    starts: tuple[int, ...]
    end: int  #: just after the last piece found

    @property
    def missing(self) -> list[str]:
        return [w for w, s in zip(self.wanted, self.starts, strict=True) if s < 0]


def find_in_order(wanted: Sequence[str], text: str, start: int = 0) -> Found:
    """Each piece of ``wanted`` in ``text`` (cleaned), in order, from ``start``."""
    pos, starts = start, []
    for w in wanted:
        m = re.compile(pattern(NOTE_MARKER.sub("", w))).search(text, pos) if w.strip() else None
        if m is None:
            starts.append(-1 if w.strip() else pos)
            continue
        starts.append(m.start())
        pos = m.end()
    return Found(tuple(wanted), tuple(starts), pos)


def missing_report(missing: Sequence[str], total: int, what: str = "sentences") -> list[str]:
    """The problem line for missing pieces (the first few named), as the other checks word it."""
    if not missing:
        return []
    shown = "; ".join(f"'{_short(s)}'" for s in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return [f"{len(missing)} of {total} {what} missing or out of order: {shown}{more}"]


def _short(text: str, width: int = 70) -> str:
    text = text.replace(BREAK, " ")
    return text if len(text) <= width else text[: width - 1] + "…"
