"""Advance widths of a static TrueType face read straight from its tables (no fontTools)."""

from __future__ import annotations

import struct

#: The character maps tried, best first: the order of fontTools' ``getBestCmap``.
CMAP_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))
#: sfnt versions of TrueType-outline faces ("OTTO" (CFF) and collections are not read here).
TRUETYPE = (b"\x00\x01\x00\x00", b"true")


def static_metrics(data: bytes, weight_class: int) -> tuple[dict[int, int], int] | None:
    """(advance width by code point, units per em) of a single static TrueType face whose
    weight class is ``weight_class``, or None when the face needs fontTools (variable,
    PostScript outlines, another weight, a character map format not read here, damage).

    Importing fontTools and parsing a face with it costs ~30 ms of a 0.2 s cold export that
    only needs these two tables' numbers.
    """
    try:
        return _read(data, weight_class)
    except (struct.error, IndexError, KeyError, ValueError):
        return None


def is_static(data: bytes, weight_class: int) -> bool:
    """Whether ``data`` is a single static TrueType face of weight ``weight_class`` (which
    every format can carry as it is)."""
    try:
        return _static_tables(data, weight_class) is not None
    except (struct.error, IndexError, KeyError, ValueError):
        return False


def _static_tables(data: bytes, weight_class: int) -> dict[bytes, tuple[int, int]] | None:
    if data[:4] not in TRUETYPE:
        return None
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for k in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * k)
        tables[tag] = (offset, length)
    if b"fvar" in tables or b"CFF " in tables or b"CFF2" in tables:
        return None
    if struct.unpack_from(">H", data, tables[b"OS/2"][0] + 4)[0] != weight_class:
        return None
    return tables


def _read(data: bytes, weight_class: int) -> tuple[dict[int, int], int] | None:
    tables = _static_tables(data, weight_class)
    if tables is None:
        return None
    (units_per_em,) = struct.unpack_from(">H", data, tables[b"head"][0] + 18)
    (metrics_count,) = struct.unpack_from(">H", data, tables[b"hhea"][0] + 34)
    (glyph_count,) = struct.unpack_from(">H", data, tables[b"maxp"][0] + 4)
    hmtx = tables[b"hmtx"][0]
    advances = [struct.unpack_from(">H", data, hmtx + 4 * g)[0] for g in range(metrics_count)]
    advances += [advances[-1]] * (glyph_count - metrics_count)  # monospaced tail
    glyphs = _best_cmap(data, tables[b"cmap"][0])
    if glyphs is None:
        return None
    return {code: advances[g] for code, g in glyphs.items()}, units_per_em


def _best_cmap(data: bytes, cmap: int) -> dict[int, int] | None:
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables: dict[tuple[int, int], int] = {}
    for k in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * k)
        subtables.setdefault((platform, encoding), cmap + offset)  # the first, as fontTools
    for key in CMAP_PREFERENCES:
        if key in subtables:
            start = subtables[key]
            (fmt,) = struct.unpack_from(">H", data, start)
            if fmt == 4:
                return _format4(data, start)
            if fmt == 12:
                return _format12(data, start)
            return None
    return None


def _format4(data: bytes, start: int) -> dict[int, int]:
    (seg_x2,) = struct.unpack_from(">H", data, start + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, start + 14)
    starts = struct.unpack_from(f">{segs}H", data, start + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, start + 16 + 2 * seg_x2)
    range_at = start + 16 + 3 * seg_x2
    ranges = struct.unpack_from(f">{segs}H", data, range_at)
    out: dict[int, int] = {}
    for k in range(segs):
        first, last, delta, offset = starts[k], ends[k], deltas[k], ranges[k]
        if first == 0xFFFF:
            continue
        for code in range(first, last + 1):
            if offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                at = range_at + 2 * k + offset + 2 * (code - first)
                (glyph,) = struct.unpack_from(">H", data, at)
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:  # a code drawn with .notdef is not in the face (as fontTools reads it)
                out[code] = glyph
    return out


def _format12(data: bytes, start: int) -> dict[int, int]:
    (groups,) = struct.unpack_from(">I", data, start + 12)
    out: dict[int, int] = {}
    for k in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * k)
        for code in range(first, last + 1):
            if glyph + code - first:
                out[code] = glyph + code - first
    return out
