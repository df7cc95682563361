"""The speech script: what a talking book says, per section, in written and spoken form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import yaml

from exporter.model import Block, Callout, Document, Heading, ListBlock, Paragraph, plain_text
from exporter.outline import Entry, Outline
from exporter.sentences import normalise
from exporter.styles import Styles, StylesError

#: UK phone numbers as written in the sources ("0808 800 8000", "020 7946 0000").
_PHONE = re.compile(r"(?<![\w+])0\d{2,4}(?: \d{3,4}){1,2}(?!\w)")
_ENDS_SENTENCE = re.compile(r"[.?!:;…]$")


@dataclass(frozen=True)
class Segment:
    """One utterance: the text as written (transcript) and as given to the speech engine."""

    text: str  #: exactly as written in the source (or the announcement's own words)
    spoken: str  #: after lexicon respellings and digit grouping; never shown to readers
    pause_ms: int  #: silence after this segment
    kind: str  #: "announcement", "heading", "paragraph", "item" or "callout"


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


@dataclass(frozen=True)
class Lexicon:
    """Whole-word respellings applied to the spoken text only (never to the transcript)."""

    entries: Mapping[str, str]

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One regular expression for every word (compiled once per lexicon)."""
        if not self.entries:
            return None
        # Longest first so "DMTs" wins over "DMT"; lower-case words also match capitalised.
        words = sorted(self.table, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")

    @cached_property
    def table(self) -> dict[str, str]:
        """Each word (and the capitalised form of lower-case words) with its spoken form."""
        out: dict[str, str] = {}
        for word, spoken in self.entries.items():
            out[word] = spoken
            if word[:1].islower():
                out.setdefault(word[:1].upper() + word[1:], spoken[:1].upper() + spoken[1:])
        return out

    def apply(self, text: str) -> str:
        pattern = self.pattern
        if pattern is None:
            return text
        table = self.table
        return pattern.sub(lambda m: table[m.group(1)], text)


@dataclass(frozen=True)
class Voice:
    """Voice, pace and pauses, from styles/audio.yaml and the lexicon it names."""

    rate_wpm: int
    pause_paragraph_ms: int
    pause_item_ms: int
    pause_heading_ms: int
    pause_section_ms: int
    phone_zero: str  #: how a 0 in a phone number is said ("oh" in the UK)
    lexicon: Lexicon

    def spoken(self, text: str) -> str:
        """The text as the engine should say it: digit groups, then lexicon respellings."""
        return self.lexicon.apply(_PHONE.sub(lambda m: self._digits(m.group()), text))

    def _digits(self, number: str) -> str:
        # Read digit by digit, a comma (a short pause) between the groups as written.
        groups = [" ".join(self.phone_zero if d == "0" else d for d in g) for g in number.split()]
        return ", ".join(groups)


def voice_from_styles(styles: Styles) -> Voice:
    """Read styles/audio.yaml and its lexicon; StylesError names the bad setting."""
    cfg = styles.section("audio")
    try:
        lexicon_name = str(cfg.get("lexicon", "lexicon.yaml"))
        raw = yaml.safe_load(styles.text(lexicon_name)) or {}
        if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in raw.items()
        ):
            raise StylesError(f"styles/{lexicon_name}: expected 'WORD: spoken form' lines")
        return Voice(
            rate_wpm=int(cfg.get("rate_wpm", 165)),
            pause_paragraph_ms=int(cfg.get("pause_paragraph_ms", 600)),
            pause_item_ms=int(cfg.get("pause_item_ms", 400)),
            pause_heading_ms=int(cfg.get("pause_heading_ms", 800)),
            pause_section_ms=int(cfg.get("pause_section_ms", 1200)),
            phone_zero=str(cfg.get("phone_zero", "oh")),
            lexicon=Lexicon(dict(raw)),
        )
    except (TypeError, ValueError, yaml.YAMLError) as exc:
        raise StylesError(f"styles/audio.yaml: malformed setting: {exc}") from exc


# ---------------------------------------------------------------- script


def sentence(text: str) -> str:
    """Text that ends like a sentence, so the engine drops its voice and pauses."""
    text = normalise(text)
    return text if _ENDS_SENTENCE.search(text) else f"{text}."


def section_label(entry: Entry) -> str:
    """How a section is introduced: "Section 3.1: Relapsing MS"."""
    return f"Section {entry.number}: {entry.title}" if entry.number else entry.title


def body_tracks(doc: Document, outline: Outline, voice: Voice) -> tuple[Track, ...]:
    """One track per outline entry, in order; the first starts with the contents list and the
    last ends with the closing announcement. The opening is added once the duration is known."""
    groups: list[tuple[Entry, list[Segment]]] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            entry = outline.of(block)
            segs: list[Segment] = []
            if entry.level > 1:
                segs.append(_seg(voice, section_label(entry), voice.pause_heading_ms, "heading"))
            elif normalise(entry.title) != normalise(doc.meta.title):
                # The opening says the metadata title; a different heading must still be read.
                segs.append(_seg(voice, entry.title, voice.pause_heading_ms, "heading"))
            groups.append((entry, segs))
        elif groups:
            groups[-1][1].extend(_block(voice, block))
    if not groups:
        return ()
    groups[0][1][:0] = contents(outline, voice)
    groups[-1][1].extend(closing(doc, voice))
    return tuple(
        Track(i, entry, tuple(_end_section(segs, voice)))
        for i, (entry, segs) in enumerate(groups, start=1)
    )


