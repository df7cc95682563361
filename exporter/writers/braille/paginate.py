"""Pages from a flow of lines: groups kept together, no blank line at the top, numbers added."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from exporter.writers.braille.cells import BLANK, blank
from exporter.writers.braille.layout import Line
from exporter.writers.braille.settings import Settings


@dataclass
class Pages:
    """Text lines of consecutive braille pages (page-number lines not yet added)."""

    first: int  #: the braille page number of the first page
    pages: list[list[str]] = field(default_factory=list)
    headings: dict[int, int] = field(default_factory=dict)  #: outline index -> braille page

    @property
    def next(self) -> int:
        """The number the page after these would have."""
        return self.first + len(self.pages)


def paginate(flow: Sequence[Line], capacity: int, first: int) -> Pages:
    """Place the flow on pages of ``capacity`` lines, starting at braille page ``first``.

    A run of lines joined by ``keep`` (a heading with the lines after it, a box line with its
    neighbour) goes whole to the next page when it does not fit, unless it is longer than a page.
    """
    out = Pages(first)
    page: list[str] = []

    def new_page() -> None:
        nonlocal page
        while page and not page[-1]:
            page.pop()
        out.pages.append(page)
        page = []

    i = 0
    while i < len(flow):
        line = flow[i]
        if line.new_page and page:
            new_page()
        if line.is_blank and not page:
            i += 1  # no blank line at the top of a page
            continue
        group = _group(flow, i)
        if page and len(page) + group > capacity and group <= capacity:
            new_page()
            continue
        if len(page) >= capacity:
            new_page()
            continue
        if line.heading is not None:
            out.headings[line.heading] = out.first + len(out.pages)
        page.append(line.cells)
        i += 1
    if page or not out.pages:
        new_page()
    return out


def _group(flow: Sequence[Line], i: int) -> int:
    """How many lines from ``i`` must share a page (blank lines at the end not counted)."""
    j = i
    while j < len(flow) - 1 and flow[j].keep:
        j += 1
    while j > i and flow[j].is_blank:
        j -= 1
    return j - i + 1


def number_pages(pages: Sequence[Sequence[str]], first: int, settings: Settings,
                 number: Callable[[int], str]) -> list[list[str]]:
    """Every page with its page-number line (top or bottom, right-justified) added."""
    out = []
    for n, lines in enumerate(pages, start=first):
        cells = number(n)
        numbered = blank(settings.cells - len(cells)) + cells
        body = [line.rstrip(BLANK) for line in lines]
        if settings.number_at_top:
            out.append([numbered, *body])
        else:
            out.append([*body, *([""] * (settings.text_lines - len(body))), numbered])
    return out
