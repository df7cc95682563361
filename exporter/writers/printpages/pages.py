"""Where each page of the large-print PDF begins, as a place in the text: the print page list.

The PDF writer's own page (its markup, stylesheet and fonts, ``pdf.writer.build_page``) is laid
out by WeasyPrint in a forked child, exactly as the PDF is, and the first words of each page
(running heads and page numbers, in margin boxes, left out) are found in the document's
sentences in order. A page break is then a sentence and a character offset in it, which
every talking book and the plain EPUB can place at the very word. Laying out costs about a
second; the result is kept in the cache beside the output, keyed by everything the PDF's
layout depends on, and computed once for all the writers that ask (under a lock).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import multiprocessing
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from exporter.fingerprint import job_fingerprint
from exporter.locale import messages
from exporter.options import Options, defaults
from exporter.writers.base import Job, WriterError
from exporter.writers.printpages.spans import Key, PageBreak, SentenceMarkup

#: The cache folder beside the writers' own.
SHARED = "print-pages"
#: Words of a page's first line looked for together (fewer at the end of the text).
WINDOW = 6
#: Words at the top of a page that may be skipped (labels, list numbers, a contents page).
SKIP = 40
#: Characters a probe must have to count as a match (shorter ones only at a page's end).
MIN_PROBE = 16
TIME_LIMIT_S = 120.0
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Edition:
    """The print edition the page numbers come from."""

    options: Options  #: the PDF's options: the default ones at the edition's size
    file: str  #: its file name, as the PDF writer names it (for dc:source)
    pages: int  #: how many pages it has


@dataclass(frozen=True)
class PageMap:
    """Every page of the edition and where it begins in the text."""

    edition: Edition
    breaks: tuple[PageBreak, ...]  #: one per page, in order

    def by_key(self) -> dict[Key, tuple[PageBreak, ...]]:
        out: dict[Key, list[PageBreak]] = {}
        for b in self.breaks:
            out.setdefault(b.key, []).append(b)
        return {k: tuple(v) for k, v in out.items()}


def edition_size(job: Job) -> int:
    """The print edition's size in points (styles/audio.yaml talking_book.print_edition_size)."""
    talking = job.styles.section("audio").get("talking_book") or {}
    value = talking.get("print_edition_size", 18) if isinstance(talking, dict) else 18
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise WriterError(f"styles/audio.yaml: talking_book.print_edition_size must be a "
                          f"whole number of points, not {value!r}") from exc


def page_map(job: Job) -> PageMap:
    """The page breaks of the large-print edition, as places in this document's sentences."""
    from exporter.writers.pdf.writer import PdfWriter, file_name

    options = defaults(job.styles).changed(size=edition_size(job))
    name = file_name(job.stem, options, job.styles)
    stream = sentence_stream(job)
    from exporter.collection import links_key

    # Print shows the titles and addresses of the pages this one links to: they move breaks.
    key = job_fingerprint(f"{job.doc.source_sha256}:{links_key(job.doc)}", "print-pages",
                          options.subset(PdfWriter.option_names), job.styles.roots)
    if job.cache is None:
        texts = page_texts(job, options)
    else:
        folder = job.cache.parent / SHARED
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder / "lock"):
            path = folder / f"{key[:40]}.json"
            try:
                texts = [str(t) for t in json.loads(path.read_text(encoding="utf-8"))]
            except (OSError, ValueError, TypeError):
                texts = page_texts(job, options)
                from exporter.output import atomic_write

                atomic_write(path, json.dumps(texts).encode(), durable=False)
    labels = _labels(job)
    found = locate([labels.sub(" ", t) for t in texts], [t for _, t in stream])
    breaks = tuple(PageBreak(stream[i][0], offset, str(n + 1))
                   for n, (i, offset) in enumerate(found))
    return PageMap(Edition(options, name, len(texts)), breaks)


def _labels(job: Job) -> re.Pattern[str]:
    """Words the print adds to a table it re-flows ("Row 5", "Class:" before each value),
    which the sentences do not have: left out of a page's words before they are looked for."""
    from exporter.model import walk_blocks
    from exporter.sentences import table_headings

    words = messages(job.doc.meta.language)
    row = re.escape(words("row", n="\ue000")).replace("\ue000", r"\d+")
    blocks = (*job.doc.blocks, *(b for n in job.doc.notes for b in n.blocks))
    headings = sorted(set(table_headings(tuple(walk_blocks(blocks)))), key=len, reverse=True)
    parts = [rf"\b{row}\b", *(rf"(?<!\w){re.escape(h)}:(?=\s|$)" for h in headings)]
    return re.compile("|".join(parts))


