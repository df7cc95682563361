"""The M3U8 playlist of the tracks: every field on its own line, whatever the metadata holds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from exporter.writers.audio.id3 import one_line

#: Track file names are made by the writer from slugs; anything else is a bug, not input.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.mp3$")


@dataclass(frozen=True)
class Entry:
    """One track as the playlist lists it."""

    seconds: float
    title: str
    file: str  #: relative to the playlist


def m3u8(title: str, publisher: str, entries: Sequence[Entry]) -> str:
    """An extended M3U playlist (UTF-8). Title and publisher are written on one line each, so
    a line break in the metadata can never add an entry (or point a player anywhere)."""
    lines = ["#EXTM3U", f"#PLAYLIST:{one_line(title)}"]
    by = one_line(publisher).strip()
    for e in entries:
        if not _SAFE_NAME.match(e.file):
            raise ValueError(f"unsafe track file name {e.file!r}")
        label = f"{by} - {one_line(e.title)}" if by else one_line(e.title)
        lines += [f"#EXTINF:{round(e.seconds)},{label}", e.file]
    return "\n".join(lines) + "\n"
