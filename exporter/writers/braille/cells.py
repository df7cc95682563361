"""Braille cells: Unicode braille (PEF, layout) to and from North American ASCII braille (BRF)."""

from __future__ import annotations

#: North American ASCII braille: the character for each 6-dot cell, indexed by its dot bits
#: (dot 1 = bit 0 ... dot 6 = bit 5). Letters are written lower case, as liblouis writes them.
ASCII = " a1b'k2l@cif/msp\"e3h9o6r^djg>ntq,*5<-u8v.%[$+x!&;:4\\0z7(_?w]#y)="
#: The lower-case forms of the @ [ \ ] ^ cells, which some BRF files use for the same cells.
_ALIASES = {"`": "@", "{": "[", "|": "\\", "}": "]", "~": "^"}

BLANK = "\u2800"  #: the empty cell (a space)
#: Dot 5: UEB's line continuation indicator, at the end of a line whose unspaced sequence
#: (a web address, a word longer than a line) goes on at the start of the next.
CONTINUATION = "\u2810"
TOP_BOX = "\u2836"  #: dots 2356: a top box line (BANA Formats 2016 §7)
BOTTOM_BOX = "\u281b"  #: dots 1245: a bottom box line
GUIDE_DOT = "\u2810"  #: dot 5: guide dots lead the eye to a contents page number
TN_OPEN = "\u2808\u2828\u2823"  #: dots 4, 46, 126: opening transcriber's note indicator [UEB §3.27]
TN_CLOSE = "\u2808\u2828\u281c"  #: dots 4, 46, 345: closing transcriber's note indicator
SEPARATOR = "\u2812"  #: dots 25: a row of them, centred, marks a thematic break

_TO_ASCII = {chr(0x2800 + i): c for i, c in enumerate(ASCII)}
_FROM_ASCII = {c: chr(0x2800 + i) for i, c in enumerate(ASCII)}
_FROM_ASCII.update({k: _FROM_ASCII[v] for k, v in _ALIASES.items()})
_FROM_ASCII.update({c.upper(): _FROM_ASCII[c] for c in ASCII if c.isalpha()})


def is_cell(char: str) -> bool:
    """True for a 6-dot Unicode braille cell (U+2800..U+283F)."""
    return "\u2800" <= char <= "\u283f"


def to_ascii(cells: str) -> str:
    """Unicode 6-dot braille as ASCII braille; ValueError names a cell that has no ASCII form."""
    try:
        return "".join(_TO_ASCII[c] for c in cells)
    except KeyError as exc:
        raise ValueError(f"not a 6-dot braille cell: {exc.args[0]!r} "
                         f"(U+{ord(exc.args[0]):04X})") from exc


def from_ascii(text: str) -> str:
    """ASCII braille (either case) as Unicode braille; ValueError names a character it is not."""
    try:
        return "".join(_FROM_ASCII[c] for c in text)
    except KeyError as exc:
        raise ValueError(f"not an ASCII braille character: {exc.args[0]!r}") from exc


def blank(n: int) -> str:
    """``n`` empty cells."""
    return BLANK * max(n, 0)
