"""The shared markup as Chromium presents it: the accessibility tree a screen reader reads
(callouts named by their label, no landmarks inside the main text), callout boxes with even
space inside, and the EPUB's landmarks list kept off the page.

Needs Debian's chromium and the playwright package; without them these tests skip, except
under CI=true where they fail (as in test_service_browser).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from exporter.batch import export
from exporter.model import Callout, Document, walk_blocks
from tests.conftest import SOURCE
from tests.test_service_browser import CHROMIUM, FLAGS, require

#: Landmark roles as Chromium's accessibility tree names them.
LANDMARKS = {"banner", "complementary", "contentinfo", "form", "main", "navigation", "region",
             "search"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("markup-browser") / "output"
    results = export(SOURCE, out, ["html", "epub"], sizes=[18], jobs=1)
    assert all(r.ok for r in results), [r.error for r in results]
    book = out.parent / "book"
    with zipfile.ZipFile(out / "hsct.epub") as z:
        z.extractall(book)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright Python package is missing")
        raise
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        yield pg
    finally:
        pg.close()


def ax_tree(page: Any, url: str) -> list[dict[str, Any]]:
    """Chromium's full accessibility tree of a page (what a screen reader is given), as
    (role, name, ignored) records."""
    page.goto(url)
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [{"role": (n.get("role") or {}).get("value", ""),
             "name": (n.get("name") or {}).get("value", ""),
             "ignored": n.get("ignored", False)} for n in nodes]


def callout_labels(doc: Document) -> list[str]:
    return [b.label for b in walk_blocks(doc.blocks) if isinstance(b, Callout)]


def epub_pages(site: Path) -> list[Path]:
    return sorted((site.parent / "book" / "EPUB").glob("section-*.xhtml"))


def test_each_callout_is_named_by_its_label_in_the_accessibility_tree(
        page: Any, site: Path, hsct_doc: Document) -> None:
    tree = ax_tree(page, (site / "hsct.html").as_uri())
    notes = [n for n in tree if n["role"] == "note" and not n["ignored"]]
    assert [n["name"] for n in notes] == callout_labels(hsct_doc)
    # One landmark of each kind the page is built of: none inside the main text.
    landmarks = sorted(n["role"] for n in tree if n["role"] in LANDMARKS and not n["ignored"])
    assert landmarks == ["banner", "contentinfo", "main", "navigation"]


def test_epub_callouts_are_named_by_their_label_in_the_accessibility_tree(
        page: Any, site: Path, hsct_doc: Document) -> None:
    names: list[str] = []
    for path in epub_pages(site):
        tree = ax_tree(page, path.as_uri())
        names += [n["name"] for n in tree if n["role"] == "note" and not n["ignored"]]
        assert not [n for n in tree if n["role"] == "complementary" and not n["ignored"]], path
    assert names == callout_labels(hsct_doc)


def test_the_old_markup_is_what_the_tree_test_catches(page: Any, tmp_path: Path) -> None:
    # The markup readers met before: an aside named by its label and its first paragraph.
    old = tmp_path / "old.html"
    old.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
        '<aside class="callout" aria-labelledby="c c-text"><p id="c"><strong>Helpline'
        '</strong></p><p id="c-text">Call us on 0808 800 8000</p></aside></main></body></html>',
        encoding="utf-8")
    tree = ax_tree(page, old.as_uri())
    [aside] = [n for n in tree if n["role"] == "complementary"]
    assert aside["name"] == "Helpline Call us on 0808 800 8000"


def inner_space(page: Any, selector: str) -> list[dict[str, float]]:
    """For each box: the space between its border and its first and last blocks' edges."""
    script = """boxes => boxes.map(box => {
        const s = getComputedStyle(box);
        const r = box.getBoundingClientRect();
        const inner = {top: r.top + parseFloat(s.borderTopWidth),
                       bottom: r.bottom - parseFloat(s.borderBottomWidth),
                       left: r.left + parseFloat(s.borderLeftWidth),
                       right: r.right - parseFloat(s.borderRightWidth)};
        const first = box.firstElementChild.getBoundingClientRect();
        const last = box.lastElementChild.getBoundingClientRect();
        return {top: first.top - inner.top, bottom: inner.bottom - last.bottom,
                left: first.left - inner.left,
                right: inner.right - Math.max(...[...box.children].map(
                    c => c.getBoundingClientRect().right))};
    })"""
    found: list[dict[str, float]] = page.eval_on_selector_all(selector, script)
    return found


@pytest.mark.parametrize("which", ["html", "epub"])
def test_callouts_have_the_same_space_on_every_side(page: Any, site: Path, which: str) -> None:
    urls = [(site / "hsct.html").as_uri()] if which == "html" else \
        [p.as_uri() for p in epub_pages(site)]
    measured = []
    for url in urls:
        page.goto(url)
        measured += inner_space(page, ".callout")
    assert len(measured) == 6
    for box in measured:
        assert box["top"] > 5
        assert abs(box["top"] - box["bottom"]) < 1, box
        assert abs(box["top"] - box["left"]) < 1, box


def test_epub_landmarks_list_is_not_shown(page: Any, site: Path) -> None:
    page.goto((site.parent / "book" / "EPUB" / "nav.xhtml").as_uri())
    shown = page.evaluate("""() => [...document.querySelectorAll('nav')].map(n => (
        {type: n.getAttributeNS('http://www.idpf.org/2007/ops', 'type'),
         visible: n.getClientRects().length > 0}))""")
    assert shown == [{"type": "toc", "visible": True}, {"type": "landmarks", "visible": False},
                     {"type": "page-list", "visible": False}]


def entry_gaps(page: Any, selector: str) -> list[float]:
    """The vertical gaps between consecutive contents entries' lines of text."""
    tops: list[dict[str, float]] = page.eval_on_selector_all(selector, """links => links.map(
        a => { const r = a.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; })""")
    return [b["top"] - a["bottom"] for a, b in pairwise(tops)]


def test_contents_entries_are_evenly_spaced(page: Any, site: Path) -> None:
    page.goto((site / "hsct.html").as_uri())
    html = entry_gaps(page, "nav.contents a")
    page.goto((site.parent / "book" / "EPUB" / "nav.xhtml").as_uri())
    epub = entry_gaps(page, "nav#toc a")
    for gaps in (html, epub):
        assert len(gaps) >= 6
        assert max(gaps) - min(gaps) < 1, gaps  # a nested list adds no extra space
