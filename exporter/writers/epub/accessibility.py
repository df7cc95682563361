"""EPUB Accessibility 1.1 package metadata that is true of one book: modes, features, summary."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.locale import Messages
from exporter.model import Callout, Document, Image, Table, iter_inlines, walk_blocks

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
#: True of every book this writer makes: headings and a full table of contents, spine order =
#: source order, relative units and no fixed colours so reading systems can restyle everything.
FEATURES = ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability")


@dataclass(frozen=True)
class Content:
    """What a book holds that its accessibility metadata must own up to."""

    images: bool
    tables: bool
    notes: bool
    callouts: bool

    @classmethod
    def of(cls, doc: Document) -> Content:
        blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
        return cls(
            images=any(isinstance(n, Image) for n in iter_inlines(blocks)),
            tables=any(isinstance(b, Table) for b in walk_blocks(blocks)),
            notes=bool(doc.notes),
            callouts=any(isinstance(b, Callout) for b in walk_blocks(blocks)),
        )


def properties(content: Content) -> list[tuple[str, str]]:
    """(property, value) pairs: schema.org access modes, features and hazards."""
    modes = ["textual", "visual"] if content.images else ["textual"]
    # Every picture has alt text (the reader refuses one without): text alone is sufficient.
    features = [*FEATURES, "alternativeText"] if content.images else list(FEATURES)
    return ([("schema:accessMode", m) for m in modes]
            + [("schema:accessModeSufficient", "textual")]
            + [("schema:accessibilityFeature", f) for f in features]
            + [("schema:accessibilityHazard", "none")])


def summary(words: Messages, content: Content, font: str) -> str:
    """The accessibility summary in the book's language, saying only what is true of it."""
    keys = ["images" if content.images else "text_only", "navigation"]
    keys += ["tables"] if content.tables else []
    keys += ["notes"] if content.notes else []
    keys += ["display"]
    keys += ["callouts"] if content.callouts else []
    return " ".join(words(f"accessibility_summary.{k}", font=font) for k in keys)
