"""The large-print PDF as paper and as a screen reader meets it: one annotation per link, no
page holding only the colophon or a stray list item, no page left needlessly empty, a
running head of one line, even spacing in the contents and inside callouts; read back with
pikepdf and pdfplumber."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from exporter.model import Document
from exporter.outline import Outline
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import Styles
from exporter.writers.base import Options
from exporter.writers.pdf import check_paper as paper
from exporter.writers.pdf import check_print as pr
from exporter.writers.pdf.check_structure import links
from tests.conftest import FIXTURES

SIZES = (16, 18, 24)
EPOCH = "1700000000"


@dataclass(frozen=True)
class Printed:
    """One HSCT PDF and its pages as pdfplumber reads them."""

    size: int
    path: Path
    pages: tuple[pr.Page, ...]


def render(doc: Document, styles: Styles, out: Path, options: Options) -> Path:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        result = run_job(JobSpec("pdf", options), doc, styles, out, Path(doc.source_path).stem)
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    assert result.ok, result.error
    return out / str(result.entries[0]["file"])


def read_pages(path: Path) -> tuple[pr.Page, ...]:
    with pdfplumber.open(path) as pdf:
        return tuple(pr.read_page(p) for p in pdf.pages)


@pytest.fixture(scope="module")
def printed(hsct_doc: Document, styles: Styles,
            tmp_path_factory: pytest.TempPathFactory) -> dict[int, Printed]:
    out = tmp_path_factory.mktemp("print")
    made = {}
    for size in SIZES:
        path = render(hsct_doc, styles, out, Options(size=size))
        made[size] = Printed(size, path, read_pages(path))
    return made


# ------------------------------------------------------------------ links


def _annotations(path: Path) -> list[tuple[int, str, Any]]:
    """(page, where it goes, annotation) of every link annotation."""
    out = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for a in page.obj.get("/Annots", []):
                if a.get("/Subtype") == "/Link":
                    target = str(a.get("/Dest") or a.A.URI)
                    out.append((number, target, [float(v) for v in a.Rect]))
    return out


def _link_elements(path: Path) -> Iterator[tuple[Any, bool]]:
    """(Link structure element, whether it sits inside another Link)."""
    with pikepdf.open(path) as pdf:
        stack = [(pdf.Root.StructTreeRoot, False)]
        while stack:
            node, inside = stack.pop()
            found = node.get("/K")
            kids = list(found) if isinstance(found, pikepdf.Array) else (
                [] if found is None else [found])
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    is_link = str(kid.S) == "/Link"
                    if is_link:
                        yield kid, inside
                    stack.append((kid, inside or is_link))


def test_one_annotation_and_one_link_tag_per_link(printed: dict[int, Printed],
                                                  hsct_outline: Outline) -> None:
    sections = [e for e in hsct_outline if e.level > 1]
    for size, pdf in printed.items():
        annots = _annotations(pdf.path)
        # The contents' entries (each with its "– page N") and the helpline number.
        assert len(annots) == len(sections) + 1, size
        assert len({(page, target) for page, target, _ in annots}) == len(annots), size
        elements = list(_link_elements(pdf.path))
        assert len(elements) == len(annots), size
        assert not any(inside for _, inside in elements), size
        with pikepdf.open(pdf.path) as doc:
            assert links(doc) == [], size


def test_a_link_over_two_lines_is_one_annotation_covering_both(styles: Styles,
                                                               tmp_path: Path) -> None:
    doc = read(FIXTURES / "pdf" / "long-links.md")
    path = render(doc, styles, tmp_path, Options(size=24))
    annots = _annotations(path)
    assert sorted(target for _, target, _ in annots) == sorted(
        ["questions", "https://www.nhs.uk/conditions/stem-cell-transplant/",
         "tel:+448000000000", *(e.id for e in doc.outline if e.level > 1)])
    with pikepdf.open(path) as pdf:
        assert links(pdf) == []
        body = [a for p in pdf.pages[1:] for a in p.obj.get("/Annots", [])
                if str(a.get("/Dest", "")) == "questions"]
        (guide,) = body
        quads = [float(v) for v in guide.QuadPoints]
        assert len(quads) >= 16  # at least two lines, one quadrilateral each
        tops = {round(quads[i + 1]) for i in range(0, len(quads), 8)}
        assert len(tops) == len(quads) // 8
    assert sum(1 for _, inside in _link_elements(path) if not inside) == len(annots)


# ------------------------------------------------------------------ paper


def test_no_page_holds_only_the_colophon(printed: dict[int, Printed]) -> None:
    for size, pdf in printed.items():
        last = " ".join(line.text for line in pdf.pages[-1].lines(body=True))
        assert "Published by MS Society." in last, size
        assert re.sub(r"\s", "", last) != "PublishedbyMSSociety.", size
        assert paper.colophon_alone(pdf.pages, ["Published by MS Society."]) == []


def test_no_page_left_more_than_a_quarter_empty(printed: dict[int, Printed]) -> None:
    """A quarter of the text area (56 mm at 24pt): what keeping a heading with its first lines
    can cost; the writer lets a short list item or a callout split rather than leave more.
    The contents page (which ends by design) and the last page aside."""
    for size, pdf in printed.items():
        contents = re.compile(r"–\s*page\s*\d+$")
        assert paper.page_fill(pdf.pages, 0.0, contents, share=0.25) == [], size
        fills = paper.fills(pdf.pages)
        assert max(f.gap for f in fills[1:-1]) < 0.25 * fills[0].height


def test_fewer_pages_than_before_these_fixes(printed: dict[int, Printed]) -> None:
    # 6, 8 and 13 pages before: the 18pt lost its colophon-only page, the 24pt its second
    # running-head line on every page.
    assert [len(printed[s].pages) for s in SIZES] == [6, 7, 12]


def _list_items(path: Path) -> list[list[list[tuple[int, float]]]]:
    """Each list's items as (page, line top) of their lines, in order (from the tags)."""
    with pdfplumber.open(path) as pdf:
        tops: dict[tuple[int, int], float] = {}
        for page in pdf.pages:
            for c in page.chars:
                if c.get("mcid") is not None and str(c["text"]).strip():
                    tops.setdefault((page.page_number, int(c["mcid"])), round(float(c["top"])))
        lists: list[list[list[tuple[int, float]]]] = []

        def mcids(el: dict[str, Any]) -> Iterator[tuple[int, int]]:
            for m in el.get("mcids") or []:
                yield int(el.get("page_number") or 0), int(m)
            for kid in el.get("children") or []:
                yield from mcids(kid)

        def walk(elements: list[dict[str, Any]]) -> None:
            for el in elements:
                if el.get("type") == "L":
                    items = [sorted({(p, tops[(p, m)]) for p, m in mcids(k)
                                     if (p, m) in tops})
                             for k in el.get("children") or [] if k.get("type") == "LI"]
                    lists.append([i for i in items if i])
                walk(el.get("children") or [])

        walk(pdf.structure_tree)
    return lists


