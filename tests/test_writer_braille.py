"""The braille writer, read back as a braille reader would check it: pages, numbers, contents,
headings, every sentence (through liblouis' own lou_translate too), PEF against its schema."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from exporter import sentences
from exporter.batch import export
from exporter.model import Document
from exporter.options import OptionsError, parse
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import Styles
from exporter.writers.base import Options, WriterError
from exporter.writers.braille import readback as rb
from exporter.writers.braille.cells import BLANK, GUIDE_DOT, from_ascii, to_ascii
from exporter.writers.braille.check import read_brf
from exporter.writers.braille.louis import LIBRARY_ENV, load
from exporter.writers.braille.pef import read_pef
from exporter.writers.braille.pef_schema import schema_text, validate_pef
from exporter.writers.braille.settings import Settings, load_settings
from exporter.writers.braille.translator import Braille
from tests.conftest import FIXTURES, SOURCE

EPOCH = 1_700_000_000
CELLS, LINES = 40, 25
BRAILLE_FIXTURES = sorted((FIXTURES / "braille").glob("*.md"))
VALID = sorted((FIXTURES / "valid").glob("*.md"))


def build(doc: Document, styles: Styles, out: Path, grade: int = 2,
          stem: str = "hsct") -> dict[str, dict[str, object]]:
    result = run_job(JobSpec("braille", Options(grade=grade)), doc, styles, out, stem)
    assert result.ok, f"{result.error}\n{result.detail}"
    return {str(e["file"]): e for e in result.entries}


@pytest.fixture(scope="module")
def hsct(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document,
         styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("braille")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    try:
        entries = build(hsct_doc, styles, out)
    finally:
        mp.undo()
    assert sorted(entries) == ["hsct-braille.brf", "hsct-braille.pef"]
    return out


@pytest.fixture(scope="module")
def pages(hsct: Path) -> list[list[str]]:
    return read_brf((hsct / "hsct-braille.brf").read_bytes())


def number(n: int) -> str:
    """A braille page number as UEB writes it: the numeric indicator, then digits a-j."""
    return "\u283c" + "".join("⠚⠁⠃⠉⠙⠑⠋⠛⠓⠊"[int(d)] for d in str(n))


def heading_at(lines: list[str], cells: str) -> int:
    """The index of the line a heading's cells start on (a long heading runs over lines)."""
    for i, line in enumerate(lines):
        text = line.strip(BLANK)
        for k in range(1, 4):
            if text and BLANK.join(x.strip(BLANK) for x in lines[i:i + k]) == cells:
                return i
    raise AssertionError("heading not found")


def test_ascii_braille_is_north_american_ascii_braille() -> None:
    # Independent of our table: Unicode names the dots; NABCC fixes which character each is.
    nabcc = {"a": "1", "@": "4", "]": "12456", "^": "45", "\\": "1256", "_": "456",
             "#": "3456", "=": "123456", "4": "256", '"': "5", "7": "2356", "g": "1245"}
    for char, dots in nabcc.items():
        assert unicodedata.name(from_ascii(char)) == f"BRAILLE PATTERN DOTS-{dots}"
    every = "".join(chr(0x2800 + i) for i in range(64))
    assert from_ascii(to_ascii(every)) == every


def test_brf_bytes_pages_and_lines(hsct: Path, pages: list[list[str]]) -> None:
    data = (hsct / "hsct-braille.brf").read_bytes()
    assert all(b in b"\r\n\f" or 0x20 <= b < 0x7F for b in data)
    assert data.count(b"\f") == len(pages) - 1
    assert b"\r\n\f" in data and b"\n\r" not in data.replace(b"\r\n", b"")
    assert 6 <= len(pages) <= 15
    for n, page in enumerate(pages, start=1):
        assert len(page) <= LINES, f"page {n} has {len(page)} lines"
        assert all(len(line) <= CELLS for line in page), f"page {n} has a line over 40 cells"


def test_page_number_top_right_of_every_page(pages: list[list[str]]) -> None:
    for n, page in enumerate(pages, start=1):
        assert page[0] == BLANK * (CELLS - len(number(n))) + number(n)


