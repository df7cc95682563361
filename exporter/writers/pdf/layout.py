"""Print layout decisions made before rendering: which tables fit the page, how big each figure is.

A table is too wide when the narrowest it can be set without breaking a word is wider than
the text width at its place on the page. That width is measured: for each column, the widest
unbreakable run of text (a word, a number, a phone number kept whole) in the real font at the
body size, bold where the text is bold, plus the cell's padding and border. A column count
says nothing: two columns of long drug names overflow where six columns of ticks fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from exporter.html import KEEP_TOGETHER
from exporter.model import (
    Block,
    Callout,
    Cell,
    Code,
    DefinitionList,
    Emphasis,
    Figure,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    inline_runs,
    iter_inlines,
    plain_text,
)

# Geometry in em of the body size. The stylesheet's rules for these boxes are generated from
# the same numbers (css.geometry_css), so what is measured here is what is printed.
LIST_INDENT = 1.5  #: ul, ol: padding-left
CALLOUT_BORDER = 0.15  #: callout box: border, on each side
CALLOUT_PADDING = 0.75  #: callout box: padding, on each side
QUOTE_RULE = 0.25  #: blockquote: the rule on its left
QUOTE_PADDING = 0.75  #: blockquote: between the rule and the text
DEFINITION_INDENT = 1.5  #: a definition under its term
CELL_PADDING = 0.4  #: table cells: left and right padding each
CELL_BORDER = 0.08  #: table cell borders (collapsed: one per column boundary)
#: A list item of at most this many lines is never left alone at a page break (kept with the
#: item next to it): one or two lines alone at the foot or head of a page read as a stray
#: line ("fertility problems"). A longer item stands on its own, like a paragraph; holding
#: two long items together would leave gaps of half a page.
SHORT_ITEM_LINES = 2
#: Measured widths are without kerning; a little room keeps a table that only just fits from
#: overflowing by rounding.
SAFETY = 1.02
#: A picture is never shown at more than this many CSS pixels per image pixel: blown up
#: further it turns to blur and blocks, which helps nobody.
MAX_UPSCALE = 2.0
PX_PER_PT = 4 / 3  # CSS: 96 px to the inch, 72 pt to the inch
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Face:
    """Advance widths of one font file, in em."""

    widths: Mapping[int, float]  #: code point -> advance in em
    fallback: float  #: for a character the face lacks (another face draws it)
    tracking: float = 0.0  #: extra space after every character (letter spacing), in em

    def width(self, text: str) -> float:
        return sum(self.widths.get(ord(ch), self.fallback) for ch in text) + \
            self.tracking * len(text)

    def tracked(self, tracking: float) -> Face:
        """The same face set with ``tracking`` em of letter spacing."""
        return self if tracking == self.tracking else replace(self, tracking=tracking)


@cache
def load_face(path: Path) -> Face:
    """A face's advances from its cmap and hmtx tables (the default instance of a variable font)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(path, lazy=True) as font:
        units = float(font["head"].unitsPerEm)
        metrics = font["hmtx"].metrics
        widths = {cp: metrics[name][0] / units for cp, name in font.getBestCmap().items()
                  if name in metrics}
    # Unknown characters are measured as wide as the face's widest common letter, so a word
    # in a script the face lacks is over- rather than under-estimated.
    fallback = max((widths.get(ord(c), 0.0) for c in "MWmw"), default=1.0) or 1.0
    return Face(widths, fallback)


@dataclass(frozen=True)
class Faces:
    """The faces text is set in: body regular and bold, and the code face."""

    regular: Face
    bold: Face
    code: Face

    def of(self, *, bold: bool, code: bool) -> Face:
        return self.code if code else (self.bold if bold else self.regular)


