"""The large-print PDF as printed: pages read back with pdfplumber, and the print rules measured."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exporter.checks.common import SIZE_TOLERANCE, is_italic, is_serif
from exporter.contrast import ratio
from exporter.styles import MIN_CONTRAST
from exporter.writers.pdf.bidi_text import logical

Char = Mapping[str, Any]
RGB = tuple[float, float, float]
WHITE: RGB = (255.0, 255.0, 255.0)
#: Page furniture (running heads, page numbers) sits within this share of the page's height.
MARGIN_BAND = 0.15
#: A PDF is called justified when this share of its full body lines end flush right.
JUSTIFIED_SHARE = 0.4
#: Slant (horizontal shear of the glyph matrix) above which text is synthetic oblique.
MAX_SLANT = 0.05


@dataclass(frozen=True)
class Page:
    """One page as read back by pdfplumber: its glyphs and filled rectangles, in drawing order."""

    number: int
    width: float
    height: float
    chars: tuple[Char, ...]  #: visible glyphs (no spaces)
    every: tuple[Char, ...]  #: every glyph, spaces included (for lines as read)
    marked: dict[int, str]  #: text of each marked-content id, spaces included
    rects: tuple[Mapping[str, Any], ...]
    #: pictures drawn, (top, bottom) in points from the top of the page
    pictures: tuple[tuple[float, float], ...] = ()

    @property
    def body(self) -> list[Char]:
        return [c for c in self.chars if c.get("tag") != "Artifact"]

    def lines(self, *, body: bool = False) -> list[Line]:
        """Lines as read, spaces included; ``body`` leaves out artifacts."""
        chars = [c for c in self.every if not body or c.get("tag") != "Artifact"]
        return [line for line in _lines(self.number, chars) if line.text.strip()]

    def at(self, c: Char) -> str:
        """Where a glyph is: the page and the start of its line."""
        line = next((ln for ln in self.lines() if c in ln.chars), None)
        text = line.text.strip()[:40] if line else str(c.get("text", ""))
        return f"page {self.number}, '{text}'"


@dataclass(frozen=True)
class Line:
    """Glyphs sharing a baseline."""

    page: int
    chars: tuple[Char, ...]

    @property
    def text(self) -> str:
        return "".join(str(c["text"]) for c in self.chars)

    @property
    def ink(self) -> tuple[Char, ...]:
        """The visible glyphs (a trailing space must not move the line's end)."""
        return tuple(c for c in self.chars if str(c["text"]).strip()) or self.chars

    @property
    def x0(self) -> float:
        return min(float(c["x0"]) for c in self.ink)

    @property
    def x1(self) -> float:
        return max(float(c["x1"]) for c in self.ink)

    @property
    def top(self) -> float:
        return min(float(c["top"]) for c in self.chars)


def read_page(page: Any) -> Page:
    chars = tuple(c for c in page.chars if str(c.get("text", "")).strip())
    by_mcid: dict[int, list[tuple[str, float]]] = {}
    for c in page.chars:
        if c.get("mcid") is not None:
            by_mcid.setdefault(int(c["mcid"]), []).append((str(c["text"]), float(c["bottom"])))
    marked = {mcid: logical(glyphs) for mcid, glyphs in by_mcid.items()}
    rects = tuple(r for r in page.rects if r.get("fill"))
    pictures = tuple(sorted((float(i["top"]), float(i["bottom"])) for i in page.images))
    return Page(page.page_number, float(page.width), float(page.height), chars,
                tuple(page.chars), marked, rects, pictures)


def _lines(page: int, chars: Sequence[Char]) -> list[Line]:
    """Group glyphs by baseline (2pt tolerance), each line left to right."""
    lines: list[list[Char]] = []
    for c in sorted(chars, key=lambda c: (float(c["bottom"]), float(c["x0"]))):
        if lines and abs(float(lines[-1][-1]["bottom"]) - float(c["bottom"])) <= 2:
            lines[-1].append(c)
        else:
            lines.append([c])
    return [Line(page, tuple(sorted(cs, key=lambda c: float(c["x0"])))) for cs in lines]


def tagged_headings(tree: Sequence[Mapping[str, Any]], pages: Sequence[Page]) -> list[
        tuple[int, str]]:
    text = {(p.number, mcid): t for p in pages for mcid, t in p.marked.items()}
    out: list[tuple[int, str]] = []

    def mcids(el: Mapping[str, Any]) -> Iterator[tuple[int, int]]:
        for m in el.get("mcids") or []:
            yield int(el.get("page_number") or 0), int(m)
        for kid in el.get("children") or []:
            yield from mcids(kid)

    def walk(elements: Sequence[Mapping[str, Any]]) -> None:
        for el in elements:
            kind = str(el.get("type", ""))
            if re.fullmatch(r"H[1-6]?", kind):
                label = " ".join(text.get(k, "") for k in mcids(el))
                out.append((int(kind[1:]) if len(kind) == 2 else 0, label))
            else:
                walk(el.get("children") or [])

    walk(tree)
    return out


#: The page number as printed when the catalogue's words are not known.
DEFAULT_PHRASE = "Page {page} of {pages}"


def artifacts(pages: Sequence[Page], phrase: str = DEFAULT_PHRASE) -> list[str]:
    problems = []
    for p in pages:
        loose = [c for c in p.chars if c.get("mcid") is None and c.get("tag") != "Artifact"]
        if loose:
            problems.append(f"page {p.number}: text neither tagged nor an artifact: "
                            f"{p.at(loose[0])}")
        for line in _number_lines(p, phrase):
            tagged = [c for c in line.chars if c.get("tag") != "Artifact"]
            if tagged:
                problems.append(f"page {p.number}: page number '{line.text}' is tagged content, "
                                "not an artifact: screen readers read it")
    return problems


def _number_lines(page: Page, phrase: str) -> list[Line]:
    """Lines in the top or bottom margin band that show the page's number.

    A line counts when it is page furniture (every glyph an artifact) showing the number, or
    when it reads as a page number whatever its tagging: the language's phrase ("Page 3 of
    8") or the number alone. A line of the text that happens to sit near the top or bottom
    ("3 times a week" on page 3) is neither, and is left alone.
    """
    band = page.height * MARGIN_BAND
    token = re.compile(rf"(?<!\d){page.number}(?!\d)")
    shown = _phrase(phrase, page.number)
    out = []
    for line in page.lines():
        if not (line.top < band or line.top > page.height - band):
            continue
        furniture = all(c.get("tag") == "Artifact" for c in line.ink)
        text = line.text.strip()
        if (furniture and token.search(text)) or shown.fullmatch(text) or text == str(
                page.number):
            out.append(line)
    return out


def _phrase(template: str, number: int) -> re.Pattern[str]:
    """The page-number phrase for one page, spaces optional (glyphs may be read without them)."""
    parts = re.split(r"(\{page\}|\{pages\})", template)
    regex = ""
    for part in parts:
        if part == "{page}":
            regex += rf"\s*{number}\s*"
        elif part == "{pages}":
            regex += r"\s*\d+\s*"
        else:
            regex += r"\s*".join(re.escape(w) for w in part.split())
    return re.compile(regex, re.IGNORECASE)


def sizes(pages: Sequence[Page], size: float, phrase: str = DEFAULT_PHRASE) -> list[str]:
    problems = []
    body = [(p, c) for p in pages for c in p.body]
    if body:
        page, small = min(body, key=lambda pc: float(pc[1]["size"]))
        if float(small["size"]) < size - SIZE_TOLERANCE:
            problems.append(f"smallest body glyph {float(small['size']):.1f}pt < {size:g}pt at "
                            f"{page.at(small)}")
    else:
        problems.append("no body text found")
    numbers = [(p.number, c) for p in pages for line in _number_lines(p, phrase)
               for c in line.chars if str(c["text"]).isdigit()]
    if numbers:
        number, digit = min(numbers, key=lambda pc: float(pc[1]["size"]))
        if float(digit["size"]) < size - SIZE_TOLERANCE:
            problems.append(f"page number {float(digit['size']):.1f}pt < {size:g}pt "
                            f"on page {number}")
    return problems


def page_numbers(pages: Sequence[Page], phrase: str = DEFAULT_PHRASE) -> list[str]:
    problems, places = [], set()
    for p in pages:
        lines = _number_lines(p, phrase)
        if not lines:
            problems.append(f"page {p.number}: no page number in the top or bottom margin")
        else:
            places.add((round(lines[-1].top), round(lines[-1].x0)))
    if len(places) > 1:
        problems.append(f"page numbers move between pages: {sorted(places)} (top, left)")
    return problems


def inside_page(pages: Sequence[Page]) -> list[str]:
    """Every visible glyph wholly on the page: a table or a line too wide is cut off in print."""
    problems = []
    for p in pages:
        out = [c for c in p.chars
               if float(c["x0"]) < -0.5 or float(c["x1"]) > p.width + 0.5
               or float(c["top"]) < -0.5 or float(c["bottom"]) > p.height + 0.5]
        if out:
            problems.append(f"page {p.number}: {len(out)} glyphs outside the page, cut off in "
                            f"print, from {p.at(out[0])}")
    return problems


def serif(pages: Sequence[Page]) -> list[str]:
    bad: dict[str, int] = {}
    for p in pages:
        for c in p.chars:
            if is_serif(str(c.get("fontname", ""))):
                bad.setdefault(str(c["fontname"]), p.number)
    return [f"serif or monospaced face {font} from page {page}" for font, page in bad.items()]


def italic(pages: Sequence[Page]) -> list[str]:
    problems = []
    for p in pages:
        slanted = [c for c in p.chars if is_italic(str(c.get("fontname", ""))) or _slant(c)]
        if slanted:
            problems.append(f"italic text ({slanted[0].get('fontname')}) at "
                            f"{p.at(slanted[0])}")
    return problems


def _slant(c: Char) -> bool:
    matrix = c.get("matrix") or (1, 0, 0, 1, 0, 0)
    _, b, cc, d = (float(v) for v in matrix[:4])
    scale = abs(d) or 1.0
    return abs(cc) / scale > MAX_SLANT and abs(b) < 1e-6


def alignment(pages: Sequence[Page], kinds: Mapping[tuple[int, int], str] | None = None
              ) -> list[str]:
    """Left-aligned and ragged right: no centred or right-set lines, no justified paragraphs.

    Justification is judged on the body's running text only: a long heading's lines (or a
    caption's, a table cell's) are broken before the margin too, and end near it by chance.
    ``kinds`` gives the structure type of the block holding each marked text (page number,
    MCID); without it every line counts.
    """
    problems = []
    lines = [line for p in pages for line in p.lines(body=True)]
    if not lines:
        return ["no body text found"]
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    middle = (left + right) / 2
    # Counted once (a page of 10,000 links has as many lines): how many lines start at each
    # whole point.
    ends = [(line.x0, line.x1) for line in lines]
    starts = Counter(round(x0) for x0, _ in ends)
    for line, (x0, x1) in zip(lines, ends, strict=True):
        alone = sum(starts[s] for s in range(math.ceil(x0 - 1), math.floor(x0 + 1) + 1)) == 1
        centred = abs((x0 + x1) / 2 - middle) <= 3 and x0 - left > 20
        flush_right = abs(x1 - right) <= 1 and x0 - left > 20
        if alone and (centred or flush_right):
            how = "centred" if centred else "set flush right"
            problems.append(f"page {line.page}: line '{line.text[:40]}' is {how}")
    full = [line for line in lines if line.text.count(" ") >= 3 and not _leader(line)
            and (kinds is None or kinds.get((line.page, mcid(line))) in RUNNING_TEXT)]
    flush = [line for line in full if right - line.x1 <= 0.5]
    if len(full) >= 5 and len(flush) / len(full) >= JUSTIFIED_SHARE:
        problems.insert(0, f"text is justified: {len(flush)} of {len(full)} lines end flush "
                        f"right (first: page {flush[0].page}, '{flush[0].text[:40]}')")
    return problems


#: The blocks whose lines are running text: paragraphs and list items' bodies.
RUNNING_TEXT = frozenset({"P", "LBody", "LI", "BlockQuote", "Div"})


def mcid(line: Line) -> int:
    """The marked-content id of a line's last tagged glyph (-1 when none is tagged): its
    running text, where the first may be a list item's bullet, tagged apart (Lbl)."""
    return next((int(c["mcid"]) for c in reversed(line.ink) if c.get("mcid") is not None), -1)


def _leader(line: Line) -> bool:
    """A contents line with a dot leader to its page number ends flush right by design."""
    return re.search(r"(?:\.\s*){3,}\d*\s*$", line.text) is not None


def contrast(pages: Sequence[Page]) -> list[str]:
    worst: tuple[float, Page, Char, RGB, RGB] | None = None
    for p in pages:
        for c in p.chars:
            fg = _rgb(c.get("non_stroking_color"))
            if fg is None:
                continue
            bg = _background(p, c)
            r = ratio(fg, bg)
            if worst is None or r < worst[0]:
                worst = (r, p, c, fg, bg)
    if worst is None or worst[0] >= MIN_CONTRAST:
        return []
    r, page, c, fg, bg = worst
    return [f"contrast {r:.2f}:1 < {MIN_CONTRAST}:1 at {page.at(c)}: text {_hex(fg)} on "
            f"{_hex(bg)}"]


def _background(page: Page, c: Char) -> RGB:
    """The colour under a glyph's centre: the last filled shape containing it (even-odd aware)."""
    x = (float(c["x0"]) + float(c["x1"])) / 2
    y = (float(c["top"]) + float(c["bottom"])) / 2
    bg = WHITE
    for colour, group in _shapes(page.rects):
        inside = sum(float(g["x0"]) <= x <= float(g["x1"])
                     and float(g["top"]) <= y <= float(g["bottom"]) for g in group)
        if colour is not None and inside % 2 == 1:
            bg = colour
    return bg


def _shapes(rects: Sequence[Mapping[str, Any]]) -> Iterator[
        tuple[RGB | None, list[Mapping[str, Any]]]]:
    """Filled shapes in drawing order; one even-odd path (a box's border) reads back as
    several rectangles in a row, filled where a point lies inside an odd number of them."""
    i = 0
    while i < len(rects):
        group = [rects[i]]
        colour = rects[i].get("non_stroking_color")
        while (rects[i].get("evenodd") and i + len(group) < len(rects)
               and rects[i + len(group)].get("evenodd")
               and rects[i + len(group)].get("non_stroking_color") == colour):
            group.append(rects[i + len(group)])
        yield _rgb(colour), group
        i += len(group)


def _rgb(colour: Any) -> RGB | None:
    """A fill colour (gray, RGB or CMYK, 0-1) as 0-255 RGB; None for patterns and the unknown."""
    if isinstance(colour, int | float):
        colour = (colour,)
    if not isinstance(colour, tuple | list) or not all(isinstance(v, int | float) for v in colour):
        return None
    v = [float(x) for x in colour]
    if len(v) == 1:
        return (v[0] * 255, v[0] * 255, v[0] * 255)
    if len(v) == 3:
        return (v[0] * 255, v[1] * 255, v[2] * 255)
    if len(v) == 4:
        c, m, y, k = v
        return (255 * (1 - c) * (1 - k), 255 * (1 - m) * (1 - k), 255 * (1 - y) * (1 - k))
    return None


def _hex(rgb: RGB) -> str:
    return "#" + "".join(f"{round(v):02X}" for v in rgb)
