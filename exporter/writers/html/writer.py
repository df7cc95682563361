"""Accessible HTML writer: one self-contained page with a skip link, contents and landmarks."""

from __future__ import annotations

from typing import ClassVar

from exporter.html import page
from exporter.model import Image, iter_inlines
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError


class HtmlWriter(Writer):
    """One self-contained, semantic HTML page (no external files, nothing fetched)."""

    name: ClassVar[str] = "html"
    description: ClassVar[str] = (
        "Accessible HTML: one self-contained page with contents and landmarks"
    )
    label: ClassVar[str] = "Web page"
    hint: ClassVar[str] = "One accessible web page, to read in any browser."
    files: ClassVar[tuple[FileKind, ...]] = (
        FileKind(".html", "text/html; charset=utf-8", "HTML", inline=True),
    )
    checker: ClassVar[str | None] = "exporter.writers.html.check:check"
    order: ClassVar[int] = 50

    def write(self, job: Job) -> list[Produced]:
        images = [n for n in iter_inlines(job.doc.blocks) if isinstance(n, Image)]
        if images:
            # A self-contained page cannot point at files; images would need embedding,
            # which no source needs yet. Say so rather than write a page with broken images.
            raise WriterError(
                f"{job.doc.source_path}: images are not supported by the HTML writer yet "
                f"(first: {images[0].src})"
            )
        css = job.styles.text("html.css")
        name = f"{job.stem}.html"
        (job.dest / name).write_text(page(job.doc, job.outline, css=css), encoding="utf-8")
        return [Produced(name)]

