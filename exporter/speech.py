"""The speech script: what a recording says, per section, in written and spoken form."""

from __future__ import annotations

from collections.abc import Iterable

from exporter.announcements import (
    closing,
    contents,
    length_sentence,
    opening,
    opening_fixed,
    with_opening,
)
from exporter.locale import messages
from exporter.model import Document, Heading
from exporter.outline import Entry, Outline
from exporter.segments import (
    Segment,
    Target,
    Track,
    end_group,
    numbered,
    section_label,
    sentence,
    track_title,
    whole_seconds,
)
from exporter.sentences import normalise
from exporter.spoken_blocks import BlockScript
from exporter.voice import Lexicon, Voice, voice_from_styles

__all__ = [
    "Lexicon", "Segment", "Target", "Track", "Voice", "body_tracks", "closing", "contents",
    "length_sentence", "numbered", "opening", "opening_fixed", "section_label", "sentence",
    "track_title", "transcript", "voice_from_styles", "whole_seconds", "with_opening",
]  # fmt: skip


def body_tracks(doc: Document, outline: Outline, voice: Voice) -> tuple[Track, ...]:
    """One track per outline entry, in order; the first starts with the contents list and the
    last ends with the closing announcement. The opening is added once the duration is known."""
    script = BlockScript(doc, voice)
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
        Track(i, entry, tuple(end_group(segs, voice.pause_section_ms)))
        for i, (entry, segs) in enumerate(groups, start=1)
    )


def transcript(doc: Document, tracks: Iterable[Track]) -> str:
    """The script as written (no respellings): one segment a line, a blank line per track."""
    w = messages(doc.meta.language)
    out = [w("transcript", title=doc.meta.title), ""]
    for track in tracks:
        out.append(f"[{w('track', n=track.number, title=track.entry.label)}]")
        out += [s.text for s in track.segments]
        out.append("")
    return "\n".join(out)