def test_no_short_list_item_alone_at_a_page_break(printed: dict[int, Printed]) -> None:
    """The first or last item of a list, when it is one or two lines, is never the only item
    of its list at the foot or the head of a page (16pt: "fertility problems" was)."""
    for size, pdf in printed.items():
        for items in _list_items(pdf.path):
            pages = [{p for p, _ in item} for item in items]
            for i, item in enumerate(items):
                short = len(item) <= 2
                alone_at_foot = i == 0 and len(items) > 1 and pages[1] and \
                    min(pages[1]) > max(pages[0])
                alone_at_head = i == len(items) - 1 and i > 0 and \
                    min(pages[i]) > max(pages[i - 1])
                assert not (short and (alone_at_foot or alone_at_head)), (size, item)


def test_running_head_is_one_line_of_the_titles_own_words(printed: dict[int, Printed],
                                                          hsct_doc: Document) -> None:
    for size, pdf in printed.items():
        assert paper.running_head(pdf.pages) == [], size
        head = next(" ".join(ln.text.split()) for ln in pdf.pages[0].lines()
                    if ln.top < 80 and all(c.get("tag") == "Artifact" for c in ln.ink))
        if size == 24:  # the whole title would take two lines: its short form, before "("
            assert head == "HSCT"
        else:
            assert head == hsct_doc.meta.title


