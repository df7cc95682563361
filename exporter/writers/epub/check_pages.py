"""Read-back check of an EPUB's page-list: every print page in order, each at its marker."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.writers.epub.book import NS, Book

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
#: epub:type and role values of a note or notes part.
NOTES = {"endnotes", "endnote", "footnotes", "footnote", "doc-endnotes", "doc-footnote"}


def page_list(out_dir: Path, book: Book, entry: Mapping[str, Any] | None = None, *,
              required: bool = False) -> list[str]:
    """Problems with the book's page-list (none when it has none, is not ``required`` and
    the manifest claims none: the publisher turned it off).

    Its pages are 1 to N in order; each link lands on a page-break marker (epub:type
    "pagebreak", role doc-pagebreak, its label as aria-label) in a document of the reading
    order, the markers come in the text in the pages' order (a page that begins in a note
    aside: print has the notes at the end), every marker in the text is listed; dc:source
    names the edition, and when that PDF is in the output folder its page count is N.
    ``entry``: the manifest's, whose facts say how many pages were listed.
    """
    nav_path = book.item_with("nav")
    if nav_path is None:
        return ["no navigation document"]
    nav = book.xml(nav_path)
    found = next((n for n in nav.iter(f"{XHTML}nav")
                  if "page-list" in n.get(EPUB_TYPE, "").split()), None)
    facts = (entry or {}).get("facts") or {}
    claimed = facts.get("pages") if isinstance(facts, Mapping) else None
    if found is None:
        return [f"{nav_path}: no page-list"] if claimed or required else []
    links = [(a.get("href", ""), "".join(a.itertext()).strip()) for a in found.iter(f"{XHTML}a")]
    labels = [label for _, label in links]
    problems = []
    if labels != [str(n) for n in range(1, len(labels) + 1)]:
        problems.append(f"{nav_path}: pages listed {labels}, not 1 to {len(labels)} in order")
    if claimed is not None and claimed != len(labels):
        problems.append(f"{nav_path}: {len(labels)} pages listed, the manifest says {claimed}")
    markers = _markers(book)
    where = {(file, mid): n for n, (file, mid, _, _) in enumerate(markers)}
    last = -1
    for href, label in links:
        file, _, frag = href.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(nav_path), file))
        at = where.get((target, frag))
        if at is None:
            problems.append(f"{nav_path}: page {label} ('{href}') has no page-break marker "
                            "in the reading order")
            continue
        if markers[at][2] != label:
            problems.append(f"{target}#{frag}: the marker of page {label} says "
                            f"'{markers[at][2]}'")
        if markers[at][3]:
            continue  # in a note: print has the notes at the end, an EPUB beside their text
        if at <= last:
            problems.append(f"{nav_path}: page {label}'s marker comes before the previous "
                            "page's in the text")
        last = at
    listed = {(posixpath.normpath(posixpath.join(posixpath.dirname(nav_path),
                                                 h.partition("#")[0])), h.partition("#")[2])
              for h, _ in links}
    problems += [f"{file}#{mid}: a page-break marker the page-list does not list"
                 for file, mid, _, _ in markers if (file, mid) not in listed]
    meta = book.opf.find("opf:metadata", NS)
    source = ((meta.findtext("dc:source", "", NS) if meta is not None else "") or "").strip()
    if not source:
        problems.append(f"{book.opf_path}: no dc:source naming the print edition")
    else:
        problems += edition_pages(out_dir, source, len(labels))
    return problems


def _markers(book: Book) -> list[tuple[str, str, str, bool]]:
    """(document, id, aria-label, inside a note) of every page-break marker, in reading
    order."""
    out: list[tuple[str, str, str, bool]] = []

    def walk(el: ET.Element, path: str, in_note: bool) -> None:
        kinds = {*el.get(EPUB_TYPE, "").split(), el.get("role", "")}
        if kinds & {"pagebreak", "doc-pagebreak"}:
            out.append((path, el.get("id", ""), el.get("aria-label", ""), in_note))
        in_note = in_note or bool(kinds & NOTES)
        for child in el:
            walk(child, path, in_note)

    for path in book.spine:
        walk(ET.fromstring(book.zip.read(path)), path, False)
    return out


def edition_pages(out_dir: Path, source: str, listed: int) -> list[str]:
    """The edition's page count, when the PDF it names is in the output folder."""
    pdf = out_dir / source
    if not pdf.is_file():
        return []
    import pikepdf

    with pikepdf.open(pdf) as p:
        pages = len(p.pages)
    return [] if pages == listed else [f"{listed} pages listed, {source} has {pages}"]