def with_opening(track: Track, opening_segments: Iterable[Segment]) -> Track:
    """The first track with the opening announcement in front."""
    return Track(track.number, track.entry, (*opening_segments, *track.segments))


def numbered(outline: Outline) -> tuple[Entry, ...]:
    """The numbered sections (every heading but the title)."""
    return tuple(e for e in outline if e.number)


def opening(doc: Document, outline: Outline, voice: Voice, tracks: int,
            seconds: float) -> tuple[Segment, ...]:
    """Title, publisher, what the recording holds, how many sections, how long it lasts."""
    sections = len(numbered(outline))
    count = "no numbered sections" if sections == 0 else _plural(sections, "section")
    said = [
        (sentence(doc.meta.title), voice.pause_paragraph_ms),
        (f"Published by {sentence(doc.meta.publisher)}", voice.pause_paragraph_ms),
        ("This recording reads the full text aloud"
         + (", after a spoken list of contents." if sections else "."), voice.pause_item_ms),
        (f"It has {count}, in {_plural(tracks, 'track')}, and lasts {duration_words(seconds)}.",
         voice.pause_paragraph_ms),
    ]
    return tuple(_seg(voice, text, pause, "announcement") for text, pause in said)


def contents(outline: Outline, voice: Voice) -> list[Segment]:
    """The spoken contents list: every numbered section with its number."""
    entries = numbered(outline)
    if not entries:
        return []
    segs = [_seg(voice, "Contents.", voice.pause_item_ms, "announcement")]
    segs += [_seg(voice, section_label(e), voice.pause_item_ms, "announcement") for e in entries]
    return _end_group(segs, voice.pause_paragraph_ms)


def closing(doc: Document, voice: Voice) -> list[Segment]:
    """The closing announcement."""
    text = f"This is the end of {normalise(doc.meta.title)}, from {normalise(doc.meta.publisher)}."
    return [_seg(voice, text, voice.pause_paragraph_ms, "announcement")]


def duration_words(seconds: float) -> str:
    """A duration as said aloud: "6 minutes and 5 seconds"."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [_plural(n, unit) for n, unit in ((hours, "hour"), (minutes, "minute"),
                                              (secs, "second")) if n]
    if not parts:
        return "0 seconds"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def transcript(doc: Document, tracks: Iterable[Track]) -> str:
    """The script as written (no respellings): one segment a line, a blank line per track."""
    out = [f"{doc.meta.title}: audio transcript", ""]
    for track in tracks:
        out.append(f"[Track {track.number}: {track.entry.label}]")
        out += [s.text for s in track.segments]
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- blocks


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _seg(voice: Voice, text: str, pause_ms: int, kind: str) -> Segment:
    text = normalise(text)
    return Segment(text, voice.spoken(sentence(text)), pause_ms, kind)


def _end_group(segs: list[Segment], pause_ms: int) -> list[Segment]:
    """Give the last segment of a list or group the longer pause that ends it."""
    if segs:
        last = segs[-1]
        segs[-1] = Segment(last.text, last.spoken, max(last.pause_ms, pause_ms), last.kind)
    return segs


def _end_section(segs: list[Segment], voice: Voice) -> list[Segment]:
    return _end_group(segs, voice.pause_section_ms)


def _block(voice: Voice, block: Block, prefix: str = "") -> list[Segment]:
    if isinstance(block, Paragraph):
        text = plain_text(block.children)
        if not normalise(text):
            return []
        return [_seg(voice, prefix + text, voice.pause_paragraph_ms, "paragraph")]
    if isinstance(block, ListBlock):
        return _list(voice, block)
    if isinstance(block, Callout):
        return _callout(voice, block)
    return []  # headings start tracks and are handled by the caller


def _list(voice: Voice, block: ListBlock) -> list[Segment]:
    segs = [_seg(voice, f"A list of {_plural(len(block.items), 'item')}:", voice.pause_item_ms,
                 "announcement")]
    for i, item in enumerate(block.items):
        marker = f"{block.start + i}. " if block.ordered else ""
        for j, inner in enumerate(item.blocks):
            if isinstance(inner, Paragraph):
                text = plain_text(inner.children)
                if normalise(text):
                    segs.append(_seg(voice, (marker if j == 0 else "") + text,
                                     voice.pause_item_ms, "item"))
            else:
                segs += _block(voice, inner)
    return _end_group(segs, voice.pause_paragraph_ms)


def _callout(voice: Voice, block: Callout) -> list[Segment]:
    segs: list[Segment] = []
    for i, inner in enumerate(block.blocks):
        prefix = f"{block.label}: " if i == 0 and isinstance(inner, Paragraph) else ""
        segs += [Segment(s.text, s.spoken, s.pause_ms, "callout")
                 for s in _block(voice, inner, prefix)]
    if block.blocks and not isinstance(block.blocks[0], Paragraph):
        segs.insert(0, _seg(voice, f"{block.label}:", voice.pause_item_ms, "callout"))
    return _end_group(segs, voice.pause_paragraph_ms)
