"""Word files made to a reader's needs: the face (embedded), paper colour, line, letter and word
spacing, giant print; read back from the file, and `exporter check` failing a file that is
not what was asked for."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from exporter import sentences
from exporter.contrast import parse_hex, ratio
from exporter.model import Document
from exporter.options import Options
from exporter.pipeline import JobSpec, run_job
from exporter.styles import Styles
from tests.conftest import SOURCE
from tests.tamper import build, claim, only_failures

R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
FONT_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
#: A reader with dyslexia: Lexend, pale blue paper, double line spacing, WCAG's text spacing.
DYSLEXIA = Options(size=24, font="lexend", scheme="black-on-blue", line_spacing=2.0,
                   letter_spacing=0.12, word_spacing=0.16)
#: Giant print in OpenDyslexic, yellow on black.
GIANT = Options(size=36, font="opendyslexic", scheme="yellow-on-black")


def make(out: Path, doc: Document, styles: Styles, options: Options) -> Path:
    result = run_job(JobSpec("docx", options), doc, styles, out, "hsct")
    assert result.ok, f"{result.error}\n{result.detail}"
    [entry] = result.entries
    return out / str(entry["file"])


@pytest.fixture(scope="module")
def dyslexia(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document,
             styles: Styles) -> Path:
    return make(tmp_path_factory.mktemp("dyslexia"), hsct_doc, styles, DYSLEXIA)


@pytest.fixture(scope="module")
def giant(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    return make(tmp_path_factory.mktemp("giant"), hsct_doc, styles, GIANT)


def embedded_faces(d: Any) -> dict[str, tuple[str, int, bytes]]:
    """Font table entries' embedded faces, de-obfuscated here (ECMA-376 17.8.1): kind ->
    (family, weight class, font bytes)."""
    table = next(r.target_part for r in d.part.rels.values() if r.reltype == FONT_TABLE)
    root = parse_xml(table.blob)
    faces = {}
    for font in root.iter(qn("w:font")):
        for kind in ("embedRegular", "embedBold"):
            embed = font.find(qn(f"w:{kind}"))
            if embed is None:
                continue
            key = bytes.fromhex(embed.get(qn("w:fontKey")).strip("{}").replace("-", ""))[::-1]
            data = bytearray(table.rels[embed.get(R_ID)].target_part.blob)
            for i in range(32):
                data[i] ^= key[i % 16]
            face = TTFont(io.BytesIO(bytes(data)))
            faces[f"{font.get(qn('w:name'))}/{kind}"] = (
                str(face["name"].getDebugName(1)), int(face["OS/2"].usWeightClass), bytes(data))
    return faces


def used_styles(d: Any) -> list[Any]:
    """The style elements the document's paragraphs and runs use, with those they are
    based on (the template's unused styles left out)."""
    by_id = {s.get(qn("w:styleId")): s for s in d.styles.element.iter(qn("w:style"))}
    ids = {el.get(qn("w:val")) for el in d.element.body.iter(qn("w:pStyle"), qn("w:rStyle"))}
    ids |= {"Normal", "Footer"}
    out, todo = [], list(ids)
    while todo:
        style = by_id.get(todo.pop())
        if style is None or style in out:
            continue
        out.append(style)
        based = style.find(qn("w:basedOn"))
        if based is not None:
            todo.append(based.get(qn("w:val")))
    return out


def default_rpr(d: Any) -> Any:
    return d.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")


def test_file_names_say_what_differs_from_the_usual(dyslexia: Path, giant: Path) -> None:
    assert dyslexia.name == ("hsct-large-print-24pt-black-on-blue-lexend-line-spacing-2-"
                             "letter-spacing-0.12-word-spacing-0.16.docx")
    assert giant.name == "hsct-large-print-36pt-yellow-on-black-opendyslexic.docx"


@pytest.mark.parametrize(("which", "family"), [("dyslexia", "Lexend"),
                                               ("giant", "OpenDyslexic")])
def test_the_chosen_face_is_embedded_regular_and_bold(
        which: str, family: str, dyslexia: Path, giant: Path) -> None:
    d = docx.Document(str(dyslexia if which == "dyslexia" else giant))
    fonts = default_rpr(d).find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == family
    faces = embedded_faces(d)
    assert {k: v[:2] for k, v in faces.items()} == {
        f"{family}/embedRegular": (family, 400), f"{family}/embedBold": (family, 700)}
    for _, _, data in faces.values():
        assert data[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, which Word embeds
    table = next(r.target_part for r in d.part.rels.values() if r.reltype == FONT_TABLE)
    entry = next(f for f in parse_xml(table.blob).iter(qn("w:font"))
                 if f.get(qn("w:name")) == family)
    assert entry.find(qn("w:altName")).get(qn("w:val")) == "Arial"  # without the face
    assert d.settings.element.find(qn("w:embedTrueTypeFonts")) is not None


def test_paper_and_text_colours_and_every_colour_readable_on_the_page(
        dyslexia: Path, giant: Path, styles: Styles) -> None:
    for path, options in ((dyslexia, DYSLEXIA), (giant, GIANT)):
        d = docx.Document(str(path))
        scheme = styles.schemes[options.scheme]
        page = d.element.find(qn("w:background")).get(qn("w:color"))
        assert f"#{page}" == scheme.background.upper()
        assert d.settings.element.find(qn("w:displayBackgroundShape")) is not None
        used = used_styles(d)
        colours = {c.get(qn("w:val")) for s in used for c in s.iter(qn("w:color"))} - {"auto"}
        fills = {f.get(qn("w:fill")) for s in used for f in s.iter(qn("w:shd"))} - {"auto"}
        colours.add(default_rpr(d).find(qn("w:color")).get(qn("w:val")))
        for colour in colours:
            # Text on the page and on every fill (callouts, code) reaches 4.5:1.
            for ground in {page, *fills}:
                assert ratio(parse_hex(f"#{colour}"), parse_hex(f"#{ground}")) >= 4.5, (
                    colour, ground)
        assert default_rpr(d).find(qn("w:color")).get(qn("w:val")) == scheme.text[1:]


def test_line_letter_and_word_spacing(dyslexia: Path, hsct_doc: Document) -> None:
    d = docx.Document(str(dyslexia))
    ppr = d.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    assert ppr.find(qn("w:spacing")).get(qn("w:line")) == "480"  # double
    # Letter spacing, 0.12em of each style's own size, in twentieths of a point.
    assert default_rpr(d).find(qn("w:spacing")).get(qn("w:val")) == str(round(0.12 * 24 * 20))
    for n in (1, 2, 3):
        rpr = d.styles[f"Heading {n}"].element.find(qn("w:rPr"))
        size = int(rpr.find(qn("w:sz")).get(qn("w:val"))) / 2
        assert size > 24
        assert int(rpr.find(qn("w:spacing")).get(qn("w:val"))) == round(0.12 * size * 20)
    # Word spacing: each gap between words is a run of its own holding 0.12 + 0.16em.
    gaps = 0
    for p in d.paragraphs:
        level = p.style.name.split()[-1] if p.style is not None and \
            p.style.name.startswith("Heading") else None
        heading = d.styles[f"Heading {level}"].font.size if level else None
        text_size: float = heading.pt if heading is not None else 24.0
        for r in p._p.iter(qn("w:r")):
            text = "".join(t.text or "" for t in r.iter(qn("w:t")))
            if not text:
                continue
            if text.strip():
                assert " " not in text.strip(), f"a space not widened in {text!r}"
                continue
            gaps += len(text)
            spacing = r.find(f"{qn('w:rPr')}/{qn('w:spacing')}")
            assert abs(int(spacing.get(qn("w:val"))) - 0.28 * text_size * 20) <= 1, text
    assert gaps > 500
    # The words themselves are exactly the source's: a screen reader or a search finds them.
    text = "\n".join(p.text for p in d.paragraphs)
    assert sentences.missing_in_order(sentences.of_blocks(hsct_doc.blocks), text) == []


def test_giant_print_headings_fit_their_widest_word(giant: Path, hsct_doc: Document) -> None:
    d = docx.Document(str(giant))
    section = d.sections[0]
    assert section.page_width is not None and section.left_margin is not None
    assert section.right_margin is not None
    line = section.page_width.pt - section.left_margin.pt - section.right_margin.pt
    faces = embedded_faces(d)
    bold = TTFont(io.BytesIO(faces["OpenDyslexic/embedBold"][2]))
    cmap, hmtx = bold.getBestCmap(), bold["hmtx"]
    em = bold["head"].unitsPerEm
    for level in sorted({e.level for e in hsct_doc.outline}):
        size = d.styles[f"Heading {level}"].font.size.pt
        assert size > 36  # still larger than the text
        for e in hsct_doc.outline:
            if e.level != level:
                continue
            for word in e.label.split():
                width = sum(hmtx[cmap[ord(c)]][0] for c in word) / em * size
                assert width <= line, f"'{word}' at {size}pt is {width:.0f}pt, line {line:.0f}pt"
    # The page number a blank line below the text, at 36pt too.
    assert section.bottom_margin is not None and section.footer_distance is not None
    assert section.bottom_margin.pt - section.footer_distance.pt - 36 * 1.25 >= 36 - 0.05


def test_variants_are_reproducible(tmp_path: Path, hsct_doc: Document, styles: Styles,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = make(tmp_path / "a", hsct_doc, styles, DYSLEXIA)
    again = make(tmp_path / "b", hsct_doc, styles, DYSLEXIA)
    assert again.read_bytes() == first.read_bytes()


# ---------------------------------------------------------------- `exporter check`


@pytest.fixture(scope="module")
def usual(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("usual") / "output"
    build(out, "docx", hsct_doc, styles, Options(size=24))
    return out


@pytest.mark.parametrize(("asked", "message"), [
    ({"font": "lexend"}, "the text is set in 'Atkinson Hyperlegible', asked for Lexend"),
    ({"scheme": "black-on-cream"}, "page colour #FFFFFF, asked for Black on cream (#FFF8DC)"),
    ({"line_spacing": 2.0}, "line spacing 1.5, asked for 2"),
    ({"letter_spacing": 0.12}, "other spacing than asked"),
    ({"word_spacing": 0.16}, "without the word spacing asked for (0.16em)"),
])
def test_check_fails_a_file_that_is_not_what_was_asked_for(
        usual: Path, tmp_path: Path, asked: dict[str, object], message: str) -> None:
    out = tmp_path / "output"
    shutil.copytree(usual, out)
    name = "hsct-large-print-24pt.docx"
    claim(out, name, name.replace(".docx", "-claimed.docx"), **asked)
    [failure] = only_failures(out, SOURCE, "docx.variant")
    assert message in failure.detail


def test_check_passes_each_variant(dyslexia: Path, giant: Path, tmp_path: Path) -> None:
    from exporter.manifest import write_manifest
    from exporter.pipeline import JobSpec, run_job
    from exporter.readback import run_checks
    from exporter.reader import read
    from exporter.styles import load_styles

    out = tmp_path / "output"
    doc, styles = read(SOURCE), load_styles()
    entries: list[dict[str, Any]] = []
    for options in (DYSLEXIA, GIANT):
        result = run_job(JobSpec("docx", options), doc, styles, out, "hsct")
        entries += result.entries
    write_manifest(out, entries, {"source": doc.source_path})
    report = run_checks(out, SOURCE, reuse=False)
    assert report.ok, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert len([f for f in report.findings if f.check == "docx.variant"]) == 2


# ---------------------------------------------------------------- as LibreOffice shows it


def test_libreoffice_shows_the_embedded_face_and_real_page_numbers(
        dyslexia: Path, usual: Path, tmp_path: Path, hsct_doc: Document) -> None:
    """LibreOffice lays the pages out: the contents' PAGEREF fields show the pages the
    headings are on, and the text is in the embedded face (Lexend and Atkinson Hyperlegible
    are not installed on this machine). Skipped where LibreOffice is not installed: it is
    not needed to make the files, only to look at them as a reader's office suite would."""
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and poppler-utils are needed to look at the file")
    usual_docx = usual / "hsct-large-print-24pt.docx"
    for path in (dyslexia, usual_docx):
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir",
                        str(tmp_path), str(path)], check=True, capture_output=True,
                       timeout=300, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    for path, family in ((dyslexia, "Lexend"), (usual_docx, "AtkinsonHyperlegible")):
        pdf = tmp_path / path.with_suffix(".pdf").name
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout
        assert f"+{family}-Regular" in fonts and f"+{family}-Bold" in fonts, fonts
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "hsct-large-print-24pt.pdf"),
                           "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    body = re.sub(r"Page \d+ of \d+", "", text.split("Helpline")[0])
    listed = [int(n) for n in re.findall(r"– page (\d+)", " ".join(body.split()))]
    entries = [e for e in hsct_doc.outline if e.level >= 2]
    assert len(listed) == len(entries), body
    for entry, page in zip(entries, listed, strict=True):
        start = f"{entry.number} {entry.title.split()[0]}"
        found = [i + 1 for i, p in enumerate(pages) if i and re.search(
            rf"^\s*{re.escape(start)}", p, re.M)]
        assert found and found[-1] == page, (entry.label, page, found)
