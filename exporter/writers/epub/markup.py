"""The shared markup as EPUB content documents need it: epub:type semantics, each note beside
the text that first refers to it, pictures as files inside the package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from exporter.html import Markup
from exporter.links import Kind
from exporter.model import Document, Image, Note, NoteRef, iter_inlines
from exporter.outline import Chunk
from exporter.writers.base import WriterError
from exporter.writers.printpages.spans import SentenceMarkup

IMAGE_FOLDER = "images"  #: inside the package, beside the content documents
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg"}


class EpubMarkup(Markup):
    """Markup with EPUB 3 structural semantics beside the ARIA roles (reading systems such as
    Apple Books, Kobo and Thorium show a noteref's note in a pop-up)."""

    links: ClassVar[Kind] = "ebook"  #: another page by its published address, not a file

    def semantic(self, kind: str) -> str:
        return f' epub:type="{kind}"'


@dataclass(frozen=True)
class EpubSentenceMarkup(SentenceMarkup, EpubMarkup):
    """For EPUB content documents: epub:type semantics, a print page break an empty span
    (``spans=False``, the plain EPUB: page markers only, no sentence ids)."""


def note_homes(chunks: Sequence[Chunk], files: Sequence[str], notes: Sequence[Note]
               ) -> dict[int, str]:
    """Note number -> the content document that shows it: the one holding its first marker.

    A note in the same document as its marker is what reading systems pop up most reliably,
    and a screen reader meets it at the end of the section it belongs to. Notes first met
    in reading order are numbered first, so each document's notes keep their order.
    """
    home: dict[int, str] = {}
    for chunk, file in zip(chunks, files, strict=True):
        for node in iter_inlines(chunk.blocks):
            if isinstance(node, NoteRef):
                home.setdefault(node.number, file)
    # A note referred to only from another note goes where that note goes.
    placed = True
    while placed:
        placed = False
        for note in notes:
            for node in iter_inlines(note.blocks):
                if note.number in home and isinstance(node, NoteRef) and node.number not in home:
                    home[node.number] = home[note.number]
                    placed = True
    for note in notes:
        home.setdefault(note.number, files[-1])
    return home


def note_page(home: dict[int, str], file: str) -> Callable[[int], str]:
    """Where a marker in ``file`` points for note n: "" in the same document, else its file."""

    def page(number: int) -> str:
        target = home.get(number, file)
        return "" if target == file else target

    return page


def image_names(doc: Document) -> dict[str, tuple[str, str]]:
    """Picture file (as the reader resolved it) -> (name in the package, media type).

    Names are numbered, not taken from the source: a source's file names may hold characters
    an EPUB may not, and one picture used twice is stored once.
    """
    names: dict[str, tuple[str, str]] = {}
    blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
    for node in iter_inlines(blocks):
        if not isinstance(node, Image) or node.path in names:
            continue
        extension = _EXTENSIONS.get(node.media_type)
        if not node.path or extension is None:
            raise WriterError(f"image {node.src!r} has no checked PNG or JPEG file: documents "
                              "must come from exporter.reader, which checks every image")
        names[node.path] = (f"{IMAGE_FOLDER}/image-{len(names) + 1:02d}{extension}",
                            node.media_type)
    return names


def image_src(names: dict[str, tuple[str, str]]) -> Callable[[Image], str]:
    """The src of a picture in a content document: its file in the package, relatively."""
    return lambda image: names[image.path][0]
