"""PEF 1.0 (Portable Embosser Format, DAISY 2008-1): the same pages as the BRF, in XML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape as _escape

NS = "http://www.daisy.org/ns/2008/pef"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA_TYPE = "application/x-pef+xml"


def escape(text: str) -> str:
    """XML character data: &, < and > escaped (as xml.sax.saxutils.escape, which would
    pull in urllib.request, ~15 ms, at start-up)."""
    return _escape(text, quote=False)


@dataclass(frozen=True)
class PefMeta:
    """The Dublin Core metadata of one PEF file."""

    identifier: str  #: unique and stable for these pages, e.g. "urn:sha256:…:braille-grade2"
    title: str
    language: str
    date: str  #: YYYY-MM-DD
    publisher: str = ""
    description: str = ""


def pef(pages: Sequence[Sequence[str]], meta: PefMeta, cols: int, rows: int) -> bytes:
    """A PEF document: one volume, one section, every page with its rows (cells U+2800..)."""
    head = [
        f"<dc:format>{MEDIA_TYPE}</dc:format>",
        f"<dc:identifier>{escape(meta.identifier)}</dc:identifier>",
        f"<dc:title>{escape(meta.title)}</dc:title>",
        f"<dc:language>{escape(meta.language)}</dc:language>",
        f"<dc:date>{escape(meta.date)}</dc:date>",
    ]
    if meta.publisher:
        head.append(f"<dc:publisher>{escape(meta.publisher)}</dc:publisher>")
    if meta.description:
        head.append(f"<dc:description>{escape(meta.description)}</dc:description>")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<pef xmlns="{NS}" xmlns:dc="{DC}" version="2008-1">',
        "<head>",
        "<meta>",
        *head,
        "</meta>",
        "</head>",
        "<body>",
        f'<volume cols="{cols}" rows="{rows}" rowgap="0" duplex="false">',
        "<section>",
    ]
    for page in pages:
        out.append("<page>")
        out += [f"<row>{row}</row>" if row else "<row/>" for row in page]
        out.append("</page>")
    out += ["</section>", "</volume>", "</body>", "</pef>", ""]
    return "\n".join(out).encode("utf-8")


def read_pef(data: bytes) -> list[list[str]]:
    """The rows of every page of a PEF file, in order (for checks and tests)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    return [[row.text or "" for row in page.iter(f"{{{NS}}}row")]
            for page in root.iter(f"{{{NS}}}page")]
