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
    sub(files, member(files, "nav.xhtml"), rf"<li>\s*<a[^>]*>{re.escape(CHAPTER)}</a>\s*</li>")


def drop_ncx_entry(files: Files) -> None:
    sub(files, member(files, ".ncx"), r"<navPoint[^>]*>\s*<navLabel>\s*<text>"
        rf"{re.escape(CHAPTER)}</text>\s*</navLabel>\s*<content[^>]*/>\s*</navPoint>")


def only(out: Path, checks: set[str]) -> str:
    return "\n".join(f.detail for f in only_failures(out, SOURCE, checks))


def test_real_epub_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"epub.epubcheck", "epub.nav", "epub.ncx", "epub.headings", "epub.sentences",
            "epub.metadata"} <= {f.check for f in report.findings}


def test_nav_entry_missing(out: Path) -> None:
    epub_edit(out, drop_nav_entry)
    assert f"missing under 'HSCT (haematopoietic stem cell transplantation)': '{CHAPTER}'" in \
        only(out, {"epub.nav"})


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
        href = re.search(rf'<a href="([^"#]+)">{re.escape(CHAPTER)}</a>', nav)
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
                       and b">Relapsing MS</h3>" in data)
        sub(files, chapter, r"<h3([^>]*)>Relapsing MS</h3>", r"<h4\1>Relapsing MS</h4>")

    epub_edit(out, retag)
    assert "skips from level 2 to level 4" in only(out, {"epub.headings"})


def test_paragraph_missing(out: Path) -> None:
    def drop(files: Files) -> None:
        chapter = next(n for n, data in files.items() if n.endswith(".xhtml")
                       and b"<p>European guidelines" in data)
        sub(files, chapter, r"<p>European guidelines[^<]*</p>")

    epub_edit(out, drop)
    assert "European guidelines are based" in only(out, {"epub.sentences"})
