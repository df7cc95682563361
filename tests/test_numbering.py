"""Section numbers: one setting, the same in every format (headings, contents, nav, NCX, Word's
headings and contents), and `exporter check` fails a file that disagrees with the setting."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from exporter.batch import export
from exporter.checks.numbering import numbering
from exporter.model import Document
from exporter.outline import numbering as numbering_setting
from exporter.readback import run_checks
from exporter.reader import ReadOptions, read
from exporter.styles import Styles, StylesError, load_styles
from tests.conftest import SOURCE

FORMATS = ["html", "epub", "docx", "pdf"]
X = "{http://www.w3.org/1999/xhtml}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"


def styles_folder(root: Path, numbered: bool) -> Path:
    folder = root / "styles"
    folder.mkdir(parents=True)
    (folder / "settings.yaml").write_text(f"numbering: {str(numbered).lower()}\n",
                                          encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def unnumbered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(output folder, project folder whose styles turn numbering off)."""
    project = tmp_path_factory.mktemp("unnumbered")
    styles = load_styles(styles_folder(project, False))
    assert styles.numbering is False
    out = project / "output"
    results = export(SOURCE, out, FORMATS, sizes=[18], styles=styles, jobs=1)
    assert all(r.ok for r in results), [r.error for r in results]
    return out, project


