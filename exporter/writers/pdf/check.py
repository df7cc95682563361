"""Read-back checks of the large-print PDFs: PDF/UA-1 structure, navigation, text, print rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks.common import Context, Finding, compare_flat, compare_tree, finding
from exporter.checks.numbering import flatten, numbering
from exporter.locale import Messages, messages
from exporter.model import Document, Figure, Paragraph, Quote, Table, block_text, walk_blocks
from exporter.page import footer
from exporter.sentences import normalise
from exporter.styles import MIN_CONTRAST, Styles, load_styles
from exporter.writers.pdf import check_content as cc
from exporter.writers.pdf import check_paper as paper
from exporter.writers.pdf import check_print as pr
from exporter.writers.pdf import check_structure as st
from exporter.writers.pdf.check_text import addresses, clean
from exporter.writers.pdf.check_tree import BREAK, Node, marked_text, read_tree

#: A note marker in a heading's text: the heading is its title without it.
NOTE_MARKER = re.compile(r"\s*\[\d+\]")


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Every check of every PDF file."""
    found: list[Finding] = []
    for entry in entries:
        found += check_file(ctx, ctx.path(entry), ctx.size(entry), entry)
    return found


def check_file(ctx: Context, path: Path, size: float,
               entry: Mapping[str, Any] | None = None) -> list[Finding]:
    """Structure (pikepdf) and rendering (pdfplumber) checks of one PDF; ``entry`` (its
    manifest record) says which options it was made with, for the variant check."""
    import pdfplumber
    import pikepdf

    from exporter.writers.pdf.check_variant import variant

    name = path.name
    doc = ctx.doc
    words = messages(doc.meta.language)
    phrase = words("page_of")
    record = entry if entry is not None else {"options": {"size": size}}
    styles = load_styles()
    with pdfplumber.open(path) as plumb:
        pages = [pr.read_page(p) for p in plumb.pages]
        tree = plumb.structure_tree
    with pikepdf.open(path) as pdf:
        tagged = read_tree(pdf, marked_text(pages))
        bookmarks = st.bookmarks(pdf)
        marks = st.blocks_of(pdf)
        kinds = {key: block.kind for key, block in marks.items()}
        headings = [NOTE_MARKER.sub("", label) for _, label in pr.tagged_headings(tree, pages)]
        entries = contents_labels(tagged, words("contents_page"))
        found = [
            finding("navigation", "pdf.bookmarks", name,
                    compare_tree(bookmarks, ctx.outline), "bookmarks equal the outline"),
            finding("navigation", "pdf.numbering", name,
                    numbering(headings, ctx.outline)
                    + numbering(flatten(bookmarks), ctx.outline, "bookmark")
                    + numbering(entries, ctx.outline, "contents entry"),
                    "section numbers " + ("on every heading, bookmark and contents entry"
                                          if ctx.outline.numbered else "shown nowhere")),
            finding("navigation", "pdf.links", name, st.links(pdf),
                    "one Link tag and one annotation per link: none read twice"),
            finding("large-print", "pdf.variant", name, variant(pdf, pages, record, styles),
                    "the size, face, colours and spacing asked for"),
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
        finding("large-print", "pdf.alignment", name, pr.alignment(pages, kinds),
                "body text left-aligned, ragged right"),
        finding("large-print", "pdf.contrast", name, pr.contrast(pages),
                f"text contrast at least {MIN_CONTRAST}:1"),
        finding("large-print", "pdf.running-head", name, paper.running_head(pages, phrase),
                "the running head on one line, the same on every page"),
        finding("large-print", "pdf.page-fill", name,
                paper.page_fill(pages, kept_whole(styles, size, record),
                             contents_pattern(words("contents_page")))
                + paper.colophon_alone(pages, colophon(doc, words))
                + paper.stranded(pages, marks, paragraphs(doc)),
                "no page left emptier than what must stay together needs; the last page "
                "holds more than the closing lines; no line alone at a page break"),
    ]
    return found


def contents_pattern(template: str) -> re.Pattern[str]:
    """The end of a contents entry as printed: "– page 7" (the catalogue's words)."""
    before, _, after = template.partition("{page}")
    words = [re.escape(w) for w in before.split()]
    tail = r"\s*".join(re.escape(w) for w in after.split())
    return re.compile(r"\s*" + r"\s*".join(words) + r"\s*\d+\s*" + tail + "$")


def contents_labels(tagged: Node, template: str) -> list[str]:
    """The contents entries as tagged (each a Link), without their page numbers."""
    ending = contents_pattern(template)
    out = []
    for link in tagged.find("Link"):
        text = " ".join(clean(link.content).replace(BREAK, " ").split())
        if ending.search(text):
            out.append(ending.sub("", text))
    return out


def kept_whole(styles: Styles, size: float, record: Mapping[str, Any]) -> float:
    """Points of a page the layout may leave empty by necessity: a second-level heading of two
    lines, its margins, and the three lines that must follow it (two, and a paragraph's last
    line, which may not stand alone)."""
    from exporter.options import recorded

    options = recorded(record.get("options"), styles)
    scale = [float(s) for s in styles.settings.get("print", {}).get("heading_scale", [1.4])]
    heading = scale[min(1, len(scale) - 1)] * size
    return 2 * heading * 1.25 + 1.5 * heading + 3 * options.line_spacing * size


def paragraphs(doc: Document) -> list[str]:
    """The text of every paragraph, in lists, callouts and notes too, normalised: where a
    page break may fall between two lines."""
    found = [b for b in walk_blocks(doc.blocks)]
    found += [b for note in doc.notes for b in walk_blocks(note.blocks)]
    return [normalise(block_text(b)) for b in found if isinstance(b, Paragraph)]


def colophon(doc: Document, words: Messages) -> list[str]:
    """The closing lines as printed (publisher, last updated), or none."""
    return [" ".join(re.sub(r"<[^>]+>", "", line).split())
            for line in footer(doc, words).splitlines() if line.strip()]
