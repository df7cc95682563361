"""The EPUB page-list: every page of the print edition, linked to where it begins in the text.

For any EPUB writer (the talking book uses all four steps; the plain EPUB can too):
1. ``pages = pages.page_map(job)``: the breaks (the layout is cached and shared);
2. render each content document with ``epub.markup.EpubSentenceMarkup(..., breaks=pages.by_key(),
   counter=shared, spans=False)`` (``spans=False``: page markers only, no sentence ids);
3. ``metadata(ebook, pages)`` before writing: dc:source and its role, the two features;
4. ``add_to_nav(nav_bytes, entries(pages, bodies, files), words("page_list"))`` on nav.xhtml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from exporter.html import attr
from exporter.writers.printpages.pages import PageMap

#: Features a book with a page list has (schema.org accessibilityFeature).
FEATURES = ("pageBreakMarkers", "pageNavigation")

_BODY_END = re.compile(rb"</body>")


def entries(pages: PageMap, bodies: Sequence[str], files: Sequence[str]) -> list[tuple[str, str]]:
    """(href, label) of every page, in order: the document holding its marker and its id.

    Every page must have its marker (a page the text does not have, such as a contents page,
    is marked where the next page begins), so a missing one is a bug and raises ValueError.
    """
    out = []
    for brk in pages.breaks:
        for body, file in zip(bodies, files, strict=True):
            found = re.search(rf'id="([^"]*page-{re.escape(brk.label)})" role="doc-pagebreak"',
                              body)
            if found:
                out.append((f"{file}#{found.group(1)}", brk.label))
                break
        else:
            raise ValueError(f"page {brk.label} has no marker in the text")
    return out


def nav(listed: Sequence[tuple[str, str]], title: str) -> str:
    """The page-list <nav> (hidden: reading systems offer it as "go to page")."""
    items = "\n".join(f'<li><a href="{attr(href)}">{escape(label, quote=False)}</a></li>'
                      for href, label in listed)
    return (f'<nav epub:type="page-list" id="page-list" role="doc-pagelist" hidden="hidden">\n'
            f"<h2>{escape(title, quote=False)}</h2>\n<ol>\n{items}\n</ol>\n</nav>\n")


def add_to_nav(nav_xhtml: bytes, listed: Sequence[tuple[str, str]], title: str) -> bytes:
    """The navigation document with the page-list after its other <nav>s."""
    if not listed:
        return nav_xhtml
    new, n = _BODY_END.subn(nav(listed, title).encode() + b"</body>", nav_xhtml, count=1)
    if n != 1:
        raise ValueError("the navigation document has no </body>")
    return new


def metadata(ebook: Any, pages: PageMap) -> None:
    """The print edition as the page list's source (EPUB Accessibility 1.1: dc:source with
    source-of "pagination", which Ace requires) and the page features, on an ebooklib book."""
    ebook.add_metadata("DC", "source", pages.edition.file, {"id": "print-source"})
    ebook.add_metadata(None, "meta", "pagination",
                       {"property": "source-of", "refines": "#print-source"})
    for feature in FEATURES:
        ebook.add_metadata(None, "meta", feature, {"property": "schema:accessibilityFeature"})
