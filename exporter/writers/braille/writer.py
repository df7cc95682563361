"""Braille writer: UEB (or the language's code) as a BRF for embossers and displays, and a PEF."""

from __future__ import annotations

from typing import ClassVar

from exporter.output import build_time
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError
from exporter.writers.braille.pef import MEDIA_TYPE, PefMeta, pef


def file_name(stem: str, grade: int, suffix: str) -> str:
    """"hsct-braille.brf" for grade 2 (the default edition), "hsct-braille-grade1.brf" else."""
    return f"{stem}-braille{'' if grade == 2 else f'-grade{grade}'}{suffix}"


def brf(pages: list[list[str]]) -> bytes:
    """ASCII braille: CR LF after each line, a form feed between pages, nothing else."""
    from exporter.writers.braille.cells import to_ascii

    text = "\f".join("".join(to_ascii(line) + "\r\n" for line in page) for page in pages)
    return text.encode("ascii")


class BrailleWriter(Writer):
    """Braille formatted as a UK transcriber would, from liblouis (UEB grade 2 by default)."""

    name: ClassVar[str] = "braille"
    description: ClassVar[str] = (
        "Braille: UEB grade 2 (or 1) BRF for embossers and displays, and PEF, via liblouis"
    )
    label: ClassVar[str] = "Braille"
    hint: ClassVar[str] = ("For braille readers: a BRF file for an embosser or braille display "
                           "(40 cells by 25 lines), and the same pages as PEF.")
    files: ClassVar[tuple[FileKind, ...]] = (
        # BRF has no IANA-registered media type (no "braille" type exists for it); it is plain
        # ASCII text (printable characters, CR LF, form feeds), so it is served as text/plain
        # with its charset, which every browser, note-taker and embosser tool opens as is.
        FileKind(".brf", "text/plain; charset=us-ascii", "BRF", role="embosser file"),
        FileKind(".pef", MEDIA_TYPE, "PEF", role="XML braille"),
    )
    option_names: ClassVar[frozenset[str]] = frozenset({"grade"})
    checker: ClassVar[str | None] = "exporter.writers.braille.check:check"
    order: ClassVar[int] = 60
    cost: ClassVar[int] = 1

    def write(self, job: Job) -> list[Produced]:
        from exporter.writers.braille.book import build
        from exporter.writers.braille.readback import verify
        from exporter.writers.braille.settings import load_settings
        from exporter.writers.braille.translator import Braille

        settings = load_settings(job.styles)
        grade = int(job.options.grade)
        braille = Braille.for_document(job.doc.meta.language, grade, settings)
        undefined = braille.undefined(_texts(job))
        if undefined:
            raise WriterError(f"braille: {job.doc.source_path}: the braille table {braille.table} "
                              f"has no sign for {', '.join(undefined)}")
        book = build(job.doc, settings, braille)
        problems = verify(book.pages, book.front_pages, job.doc, settings, braille)
        if problems:
            raise WriterError(f"braille: {job.doc.source_path}: the braille does not read back "
                              f"as the source ({braille.table}): {'; '.join(problems)}")
        facts: dict[str, object] = {
            "pages": len(book.pages),
            "front_pages": book.front_pages,
            "table": braille.table,
            "grade": grade,
            "cells": settings.cells,
            "lines": settings.lines,
            "liblouis": braille.louis.version,
        }
        brf_name = file_name(job.stem, grade, ".brf")
        (job.dest / brf_name).write_bytes(brf(book.pages))
        pef_name = file_name(job.stem, grade, ".pef")
        meta = PefMeta(
            identifier=f"urn:sha256:{job.doc.source_sha256}:braille-grade{grade}",
            title=job.doc.meta.title, language=job.doc.meta.language,
            date=build_time().date().isoformat(), publisher=job.doc.meta.publisher,
            description=f"{braille.table}, {settings.cells} cells by {settings.lines} lines")
        (job.dest / pef_name).write_bytes(pef(book.pages, meta, settings.cells, settings.lines))
        return [Produced(brf_name, facts), Produced(pef_name, facts)]


def _texts(job: Job) -> list[str]:
    """Every piece of text the braille will carry: metadata, headings, all inline runs, notes."""
    from exporter.links import page_references
    from exporter.model import Link, inline_runs, iter_inlines, plain_text

    meta = job.doc.meta
    blocks = (*job.doc.blocks, *(b for note in job.doc.notes for b in note.blocks))
    texts = [meta.title, meta.publisher, meta.helpline]
    texts += [run if isinstance(run, str) else plain_text(run) for run in inline_runs(blocks)]
    texts += [n.href for n in iter_inlines(blocks) if isinstance(n, Link)]
    texts += page_references(job.doc)  # the titles of the pages it links to
    return texts
