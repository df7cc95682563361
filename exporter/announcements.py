"""The recording's own announcements: the opening, its length, the contents list, the closing."""

from __future__ import annotations

from collections.abc import Iterable

from exporter.locale import Messages, messages
from exporter.model import Document
from exporter.outline import Outline
from exporter.segments import (
    Segment,
    Track,
    end_group,
    numbered,
    section_label,
    seg,
    sentence,
    whole_seconds,
)
from exporter.sentences import normalise
from exporter.voice import Voice


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
    return tuple(seg(voice, text, pause, "announcement", ("opening", i))
                 for i, (text, pause) in enumerate(said))


def length_sentence(doc: Document, outline: Outline, voice: Voice, tracks: int,
                    seconds: float) -> Segment:
    """The opening's last sentence: how long the recording lasts (``tracks`` is unused: the
    opening says how to move between sections instead of counting tracks)."""
    w = messages(doc.meta.language)
    return seg(voice, w("lasts", duration=w.duration(whole_seconds(seconds))),
                voice.pause_paragraph_ms, "announcement", ("opening", 99))


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
    segs = [seg(voice, sentence(words("contents")), voice.pause_item_ms, "announcement",
                 ("contents", 0))]
    segs += [seg(voice, section_label(e, words), voice.pause_item_ms, "announcement",
                  ("contents", e.index + 1)) for e in entries]
    return end_group(segs, voice.pause_paragraph_ms)


def closing(doc: Document, voice: Voice) -> list[Segment]:
    """The closing announcement; it names the publisher only when there is one."""
    w = messages(doc.meta.language)
    title, publisher = normalise(doc.meta.title), normalise(doc.meta.publisher)
    text = w("end_of", title=title, publisher=publisher) if publisher else \
        w("end_of_untitled_publisher", title=title)
    return [seg(voice, text, voice.pause_paragraph_ms, "announcement", ("closing", 0))]
