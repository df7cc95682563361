"""Large-print PDF writer: UKAAF large print on A4, tagged PDF/UA-1, rendered safely."""

from __future__ import annotations

import hashlib
import importlib
import logging
import math
import multiprocessing
import time
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, ClassVar

from exporter.model import Document
from exporter.outline import Outline
from exporter.output import build_time
from exporter.page import page
from exporter.styles import Scheme, Styles
from exporter.writers.base import FileKind, Job, Options, Produced, Writer, WriterError

DEFAULT_TIME_LIMIT = 120.0
#: WeasyPrint log records at or above this level are passed back from the render process.
FORWARD_LEVEL = logging.WARNING
#: Average advance of a character as a share of the font size, to size the running-head area.
_AVG_CHAR_EM = 0.6
_PT_PER_MM = 72 / 25.4
_A4_WIDTH_MM = 210


@dataclass(frozen=True)
class RenderRequest:
    """Everything the render process needs; plain data so it crosses a fork unchanged."""

    html: str
    base_url: str  #: the source's folder: relative references resolve there, then are refused
    roots: tuple[Path, ...]  #: the only folders the fetcher may read
    target: Path
    identifier: bytes  #: PDF /ID, derived from the source and options: reproducible
    created: str  #: W3C date-time for the PDF's creation and modification dates
    link_labels: tuple[tuple[str, str], ...] = ()  #: heading id -> words for links to it


@dataclass(frozen=True)
class RenderResult:
    """What the render process reports back."""

    ok: bool
    message: str = ""  #: the error when not ok
    pages: int = 0
    artifacts: int = 0  #: running heads and page numbers re-marked as artifacts
    logs: tuple[tuple[str, int, str], ...] = ()  #: (logger, level, message) from weasyprint


class PdfWriter(Writer):
    """UKAAF large print PDF (A4, Atkinson Hyperlegible) tagged as PDF/UA-1."""

    name: ClassVar[str] = "pdf"
    description: ClassVar[str] = "Large-print PDF (UKAAF, A4, PDF/UA-1) for print and screen"
    label: ClassVar[str] = "Large print PDF"
    hint: ClassVar[str] = "For printing, or reading on screen at a large size."
    files: ClassVar[tuple[FileKind, ...]] = (FileKind(".pdf", "application/pdf", "PDF"),)
    option_names: ClassVar[frozenset[str]] = frozenset({"size", "scheme", "line_spacing"})
    checker: ClassVar[str | None] = "exporter.writers.pdf.check:check"
    order: ClassVar[int] = 10
    cost: ClassVar[int] = 3  # about 0.3 s a render against ~0.02 s for Word or EPUB

    def write(self, job: Job) -> list[Produced]:
        opts, styles = job.options, job.styles
        settings = styles.section("pdf")
        name = file_name(job.stem, opts, styles.default_scheme)
        fonts = font_folder(styles.font_package)
        html = build_html(job.doc, job.outline, styles, opts, fonts, settings)
        request = RenderRequest(
            html=html,
            base_url=Path(job.doc.source_path).resolve().parent.as_uri() + "/",
            roots=(*(r.resolve() for r in styles.roots), fonts),
            target=job.dest / name,
            identifier=identifier(job.doc, opts),
            created=build_time().strftime("%Y-%m-%dT%H:%M:%SZ"),
            link_labels=tuple((e.id, e.label) for e in job.outline),
        )
        limit = float(settings.get("time_limit_seconds", DEFAULT_TIME_LIMIT))
        result = render_with_limit(request, limit)
        if not result.ok:
            request.target.unlink(missing_ok=True)
            raise WriterError(f"PDF {name}: {result.message}")
        return [Produced(name, {"pages": result.pages})]


# ------------------------------------------------------------------ choices and names


def file_name(stem: str, opts: Options, default_scheme: str) -> str:
    """Stable names print services can rely on; the scheme appears only when not the default."""
    scheme = "" if opts.scheme == default_scheme else f"-{opts.scheme}"
    return f"{stem}-large-print-{opts.size}pt{scheme}.pdf"


def identifier(doc: Document, opts: Options) -> bytes:
    """The PDF /ID: the same source and options always give the same identifier."""
    key = f"{doc.source_sha256}|{opts.size}|{opts.scheme}|{opts.line_spacing}"
    return hashlib.sha256(key.encode()).hexdigest()[:32].encode()


def font_folder(package: str) -> Path:
    """The folder holding the font package's TTF files."""
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise WriterError(f"the font package {package} is not installed: run "
                          f"`pip install {package.replace('_', '-')}` (or `make setup`)") from exc
    folder = Path(module.__file__ or ".").resolve().parent / "files"
    if not any(folder.glob("*-Regular.ttf")):
        raise WriterError(f"no Regular TTF font found in {folder}: reinstall {package}")
    return folder.resolve()


