"""Large-print PDF writer: UKAAF large print on A4, tagged PDF/UA-1, rendered safely."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, ClassVar

from exporter.locale import messages
from exporter.model import Document
from exporter.options import file_suffix
from exporter.outline import Outline
from exporter.output import build_time
from exporter.styles import Styles
from exporter.writers.base import FileKind, Job, Options, Produced, Writer, WriterError
from exporter.writers.pdf import layout as lay
from exporter.writers.pdf.css import (
    Fonts,
    font_folder,
    heading_sizes,
    load_fonts,
    page_box,
    page_css,
    running_head,
    text_width,
)
from exporter.writers.pdf.markup import PdfMarkup
from exporter.writers.pdf.page import print_page

__all__ = ["PdfWriter", "font_folder"]

DEFAULT_TIME_LIMIT = 120.0
#: How many times a page may be laid out again with more keeps let go (fill.py); each costs
#: one more layout, and only a page that needs it pays.
RELAX_ROUNDS = 2
#: WeasyPrint log records at or above this level are passed back from the render process.
FORWARD_LEVEL = logging.WARNING


@dataclass(frozen=True)
class RenderRequest:
    """Everything the render process needs; plain data so it crosses a fork unchanged."""

    html: str
    base_url: str  #: the source's folder: relative references resolve there, then are refused
    roots: tuple[Path, ...]  #: the only folders the fetcher may read
    target: Path
    identifier: bytes  #: PDF /ID, derived from the source and options: reproducible
    created: str  #: W3C date-time for the PDF's creation and modification dates
    link_labels: tuple[tuple[str, str], ...] = ()  #: heading or note id -> words for links to it
    files: tuple[Path, ...] = ()  #: single files the fetcher may read too (the pictures)
    #: look for keeps that left a page too empty (fill.py) and, if any, stop before writing
    relax: bool = False


@dataclass(frozen=True)
class RenderResult:
    """What the render process reports back."""

    ok: bool
    message: str = ""  #: the error when not ok
    pages: int = 0
    artifacts: int = 0  #: running heads, page numbers, repeated table headers as artifacts
    logs: tuple[tuple[str, int, str], ...] = ()  #: (logger, level, message) from weasyprint
    #: keeps to let go before the PDF is written (nothing was written when there are any)
    loose: tuple[str, ...] = ()


class PdfWriter(Writer):
    """UKAAF large print PDF (A4, Atkinson Hyperlegible) tagged as PDF/UA-1."""

    name: ClassVar[str] = "pdf"
    description: ClassVar[str] = "Large-print PDF (UKAAF, A4, PDF/UA-1) for print and screen"
    label: ClassVar[str] = "Large print PDF"
    hint: ClassVar[str] = "For printing, or reading on screen at a large size."
    files: ClassVar[tuple[FileKind, ...]] = (FileKind(".pdf", "application/pdf", "PDF"),)
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"size", "scheme", "line_spacing", "font", "letter_spacing", "word_spacing"})
    checker: ClassVar[str | None] = "exporter.writers.pdf.check:check"
    order: ClassVar[int] = 10
    cost: ClassVar[int] = 3  # about 0.3 s a render against ~0.02 s for Word or EPUB
    preload: ClassVar[tuple[str, ...]] = ("weasyprint",)

    def write(self, job: Job) -> list[Produced]:
        opts, styles = job.options, job.styles
        settings = styles.section("pdf")
        name = file_name(job.stem, opts, styles)
        fonts = load_fonts(styles, settings, opts.font)
        limit = float(settings.get("time_limit_seconds", DEFAULT_TIME_LIMIT))
        relaxed: frozenset[str] = frozenset()
        for attempt in range(RELAX_ROUNDS + 1):
            page = build_page(job.doc, job.outline, styles, opts, fonts, settings, relaxed)
            request = RenderRequest(
                html=page.html,
                base_url=Path(job.doc.source_path).resolve().parent.as_uri() + "/",
                roots=(*(r.resolve() for r in styles.roots), *fonts.folders),
                target=job.dest / name,
                identifier=identifier(job.doc, opts),
                created=build_time().strftime("%Y-%m-%dT%H:%M:%SZ"),
                link_labels=tuple(page.link_labels.items()),
                files=page.images,
                relax=attempt < RELAX_ROUNDS,
            )
            result = render_with_limit(request, limit)
            if not result.ok or not result.loose:
                break
            # A kept block left a page too empty: lay out again with its keep let go.
            relaxed |= frozenset(result.loose)
        if not result.ok:
            request.target.unlink(missing_ok=True)
            raise WriterError(f"PDF {name}: {result.message}")
        return [Produced(name, {"pages": result.pages})]


# ------------------------------------------------------------------ choices and names


def file_name(stem: str, opts: Options, styles: Styles) -> str:
    """Stable names print services can rely on: the size always, then every other choice that
    is not the default (scheme, face, line, letter and word spacing), so two different PDFs
    never share a name and the usual ones keep theirs ("hsct-large-print-18pt.pdf")."""
    suffix = file_suffix(opts, PdfWriter.option_names, styles)
    return f"{stem}-large-print-{opts.size}pt{suffix}.pdf"


def identifier(doc: Document, opts: Options) -> bytes:
    """The PDF /ID: the same source and options always give the same identifier. The three
    original options keep their old key, so the usual PDFs keep their bytes."""
    key = f"{doc.source_sha256}|{opts.size}|{opts.scheme}|{opts.line_spacing}"
    extra = [f"{name}={getattr(opts, name)}" for name in ("font", "letter_spacing",
                                                           "word_spacing")
             if getattr(opts, name) != getattr(Options(), name)]
    key += "".join(f"|{e}" for e in extra)
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


# ------------------------------------------------------------------ HTML and CSS


@dataclass(frozen=True)
class PrintPage:
    """The page to render and what post-processing needs to know about it."""

    html: str
    link_labels: dict[str, str]  #: id -> words for links to it
    images: tuple[Path, ...]  #: the picture files the page shows (checked by the reader)


def build_page(doc: Document, outline: Outline, styles: Styles, opts: Options, fonts: Fonts,
               settings: Mapping[str, Any], relaxed: frozenset[str] = frozenset()) -> PrintPage:
    """The print page: title, a contents page with page numbers, the content, notes, footer.

    Tables and figures are measured first (layout.plan), so the markup knows which tables
    must re-flow and how big each picture is printed.
    """
    words = messages(doc.meta.language)
    width = text_width(settings)
    title = outline.roots[0].title if outline.roots else doc.meta.title
    head = running_head(title, fonts, opts, width)
    box = page_box(opts, settings, head.lines)
    geometry = lay.Page(box.text_width, box.text_height, float(opts.size), opts.line_spacing)
    planned = lay.plan(doc.blocks, doc.notes, geometry, lambda: fonts.faces(opts.letter_spacing))
    mk = PdfMarkup(outline, words=words, layout=replace(planned, relaxed=relaxed))
    code = lay.uses_code(doc.blocks, doc.notes)
    slot = "\ue002"  # the stylesheet goes here once the page's characters are known
    html = print_page(doc, mk, slot)
    fallback = bool(lay.missing_glyphs(html, fonts.faces().regular))
    labels: dict[int, list[str]] = {}
    for entry in outline:
        labels.setdefault(entry.level, []).append(entry.label)
    sizes = heading_sizes(labels, _scale(styles), fonts.face, opts, width)
    css = page_css(styles, opts, fonts, box, words, code=code, fallback=fallback,
                   head=head.text, heading_pt=sizes)
    html = html.replace(slot, css + styles.text("pdf.css"))
    links = {e.id: e.label for e in outline} | mk.link_labels(doc.notes)
    return PrintPage(html, links, lay.image_files(doc.blocks, doc.notes))


def _scale(styles: Styles) -> list[float]:
    """Heading sizes relative to the body, H1 first (settings.yaml print.heading_scale)."""
    return [float(s) for s in styles.settings.get("print", {}).get("heading_scale", [1.4])]


# ------------------------------------------------------------------ rendering


def render_with_limit(request: RenderRequest, limit: float) -> RenderResult:
    """Render in a forked child process that is killed when it runs past ``limit`` seconds.

    A child process is the one robust stop: WeasyPrint spends long stretches in C (Pango,
    HarfBuzz), where neither a signal handler nor a thread can interrupt it. Importing
    WeasyPrint here first means each forked child starts with it loaded (warm).
    """
    try:
        import weasyprint  # noqa: F401  # loaded once per process, shared with every child
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz missing
        raise WriterError(f"WeasyPrint cannot be loaded ({exc}): run `make setup`, which "
                          "installs it and the system libraries it needs") from exc

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(send, request), daemon=True)
    start = time.monotonic()
    child.start()
    send.close()
    try:
        if not receive.poll(limit):
            child.kill()
            child.join()
            request.target.unlink(missing_ok=True)
            return RenderResult(False, f"rendering took longer than the time limit of "
                                       f"{limit:g} s and was stopped; raise time_limit_seconds "
                                       f"in styles/pdf.yaml or shorten the source")
        try:
            result: RenderResult = receive.recv()
        except EOFError:
            result = RenderResult(False, "the render process ended without a result "
                                         "(out of memory or killed?)")
    finally:
        receive.close()
        child.join(max(1.0, limit - (time.monotonic() - start)))
        if child.is_alive():
            child.kill()
            child.join()
    _replay_logs(result.logs)
    return result


def _replay_logs(logs: tuple[tuple[str, int, str], ...]) -> None:
    """Re-log the child's weasyprint records here, where tests and the CLI see them."""
    for name, level, message in logs:
        logging.getLogger(name).log(level, "%s", message)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(FORWARD_LEVEL)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _child_main(conn: Connection, request: RenderRequest) -> None:
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    logger.setLevel(min(logger.getEffectiveLevel(), FORWARD_LEVEL))
    try:
        result = render(request)
    except BaseException as exc:  # FetchRefused is a BaseException by WeasyPrint's design
        request.target.unlink(missing_ok=True)
        message = str(exc) if type(exc).__name__ == "FetchRefused" else (
            f"{type(exc).__name__}: {exc}")
        result = RenderResult(False, message)
    conn.send(RenderResult(result.ok, result.message, result.pages, result.artifacts,
                           tuple(collect.records), result.loose))
    conn.close()


