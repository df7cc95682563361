"""Sentences of a run of inline content, as runs: where text and voice split, so both agree.

The talking books highlight each sentence while it is spoken, so the speech script and the
content documents must cut a paragraph at the same places. Both cut with ``sentence_runs``:
the boundaries are those of ``exporter.sentences.split`` (a full stop, question or
exclamation mark, then white space), found in the run's plain text and carried back into the
inline tree; a boundary inside emphasis or a link splits it in two of the same kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from exporter.model import (
    Code,
    Emphasis,
    Image,
    Inline,
    LineBreak,
    Link,
    NoteRef,
    Strong,
    Text,
    plain_text,
)

#: The boundary of exporter.sentences (kept in step by tests/test_phrasing.py).
_BOUNDARY = re.compile(r"(?<=[.?!])\s+(?=\S)")

Run = tuple[Inline, ...]


@dataclass(frozen=True)
class Piece:
    """One sentence of a run and the white space that follows it before the next one."""

    run: Run
    gap: str  #: "" after the last sentence


def sentence_runs(run: Run) -> list[Piece]:
    """The sentences of ``run`` in order; one piece holding all of it when it has no boundary.

    Only white space inside one plain text node (Text or Code) can end a sentence: an image's
    alt text and a line break are never cut, so such a piece may hold two sentences of
    ``sentences.split`` (the checks look for sentences inside pieces, never the reverse).
    """
    spans = _leaves(run)
    text = "".join(t for _, t in spans)
    cuts: list[tuple[int, int]] = []
    for m in _BOUNDARY.finditer(text):
        if _inside_text(spans, m.start(), m.end()):
            cuts.append((m.start(), m.end()))
    if not cuts:
        return [Piece(run, "")]
    out: list[Piece] = []
    starts = [0, *(b for _, b in cuts)]
    ends = [a for a, _ in cuts] + [len(text)]
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        # A note marker belongs to the sentence it follows, up to where the next one starts.
        owns = (start, starts[i + 1] if i + 1 < len(starts) else len(text) + 1)
        gap = text[end : starts[i + 1]] if i + 1 < len(starts) else ""
        out.append(Piece(cut(run, start, end, owns), gap))
    return out


def split_at(run: Run, offset: int) -> tuple[Run, Run]:
    """``run`` cut at a character offset of its plain text (for a page break inside it)."""
    size = len(plain_text(run))
    return cut(run, 0, offset, (0, offset + 1)), cut(run, offset, size, (offset + 1, size + 1))


def cut(run: Run, a: int, b: int, owns: tuple[int, int] | None = None) -> Run:
    """The part of ``run`` whose plain text lies in [a, b), in the same inline tree shape.

    A marker with no text (a note reference) at position p is kept when ``owns[0] <= p <
    owns[1]`` (by default: a < p <= b, so a marker goes with the text before it).
    """
    lo_own, hi_own = owns if owns is not None else (a + 1, b + 1)
    out: list[Inline] = []
    pos = 0
    for node in run:
        size = len(plain_text((node,)))
        lo, hi = pos, pos + size
        if size == 0 and not isinstance(node, Emphasis | Strong | Link):
            if lo_own <= lo < hi_own:
                out.append(node)
        elif isinstance(node, Emphasis | Strong | Link) and (
                not (hi <= a or lo >= b) or (lo < hi_own and hi >= lo_own)):
            inner = cut(node.children, a - lo, b - lo, (lo_own - lo, hi_own - lo))
            if inner:
                out.append(replace(node, children=inner))
        elif hi <= a or lo >= b:
            pass
        elif a <= lo and hi <= b:
            out.append(node)
        elif isinstance(node, Text):
            out.append(Text(node.text[max(a, lo) - lo : min(b, hi) - lo]))
        elif isinstance(node, Code):
            out.append(Code(node.text[max(a, lo) - lo : min(b, hi) - lo]))
        else:  # an image or a line break is never cut: it goes where it starts
            if a <= lo < b:
                out.append(node)
        pos = hi
    return tuple(out)


def _leaves(run: Run) -> list[tuple[Inline, str]]:
    """Every leaf node with its plain text, in order."""
    out: list[tuple[Inline, str]] = []
    for node in run:
        if isinstance(node, Emphasis | Strong | Link):
            out += _leaves(node.children)
        elif isinstance(node, Text | Code):
            out.append((node, node.text))
        elif isinstance(node, Image):
            out.append((node, node.alt))
        elif isinstance(node, LineBreak):
            out.append((node, " "))
        elif isinstance(node, NoteRef):
            out.append((node, ""))
    return out


def _inside_text(spans: list[tuple[Inline, str]], a: int, b: int) -> bool:
    pos = 0
    for node, text in spans:
        lo, hi = pos, pos + len(text)
        if lo <= a and b <= hi and text:
            return isinstance(node, Text | Code)
        pos = hi
    return False
