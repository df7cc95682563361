"""The large-print PDF writer, read back with pikepdf, pdfplumber and poppler as clients would."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from exporter import sentences
from exporter.model import Document
from exporter.outline import Outline, TreeNode
from exporter.pipeline import JobResult, JobSpec, run_job
from exporter.reader import read
from exporter.styles import Styles, load_styles
from exporter.writers.base import Options
from tests.conftest import FIXTURES

SIZES = (16, 18, 24)
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z
PDF_FIXTURES = FIXTURES / "pdf"
A4 = (595.28, 841.89)
SIDE_MARGIN = 20 * 72 / 25.4


@dataclass(frozen=True)
class Rendered:
    """One PDF made by the writer, with what the pipeline said about it."""

    size: int
    path: Path
    result: JobResult
    logs: tuple[str, ...]  #: weasyprint warnings and errors seen while rendering


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def _render(doc: Document, outline: Outline, styles: Styles, out: Path,
            options: Options) -> tuple[JobResult, tuple[str, ...]]:
    handler = _Records()
    logger = logging.getLogger("weasyprint")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        result = run_job(JobSpec("pdf", options), doc, styles, out, "hsct")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return result, tuple(handler.messages)


@pytest.fixture(scope="module")
def pdfs(hsct_doc: Document, hsct_outline: Outline, styles: Styles,
         tmp_path_factory: pytest.TempPathFactory) -> dict[int, Rendered]:
    """The real source at 16, 18 and 24pt, each rendered once for the whole module."""
    out = tmp_path_factory.mktemp("pdf")
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        rendered = {}
        for size in SIZES:
            result, logs = _render(hsct_doc, hsct_outline, styles, out, Options(size=size))
            assert result.ok, result.error
            rendered[size] = Rendered(size, out / f"hsct-large-print-{size}pt.pdf", result, logs)
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return rendered


def run_fixture(name: str, out: Path, options: Options | None = None,
                styles: Styles | None = None) -> JobResult:
    path = PDF_FIXTURES / name
    doc = read(path if path.is_file() else FIXTURES / "valid" / name)
    return run_job(JobSpec("pdf", options or Options()), doc, styles or load_styles(), out,
                   Path(name).stem)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def body_text(path: Path) -> str:
    """pdftotext of the body area only: the running head and page number lines are cut off.

    The box comes from the artifacts' own positions, so it follows the size being tested.
    """
    furniture = [c for _, c in chars(path) if c.get("tag") == "Artifact"]
    top = max(c["bottom"] for c in furniture if c["top"] < A4[1] / 2) + 1
    bottom = min(c["top"] for c in furniture if c["top"] > A4[1] / 2) - 1
    # -raw: content-stream order, and no guessing that a line ending in " -" is hyphenation.
    # WeasyPrint paints list bullets after the items' text, so in stream order they come as
    # lines of their own; they are list labels (tagged Lbl), not words, and are dropped.
    raw = pdftotext(path, "-raw", "-x", "0", "-y", str(int(top)), "-W", str(int(A4[0])),
                    "-H", str(int(bottom - top)))
    return "\n".join(line for line in raw.splitlines() if line.strip() != "•")


def tagged_text(path: Path) -> str:
    """The text a screen reader gets: every glyph that is marked content, not an artifact."""
    with pdfplumber.open(path) as pdf:
        return "\n".join(
            page.filter(lambda o: o.get("object_type") != "char" or o.get("tag") != "Artifact")
            .extract_text() for page in pdf.pages)


def chars(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(page number, char) for every glyph, with pdfplumber's marked-content tag and MCID."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                yield page.page_number, c


# ------------------------------------------------------------------ names, facts, logs


def test_file_names_pages_and_no_weasyprint_logs(pdfs: dict[int, Rendered]) -> None:
    for size, r in pdfs.items():
        (entry,) = r.result.entries
        assert entry["file"] == f"hsct-large-print-{size}pt.pdf"
        assert r.path.is_file()
        with pikepdf.open(r.path) as pdf:
            assert entry["facts"] == {"pages": len(pdf.pages)}
            assert all(abs(float(p.mediabox[2]) - A4[0]) < 0.5 and
                       abs(float(p.mediabox[3]) - A4[1]) < 0.5 for p in pdf.pages)
        assert not r.logs, f"weasyprint logged at {size}pt: {r.logs}"
    # Bigger print takes more pages.
    pages = [pdfs[s].result.entries[0]["facts"]["pages"] for s in SIZES]
    assert pages == sorted(pages) and pages[0] < pages[-1]


def test_minimal_source_renders_without_weasyprint_warnings(
        no_weasyprint_errors: None, out_dir: Path) -> None:
    result = run_fixture("minimal.md", out_dir)
    assert result.ok, result.error
    assert (out_dir / "minimal-large-print-18pt.pdf").is_file()


def test_scheme_appears_in_file_name_only_when_not_default(out_dir: Path) -> None:
    result = run_fixture("minimal.md", out_dir, Options(size=20, scheme="black-on-cream"))
    assert result.ok, result.error
    assert result.entries[0]["file"] == "minimal-large-print-20pt-black-on-cream.pdf"


@pytest.mark.parametrize("options, words", [
    (Options(size=12), "Print size 12 is outside 16 to 36"),
    (Options(size=40), "Print size 40 is outside 16 to 36"),
    (Options(scheme="pink-on-red"), "Colour scheme 'pink-on-red' is not one we can make"),
])
def test_bad_options_are_refused(out_dir: Path, options: Options, words: str) -> None:
    result = run_fixture("minimal.md", out_dir, options)
    assert not result.ok and words in (result.error or "")
    assert not list(out_dir.glob("*.pdf"))


# ------------------------------------------------------------------ PDF/UA structure


def test_pdf_ua_catalog_and_metadata(pdfs: dict[int, Rendered], hsct_doc: Document) -> None:
    with pikepdf.open(pdfs[18].path) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == hsct_doc.meta.language
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        xmp = root.Metadata.read_bytes().decode()
        assert 'pdfuaid:part="1"' in xmp
        assert f'<rdf:li xml:lang="x-default">{hsct_doc.meta.title}</rdf:li>' in xmp
        assert str(pdf.docinfo.Title) == hsct_doc.meta.title


def _struct_headings(path: Path) -> list[tuple[int, str]]:
    """(level, text) of every H1..H6 structure element, in tree order, text from its MCIDs."""
    found: list[tuple[int, str]] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            by_mcid: dict[int, list[str]] = defaultdict(list)
            for c in page.chars:
                if c.get("mcid") is not None:
                    by_mcid[c["mcid"]].append(c["text"])

            for top in page.structure_tree:
                _walk_headings(top, by_mcid, found)
    return found


def _mcids(node: dict[str, Any]) -> list[int]:
    own: list[int] = list(node.get("mcids", []))
    return own + [m for k in node.get("children", []) for m in _mcids(k)]


def _walk_headings(node: dict[str, Any], by_mcid: dict[int, list[str]],
                   found: list[tuple[int, str]]) -> None:
    if re.fullmatch(r"H[1-6]", node["type"]):
        text = "".join("".join(by_mcid[m]) for m in sorted(_mcids(node)))
        found.append((int(node["type"][1]), sentences.normalise(text)))
    for kid in node.get("children", []):
        _walk_headings(kid, by_mcid, found)


def test_heading_tags_follow_the_outline(pdfs: dict[int, Rendered],
                                         hsct_outline: Outline) -> None:
    expected = [(e.level, e.label) for e in hsct_outline]  # numbered, as the contents
    for size in SIZES:
        got = [(lvl, t.replace(" ", "")) for lvl, t in _struct_headings(pdfs[size].path)]
        assert got == [(lvl, t.replace(" ", "")) for lvl, t in expected], size


def _bookmarks(item: Any) -> list[TreeNode]:
    out: list[TreeNode] = []
    while item is not None:
        kids = _bookmarks(item.First) if "/First" in item else []
        out.append((str(item.Title), kids))
        item = item.get("/Next")
    return out


def test_bookmarks_equal_the_outline(pdfs: dict[int, Rendered], hsct_outline: Outline) -> None:
    for size in SIZES:
        with pikepdf.open(pdfs[size].path) as pdf:
            assert _bookmarks(pdf.Root.Outlines.First) == hsct_outline.as_tree(labels=True)


def test_running_heads_and_page_numbers_are_artifacts(pdfs: dict[int, Rendered],
                                                       hsct_doc: Document) -> None:
    r = pdfs[18]
    pages = r.result.entries[0]["facts"]["pages"]
    artifacts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    content: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n, c in chars(r.path):
        (artifacts if c.get("tag") == "Artifact" else content)[n].append(c)
    for n in range(1, pages + 1):
        text = "".join(c["text"] for c in artifacts[n])
        assert text.replace(" ", "") == (hsct_doc.meta.title + f"Page {n} of {pages}"
                                         ).replace(" ", ""), n
        assert all(c.get("mcid") is None for c in artifacts[n])
        assert all(c.get("mcid") is not None and c.get("tag") for c in content[n])
        assert f"Page {n} of" not in "".join(c["text"] for c in content[n])
    # Every MCID left maps to an element inside the tree: no orphan from the margin boxes.
    with pikepdf.open(r.path) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            elems = parents[int(page.obj.StructParents)]
            for elem in elems:
                node = elem
                while node.get("/Type") == "/StructElem":
                    node = node.P
                assert node.get("/Type") == "/StructTreeRoot"


def test_page_numbers_at_body_size_in_the_same_place(pdfs: dict[int, Rendered]) -> None:
    for size in SIZES:
        places: set[tuple[float, float]] = set()
        for _, c in chars(pdfs[size].path):
            if c.get("tag") == "Artifact" and c["text"] == "P":
                places.add((round(c["x0"], 1), round(c["top"], 1)))
                assert c["size"] >= size - 0.01
        assert len(places) == 1, places


# ------------------------------------------------------------------ fonts and glyphs


def test_every_font_embedded_and_none_italic(pdfs: dict[int, Rendered]) -> None:
    for size in SIZES:
        out = subprocess.run(["pdffonts", str(pdfs[size].path)], check=True,
                             capture_output=True, text=True).stdout
        rows = out.splitlines()[2:]
        assert rows
        for row in rows:
            name, *_, emb, _sub, uni, _obj, _gen = row.split()
            assert (emb, uni) == ("yes", "yes"), row
            assert "Atkinson-Hyperlegible" in name and "Italic" not in name, row


def test_smallest_glyph_is_the_chosen_size_and_upright(pdfs: dict[int, Rendered]) -> None:
    for size in SIZES:
        sizes: Counter[float] = Counter()
        for _, c in chars(pdfs[size].path):
            sizes[round(c["size"], 2)] += 1
            _, b, cc, _, _, _ = c["matrix"]
            assert b == 0 and cc == 0 and c["upright"], f"slanted glyph {c['text']!r}"
            assert "Italic" not in c["fontname"] and "Oblique" not in c["fontname"]
        assert min(sizes) >= size - 0.01, (size, sorted(sizes))
        assert sizes.most_common(1)[0][0] == size  # the body is set at the chosen size


def test_headings_bold_larger_and_never_last_on_a_page(pdfs: dict[int, Rendered],
                                                       hsct_outline: Outline) -> None:
    for size in SIZES:
        last_line: dict[int, list[dict[str, Any]]] = {}
        heading_chars = 0
        for n, c in chars(pdfs[size].path):
            if c.get("tag") == "Artifact":
                continue
            if c["size"] > size + 0.5:
                heading_chars += 1
                assert "Bold" in c["fontname"], c["text"]
            line = last_line.get(n)
            if line is None or c["top"] > line[0]["top"] + 1:
                last_line[n] = [c]
            elif abs(c["top"] - line[0]["top"]) <= 1:
                line.append(c)
        assert heading_chars >= sum(len(e.title.replace(" ", "")) for e in hsct_outline)
        for n, line in sorted(last_line.items())[:-1]:
            assert all(c["size"] <= size + 0.5 for c in line), \
                f"{size}pt page {n} ends with a heading: {''.join(c['text'] for c in line)}"


def test_left_aligned_not_justified(pdfs: dict[int, Rendered]) -> None:
    for size in SIZES:
        starts: Counter[float] = Counter()
        gaps: Counter[float] = Counter()
        with pdfplumber.open(pdfs[size].path) as pdf:
            for page in pdf.pages:
                for line in page.extract_text_lines(strip=True):
                    starts[round(line["x0"], 0)] += 1
                words = page.extract_words(extra_attrs=["size"])
                rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
                for w in words:
                    if abs(w["size"] - size) < 0.01:
                        rows[round(w["bottom"])].append(w)
                for row in rows.values():
                    row.sort(key=lambda w: w["x0"])
                    gaps.update(round(b["x0"] - a["x1"], 1) for a, b in pairwise(row))
        # Lines start at the margin, or at a list's or a box's fixed indent: a few edges only.
        assert starts.most_common(1)[0][0] == round(SIDE_MARGIN, 0)
        assert len(starts) <= 5, starts
        # Justified text stretches spaces line by line; ragged-right text keeps one width.
        space, count = gaps.most_common(1)[0]
        assert count >= 0.95 * sum(gaps.values()), gaps
        assert max(gaps) <= space * 1.2, gaps


def test_phone_number_and_sentences_whole_and_in_order(pdfs: dict[int, Rendered],
                                                       hsct_doc: Document,
                                                       hsct_sentences: list[str]) -> None:
    for size in SIZES:
        text = body_text(pdfs[size].path)
        for got in (text, tagged_text(pdfs[size].path)):
            assert sentences.missing_in_order(sentences.of_blocks(hsct_doc.blocks), got) == []
            assert sentences.missing_in_order(hsct_sentences, got) == []
        # The phone number is kept on one line wherever it appears.
        assert any(hsct_doc.meta.helpline in line for line in text.splitlines())
        assert not any(line.rstrip().endswith(("0808", "0808 800")) for line in text.splitlines())
        assert "tel:" not in text  # only web addresses are printed for paper


def test_contents_page_numbers_and_links(pdfs: dict[int, Rendered],
                                         hsct_outline: Outline) -> None:
    r = pdfs[18]
    headings = _struct_headings(r.path)
    assert headings
    first_page = pdftotext(r.path, "-f", "1", "-l", "1")
    with pikepdf.open(r.path) as pdf:
        page_of = {tuple(p.obj.objgen): i + 1 for i, p in enumerate(pdf.pages)}
        links = [a for a in pdf.pages[0].get("/Annots", []) if a.Subtype == "/Link"]
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        targets = sorted({page_of[tuple(dests[str(a.Dest)][0].objgen)] for a in links})
        # Each link says where it goes in words (PDF/UA), not with the anchor's id.
        descriptions = list(dict.fromkeys(str(a.Contents) for a in links))
    assert descriptions == [e.label for e in hsct_outline if e.level > 1]
    entries = [e for e in hsct_outline if e.level > 1]
    numbers: list[int] = []
    for e in entries:
        m = re.search(re.escape(e.label) + r"\s+\u2013\s+page\s+(\d+)", first_page)
        assert m, f"contents entry missing: {e.label}"
        numbers.append(int(m.group(1)))
        on_page = pdftotext(r.path, "-f", m.group(1), "-l", m.group(1))
        assert sentences.normalise(e.title) in sentences.normalise(on_page)
    assert numbers == sorted(numbers)
    assert set(numbers) <= set(targets) and len(links) >= len(entries)


# ------------------------------------------------------------------ colour and paper


def test_helpline_box_is_reversed_black_on_white(pdfs: dict[int, Rendered]) -> None:
    with pdfplumber.open(pdfs[18].path) as pdf:
        page = pdf.pages[1]
        words = [c for c in page.chars if c.get("tag") != "Artifact"]
        text = "".join(c["text"] for c in words)
        start = text.index("Questions")
        box = words[start: start + len("Questions")]
        assert {tuple(c["non_stroking_color"]) for c in box} == {(1.0, 1.0, 1.0)}
        behind = [r for r in page.rects if r["non_stroking_color"] in ((0.0, 0.0, 0.0), (0,))
                  and r["x0"] <= box[0]["x0"] and r["bottom"] >= box[0]["bottom"]
                  and r["top"] <= box[0]["top"]]
        assert behind, "no dark box behind the helpline text"


def test_yellow_on_black_really_renders_yellow_on_black(out_dir: Path) -> None:
    result = run_fixture("minimal.md", out_dir, Options(scheme="yellow-on-black"))
    assert result.ok, result.error
    path = out_dir / "minimal-large-print-18pt-yellow-on-black.pdf"
    colours = {tuple(c["non_stroking_color"]) for _, c in chars(path)}
    assert colours == {(1.0, 1.0, 0.0)}
    ppm = subprocess.run(["pdftoppm", "-r", "10", "-f", "1", "-l", "1", str(path)],
                         check=True, capture_output=True).stdout
    header_end = ppm.index(b"255\n") + 4
    pixels = ppm[header_end:]
    dark = sum(1 for i in range(0, len(pixels) - 2, 3) if max(pixels[i:i + 3]) < 40)
    assert dark > 0.9 * len(pixels) / 3, "the page is not black"


def test_web_addresses_printed_after_link_text(out_dir: Path) -> None:
    result = run_fixture("web-link.md", out_dir)
    assert result.ok, result.error
    text = re.sub(r"\s+", "", pdftotext(out_dir / "web-link-large-print-18pt.pdf"))
    assert "NHSpageaboutstemcelltransplants(https://www.nhs.uk/conditions/stem-cell-" \
           "transplant/)" in text
    assert "tel:" not in text


# ------------------------------------------------------------------ reproducible


def test_byte_identical_under_source_date_epoch(pdfs: dict[int, Rendered], hsct_doc: Document,
                                                hsct_outline: Outline, styles: Styles,
                                                out_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    result, _ = _render(hsct_doc, hsct_outline, styles, out_dir, Options(size=18))
    assert result.ok, result.error
    again = out_dir / "hsct-large-print-18pt.pdf"
    assert again.read_bytes() == pdfs[18].path.read_bytes()
    with pikepdf.open(again) as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20231114221320Z"
        assert str(pdf.docinfo.ModDate) == "D:20231114221320Z"
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>" in xmp
        ids = {bytes(pdf.trailer.ID[0])}
    with pikepdf.open(pdfs[16].path) as other:
        ids.add(bytes(other.trailer.ID[0]))
    assert len(ids) == 2  # each size has its own identifier, derived from source and options


# ------------------------------------------------------------------ safe rendering


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "outside the folders"),
    ("http://169.254.169.254/latest/meta-data/", "never fetches from the network"),
    ("secret.txt", "outside the folders"),  # beside the source, but not a picture it shows
])
def test_fetcher_refusals_fail_the_job_and_write_nothing(tmp_path: Path, url: str,
                                                         reason: str) -> None:
    # The reader stops such references in a source; a project's own stylesheet can still
    # name them, and the render must stop there too.
    source = tmp_path / "page.md"
    shutil.copy(FIXTURES / "valid" / "minimal.md", source)
    (tmp_path / "secret.txt").write_text("not for print", encoding="utf-8")
    root = tmp_path / "styles"
    shutil.copytree(load_styles().root, root)
    with (root / "pdf.css").open("a", encoding="utf-8") as f:
        f.write(f'\nbody {{ background: url("{url}"); }}\n')
    out = tmp_path / "output"
    out.mkdir()
    result = run_job(JobSpec("pdf", Options()), read(source), load_styles(root), out, "page")
    assert not result.ok
    shown = (tmp_path / url).as_uri() if url == "secret.txt" else url
    assert f"refused to load {shown}" in (result.error or "")
    assert reason in (result.error or "")
    assert "Remove or replace this reference in the source or the styles" in (result.error or "")
    assert sorted(p.name for p in out.iterdir()) == []


def test_fetcher_allows_only_styles_and_fonts(tmp_path: Path, styles: Styles) -> None:
    from exporter.writers.pdf.fetcher import FetchRefused, SafeFetcher
    from exporter.writers.pdf.writer import font_folder

    fonts = font_folder(styles.font_package)
    fetcher = SafeFetcher([styles.root, fonts])
    css = (styles.root / "pdf.css").resolve()
    assert fetcher.fetch(css.as_uri()).read() == css.read_bytes()
    font = next(fonts.glob("*-Regular.ttf"))
    assert fetcher.fetch(font.as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    escape = tmp_path / "escape.css"
    escape.symlink_to("/etc/passwd")
    inside_link = styles.root.resolve() / ".." / "source" / "hsct.md"
    for url in ["file:///etc/passwd", f"file://{styles.root.resolve()}/../pyproject.toml",
                inside_link.as_uri(), escape.as_uri(), "https://example.org/a.png",
                "ftp://example.org/a.png", "data:text/plain,hello", "file://otherhost/etc/passwd",
                (styles.root.resolve() / "missing.css").as_uri()]:
        with pytest.raises(FetchRefused, match="refused to load"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 9


def test_render_past_time_limit_is_stopped(tmp_path: Path, out_dir: Path) -> None:
    root = tmp_path / "styles"
    shutil.copytree(load_styles().root, root)
    (root / "pdf.yaml").write_text("time_limit_seconds: 0.05\n", encoding="utf-8")
    result = run_fixture("many-sections.md", out_dir, styles=load_styles(root))
    assert not result.ok
    assert "time limit of 0.05 s" in (result.error or "")
    assert sorted(p.name for p in out_dir.iterdir()) == []
    assert multiprocessing.active_children() == []

