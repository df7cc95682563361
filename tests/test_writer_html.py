"""The accessible HTML writer, read back as a user's browser and screen reader would."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exporter import sentences
from exporter.model import Callout, Document, Figure, Table, plain_text
from exporter.outline import Outline
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.conftest import FIXTURES, SOURCE

XHTML = "{http://www.w3.org/1999/xhtml}"


class _Text(HTMLParser):
    """Visible text of a page, as a screen reader would read it (no head, no style)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script"):
            self.hidden += 1
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "aside", "nav"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "".join(parser.parts)


@pytest.fixture(scope="module")
def hsct_html(tmp_path_factory: pytest.TempPathFactory, styles: Styles) -> str:
    doc = read(SOURCE)

    out = tmp_path_factory.mktemp("html")
    result = run_job(JobSpec("html", Options()), doc, styles, out,
                     "hsct")
    assert result.ok, result.error
    assert [e["file"] for e in result.entries] == ["hsct.html"]
    return (out / "hsct.html").read_text(encoding="utf-8")


def test_every_sentence_of_the_page_in_order(hsct_html: str, hsct_sentences: list[str]) -> None:
    assert sentences.missing_in_order(hsct_sentences, visible_text(hsct_html)) == []


def test_well_formed_with_language_and_title(hsct_html: str, hsct_doc: Document) -> None:
    root = ET.fromstring(hsct_html.split("\n", 1)[1])  # after the doctype
    assert root.get("lang") == "en-GB"
    assert root.findtext(f"{XHTML}head/{XHTML}title") == hsct_doc.meta.title


def test_headings_equal_the_outline(hsct_html: str, hsct_outline: Outline) -> None:
    root = ET.fromstring(hsct_html.split("\n", 1)[1])
    found = [
        (int(el.tag[-1]), el.get("id"), "".join(el.itertext()))
        for el in root.iter()
        if el.tag in {f"{XHTML}h{n}" for n in range(1, 7)}
    ]
    assert found == [(e.level, e.id, e.label) for e in hsct_outline]


def test_skip_link_contents_and_landmarks(hsct_html: str, hsct_outline: Outline) -> None:
    root = ET.fromstring(hsct_html.split("\n", 1)[1])
    body = root.find(f"{XHTML}body")
    assert body is not None
    first_link = body.find(f".//{XHTML}a")
    assert first_link is not None and first_link.get("href") == "#main"
    assert root.find(f".//{XHTML}main[@id='main']") is not None
    nav = root.find(f".//{XHTML}nav")
    assert nav is not None and nav.get("aria-labelledby") == "contents-label"
    targets = [a.get("href") for a in nav.iter(f"{XHTML}a")]
    assert targets == [f"#{e.id}" for e in hsct_outline if e.level > 1]
    assert root.find(f".//{XHTML}footer") is not None


def test_callouts_are_notes_named_by_their_label(hsct_html: str, hsct_doc: Document) -> None:
    root = ET.fromstring(hsct_html.split("\n", 1)[1])
    asides = list(root.iter(f"{XHTML}aside"))
    labels = [b.label for b in hsct_doc.blocks if isinstance(b, Callout)]
    assert len(asides) == len(labels) == 6
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    for aside, label in zip(asides, labels, strict=True):
        # A note, not a complementary landmark inside <main>; named by its label alone.
        assert aside.get("role") == "note"
        [ref] = (aside.get("aria-labelledby") or "").split()
        assert "".join(by_id[ref].itertext()) == label
    helpline = asides[0]
    assert "Helpline" in "".join(helpline.itertext())
    link = helpline.find(f".//{XHTML}a")
    assert link is not None and link.get("href") == "tel:+448088008000"


def test_self_contained_and_safe(hsct_html: str) -> None:
    for forbidden in ("<script", "<link ", "<img", "@import", "url("):
        assert forbidden not in hsct_html
    assert '<span class="nowrap">0808 800 8000</span>' in hsct_html
    # A hyphenated word is one item too: no line break at its hyphen, the text unchanged.
    assert 'coronavirus <span class="nowrap">COVID-19</span>' in hsct_html