def test_title_page_identifies_the_edition(pages: list[list[str]], hsct_doc: Document) -> None:
    braille = Braille.for_table("en-ueb-g2.ctb", 2)
    text = rb.plain(braille.back(rb.joined(rb.text_lines(pages[:1], _settings()))))
    for words in (hsct_doc.meta.title, "Published by MS Society.", "Unified English Braille, "
                  "grade 2", f"{len(pages)} braille pages, 40 cells by 25 lines",
                  "Transcribed into braille 14 November 2023"):
        assert words in text, words
    # centred: as many blank cells before the title as after it, give or take one
    title = next(line for line in pages[0][1:] if line)
    assert abs(len(title) - len(title.lstrip(BLANK)) - (CELLS - len(title))) <= 1


def test_contents_numbers_are_the_pages_the_headings_are_on(
        pages: list[list[str]], hsct_doc: Document) -> None:
    braille = Braille.for_table("en-ueb-g2.ctb", 2)
    contents = [line for line in pages[1][1:] if GUIDE_DOT * 2 in line]
    entries = [e for e in hsct_doc.outline if e.level > 1]
    assert len(contents) == len(entries) == 7
    for entry, line in zip(entries, contents, strict=True):
        label, _, page_number = line.rpartition(BLANK)
        assert label.rstrip(GUIDE_DOT).rstrip(BLANK).strip(BLANK) == braille.cells(entry.label)
        n = int(braille.back(page_number))
        heading = braille.cells(entry.title)
        # the heading is on that page, on a line of its own after a blank line
        i = heading_at(pages[n - 1], heading)
        assert i == 1 or not pages[n - 1][i - 1], f"'{entry.title}' has no blank line before it"
        assert all(BLANK.join(t.strip(BLANK) for t in p).find(heading) < 0
                   for p in pages[2:n - 1]), f"'{entry.title}' is before page {n}"


def test_headings_by_level_in_outline_order(pages: list[list[str]], hsct_doc: Document) -> None:
    braille = Braille.for_table("en-ueb-g2.ctb", 2)
    body = [line for page in pages[2:] for line in page[1:]]
    places = []
    for e in hsct_doc.outline:
        cells = braille.cells(e.title)
        i = heading_at(body, cells)
        line = body[i]
        indent = len(line) - len(line.lstrip(BLANK))
        if e.level <= 2:  # centred
            assert abs(indent - (CELLS - len(line))) <= 1, e.title
        else:
            assert indent == 4, f"level 3 '{e.title}' should start in cell 5"
        places.append(i)
    assert places == sorted(places)


def test_paragraphs_and_list_items_indents(pages: list[list[str]]) -> None:
    body = [line for page in pages[2:] for line in page[1:]]
    braille = Braille.for_table("en-ueb-g2.ctb", 2)
    para = braille.cells("Researchers are working hard")
    first = next(line for line in body if para in line)
    assert first.startswith(BLANK * 2 + braille.cells("Researchers"))  # cell 3
    item = braille.cells("early menopause")
    assert item in body  # a list item in cell 1, no bullet
    runover = body[body.index(next(line for line in body if line.startswith(
        braille.cells("have frequent")))) + 1]
    assert runover.startswith(BLANK * 2) and not runover.startswith(BLANK * 3)  # cell 3


def test_every_sentence_reads_back_through_lou_translate(
        pages: list[list[str]], hsct_sentences: list[str]) -> None:
    """liblouis' own command (liblouis-bin), not our binding, reads the text back."""
    tool = shutil.which("lou_translate")
    assert tool, "lou_translate is missing: apt-get install liblouis-bin"
    # One braille line per input line: lou_translate reads its input in lines of limited length.
    lines = [line.strip(BLANK) for page in pages[2:] for line in page[1:]]
    body = "\n".join(line for line in lines if line and set(line) - set("⠶⠛"))
    out = subprocess.run([tool, "--backward", "unicode.dis,en-ueb-g2.ctb"], input=body + "\n",
                         capture_output=True, text=True, check=True, timeout=60).stdout
    assert not sentences.missing_in_order([rb.plain(s) for s in hsct_sentences],
                                          rb.plain(out.replace("\n", " ")))