def test_contents_entries_evenly_spaced(printed: dict[int, Printed],
                                        hsct_outline: Outline) -> None:
    """The same space between every two entries, nested or not, wrapped or not."""
    sections = [e.label for e in hsct_outline if e.level > 1]
    for size, pdf in printed.items():
        lines = [ln for ln in pdf.pages[0].lines(body=True)]
        texts = [" ".join(ln.text.split()) for ln in lines]
        # An entry starts on the line that begins its label (a long one wraps).
        starts = [next(i for i, t in enumerate(texts) if label.startswith(t) or
                       t.startswith(label)) for label in sections]
        gaps = []
        for _a, b in itertools.pairwise(starts):
            gaps.append(round(lines[b].top - max(float(c["bottom"]) for c in lines[b - 1].chars),
                              1))
        assert max(gaps) - min(gaps) <= 0.5, (size, gaps)


def test_callout_padding_even_on_all_sides(printed: dict[int, Printed]) -> None:
    """Inside each callout's border: to the letters at the left, to the capitals' tops and to
    the last baseline, the same space (within a point)."""
    for size, pdf in printed.items():
        measured = 0
        for page in pdf.pages:
            for inner in _inner_borders(page):
                inside = [c for c in page.body if inner[0] < float(c["x0"]) < inner[2]
                          and inner[1] < float(c["top"]) < inner[3]]
                if not inside:
                    continue
                left = min(float(c["x0"]) for c in inside) - inner[0]
                first = min(inside, key=lambda c: float(c["top"]))
                last = max(inside, key=lambda c: float(c["bottom"]))
                cap = float(first["size"]) * 0.668  # Atkinson Hyperlegible's cap height
                top = (page.height - float(first["matrix"][5])) - cap - inner[1]
                bottom = inner[3] - (page.height - float(last["matrix"][5]))
                assert max(left, top, bottom) - min(left, top, bottom) <= 1.0, (
                    size, page.number, left, top, bottom)
                measured += 1
        assert measured >= 5, size


def _inner_borders(page: pr.Page) -> list[tuple[float, float, float, float]]:
    """The inside edge of each box border drawn: the inner of two nested rectangles of one
    colour (WeasyPrint draws a border as an even-odd pair)."""
    rects = [r for r in page.rects if r.get("evenodd")]
    out = []
    for a, b in itertools.pairwise(rects):
        inner, outer = sorted((a, b), key=lambda r: float(r["x1"]) - float(r["x0"]))
        if float(outer["x0"]) < float(inner["x0"]) and float(inner["x1"]) < float(outer["x1"]) \
                and a.get("non_stroking_color") == b.get("non_stroking_color"):
            out.append((float(inner["x0"]), float(inner["top"]), float(inner["x1"]),
                        float(inner["bottom"])))
    return out


def test_a_page_without_sections_prints_no_contents_page(tmp_path: Path, styles: Styles) -> None:
    source = tmp_path / "note.md"
    source.write_text("---\ntitle: Short note\nlanguage: en-GB\n---\n\n# Short note\n\n"
                      "Just one paragraph of text.\n", encoding="utf-8")
    pdf = render(read(source), styles, tmp_path, Options(size=18))
    pages = read_pages(pdf)
    assert len(pages) == 1
    text = " ".join("".join(str(c["text"]) for c in pages[0].every).split())
    assert "Contents" not in text and "Just one paragraph of text." in text
