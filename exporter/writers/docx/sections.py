"""Landscape pages for a wide table: a section break before it (and its headings) and after it.

In WordprocessingML a paragraph whose properties hold a ``w:sectPr`` is the last paragraph of
that section; the body's own ``w:sectPr`` describes the last section.
"""

from __future__ import annotations

import copy
from typing import Any

from exporter.writers.docx.flow import Flow
from exporter.writers.docx.settings import Element

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def begin_landscape(body: Flow) -> None:
    """End the portrait section before the table, or before the headings that introduce it,
    so a heading is never left alone at the foot of the previous page."""
    last = body.last_placed()
    while last is not None and _is_heading(last):
        last = last.getprevious()
    if last is None or last.tag != f"{W}p" or _section_of(last) is not None:
        from docx.oxml import OxmlElement

        # Nothing to carry the break (the start, a table, another break): an empty paragraph.
        blank = OxmlElement("w:p")
        if last is None:
            body.body.insert(0, blank)
        else:
            last.addnext(blank)
        last = blank
    _end_section(last, _section(body, landscape=False))


def end_landscape(body: Flow) -> None:
    """End the landscape section just after the table."""
    _end_section(body.paragraph(None), _section(body, landscape=True))


def share_footer(document: Any) -> None:
    """Every section shows the same page-number footer as the last one."""
    from docx.oxml.ns import qn

    final = document.element.body.sectPr
    refs = final.findall(qn("w:footerReference"))
    for sect in document.element.body.iter(qn("w:sectPr")):
        if sect is final:
            continue
        for old in sect.findall(qn("w:footerReference")):
            sect.remove(old)
        for i, ref in enumerate(refs):
            sect.insert(i, copy.deepcopy(ref))


def _is_heading(p: Element) -> bool:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style is not None and str(style.get(f"{W}val", "")).startswith("Heading")


def _section_of(p: Element) -> Element | None:
    return p.find(f"{W}pPr/{W}sectPr")


def _section(body: Flow, *, landscape: bool) -> Element:
    """A copy of the document's section properties, turned on its side if asked."""
    sect = copy.deepcopy(body.body.sectPr)
    size = sect.find(f"{W}pgSz")
    if landscape and size is not None:
        width, height = size.get(f"{W}w"), size.get(f"{W}h")
        size.set(f"{W}w", height)
        size.set(f"{W}h", width)
        size.set(f"{W}orient", "landscape")
        margins = sect.find(f"{W}pgMar")
        if margins is not None:
            for side in ("left", "right"):
                margins.set(f"{W}{side}", str(body.m.cfg.wide_margin))
    # Each section starts a new page (the default "nextPage" type, written for clarity).
    kind = sect.find(f"{W}type")
    if kind is None:
        from docx.oxml import OxmlElement

        kind = OxmlElement("w:type")
        refs = [c for c in sect if c.tag in (f"{W}headerReference", f"{W}footerReference")]
        (refs[-1].addnext if refs else lambda el: sect.insert(0, el))(kind)
    kind.set(f"{W}val", "nextPage")
    return sect


def _end_section(p: Element, sect: Element) -> None:
    from docx.oxml import OxmlElement

    ppr = p.find(f"{W}pPr")
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        p.insert(0, ppr)
    ppr.append(sect)