@dataclass(frozen=True)
class FigureSize:
    """The printed size of a picture, in points."""

    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    """What the markup needs to know about the page: which tables re-flow, how big figures are.

    Keys are ``id()`` of the model's blocks, which live (unchanged) for the whole render.
    """

    reflow: frozenset[int] = frozenset()
    figures: Mapping[int, FigureSize] = field(default_factory=dict)
    #: list items short enough to look stranded alone at a page break (SHORT_ITEM_LINES)
    short: frozenset[int] = frozenset()
    #: blocks whose keep was let go (fill.py), by their key (``keep_key``)
    relaxed: frozenset[str] = frozenset()

    def reflowed(self, table: Table) -> bool:
        return id(table) in self.reflow

    def is_short(self, item: ListItem) -> bool:
        return id(item) in self.short

    def kept(self, block: ListBlock | Callout | Table) -> bool:
        """False once the block's keep was let go (it left a page too empty)."""
        return keep_key(block) not in self.relaxed


    def figure_size(self, figure: Figure) -> FigureSize | None:
        return self.figures.get(id(figure))


def keep_key(block: ListBlock | Callout | Table) -> str:
    """A block's name in the page (``data-keep``): its kind and source line, which no two
    lists, callouts or tables share."""
    kind = "list" if isinstance(block, ListBlock) else (
        "table" if isinstance(block, Table) else "callout")
    return f"{kind}-{block.line}"


@dataclass(frozen=True)
class Page:
    """The space text has, in points, and the body size."""

    text_width: float
    text_height: float
    size: float  #: body size, pt
    line_height: float = 1.5  #: line spacing, times the size


def plan(blocks: Iterable[Block], notes: Iterable[Note], page: Page,
         faces: Callable[[], Faces]) -> Layout:
    """Decide every table and figure of the document (notes included); the faces are only
    loaded when there is a table to measure."""
    reflow: set[int] = set()
    figures: dict[int, FigureSize] = {}
    placed = [*_placed(blocks, 0.0), *(p for n in notes for p in _placed(n.blocks, 0.0))]
    loaded: Faces | None = None
    short: set[int] = set()
    for block, inset in placed:
        width = page.text_width - inset * page.size
        if isinstance(block, ListBlock):
            loaded = loaded or faces()
            short |= {id(item) for item in block.items
                      if item_lines(item, loaded, width / page.size) <= SHORT_ITEM_LINES}
        elif isinstance(block, Table):
            loaded = loaded or faces()
            if table_min_width(block, loaded, page.size) > width:
                reflow.add(id(block))
        elif isinstance(block, Figure):
            figures[id(block)] = figure_size(block.image, width, page)
    return Layout(frozenset(reflow), figures, frozenset(short))


def item_lines(item: ListItem, faces: Faces, width_em: float) -> int:
    """About how many lines a list item prints in (words filled greedily in the regular
    face); an item holding more than paragraphs (a nested list, a table) counts as long."""
    if not all(isinstance(b, Paragraph) for b in item.blocks):
        return SHORT_ITEM_LINES + 1
    face = faces.regular
    space = face.width(" ")
    total = 0
    for block in item.blocks:
        assert isinstance(block, Paragraph)
        lines, used = 1, 0.0
        for word in _words(plain_text(block.children)):
            wide = face.width(word)
            if used and used + space + wide > width_em:
                lines, used = lines + 1, wide
            else:
                used += (space if used else 0.0) + wide
        total += lines
    return total


def missing_glyphs(text: str, face: Face) -> set[str]:
    """The characters of ``text`` a face cannot draw (spaces and controls aside)."""
    return {ch for ch in set(text) if ord(ch) >= 0x80 and not ch.isspace()
            and ord(ch) not in face.widths}


def uses_code(blocks: tuple[Block, ...], notes: Iterable[Note]) -> bool:
    """True when the document shows code (a block or inline), so the code face is needed."""
    everything = (*blocks, *(b for n in notes for b in n.blocks))
    return any(isinstance(run, str) for run in inline_runs(everything)) or any(
        isinstance(node, Code) for node in iter_inlines(everything))


def image_files(blocks: Iterable[Block], notes: Iterable[Note]) -> tuple[Path, ...]:
    """The picture files a document shows, each once, resolved."""
    placed = [*_placed(blocks, 0.0), *(p for n in notes for p in _placed(n.blocks, 0.0))]
    return tuple(dict.fromkeys(Path(b.image.path).resolve() for b, _ in placed
                               if isinstance(b, Figure) and b.image.path))


