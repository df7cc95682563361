"""The chosen face inside the .docx (as Word's "Embed fonts in the file" stores it), and the
chosen paper colour as the page background."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from exporter.fonts import Font
from exporter.writers.docx.package import add_setting
from exporter.writers.docx.settings import W_XMLNS, quoteattr

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
#: Word's (and LibreOffice's) kinds of embedded face, by weight.
_EMBED = {"regular": "embedRegular", "bold": "embedBold"}


def font_key(data: bytes) -> str:
    """The GUID a face is obfuscated with, from its bytes: the same face, the same file."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                f"urn:sha256:{hashlib.sha256(data).hexdigest()}")).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """ECMA-376 font obfuscation: the first 32 bytes XORed with the key's 16 bytes, taken
    from the GUID's hex digits last to first (its own inverse, so it also reads one back)."""
    digits = key.strip("{}").replace("-", "")
    mask = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed_font(document: Any, font: Font, fallback: str) -> None:
    """Put the face's regular and bold in word/fonts/ and name them in the font table, with
    a sans-serif fallback for a reader whose Word cannot show embedded faces."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    table = next(rel.target_part for rel in document.part.rels.values()
                 if rel.reltype == RT.FONT_TABLE)
    root = parse_xml(table.blob)
    embeds = []
    for n, weight in enumerate(_EMBED, start=1):
        data = font.truetype(weight)
        key = font_key(data)
        part = Part(PackURI(f"/word/fonts/font{n}.odttf"), OBFUSCATED_FONT,
                    obfuscate(data, key), document.part.package)
        rid = table.relate_to(part, RT.FONT)
        embeds.append(f'<w:{_EMBED[weight]} r:id="{rid}" w:fontKey="{key}"/>')
    for old in root.findall(qn("w:font")):
        if old.get(qn("w:name")) == font.family:
            root.remove(old)
    root.insert(0, parse_xml(
        f'<w:font {W_XMLNS} xmlns:r="{R_NS}" w:name={quoteattr(font.family)}>'
        f"<w:altName w:val={quoteattr(fallback)}/><w:charset w:val=\"00\"/>"
        '<w:family w:val="swiss"/><w:pitch w:val="variable"/>'
        f"{''.join(embeds)}</w:font>"))
    from lxml import etree

    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    # Word keeps the faces in the file when someone edits and saves it.
    add_setting(document, "embedTrueTypeFonts")


def page_colour(document: Any, colour: str) -> None:
    """The page's background colour ("RRGGBB"), shown by Word and LibreOffice; nothing for
    white, the page as it is. (Word prints it only with "Print background colors" on.)"""
    if colour.upper() == "FFFFFF":
        return
    from docx.oxml import parse_xml

    document.element.insert(0, parse_xml(f'<w:background {W_XMLNS} w:color="{colour}"/>'))
    add_setting(document, "displayBackgroundShape")
