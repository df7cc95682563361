"""Pieces of style XML: a style definition, its fonts, size and letter spacing.

Shared by the style sheet (styles.py, block_styles.py) and the list numbering (lists.py).
"""

from __future__ import annotations

from exporter.writers.docx.settings import W_XMLNS, Metrics, quoteattr


def fonts_xml(font: str) -> str:
    f = quoteattr(font)
    return f"<w:rFonts w:ascii={f} w:hAnsi={f} w:eastAsia={f} w:cs={f}/>"


def spacing_xml(m: Metrics, half_points: int) -> str:
    """Extra space after each character (the reader's letter spacing, in ems of this size);
    nothing when none was asked for."""
    twips = m.letter_twips(half_points)
    return f'<w:spacing w:val="{twips}"/>' if twips else ""


def size_xml(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def style(kind: str, style_id: str, name: str, body: str, *, based_on: str | None = "Normal",
           custom: bool = False, extra: str = "") -> str:
    custom_attr = ' w:customStyle="1"' if custom else ""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (
        f'<w:style {W_XMLNS} w:type="{kind}"{custom_attr} w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{based}{extra}{body}</w:style>'
    )
