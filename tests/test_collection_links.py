"""The test corpus as one collection (tests/fixtures/pages and tests/fixtures/collection, whose
pages link to corpus pages and to each other), exported to every format: `exporter check`
passes, and each format's links between pages work as a reader of that format needs them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from exporter.readback import Report, run_checks
from tests.conftest import FIXTURES, ROOT
from tests.readback import read_docx, read_epub, read_pdf

GUIDE = "living-with-ms-guide"
CONTACT = "contact-us"
#: The work rights page sets base_url: its published address is known.
RIGHTS = "https://www.example.org.uk/living-with-ms/work/work-rights-relative-links.html"


@dataclass(frozen=True)
class Built:
    out: Path
    export: subprocess.CompletedProcess[str]
    report: Report


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("collection") / "output"
    done = subprocess.run(
        [sys.executable, "-m", "exporter", "export", str(FIXTURES / "pages"),
         str(FIXTURES / "collection"), "--to", "all", "-o", str(out), "-j", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    return Built(out, done, run_checks(out, reuse=False))


def test_the_collection_exports_and_checks(built: Built) -> None:
    assert built.export.returncode == 0, built.export.stderr[-3000:]
    assert "11 pages:" in built.export.stdout
    assert built.report.ok, "\n".join(f"{f.check} {f.file}: {f.detail}"
                                      for f in built.report.failures)
    # Every page of the collection was compared with its own source.
    checked = {f.file for f in built.report.findings if f.check == "integrity.source"}
    assert len(checked) == 11


def test_the_export_warns_where_print_can_show_no_address(built: Built) -> None:
    assert f"{GUIDE}.md:17: warning: link to the page 'Fatigue'" in built.export.stderr
    assert "no base_url, so print shows its title without an address" in built.export.stderr


def test_html_links_lead_to_the_other_pages_files_and_sections(built: Built) -> None:
    tree = lxml.html.parse(str(built.out / f"{GUIDE}.html")).getroot()
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert "fatigue-tips-table-quote.html#tips-for-managing-fatigue" in hrefs
    assert "work-rights-relative-links.html#reasonable-adjustments" in hrefs
    assert "contact-us.html" in hrefs and "#work" in hrefs  # and one within the page
    for href in hrefs:
        file, _, fragment = str(href).partition("#")
        if not file or "://" in file or file.startswith(("mailto:", "tel:")):
            continue
        target = built.out / file
        assert target.is_file(), f"{href}: no such file in the output folder"
        if fragment:
            ids = {e.get("id") for e in lxml.html.parse(str(target)).getroot().iter()}
            assert fragment in ids, f"{href}: no element with that id"


def test_the_pdf_names_the_page_and_links_to_its_address(built: Built) -> None:
    pdf = read_pdf(built.out / f"{GUIDE}-large-print-18pt.pdf")
    assert f"{RIGHTS}#reasonable-adjustments" in pdf.links
    text = " ".join(pdf.text.split())
    assert "reasonable adjustments at work (see: Your rights at work, https://" in text
    # No published address: the title alone, and no link made up for it.
    assert "our page about DMTs (see: Disease" in text
    assert not [u for u in pdf.links if "dmt-comparison" in u or u.endswith(".md")]


def test_word_links_to_the_address_and_names_the_page(built: Built) -> None:
    word = read_docx(built.out / f"{GUIDE}-large-print-18pt.docx")
    assert f"{RIGHTS}#reasonable-adjustments" in word.links
    assert not [u for u in word.links if not u.startswith("https://")]
    import docx

    text = "\n".join(p.text for p in docx.Document(
        str(built.out / f"{GUIDE}-large-print-18pt.docx")).paragraphs)
    assert "contact us (see: Contact us)" not in text  # the text already is its title...
    assert "contact us." in text or "contact us" in text
    assert "(see: Your rights at work, https://www.example.org.uk/" in text


def test_the_epub_links_to_published_addresses_only(built: Built) -> None:
    epub = read_epub(built.out / f"{GUIDE}.epub")
    assert f"{RIGHTS}#reasonable-adjustments" in epub.links
    # Nothing points at a file outside the book (EPUBCheck passed) or at a source.
    assert not [u for u in epub.links if u.endswith(".md")
                or (".html" in u and not u.startswith("https://"))]


def test_braille_names_the_page_with_its_address(built: Built) -> None:
    from exporter.styles import load_styles
    from exporter.writers.braille import readback
    from exporter.writers.braille.check import read_brf
    from exporter.writers.braille.settings import load_settings
    from exporter.writers.braille.translator import Braille

    pages = read_brf((built.out / f"{GUIDE}-braille.brf").read_bytes())
    lines = readback.text_lines(pages, load_settings(load_styles()))
    back = Braille.for_table("en-ueb-g2.ctb", 2).back(readback.joined(lines))
    # liblouis reads "://" back as "cc//"; the words are the catalogue's and the title's.
    assert "reasonable adjustments at work (see: Your rights at work, https" in back
    assert "work-rights-relative-links.html#reasonable-adjustments)" in back


def test_the_download_page_lists_every_page_by_subject(built: Built) -> None:
    tree = lxml.html.parse(str(built.out / "index.html")).getroot()
    subjects = [h.text_content() for h in tree.iter("h2")]
    assert subjects[:2] == ["On this page", "About us"] and "Multiple sclerosis" in subjects
    titles = [h.text_content() for h in tree.iter("h3")]
    assert len(titles) == 11 and "Living with MS: a guide to our pages" in titles
