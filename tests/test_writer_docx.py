"""The Word writer, read back with python-docx, its raw XML and pandoc as an independent reader."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from exporter import sentences
from exporter.contrast import parse_hex, ratio
from exporter.model import CALLOUT_LABELS, Callout, Document
from exporter.outline import Outline
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import Styles, load_styles
from exporter.writers.base import Options
from tests.conftest import FIXTURES

SIZES = (18, 24, 36)  #: large print, giant print, and the largest size offered
EPOCH = 1_700_000_000
FIXTURE_SOURCES = sorted([*(FIXTURES / "valid").glob("*.md"), *(FIXTURES / "docx").glob("*.md")])

Element = Any


def build(doc: Document, outline: Outline, styles: Styles, out_dir: Path, stem: str = "hsct",
          size: int = 18) -> Path:
    result = run_job(JobSpec("docx", Options(size=size)), doc, styles, out_dir, stem)
    assert result.ok, f"{result.error}\n{result.detail}"
    [entry] = result.entries
    assert entry["file"] == f"{stem}-large-print-{size}pt.docx"
    return out_dir / str(entry["file"])


@pytest.fixture(scope="module", params=SIZES, ids=[f"{s}pt" for s in SIZES])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          hsct_doc: Document, hsct_outline: Outline, styles: Styles) -> tuple[int, Path]:
    size = int(request.param)
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    try:
        path = build(hsct_doc, hsct_outline, styles, tmp_path_factory.mktemp(f"docx{size}"),
                     size=size)
    finally:
        mp.undo()
    return size, path


@pytest.fixture(scope="module")
def hsct_path(built: tuple[int, Path]) -> Path:
    return built[1]


# ------------------------------------------------------------------ reading helpers


def body_paragraphs(d: Any) -> list[Element]:
    return list(d.element.body.iter(qn("w:p")))


def para_text(p: Element) -> str:
    parts: list[str] = []
    for node in p.iter(qn("w:t"), qn("w:br"), qn("w:tab"), qn("w:noBreakHyphen")):
        parts.append(node.text or "" if node.tag == qn("w:t") else
                     "-" if node.tag == qn("w:noBreakHyphen") else "\n")
    return "".join(parts)


def words(p: Element) -> str:
    """A paragraph's words without note markers ("[1]"), as the source's sentences have none."""
    out = []
    for r in p.iter(qn("w:r")):
        style = r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")
        if style is None or style.get(qn("w:val")) != "FootnoteReference":
            out.append(para_text(r))
    return "".join(out)


def style_id(p: Element) -> str:
    found = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return str(found.get(qn("w:val"))) if found is not None else "Normal"


class StyleChain:
    """Effective run properties the way Word resolves them: direct, character style,
    paragraph style (with basedOn), then the document defaults."""

    def __init__(self, d: Any) -> None:
        self.root = d.styles.element
        self.by_id = {s.get(qn("w:styleId")): s for s in self.root.findall(qn("w:style"))}
        self.defaults = self.root.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")

    def chain(self, sid: str | None) -> Iterator[Element]:
        while sid and sid in self.by_id:
            style = self.by_id[sid]
            yield style
            based = style.find(qn("w:basedOn"))
            sid = based.get(qn("w:val")) if based is not None else None

    def prop(self, run: Element, para_style: str, tag: str) -> Element | None:
        rpr = run.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn(tag)) is not None:
            return rpr.find(qn(tag))
        char = rpr.find(qn("w:rStyle")) if rpr is not None else None
        styles = [*self.chain(char.get(qn("w:val")) if char is not None else None),
                  *self.chain(para_style)]
        for s in styles:
            found = s.find(f"{qn('w:rPr')}/{qn(tag)}")
            if found is not None:
                return found
        return self.defaults.find(qn(tag)) if self.defaults is not None else None

    def on(self, run: Element, para_style: str, tag: str) -> bool:
        el = self.prop(run, para_style, tag)
        return el is not None and el.get(qn("w:val"), "true") not in ("0", "false", "off")

    def half_points(self, run: Element, para_style: str) -> int:
        el = self.prop(run, para_style, "w:sz")
        assert el is not None, "a run with no size anywhere in its style chain"
        return int(el.get(qn("w:val")))

    def style_prop(self, sid: str, path: str) -> Element | None:
        for s in self.chain(sid):
            found = s.find(path)
            if found is not None:
                return found
        return None


def runs_with_style(d: Any) -> Iterator[tuple[Element, str]]:
    for p in body_paragraphs(d):
        for r in p.iter(qn("w:r")):
            if r.find(qn("w:t")) is not None:
                yield r, style_id(p)


def headings(d: Any) -> list[tuple[int, str]]:
    out = []
    for p in d.paragraphs:
        name = p.style.name if p.style is not None else ""
        assert name != "Title", "the title must be Heading 1, not Word's Title style"
        if name.startswith("Heading "):
            out.append((int(name.split()[1]), sentences.normalise(p.text)))
    return out


def outline_pairs(outline: Outline, min_level: int = 1) -> list[tuple[int, str]]:
    """(level, heading as shown): with its section number when numbering is on."""
    return [(e.level, e.label) for e in outline if e.level >= min_level]


def pandoc_text(inlines: list[Any]) -> str:
    out: list[str] = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Underline", "SmallCaps", "Strikeout"):
            out.append(pandoc_text(content))
        elif kind in ("Link", "Span", "Quoted"):
            out.append(pandoc_text(content[1]))
    return "".join(out)


def pandoc_headers(path: Path) -> list[tuple[int, str]]:
    done = subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(path)], check=True,
                          capture_output=True, text=True, timeout=60)
    blocks = json.loads(done.stdout)["blocks"]
    return [(b["c"][0], sentences.normalise(pandoc_text(b["c"][2])))
            for b in blocks if b["t"] == "Header"]


# ------------------------------------------------------------------ structure


def test_headings_follow_the_outline_title_first(hsct_path: Path, hsct_outline: Outline) -> None:
    d = docx.Document(str(hsct_path))
    assert headings(d) == outline_pairs(hsct_outline)
    assert style_id(d.paragraphs[0]._p) == "Heading1"


def test_heading_styles_are_black_bold_larger_with_outline_levels(built: tuple[int, Path]) -> None:
    size, path = built
    d = docx.Document(str(path))
    chain = StyleChain(d)
    for level in (1, 2, 3):
        sid = f"Heading{level}"
        style = chain.by_id[sid]
        lvl = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        assert lvl is not None and lvl.get(qn("w:val")) == str(level - 1)
        assert chain.style_prop(sid, f"{qn('w:rPr')}/{qn('w:b')}") is not None
        colour = chain.style_prop(sid, f"{qn('w:rPr')}/{qn('w:color')}")
        assert colour is not None and colour.get(qn("w:val")) == "000000"
        assert colour.get(qn("w:themeColor")) is None
        sz = chain.style_prop(sid, f"{qn('w:rPr')}/{qn('w:sz')}")
        assert sz is not None and int(sz.get(qn("w:val"))) > size * 2
    # Theme fonts override a named font (pitfalls.md): none may remain in the defaults or headings.
    for el in [chain.defaults, *(chain.by_id[f"Heading{n}"] for n in range(1, 10))]:
        for fonts in el.iter(qn("w:rFonts")):
            assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")]


def test_body_is_large_print_in_the_configured_font(built: tuple[int, Path]) -> None:
    size, path = built
    d = docx.Document(str(path))
    chain = StyleChain(d)
    word = yaml.safe_load((load_styles().root / "word.yaml").read_text(encoding="utf-8"))
    fonts = chain.defaults.find(qn("w:rFonts"))
    # The house face (the reader may choose another), embedded; word.yaml names the fallback.
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Atkinson Hyperlegible"
    assert word["fallback_font"] == "Arial"
    assert d.styles["Normal"].font.size.pt == size
    ppr = chain.root.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}")
    spacing = ppr.find(qn("w:spacing"))
    assert spacing.get(qn("w:line")) == "360" and spacing.get(qn("w:lineRule")) == "auto"
    assert int(spacing.get(qn("w:after"))) >= size * 20  # a blank line between paragraphs
    assert ppr.find(qn("w:jc")).get(qn("w:val")) == "left"
    for p in d.paragraphs:
        assert p.alignment in (None, 0), f"not left-aligned: {p.text!r}"  # 0 = LEFT
    section = d.sections[0]
    page = (section.page_width, section.page_height)
    margins = (section.left_margin, section.right_margin, section.top_margin)
    assert [v.mm if v is not None else None for v in page] == pytest.approx([210, 297], abs=0.5)
    margin_mm = float(word["margins_cm"]) * 10
    assert [v.mm if v is not None else None for v in margins] == pytest.approx(
        [margin_mm] * 3, abs=0.5)


def test_footer_says_page_n_of_m_at_body_size_a_blank_line_below_the_text(
        built: tuple[int, Path]) -> None:
    size, path = built
    d = docx.Document(str(path))
    chain = StyleChain(d)
    for section in d.sections:  # landscape pages of wide tables too
        [footer] = section.footer.paragraphs
        assert para_text(footer._p) == "Page 1 of 1"  # stored results; readers count pages
        instr = [f.get(qn("w:instr")).strip() for f in footer._p.iter(qn("w:fldSimple"))]
        assert instr == ["PAGE", "NUMPAGES"]
        for run in footer._p.iter(qn("w:r")):
            assert chain.half_points(run, style_id(footer._p)) == size * 2
        # One line of page number (single spacing: at most 1.25 times its size) and then at
        # least a blank line at body size before the text starts.
        spacing = d.styles["Footer"].paragraph_format
        assert spacing.line_spacing in (None, 1.0) and not spacing.space_after
        assert section.bottom_margin is not None and section.footer_distance is not None
        gap = section.bottom_margin.pt - section.footer_distance.pt - size * 1.25
        assert gap >= size - 0.05, f"{gap:.1f}pt between the text and the page number"


def test_no_italic_and_no_run_below_the_chosen_size(built: tuple[int, Path]) -> None:
    size, path = built
    d = docx.Document(str(path))
    chain = StyleChain(d)
    runs = list(runs_with_style(d))
    assert len(runs) > 50
    for run, para_style in runs:
        text = run.findtext(qn("w:t"))
        assert not chain.on(run, para_style, "w:i"), f"italic: {text!r}"
        assert chain.half_points(run, para_style) >= size * 2, f"too small: {text!r}"
    footer = d.sections[0].footer.paragraphs[0]._p
    for run in footer.iter(qn("w:r")):
        assert chain.half_points(run, style_id(footer)) >= size * 2


def test_emphasis_is_bold(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "valid" / "nested-levels.md")
    path = build(doc, doc.outline, styles, tmp_path, "nested-levels")
    d = docx.Document(str(path))
    chain = StyleChain(d)
    emphasised = [(r, s) for r, s in runs_with_style(d) if r.findtext(qn("w:t")) == "emphasis"]
    assert len(emphasised) == 2
    for run, para_style in emphasised:
        assert chain.on(run, para_style, "w:b") and not chain.on(run, para_style, "w:i")


# ------------------------------------------------------------------ contents


def test_contents_links_each_heading_with_its_page_number(
    hsct_path: Path, hsct_outline: Outline
) -> None:
    d = docx.Document(str(hsct_path))
    paras = body_paragraphs(d)
    entries = [p for p in paras if style_id(p).startswith("TOC")]
    # "3.1 Relapsing MS – page ?": the stored result of the page-number field is unknown
    # ("?", never a guess) until Word updates fields on opening; LibreOffice computes it.
    assert [(int(style_id(p)[3:]), para_text(p)) for p in entries] == [
        (level, f"{label}\u00a0\u2013\u00a0page\u00a0?")
        for level, label in outline_pairs(hsct_outline, min_level=2)]
    settings = d.settings.element.find(qn("w:updateFields"))
    assert settings is not None and settings.get(qn("w:val")) == "true"
    # Each entry links to a bookmark that sits on the heading it names, and its page number
    # is a PAGEREF field to that same bookmark.
    marks = {}
    for p in paras:
        for b in p.iter(qn("w:bookmarkStart")):
            marks[b.get(qn("w:name"))] = p
    for p in entries:
        [link] = p.findall(qn("w:hyperlink"))
        name = link.get(qn("w:anchor"))
        target = marks[name]
        assert style_id(target).startswith("Heading")
        assert para_text(p).startswith(para_text(target))
        kinds = [f.get(qn("w:fldCharType")) for f in link.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        instr = "".join(t.text for t in link.iter(qn("w:instrText")))
        assert instr.split() == ["PAGEREF", name, "\\h"]


def test_contents_label_is_not_a_heading(hsct_path: Path) -> None:
    d = docx.Document(str(hsct_path))
    chain = StyleChain(d)
    [label] = [p for p in body_paragraphs(d) if style_id(p) == "ContentsLabel"]
    assert para_text(label) == "Contents"
    assert chain.style_prop("ContentsLabel", f"{qn('w:pPr')}/{qn('w:outlineLvl')}") is None
    assert not d.styles["Contents Label"].name.startswith("Heading")


def test_minimal_document_has_no_empty_contents(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "valid" / "minimal.md")
    path = build(doc, doc.outline, styles, tmp_path, "minimal")
    d = docx.Document(str(path))
    assert not list(d.element.body.iter(qn("w:fldChar")))
    assert [p.text for p in d.paragraphs] == ["Minimal", "One sentence only.",
                                              "Published by Test Publisher."]


# ------------------------------------------------------------------ language and properties


def test_language_on_the_text_and_in_the_properties(hsct_path: Path, hsct_doc: Document) -> None:
    d = docx.Document(str(hsct_path))
    lang = StyleChain(d).defaults.find(qn("w:lang"))
    assert hsct_doc.meta.language == "en-GB"
    assert lang.get(qn("w:val")) == "en-GB"
    assert lang.get(qn("w:eastAsia")) in (None, "en-GB")
    assert lang.get(qn("w:bidi")) is None  # not the template's ar-SA
    assert d.core_properties.language == "en-GB"


def test_core_properties_come_from_the_source_and_the_build_time(
    hsct_path: Path, hsct_doc: Document
) -> None:
    d = docx.Document(str(hsct_path))
    props, meta = d.core_properties, hsct_doc.meta
    assert props.title == meta.title
    assert props.author == props.last_modified_by == meta.publisher
    assert props.subject == meta.subject
    assert props.keywords == ", ".join(meta.keywords)
    when = dt.datetime.fromtimestamp(EPOCH, tz=dt.UTC)
    assert props.created == props.modified == when
    with zipfile.ZipFile(hsct_path) as z:
        for name in z.namelist():
            data = z.read(name)
            assert b"python-docx" not in data, name
            assert b"Macintosh" not in data, name
        assert b"2013" not in z.read("docProps/core.xml")
        assert "docProps/thumbnail.jpeg" not in z.namelist()


# ------------------------------------------------------------------ links, lists, callouts


def test_links_are_real_hyperlinks_with_a_high_contrast_style(hsct_path: Path) -> None:
    d = docx.Document(str(hsct_path))
    rels = {rid: rel for rid, rel in d.part.rels.items() if rel.is_external}
    targets = [rel.target_ref for rel in rels.values()]
    assert "tel:+448088008000" in targets
    links = [h for h in d.element.body.iter(qn("w:hyperlink")) if h.get(qn("r:id"))]
    assert links and all(h.get(qn("r:id")) in rels for h in links)
    [helpline] = [h for h in links if rels[h.get(qn("r:id"))].target_ref.startswith("tel:")]
    assert sentences.normalise(para_text(helpline)) == "0808 800 8000"
    assert "\u00a0" in para_text(helpline)  # a phone number never breaks across lines
    for run in helpline.iter(qn("w:r")):
        assert run.find(f"{qn('w:rPr')}/{qn('w:rStyle')}").get(qn("w:val")) == "Hyperlink"
    style = d.styles["Hyperlink"]
    assert style.font.underline is True
    colour = "#" + str(style.font.color.rgb)
    assert ratio(parse_hex(colour), (255, 255, 255)) >= 4.5


def test_internal_link_points_at_the_heading_bookmark(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "valid" / "nested-levels.md")
    path = build(doc, doc.outline, styles, tmp_path, "nested-levels")
    d = docx.Document(str(path))
    links = [h for h in d.element.body.iter(qn("w:hyperlink")) if h.get(qn("w:anchor"))
             and para_text(h) == "link to the second part"]
    [link] = links
    [heading] = [p for p in d.paragraphs
                 if p.text.endswith("Part two") and style_id(p._p).startswith("Heading")]
    names = [b.get(qn("w:name")) for b in heading._p.iter(qn("w:bookmarkStart"))]
    assert link.get(qn("w:anchor")) in names


def test_lists_are_real_and_each_numbered_list_starts_afresh(tmp_path: Path,
                                                             styles: Styles) -> None:
    doc = read(FIXTURES / "docx" / "lists-and-callouts.md")
    path = build(doc, doc.outline, styles, tmp_path, "lists")
    d = docx.Document(str(path))
    numbering = d.part.numbering_part.element
    items: dict[str, list[tuple[str, str]]] = {}
    for p in body_paragraphs(d):
        num = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        if num is not None:
            items.setdefault(num.get(qn("w:val")), []).append(
                (p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:ilvl')}").get(qn("w:val")),
                 para_text(p)))
    assert list(items.values()) == [
        [("0", "Alpha step."), ("0", "Beta step.")],
        [("0", "Gamma step."), ("0", "Delta step.")],
        [("0", "Epsilon step."), ("0", "Zeta step, with a nested list:")],
        [("1", "inner bullet one"), ("1", "inner bullet two")],
        [("0", "A bullet after the numbers.")],
    ]

    def start_and_format(num_id: str) -> tuple[str | None, str]:
        num = numbering.num_having_numId(int(num_id))
        start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        [abstract] = numbering.xpath(f"./w:abstractNum[@w:abstractNumId='{abstract_id}']")
        fmt = abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val"))
        return (start.get(qn("w:val")) if start is not None else None), fmt

    assert [start_and_format(n) for n in items] == [
        ("1", "decimal"), ("1", "decimal"), ("5", "decimal"), (None, "bullet"), (None, "bullet")
    ]
    # pandoc agrees: two lists starting at 1, one at 5, and bullets.
    if shutil.which("pandoc"):
        out = subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(path)], check=True,
                             capture_output=True, text=True, timeout=60).stdout
        blocks = json.loads(out)["blocks"]
        starts = [b["c"][0][0] for b in blocks if b["t"] == "OrderedList"]
        assert starts == [1, 1, 5]
        assert sum(b["t"] == "BulletList" for b in blocks) == 1


def test_callouts_are_boxed_labelled_in_bold(hsct_path: Path, hsct_doc: Document) -> None:
    d = docx.Document(str(hsct_path))
    chain = StyleChain(d)
    labels = [para_text(p) for p in body_paragraphs(d) if style_id(p) == "CalloutLabel"]
    assert labels == [b.label for b in hsct_doc.blocks if isinstance(b, Callout)]
    assert set(labels) <= set(CALLOUT_LABELS.values())
    assert d.styles["Callout"].type == d.styles["Callout Label"].type  # paragraph styles
    borders = chain.style_prop("CalloutLabel", f"{qn('w:pPr')}/{qn('w:pBdr')}")
    shading = chain.style_prop("Callout", f"{qn('w:pPr')}/{qn('w:shd')}")
    assert borders is not None and len(borders) == 4 and shading is not None
    fill = "#" + shading.get(qn("w:fill"))
    assert ratio(parse_hex(fill), (0, 0, 0)) >= 7.0
    edge = "#" + borders[0].get(qn("w:color"))
    assert ratio(parse_hex(edge), parse_hex(fill)) >= 3.0
    for p in body_paragraphs(d):
        if style_id(p) == "CalloutLabel":
            assert all(chain.on(r, "CalloutLabel", "w:b") for r in p.iter(qn("w:r")))


def test_adjacent_callouts_stay_separate_boxes(tmp_path: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "docx" / "lists-and-callouts.md")
    path = build(doc, doc.outline, styles, tmp_path, "lists")
    d = docx.Document(str(path))
    boxes = [p for p in body_paragraphs(d) if style_id(p) in ("Callout", "CalloutLabel")]
    assert [para_text(p) for p in boxes][::2] == ["Helpline", "Warning"]

    def indent(p: Element) -> tuple[str | None, ...]:
        ind = p.find(f"{qn('w:pPr')}/{qn('w:ind')}")
        return (None,) if ind is None else (ind.get(qn("w:left")), ind.get(qn("w:right")))

    # Word merges touching paragraphs with equal borders and indents into one box.
    assert indent(boxes[1]) != indent(boxes[2])
    assert indent(boxes[0]) == indent(boxes[1]) and indent(boxes[2]) == indent(boxes[3])


# ------------------------------------------------------------------ words and readers


def test_every_sentence_present_in_order(hsct_path: Path, hsct_sentences: list[str],
                                         hsct_doc: Document) -> None:
    d = docx.Document(str(hsct_path))
    text = "\n".join(para_text(p) for p in body_paragraphs(d))
    assert sentences.missing_in_order(hsct_sentences, text) == []
    assert sentences.missing_in_order(sentences.of_blocks(hsct_doc.blocks), text) == []


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is installed by `make test`")
def test_pandoc_reads_back_the_same_outline(hsct_path: Path, hsct_outline: Outline) -> None:
    assert pandoc_headers(hsct_path) == outline_pairs(hsct_outline)


def test_two_builds_are_byte_identical(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       hsct_doc: Document, hsct_outline: Outline,
                                       styles: Styles) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first = build(hsct_doc, hsct_outline, styles, tmp_path / "a").read_bytes()
    second = build(hsct_doc, hsct_outline, styles, tmp_path / "b").read_bytes()
    assert first == second
    stamp = dt.datetime.fromtimestamp(EPOCH, tz=dt.UTC)
    with zipfile.ZipFile(tmp_path / "a" / "hsct-large-print-18pt.docx") as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {stamp.timetuple()[:6]}


@pytest.mark.parametrize("source", FIXTURE_SOURCES, ids=[p.stem for p in FIXTURE_SOURCES])
def test_every_fixture_source_writes(source: Path, tmp_path: Path, styles: Styles) -> None:
    doc = read(source)
    outline = doc.outline
    d = docx.Document(str(build(doc, outline, styles, tmp_path, source.stem)))
    assert headings(d) == outline_pairs(outline)
    text = "\n".join(words(p) for p in body_paragraphs(d))
    assert sentences.missing_in_order(sentences.of_blocks(doc.blocks), text) == []
    if shutil.which("pandoc"):
        assert pandoc_headers(tmp_path / f"{source.stem}-large-print-18pt.docx") == \
            outline_pairs(outline)


# ------------------------------------------------------------------ refusals


def test_size_outside_the_allowed_range_is_refused(tmp_path: Path, hsct_doc: Document,
                                                   hsct_outline: Outline,
                                                   styles: Styles) -> None:
    result = run_job(JobSpec("docx", Options(size=styles.max_size + 1)), hsct_doc, styles,
                     tmp_path, "hsct")
    assert not result.ok and "size" in str(result.error)
    assert not list(tmp_path.glob("*.docx"))


def test_a_low_contrast_link_colour_is_refused(tmp_path: Path, hsct_doc: Document,
                                              hsct_outline: Outline, styles: Styles) -> None:
    folder = tmp_path / "styles"
    shutil.copytree(styles.root, folder)
    word = folder / "word.yaml"
    word.write_text(word.read_text(encoding="utf-8").replace('"#0B3D91"', '"#7FA7E0"'),
                    encoding="utf-8")
    out = tmp_path / "out"
    result = run_job(JobSpec("docx", Options()), hsct_doc, load_styles(folder),
                     out, "hsct")
    assert not result.ok and "link_colour" in str(result.error)


# ------------------------------------------------------------------ golden XML


@pytest.mark.parametrize("part", ["word/document.xml"])
def test_hsct_word_xml_golden(tmp_path: Path, hsct_doc: Document, hsct_outline: Outline,
                              styles: Styles, part: str,
                              golden: Callable[[str, str], None]) -> None:
    """The 18pt document's XML, indented, against its reviewed golden copy (pandoc's habit)."""
    from lxml import etree

    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    try:
        path = build(hsct_doc, hsct_outline, styles, tmp_path)
    finally:
        mp.undo()
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read(part))
    etree.indent(root, space="  ")
    text = etree.tostring(root, encoding="unicode") + "\n"
    golden(f"hsct-18pt-{part.replace('/', '-')}", text)
