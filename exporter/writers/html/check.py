"""Read-back checks of the HTML page: headings and contents equal the outline, every sentence,
tables, pictures, quotations and notes as the source has them."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from exporter.checks import markup_compare as compare
from exporter.checks.common import (
    Context,
    Finding,
    compare_flat,
    compare_tree,
    finding,
    missing_sentences,
)
from exporter.checks.markup import PageReader, read_page
from exporter.checks.numbering import flatten, numbering

_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+);base64,(.*)", re.S)


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Headings, contents, sentences, structures, language and title of each HTML file."""
    found: list[Finding] = []
    for entry in entries:
        name = str(entry["file"])
        page = read_page(ctx.path(entry).read_text(encoding="utf-8"))
        pages = [compare.Page(name, page)]
        doc = ctx.doc
        found.append(finding("navigation", "html.headings", name,
                             compare_flat(page.headings, ctx.outline),
                             f"{len(page.headings)} headings equal the outline"))
        found.append(finding("navigation", "html.contents", name,
                             compare_tree(page.contents(), ctx.outline),
                             "contents list equals the outline"))
        found.append(finding("navigation", "html.numbering", name,
                             numbering([t for _, t in page.headings], ctx.outline)
                             + numbering(flatten(page.contents()), ctx.outline,
                                         "contents entry"),
                             "section numbers " + ("on every heading and contents entry"
                                                   if ctx.outline.numbered else "shown nowhere")))
        found.append(finding("content", "html.sentences", name,
                             missing_sentences(ctx, "".join(page.text)),
                             f"all {len(ctx.sentences)} sentences, in order"))
        found.append(finding("content", "html.tables", name, compare.tables(doc, pages),
                             f"tables: {len(page.tables)}, with caption, column headers and rows"))
        found.append(finding("content", "html.figures", name,
                             compare.figures(doc, pages, embedded),
                             f"pictures: {len(page.images)}, embedded, with the source's alt text"))
        found.append(finding("content", "html.quotations", name,
                             compare.quotations(doc, pages),
                             f"quotations: {len(page.quotes)}, with their attribution"))
        found.append(finding("content", "html.notes", name, compare.notes(doc, pages),
                             f"notes: {len(page.notes)}, in order, linked both ways"))
        found.append(finding("content", "html.callouts", name, compare.callouts(doc, pages),
                             f"callouts: {len(page.callouts)}, each named by its label alone, "
                             "none a landmark"))
        found.append(finding("validity", "html.language", name,
                             _head(ctx, page), "lang and title set"))
    return found


def embedded(page: str, src: str) -> tuple[str, bytes] | str:
    """A self-contained page holds each picture as a data: URI: its media type and bytes."""
    m = _DATA_URI.fullmatch(src.strip())
    if m is None:
        return f"src '{src[:60]}' is not an embedded picture (data: URI): the page is not " \
               "self-contained"
    try:
        return m.group(1), base64.b64decode(m.group(2), validate=True)
    except (binascii.Error, ValueError):
        return "the embedded picture is not valid base64"


def _head(ctx: Context, page: PageReader) -> list[str]:
    problems = []
    if page.lang.lower() != ctx.doc.meta.language.lower():
        problems.append(f"<html lang> is '{page.lang}', the source says '{ctx.doc.meta.language}'")
    if page.title.strip() != ctx.doc.meta.title:
        problems.append(f"<title> is '{page.title.strip()}', the source says "
                        f"'{ctx.doc.meta.title}'")
    return problems
