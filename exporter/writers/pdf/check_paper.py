"""The large-print PDF as paper: pages left empty, closing lines alone on the last page, lines
stranded by a page break, the running head; measured on pages read back with pdfplumber."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exporter.checks.common import SIZE_TOLERANCE
from exporter.writers.pdf.check_print import (
    DEFAULT_PHRASE,
    MARGIN_BAND,
    Line,
    Page,
    _number_lines,
    mcid,
)


@dataclass(frozen=True)
class Fill:
    """How full one page is: the space left under its text, against the text area's height."""

    page: int
    gap: float  #: points between the lowest text, box or picture and the foot of the text area
    height: float  #: the text area's height, points
    top: float = 0.0  #: the text area's top, points from the top of the page


def fills(pages: Sequence[Page]) -> list[Fill]:
    """Each page's empty space at the foot, measured from the body's glyphs and boxes (the
    text area is taken from the pages themselves: its top is the highest first line, its foot
    the lowest text any page reaches)."""
    lows: list[float | None] = []
    tops: list[float] = []
    for p in pages:
        ink = [float(c["bottom"]) for c in p.body]
        paper = p.rects[0].get("non_stroking_color") if p.rects else None
        # Boxes drawn in another colour than the paper (borders, a reversed box's fill); the
        # text area's own background is the paper's colour.
        boxes = [float(r["bottom"]) for r in p.rects if r.get("non_stroking_color") != paper]
        pictures = [bottom for _, bottom in p.pictures]
        lows.append(max(ink + boxes + pictures) if ink or pictures else None)
        if p.body or p.pictures:
            tops.append(min([float(c["top"]) for c in p.body] + [t for t, _ in p.pictures]))
    if not tops:
        return []
    foot = max(low for low in lows if low is not None)
    top = min(tops)
    return [Fill(p.number, foot - (low if low is not None else top), foot - top, top)
            for p, low in zip(pages, lows, strict=True)]


def page_fill(pages: Sequence[Page], allowance: float, contents: re.Pattern[str],
              share: float = 0.25) -> list[str]:
    """No page but the last, and the contents page (which ends by design), is left emptier
    than ``share`` of its text area or ``allowance`` points, whichever is more: what the
    layout keeps together by necessity (a heading with the lines that must follow it).

    What opens the next page may be taller than that: a heading of many lines (never split)
    with the two lines that must follow it, or a picture (never split either). A page is also
    left alone when that, measured on the next page, is taller than the space left."""
    problems = []
    measured = fills(pages)
    sizes = [round(float(c["size"]), 1) for p in pages for c in p.body]
    body = max(set(sizes), key=sizes.count) if sizes else 0.0
    for fill, page, after in list(zip(measured, pages, pages[1:], strict=False)):
        lines = page.lines(body=True)
        if lines and contents.search(lines[-1].text.strip()):
            continue
        if _kept_opening(after, body) - fill.top > fill.gap:
            continue
        limit = max(share * fill.height, allowance)
        if fill.gap > limit + 1:
            problems.append(f"page {fill.page}: {fill.gap * 25.4 / 72:.0f} mm empty at the foot "
                            f"(more than {limit * 25.4 / 72:.0f} mm): something kept whole "
                            "was pushed to the next page")
    return problems


def _kept_opening(page: Page, body: float) -> float:
    """Where what opens a page and cannot be split ends, points from the top of the page: its
    first picture, or a heading there (lines larger than the body text) with the two lines
    that must follow it; 0 when the page opens with running text."""
    lines = page.lines(body=True)
    count = 0
    while count < len(lines) and max(float(c["size"]) for c in lines[count].ink) \
            > body + SIZE_TOLERANCE:
        count += 1
    end = 0.0
    # A picture counts when nothing but a heading comes before it on the page.
    text = lines[count].top if count < len(lines) else page.height
    if page.pictures and page.pictures[0][0] < text:
        end = page.pictures[0][1]
    elif count:
        following = lines[count:count + 2]
        last = following[-1] if following else lines[count - 1]
        end = max(end, max(float(c["bottom"]) for c in last.ink))
    return end


