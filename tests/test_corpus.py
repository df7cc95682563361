"""The corpus: realistic charity pages, each exported to every installed format at every print
size, passing `exporter check`, with its structure read back from every file and compared with
the source (tables, figures, quotations, notes, definitions, code, breaks, links, language)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from exporter import registry
from exporter.locale import Messages, messages
from exporter.manifest import read_manifest
from exporter.model import (
    Document,
    Figure,
    Quote,
    Table,
    block_text,
    plain_text,
    walk_blocks,
)
from exporter.readback import Report, run_checks
from exporter.reader import read
from exporter.sentences import normalise
from tests.readback import Source, read_docx, read_epub, read_html, read_pdf, text_of

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.md"))
SIZES = (16, 18, 24)
#: The reader's warnings each page must give (style advice: the export goes on); every other
#: page exports without a warning.
EXPECTED_WARNINGS: Mapping[str, tuple[str, ...]] = {
    "blue-badge-figure-steps": (r"relative link '\.\./driving/' has no base address",),
    # A language without a catalogue of its own gets English interface words, and is told so.
    "polish-language-pl": (r"(?i)\b(pl|polish)\b.*\benglish\b|\benglish\b.*\b(pl|polish)\b",),
}


@dataclass(frozen=True)
class Built:
    """One page exported to everything, and checked."""

    page: Path
    doc: Document
    source: Source
    out: Path
    export: subprocess.CompletedProcess[str]
    files: tuple[Mapping[str, Any], ...]
    report: Report

    @property
    def words(self) -> Messages:
        return messages(self.doc.meta.language)

    def paths(self, fmt: str, suffix: str) -> list[Path]:
        """The files of one format with one suffix; fails when the writer made none."""
        found = [self.out / str(e["file"]) for e in self.files
                 if e.get("format") == fmt and str(e["file"]).endswith(suffix)]
        assert found, f"{self.page.name}: no {suffix} file from the {fmt} writer\n" \
                      f"{self.export.stderr[-2000:]}"
        return found


@pytest.fixture(scope="module", params=PAGES, ids=lambda p: p.stem)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    page: Path = request.param
    out = tmp_path_factory.mktemp(page.stem) / "output"
    # The command a member of staff runs, from the project folder (its styles/).
    done = subprocess.run(
        [sys.executable, "-m", "exporter", "export", str(page), "--to", "all", "--size",
         ",".join(map(str, SIZES)), "-o", str(out), "-j", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    doc = read(page)
    files = tuple(read_manifest(out)["files"]) if out.is_dir() else ()
    report = run_checks(out, page, reuse=False)
    return Built(page, doc, Source.of(doc), out, done, files, report)


def test_exports_every_format_at_every_size(built: Built) -> None:
    assert built.export.returncode == 0, built.export.stderr[-4000:]
    made = {str(e["format"]) for e in built.files}
    assert made == set(registry.available()), f"no files from {set(registry.available()) - made}"
    for name in made:
        if "size" in registry.get(name).option_names:
            sizes = {int(e["options"]["size"]) for e in built.files if e["format"] == name}
            assert sizes == set(SIZES), f"{name}: sizes {sorted(sizes)}"


def test_exactly_the_expected_warnings(built: Built) -> None:
    given = [line for line in built.export.stderr.splitlines() if "warning" in line.lower()]
    expected = EXPECTED_WARNINGS.get(built.page.stem, ())
    for pattern in expected:
        assert any(re.search(pattern, line) for line in given), \
            f"no warning matching {pattern!r}; given: {given}"
    extra = [w for w in given if not any(re.search(p, w) for p in expected)]
    assert not extra, extra


def test_check_passes(built: Built) -> None:
    assert built.report.ok, "\n".join(f"{f.check} {f.file}: {f.detail}"
                                      for f in built.report.failures)


# ---------------------------------------------------------------- structure, format by format


def compare(what: str, found: object, expected: object, problems: list[str]) -> None:
    if found != expected:
        problems.append(f"{what}: found {found!r}, the source has {expected!r}")


def markup_problems(b: Built, path: Path, *, page: bool) -> list[str]:
    """HTML (page=True) or EPUB: real tables, figures, quotations, notes, lists, links."""
    found = read_html(path) if page else read_epub(path)
    src, problems = b.source, list[str]()
    compare("tables (caption, column headings)", found.tables,
            [(_caption(t), text_of(t.header)) for t in src.tables], problems)
    compare("figures (alt, caption)", [(alt, cap) for alt, _, cap in found.figures],
            [(f.image.alt, _caption(f)) for f in src.figures], problems)
    for alt, img_src, _ in found.figures:
        if page and not img_src.startswith("data:image/"):
            problems.append(f"image '{alt[:30]}' is not embedded in the page: {img_src[:60]}")
        if not page and re.match(r"^[a-z]+:", img_src):
            problems.append(f"image '{alt[:30]}' is not in the package: {img_src[:60]}")
    compare("quotations", found.quotes, src.quotes, problems)
    compare("definition terms", found.terms, src.terms, problems)
    compare("code blocks", found.code, src.code, problems)
    if found.breaks < src.breaks:  # a rule may also set the notes apart: at least the source's
        problems.append(f"breaks: found {found.breaks}, the source has {src.breaks}")
    compare("note markers", sorted(set(found.markers)),
            sorted({f"[{n}]" for n, _ in src.notes}), problems)
    compare("note references", len(found.markers), src.note_refs, problems)
    problems += [f"note marker {m}" for m in found.unlinked_markers]
    problems += [f"note marker {m} not shown in brackets" for m in set(found.markers)
                 if m not in found.text]
    if src.notes and normalise(b.words("notes")) not in found.text:
        problems.append(f"no '{b.words('notes')}' label before the notes")
    problems += [f"not a link: {href}" for href in sorted(src.links - found.links)]
    if b.doc.meta.language not in found.languages:
        problems.append(f"language {b.doc.meta.language} not declared: {found.languages}")
    if page and normalise(b.words("skip_to_content")) not in found.text:
        problems.append(f"no '{b.words('skip_to_content')}' link in the page's language")
    if b.words.catalogue != "en" and "Skip to main content" in found.text:
        problems.append("English interface words in a page with its own catalogue")
    return problems


def _caption(block: Table | Figure) -> str:
    return normalise(plain_text(getattr(block, "caption", ())))


def test_html_structure(built: Built) -> None:
    [page] = built.paths("html", ".html")
    problems = markup_problems(built, page, page=True)
    assert not problems, "\n".join(problems)


def test_epub_structure(built: Built) -> None:
    [book] = built.paths("epub", ".epub")
    problems = markup_problems(built, book, page=False)
    assert not problems, "\n".join(problems)


def test_pdf_structure(built: Built) -> None:
    problems: list[str] = []
    src = built.source
    for path in built.paths("pdf", ".pdf"):
        pdf = read_pdf(path)
        name = path.name
        # A table too wide for the page is re-flowed ("heading: value" lines), never shrunk:
        # either way every row is there; only the tables kept as tables are tagged Table.
        reflowed = [t for t in src.tables if all(
            normalise(f"{h}: {c}") in pdf.text
            for row in t.rows for h, c in zip(text_of(t.header), text_of(row), strict=True)
            if c)]
        kept = [t for t in src.tables if t not in reflowed]
        compare(f"{name}: Table tags", pdf.tags.count("Table"), len(kept), problems)
        if pdf.tags.count("TH") < sum(len(t.header) for t in kept):
            problems.append(f"{name}: {pdf.tags.count('TH')} TH tags for "
                            f"{sum(len(t.header) for t in kept)} column headings")
        compare(f"{name}: Figure tags' alt text", pdf.alts,
                [f.image.alt for f in src.figures], problems)
        compare(f"{name}: BlockQuote tags", pdf.tags.count("BlockQuote"), src.quotes, problems)
        problems += [f"{name}: no note marker [{n}]" for n, _ in src.notes
                     if f"[{n}]" not in pdf.text]
        problems += [f"{name}: not a link: {href}" for href in sorted(src.links - pdf.links)]
        if pdf.language.split("-")[0].lower() != built.doc.meta.language.split("-")[0].lower():
            problems.append(f"{name}: /Lang is '{pdf.language}'")
    assert not problems, "\n".join(problems)


def test_docx_structure(built: Built) -> None:
    problems: list[str] = []
    src = built.source
    primary = built.doc.meta.language.split("-")[0].lower()
    for path in built.paths("docx", ".docx"):
        word = read_docx(path)
        name = path.name
        compare(f"{name}: tables' first rows", [first for first, _, _ in word.tables],
                [text_of(t.header) for t in src.tables], problems)
        problems += [f"{name}: table {i + 1} has no repeating header row (w:tblHeader)"
                     for i, (_, header, _) in enumerate(word.tables) if not header]
        problems += [f"{name}: table {i + 1} has no caption beside it: '{_caption(t)}'"
                     for i, (t, (_, _, beside)) in enumerate(zip(src.tables, word.tables,
                                                                 strict=False))
                     if _caption(t) not in beside]
        compare(f"{name}: pictures' alt text", word.alts,
                [f.image.alt for f in src.figures], problems)
        compare(f"{name}: footnotes", len(word.footnotes), len(src.notes), problems)
        problems += [f"{name}: footnote {n} does not start '{first[:40]}'"
                     for (n, first), text in zip(src.notes, word.footnotes, strict=False)
                     if first not in text]
        compare(f"{name}: footnote references", word.footnote_refs, src.note_refs, problems)
        quoted = " ".join(word.quote_paragraphs)
        problems += [f"{name}: quotation not in a quote style: '{q[:40]}'"
                     for q in _quote_openings(built.doc) if q not in quoted]
        problems += [f"{name}: not a link: {href}" for href in sorted(src.links - word.links)]
        if not any(lang.split("-")[0].lower() == primary for lang in word.languages):
            problems.append(f"{name}: w:lang is {sorted(word.languages)}")
    assert not problems, "\n".join(problems)


def _quote_openings(doc: Document) -> list[str]:
    return [normalise(block_text(q.blocks[0])).split(". ")[0] for q in walk_blocks(doc.blocks)
            if isinstance(q, Quote)]


def test_audio_transcript_structure(built: Built) -> None:
    [path] = built.paths("audio", ".txt")
    text = normalise(path.read_text(encoding="utf-8"))
    m, src, problems = built.words, built.source, list[str]()
    compare("table announcements", text.count(normalise(f"{m('table')}:")), len(src.tables),
            problems)
    for t in src.tables:
        size = normalise(m.plural("table_summary", len(t.rows), caption="", rows=len(t.rows),
                                  columns=len(t.header)))
        if size not in text:
            problems.append(f"no '{size}' for the table '{_caption(t)}'")
        first = " ".join(normalise(f"{h}: {c}") for h, c in
                         zip(text_of(t.header), text_of(t.rows[0]), strict=True) if c)
        if normalise(f"{m('row', n=1)}. {first}") not in text and first not in text:
            problems.append(f"first row not read with its headings: '{first[:60]}'")
    problems += [f"no '{m('image')}: {f.image.alt[:40]}'" for f in src.figures
                 if normalise(f"{m('image')}: {f.image.alt}") not in text]
    compare("ends of quotation", text.count(normalise(m("end_of_quote"))), src.quotes, problems)
    problems += [f"no '{m('note', n=n)}:' before the note '{first[:40]}'"
                 for n, first in src.notes if normalise(f"{m('note', n=n)}: {first}") not in text]
    assert not problems, "\n".join(problems)