def _placed(blocks: Iterable[Block], inset: float) -> Iterator[tuple[Block, float]]:
    """Every table and figure with how far (em) its containers take it in from both sides."""
    for b in blocks:
        if isinstance(b, Table | Figure):
            yield b, inset
        elif isinstance(b, ListBlock):
            yield b, inset + LIST_INDENT
            for item in b.items:
                yield from _placed(item.blocks, inset + LIST_INDENT)
        elif isinstance(b, Callout):
            yield from _placed(b.blocks, inset + 2 * (CALLOUT_BORDER + CALLOUT_PADDING))
        elif isinstance(b, Quote):
            yield from _placed(b.blocks, inset + QUOTE_RULE + QUOTE_PADDING)
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                for definition in entry.definitions:
                    yield from _placed(definition, inset + DEFINITION_INDENT)


def table_min_width(table: Table, faces: Faces, size: float) -> float:
    """The narrowest the table can be set without breaking a word, in points."""
    columns = len(table.header)
    widest = [0.0] * columns
    for row in (table.header, *table.rows):
        for i, cell in enumerate(row[:columns]):
            widest[i] = max(widest[i], cell_min_width(cell, faces, bold=row is table.header))
    per_column = 2 * CELL_PADDING + CELL_BORDER
    return (sum(widest) * SAFETY + columns * per_column + CELL_BORDER) * size


def cell_min_width(cell: Cell, faces: Faces, *, bold: bool = False) -> float:
    """The widest unbreakable run in a cell, in em."""
    return max((w for w in _runs(cell.children, faces, bold=bold, code=False)), default=0.0)


def _runs(nodes: Iterable[Inline], faces: Faces, *, bold: bool, code: bool) -> Iterator[float]:
    """Widths (em) of the unbreakable runs of some inline content.

    Runs end at spaces only: a line may also break after a hyphen or a dash, but a table
    whose columns only fit by splitting "beta-1a" is not one anybody wants to read. A run
    that crosses from one inline into the next (``**MS**-related``) is measured in parts,
    each in its own face; the markup puts no space between them, so this slightly
    under-measures such a run; SAFETY covers the usual cases.
    """
    for node in nodes:
        if isinstance(node, Text | Code):
            face = faces.of(bold=bold, code=code or isinstance(node, Code))
            yield from (face.width(word) for word in _words(node.text))
        elif isinstance(node, Strong | Emphasis):
            yield from _runs(node.children, faces, bold=True, code=code)
        elif isinstance(node, Link):
            # A printed address after the text may break anywhere (overflow-wrap: anywhere).
            yield from _runs(node.children, faces, bold=bold, code=code)
        elif isinstance(node, NoteRef):
            yield faces.of(bold=bold, code=False).width(f"[{node.number}]")
        elif isinstance(node, Image | LineBreak):
            continue


def _words(text: str) -> list[str]:
    """Unbreakable runs of plain text: words, with phone numbers and dates kept whole."""
    keep = [m.span() for m in KEEP_TOGETHER.finditer(text)]
    out: list[str] = []
    pos = 0
    for start, end in keep:
        out += _SPACE.split(text[pos:start])
        out.append(text[start:end])
        pos = end
    out += _SPACE.split(text[pos:])
    return [w for w in out if w]


def figure_size(image: Image, width: float, page: Page) -> FigureSize:
    """Fit the text width, never past MAX_UPSCALE x the picture's pixels, and short enough to
    share a page with a few lines of caption (a picture is never split across pages)."""
    if image.width <= 0 or image.height <= 0:
        return FigureSize(width, width * 0.75)
    natural = image.width * MAX_UPSCALE / PX_PER_PT
    w = min(width, natural)
    h = w * image.height / image.width
    tallest = page.text_height - 4 * page.size * page.line_height  # a caption of a few lines
    if h > tallest > 0:
        w, h = w * tallest / h, tallest
    return FigureSize(round(w, 2), round(h, 2))
