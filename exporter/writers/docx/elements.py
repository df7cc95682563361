"""Small WordprocessingML elements: runs, breaks, hyperlinks, bookmarks and field characters."""

from __future__ import annotations

from exporter.html import HYPHENATED, KEEP_TOGETHER
from exporter.writers.docx.settings import NBSP, W_XMLNS, Element


def keep_together(text: str) -> str:
    """No-break spaces inside phone numbers and dates: UKAAF never splits one across lines."""
    return KEEP_TOGETHER.sub(lambda mt: mt.group().replace(" ", NBSP), text)


def run(text: str, *, bold: bool = False, link: bool = False, char_style: str = "",
        preserve: bool = False) -> Element:
    """A run of text; ``char_style`` names a character style (links use "Hyperlink");
    ``preserve`` keeps every space as written (code)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r = OxmlElement("w:r")
    style = "Hyperlink" if link else char_style
    if bold or style:
        rpr = OxmlElement("w:rPr")
        if style:
            rpr.append(OxmlElement("w:rStyle", {qn("w:val"): style}))
        if bold:
            rpr.append(OxmlElement("w:b"))
            rpr.append(OxmlElement("w:bCs"))
        r.append(rpr)
    pieces = [text] if preserve else _hyphen_pieces(text)
    for piece in pieces:
        if piece is None:
            # Drawn and read as a hyphen, never a line break: "COVID-19" stays whole.
            r.append(OxmlElement("w:noBreakHyphen"))
            continue
        t = OxmlElement("w:t")
        t.text = piece
        if preserve or piece != piece.strip():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    return r


def _hyphen_pieces(text: str) -> list[str | None]:
    """The text in pieces, None standing for each hyphen inside a hyphenated word (UKAAF: no
    word split across lines); the text itself is unchanged, so search and screen readers get
    what was written."""
    pieces: list[str | None] = []
    last = 0
    for m in HYPHENATED.finditer(text):
        pieces.append(text[last:m.start()])
        for i, part in enumerate(m.group().split("-")):
            if i:
                pieces.append(None)
            pieces.append(part)
        last = m.end()
    pieces.append(text[last:])
    return [p for p in pieces if p != ""] or [""]


def line_break() -> Element:
    from docx.oxml import OxmlElement

    r = OxmlElement("w:r")
    r.append(OxmlElement("w:br"))
    return r


def hyperlink(*, rid: str | None = None, anchor: str | None = None) -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    h = OxmlElement("w:hyperlink")
    if rid is not None:
        h.set(qn("r:id"), rid)
    if anchor is not None:
        h.set(qn("w:anchor"), anchor)
    h.set(qn("w:history"), "1")
    return h


def bookmark(kind: str, bookmark_id: int, name: str = "") -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    attrs = {qn("w:id"): str(bookmark_id)}
    if name:
        attrs[qn("w:name")] = name
    return OxmlElement(f"w:bookmark{kind}", attrs)


def field_char(kind: str) -> Element:
    from docx.oxml import parse_xml

    return parse_xml(f'<w:r {W_XMLNS}><w:fldChar w:fldCharType="{kind}"/></w:r>')


def field(instruction: str, shown: str, *, char_style: str = "") -> list[Element]:
    """The runs of a complex field with its result already filled in (no "update fields")."""
    from docx.oxml import parse_xml

    from exporter.writers.docx.settings import escape

    rpr = f'<w:rPr><w:rStyle w:val="{char_style}"/></w:rPr>' if char_style else ""
    instr = parse_xml(f'<w:r {W_XMLNS}>{rpr}<w:instrText xml:space="preserve">'
                      f"{escape(instruction)}</w:instrText></w:r>")
    return [field_char("begin"), instr, field_char("separate"),
            run(shown, char_style=char_style), field_char("end")]
