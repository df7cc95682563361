"""How wide a word prints, in ems: Helvetica's advance widths, which Arial shares glyph for glyph.

Used only to decide whether a table's words fit across the page (Word lays the page out
itself), so a wider sans-serif face than Arial makes the estimate a little short; SAFETY
covers kerning and small differences.
"""

from __future__ import annotations

import unicodedata

#: Advance widths of the printable ASCII characters (32-126) in thousandths of an em, from
#: Adobe's Helvetica and Helvetica-Bold metrics.
_REGULAR = (
    "278 278 355 556 556 889 667 222 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 "
    "556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 333 556 222 556 "
    "556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 "
    "500 500 500 334 260 334 333"
)
_BOLD = (
    "278 333 474 556 556 889 722 278 333 333 389 584 278 333 278 278 556 556 556 556 556 556 "
    "556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 "
    "611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 333 556 278 556 "
    "611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 "
    "556 556 500 389 280 389 333"
)
_WIDTHS = {False: [int(v) / 1000 for v in _REGULAR.split()],
           True: [int(v) / 1000 for v in _BOLD.split()]}
#: A character outside the table: as wide as a capital letter; East Asian wide ones, an em.
_OTHER, _WIDE = 0.72, 1.0
SAFETY = 1.05


def char_width(ch: str, bold: bool = False) -> float:
    """One character's advance in ems."""
    code = ord(ch)
    if 32 <= code <= 126:
        return _WIDTHS[bold][code - 32]
    base = unicodedata.normalize("NFKD", ch)[:1]  # é -> e
    if base and 32 <= ord(base) <= 126:
        return _WIDTHS[bold][ord(base) - 32]
    return _WIDE if unicodedata.east_asian_width(ch) in ("W", "F") else _OTHER


def text_width(text: str, bold: bool = False) -> float:
    """A run of text's width in ems, with a margin for kerning and similar faces."""
    return sum(char_width(ch, bold) for ch in text) * SAFETY
