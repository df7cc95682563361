"""Read-back checks of the HTML page: headings and contents equal the outline, every sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter.checks.common import (
    Context,
    Finding,
    compare_flat,
    compare_tree,
    finding,
    missing_sentences,
)
from exporter.checks.markup import PageReader, read_page


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Headings, contents, sentences, language and title of each HTML file."""
    found: list[Finding] = []
    for entry in entries:
        name = str(entry["file"])
        page = read_page(ctx.path(entry).read_text(encoding="utf-8"))
        found.append(finding("navigation", "html.headings", name,
                             compare_flat(page.headings, ctx.outline),
                             f"{len(page.headings)} headings equal the outline"))
        found.append(finding("navigation", "html.contents", name,
                             compare_tree(page.contents(), ctx.outline),
                             "contents list equals the outline"))
        found.append(finding("content", "html.sentences", name,
                             missing_sentences(ctx, "".join(page.text)),
                             f"all {len(ctx.sentences)} sentences, in order"))
        found.append(finding("validity", "html.language", name,
                             _head(ctx, page), "lang and title set"))
    return found


def _head(ctx: Context, page: PageReader) -> list[str]:
    problems = []
    if page.lang.lower() != ctx.doc.meta.language.lower():
        problems.append(f"<html lang> is '{page.lang}', the source says '{ctx.doc.meta.language}'")
    if page.title.strip() != ctx.doc.meta.title:
        problems.append(f"<title> is '{page.title.strip()}', the source says "
                        f"'{ctx.doc.meta.title}'")
    return problems
