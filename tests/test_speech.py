"""The speech script: sections, lists, callouts, phone numbers, lexicon, announcements."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from exporter import speech
from exporter.model import Document
from exporter.outline import Outline
from exporter.sentences import missing_in_order
from exporter.styles import Styles


@pytest.fixture(scope="module")
def voice(styles: Styles) -> speech.Voice:
    return speech.voice_from_styles(styles)


@pytest.fixture(scope="module")
def tracks(hsct_doc: Document, hsct_outline: Outline,
           voice: speech.Voice) -> tuple[speech.Track, ...]:
    return speech.body_tracks(hsct_doc, hsct_outline, voice)


def spoken(tracks: tuple[speech.Track, ...]) -> str:
    return "\n".join(s.spoken for t in tracks for s in t.segments)


def test_one_track_per_outline_entry_in_order(tracks: tuple[speech.Track, ...],
                                              hsct_outline: Outline) -> None:
    assert [t.entry.title for t in tracks] == [e.title for e in hsct_outline]
    assert [t.number for t in tracks] == list(range(1, len(hsct_outline) + 1))


def test_sections_introduced_by_number_and_heading(tracks: tuple[speech.Track, ...]) -> None:
    for t in tracks[1:]:
        first = t.segments[0]
        assert first.kind == "heading"
        assert first.text == f"Section {t.entry.number}: {t.entry.title}"


def test_contents_list_names_every_section(tracks: tuple[speech.Track, ...],
                                           hsct_outline: Outline) -> None:
    texts = [s.text for s in tracks[0].segments]
    assert texts[0] == "Contents."
    labels = [f"Section {e.number}: {e.title}" for e in hsct_outline if e.number]
    assert texts[1 : 1 + len(labels)] == labels


def test_every_source_sentence_in_written_form(tracks: tuple[speech.Track, ...],
                                               hsct_sentences: list[str]) -> None:
    written = "\n".join(s.text for t in tracks for s in t.segments)
    assert missing_in_order(hsct_sentences, written) == []


def test_lexicon_applied_only_to_spoken_text(tracks: tuple[speech.Track, ...]) -> None:
    said = spoken(tracks)
    for word in ("HSCT", "MS", "EDSS", "DMTs", "MRI", "haematopoietic", "COVID-19"):
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", said), word
    for respelt in ("H S C T", "M S", "E D S S", "D M T's", "M R I", "covid 19"):
        assert respelt in said
    written = "\n".join(s.text for t in tracks for s in t.segments)
    assert "H S C T" not in written and "HSCT" in written


def test_lexicon_whole_words_only() -> None:
    lex = speech.Lexicon({"MS": "M S", "haematopoietic": "heema"})
    assert lex.apply("MS, MSc and SMS; Haematopoietic") == "M S, MSc and SMS; Heema"


def test_phone_number_read_in_digit_groups(voice: speech.Voice) -> None:
    assert voice.spoken("Call us on 0808 800 8000") == "Call us on oh 8 oh 8, 8 oh oh, 8 oh oh oh"
    assert voice.spoken("110 people in 2005") == "110 people in 2005"


def test_callouts_announced_with_label(tracks: tuple[speech.Track, ...]) -> None:
    callouts = [s.text for t in tracks for s in t.segments if s.kind == "callout"]
    assert "Helpline: Questions about MS? Call us on 0808 800 8000" in callouts
    assert any(c.startswith("Related reading: ") for c in callouts)


def test_lists_read_item_by_item_with_pauses(tracks: tuple[speech.Track, ...],
                                             voice: speech.Voice) -> None:
    segs = list(tracks[1].segments)
    start = next(i for i, s in enumerate(segs) if s.text == "A list of 3 items:")
    items = segs[start + 1 : start + 4]
    assert [s.kind for s in items] == ["item"] * 3
    assert items[0].text.startswith("have frequent relapses")
    assert [s.pause_ms for s in items] == [voice.pause_item_ms, voice.pause_item_ms,
                                           voice.pause_paragraph_ms]


def test_ordered_list_items_numbered(styles: Styles, voice: speech.Voice) -> None:
    from pathlib import Path

    from exporter.reader import read

    doc = read(Path(__file__).parent / "fixtures" / "valid" / "nested-levels.md")
    texts = [s.text for t in speech.body_tracks(doc, doc.outline, voice)
             for s in t.segments]
    assert "1. First numbered item." in texts
    # Emphasis keeps its words (no respelling, no markup): meaning is unchanged.
    assert "2. Second numbered item, with emphasis that must stay bold." in texts


def test_opening_and_closing(hsct_doc: Document, hsct_outline: Outline,
                             tracks: tuple[speech.Track, ...], voice: speech.Voice) -> None:
    said = [s.text for s in speech.opening(hsct_doc, hsct_outline, voice, len(tracks), 365.4)]
    assert said[0] == "HSCT (haematopoietic stem cell transplantation)."
    assert said[1] == "Published by MS Society."
    assert said[3] == "It has 7 sections, in 8 tracks, and lasts 6 minutes and 5 seconds."
    assert tracks[-1].segments[-1].text == (
        "This is the end of HSCT (haematopoietic stem cell transplantation), from MS Society.")
    assert tracks[-1].segments[-1].pause_ms == voice.pause_section_ms


@pytest.mark.parametrize(("seconds", "words"), [
    (0.2, "0 seconds"), (1, "1 second"), (60, "1 minute"), (365.4, "6 minutes and 5 seconds"),
    (3725, "1 hour, 2 minutes and 5 seconds"),
])
def test_duration_words(seconds: float, words: str) -> None:
    assert speech.duration_words(seconds) == words


def test_hsct_speech_script_golden(hsct_doc: Document, hsct_outline: Outline,
                                   tracks: tuple[speech.Track, ...], voice: speech.Voice,
                                   golden: Callable[[str, str], None]) -> None:
    """What the engine is told to say, with pauses, next to what the transcript shows."""
    opening = speech.opening(hsct_doc, hsct_outline, voice, len(tracks), 365.4)
    lines = ["# opening (duration 365.4 s)"]
    lines += [f"{s.kind} +{s.pause_ms}ms | {s.spoken}" for s in opening]
    for t in tracks:
        lines.append(f"# track {t.number}: {t.entry.label} ({t.words} words)")
        for s in t.segments:
            shown = "" if s.spoken == s.text else f"    (written: {s.text})"
            lines.append(f"{s.kind} +{s.pause_ms}ms | {s.spoken}{shown}")
    golden("hsct-speech.txt", "\n".join(lines) + "\n")
