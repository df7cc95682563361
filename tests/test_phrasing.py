"""Sentence runs: cut where exporter.sentences cuts, keeping every character and the markup."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exporter import phrasing
from exporter.model import Code, Emphasis, Image, Inline, LineBreak, Link, NoteRef, Strong, Text
from exporter.model import plain_text as text_of
from exporter.sentences import split

WORDS = st.sampled_from(["word", "MS", "0808 800 8000", "e.g.", "3.5", "Why?", "No!", "end.",
                         "‘quoted’", "  ", " ", ". ", "? ", "!\n", "…"])
TEXT = st.lists(WORDS, min_size=1, max_size=8).map("".join)


def inline(depth: int = 0) -> st.SearchStrategy[Inline]:
    leaves: st.SearchStrategy[Inline] = st.one_of(
        TEXT.map(Text), TEXT.map(Code), st.just(NoteRef("a", 1)), st.just(LineBreak()),
        st.just(Image("a.png", "A picture. Of two things.")))
    if depth >= 2:
        return leaves
    runs = st.lists(inline(depth + 1), min_size=1, max_size=3).map(tuple)
    return st.one_of(leaves, runs.map(Emphasis), runs.map(Strong),
                     runs.map(lambda c: Link("https://example.org/", c)))


RUNS = st.lists(inline(), min_size=1, max_size=5).map(tuple)


@given(RUNS)
def test_pieces_keep_every_character_in_order(run: tuple[Inline, ...]) -> None:
    pieces = phrasing.sentence_runs(run)
    assert "".join(text_of(p.run) + p.gap for p in pieces) == text_of(run)


@given(RUNS)
def test_every_sentence_the_checks_find_lies_in_one_piece(run: tuple[Inline, ...]) -> None:
    # A piece is one sentence of sentences.split, or several where a boundary falls in an
    # image's alt text or a line break (which are never cut): never part of one.
    pieces = [" ".join(split(text_of(p.run))) for p in phrasing.sentence_runs(run)]
    for sentence in split(text_of(run)):
        assert any(sentence in piece for piece in pieces), (sentence, pieces)


@given(RUNS)
def test_note_markers_are_kept_once(run: tuple[Inline, ...]) -> None:
    def count(nodes: tuple[Inline, ...]) -> int:
        return sum(1 if isinstance(n, NoteRef) else
                   count(n.children) if isinstance(n, Emphasis | Strong | Link) else 0
                   for n in nodes)

    assert sum(count(p.run) for p in phrasing.sentence_runs(run)) == count(run)


def test_a_boundary_inside_emphasis_splits_it_in_two_of_the_same_kind() -> None:
    run = (Text("Rest. "), Strong((Text("Then walk. Then rest"),)), Text(" again."))
    pieces = phrasing.sentence_runs(run)
    assert [p.run for p in pieces] == [
        (Text("Rest."),),
        (Strong((Text("Then walk."),)),),
        (Strong((Text("Then rest"),)), Text(" again.")),
    ]
    assert [p.gap for p in pieces] == [" ", " ", ""]


def test_a_note_marker_stays_with_the_sentence_it_ends() -> None:
    run = (Text("It is common."), NoteRef("a", 1), Text(" It passes."))
    first, second = phrasing.sentence_runs(run)
    assert first.run == (Text("It is common."), NoteRef("a", 1))
    assert second.run == (Text("It passes."),)


def test_split_at_an_offset_for_a_page_break() -> None:
    run = (Text("Questions about "), Link("tel:1", (Text("0808 800"),)), Text(" today."))
    head, tail = phrasing.split_at(run, 20)
    assert text_of(head) == "Questions about 0808"
    assert text_of(tail) == " 800 today."
    assert isinstance(head[1], Link) and isinstance(tail[0], Link)
