"""A collection: pages found from files and folders, and links between pages resolved or refused
with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.collection import (
    CollectionError,
    find_sources,
    links_key,
    page_targets,
    read_page,
)
from exporter.links import link_target, page_reference, page_references
from exporter.locale import messages
from exporter.model import Document, Link, iter_inlines
from exporter.reader import ReadOptions, SourceError, read

FRONT = "---\ntitle: {title}\nlanguage: {language}\n{extra}---\n\n# {title}\n\n"


def page(folder: Path, name: str, body: str, *, title: str = "", language: str = "en-GB",
         base_url: str = "https://www.example.org/help/") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = f"base_url: {base_url}\n" if base_url else ""
    path.write_text(FRONT.format(title=title or path.stem.replace("-", " ").capitalize(),
                                 language=language, extra=extra) + body, encoding="utf-8")
    return path


def links(doc: Document) -> list[Link]:
    blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
    return [n for n in iter_inlines(blocks) if isinstance(n, Link)]


# ---------------------------------------------------------------- finding pages


def test_a_folder_means_every_page_under_it_sorted(tmp_path: Path) -> None:
    for name in ("b.md", "a.md", "topic/c.md", ".hidden/d.md", "topic/.e.md", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = find_sources([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.md", "b.md", "topic/c.md"]
    # Files keep the order given; a page named twice is built once.
    again = find_sources([tmp_path / "b.md", tmp_path, tmp_path / "b.md"])
    assert [p.name for p in again] == ["b.md", "a.md", "c.md"]


def test_two_pages_with_one_name_are_refused_naming_both(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "fatigue.md").write_text("x", encoding="utf-8")
    (tmp_path / "two" / "Fatigue.md").write_text("x", encoding="utf-8")
    with pytest.raises(CollectionError) as err:
        find_sources([tmp_path])
    (problem,) = err.value.problems
    assert str(tmp_path / "one" / "fatigue.md") in problem
    assert str(tmp_path / "two" / "Fatigue.md") in problem
    assert "two pages named" in problem


def test_a_page_cannot_take_the_download_pages_name(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("x", encoding="utf-8")
    with pytest.raises(CollectionError, match=r"index\.md: a page cannot be called 'index'"):
        find_sources([tmp_path])


def test_an_empty_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="no Markdown pages"):
        find_sources([tmp_path])


# ---------------------------------------------------------------- links between pages


@pytest.fixture
def site(tmp_path: Path) -> Path:
    page(tmp_path, "fatigue.md", "Fatigue is common.\n\n## Tips\n\nRest often.\n\n"
         "## Why does it happen?\n\nNobody knows for sure.\n", title="Fatigue and MS")
    page(tmp_path, "work/rights.md", "Know your rights.\n\n## Adjustments\n\nAsk for them.\n",
         title="Your rights at work", base_url="")
    return tmp_path


def test_a_link_to_another_page_leads_to_its_file_in_html_and_its_address_elsewhere(
        site: Path) -> None:
    source = page(site, "guide.md", "Read [our tips](fatigue.md#tips) and "
                  "[rights](work/rights.md#adjustments).\n")
    doc = read_page(source, ReadOptions())
    to_fatigue, to_rights = links(doc)
    assert link_target(to_fatigue, "html") == "fatigue.html#tips"
    assert link_target(to_fatigue, "ebook") == "https://www.example.org/help/fatigue.html#tips"
    assert link_target(to_fatigue, "print") == "https://www.example.org/help/fatigue.html#tips"
    words = messages("en-GB")
    assert page_reference(to_fatigue, words) == \
        "see: Fatigue and MS, https://www.example.org/help/fatigue.html#tips"
    # The rights page has no base_url: HTML still links to its file, print names it only,
    # and the export is told so (no address is made up).
    assert link_target(to_rights, "html") == "rights.html#adjustments"
    assert link_target(to_rights, "print") == ""
    assert page_reference(to_rights, words) == "see: Your rights at work"
    assert any("guide.md:" in w and "no base_url" in w for w in doc.warnings)


def test_print_words_come_from_the_pages_language(site: Path) -> None:
    source = page(site, "canllaw.md", "Darllenwch [ein cyngor](fatigue.md).\n",
                  title="Canllaw", language="cy")
    (link,) = links(read_page(source, ReadOptions()))
    assert page_reference(link, messages("cy")).startswith("gweler: Fatigue and MS, https://")


def test_the_title_is_not_repeated_when_it_is_the_links_text(site: Path) -> None:
    source = page(site, "guide.md", "See [Fatigue and MS](fatigue.md).\n")
    (link,) = links(read_page(source, ReadOptions()))
    assert page_reference(link, messages("en")) == \
        "see: https://www.example.org/help/fatigue.html"


def test_github_style_section_ids_and_links_to_the_page_itself(site: Path) -> None:
    source = page(site, "guide.md", "See [why](fatigue.md#why-does-it-happen?) and "
                  "[the next part](guide.md#more).\n\n## More\n\nMore text.\n")
    source.write_text(source.read_text(encoding="utf-8").replace(
        "#why-does-it-happen?", "#why-does-it-happen"), encoding="utf-8")
    doc = read_page(source, ReadOptions())
    why, more = links(doc)
    assert why.page is not None and why.page.fragment == "why-does-it-happen"
    assert more.page is None and more.href == "#more"  # a link within the page


@pytest.mark.parametrize(("target", "message"), [
    ("absent.md", r"guide\.md:9: link to the page 'absent\.md', but there is no such file"),
    ("fatigue.md#nowhere", r"guide\.md:9: link to 'fatigue\.md#nowhere', but the page "
                           r"'Fatigue and MS' has no section with the id 'nowhere'"),
    ("/help/fatigue.md", r"guide\.md:9: link to the page '/help/fatigue\.md': write its file "
                         r"name relative to this page"),
])
def test_a_link_to_a_missing_page_or_section_is_an_error_naming_file_and_line(
        site: Path, target: str, message: str) -> None:
    source = page(site, "guide.md", f"Read [this]({target}).\n")
    with pytest.raises(SourceError, match=message):
        read_page(source, ReadOptions())


def test_a_page_with_problems_of_its_own_cannot_be_linked_to(site: Path) -> None:
    (site / "broken.md").write_text("no front matter\n", encoding="utf-8")
    source = page(site, "guide.md", "Read [this](broken.md).\n")
    with pytest.raises(SourceError, match=r"guide\.md:9: .*has problems of its own"):
        read_page(source, ReadOptions())


def test_only_md_files_are_pages(site: Path) -> None:
    page(site, "Extra.MD", "More.\n", title="Extra")
    source = page(site, "guide.md", "A [form](forms/claim.pdf) and [a page](Extra.MD).\n")
    doc = read_page(source, ReadOptions())
    form, other = links(doc)
    assert form.page is None and form.href == "https://www.example.org/help/forms/claim.pdf"
    assert other.page is not None and link_target(other) == "Extra.html"


def test_read_alone_a_page_link_leads_nowhere_until_resolved(site: Path) -> None:
    source = page(site, "guide.md", "Read [tips](fatigue.md#tips).\n")
    (link,) = links(read(source))
    assert link.page is not None and link.page.path == "fatigue.md" and not link.page.name
    assert link_target(link, "html") == "" and page_reference(link, messages("en")) == ""


def test_what_a_page_shows_of_the_pages_it_links_to_is_in_its_key(site: Path) -> None:
    source = page(site, "guide.md", "Read [tips](fatigue.md#tips).\n")
    before = links_key(read_page(source, ReadOptions()))
    unchanged = links_key(read_page(source, ReadOptions()))
    (site / "fatigue.md").write_text((site / "fatigue.md").read_text(encoding="utf-8").replace(
        "title: Fatigue and MS", "title: MS fatigue"), encoding="utf-8")
    after = read_page(source, ReadOptions())
    assert before == unchanged and links_key(after) != before
    assert page_references(after) == ["see: MS fatigue, https://www.example.org/help/"
                                      "fatigue.html#tips"]
    assert [t.path for t in page_targets(after)] == ["fatigue.md"]
