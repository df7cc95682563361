"""The plain EPUB's page-list: a marker where each page of the large-print PDF begins."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pdfplumber
import pytest

from exporter.manifest import write_manifest
from exporter.model import Document
from exporter.options import defaults
from exporter.output import MANIFEST
from exporter.pipeline import JobSpec, run_job
from exporter.readback import run_checks
from exporter.styles import Styles, load_styles
from exporter.writers.base import Options

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
#: Words after a marker looked for on its PDF page, and how far down the page they may be
#: (a page may open with a callout's label or a list number the text has elsewhere).
PROBE_WORDS = 5
TOP_WORDS = 40


@dataclass(frozen=True)
class Built:
    out: Path
    epub: Path
    pdf: Path


def _export(out: Path, writer: str, doc: Document, styles: Styles, options: Options) -> Path:
    result = run_job(JobSpec(writer, options), doc, styles, out, "hsct")
    assert result.ok, f"{result.error}\n{result.detail}"
    write_manifest(out, list(result.entries), {"source": doc.source_path})  # keeps the others
    return out / str(result.entries[0]["file"])


def _entries(out: Path) -> list[dict[str, object]]:
    return list(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Built:
    out = tmp_path_factory.mktemp("epub-pages") / "output"
    pdf = _export(out, "pdf", hsct_doc, styles, defaults(styles).changed(size=18))
    epub = _export(out, "epub", hsct_doc, styles, Options())
    return Built(out, epub, pdf)


def _pdf_pages(path: Path) -> list[list[str]]:
    """The words of each PDF page a reader sees in the body (running heads and page numbers,
    artifacts, left out)."""
    with pdfplumber.open(path) as pdf:
        return [(page.filter(lambda o: o.get("object_type") != "char"
                             or o.get("tag") != "Artifact").extract_text() or "").split()
                for page in pdf.pages]


def _nav_pages(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    nav = ET.fromstring(book.read("EPUB/nav.xhtml"))
    found = [n for n in nav.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "page-list"]
    if not found:
        return []
    return [(a.get("href", ""), "".join(a.itertext())) for a in found[0].iter(f"{XHTML}a")]


def _words_after(book: zipfile.ZipFile, href: str) -> list[str]:
    """The words of the book from a marker on (to the end of its document)."""
    file, _, frag = href.partition("#")
    xhtml = book.read(f"EPUB/{file}").decode("utf-8")
    at = xhtml.index(f'id="{frag}"')
    rest = re.sub(r"<[^>]*>", " ", xhtml[xhtml.index(">", at) + 1:])
    return unescape(rest).split()


def test_the_page_list_has_a_page_for_each_page_of_the_18pt_pdf(built: Built) -> None:
    pdf_pages = _pdf_pages(built.pdf)
    with zipfile.ZipFile(built.epub) as book:
        listed = _nav_pages(book)
        opf = ET.fromstring(book.read("EPUB/content.opf"))
        bodies = "".join(book.read(n).decode() for n in book.namelist()
                         if n.startswith("EPUB/section-"))
    assert [label for _, label in listed] == [str(n) for n in range(1, len(pdf_pages) + 1)]
    assert bodies.count('role="doc-pagebreak"') == len(pdf_pages)
    assert 'id="s1"' not in bodies  # page markers only: no talking book sentence spans
    assert opf.findtext("opf:metadata/dc:source", "", OPF) == built.pdf.name
    features = {m.text for m in opf.iterfind("opf:metadata/opf:meta", OPF)
                if m.get("property") == "schema:accessibilityFeature"}
    assert {"pageBreakMarkers", "pageNavigation"} <= features


def test_each_marker_sits_where_its_pdf_page_begins(built: Built) -> None:
    pdf_pages = _pdf_pages(built.pdf)
    with zipfile.ZipFile(built.epub) as book:
        listed = _nav_pages(book)
        after = [_words_after(book, href) for href, _ in listed]
    assert len(after) == len(pdf_pages)
    for n, (words, page) in enumerate(zip(after, pdf_pages, strict=True)):
        if n + 1 < len(after) and words == after[n + 1]:
            continue  # a page the text does not have (a contents page) is marked at the next
        probe = " ".join(words[:PROBE_WORDS])
        top = " ".join(page[:TOP_WORDS + PROBE_WORDS])
        assert probe in top, f"page {n + 1}: {probe!r} is not at the top of {top!r}"


def test_the_page_list_can_be_turned_off(tmp_path: Path, hsct_doc: Document) -> None:
    folder = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", folder)
    yaml = folder / "epub.yaml"
    yaml.write_text(yaml.read_text().replace("page_list: true", "page_list: false"))
    assert "page_list: false" in yaml.read_text()
    styles = load_styles(folder)
    out = tmp_path / "output"
    epub = _export(out, "epub", hsct_doc, styles, Options())
    with zipfile.ZipFile(epub) as book:
        assert _nav_pages(book) == []
        assert not any(b"doc-pagebreak" in book.read(n) for n in book.namelist())
        assert b"<dc:source" not in book.read("EPUB/content.opf")
    entry = _entries(out)[0]
    assert "pages" not in entry["facts"]  # type: ignore[operator]
    report = run_checks(out, SOURCE)
    assert not report.failures, [f.detail for f in report.failures]
    assert any(f.check == "epub.page-list" for f in report.findings)
