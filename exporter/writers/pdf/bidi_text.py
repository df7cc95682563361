"""Right-to-left text read back from a PDF in the order it is written, not the order it is drawn."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

_RTL = {"R", "AL"}
#: What may sit inside a right-to-left run without ending it: spaces, punctuation, marks and
#: numbers (a number inside Arabic or Hebrew is still read left to right, as one piece).
_INSIDE = _RTL | {"WS", "ON", "CS", "ES", "ET", "BN", "NSM", "EN", "AN"}
_NUMBER = {"EN", "AN"}


def logical(glyphs: Iterable[tuple[str, float]]) -> str:
    """The text of ``glyphs`` (text, baseline) in the order a reader reads it.

    Glyphs come in drawing order, which for a right-to-left run is right to left on the page,
    so the run comes back reversed; each line's runs are turned round (numbers inside them
    kept as they are). A line of left-to-right text is returned unchanged.
    """
    out: list[str] = []
    line: list[str] = []
    last: float | None = None
    for text, baseline in glyphs:
        if last is not None and abs(baseline - last) > 2:
            out.append(_line(line))
            line = []
        line.append(text)
        last = baseline
    out.append(_line(line))
    return "".join(out)


def _line(texts: Sequence[str]) -> str:
    chars = list("".join(texts))
    if not any(unicodedata.bidirectional(c) in _RTL for c in chars):
        return "".join(chars)
    out: list[str] = []
    i = 0
    while i < len(chars):
        if unicodedata.bidirectional(chars[i]) not in _RTL:
            out.append(chars[i])
            i += 1
            continue
        end = i
        j = i
        while j < len(chars) and unicodedata.bidirectional(chars[j]) in _INSIDE:
            if unicodedata.bidirectional(chars[j]) in _RTL:
                end = j + 1
            j += 1
        out.extend(_reversed_run(chars[i:end]))
        i = end
    return "".join(out)


def _reversed_run(run: Sequence[str]) -> list[str]:
    pieces: list[list[str]] = []
    for c in run:
        number = unicodedata.bidirectional(c) in _NUMBER
        if number and pieces and unicodedata.bidirectional(pieces[-1][-1]) in _NUMBER:
            pieces[-1].append(c)
        else:
            pieces.append([c])
    return [c for piece in reversed(pieces) for c in piece]
