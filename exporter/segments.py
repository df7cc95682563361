"""The units of a recording's script (segments, tracks) and the rules every part shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from exporter.locale import Messages
from exporter.outline import Entry, Outline
from exporter.sentences import normalise
from exporter.voice import Voice

ENDS_SENTENCE = re.compile(r"[.?!:;…]$")

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
    return text if ENDS_SENTENCE.search(text) else f"{text}."


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


def whole_seconds(seconds: float) -> int:
    """The one rounding of a length every place states (spoken, tags, manifest, talking
    books): to the nearest second, a half second up (``round`` would round 0.5 to even)."""
    return int(seconds + 0.5) if seconds >= 0 else 0


def seg(voice: Voice, text: str, pause_ms: int, kind: str,
        target: Target | None = None) -> Segment:
    """An announcement's segment: its words as written, and as the voice says them."""
    text = normalise(text)
    return Segment(text, voice.spoken(sentence(text)), pause_ms, kind, target)


def end_group(segs: list[Segment], pause_ms: int) -> list[Segment]:
    """Give the last segment of a list or group the longer pause that ends it."""
    if segs:
        segs[-1] = replace(segs[-1], pause_ms=max(segs[-1].pause_ms, pause_ms))
    return segs
