"""Tables, figures, quotations, notes, definitions and code in the large-print PDF, read back
with pikepdf and pdfplumber: tags, alt text, header rows, re-flow, sizes, nothing clipped."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from exporter import sentences
from exporter.model import Document, Figure, Table
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import load_styles
from exporter.writers.base import Options
from tests.conftest import FIXTURES

SIZES = (16, 18, 24)
EPOCH = "1700000000"
PDF_FIXTURES = FIXTURES / "pdf"
MARGIN = 20 * 72 / 25.4  # styles/pdf.yaml margin_side_mm
TEXT_WIDTH = 595.28 - 2 * MARGIN


def make_picture(path: Path, width: int, height: int) -> None:
    """A small PNG made here, so no binary file is kept in the repository."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([2, 2, width - 3, height - 3], outline="black", width=3)
    draw.rectangle([width // 3, height // 3, 2 * width // 3, 2 * height // 3], fill="navy")
    image.save(path)


def page_source(folder: Path, name: str = "structures.md") -> Path:
    """A fixture page copied into ``folder`` with the picture it shows."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / name
    shutil.copy(PDF_FIXTURES / name, source)
    make_picture(folder / "badge.png", 400, 240)
    return source


@dataclass(frozen=True)
class Built:
    doc: Document
    paths: dict[int, Path]


def build(doc: Document, out: Path, sizes: tuple[int, ...] = SIZES) -> dict[int, Path]:
    paths = {}
    for size in sizes:
        result = run_job(JobSpec("pdf", Options(size=size)), doc, load_styles(), out,
                         Path(doc.source_path).stem)
        assert result.ok, result.error
        paths[size] = out / str(result.entries[0]["file"])
    return paths


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The structures page at 16, 18 and 24pt, built once for the module."""
    folder = tmp_path_factory.mktemp("structures")
    doc = read(page_source(folder / "source"))
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return Built(doc, build(doc, folder / "output"))
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


# ------------------------------------------------------------------ reading the tree back


@dataclass(frozen=True)
class El:
    """A structure element as read back: tag, text (its marked content), a few attributes."""

    tag: str
    text: str
    kids: tuple[El, ...]
    alt: str | None = None
    scope: str = ""  #: /A /Scope
    headers: tuple[bytes, ...] = ()  #: /A /Headers
    ident: bytes = b""  #: /ID
    bbox: tuple[float, ...] = ()  #: /A /BBox

    def all(self, tag: str) -> list[El]:
        found = [self] if self.tag == tag else []
        return found + [e for k in self.kids for e in k.all(tag)]


def read_tree(path: Path) -> El:
    """The structure tree with each element's text from pdfplumber's marked-content glyphs."""
    marked: dict[tuple[int, int], str] = {}
    with pdfplumber.open(path) as plumb:
        for page in plumb.pages:
            for c in page.chars:
                if c.get("mcid") is not None:
                    key = (page.page_number, int(c["mcid"]))
                    marked[key] = marked.get(key, "") + c["text"]
    with pikepdf.open(path) as pdf:
        pages = {p.obj.objgen: i + 1 for i, p in enumerate(pdf.pages)}

        def node(obj: Any) -> El:
            page = pages.get(obj.Pg.objgen) if "/Pg" in obj else None
            kids, text = [], []
            raw = obj.get("/K")
            for k in raw if isinstance(raw, pikepdf.Array) else ([] if raw is None else [raw]):
                if isinstance(k, int):
                    text.append(marked.get((page or 0, int(k)), ""))
                elif isinstance(k, pikepdf.Dictionary) and "/S" in k:
                    kids.append(node(k))
            kid_text = " ".join(k.text for k in kids)
            own = " ".join(text)
            attrs = obj.get("/A")
            attrs = attrs if isinstance(attrs, pikepdf.Dictionary) else pikepdf.Dictionary()
            return El(str(obj.S)[1:], sentences.normalise(f"{own} {kid_text}"), tuple(kids),
                      str(obj.Alt) if "/Alt" in obj else None,
                      str(attrs.get("/Scope", ""))[1:],
                      tuple(bytes(h) for h in attrs.get("/Headers", [])),
                      bytes(obj.ID) if "/ID" in obj else b"",
                      tuple(float(v) for v in attrs.get("/BBox", [])))

        return El("Root", "", tuple(node(k) for k in pdf.Root.StructTreeRoot.K))


def chars(path: Path) -> Iterator[tuple[int, float, dict[str, Any]]]:
    """(page number, page width, glyph) for every glyph."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                yield page.page_number, float(page.width), c


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ tables


def test_narrow_table_is_a_tagged_table_at_every_size(built: Built) -> None:
    table = next(b for b in built.doc.blocks if isinstance(b, Table))
    for size in SIZES:
        tree = read_tree(built.paths[size])
        tagged = [t for t in tree.all("Table") if "Tip" in t.text]
        assert len(tagged) == 1, size
        (t,) = tagged
        assert [k.tag for k in t.kids] == ["Caption", "THead", "TBody"]
        assert t.kids[0].text == "Tips for saving energy"
        heads = t.kids[1].all("TH")
        assert [h.text for h in heads] == ["Tip", "What it means"]
        assert all(h.scope == "Column" for h in heads)
        rows = t.kids[2].all("TR")
        assert [[c.text for c in r.all("TD")] for r in rows] == [
            [sentences.normalise(c.children[0].text) for c in row]  # type: ignore[union-attr]
            for row in table.rows]


def test_td_headers_resolve_through_the_id_tree(built: Built) -> None:
    with pikepdf.open(built.paths[18]) as pdf:
        names = pdf.Root.StructTreeRoot.IDTree.Names
        ids = {bytes(names[i]): str(names[i + 1].S) for i in range(0, len(names), 2)}
    tree = read_tree(built.paths[18])
    heads = {el.ident: el.text for el in tree.all("TH")}
    cells = [(el.text, h) for el in tree.all("TD") for h in el.headers]
    assert len(cells) == 6
    assert all(ids[h] == "/TH" for _, h in cells)
    assert [heads[h] for _, h in cells] == ["Tip", "What it means"] * 3


def test_wide_table_is_reflowed_at_16_and_24pt(built: Built) -> None:
    """The 9x6 table needs 541pt at 16pt without breaking a word ("Teriflunomide",
    "lymphocyte"): more than the 482pt text width, so it re-flows at every size."""
    wide = [b for b in built.doc.blocks if isinstance(b, Table)][1]
    for size in SIZES:
        tree = read_tree(built.paths[size])
        assert not [t for t in tree.all("Table") if "Treatment" in t.text]
        text = " ".join(p.text for p in tree.all("P"))
        assert "Table: How the disease modifying therapies compare" in text
        lines = [p.text for p in tree.all("P")]
        for number, row in enumerate(wide.rows, 1):
            at = lines.index(f"Row {number}")
            for k, (head, cell) in enumerate(zip(wide.header, row, strict=True), 1):
                want = f"{head.children[0].text}: {cell.children[0].text}"  # type: ignore[union-attr]
                assert lines[at + k] == sentences.normalise(want), (size, number)


def test_reflow_decision_is_measured(built: Built) -> None:
    from exporter.writers.pdf import layout as lay
    from exporter.writers.pdf.css import load_fonts

    styles = load_styles()
    faces = load_fonts(styles, styles.section("pdf")).faces()
    narrow, wide = [b for b in built.doc.blocks if isinstance(b, Table)]
    assert lay.table_min_width(narrow, faces, 24) < TEXT_WIDTH / 2
    assert lay.table_min_width(wide, faces, 16) > TEXT_WIDTH
    # Column count is not the test: two columns of one long word each are too wide, six
    # columns of ticks are not.
    from exporter.model import Cell, Text

    def table(header: list[str], row: list[str]) -> Table:
        return Table(tuple(Cell((Text(h),)) for h in header),
                     (tuple(Cell((Text(v),)) for v in row),), (), 1)

    long_words = table(["Name", "Other"], ["A" * 30, "W" * 20])
    ticks = table(["A", "B", "C", "D", "E", "F"], ["✓"] * 6)
    page = lay.Page(TEXT_WIDTH, 700, 24)
    decided = lay.plan((long_words, ticks), (), page, lambda: faces)
    assert decided.reflowed(long_words) and not decided.reflowed(ticks)


def test_an_unmeasured_wide_table_really_overflows(built: Built, tmp_path: Path) -> None:
    """What the measurement prevents: set as a table at 16pt, the 9x6 table runs off the text
    area (WeasyPrint can only make it wider than the page)."""
    from exporter.locale import messages
    from exporter.writers.pdf import layout as lay
    from exporter.writers.pdf.css import load_fonts, page_box, page_css
    from exporter.writers.pdf.markup import PdfMarkup
    from exporter.writers.pdf.page import print_page
    from exporter.writers.pdf.writer import RenderRequest, render

    styles = load_styles()
    settings = styles.section("pdf")
    fonts = load_fonts(styles, settings)
    opts = Options(size=16)
    doc = built.doc
    box = page_box(opts, settings)
    words = messages(doc.meta.language)
    planned = lay.plan(doc.blocks, doc.notes, lay.Page(box.text_width, box.text_height, 16),
                       fonts.faces)
    mk = PdfMarkup(doc.outline, words=words, layout=lay.Layout(frozenset(), planned.figures))
    html = print_page(doc, mk, page_css(styles, opts, fonts, box, words) + styles.text("pdf.css"))
    target = tmp_path / "forced.pdf"
    result = render(RenderRequest(html, Path(doc.source_path).parent.as_uri() + "/",
                                  (*styles.roots, *fonts.folders), target, b"0" * 32,
                                  "2023-11-14T22:13:20Z", (), lay.image_files(doc.blocks, ())))
    assert result.ok, result.message
    tree = read_tree(target)
    assert [t for t in tree.all("Table") if "Treatment" in t.text]
    right = max(c["x1"] for _, _, c in chars(target) if c.get("tag") != "Artifact")
    assert right > MARGIN + TEXT_WIDTH + 20


def test_long_table_header_on_every_page_and_one_table(tmp_path: Path) -> None:
    doc = read(PDF_FIXTURES / "long-table.md")
    path = build(doc, tmp_path, (18,))[18]
    table = next(b for b in doc.blocks if isinstance(b, Table))
    pages_with_rows: set[int] = set()
    header_on: dict[int, list[dict[str, Any]]] = {}
    for number, _, c in chars(path):
        if c["text"] == "W" and "Bold" not in c["fontname"]:  # "Week n ..." cells
            pages_with_rows.add(number)
        header_on.setdefault(number, []).append(c)
    assert len(pages_with_rows) >= 2
    for number in pages_with_rows:
        line = "".join(c["text"] for c in header_on[number] if "Bold" in c["fontname"])
        assert "DayActivityEnergyafter" in flat(line), number
    tree = read_tree(path)
    (t,) = tree.all("Table")  # one table, not one per page
    assert len(t.all("THead")) == 1 and len(t.all("TBody")) == 1
    assert len(t.all("TBody")[0].all("TR")) == len(table.rows)
    # The header printed again on later pages is pagination, not content read twice.
    repeated = [c for n, _, c in chars(path)
                if n > min(pages_with_rows) and c["text"] == "D" and c.get("tag") == "Artifact"]
    assert len(repeated) == len(pages_with_rows) - 1


# ------------------------------------------------------------------ figures


def test_figure_tag_alt_and_bounding_box(built: Built) -> None:
    figure = next(b for b in built.doc.blocks if isinstance(b, Figure))
    for size in SIZES:
        path = built.paths[size]
        tree = read_tree(path)
        (fig,) = tree.all("Figure")
        assert fig.alt == figure.image.alt
        with pdfplumber.open(path) as pdf:
            page = next(p for p in pdf.pages if p.images)
            (image,) = page.images
            x0, y0, x1, y1 = fig.bbox
            assert abs(x0 - image["x0"]) < 1 and abs(x1 - image["x1"]) < 1
            assert abs(y1 - (page.height - image["top"])) < 1
            assert abs(y0 - (page.height - image["bottom"])) < 1
            # Fits the text width (the 400 px picture may be shown up to 600pt wide) and its
            # caption is on the same page, at body size.
            assert abs((image["x1"] - image["x0"]) - TEXT_WIDTH) < 1
            caption = [c for c in page.chars if c.get("tag") != "Artifact"
                       and c["top"] > image["bottom"]]
            assert "Putthebadgewhereawardencanreadit." in flat("".join(c["text"] for c in caption))
            assert min(c["size"] for c in caption) >= size - 0.01
        captions = [k.tag for el in tree.all("Div") for k in el.kids if fig in el.kids]
        assert captions == ["Figure", "Caption"]


def test_small_picture_is_not_blown_up(tmp_path: Path) -> None:
    (tmp_path / "icon.md").write_text(
        "---\ntitle: Icon\nlanguage: en-GB\n---\n\n# Icon\n\n![A tick in a circle.](tick.png)\n",
        encoding="utf-8")
    make_picture(tmp_path / "tick.png", 40, 30)
    path = build(read(tmp_path / "icon.md"), tmp_path / "out", (24,))[24]
    with pdfplumber.open(path) as pdf:
        (image,) = [i for p in pdf.pages for i in p.images]
    # 40 px at most twice as large: 80 CSS px, 60pt.
    assert abs((image["x1"] - image["x0"]) - 60) < 0.5
    assert abs((image["bottom"] - image["top"]) - 45) < 0.5


def test_tall_picture_fits_a_page_with_its_caption() -> None:
    from exporter.model import Image
    from exporter.writers.pdf import layout as lay

    page = lay.Page(TEXT_WIDTH, 600, 24, 1.5)
    size = lay.figure_size(Image("tall.png", "A tall chart.", "", "image/png", 300, 3000),
                           TEXT_WIDTH, page)
    # Never taller than the page less four lines of caption, never distorted.
    assert size.height == pytest.approx(600 - 4 * 24 * 1.5)
    assert size.width / size.height == pytest.approx(300 / 3000, rel=1e-3)


def test_heading_with_a_note_marker_keeps_its_title_in_navigation(tmp_path: Path) -> None:
    doc = read(PDF_FIXTURES / "notes-links-and-nesting.md")
    path = build(doc, tmp_path, (18,))[18]
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        titles = [item.title for top in outline.root for item in top.children]
    assert [t.removeprefix("1 ") for t in titles] == ["Fatigue and sleep"]
    heading = next(el for el in read_tree(path).all("H2"))
    # Numbered as every heading is (styles numbering, on by default).
    assert flat(heading.text) == "1Fatigueandsleep[1]"  # the marker is still there to follow


def test_bookmark_of_a_heading_with_a_note_marker_is_numbered(tmp_path: Path) -> None:
    doc = read(PDF_FIXTURES / "notes-links-and-nesting.md")
    path = build(doc, tmp_path, (18,))[18]
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        titles = [item.title for top in outline.root for item in top.children]
    assert titles == ["1 Fatigue and sleep"]


# ------------------------------------------------------------------ quotations, lists, code


def test_quotation_is_a_blockquote_with_the_attribution_after_it(built: Built) -> None:
    tree = read_tree(built.paths[18])
    (quote,) = tree.all("BlockQuote")
    assert quote.text == "Pacing changed my life. I plan a rest after every big task now."
    parent = next(el for el in tree.all("Div") if quote in el.kids)
    assert [k.tag for k in parent.kids] == ["BlockQuote", "P"]
    assert parent.kids[1].text == "— Ann, Cardiff"


def test_definition_list_one_item_per_term(built: Built) -> None:
    tree = read_tree(built.paths[18])
    terms = ("Efficacy", "Relapse")
    # WeasyPrint tags each page's part of a list as an L of its own: the list may come in
    # parts, each item whole in one of them, and no item but the terms'.
    parts = [el for el in tree.all("L") if any(
        k.tag == "LI" and k.text.split(" ")[0] in terms for k in el.kids)]
    items = [k for part in parts for k in part.kids if k.tag == "LI"]
    assert [i.text.split(" ")[0] for i in items] == ["Efficacy", "Relapse"]


def test_code_in_monospace_at_body_size_wrapped_inside_the_page(built: Built) -> None:
    for size in SIZES:
        code = [(n, w, c) for n, w, c in chars(built.paths[size]) if "SourceCode" in c["fontname"]
                or "Source" in c["fontname"]]
        assert code, size
        assert all(abs(c["size"] - size) < 0.01 for _, _, c in code)
        assert all(c["x1"] <= w - MARGIN + 1 for _, w, c in code)
        text = flat("".join(c["text"] for _, _, c in code))
        assert "https://www.example.org/information/living-with-ms/fatigue/managing-fatigue-" \
               "day-to-day/energy-saving-tips-for-home-and-work" in text


def test_break_is_a_visible_rule(built: Built) -> None:
    with pdfplumber.open(built.paths[18]) as pdf:
        rules = [(p.page_number, e) for p in pdf.pages for e in p.edges + p.rects
                 if abs(e["x0"] - MARGIN) < 1 and abs(e["x1"] - (MARGIN + TEXT_WIDTH)) < 1
                 and e["height"] < 4]
    assert rules


# ------------------------------------------------------------------ notes and links


def test_notes_after_the_text_linked_both_ways(built: Built) -> None:
    path = built.paths[24]
    tree = read_tree(path)
    parts = tree.all("Sect")
    (notes,) = [s for s in parts if s.text.startswith("Notes")]
    assert notes.text == sentences.normalise(
        "Notes [1] About 8 in 10 people with MS have fatigue. It can come and go. "
        "[2] From a survey of 2,000 members in 2023. "
        "[3] Ask at your next appointment. Bring your questions written down.")
    with pikepdf.open(path) as pdf:
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        page_of: dict[Any, int] = {p.objgen: i + 1 for i, p in enumerate(pdf.pages)}
        links = {str(a.Contents): page_of[dests[str(a.Dest)][0].objgen]
                 for p in pdf.pages for a in p.get("/Annots", []) if "/Dest" in a}
    with pdfplumber.open(path) as plumb:
        text = {p.page_number: flat(p.extract_text() or "") for p in plumb.pages}
    # Each marker leads to its note, and each note's number back to its marker.
    for n, words in ((1, "About8in10"), (2, "Fromasurvey"), (3, "Askatyournext")):
        assert f"[{n}]{words}" in text[links[f"Note {n}"]]
        assert "MS.[1]" in text[links["Back to the text of note 1"]]
        assert links[f"Back to the text of note {n}"] < links[f"Note {n}"]


def test_addresses_printed_once(built: Built) -> None:
    text = flat(" ".join(p.text for p in read_tree(built.paths[18]).all("P")))
    assert flat("Read the NHS page on fatigue (https://www.nhs.uk/conditions/multiple-sclerosis/"
                "symptoms/) or visit https://www.example.org/help for more.") in text
    assert flat("You can also write to help@example.org or email our nurses "
                "(nurses@example.org).") in text
    assert "mailto:" not in text


# ------------------------------------------------------------------ print rules


def test_every_glyph_on_the_page_upright_and_at_body_size(built: Built) -> None:
    for size, path in built.paths.items():
        for _, width, c in chars(path):
            assert c["x0"] >= MARGIN - 1 and c["x1"] <= width - MARGIN + 1, c["text"]
            assert c["size"] >= size - 0.01, (size, c["text"])
            assert "Italic" not in c["fontname"] and c["upright"]
            _, b, cc, _, _, _ = c["matrix"]
            assert b == 0 and cc == 0


def test_sentences_and_notes_in_reading_order(built: Built) -> None:
    for path in built.paths.values():
        text = " ".join(el.text for el in read_tree(path).kids)
        flat_text = flat(re.sub(r"\[\d+\]|\(https?://[^)]*\)|\([^()@ ]+@[^() ]+\)", "", text))
        pos = 0
        for s in [*sentences.of_blocks(built.doc.blocks), *sentences.of_notes(built.doc)]:
            found = flat_text.find(flat(s), pos)
            assert found >= 0, s
            pos = found


def test_reproducible(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = build(read(page_source(tmp_path / "source")), tmp_path / "out", (18,))[18]
    assert again.read_bytes() == built.paths[18].read_bytes()


def test_welsh_interface_words(tmp_path: Path) -> None:
    (tmp_path / "tudalen.md").write_text(
        "---\ntitle: Blinder\nlanguage: cy\n---\n\n# Blinder\n\n## Cynllunio\n\n"
        "Mae blinder yn gyffredin.[^1] Yfwch ddŵr yn y tŷ.\n\n"
        "| Awgrym | Beth mae'n ei olygu |\n|---|---|\n"
        "| Cynllunio | Rhannwch dasgau dros yr wythnos. |\n\n"
        "[^1]: Mae tua 8 o bob 10 o bobl ag MS yn cael blinder.\n", encoding="utf-8")
    path = build(read(tmp_path / "tudalen.md"), tmp_path / "out", (18,))[18]
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == "cy"
        pages = len(pdf.pages)
    artifacts = "".join(c["text"] for n, _, c in chars(path) if n == 1
                        and c.get("tag") == "Artifact")
    assert artifacts.endswith(f"Tudalen 1 o {pages}")
    first = flat("".join(c["text"] for n, _, c in chars(path) if n == 1))
    assert "Cynnwys" in first and "1Cynllunio–tudalen2" in first
    assert "Nodiadau" in flat("".join(c["text"] for _, _, c in chars(path)))
    # ŵ and ŷ, which Atkinson Hyperlegible lacks, come from the packaged fallback face, not
    # from whatever fonts this machine has.
    faces = {c["fontname"].split("+")[-1] for _, _, c in chars(path)}
    assert faces <= {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold", "Noto-Sans",
                     "Noto-Sans-Bold"}, faces
    drawn = {c["text"]: c["fontname"] for _, _, c in chars(path) if c["text"] in "ŵŷ"}
    assert set(drawn) == {"ŵ", "ŷ"} and all("Noto-Sans" in f for f in drawn.values())


def test_table_parts_joined_when_the_first_page_holds_only_the_caption() -> None:
    """WeasyPrint tags a table page by page. When only the caption fits on the first page,
    the second part's header is the one first printed: it moves in whole, while the header
    printed again on the third page leaves the tree (pagination)."""
    from exporter.writers.pdf.structure import join_split_tables

    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()

    def el(tag: str, page: int, *kids: Any, **extra: Any) -> Any:
        node = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name(tag), Pg=pdf.pages[page].obj,
            K=pikepdf.Array(list(kids)), **extra))
        for kid in kids:
            kid.P = node
        return node

    def part(page: int, rows: list[str], head: bool) -> Any:
        kids = []
        if head:
            kids.append(el("/THead", page, el("/TR", page, el("/TH", page,
                                                            ID=pikepdf.String(f"h{page}")))))
        cells = [el("/TD", page, A=pikepdf.Dictionary(Headers=pikepdf.Array(
            [pikepdf.String(f"h{page}")]))) for _ in rows]
        kids.append(el("/TBody", page, *(el("/TR", page, c) for c in cells)))
        return el("/Table", page, *kids)

    first = el("/Table", 0, el("/Caption", 0))
    tables = [first, part(1, ["a", "b"], True), part(2, ["c"], True)]
    root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    doc = el("/Document", 0, *(el("/Part", i, t) for i, t in enumerate(tables)))
    doc.P = root
    root.K = pikepdf.Array([doc])
    assert join_split_tables(pdf, root, [[0], [0], [0]]) == 2
    assert [str(k.S) for k in first.K] == ["/Caption", "/THead", "/TBody"]
    body = first.K[2]
    assert len(body.K) == 3
    assert {str(h) for row in body.K for cell in row.K for h in cell.A.Headers} == {"h1"}
    assert len(doc.K) == 1  # the pages' Parts left empty are gone


def test_no_publisher_prints_and_stores_nothing_for_it(tmp_path: Path) -> None:
    (tmp_path / "bare.md").write_text(
        "---\ntitle: Bare\nlanguage: en-GB\n---\n\n# Bare\n\nOnly a title and a language.\n",
        encoding="utf-8")
    path = build(read(tmp_path / "bare.md"), tmp_path / "out", (18,))[18]
    with pikepdf.open(path) as pdf:
        assert "/Author" not in pdf.docinfo and "/Subject" not in pdf.docinfo
    text = flat("".join(c["text"] for _, _, c in chars(path)))
    assert "Publishedby" not in text and "updated" not in text
