"""Word writer: a large-print .docx with real headings, contents, links, lists, tables and notes."""

from __future__ import annotations

import io
from typing import ClassVar

from exporter.locale import messages
from exporter.model import Document
from exporter.outline import Outline
from exporter.output import build_time
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError
from exporter.writers.docx.body import Body
from exporter.writers.docx.package import (
    add_footer,
    app_xml,
    drop_template_leftovers,
    rezip,
    set_page,
    set_properties,
    set_settings,
)
from exporter.writers.docx.sections import share_footer
from exporter.writers.docx.settings import APP_XML, Metrics, load_settings
from exporter.writers.docx.styles import install_styles


class DocxWriter(Writer):
    """Large-print Word document for screen readers and the Navigation pane."""

    name: ClassVar[str] = "docx"
    description: ClassVar[str] = (
        "Word (.docx): large print, heading structure, linked contents, the page's language, "
        "real links, lists, tables, pictures with alt text and footnotes"
    )
    label: ClassVar[str] = "Word document"
    hint: ClassVar[str] = "For Word and screen readers; you can change the text yourself."
    files: ClassVar[tuple[FileKind, ...]] = (FileKind(
        ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word"),)
    option_names: ClassVar[frozenset[str]] = frozenset({"size", "line_spacing"})
    checker: ClassVar[str | None] = "exporter.writers.docx.check:check"
    order: ClassVar[int] = 20

    def write(self, job: Job) -> list[Produced]:
        cfg = load_settings(job)
        size = job.options.size
        metrics = Metrics(size, job.options.line_spacing, cfg)
        try:
            data, facts = build(job.doc, job.outline, metrics)
        except ValueError as exc:  # lxml refuses text that XML cannot hold
            raise WriterError(
                f"docx: {job.doc.source_path}: cannot write this text: {exc}"
            ) from exc
        name = f"{job.stem}-large-print-{size}pt.docx"
        (job.dest / name).write_bytes(data)
        return [Produced(name, facts)]


# ------------------------------------------------------------------ the whole file


def build(doc: Document, outline: Outline, m: Metrics) -> tuple[bytes, dict[str, object]]:
    """The .docx bytes and facts for the manifest."""
    import docx  # heavy: loaded only when a Word file is wanted

    document = docx.Document()
    when = build_time()
    set_page(document, m)
    install_styles(document, m, doc.meta.language)
    words = messages(doc.meta.language)
    body = Body(document, outline, m, words)
    body.render(doc)
    # The contents' page numbers are fields Word fills in when it opens the file.
    set_settings(document, doc.meta.language, update_fields=body.counts["contents_entries"] > 0)
    add_footer(document, words)
    share_footer(document)
    set_properties(document, doc.meta, when)
    drop_template_leftovers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    data = rezip(buffer.getvalue(), when, {APP_XML: app_xml(doc.meta)})
    facts: dict[str, object] = {"headings": len(outline)}
    for name in ("contents_entries", "links", "lists"):
        facts[name] = body.counts[name]
    # The new structures only when present, so a page without them keeps its manifest.
    facts.update(sorted((k, v) for k, v in body.counts.items() if k not in facts))
    return data, facts