def render(request: RenderRequest) -> RenderResult:
    """Lay out, write PDF/UA-1, then fix the structure and mark page furniture as artifacts."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from exporter.writers.pdf.artifacts import postprocess
    from exporter.writers.pdf.fetcher import SafeFetcher
    from exporter.writers.pdf.fill import loose_keeps
    from exporter.writers.pdf.structure import table_keys

    fetcher = SafeFetcher(request.roots, request.files)
    fonts = FontConfiguration()
    options: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_identifier": request.identifier}
    document = HTML(string=request.html, base_url=request.base_url,
                    url_fetcher=fetcher).render(font_config=fonts, **options)
    if fetcher.refused:  # a refusal caught somewhere inside WeasyPrint still fails the job
        return RenderResult(False, fetcher.refused[0])
    if request.relax:
        loose = loose_keeps(document.pages)
        if loose:
            return RenderResult(True, pages=len(document.pages), loose=loose)
    document.metadata.created = request.created
    document.metadata.modified = request.created
    raw = request.target.with_name(request.target.name + ".raw")
    try:
        document.write_pdf(raw, **options)
        if fetcher.refused:
            return RenderResult(False, fetcher.refused[0])
        artifacts = postprocess(raw, request.target, dict(request.link_labels),
                                table_keys(document))
    finally:
        raw.unlink(missing_ok=True)
    return RenderResult(True, pages=len(document.pages), artifacts=artifacts)