def test_pef_is_valid_against_the_pef_schema_and_equals_the_brf(
        hsct: Path, pages: list[list[str]]) -> None:
    assert schema_text() is not None, ("the PEF 1.0 schema comes with Debian's "
                                       "libbrailleutils-java: make setup-test installs it")
    data = (hsct / "hsct-braille.pef").read_bytes()
    assert validate_pef(data) == []
    assert read_pef(data) == pages
    broken = data.replace(b"<row/>", b"<row>abc</row>", 1)
    assert validate_pef(broken)


def test_reproducible_bytes(hsct: Path, tmp_path: Path, hsct_doc: Document, styles: Styles,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    build(hsct_doc, styles, tmp_path)
    for name in ("hsct-braille.brf", "hsct-braille.pef"):
        assert (tmp_path / name).read_bytes() == (hsct / name).read_bytes()


def test_grade_1_differs_and_reads_back(hsct: Path, tmp_path: Path, hsct_doc: Document,
                                        styles: Styles) -> None:
    entries = build(hsct_doc, styles, tmp_path, grade=1)
    assert sorted(entries) == ["hsct-braille-grade1.brf", "hsct-braille-grade1.pef"]
    assert entries["hsct-braille-grade1.brf"]["options"] == {"grade": 1}
    one = read_brf((tmp_path / "hsct-braille-grade1.brf").read_bytes())
    two = read_brf((hsct / "hsct-braille.brf").read_bytes())
    assert len(one) > len(two)  # uncontracted braille takes more pages
    braille = Braille.for_table("en-ueb-g1.ctb", 1)
    assert braille.cells("treatment") in "".join(line for page in one for line in page)
    assert Braille.for_table("en-ueb-g2.ctb", 2).cells("treatment") != braille.cells("treatment")
    body = rb.text_lines(one[2:], _settings(), first=3)
    assert not rb.missing(sentences.of_blocks(hsct_doc.blocks), body, braille)


def test_grade_option_rule() -> None:
    from exporter.styles import load_styles

    styles = load_styles()
    assert parse({"grade": "1"}, styles).grade == 1
    assert parse({}, styles).grade == 2
    for bad in ("3", "²", "one", "1.0"):
        with pytest.raises(OptionsError, match="Braille grade"):
            parse({"grade": bad}, styles)


def test_welsh_page_uses_the_welsh_table(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "braille" / "welsh-page.md")
    entries = build(doc, styles, tmp_path, stem="welsh")
    facts = entries["welsh-braille.brf"]["facts"]
    assert isinstance(facts, dict)
    assert facts["table"] == "cy-cy-g2.ctb"
    pages = read_brf((tmp_path / "welsh-braille.brf").read_bytes())
    braille = Braille.for_table("cy-cy-g2.ctb", 2)
    assert pages[1][1].strip(BLANK) == braille.cells("Cynnwys")  # the contents heading in Welsh
    assert braille.cells("Beth yw blinder?") != Braille.for_table("en-ueb-g2.ctb", 2).cells(
        "Beth yw blinder?")


def test_language_without_a_table_is_a_clear_error(tmp_path: Path, styles: Styles) -> None:
    source = (FIXTURES / "valid" / "minimal.md").read_text(encoding="utf-8")
    path = tmp_path / "ja.md"
    path.write_text(source.replace("language: en-GB", "language: ja"), encoding="utf-8")
    result = run_job(JobSpec("braille", Options()), read(path), styles, tmp_path, "ja")
    assert not result.ok and "no grade 2 table for the language 'ja'" in str(result.error)


def test_character_without_braille_is_refused_by_name(tmp_path: Path, styles: Styles) -> None:
    source = (FIXTURES / "valid" / "minimal.md").read_text(encoding="utf-8")
    path = tmp_path / "symbol.md"
    path.write_text(source.rstrip() + "\n\nA superscript¹ here.\n", encoding="utf-8")
    result = run_job(JobSpec("braille", Options()), read(path), styles, tmp_path, "symbol")
    assert not result.ok and "U+00B9" in str(result.error)


@pytest.mark.parametrize("path", [*VALID, *BRAILLE_FIXTURES], ids=lambda p: p.stem)
def test_fixture_documents(path: Path, tmp_path: Path, styles: Styles) -> None:
    doc = read(path)
    entries = build(doc, styles, tmp_path, stem=path.stem)
    pages = read_brf((tmp_path / f"{path.stem}-braille.brf").read_bytes())
    assert all(len(p) <= LINES and all(len(line) <= CELLS for line in p) for p in pages)
    assert validate_pef((tmp_path / f"{path.stem}-braille.pef").read_bytes()) == []
    assert entries


def test_long_address_is_carried_on_with_dot_5(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "braille" / "long-address.md")
    build(doc, styles, tmp_path, stem="long")
    lines = [line for page in read_brf((tmp_path / "long-braille.brf").read_bytes())
             for line in page]
    carried = [line for line in lines if line.endswith("\u2810") and len(line) == CELLS]
    assert len(carried) >= 2  # the address, and the over-long word


def test_linear_table_quote_and_notes(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "braille" / "linear-table.md")
    build(doc, styles, tmp_path, stem="table")
    lines = [line for page in read_brf((tmp_path / "table-braille.brf").read_bytes())
             for line in page]
    braille = Braille.for_table("en-ueb-g2.ctb", 2)
    row = braille.cells("Tip: Pace yourself; What it means: Plan rest between tasks.")
    assert rb.joined([rb.Placed(0, 0, line) for line in lines]).find(row) >= 0
    assert braille.cells("Table: Tips for managing fatigue") in lines
    assert any(line.startswith(BLANK * 2 + braille.cells("I rest")) for line in lines)
    assert braille.cells("Notes") in [line.strip(BLANK) for line in lines]


def test_without_liblouis_braille_fails_and_the_rest_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LIBRARY_ENV, str(tmp_path / "no" / "liblouis.so.20"))
    results = export(SOURCE, tmp_path / "out", ["braille", "html"], jobs=1)
    by_writer = {r.spec.writer: r for r in results}
    assert by_writer["html"].ok and (tmp_path / "out" / "hsct.html").is_file()
    error = str(by_writer["braille"].error)
    assert "liblouis" in error and "liblouis20" in error and "liblouis-data" in error
    assert not list((tmp_path / "out").glob("*.brf"))


