"""The transcriber: document blocks as a flow of braille lines, set as the guidance says.

One method per block kind (``block_<kind>``): a new kind in the model needs one new method.
Indents follow styles/braille.yaml: paragraphs in cell 3 with runovers in cell 1, list items in
cell 1 with runovers in cell 3, headings centred or at set cells by level, callouts boxed.
Words are never divided between lines [BANA §1.10.1]; only an unspaced sequence longer than a
whole line (a web address) is carried on with UEB's line continuation indicator, dot 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exporter.locale import Messages
from exporter.model import (
    Block,
    Break,
    Callout,
    CodeBlock,
    DefinitionList,
    Figure,
    Heading,
    Inline,
    ListBlock,
    Note,
    Paragraph,
    Quote,
    Table,
)
from exporter.outline import Outline
from exporter.writers.base import WriterError
from exporter.writers.braille.cells import (
    BLANK,
    BOTTOM_BOX,
    CONTINUATION,
    SEPARATOR,
    TN_CLOSE,
    TN_OPEN,
    TOP_BOX,
    blank,
)
from exporter.writers.braille.inline import segments
from exporter.writers.braille.settings import HeadingForm, Indent, Settings
from exporter.writers.braille.translator import Braille


@dataclass
class Line:
    """One braille line of the flow, before it is placed on a page."""

    cells: str = ""  #: Unicode braille with its leading blank cells; "" for a blank line
    keep: bool = False  #: must stay on the same page as the next line
    heading: int | None = None  #: the outline index of the heading this line starts
    new_page: bool = False  #: starts a new braille page

    @property
    def is_blank(self) -> bool:
        return not self.cells


def wrap(cells: str, indent: Indent, width: int) -> list[str]:
    """Cells broken into lines at blank cells: the first line from cell ``indent.first``,
    the others from ``indent.runover``; a sequence longer than a line is carried on with dot 5."""
    lines: list[str] = []
    current = ""
    for word in cells.split(BLANK):
        if not word:
            continue
        start = blank((indent.first if not lines and not current else indent.runover) - 1)
        if current and len(current) + 1 + len(word) <= width:
            current += BLANK + word
            continue
        if current:
            lines.append(current)
            start = blank(indent.runover - 1)
        room = width - len(start)
        while len(word) > room:  # longer than a whole line: carry it on
            lines.append(start + word[: room - 1] + CONTINUATION)
            word = word[room - 1:]
            start = blank(indent.runover - 1)
            room = width - len(start)
        current = start + word
    if current:
        lines.append(current)
    return lines


def centre(cells: str, width: int, margin: int) -> list[str]:
    """Cells as centred lines, each with at least ``margin`` blank cells on either side."""
    lines = wrap(cells, Indent(1, 1), width - 2 * margin)
    return [blank((width - len(line)) // 2) + line for line in lines]


class Transcriber:
    """Lays out blocks into a flow of lines; pagination comes after (see paginate.py)."""

    def __init__(self, settings: Settings, braille: Braille, outline: Outline,
                 words: Messages) -> None:
        self.s = settings
        self.braille = braille
        self.outline = outline
        self.words = words
        self.flow: list[Line] = []
        self._keep_for = 0  #: text lines still to keep with the heading above them

    def segments(self, children: tuple[Inline, ...]) -> list[str]:
        """Inline content as braille text, links to other pages named in this language."""
        return segments(children, self.words)

    # ------------------------------------------------------------ the flow

    def emit(self, cells: str, *, keep: bool = False, heading: int | None = None,
             new_page: bool = False) -> None:
        if self._keep_for and self.flow:
            self.flow[-1].keep = True
            self._keep_for -= 1
        self.flow.append(Line(cells, keep, heading, new_page))

    def blank_line(self) -> None:
        """One blank line; never two in a row, never at the start."""
        if self.flow and not self.flow[-1].is_blank:
            if self._keep_for:  # still inside a heading's group
                self.flow[-1].keep = True
            self.flow.append(Line())

    def lines(self, text_cells: str, indent: Indent, *, keep_last: bool = False) -> None:
        wrapped = wrap(text_cells, indent, self.s.cells)
        for i, line in enumerate(wrapped):
            self.emit(line, keep=keep_last and i == len(wrapped) - 1)

    def text(self, segs: Sequence[str], indent: Indent, depth: int = 0) -> None:
        """Print segments (hard line breaks between them) as lines at an indent."""
        shifted = Indent(indent.first + depth, indent.runover + depth)
        for i, seg in enumerate(segs):
            self.lines(self.braille.cells(seg),
                       shifted if i == 0 else Indent(shifted.runover, shifted.runover))

    # ------------------------------------------------------------ blocks

    def blocks(self, blocks: Sequence[Block], depth: int = 0) -> None:
        for b in blocks:
            self.block(b, depth)

    def block(self, b: Block, depth: int = 0) -> None:
        method = getattr(self, f"block_{type(b).__name__.lower()}", None)
        if method is None:
            raise WriterError(f"braille: the braille layout has no form for a "
                              f"{type(b).__name__} block yet (line {getattr(b, 'line', '?')})")
        method(b, depth)

    def block_heading(self, h: Heading, depth: int = 0) -> None:
        form: HeadingForm = self.s.heading(h.level)
        cells = self.braille.cells(self.outline.of(h).title)
        if form.centred:
            lines = centre(cells, self.s.cells, self.s.centred_margin)
        else:
            lines = wrap(cells, Indent(form.cell, form.cell), self.s.cells)
        self.blank_line()
        for i, line in enumerate(lines):
            self.emit(line, keep=True, heading=h.index if i == 0 else None,
                      new_page=form.new_page and i == 0)
        if form.centred:
            self.blank_line()
            self.flow[-1].keep = True
        self._keep_for = self.s.keep_after_heading

    def block_paragraph(self, p: Paragraph, depth: int = 0) -> None:
        self.text(self.segments(p.children), self.s.paragraph, depth)

    def block_listblock(self, lst: ListBlock, depth: int = 0) -> None:
        if depth == 0:
            self.blank_line()
        step = self.s.list_step * depth
        item_indent = Indent(self.s.list.first + step, self.s.list.runover + step)
        for n, item in enumerate(lst.items, start=lst.start):
            marker = f"{n}{self.s.number_suffix} " if lst.ordered else \
                (f"{self.s.bullet} " if self.s.bullet else "")
            for i, b in enumerate(item.blocks):
                if i == 0 and isinstance(b, Paragraph):
                    segs = self.segments(b.children)
                    self.text([marker + segs[0], *segs[1:]] if segs else [marker], item_indent)
                elif isinstance(b, Paragraph):  # a later paragraph of the same item
                    self.text(self.segments(b.children), Indent(item_indent.runover,
                                                           item_indent.runover))
                else:
                    self.block(b, depth + 1)
        if depth == 0:
            self.blank_line()

    def block_callout(self, c: Callout, depth: int = 0) -> None:
        self.emit(TOP_BOX * self.s.cells, keep=True)
        self.lines(self.braille.cells(c.label), Indent(1, 1 + self.s.list_step), keep_last=True)
        start = len(self.flow)
        self.blocks(c.blocks)
        while self.flow and self.flow[-1].is_blank:  # no blank line before a bottom box line
            self.flow.pop()
        if len(self.flow) > start:
            self.flow[-1].keep = True
        self.emit(BOTTOM_BOX * self.s.cells)

    def block_table(self, t: Table, depth: int = 0) -> None:
        """Linear format [BANA §11.17]: the caption, then each row as one entry, every cell
        after its column heading ("heading: entry"), cells separated by semicolons."""
        self.blank_line()
        caption = " ".join(self.segments(t.caption))
        title = f"{self.words('table')}: {caption}" if caption else self.words("table")
        self.text([title], Indent(1, 1 + self.s.list_step))
        headings = [" ".join(self.segments(c.children)) for c in t.header]
        for row in t.rows:
            parts = []
            for heading, cell in zip(headings, row, strict=False):
                value = " ".join(self.segments(cell.children))
                if value:
                    parts.append(f"{heading}: {value}" if heading else value)
            self.text([self.s.table_separator.join(parts)], self.s.table)
        self.blank_line()

    def block_figure(self, f: Figure, depth: int = 0) -> None:
        """The picture described in a transcriber's note [UEB §3.27], then its caption."""
        self.note(f"{self.words('image')}: {f.image.alt}")
        if f.caption:
            self.text(self.segments(f.caption), self.s.paragraph, depth)

    def block_quote(self, q: Quote, depth: int = 0) -> None:
        """Displayed material: blocked in cell 3, a blank line before and after [UKAAF App. G]."""
        self.blank_line()
        for b in q.blocks:
            if isinstance(b, Paragraph):
                self.text(self.segments(b.children), self.s.quote, depth)
            else:
                self.block(b, depth + 1)
        if q.attribution:
            self.text(self.segments(q.attribution), self.s.quote, depth + self.s.list_step)
        self.blank_line()

    def block_definitionlist(self, d: DefinitionList, depth: int = 0) -> None:
        """Each term in cell 1, its definitions blocked in cell 3."""
        self.blank_line()
        for item in d.items:
            self.text(self.segments(item.term), self.s.list, depth)
            for definition in item.definitions:
                for b in definition:
                    if isinstance(b, Paragraph):
                        self.text(self.segments(b.children), self.s.quote, depth)
                    else:
                        self.block(b, depth + 1)
        self.blank_line()

    def block_codeblock(self, c: CodeBlock, depth: int = 0) -> None:
        """Each line of the code on its own braille line(s), blocked, after a note saying so."""
        self.note(self.words("code"))
        for line in c.text.splitlines():
            self.text([line], Indent(1 + depth, 1 + depth + self.s.list_step))
        self.blank_line()

    def block_break(self, b: Break, depth: int = 0) -> None:
        """A change of topic: a centred row of separator cells between blank lines."""
        self.blank_line()
        self.emit(centre(SEPARATOR * 6, self.s.cells, 0)[0])
        self.blank_line()

    def notes(self, notes: Sequence[Note]) -> None:
        """Footnotes at the end of the text, under a centred label, each numbered in cell 1."""
        if not notes:
            return
        self.blank_line()
        label = centre(self.braille.cells(self.words("notes")), self.s.cells,
                       self.s.centred_margin)
        for line in label:
            self.emit(line, keep=True)
        self.blank_line()
        self._keep_for = self.s.keep_after_heading
        for note in notes:
            for i, b in enumerate(note.blocks):
                if i == 0 and isinstance(b, Paragraph):
                    segs = self.segments(b.children) or [""]
                    self.text([f"[{note.number}] {segs[0]}", *segs[1:]], self.s.list)
                else:
                    self.block(b, 1)

    def note(self, text: str) -> None:
        """A transcriber's note: the words between UEB's transcriber's note indicators."""
        self.blank_line()
        cells = TN_OPEN + self.braille.cells(text) + TN_CLOSE
        self.lines(cells, Indent(1 + self.s.list_step * 2, 1 + self.s.list_step * 2))
