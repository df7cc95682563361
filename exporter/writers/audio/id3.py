"""ID3v2.4 tags written by hand: text frames, and chapters (CHAP) under a table of contents."""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence

from exporter.model import Document

#: ISO 639-2 codes for the ID3 TLAN frame, by primary language subtag.
_ISO639_2 = {
    "en": "eng", "cy": "cym", "gd": "gla", "ga": "gle", "fr": "fra", "de": "deu", "es": "spa",
    "it": "ita", "pl": "pol", "pt": "por", "pa": "pan", "ur": "urd", "bn": "ben", "gu": "guj",
    "ar": "ara", "zh": "zho", "hi": "hin", "so": "som", "ro": "ron", "lt": "lit",
}
#: Line and paragraph breaks and other control characters: never inside one field.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# mutagen orders frames by size when saving, which put CHAP frames out of time order for some
# players; these few frames are simple enough to write in exactly the order we want.


def one_line(value: str) -> str:
    """A metadata value as one line: breaks and control characters become spaces."""
    return _BREAKS.sub(" ", value)


def common(doc: Document) -> list[bytes]:
    """Frames every file of a recording carries: publisher (when known), album, genre,
    language, date."""
    frames = [text("TPE1", doc.meta.publisher)] if one_line(doc.meta.publisher).strip() else []
    frames += [text("TALB", doc.meta.title), text("TCON", "Speech")]
    lang = _ISO639_2.get(doc.meta.language.split("-")[0].lower())
    if lang:
        frames.append(text("TLAN", lang))
    if doc.meta.updated is not None:
        frames.append(text("TDRC", doc.meta.updated.isoformat()))
    return frames


def _syncsafe(n: int) -> bytes:
    if n >= 1 << 28:
        raise ValueError("ID3 tag too large")
    return bytes(((n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F))


def _frame(frame_id: str, body: bytes) -> bytes:
    return frame_id.encode("ascii") + _syncsafe(len(body)) + b"\0\0" + body


def text(frame_id: str, value: str) -> bytes:
    """A UTF-8 text frame holding ``value`` on one line."""
    return _frame(frame_id, b"\x03" + one_line(value).encode("utf-8"))  # 3 = UTF-8


def length(samples: int, rate: int) -> bytes:
    """TLEN: the length in milliseconds, exactly (players that show it round it themselves)."""
    return text("TLEN", str(round(samples * 1000 / rate)))


def chapter(element_id: str, start_ms: int, end_ms: int, title: str) -> bytes:
    """A CHAP frame (ID3v2 Chapter Frame Addendum 1.0) with its title; offsets unused."""
    times = struct.pack(">IIII", start_ms, end_ms, 0xFFFFFFFF, 0xFFFFFFFF)
    return _frame("CHAP", element_id.encode("ascii") + b"\0" + times + text("TIT2", title))


def table_of_contents(element_id: str, children: Sequence[str], title: str) -> bytes:
    """The top-level, ordered CTOC frame listing the chapters."""
    body = element_id.encode("ascii") + b"\0" + bytes((0x03, len(children)))
    body += b"".join(c.encode("ascii") + b"\0" for c in children)
    return _frame("CTOC", body + text("TIT2", title))


def tag(frames: Sequence[bytes]) -> bytes:
    """An ID3v2.4 tag of the frames in the order given, without padding (reproducible)."""
    body = b"".join(frames)
    return b"ID3\x04\x00\x00" + _syncsafe(len(body)) + body
