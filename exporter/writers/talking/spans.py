"""The sentence markup for a DAISY 2.02 text document (print page numbers shown as players
expect them)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from exporter.writers.printpages.spans import SentenceMarkup


@dataclass(frozen=True)
class DaisySentenceMarkup(SentenceMarkup):
    """For a DAISY 2.02 text document: page numbers shown as DAISY players expect them."""

    def page_marker(self, label: str) -> str:
        return (f'<span class="page-normal" id="{self.page_id(label)}">'
                f"{escape(label, quote=False)}</span>")
