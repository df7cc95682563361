"""The accessible HTML writer, read back as a user's browser and screen reader would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exporter import sentences
from exporter.model import Document
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
    assert found == [(e.level, e.id, e.title) for e in hsct_outline]


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


def test_callouts_are_labelled_regions(hsct_html: str) -> None:
    root = ET.fromstring(hsct_html.split("\n", 1)[1])
    asides = list(root.iter(f"{XHTML}aside"))
    assert len(asides) == 6
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    names = []
    for aside in asides:
        refs = (aside.get("aria-labelledby") or "").split()
        assert refs and set(refs) <= ids
        names.append(" ".join("".join(by_id[r].itertext()) for r in refs))
    assert len(set(names)) == len(names), "each region has its own name"
    helpline = asides[0]
    assert "Helpline" in "".join(helpline.itertext())
    link = helpline.find(f".//{XHTML}a")
    assert link is not None and link.get("href") == "tel:+448088008000"


def test_self_contained_and_safe(hsct_html: str) -> None:
    for forbidden in ("<script", "<link ", "<img", "@import", "url("):
        assert forbidden not in hsct_html
    assert '<span class="nowrap">0808 800 8000</span>' in hsct_html


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
