"""Accessible HTML writer: one self-contained page with a skip link, contents and landmarks."""

from __future__ import annotations

from typing import ClassVar

from exporter.page import page
from exporter.writers.base import FileKind, Job, Produced, Writer


class HtmlWriter(Writer):
    """One self-contained, semantic HTML page (pictures embedded, no external files, nothing
    fetched)."""

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
        # The shared markup embeds each picture as a data: URI by default: one file to save,
        # mail or open offline, and nothing for a browser to fetch.
        css = job.styles.text("html.css")
        name = f"{job.stem}.html"
        (job.dest / name).write_text(page(job.doc, job.outline, css=css), encoding="utf-8")
        return [Produced(name)]
