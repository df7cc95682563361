"""What the writers of tables, notes, pictures and sections need of the body being written.

A Protocol, so those modules depend on this one and body.py depends on them: the imports go
one way. ``Body`` (body.py) is the one implementation; it hands itself to them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from exporter.locale import Messages
from exporter.model import Block, Inline
from exporter.writers.docx.relations import Relations
from exporter.writers.docx.settings import Element, Metrics


class Flow(Protocol):
    """Where the next paragraph goes, and how to write blocks and inlines there."""

    document: Any  #: the python-docx Document
    body: Element  #: the document's w:body
    m: Metrics
    words: Messages
    part: Any  #: where relationships go: the document or the notes
    relations: Relations
    width: int  #: twips a picture may fill here
    counts: Counter[str]  #: facts for the manifest
    shape_id: int  #: the last picture's id

    @property
    def in_main_flow(self) -> bool:
        """True when writing straight into the document body (not a cell or a note)."""

    def place(self, element: Element) -> None:
        """Put ``element`` where the flow is."""

    def into(self, container: Element, *, part: Any = None, width: int | None = None,
             style: str | None = None) -> AbstractContextManager[None]:
        """Write into ``container`` (a table cell, a footnote) for the duration."""

    def last_placed(self) -> Element | None:
        """The element written last into the document body."""

    def new_bookmark_id(self) -> int:
        """A bookmark id not used yet."""

    def paragraph(self, style: str | None, *, ppr: str = "") -> Element:
        """A new paragraph, placed, in ``style`` with extra properties ``ppr``."""

    def block(self, node: Block, *, style: str | None = None) -> None:
        """Any block, in ``style`` where it names none."""

    def inlines(self, nodes: Iterable[Inline], parent: Element, *, bold: bool = False,
                link: bool = False) -> None:
        """Inline content appended to ``parent``."""
