"""The braille read-back checks pass on the real page; each fails on braille broken on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.model import Document
from exporter.styles import Styles
from exporter.writers.base import Options
from exporter.writers.braille.cells import from_ascii, to_ascii
from exporter.writers.braille.check import read_brf
from tests.tamper import build, failed, fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
BRF, PEF = "hsct-braille.brf", "hsct-braille.pef"
CHECKS = {"braille.page-size", "braille.page-numbers", "braille.sentences", "braille.headings",
          "braille.contents", "braille.title-page", "braille.pef"}
#: The paragraph "Researchers are working hard to find effective treatments for people with
#: progressive MS." as it is in the BRF: two lines of UEB grade 2.
RESEARCHERS = '  ,rese>*]s >e "w+ h>d to f9d e6ective\r\ntr1t;ts = p ) progressive ,,ms4\r\n'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("braille") / "output"
    build(out, "braille", hsct_doc, styles, Options())
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def edit(out: Path, old: str, new: str, *, pef_too: bool = True) -> None:
    """Change the BRF and, unless told not to, rewrite the PEF's pages to match it (so that only
    the BRF's own checks can fail)."""
    text = (out / BRF).read_bytes().decode("ascii")
    assert old in text, f"{old!r} not in the BRF"
    (out / BRF).write_bytes(text.replace(old, new, 1).encode("ascii"))
    rehash(out, BRF)
    if pef_too:
        pages = read_brf((out / BRF).read_bytes())
        rows = "".join("<page>\n" + "".join(f"<row>{r}</row>\n" if r else "<row/>\n" for r in p)
                       + "</page>\n" for p in pages)
        pef = (out / PEF).read_text(encoding="utf-8")
        head, rest = pef.split("<section>\n", 1)
        (out / PEF).write_text(head + "<section>\n" + rows + rest[rest.index("</section>"):],
                               encoding="utf-8")
        rehash(out, PEF)


def only(out: Path, check: str) -> str:
    detail = only_failures(out, SOURCE, check)[0].detail
    assert detail.startswith(BRF if check != "braille.pef" else PEF)
    return detail


def test_real_braille_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    checked = {f.check for f in report.findings if f.file in (BRF, PEF)}
    assert checked >= CHECKS


def test_sentence_removed(out: Path) -> None:
    edit(out, RESEARCHERS, "")
    assert "Researchers are working hard" in only(out, "braille.sentences")


def test_sentence_changed(out: Path) -> None:
    edit(out, RESEARCHERS, RESEARCHERS.replace("progressive", "relaps+"))
    assert "Researchers are working hard" in only(out, "braille.sentences")


def test_line_of_41_cells(out: Path) -> None:
    # The next line's first word joined onto a line to make 41 cells: the words unchanged.
    lines = (out / BRF).read_bytes().decode("ascii").split("\r\n")
    i, word = next((i, lines[i + 1].split(" ")[0]) for i in range(len(lines) - 1)
                   if lines[i] and lines[i + 1] and lines[i + 1][0] not in " 7g\f"
                   and len(lines[i]) + 1 + len(lines[i + 1].split(" ")[0]) == 41)
    old = f"{lines[i]}\r\n{lines[i + 1]}\r\n"
    edit(out, old, f"{lines[i]} {word}\r\n{lines[i + 1][len(word):].lstrip()}\r\n",
         pef_too=False)
    [size, pef] = only_failures(out, SOURCE, {"braille.page-size", "braille.pef"})
    assert "has 41 cells (at most 40)" in size.detail
    assert "differ from the BRF's" in pef.detail


def test_page_over_25_lines(out: Path) -> None:
    edit(out, RESEARCHERS, RESEARCHERS + "\r\n" * 12, pef_too=False)
    [size, _] = only_failures(out, SOURCE, {"braille.page-size", "braille.pef"})
    assert "lines (at most 25)" in size.detail


def test_page_number_wrong(out: Path) -> None:
    text = (out / BRF).read_bytes().decode("ascii")
    page3 = "\f" + " " * 38 + "#c\r\n"
    assert page3 in text
    edit(out, page3, "\f" + " " * 38 + "#d\r\n")
    assert "page 3" in only(out, "braille.page-numbers")


def test_contents_number_wrong(out: Path) -> None:
    text = (out / BRF).read_bytes().decode("ascii")
    line = next(x for x in text.split("\r\n") if x.strip().startswith("#c4a ,relaps+"))
    number = line.rsplit(" ", 1)[1]
    wrong = "#" + ("j" if number != "#j" else "i")
    edit(out, line, line[: -len(number)] + wrong)
    assert "'3.1 Relapsing MS' points to page" in only(out, "braille.contents")


def test_heading_out_of_place(out: Path) -> None:
    # "Relapsing MS" (level 3, cell 5) moved to the margin: no longer set as its level's heading.
    text = (out / BRF).read_bytes().decode("ascii")
    line = next(x for x in text.split("\r\n") if x == "    ,relaps+ ,,ms")
    edit(out, line, line.strip())
    assert "'Relapsing MS' (level 3) is not found in cell 5" in only(out, "braille.headings")


def test_pef_differs_from_brf(out: Path) -> None:
    pef = (out / PEF).read_text(encoding="utf-8")
    cells = from_ascii("progressive")
    assert cells in pef
    (out / PEF).write_text(pef.replace(cells, from_ascii("relaps+"), 1), encoding="utf-8")
    rehash(out, PEF)
    assert "differ from the BRF's" in only(out, "braille.pef")


def test_pef_invalid(out: Path) -> None:
    pef = (out / PEF).read_text(encoding="utf-8")
    (out / PEF).write_text(pef.replace('version="2008-1"', 'version="2009"'), encoding="utf-8")
    rehash(out, PEF)
    assert "RELAX NG" in only(out, "braille.pef")


def test_not_braille(out: Path) -> None:
    text = (out / BRF).read_bytes()
    (out / BRF).write_bytes(text.replace(b",rese>*]s", "Résearchers".encode("latin-1"), 1))
    rehash(out, BRF)
    _, names = failed(out, SOURCE)
    assert "braille.brf" in names and to_ascii(from_ascii("a")) == "a"
