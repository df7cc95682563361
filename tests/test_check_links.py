"""Links between the pages of a collection, checked from the web pages in the output folder:
a link to a file that is not there, or to a section the file lacks, is a failing finding."""

from __future__ import annotations

from pathlib import Path

from exporter.checks.links import check_links


def _page(path: Path, body: str) -> None:
    path.write_text(f'<!DOCTYPE html><html lang="en-GB"><head><title>t</title></head>'
                    f'<body><main>{body}</main></body></html>', encoding="utf-8")


def _entries(*names: str) -> list[dict[str, str]]:
    return [{"file": n, "format": "html"} for n in names]


def test_links_to_listed_pages_and_their_sections_pass(tmp_path: Path) -> None:
    _page(tmp_path / "a.html", '<a href="b.html#tips">Tips</a> <a href="#top">Top</a>'
          ' <a href="https://example.org/x.html">elsewhere</a>')
    _page(tmp_path / "b.html", '<h2 id="tips">Tips</h2>')
    found = {f.file: f for f in check_links(tmp_path, _entries("a.html", "b.html"))}
    assert found["a.html"].ok and found["a.html"].detail.startswith("1 link to other pages")
    assert found["b.html"].ok and "no links" in found["b.html"].detail


def test_a_link_to_a_missing_section_or_page_names_both(tmp_path: Path) -> None:
    _page(tmp_path / "a.html", '<a href="b.html#gone">Tips</a> <a href="c.html">C</a>')
    _page(tmp_path / "b.html", '<h2 id="tips">Tips</h2>')
    (found,) = [f for f in check_links(tmp_path, _entries("a.html", "b.html"))
                if f.file == "a.html"]
    assert not found.ok
    assert "link to 'b.html#gone', but b.html has no section 'gone'" in found.detail
    assert "link to 'c.html', but c.html is not in" in found.detail


def test_a_page_exported_alone_may_link_to_neighbours_published_elsewhere(
        tmp_path: Path) -> None:
    _page(tmp_path / "a.html", '<a href="neighbour.html#part">Next</a>')
    (found,) = check_links(tmp_path, _entries("a.html"))
    assert found.ok
