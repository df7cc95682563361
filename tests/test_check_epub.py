"""The EPUB read-back checks pass on a real EPUB and each fails on a book broken on purpose."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from exporter.model import Document
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.tamper import build, failed, fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
NAME = "hsct.epub"
CHAPTER = "How does HSCT work?"
LABEL = f"2 {CHAPTER}"  #: as the nav and the NCX show it: numbered


Files = dict[str, bytes]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("epub") / "output"
    build(out, "epub", hsct_doc, styles, Options())
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def epub_edit(out: Path, change: Callable[[Files], None]) -> None:
    """Rewrite the book's zip with changed members (mimetype first, stored), record its checksum."""
    path = out / NAME
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    change(files)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", files.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, data in files.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    rehash(out, NAME)


def member(files: Files, suffix: str) -> str:
    return next(n for n in files if n.endswith(suffix))


def sub(files: Files, name: str, pattern: str, repl: str = "") -> None:
    text, n = re.subn(pattern, repl, files[name].decode("utf-8"))
    assert n, f"{pattern!r} not found in {name}"
    files[name] = text.encode("utf-8")


def drop_nav_entry(files: Files) -> None:
    sub(files, member(files, "nav.xhtml"), rf"<li>\s*<a[^>]*>{re.escape(LABEL)}</a>\s*</li>")


def drop_ncx_entry(files: Files) -> None:
    sub(files, member(files, ".ncx"), r"<navPoint[^>]*>\s*<navLabel>\s*<text>"
        rf"{re.escape(LABEL)}</text>\s*</navLabel>\s*<content[^>]*/>\s*</navPoint>")


def only(out: Path, checks: set[str]) -> str:
    return "\n".join(f.detail for f in only_failures(out, SOURCE, checks))


def test_real_epub_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"epub.epubcheck", "epub.nav", "epub.ncx", "epub.headings", "epub.sentences",
            "epub.metadata", "epub.numbering", "epub.callouts"} <= {
                f.check for f in report.findings}


def test_nav_entry_missing(out: Path) -> None:
    epub_edit(out, drop_nav_entry)
    assert f"missing under 'HSCT (haematopoietic stem cell transplantation)': '{CHAPTER}'" in \
        only(out, {"epub.nav"})


def test_landmarks_shown_on_the_page(out: Path) -> None:
    epub_edit(out, lambda files: sub(files, member(files, "nav.xhtml"),
                                     r'(<nav epub:type="landmarks") hidden="hidden"', r"\1"))
    assert "the landmarks <nav> is shown on the page" in only(out, {"epub.nav"})


def test_callout_named_by_its_text(out: Path) -> None:
    def rename(files: Files) -> None:
        chapter = next(n for n, data in files.items() if n.endswith(".xhtml")
                       and b'<p class="callout-label"' in data)
        sub(files, chapter, r'aria-labelledby="([^"]+)">\n(<p class="callout-label"[^\n]*'
            r'Helpline[^\n]*)\n<p>', r'aria-labelledby="\1 own-text">\n\2\n<p id="own-text">')

    epub_edit(out, rename)
    assert "callout 'Helpline' is named 'Helpline Questions about MS?" in only(
        out, {"epub.callouts"})


def test_ncx_entry_missing(out: Path) -> None:
    epub_edit(out, drop_ncx_entry)
    assert CHAPTER in only(out, {"epub.ncx"})


def test_chapter_missing(out: Path) -> None:
    """A chapter dropped cleanly still passes EPUBCheck: only the comparison with the source
    catches it, in every view of the book (nav, NCX, headings, reading order)."""

    def drop(files: Files) -> None:
        opf = member(files, ".opf")
        text = files[opf].decode("utf-8")
        nav = files[member(files, "nav.xhtml")].decode("utf-8")
        href = re.search(rf'<a href="([^"#]+)">{re.escape(LABEL)}</a>', nav)
        assert href
        item = re.search(rf'<item href="{re.escape(href.group(1))}" id="([^"]+)"[^>]*/>', text)
        assert item
        del files[member(files, "/" + href.group(1))]
        sub(files, opf, re.escape(item.group(0)))
        sub(files, opf, rf'<itemref idref="{re.escape(item.group(1))}"/>')
        drop_nav_entry(files)
        drop_ncx_entry(files)

    epub_edit(out, drop)
    detail = only(out, {"epub.nav", "epub.ncx", "epub.headings", "epub.sentences"})
    assert CHAPTER in detail and "It uses chemotherapy to remove" in detail


