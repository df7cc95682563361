"""Reading a source file safely: regular files only, never more than the size cap, UTF-8 text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from exporter.reader.problems import Problem, SourceError

#: Larger sources are refused before parsing (markdown-it is slow on pathological input).
MAX_SOURCE_BYTES = 2 * 1024 * 1024
#: Noncharacters: never text; U+FFFE and U+FFFF cannot even be stored in XML (Word, EPUB).
NONCHARACTERS = "".join(chr(c) for c in (*range(0xFDD0, 0xFDF0),
                                         *(p * 0x10000 + e for p in range(17)
                                           for e in (0xFFFE, 0xFFFF))))


def read_bytes(path: Path, *, max_bytes: int = MAX_SOURCE_BYTES) -> bytes:
    """A source file's bytes: a regular file (not a device, pipe or folder), at most the cap.

    Opened without blocking, so a named pipe with no writer is refused at once instead of
    hanging; at most ``max_bytes + 1`` bytes are ever read, whatever the file claims.
    """
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SourceError([_unreadable(shown, exc)]) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
            raise SourceError([Problem(shown, 0, f"the source is {kind}, not a text file",
                                       "give the path of a Markdown (.md) file")])
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise SourceError([_unreadable(shown, exc)]) from exc
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise SourceError([too_big(shown, max_bytes)])
    return data


def decode(data: bytes, path: str, max_bytes: int = MAX_SOURCE_BYTES) -> str:
    """The source's text with Unix line ends; SourceError if it is too big or not UTF-8."""
    if len(data) > max_bytes:
        raise SourceError([too_big(path, max_bytes)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            [Problem(path, line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} "
                     f"at offset {exc.start})", "save the file as UTF-8")]
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def too_big(path: str, cap: int) -> Problem:
    return Problem(path, 1, f"the source is over the {cap:,}-byte limit",
                   "split it into several documents")


def _unreadable(path: str, exc: OSError) -> Problem:
    return Problem(path, 0, f"cannot read the source: {exc.strerror or exc}",
                   "check the path and that the file is readable")