@pytest.fixture(scope="module")
def numbered(tmp_path_factory: pytest.TempPathFactory, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("numbered") / "output"
    assert styles.numbering is True  # the shipped default
    results = export(SOURCE, out, FORMATS, sizes=[18], styles=styles, jobs=1)
    assert all(r.ok for r in results), [r.error for r in results]
    return out


def style(p: Any) -> str:
    return p.style.name if p.style is not None else ""


def shown(out: Path) -> dict[str, list[str]]:
    """Every heading and navigation label each format shows, read back from the files."""
    labels: dict[str, list[str]] = {}
    html = ET.parse(out / "hsct.html").getroot()
    labels["html headings"] = ["".join(h.itertext()) for h in html.iter()
                               if h.tag in {f"{X}h{n}" for n in range(2, 7)}]
    contents = next(n for n in html.iter(f"{X}nav") if n.get("class") == "contents")
    labels["html contents"] = ["".join(a.itertext()) for a in contents.iter(f"{X}a")]
    with zipfile.ZipFile(out / "hsct.epub") as z:
        nav = ET.fromstring(z.read("EPUB/nav.xhtml"))
        toc = next(n for n in nav.iter(f"{X}nav") if n.get("id") == "toc")
        labels["epub nav"] = ["".join(a.itertext()) for a in toc.iter(f"{X}a")]
        ncx = ET.fromstring(z.read("EPUB/toc.ncx"))
        nav_map = ncx.find(f"{NCX}navMap")
        assert nav_map is not None
        # docTitle, then the title's navPoint, then the sections
        labels["epub ncx"] = [t.text or "" for t in nav_map.iter(f"{NCX}text")][1:]
        labels["epub headings"] = [
            "".join(h.itertext()) for name in sorted(z.namelist()) if name.endswith(".xhtml")
            and "section-" in name for h in ET.fromstring(z.read(name)).iter()
            if h.tag in {f"{X}h{n}" for n in range(2, 7)}]
    d = docx.Document(str(out / "hsct-large-print-18pt.docx"))
    labels["word headings"] = [p.text for p in d.paragraphs
                               if style(p).startswith("Heading") and style(p) != "Heading 1"]
    labels.update(pdf_labels(out / "hsct-large-print-18pt.pdf"))
    return labels


def pdf_labels(path: Path) -> dict[str, list[str]]:
    """The PDF's heading tags, bookmarks and contents entries (without their page numbers)."""
    import pdfplumber
    import pikepdf

    from exporter.checks.numbering import flatten
    from exporter.writers.pdf import check_print as pr
    from exporter.writers.pdf.check import contents_labels
    from exporter.writers.pdf.check_structure import bookmarks
    from exporter.writers.pdf.check_tree import marked_text, read_tree

    with pdfplumber.open(path) as plumb:
        pages = [pr.read_page(p) for p in plumb.pages]
        tree = plumb.structure_tree
    with pikepdf.open(path) as pdf:
        tagged = read_tree(pdf, marked_text(pages))
        marks = flatten(bookmarks(pdf))[1:]  # the title's bookmark, then the sections
    headings = [" ".join(t.split()) for level, t in pr.tagged_headings(tree, pages) if level > 1]
    return {"pdf headings": headings, "pdf bookmarks": marks,
            "pdf contents": contents_labels(tagged, "– page {page}")}


def test_numbering_on_every_format_shows_the_same_numbers(numbered: Path,
                                                          hsct_doc: Document) -> None:
    want = [e.label for e in hsct_doc.outline if e.level >= 2]
    assert want[:2] == ["1 Who can HSCT work for?", "2 How does HSCT work?"]
    for where, labels in shown(numbered).items():
        if where == "epub nav":
            labels = labels[1:]  # the nav lists the title first (the NCX reading skips it)
        assert labels == want, where
    d = docx.Document(str(numbered / "hsct-large-print-18pt.docx"))
    contents = [p.text for p in d.paragraphs if style(p).lower().startswith("toc")]
    assert [c.split("\u00a0\u2013")[0] for c in contents] == want


def test_numbering_off_no_format_shows_a_number(unnumbered: tuple[Path, Path],
                                                hsct_doc: Document) -> None:
    out, _ = unnumbered
    want = [e.title for e in hsct_doc.outline if e.level >= 2]
    for where, labels in shown(out).items():
        if where == "epub nav":
            labels = labels[1:]
        assert labels == want, where


def test_check_passes_each_setting_on_its_own_files(
        numbered: Path, unnumbered: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    report = run_checks(numbered, SOURCE, reuse=False)
    assert report.ok, [f.detail for f in report.failures]
    out, project = unnumbered
    monkeypatch.chdir(project)  # `exporter check` reads the project's styles/
    report = run_checks(out, SOURCE, reuse=False)
    assert report.ok, [f.detail for f in report.failures]
    assert {f.check for f in report.findings} >= {"html.numbering", "epub.numbering",
                                                  "docx.numbering", "pdf.numbering"}


def test_check_fails_numbers_shown_while_numbering_is_off(
        numbered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    styles_folder(tmp_path, False)
    monkeypatch.chdir(tmp_path)
    report = run_checks(numbered, SOURCE, reuse=False)
    failed = {f.check: f.detail for f in report.failures}
    assert set(failed) == {"html.numbering", "epub.numbering", "docx.numbering",
                           "pdf.numbering"}, failed
    for detail in failed.values():
        assert "heading '1 Who can HSCT work for?' shows the number 1: numbering is off" \
            in detail


def test_check_fails_headings_without_numbers_while_numbering_is_on(
        unnumbered: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, _ = unnumbered
    monkeypatch.chdir(tmp_path)  # no styles/ here: the shipped default, numbering on
    report = run_checks(out, SOURCE, reuse=False)
    failed = {f.check: f.detail for f in report.failures}
    assert set(failed) == {"html.numbering", "epub.numbering", "docx.numbering",
                           "pdf.numbering"}, failed
    assert "contents entry 'Relapsing MS' has no section number" in failed["html.numbering"]
    assert "bookmark 'Relapsing MS' has no section number" in failed["pdf.numbering"]
    assert "contents entry 'Relapsing MS' has no section number" in failed["pdf.numbering"]
    assert "nav entry 'Relapsing MS' has no section number" in failed["epub.numbering"]
    assert "NCX entry 'Relapsing MS' has no section number" in failed["epub.numbering"]
    assert "contents entry 'Relapsing MS' has no section number" in failed["docx.numbering"]


# ---------------------------------------------------------------- the setting and the check


def test_setting_is_read_once_and_must_be_true_or_false(tmp_path: Path) -> None:
    assert numbering_setting({}) is True
    assert numbering_setting({"numbering": False}) is False
    with pytest.raises(ValueError):
        numbering_setting({"numbering": "no"})
    folder = tmp_path / "styles"
    folder.mkdir()
    (folder / "settings.yaml").write_text("numbering: sometimes\n", encoding="utf-8")
    with pytest.raises(StylesError, match="numbering must be true or false"):
        load_styles(folder)


def test_outline_labels_follow_the_setting() -> None:
    off = read(SOURCE, ReadOptions(numbering=False)).outline
    on = read(SOURCE, ReadOptions(numbering=True)).outline
    assert [e.number for e in off] == [e.number for e in on]  # kept, for counting
    assert [e.label for e in off] == [e.title for e in off]
    assert on.numbered and not off.numbered
    assert [e.shown_number for e in on][:3] == ["", "1", "2"]


def test_numbering_check_reads_labels_in_order(hsct_doc: Document) -> None:
    outline = hsct_doc.outline
    assert numbering(["1 Who can HSCT work for?", "3.1 Relapsing MS"], outline) == []
    assert numbering(["Who can HSCT work for?"], outline) == [
        "heading 'Who can HSCT work for?' has no section number: numbering is on "
        "(styles/settings.yaml), so it reads '1 Who can HSCT work for?'"]
    assert numbering(["4 Relapsing MS"], outline) == [
        "heading '4 Relapsing MS' is numbered 4; the outline numbers it 3.1: "
        "'3.1 Relapsing MS'"]
    off = read(SOURCE, ReadOptions(numbering=False)).outline
    assert numbering(["Relapsing MS"], off) == []
    assert "shows the number 3.1: numbering is off" in numbering(["3.1 Relapsing MS"], off)[0]
    # A label naming no heading is the outline comparison's business, not this one's.
    assert numbering(["Something else"], outline) == []