def test_missing_values_print_nothing(hsct_html: str) -> None:
    # The source's update date is unknown: no "last updated" line, and no invented date.
    assert "last updated" not in hsct_html.lower()
    assert "None" not in visible_text(hsct_html)


def test_hsct_html_golden(hsct_html: str, golden: Callable[[str, str], None]) -> None:
    golden("hsct.html", hsct_html)


@pytest.mark.parametrize("path", sorted((FIXTURES / "valid").glob("*.md")), ids=lambda p: p.name)
def test_fixture_documents(path: Path, tmp_path: Path, styles: Styles) -> None:
    doc = read(path)
    result = run_job(JobSpec("html", Options()), doc, styles,
                     tmp_path, path.stem)
    assert result.ok, result.error
    text = visible_text((tmp_path / f"{path.stem}.html").read_text(encoding="utf-8"))
    assert sentences.missing_in_order(sentences.of_blocks(doc.blocks), text) == []
    if doc.meta.updated:
        assert "We last updated this page on 5 March 2024." in text


# ---------------------------------------------------------------- every structure, read back

MARKUP = FIXTURES / "markup"
X = XHTML


@pytest.fixture(scope="module")
def structures(tmp_path_factory: pytest.TempPathFactory, styles: Styles) -> dict[str, Path]:
    """The HTML page of each fixture with every structure (one of them Welsh)."""
    out = tmp_path_factory.mktemp("structures")
    pages = {}
    for source in sorted(MARKUP.glob("*.md")):
        result = run_job(JobSpec("html", Options()), read(source), styles, out, source.stem)
        assert result.ok, f"{result.error}\n{result.detail}"
        pages[source.stem] = out / f"{source.stem}.html"
    return pages


def xml_of(path: Path) -> ET.Element:
    return ET.fromstring(path.read_text(encoding="utf-8").split("\n", 1)[1])


def text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def test_structures_read_back(structures: dict[str, Path]) -> None:
    doc = read(MARKUP / "every-structure.md")
    root = xml_of(structures["every-structure"])
    tables = list(root.iter(f"{X}table"))
    source_tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == len(source_tables) == 2
    for table, want in zip(tables, source_tables, strict=True):
        caption = table.find(f"{X}caption")
        assert caption is not None and text(caption) == plain_text(want.caption)
        heads = table.findall(f"{X}thead/{X}tr/{X}th")
        assert [(th.get("scope"), text(th)) for th in heads] == [
            ("col", plain_text(c.children)) for c in want.header]
        rows = [[text(td) for td in tr] for tr in table.findall(f"{X}tbody/{X}tr")]
        assert rows == [[plain_text(c.children) for c in row] for row in want.rows]
    assert all(el.get("style") is None for el in root.iter())  # alignment is by class
    # The picture is embedded, with its alt text, its size and its caption.
    figure = next(f for f in root.iter(f"{X}figure") if f.find(f"{X}img") is not None)
    img, caption = figure.find(f"{X}img"), figure.find(f"{X}figcaption")
    fig = next(b for b in doc.blocks if isinstance(b, Figure))
    assert img is not None and caption is not None
    assert img.get("alt") == fig.image.alt and text(caption) == plain_text(fig.caption)
    assert (img.get("width"), img.get("height")) == ("120", "80")
    src = img.get("src") or ""
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == (MARKUP / "bar-chart.png").read_bytes()
    # The quotation with its attribution; the one without stands alone.
    quotes = list(root.iter(f"{X}blockquote"))
    assert len(quotes) == 2
    attributed = next(f for f in root.iter(f"{X}figure") if f.find(f"{X}blockquote") is not None)
    cite = attributed.find(f"{X}figcaption")
    assert cite is not None and text(cite) == "— Ann, Cardiff"
    dl = root.find(f".//{X}dl")
    assert dl is not None and [(c.tag[len(X):], text(c)) for c in dl] == [
        ("dt", "Fatigue"), ("dd", "A tiredness that rest does not take away."),
        ("dt", "Lassitude"), ("dd", "Another word for MS fatigue."),
        ("dd", "Doctors use it in letters.")]
    code = root.find(f".//{X}pre/{X}code")
    assert code is not None and code.text == ("2024-03-05 energy 3/5: walked to the shop, "
                                              "rested after lunch")
    assert len(list(root.iter(f"{X}hr"))) == 1
    addresses = [a for a in root.iter(f"{X}a") if "address" in (a.get("class") or "").split()]
    assert [(a.get("href"), text(a)) for a in addresses] == [
        ("https://www.mssociety.org.uk/fatigue", "https://www.mssociety.org.uk/fatigue"),
        ("mailto:helpline@mssociety.org.uk", "helpline@mssociety.org.uk")]