# ------------------------------------------------------------------ HTML and CSS


def build_html(doc: Document, outline: Outline, styles: Styles, opts: Options, fonts: Path,
               settings: Mapping[str, Any]) -> str:
    """The print page: title, a contents page with page numbers, the content, the footer."""
    css = page_css(doc, styles, opts, fonts, settings) + styles.text("pdf.css")
    label = str(settings.get("contents_label", "Contents"))
    return page(doc, outline, css=css, contents_label=label, screen=False)


def page_css(doc: Document, styles: Styles, opts: Options, fonts: Path,
             settings: Mapping[str, Any]) -> str:
    """The rules that depend on the options: page box, fonts, body size, colours."""
    scheme: Scheme = styles.schemes[opts.scheme]
    size = opts.size
    side_mm = float(settings.get("margin_side_mm", 20))
    foot_mm = float(settings.get("margin_foot_mm", 15))
    # The running title may wrap at large sizes: make room for every line it will take.
    width_pt = (_A4_WIDTH_MM - 2 * side_mm) * _PT_PER_MM
    head_lines = max(1, math.ceil(len(doc.meta.title) * _AVG_CHAR_EM * size / width_pt))
    head_pt = head_lines * size * 1.25
    top_pt = head_pt + 1.2 * size + 10 * _PT_PER_MM
    bottom_pt = size * 1.25 + 0.8 * size + foot_mm * _PT_PER_MM
    family = css_string(styles.font_family)
    fallback = str(styles.settings.get("print", {}).get("fallback_family", "sans-serif"))
    faces = "\n".join(
        f'@font-face {{ font-family: {family}; font-weight: {weight}; font-style: normal; '
        f'src: url("{file.as_uri()}"); }}'
        for weight, file in font_files(fonts).items()
    )
    scale = [float(s) for s in styles.settings.get("print", {}).get("heading_scale", [1.4])]
    headings = "\n".join(
        f"h{n} {{ font-size: {scale[min(n - 1, len(scale) - 1)]:g}em; }}" for n in range(1, 7)
    )
    margin_box = (f"font-family: {family}, {fallback}; font-size: {size}pt; line-height: 1.25; "
                  f"color: {scheme.text}; font-weight: normal;")
    return f"""{faces}
@page {{
  size: {settings.get("page_size", "A4")};
  margin: {top_pt:.1f}pt {side_mm}mm {bottom_pt:.1f}pt {side_mm}mm;
  background: {scheme.background};
  @top-left {{ content: string(doctitle); {margin_box} width: 100%;
              vertical-align: top; padding-top: {10 * _PT_PER_MM:.1f}pt; }}
  @bottom-left {{ content: "Page " counter(page) " of " counter(pages); {margin_box}
                 width: 100%; vertical-align: top; padding-top: {0.8 * size:.1f}pt; }}
}}
html {{ font-family: {family}, {fallback}; font-size: {size}pt;
       line-height: {opts.line_spacing:g}; color: {scheme.text}; background: {scheme.background}; }}
{headings}
.callout-helpline {{ background: {scheme.text}; color: {scheme.background};
                    border-color: {scheme.text}; }}
"""


def font_files(folder: Path) -> dict[str, Path]:
    """Regular and bold faces only: no italic face is ever offered, so none can be used."""
    files: dict[str, Path] = {}
    for weight, suffix in (("normal", "Regular"), ("bold", "Bold")):
        found = sorted(folder.glob(f"*-{suffix}.ttf"))
        if not found:
            raise WriterError(f"no {suffix} TTF font in {folder}: reinstall the font package")
        files[weight] = found[0]
    return files


def css_string(text: str) -> str:
    """A CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


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
                           tuple(collect.records)))
    conn.close()


def render(request: RenderRequest) -> RenderResult:
    """Lay out, write PDF/UA-1, then mark page furniture as artifacts (in this process)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from exporter.writers.pdf.artifacts import mark_furniture_as_artifacts
    from exporter.writers.pdf.fetcher import SafeFetcher

    fetcher = SafeFetcher(request.roots)
    fonts = FontConfiguration()
    options: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_identifier": request.identifier}
    document = HTML(string=request.html, base_url=request.base_url,
                    url_fetcher=fetcher).render(font_config=fonts, **options)
    if fetcher.refused:  # a refusal caught somewhere inside WeasyPrint still fails the job
        return RenderResult(False, fetcher.refused[0])
    document.metadata.created = request.created
    document.metadata.modified = request.created
    raw = request.target.with_name(request.target.name + ".raw")
    try:
        document.write_pdf(raw, **options)
        if fetcher.refused:
            return RenderResult(False, fetcher.refused[0])
        artifacts = mark_furniture_as_artifacts(raw, request.target, dict(request.link_labels))
    finally:
        raw.unlink(missing_ok=True)
    return RenderResult(True, pages=len(document.pages), artifacts=artifacts)