def sentence_stream(job: Job) -> list[tuple[Key, str]]:
    """Every sentence piece of the document in the order one page shows them (the text,
    then the notes), as the talking books' markup cuts and keys them."""
    mk = SentenceMarkup(job.outline, words=messages(job.doc.meta.language))
    mk.blocks(job.doc.blocks)
    mk.notes_part(list(job.doc.notes))
    return mk.order


def locate(pages: Sequence[str], pieces: Sequence[str]) -> list[tuple[int, int]]:
    """(piece index, character offset in it) where each page begins.

    A page's first words are looked for after the previous page's start; words the text does
    not have as sentences (a callout's label, "Contents" and its entries) are skipped. A page
    whose words are not found at all (a contents page) begins where the next page does.
    """
    flat, where = _flatten(pieces)
    found: list[tuple[int, int] | None] = []
    pos = 0
    for n, page in enumerate(pages):
        words = _SPACE.sub(" ", page).strip().split(" ")
        hit = None
        # Only the page's first lines, and only windows long enough not to match by chance
        # (a lone "7" of a contents line would be found anywhere).
        for j in range(min(len(words), SKIP)):
            probe = " ".join(words[j : j + WINDOW])
            if len(probe) < MIN_PROBE and j + WINDOW < len(words):
                continue
            if len(probe) < MIN_PROBE // 2:
                break
            at = flat.find(probe, pos)
            if at >= 0:
                hit = at
                break
        if n == 0 or hit is None:
            found.append((0, 0) if n == 0 else None)
            continue
        pos = hit
        found.append(where[hit])
    out: list[tuple[int, int]] = []
    later = (len(pieces) - 1, len(pieces[-1])) if pieces else (0, 0)
    for spot in reversed(found):
        later = spot if spot is not None else later
        out.append(later)
    out.reverse()
    if out:
        out[0] = (0, 0)  # the first page begins with the text, whatever comes before it
    return out


def _flatten(pieces: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The pieces' text with white space collapsed, one space between pieces, and for each
    character the piece and offset (in the piece's own text) it comes from."""
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for i, text in enumerate(pieces):
        if chars and chars[-1] != " ":
            chars.append(" ")
            where.append((i, 0))
        space = False
        for j, ch in enumerate(text):
            if ch.isspace():
                if not space and chars and chars[-1] != " ":
                    chars.append(" ")
                    where.append((i, j))
                space = True
                continue
            space = False
            chars.append(ch)
            where.append((i, j))
    return "".join(chars), where


# ---------------------------------------------------------------- laying out


def page_texts(job: Job, options: Options) -> list[str]:
    """The words on each page of the PDF the PDF writer makes with these options."""
    from exporter.writers.pdf.css import load_fonts
    from exporter.writers.pdf.writer import build_page

    settings = job.styles.section("pdf")
    fonts = load_fonts(job.styles, settings)
    page = build_page(job.doc, job.outline, job.styles, options, fonts, settings)
    request = (page.html, Path(job.doc.source_path).resolve().parent.as_uri() + "/",
               (*(r.resolve() for r in job.styles.roots), *fonts.folders), page.images)
    limit = float(settings.get("time_limit_seconds", TIME_LIMIT_S))
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, request), daemon=True)
    child.start()
    send.close()
    start = time.monotonic()
    try:
        if not receive.poll(limit):
            raise WriterError(f"laying out the {options.size}pt large print pages took longer "
                              f"than {limit:g} s (time_limit_seconds in styles/pdf.yaml)")
        ok, value = receive.recv()
    except EOFError as exc:
        raise WriterError("the page layout process ended without a result") from exc
    finally:
        receive.close()
        child.join(max(1.0, limit - (time.monotonic() - start)))
        if child.is_alive():
            child.kill()
            child.join()
    if not ok:
        raise WriterError(f"laying out the large print pages: {value}")
    return [str(t) for t in value]


def _child(conn: Connection, request: tuple[str, str, tuple[Path, ...], tuple[Path, ...]]
           ) -> None:
    try:
        conn.send((True, _lay_out(*request)))
    except BaseException as exc:  # FetchRefused is a BaseException by WeasyPrint's design
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _lay_out(html: str, base_url: str, roots: tuple[Path, ...], files: tuple[Path, ...]
             ) -> list[str]:
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import FontConfiguration

    from exporter.writers.pdf.fetcher import SafeFetcher

    fetcher = SafeFetcher(roots, files)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        font_config=FontConfiguration(), pdf_variant="pdf/ua-1")

    def lines(box: Any, out: list[str]) -> None:
        if isinstance(box, boxes.MarginBox):  # running head and page number
            return
        if isinstance(box, boxes.LineBox):
            out.append("".join(t.text for t in box.descendants() if isinstance(t, boxes.TextBox)))
            return
        for child in getattr(box, "children", ()):
            lines(child, out)

    texts = []
    for page in document.pages:
        found: list[str] = []
        lines(page._page_box, found)
        texts.append(" ".join(found))
    return texts


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