def test_note_markers_and_notes_link_both_ways(structures: dict[str, Path]) -> None:
    doc = read(MARKUP / "every-structure.md")
    root = xml_of(structures["every-structure"])
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    refs = [a for a in root.iter(f"{X}a") if a.get("role") == "doc-noteref"]
    assert [text(a) for a in refs] == ["[1]", "[2]", "[1]"]
    assert [a.get("aria-label") for a in refs] == ["Note 1", "Note 2", "Note 1"]
    part = root.find(f".//{X}section[@role='doc-endnotes']")
    assert part is not None
    label = by_id[part.get("aria-labelledby")]
    assert text(label) == "Notes" and label.tag == f"{X}p"  # labelled, not a heading
    items = part.findall(f"{X}ol/{X}li")
    assert [li.get("value") for li in items] == ["1", "2"]
    for a in refs:
        target = by_id[(a.get("href") or "")[1:]]
        assert target in items and target.get("value") == text(a).strip("[]")
    for item, note in zip(items, doc.notes, strict=True):
        back = [a for a in item.iter(f"{X}a") if a.get("role") == "doc-backlink"]
        assert len(back) == 1 and text(back[0]) == f"Back to the text of note {note.number}"
        marker = by_id[(back[0].get("href") or "")[1:]]
        assert marker in refs and text(marker) == f"[{note.number}]"
        assert sentences.missing_in_order(sentences.of_blocks(note.blocks), text(item)) == []
    # Notes come after the main text, inside <main>, before the footer.
    main = root.find(f".//{X}main")
    assert main is not None and list(main)[-1] is part


def test_welsh_page_speaks_welsh(structures: dict[str, Path]) -> None:
    html = structures["welsh-page"].read_text(encoding="utf-8")
    root = xml_of(structures["welsh-page"])
    assert root.get("lang") == "cy-GB"
    shown = visible_text(html)
    for words in ("Neidio i'r prif gynnwys", "Cynnwys", "Nodiadau", "Yn ôl at destun nodyn 1",
                  "Cyhoeddwyd gan Cymdeithas MS Cymru.",
                  "Diweddarwyd y dudalen hon ddiwethaf ar 5 Mawrth 2024."):
        assert words in shown
    for english in ("Skip to", "Contents", "Notes", "Back to", "Published by", "updated"):
        assert english not in shown
    assert 'aria-label="Nodyn 1"' in html


def test_every_structure_page_is_self_contained(structures: dict[str, Path]) -> None:
    for path in structures.values():
        html = path.read_text(encoding="utf-8")
        for forbidden in ("<script", "<link ", "@import", "url(", 'src="http', 'src="bar'):
            assert forbidden not in html
        assert all((img.get("src") or "").startswith("data:image/")
                   for img in xml_of(path).iter(f"{X}img"))


# ---------------------------------------------------------------- in a browser, with axe-core


def test_every_structure_page_has_no_axe_violations_and_reflows(
        structures: dict[str, Path]) -> None:
    from tests.test_service_browser import (
        AXE,
        CHROMIUM,
        FLAGS,
        assert_accessible,
        assert_reflows,
        require,
    )

    require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}")
    require(AXE.is_file(), f"axe-core is not installed at {AXE}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is missing")
        raise
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            pg = browser.new_page()
            for path in structures.values():
                url = path.as_uri()
                # 320 CSS pixels (400% zoom): the wide table scrolls in its box, not the page.
                assert_reflows(pg, url)
                pg.goto(url)
                assert_accessible(pg)
        finally:
            browser.close()
