"""Read-back checks of the large-print PDFs: PDF/UA-1 structure, navigation, text, print rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks.common import (
    Context,
    Finding,
    compare_flat,
    compare_tree,
    finding,
    missing_sentences,
)
from exporter.styles import MIN_CONTRAST
from exporter.writers.pdf import check_print as pr
from exporter.writers.pdf import check_structure as st

#: Print shows a link's address after its text, "(https://...)": not a change to the sentence.
PRINTED_ADDRESS = re.compile(r"\s*\((?:https?://|mailto:|tel:)[^)\s]*\)")


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
    with pikepdf.open(path) as pdf:
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
    with pdfplumber.open(path) as doc:
        pages = [pr.read_page(p) for p in doc.pages]
        tree = doc.structure_tree
    found += [
        finding("navigation", "pdf.headings", name,
                compare_flat(pr.tagged_headings(tree, pages), ctx.outline),
                "H1-H6 structure tags equal the outline"),
        finding("content", "pdf.sentences", name,
                missing_sentences(ctx, "\n".join(p.text for p in pages), PRINTED_ADDRESS),
                f"all {len(ctx.sentences)} sentences, in order"),
        finding("validity", "pdf.artifacts", name, pr.artifacts(pages),
                "page furniture marked as artifacts; all other text tagged"),
        finding("large-print", "pdf.text-size", name, pr.sizes(pages, size),
                f"body and page-number glyphs at least {size:g}pt"),
        finding("large-print", "pdf.page-numbers", name, pr.page_numbers(pages),
                "every page numbered, in the same place"),
        finding("large-print", "pdf.sans-serif", name, pr.serif(pages), "sans-serif faces only"),
        finding("large-print", "pdf.italic", name, pr.italic(pages), "no italic or slanted text"),
        finding("large-print", "pdf.alignment", name, pr.alignment(pages),
                "body text left-aligned, ragged right"),
        finding("large-print", "pdf.contrast", name, pr.contrast(pages),
                f"text contrast at least {MIN_CONTRAST}:1"),
    ]
    return found