def test_epubcheck_error(out: Path) -> None:
    def ghost(files: Files) -> None:
        sub(files, member(files, ".opf"), r"<manifest>",
            '<manifest>\n    <item href="ghost.css" id="ghost" media-type="text/css"/>')

    epub_edit(out, ghost)
    assert "ghost.css" in only(out, {"epub.epubcheck"})


def test_accessibility_metadata_missing(out: Path) -> None:
    epub_edit(out, lambda files: sub(files, member(files, ".opf"),
                                     r'<meta property="schema:accessibilityHazard">[^<]*</meta>'))
    assert "schema:accessibilityHazard" in only(out, {"epub.metadata"})


def test_heading_level_changed(out: Path) -> None:
    def retag(files: Files) -> None:
        chapter = next(n for n, data in files.items() if n.endswith(".xhtml")
                       and b"> Relapsing MS</h3>" in data)
        sub(files, chapter, r"<h3([^>]*)>(.*?) Relapsing MS</h3>", r"<h4\1>\2 Relapsing MS</h4>")

    epub_edit(out, retag)
    assert "skips from level 2 to level 4" in only(out, {"epub.headings"})


def test_paragraph_missing(out: Path) -> None:
    def drop(files: Files) -> None:
        chapter = next(n for n, data in files.items() if n.endswith(".xhtml")
                       and b"European guidelines" in data)
        # A print page begins with it: its marker stays, so only the text is missing.
        sub(files, chapter, r"<p>(<span [^>]*doc-pagebreak[^>]*></span>)?European guidelines"
            r"[^<]*</p>", r"\1")

    epub_edit(out, drop)
    assert "European guidelines are based" in only(out, {"epub.sentences"})


# ---------------------------------------------------------------- every structure

EVERY = ROOT / "tests" / "fixtures" / "markup" / "every-structure.md"
EVERY_NAME = "every-structure.epub"


@pytest.fixture(scope="module")
def built_every(tmp_path_factory: pytest.TempPathFactory, styles: Styles) -> Path:
    from exporter.manifest import write_manifest
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import read

    out = tmp_path_factory.mktemp("epub-every") / "output"
    result = run_job(JobSpec("epub", Options()), read(EVERY), styles, out, "every-structure")
    assert result.ok, result.error
    write_manifest(out, list(result.entries), {"source": str(EVERY)})
    return out


@pytest.fixture
def every(built_every: Path, tmp_path: Path) -> Path:
    return fresh_copy(built_every, tmp_path / "output")


def every_files(out: Path, change: Callable[[Files], None]) -> None:
    """Rewrite the every-structure book with changed members and record its checksum."""
    path = out / EVERY_NAME
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    change(files)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", files.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, data in files.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    rehash(out, EVERY_NAME)


def every_edit(out: Path, pattern: str, repl: str) -> None:
    """Change the first content document holding ``pattern`` (a regular expression)."""

    def change(files: Files) -> None:
        name = next(n for n, data in files.items() if n.endswith(".xhtml")
                    and re.search(pattern, data.decode("utf-8")))
        sub(files, name, pattern, repl)

    every_files(out, change)


def only_every(out: Path, checks: set[str]) -> str:
    return "\n".join(f.detail for f in only_failures(out, EVERY, checks))


def test_every_structure_epub_passes_every_check(built_every: Path) -> None:
    report, names = failed(built_every, EVERY)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"epub.tables", "epub.figures", "epub.quotations", "epub.notes"} <= {
        f.check for f in report.findings}


