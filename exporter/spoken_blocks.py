"""How each block is read aloud: the segments of paragraphs, lists, tables, notes, quotes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from exporter.locale import messages
from exporter.model import (
    Block,
    Break,
    Callout,
    CodeBlock,
    DefinitionList,
    Document,
    Figure,
    Inline,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Table,
    iter_inlines,
    plain_text,
)
from exporter.phrasing import sentence_runs
from exporter.segments import ENDS_SENTENCE, Segment, Target, end_group, sentence
from exporter.sentences import normalise
from exporter.voice import Voice, spoken_inlines


@dataclass
class BlockScript:
    """Builds the segments of the blocks it is given, in reading order, into ``out``."""

    doc: Document
    voice: Voice

    def __post_init__(self) -> None:
        self.words = messages(self.doc.meta.language)
        self.out: list[Segment] = []
        self.notes = {n.number: n for n in self.doc.notes}
        self.pending: list[int] = []  #: notes referred to and not yet read, in order
        self.read: set[int] = set()
        self.holding = 0  #: inside a quotation its notes wait until it ends

    def say(self, parts: Sequence[str | tuple[Inline, ...]], pause_ms: int, kind: str,
            refs: tuple[Inline, ...] = (), literal: bool = False,
            target: Target | None = None, split: bool = True) -> bool:
        """Add the segments of words and runs of inlines, one a sentence: the last run is cut
        into its sentences (words before it go with the first, words after it with the last)
        unless a ``target`` is given or ``split`` is False (an announcement of what follows,
        pointing at no text of its own). False when there is nothing to say."""
        runs = [p for p in parts if isinstance(p, tuple)]
        for run in (*runs, refs):
            self._refer(run)
        last = max((i for i, p in enumerate(parts) if isinstance(p, tuple)), default=-1)
        if target is not None or last < 0 or literal or not split:
            return self._segment(parts, pause_ms, kind, literal, target)
        found = parts[last]
        assert isinstance(found, tuple)
        run = found
        pieces = sentence_runs(run)
        said = False
        for k, piece in enumerate(pieces):
            before = list(parts[:last]) if k == 0 else []
            after = list(parts[last + 1:]) if k == len(pieces) - 1 else []
            pause = pause_ms if k == len(pieces) - 1 else 0
            said |= self._segment([*before, piece.run, *after], pause, kind, False, (run, k))
        return said

    def _segment(self, parts: Sequence[str | tuple[Inline, ...]], pause_ms: int, kind: str,
                 literal: bool, target: Target | None) -> bool:
        text = normalise("".join(p if isinstance(p, str) else plain_text(p) for p in parts))
        if not text:
            return False
        said = "".join(p if isinstance(p, str) else spoken_inlines(p, self.words) for p in parts)
        spoken = sentence(text) if literal else self.voice.spoken(sentence(said))
        self.out.append(Segment(text, spoken, pause_ms, kind, target))
        return True

    def _refer(self, run: tuple[Inline, ...]) -> None:
        for node in iter_inlines((Paragraph(run, 0),)):
            if isinstance(node, NoteRef) and node.number not in self.read \
                    and node.number not in self.pending and node.number in self.notes:
                self.pending.append(node.number)

    def flush(self) -> None:
        """Read the notes referred to so far (not inside a quotation: after it)."""
        while self.pending and not self.holding:
            number = self.pending.pop(0)
            self.read.add(number)
            self._note(number)

    def unread_notes(self) -> None:
        """Notes nothing refers to are still read, at the end, so no words are lost."""
        self.pending += [n for n in sorted(self.notes) if n not in self.read
                         and n not in self.pending]
        self.flush()

    def _note(self, number: int) -> None:
        note, p = self.notes[number], self.voice.pause_paragraph_ms
        label = self.words("note", n=number)
        first, rest = note.blocks[0] if note.blocks else None, note.blocks[1:]
        if isinstance(first, Paragraph):
            self.say([f"{label}: ", first.children], p, "note")
        else:
            self.say([f"{label}:"], self.voice.pause_item_ms, "note")
            rest = note.blocks
        for block in rest:
            self.block(block, kind="note")

    # ------------------------------------------------------------ blocks

    def block(self, block: Block, kind: str = "paragraph", prefix: str = "") -> None:
        v = self.voice
        if isinstance(block, Paragraph):
            self.say([prefix, block.children], v.pause_paragraph_ms, kind)
            self.flush()
        elif isinstance(block, ListBlock):
            self._list(block)
        elif isinstance(block, Callout):
            self._callout(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Figure):
            self._figure(block)
        elif isinstance(block, Quote):
            self._quote(block)
        elif isinstance(block, DefinitionList):
            self._definitions(block)
        elif isinstance(block, CodeBlock):
            self._code(block)
        elif isinstance(block, Break) and self.out:
            # A change of topic: a longer silence, no words (it is not a heading).
            last = self.out[-1]
            self.out[-1] = replace(last, pause_ms=max(last.pause_ms, v.pause_break_ms))
        # Headings start tracks and are handled by body_tracks.

    def _group(self, start: int) -> None:
        """Give the last segment of a list, table or box the longer pause that ends it."""
        self.out[start:] = end_group(self.out[start:], self.voice.pause_paragraph_ms)

    def _list(self, block: ListBlock) -> None:
        start, v = len(self.out), self.voice
        self.say([self.words.plural("list_of", len(block.items))], v.pause_item_ms,
                 "announcement")
        for i, item in enumerate(block.items):
            marker = f"{block.start + i}. " if block.ordered else ""
            for j, inner in enumerate(item.blocks):
                if isinstance(inner, Paragraph):
                    self.say([marker if j == 0 else "", inner.children], v.pause_item_ms, "item")
                    self.flush()
                else:
                    self.block(inner)
        self._group(start)

    def _callout(self, block: Callout) -> None:
        start = len(self.out)
        first = block.blocks[0] if block.blocks else None
        if not isinstance(first, Paragraph):
            self.say([f"{block.label}:"], self.voice.pause_item_ms, "callout")
        for i, inner in enumerate(block.blocks):
            labelled = i == 0 and isinstance(inner, Paragraph)
            self.block(inner, "callout", f"{block.label}: " if labelled else "")
        self._group(start)

    def _table(self, table: Table) -> None:
        start, w, v = len(self.out), self.words, self.voice
        size = (f"{w.plural('table_rows', len(table.rows))}, "
                f"{w.plural('table_columns', len(table.header))}")
        caption = normalise(plain_text(table.caption))
        if caption:
            # "Table: Tips, 3 rows, 2 columns." A caption that ends its own sentence keeps
            # its full stop (it is checked as written), then the size starts a new one.
            joiner = " " if ENDS_SENTENCE.search(caption) else ", "
            self.say([f"{w('table')}: ", table.caption, joiner + size], v.pause_item_ms, "table")
        else:
            self.say([f"{w('table')}: {size}"], v.pause_item_ms, "table")
        self.flush()
        headers = [h.children for h in table.header]
        for n, row in enumerate(table.rows, start=1):
            self.say([f"{w('row', n=n)}."], v.pause_item_ms, "row")
            for header, cell in zip(headers, row, strict=False):
                label = normalise(plain_text(header))
                if not normalise(plain_text(cell.children)):
                    self.say([header, f": {w('blank')}"], v.pause_item_ms, "cell", split=False)
                elif label:
                    self.say([header, ": ", cell.children], v.pause_item_ms, "cell")
                else:
                    self.say([cell.children], v.pause_item_ms, "cell")
            self.flush()
        self._group(start)

    def _figure(self, figure: Figure) -> None:
        start, v = len(self.out), self.voice
        self.say([f"{self.words('image')}: {figure.image.alt}"], v.pause_item_ms, "image")
        self.say([figure.caption], v.pause_paragraph_ms, "caption")
        self.flush()
        self._group(start)

    def _quote(self, quote: Quote) -> None:
        start, w, v = len(self.out), self.words, self.voice
        self.say([f"{w('quote')}."], v.pause_item_ms, "announcement")
        self.holding += 1
        for inner in quote.blocks:
            self.block(inner, "quote")
        self.holding -= 1
        self.say([f"{w('end_of_quote')}."], v.pause_item_ms, "announcement")
        self.say([quote.attribution], v.pause_paragraph_ms, "attribution")
        self.flush()
        self._group(start)

    def _definitions(self, block: DefinitionList) -> None:
        start, v = len(self.out), self.voice
        for item in block.items:
            blocks = [b for definition in item.definitions for b in definition]
            first = blocks[0] if blocks else None
            # The term is a sentence of its own (the talking books highlight it in its <dt>).
            self.say([item.term, ":"], 0 if isinstance(first, Paragraph) else v.pause_item_ms,
                     "definition")
            if isinstance(first, Paragraph):
                self.say([first.children], v.pause_item_ms, "definition")
                blocks = blocks[1:]
            self.flush()
            for inner in blocks:
                self.block(inner, "definition")
        self._group(start)

    def _code(self, block: CodeBlock) -> None:
        # Read as written: no respellings, no digit grouping, no address words.
        start = len(self.out)
        for i, line in enumerate(block.text.splitlines()):
            self.say([line], self.voice.pause_item_ms, "code", literal=True, target=(block, i))
        self._group(start)
