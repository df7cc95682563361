"""Word writer: a large-print .docx with real headings, contents, links, lists, tables and notes."""

from __future__ import annotations

import io
from typing import ClassVar

from exporter.fonts import Font, FontError
from exporter.locale import messages
from exporter.model import Document
from exporter.options import file_suffix
from exporter.outline import Outline
from exporter.output import build_time
from exporter.styles import StylesError
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError
from exporter.writers.docx.body import Body
from exporter.writers.docx.embedding import embed_font, page_colour
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
from exporter.writers.docx.settings import (
    APP_XML,
    Colours,
    Metrics,
    WordSettings,
    load_settings,
)
from exporter.writers.docx.spacing import widen_spaces
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
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"size", "scheme", "font", "line_spacing", "letter_spacing", "word_spacing"})
    checker: ClassVar[str | None] = "exporter.writers.docx.check:check"
    order: ClassVar[int] = 20

    def write(self, job: Job) -> list[Produced]:
        cfg = load_settings(job)
        opts = job.options
        try:
            font = job.styles.font(opts.font)
            scheme = job.styles.schemes[opts.scheme]
        except (StylesError, KeyError) as exc:
            raise WriterError(f"docx: {exc}") from exc
        try:
            metrics = Metrics(opts.size, opts.line_spacing, cfg, family=font.family,
                              colours=Colours.of(cfg, scheme.text, scheme.background),
                              letter_spacing=opts.letter_spacing,
                              word_spacing=opts.word_spacing,
                              heading_limits=heading_limits(job.outline, font, cfg,
                                                            opts.letter_spacing),
                              face=font)
            data, facts = build(job.doc, job.outline, metrics, font)
        except ValueError as exc:  # lxml refuses text that XML cannot hold
            raise WriterError(
                f"docx: {job.doc.source_path}: cannot write this text: {exc}"
            ) from exc
        except FontError as exc:
            raise WriterError(f"docx: {exc}") from exc
        suffix = file_suffix(opts, self.option_names, job.styles)
        name = f"{job.stem}-large-print-{opts.size}pt{suffix}.docx"
        (job.dest / name).write_bytes(data)
        return [Produced(name, facts)]


# ------------------------------------------------------------------ the whole file


def heading_limits(outline: Outline, font: Font, cfg: WordSettings, letter_spacing: float
                   ) -> dict[int, int]:
    """Per heading level, the largest size (half-points) at which the widest word of its
    headings, as shown (numbered), fits between the margins in the chosen bold face."""
    width_pt = (cfg.page[0] - 2 * cfg.margin) / 20
    limits: dict[int, int] = {}
    for level in sorted({e.level for e in outline}):
        labels = [e.label for e in outline if e.level == level]
        widest = max((font.widest_word([w]) + letter_spacing * len(w)
                      for label in labels for w in label.split()), default=0.0)
        if widest:
            limits[level] = int(width_pt / widest * 2 * 0.98)  # a little room to spare
    return limits



def build(doc: Document, outline: Outline, m: Metrics, font: Font | None = None
          ) -> tuple[bytes, dict[str, object]]:
    """The .docx bytes and facts for the manifest; ``font`` is embedded when given."""
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
    if font is not None:
        embed_font(document, font, m.cfg.fallback_font)
    page_colour(document, m.palette.page)
    notes = [body.notes.part.element] if body.notes.part is not None else []
    widen_spaces([document.element.body, *notes, document.sections[-1].footer._element], m)
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
