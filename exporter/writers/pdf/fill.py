"""Page fill: where a block kept whole left a page too empty, let that keep go.

Some blocks are kept together by preference, not necessity: a short first or last list item
with its neighbour, a callout in one box. When keeping one pushes it (and what leads into
it) to the next page and leaves more than a share of the page empty, the paper wasted costs
more than the split: the writer lays the page out again with that block's keep let go. A
heading with its first lines and a paragraph's orphans and widows are never let go; nor is
the break after the contents page, which is wanted.

The layout is read from WeasyPrint's boxes in the render process (see writer.render).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

#: A page may be left this share of its text area empty by a block kept whole before the
#: writer lets that block's keep go (a quarter: more than the largest group kept by
#: necessity, a heading with its first two lines, needs at 16 to 18pt).
RELAX_SHARE = 0.25
#: The attribute the markup puts on blocks whose keep may be let go.
KEEP_ATTRIBUTE = "data-keep"


@dataclass(frozen=True)
class Line:
    """One line (or picture) of a page: where it is and which let-go-able blocks hold it."""

    top: float
    bottom: float
    keys: tuple[str, ...]  #: data-keep values of the blocks it sits in, outermost first
    contents: bool  #: inside the contents list (the page after it starts by design)


def loose_keeps(pages: Sequence[Any], share: float = RELAX_SHARE) -> tuple[str, ...]:
    """The keys of the kept blocks that left a page more than ``share`` empty."""
    laid = [list(_lines(page._page_box)) for page in pages]
    loose: list[str] = []
    for number, lines in enumerate(laid[:-1]):
        following = laid[number + 1]
        if not lines or not following:
            continue
        box = pages[number]._page_box
        top, height = box.content_box_y(), box.height
        gap = top + height - max(line.bottom for line in lines)
        if gap <= share * height or lines[-1].contents:
            continue
        first = following[0].keys
        next_top = pages[number + 1]._page_box.content_box_y()
        starts: dict[str, float] = {}
        for line in following:
            for key in line.keys:
                starts.setdefault(key, line.top - next_top)
        for key, offset in starts.items():
            if (key in first or offset < gap) and key not in loose:
                loose.append(key)
    return tuple(loose)


def _lines(box: Any, keys: tuple[str, ...] = (), contents: bool = False) -> Iterator[Line]:
    """The lines and pictures under ``box`` in order, margin boxes (running heads) left out."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", "") in ("nav", "ol", "ul", "aside",
                                                                     "div"):
        key = element.get(KEEP_ATTRIBUTE)
        if key and (not keys or keys[-1] != key):
            keys = (*keys, key)
        contents = contents or "contents" in (element.get("class") or "").split()
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
        yield Line(box.position_y, box.position_y + box.height, keys, contents)
        return
    for child in getattr(box, "children", ()):
        yield from _lines(child, keys, contents)