def test_table_header_without_scope(every: Path) -> None:
    every_edit(every, r'<th scope="col">Form</th>', "<th>Form</th>")
    assert "'Form' is <th>, not <th scope=\"col\">" in only_every(every, {"epub.tables"})


def test_picture_alt_text_emptied(every: Path) -> None:
    every_edit(every, r'alt="A bar chart[^"]*"', 'alt=""')
    assert "no alt text" in only_every(every, {"epub.figures"})


def test_quotation_no_longer_a_quotation(every: Path) -> None:
    every_edit(every, r"<blockquote>(\s*<p>A quotation with no attribution[^<]*</p>\s*)"
               r"</blockquote>", r"<div>\1</div>")
    assert "quotations: 1, the source has 2" in only_every(every, {"epub.quotations"})


def test_note_sentence_lost(every: Path) -> None:
    every_edit(every, r"<p>(<span [^>]*doc-pagebreak[^>]*></span>)?Studies were small, so "
               r"results may change\. ", r"<p>\1")
    assert "Studies were small" in only_every(every, {"epub.notes"})


def test_note_marker_links_to_itself(every: Path) -> None:
    # Still a valid book (the id exists), so only the comparison with the source catches it.
    every_edit(every, r'id="note-ref-2" href="#note-2"', 'id="note-ref-2" href="#note-ref-2"')
    assert "marker [2] links to '#note-ref-2', which is not a note" in only_every(
        every, {"epub.notes"})


def test_pictures_not_owned_up_to_in_the_metadata(every: Path) -> None:
    every_files(every, lambda files: sub(files, member(files, ".opf"),
                                         r'\s*<meta property="schema:accessMode">visual</meta>'))
    assert "has pictures but no schema:accessMode 'visual'" in only_every(
        every, {"epub.metadata"})


def _page_marker(files: Files, label: str) -> str:
    """The content document holding page ``label``'s marker."""
    return next(n for n, data in files.items() if n.endswith(".xhtml") and "nav" not in n
                and f'id="page-{label}" role="doc-pagebreak"'.encode() in data)


def test_page_list_pointing_at_a_missing_marker(out: Path) -> None:
    """The marker's id kept on a plain span: every link still lands (EPUBCheck is content),
    but the page-list points at no page break."""
    epub_edit(out, lambda files: sub(
        files, _page_marker(files, "3"), r'(id="page-3") role="doc-pagebreak" '
        r'epub:type="pagebreak" aria-label="3"', r"\1"))
    assert "page 3 ('section-01.xhtml#page-3') has no page-break marker" in only(
        out, {"epub.page-list"})


def test_page_list_whose_marker_is_gone(out: Path) -> None:
    epub_edit(out, lambda files: sub(files, _page_marker(files, "3"),
                                     r'<span id="page-3" role="doc-pagebreak"[^>]*></span>'))
    report, names = failed(out, SOURCE)
    assert "epub.page-list" in names
    assert "page 3" in "\n".join(f.detail for f in report.failures if f.check == "epub.page-list")


def test_page_list_out_of_order(out: Path) -> None:
    def swap(files: Files) -> None:
        nav = member(files, "nav.xhtml")
        sub(files, nav, r'(#page-2">)2(</a>)', r"\g<1>3\g<2>")
        sub(files, nav, r'(#page-3">)3(</a>)', r"\g<1>2\g<2>")

    epub_edit(out, swap)
    detail = only(out, {"epub.page-list"})
    assert "pages listed ['1', '3', '2'" in detail
    assert "the marker of page 3 says '2'" in detail


def test_page_marker_the_page_list_does_not_list(out: Path) -> None:
    epub_edit(out, lambda files: sub(files, member(files, "nav.xhtml"),
                                     r'<li><a href="[^"]*#page-7">7</a></li>\n'))
    detail = only(out, {"epub.page-list"})
    assert "#page-7: a page-break marker the page-list does not list" in detail
    assert "6 pages listed" in detail  # the manifest's count, and the 18pt PDF's if present
