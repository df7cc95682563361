"""Pars: which text each stretch of the recording reads, from the timings taken while speaking.

A segment of the speech script that reads a sentence (or a heading, a code line, an
announcement the talking book shows) becomes a par: its element joined to its span of the
track. A segment that announces what follows and has no text of its own ("A list of 3
items:", "Row 1.", "Image: ...") is spoken while the next sentence is highlighted: its audio
opens the next par. The pars of a track therefore cover the track from its first sample to
its last without a gap, and together the whole recording.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from exporter.segments import Target
from exporter.writers.audio.book import Recorded
from exporter.writers.base import WriterError

#: A segment's target -> "file#id" where its text is shown, None when it shows none.
Finder = Callable[[Target], str | None]


@dataclass(frozen=True)
class Par:
    """One text element and the span of one track that reads it."""

    track: int  #: 0-based
    text: str  #: "file#id"
    begin: int  #: samples from the track's start
    end: int
    words: str  #: what is said, as written (for messages)


def pars(rec: Recorded, find: Finder) -> list[list[Par]]:
    """The pars of every track, in the order they are spoken."""
    out: list[list[Par]] = []
    for t, track in enumerate(rec.tracks):
        items: list[Par] = []
        pending: int | None = None
        for segment, (a, b) in zip(track.segments, rec.clips(t), strict=True):
            href = find(segment.target) if segment.target is not None else None
            if href is None:
                pending = a if pending is None else pending
                continue
            start = a if pending is None else pending
            pending = None
            if items and items[-1].text == href and items[-1].end == start:
                items[-1] = replace(items[-1], end=b, words=f"{items[-1].words} {segment.text}")
            else:
                items.append(Par(t, href, start, b, segment.text))
        if pending is not None:
            if not items:
                raise WriterError(f"track {t + 1} ({track.entry.title}) reads nothing the "
                                  "text shows, so nothing can be highlighted while it plays")
            items[-1] = replace(items[-1], end=rec.samples[t])
        out.append(items)
    return out


def clock(samples: int, rate: int) -> str:
    """A SMIL full clock value, to the millisecond: "0:01:23.456"."""
    ms = round(samples * 1000 / rate)
    seconds, ms = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{ms:03d}"


def npt(samples: int, rate: int) -> str:
    """A DAISY 2.02 (SMIL 1.0) clip time: "npt=83.456s"."""
    return f"npt={samples / rate:.3f}s"


def hms(seconds: int) -> str:
    """Whole seconds as DAISY's "h:mm:ss"."""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
