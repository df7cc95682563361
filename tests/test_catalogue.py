"""The download page of a collection: pages grouped by subject, each with all its formats,
sizes, lengths and sizes on disk; a filter box; small enough at 500 pages."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from exporter.service.catalogue import FILTER_SCRIPT
from exporter.service.http import csp_for
from exporter.service.pages import render_index, write_index
from tests import large_collection
from tests.service_client import get

#: A generous ceiling for 500 pages of 19 files each (it is about 0.9 MB): the page must
#: stay something a phone on a slow connection can load.
MAX_BYTES_AT_500 = 1_200_000


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = large_collection.make(tmp_path_factory.mktemp("big") / "output")
    write_index(out)
    return out


@pytest.fixture(scope="module")
def tree(big: Path) -> lxml.html.HtmlElement:
    return lxml.html.parse(str(big / "index.html")).getroot()


def test_every_page_is_listed_once_under_its_subject(tree: lxml.html.HtmlElement) -> None:
    sections = tree.xpath("//section[@class='subject']")
    subjects = [s.xpath("h2")[0].text_content() for s in sections]
    expected = sorted(s for s in large_collection.SUBJECTS if s)
    assert subjects == [*expected, "Other pages"]  # pages with no subject come last
    pages = tree.xpath("//li[@class='page']")
    assert len(pages) == 500
    for section in sections:
        titles = [h.text_content() for h in section.xpath(".//li[@class='page']/h3")]
        assert titles == sorted(titles, key=str.casefold)
    ids = [e.get("id") for e in tree.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_each_page_has_all_its_formats_sizes_lengths_and_sizes_on_disk(
        tree: lxml.html.HtmlElement) -> None:
    first = tree.xpath("//li[@class='page']")[0]
    name = first.get("data-find").split()[-1]
    hrefs = {a.get("href") for a in first.xpath(".//details//a")}
    expected = {str(e["file"]) for e in large_collection.page_files(name, 0)
                if "track" not in str(e["facts"])}
    assert hrefs == expected
    lines = [" ".join(li.text_content().split()) for li in first.xpath(".//details//li")]
    pdf = next(line for line in lines if line.startswith("Large print PDF"))
    assert "16 point" in pdf and "24 point" in pdf and "13 pages" in pdf and "kB" in pdf
    audio = next(line for line in lines if "MP3" in line)
    assert "minutes" in audio and "7 separate tracks" in audio and "MB" in audio
    summary = first.xpath(".//details/summary")[0].text_content()
    assert summary.startswith("13 files: ")


def test_a_page_in_another_language_is_marked(tree: lxml.html.HtmlElement) -> None:
    titles = tree.xpath("//li[@class='page']/h3")
    welsh = [h for h in titles if h.text_content().startswith("Blinder")]
    assert welsh and all(h.get("lang") == "cy" for h in welsh)


def test_the_static_page_is_a_plain_list_until_its_script_shows_the_filter(
        big: Path, tree: lxml.html.HtmlElement) -> None:
    (form,) = tree.xpath("//form[@class='filter']")
    assert form.get("hidden") is not None and form.get("role") == "search"
    assert tree.xpath("//label[@for='filter']")
    assert tree.xpath("//*[@id='filter-status'][@role='status']")
    scripts = re.findall(r"<script>(.*?)</script>", (big / "index.html").read_text(),
                         re.DOTALL)
    assert scripts == [FILTER_SCRIPT]


def test_the_page_stays_small_at_500_pages(big: Path) -> None:
    size = (big / "index.html").stat().st_size
    assert size < MAX_BYTES_AT_500, f"{size:,} bytes"


def test_the_service_filters_without_javascript_and_names_its_script_in_the_policy(
        big: Path, tmp_path: Path) -> None:
    from exporter.service.app import create_app

    app = create_app(big, None, tmp_path / "cache", writers=["html"])
    page = get(app, "/", params={"q": "Vitamin  D"})
    assert page.status_code == 200
    found = lxml.html.fromstring(page.text)
    titles = [h.text_content() for h in found.xpath("//li[@class='page']/h3")]
    assert len(titles) == 34 and all("vitamin D" in t for t in titles)  # 4, 19 ... 499
    assert f"Showing {len(titles)} of 500 pages." in page.text
    assert found.xpath("//form[@class='filter']")[0].get("hidden") is None  # the server answers it
    policy = page.headers["content-security-policy"]
    assert csp_for(page.text) == policy and "script-src 'sha256-" in policy
    nothing = get(app, "/", params={"q": "zebra"})
    assert "No page matches \u201czebra\u201d." in nothing.text
    # The request form asks which page, grouped by subject.
    form = found.xpath("//form[@class='request']//select[@id='page']")[0]
    assert len(form.xpath(".//option")) == 501 and form.xpath(".//optgroup")


def test_one_page_keeps_the_single_page_download_page(tmp_path: Path) -> None:
    out = large_collection.make(tmp_path / "output", pages=1)
    html = render_index(out)
    assert "<script>" not in html and 'class="filter"' not in html
    assert "Living with fatigue: part 0: formats to download" in html
