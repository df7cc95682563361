"""Read-back checks of the large-print PDFs: PDF/UA-1 structure, navigation, text, print rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks.common import Context, Finding, compare_flat, compare_tree, finding
from exporter.locale import messages
from exporter.model import Figure, Quote, Table
from exporter.styles import MIN_CONTRAST
from exporter.writers.pdf import check_content as cc
from exporter.writers.pdf import check_print as pr
from exporter.writers.pdf import check_structure as st
from exporter.writers.pdf.check_text import addresses, clean
from exporter.writers.pdf.check_tree import marked_text, read_tree

#: A note marker in a heading's text: the heading is its title without it.
NOTE_MARKER = re.compile(r"\s*\[\d+\]")


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Every check of every PDF file."""
    found: list[Finding] = []
    for entry in entries:
        found += check_file(ctx, ctx.path(entry), ctx.size(entry))
    return found


def check_file(ctx: Context, path: Path, size: float) -> list[Finding]:
    """Structure (pikepdf) and rendering (pdfplumber) checks of one PDF."""
    import pdfplumber
    import pikepdf

    name = path.name
    doc = ctx.doc
    phrase = messages(doc.meta.language)("page_of")
    with pdfplumber.open(path) as plumb:
        pages = [pr.read_page(p) for p in plumb.pages]
        tree = plumb.structure_tree
    with pikepdf.open(path) as pdf:
        tagged = read_tree(pdf, marked_text(pages))
        found = [
            finding("navigation", "pdf.bookmarks", name,
                    compare_tree(st.bookmarks(pdf), ctx.outline), "bookmarks equal the outline"),
            finding("validity", "pdf.tags", name, st.tagged(pdf), "tagged: StructTreeRoot, Marked"),
            finding("validity", "pdf.language", name, st.language(ctx, pdf), "/Lang set"),
            finding("validity", "pdf.title", name, st.title(ctx, pdf),
                    "XMP dc:title and DisplayDocTitle set"),
            finding("validity", "pdf.ua-identifier", name, st.ua_identifier(pdf),
                    "XMP pdfuaid:part 1"),
            finding("validity", "pdf.fonts", name, st.fonts(pdf),
                    "every font embedded with a Unicode map"),
        ]
    printed = addresses(doc)
    text = cc.reading_text(tagged, printed)
    blocks = list(cc.walk(doc.blocks))
    found += [
        finding("navigation", "pdf.headings", name,
                compare_flat([(level, NOTE_MARKER.sub("", label)) for level, label in
                              pr.tagged_headings(tree, pages)], ctx.outline),
                "H1-H6 structure tags equal the outline"),
        finding("content", "pdf.sentences", name, cc.sentences(ctx.sentences, text),
                f"all {len(ctx.sentences)} sentences, in reading order"),
        finding("content", "pdf.notes", name, cc.notes(doc, text, clean(tagged.content)),
                f"all {len(doc.notes)} notes after the text, every sentence in order"),
        finding("content", "pdf.tables", name, cc.tables(doc, tagged, text, printed),
                f"{sum(isinstance(b, Table) for b in blocks)} tables tagged as tables "
                "(or re-flowed, every header and value present)"),
        finding("content", "pdf.figures", name, cc.figures(doc, tagged),
                f"{sum(isinstance(b, Figure) for b in blocks)} figures tagged, "
                "/Alt as in the source"),
        finding("content", "pdf.quotes", name, cc.quotes(doc, tagged),
                f"{sum(isinstance(b, Quote) for b in blocks)} quotations tagged BlockQuote"),
        finding("validity", "pdf.artifacts", name, pr.artifacts(pages, phrase),
                "page furniture marked as artifacts; all other text tagged"),
        finding("large-print", "pdf.text-size", name, pr.sizes(pages, size, phrase),
                f"body and page-number glyphs at least {size:g}pt"),
        finding("large-print", "pdf.page-numbers", name, pr.page_numbers(pages, phrase),
                "every page numbered, in the same place"),
        finding("large-print", "pdf.inside-page", name, pr.inside_page(pages),
                "every glyph inside the page: nothing clipped"),
        finding("large-print", "pdf.sans-serif", name, pr.serif(pages), "sans-serif faces only"),
        finding("large-print", "pdf.italic", name, pr.italic(pages), "no italic or slanted text"),
        finding("large-print", "pdf.alignment", name, pr.alignment(pages),
                "body text left-aligned, ragged right"),
        finding("large-print", "pdf.contrast", name, pr.contrast(pages),
                f"text contrast at least {MIN_CONTRAST}:1"),
    ]
    return found
