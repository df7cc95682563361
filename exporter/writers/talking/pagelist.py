"""The EPUB page-list: every page of the print edition, linked to where it begins in the text.

For any EPUB writer: ``pages.page_map(job)`` gives the page breaks, a markup made with
``spans.SentenceMarkup`` (``spans=False`` for an EPUB that does not need sentence ids) marks
them in the content documents, and ``add_to_nav`` lists them in the navigation document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from exporter.html import attr
from exporter.writers.talking.pages import PageMap

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
