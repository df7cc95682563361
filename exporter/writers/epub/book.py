"""An EPUB read back for the checks: its container, package document, manifest and spine."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}


@dataclass(frozen=True)
class Book:
    """What the package says and holds, read from the zip."""

    zip: zipfile.ZipFile
    opf_path: str
    opf: ET.Element
    items: dict[str, tuple[str, str, str]]  #: id -> (zip path, media type, properties)
    spine: list[str]  #: zip paths in reading order

    def xml(self, path: str) -> ET.Element:
        return ET.fromstring(self.zip.read(path))

    def item_with(self, prop: str) -> str | None:
        return next((p for p, _, props in self.items.values() if prop in props.split()), None)


def open_book(path: Path) -> Book:
    """Open an EPUB and read its container, package, manifest and spine."""
    z = zipfile.ZipFile(path)
    container = ET.fromstring(z.read("META-INF/container.xml"))
    rootfile = container.find(".//c:rootfile", NS)
    if rootfile is None:
        raise ValueError("META-INF/container.xml names no package document")
    opf_path = rootfile.attrib["full-path"]
    opf = ET.fromstring(z.read(opf_path))
    base = posixpath.dirname(opf_path)
    items = {
        i.attrib["id"]: (posixpath.normpath(posixpath.join(base, i.attrib["href"])),
                         i.attrib.get("media-type", ""), i.attrib.get("properties", ""))
        for i in opf.iterfind("opf:manifest/opf:item", NS)
    }
    spine = [items[r.attrib["idref"]][0] for r in opf.iterfind("opf:spine/opf:itemref", NS)
             if r.attrib.get("linear", "yes") != "no" and r.attrib.get("idref") in items]
    return Book(z, opf_path, opf, items, spine)