def colophon_alone(pages: Sequence[Page], colophon: Sequence[str]) -> list[str]:
    """The last page holds more than the closing lines ("Published by ...", "We last updated
    this page on ..."), or some of them: they go with the end of the text."""
    if not pages or not colophon:
        return []
    text = " ".join(line.text for line in pages[-1].lines(body=True))
    shown = re.sub(r"\s+", "", text)
    for start in range(len(colophon)):
        closing = colophon[start:]
        if shown and shown == re.sub(r"\s+", "", "".join(closing)):
            return [f"page {pages[-1].number}, the last, holds only '{' '.join(closing)}'"]
    return []


def running_head(pages: Sequence[Page], phrase: str = DEFAULT_PHRASE) -> list[str]:
    """The running head is one line, the same on every page.

    The head is the page furniture above the text area (whose top is the highest body text on
    any page): a table's header row repeated at the top of a page is an artifact too, but it
    sits inside the text area."""
    problems = []
    heads: set[str] = set()
    area = min((float(c["top"]) for p in pages for c in p.body), default=None)
    for p in pages:
        band = p.height * MARGIN_BAND if area is None else min(p.height * MARGIN_BAND, area - 1)
        top = [ln for ln in p.lines() if ln.top < band and all(
            c.get("tag") == "Artifact" for c in ln.ink) and ln not in _number_lines(p, phrase)]
        if len(top) > 1:
            problems.append(f"page {p.number}: the running head takes {len(top)} lines")
        heads |= {" ".join(ln.text.split()) for ln in top[:1]}
    if len(heads) > 1:
        problems.append(f"the running head changes between pages: {sorted(heads)}")
    return problems


def stranded(pages: Sequence[Page], blocks: Mapping[tuple[int, int], Any],
             paragraphs: Sequence[str]) -> list[str]:
    """No line stranded by a page break: a paragraph or list item split across two pages
    leaves at least two of its lines on each (its first line alone at the foot of a page, or
    its last alone at the head of the next, reads as a stray line).

    ``blocks`` gives the block element holding each marked text (page number, MCID).
    WeasyPrint tags a block split by a page break as two elements, one a page, so the split
    is found in the text: the words either side of the break run on in one of the source's
    ``paragraphs`` (normalised, one space per gap)."""
    problems = []
    for before, after in itertools.pairwise(pages):
        above, below = before.lines(body=True), after.lines(body=True)
        if not above or not below:
            continue
        first = blocks.get((before.number, mcid(above[-1])))
        second = blocks.get((after.number, mcid(below[0])))
        if first is None or second is None:
            continue
        foot = [ln for ln in above if blocks.get((before.number, mcid(ln))) == first]
        head = [ln for ln in below if blocks.get((after.number, mcid(ln))) == second]
        if min(len(foot), len(head)) >= 2 or not _runs_on(foot, head, paragraphs):
            continue
        where = (f"its first line alone at the foot of page {before.number}" if len(foot) < 2
                 else f"its last line alone at the head of page {after.number}")
        text = (foot[-1] if len(foot) < 2 else head[0]).text.strip()[:40]
        problems.append(f"a paragraph split over pages {before.number}-{after.number} leaves "
                        f"{where}: '{text}'")
    return problems


#: A note's marker as printed ("[1]"): not in the source paragraph's plain text.
_MARKER = re.compile(r"\s*\[\d+\]")


def _runs_on(foot: Sequence[Line], head: Sequence[Line], paragraphs: Sequence[str]) -> bool:
    """The last words above a page break and the first below it are one run of a paragraph."""
    above = _MARKER.sub("", " ".join(ln.text for ln in foot)).split()[-4:]
    below = _MARKER.sub("", " ".join(ln.text for ln in head)).split()[:4]
    if not above or not below:
        return False
    joined = " ".join(above + below)
    return any(joined in text for text in paragraphs)
