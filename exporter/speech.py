"""The speech script: what a recording says, per section, in written and spoken form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from exporter.locale import Messages, messages
from exporter.model import (
    Block,
    Break,
    Callout,
    CodeBlock,
    DefinitionList,
    Document,
    Figure,
    Heading,
    Inline,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Table,
    iter_inlines,
    plain_text,
)
from exporter.outline import Entry, Outline
from exporter.phrasing import sentence_runs
from exporter.sentences import normalise
from exporter.voice import Lexicon, Voice, spoken_inlines, voice_from_styles

__all__ = [
    "Lexicon", "Segment", "Target", "Track", "Voice", "body_tracks", "closing", "contents",
    "length_sentence", "numbered", "opening", "opening_fixed", "section_label", "sentence",
    "track_title", "transcript", "voice_from_styles", "whole_seconds", "with_opening",
]  # fmt: skip

_ENDS_SENTENCE = re.compile(r"[.?!:;…]$")

#: What a segment reads, for pacing, timings and the talking-book work.
KINDS = ("announcement", "heading", "paragraph", "item", "callout", "table", "row", "cell",
         "image", "caption", "quote", "attribution", "definition", "code", "note")


#: What a segment reads aloud, for the talking books to point at: (node, part). The node is
#: the model's own object (a run of inlines, a Heading, a CodeBlock), compared by identity;
#: part is the sentence of a run, the line of code, or -1 for the whole node. Announcements
#: the page does not print are ("opening" | "contents" | "closing", n); None: an
#: announcement of what follows ("A list of 3 items:", "Row 1."), which has no text of its own.
Target = tuple[object, int]


@dataclass(frozen=True)
class Segment:
    """One utterance: the text as written (transcript) and as given to the speech engine."""

    text: str  #: exactly as written in the source (or the announcement's own words)
    spoken: str  #: after address, digit and lexicon rules; never shown to readers
    pause_ms: int  #: silence after this segment
    kind: str  #: one of KINDS
    target: Target | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Track:
    """One section of the recording: one MP3 track and one chapter."""

    number: int  #: 1-based track number
    entry: Entry  #: the outline entry this track reads (its title is the chapter title)
    segments: tuple[Segment, ...]

    @property
    def words(self) -> int:
        """Words spoken in this track, for pacing checks and time estimates."""
        return sum(len(s.spoken.split()) for s in self.segments)


def sentence(text: str) -> str:
    """Text that ends like a sentence, so the engine drops its voice and pauses."""
    text = normalise(text)
    return text if _ENDS_SENTENCE.search(text) else f"{text}."


def section_label(entry: Entry, words: Messages) -> str:
    """How a section is introduced: "Section 3.1: Relapsing MS"."""
    return words("section", number=entry.number, title=entry.title) if entry.number \
        else entry.title


def track_title(entry: Entry) -> str:
    """A track's or chapter's title: with its section number, as the spoken contents say it
    (the title has none)."""
    return entry.label


def numbered(outline: Outline) -> tuple[Entry, ...]:
    """The numbered sections (every heading but the title)."""
    return tuple(e for e in outline if e.number)


# ---------------------------------------------------------------- the body


def body_tracks(doc: Document, outline: Outline, voice: Voice) -> tuple[Track, ...]:
    """One track per outline entry, in order; the first starts with the contents list and the
    last ends with the closing announcement. The opening is added once the duration is known."""
    script = _Script(doc, voice)
    groups: list[tuple[Entry, list[Segment]]] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            entry = outline.of(block)
            script.out = []
            if entry.level > 1:
                script.say([section_label(entry, script.words)], voice.pause_heading_ms,
                           "heading", refs=block.children, target=(block, -1))
            elif normalise(entry.title) != normalise(doc.meta.title):
                # The opening says the metadata title; a different heading must still be read.
                script.say([entry.title], voice.pause_heading_ms, "heading", refs=block.children,
                           target=(block, -1))
            script.flush()
            groups.append((entry, script.out))
        elif groups:
            script.block(block)
    if not groups:
        return ()
    script.out = groups[-1][1]
    script.unread_notes()
    groups[0][1][:0] = contents(outline, voice, script.words)
    groups[-1][1].extend(closing(doc, voice))
    return tuple(
        Track(i, entry, tuple(_end_group(segs, voice.pause_section_ms)))
        for i, (entry, segs) in enumerate(groups, start=1)
    )


@dataclass
class _Script:
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
        self.out[start:] = _end_group(self.out[start:], self.voice.pause_paragraph_ms)

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
            joiner = " " if _ENDS_SENTENCE.search(caption) else ", "
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


# ---------------------------------------------------------------- announcements


def with_opening(track: Track, opening_segments: Iterable[Segment]) -> Track:
    """The first track with the opening announcement in front."""
    return Track(track.number, track.entry, (*opening_segments, *track.segments))


def opening_fixed(doc: Document, outline: Outline, voice: Voice) -> tuple[Segment, ...]:
    """The opening up to its last sentence: title, publisher (when known), what it reads."""
    w = messages(doc.meta.language)
    said = [(sentence(doc.meta.title), voice.pause_paragraph_ms)]
    if normalise(doc.meta.publisher):
        said.append((w("published_by", publisher=normalise(doc.meta.publisher)),
                     voice.pause_paragraph_ms))
    said.append((w("reads_full_text_after_contents" if numbered(outline) else "reads_full_text"),
                 voice.pause_item_ms))
    sections = len(numbered(outline))
    if sections:
        said.append((w("has_sections", sections=w.plural("sections", sections)),
                     voice.pause_item_ms))
        said.append((w("navigation"), voice.pause_item_ms))
    return tuple(_seg(voice, text, pause, "announcement", ("opening", i))
                 for i, (text, pause) in enumerate(said))


def length_sentence(doc: Document, outline: Outline, voice: Voice, tracks: int,
                    seconds: float) -> Segment:
    """The opening's last sentence: how long the recording lasts (``tracks`` is unused: the
    opening says how to move between sections instead of counting tracks)."""
    w = messages(doc.meta.language)
    return _seg(voice, w("lasts", duration=w.duration(whole_seconds(seconds))),
                voice.pause_paragraph_ms, "announcement", ("opening", 99))


def whole_seconds(seconds: float) -> int:
    """The one rounding of a length every place states (spoken, tags, manifest, talking
    books): to the nearest second, a half second up (``round`` would round 0.5 to even)."""
    return int(seconds + 0.5) if seconds >= 0 else 0


def opening(doc: Document, outline: Outline, voice: Voice, tracks: int,
            seconds: float) -> tuple[Segment, ...]:
    """Title, publisher, what the recording holds, how many sections, how long it lasts."""
    return (*opening_fixed(doc, outline, voice),
            length_sentence(doc, outline, voice, tracks, seconds))


def contents(outline: Outline, voice: Voice, words: Messages) -> list[Segment]:
    """The spoken contents list: every numbered section with its number."""
    entries = numbered(outline)
    if not entries:
        return []
    segs = [_seg(voice, sentence(words("contents")), voice.pause_item_ms, "announcement",
                 ("contents", 0))]
    segs += [_seg(voice, section_label(e, words), voice.pause_item_ms, "announcement",
                  ("contents", e.index + 1)) for e in entries]
    return _end_group(segs, voice.pause_paragraph_ms)


def closing(doc: Document, voice: Voice) -> list[Segment]:
    """The closing announcement; it names the publisher only when there is one."""
    w = messages(doc.meta.language)
    title, publisher = normalise(doc.meta.title), normalise(doc.meta.publisher)
    text = w("end_of", title=title, publisher=publisher) if publisher else \
        w("end_of_untitled_publisher", title=title)
    return [_seg(voice, text, voice.pause_paragraph_ms, "announcement", ("closing", 0))]


def transcript(doc: Document, tracks: Iterable[Track]) -> str:
    """The script as written (no respellings): one segment a line, a blank line per track."""
    w = messages(doc.meta.language)
    out = [w("transcript", title=doc.meta.title), ""]
    for track in tracks:
        out.append(f"[{w('track', n=track.number, title=track.entry.label)}]")
        out += [s.text for s in track.segments]
        out.append("")
    return "\n".join(out)


def _seg(voice: Voice, text: str, pause_ms: int, kind: str,
         target: Target | None = None) -> Segment:
    text = normalise(text)
    return Segment(text, voice.spoken(sentence(text)), pause_ms, kind, target)


def _end_group(segs: list[Segment], pause_ms: int) -> list[Segment]:
    """Give the last segment of a list or group the longer pause that ends it."""
    if segs:
        segs[-1] = replace(segs[-1], pause_ms=max(segs[-1].pause_ms, pause_ms))
    return segs