def test_the_real_library_is_used() -> None:
    louis = load()
    assert louis.version.startswith("3.") and louis.char_size in (2, 4)
    assert to_ascii(louis.translate("en-ueb-g2.ctb", "the")) == "!"


def test_missing_table_is_named(tmp_path: Path) -> None:
    from exporter.writers.braille.louis import require_table

    with pytest.raises(WriterError, match="liblouis-data"):
        require_table(load(), "no-such-table.ctb")


def _settings() -> Settings:
    from exporter.styles import load_styles

    return load_settings(load_styles())


def test_a_language_without_contracted_braille_uses_its_one_code(tmp_path: Path,
                                                                 styles: Styles) -> None:
    """Polish braille is uncontracted: grade 2 asked, liblouis' Polish table used and named."""
    doc = read(FIXTURES / "pages" / "polish-language-pl.md")
    entries = build(doc, styles, tmp_path, stem="pl")
    pages = read_brf((tmp_path / "pl-braille.brf").read_bytes())
    title = [line.strip(BLANK) for line in pages[0]]
    polish = Braille.for_table("pl.tbl", 1)
    assert polish.cells("Polish braille") in title
    assert Braille.for_table("en-ueb-g2.ctb", 2).cells("Unified English Braille") not in \
        " ".join(title)
    assert entries


def test_a_sign_without_a_six_dot_form_in_the_table_uses_uebs(styles: Styles) -> None:
    """liblouis' Welsh table gives "@" as an 8-dot cell; a page holds 6-dot cells only."""
    welsh = Braille.for_document("cy", 2, load_settings(styles))
    cells = welsh.cells("Ebostiwch cymorth@example.org.uk heddiw")
    assert cells and all("\u2800" <= c <= "\u283f" for c in cells)
    assert Braille.for_table("en-ueb-g1.ctb", 1).cells("cymorth@example.org.uk") in cells
