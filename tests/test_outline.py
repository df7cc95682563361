"""The outline: ids, numbering and nesting, on the real source and on generated sources."""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from exporter import sentences
from exporter.model import Document
from exporter.outline import Outline, slugify
from exporter.page import page
from exporter.reader import parse
from tests.conftest import FIXTURES

HEADER = (
    "---\ntitle: Generated\nlanguage: en-GB\npublisher: P\nhelpline: \"0800 000 0000\"\n"
    "summary: A generated document.\n---\n\n# Generated\n\nIntro paragraph.\n"
)
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=10)
SENTENCE = st.lists(WORD, min_size=1, max_size=8).map(lambda ws: " ".join(ws) + ".")


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[int], list[str]]:
    """A source whose heading levels never skip, with a paragraph under each heading."""
    count = draw(st.integers(min_value=0, max_value=12))
    levels, level = [], 1
    for _ in range(count):
        level = draw(st.integers(min_value=2, max_value=min(level + 1, 5)))
        levels.append(level)
    titles = [draw(st.sampled_from(["Overview", "Risks", "Results"]) | WORD) for _ in levels]
    paragraphs = [draw(SENTENCE) for _ in levels]
    body = "".join(
        f"\n{'#' * lv} {t}\n\n{p}\n" for lv, t, p in zip(levels, titles, paragraphs, strict=True)
    )
    return HEADER + body, levels, paragraphs


def test_hsct_outline(hsct_outline: Outline) -> None:
    got = [(e.level, e.number, e.id) for e in hsct_outline]
    assert got == [
        (1, "", "hsct-haematopoietic-stem-cell-transplantation"),
        (2, "1", "who-can-hsct-work-for"),
        (2, "2", "how-does-hsct-work"),
        (2, "3", "how-well-does-hsct-work"),
        (3, "3.1", "relapsing-ms"),
        (3, "3.2", "progressive-ms"),
        (2, "4", "what-are-the-side-effects-of-hsct"),
        (2, "5", "getting-hsct-and-the-ms-society"),
    ]
    assert hsct_outline.as_tree()[0][1][2] == (
        "How well does HSCT work?", [("Relapsing MS", []), ("Progressive MS", [])]
    )


def test_chunks_split_at_sections(hsct_doc: Document, hsct_outline: Outline) -> None:
    chunks = hsct_outline.chunks(hsct_doc, depth=2)
    assert [c.entry.number for c in chunks] == ["", "1", "2", "3", "4", "5"]
    assert sum(len(c.blocks) for c in chunks) == len(hsct_doc.blocks)


def test_repeated_titles_get_distinct_stable_ids() -> None:
    doc = parse((FIXTURES / "valid" / "many-sections.md").read_bytes())
    ids = [e.id for e in doc.outline]
    assert ids[1:3] == ["overview", "overview-2"]
    assert ids == [e.id for e in doc.outline]  # stable


def test_slugify() -> None:
    assert slugify("Who can HSCT work for?") == "who-can-hsct-work-for"
    assert slugify("Café – über") == "cafe-uber"
    assert slugify("???") == "section"


@settings(max_examples=60, deadline=None)
@given(documents())
def test_generated_outline_properties(case: tuple[str, list[int], list[str]]) -> None:
    source, levels, paragraphs = case
    doc = parse(source.encode())
    outline = doc.outline
    ids = [e.id for e in outline]
    assert len(ids) == len(set(ids)), "ids are unique"
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    got_levels = [e.level for e in outline]
    assert got_levels == [1, *levels]
    assert all(b <= a + 1 for a, b in itertools.pairwise(got_levels))
    for e in outline:
        if e.parent is not None:
            parent = outline.entries[e.parent]
            assert parent.level == e.level - 1
            assert e.number.startswith(parent.number + ".") or parent.level == 1
    # every paragraph of the generated source reaches the HTML, in order
    html = page(doc, outline, css="")
    text = re.sub(r"<[^>]+>", "", html)
    assert sentences.missing_in_order(paragraphs, text) == []


def test_slugs_keep_letters_that_do_not_decompose() -> None:
    assert slugify("Prawo do tłumacza") == "prawo-do-tlumacza"
    assert slugify("Straße und Øre") == "strasse-und-ore"
