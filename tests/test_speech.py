"""The speech script: sections, lists, callouts, tables, figures, quotations, notes, definitions,
code, breaks, addresses, phone numbers, lexicon and announcements, in English and Welsh."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from exporter import speech
from exporter.locale import messages
from exporter.model import Document
from exporter.outline import Outline
from exporter.reader import read
from exporter.sentences import missing_in_order, of_blocks, of_notes
from exporter.styles import Styles

SPEECH = Path(__file__).parent / "fixtures" / "speech"


@pytest.fixture(scope="module")
def voice(styles: Styles) -> speech.Voice:
    return speech.voice_from_styles(styles)


@pytest.fixture(scope="module")
def tracks(hsct_doc: Document, hsct_outline: Outline,
           voice: speech.Voice) -> tuple[speech.Track, ...]:
    return speech.body_tracks(hsct_doc, hsct_outline, voice)


@pytest.fixture(scope="module")
def structures() -> Document:
    return read(SPEECH / "structures.md")


def segments(doc: Document, styles: Styles) -> list[speech.Segment]:
    voice = speech.voice_from_styles(styles, doc.meta.language)
    return [s for t in speech.body_tracks(doc, doc.outline, voice) for s in t.segments]


def written(doc: Document, styles: Styles) -> str:
    """The whole script as written, opening included (what the transcript shows)."""
    voice = speech.voice_from_styles(styles, doc.meta.language)
    tracks = speech.body_tracks(doc, doc.outline, voice)
    said = speech.opening(doc, doc.outline, voice, len(tracks), 60)
    return speech.transcript(doc, (speech.with_opening(tracks[0], said), *tracks[1:]))


def spoken(tracks: tuple[speech.Track, ...]) -> str:
    return "\n".join(s.spoken for t in tracks for s in t.segments)


def after(segs: list[speech.Segment], text: str, count: int) -> list[speech.Segment]:
    """The segment whose text is ``text`` and the ``count - 1`` after it."""
    start = next(i for i, s in enumerate(segs) if s.text == text)
    return segs[start : start + count]


# ---------------------------------------------------------------- the HSCT page


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
    assert not re.search(r"(?<![\w-])EDSS(?![\w-])", said)
    assert "E D S S" in said
    # Words espeak-ng says right on its own are left alone (tests/test_lexicon.py).
    for word in ("HSCT", "MS", "haematopoietic"):
        assert re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", said), word
    written = "\n".join(s.text for t in tracks for s in t.segments)
    assert "E D S S" not in written and "EDSS" in written


def test_lexicon_whole_words_only() -> None:
    lex = speech.Lexicon({"MS": "M S", "haematopoietic": "heema"})
    assert lex.apply("MS, MSc and SMS; Haematopoietic") == "M S, MSc and SMS; Heema"


def test_phone_number_read_in_digit_groups(voice: speech.Voice) -> None:
    assert voice.spoken("Call us on 0808 800 8000") == "Call us on oh 8 oh 8, 8 oh oh, 8 oh oh oh"
    assert voice.spoken("110 people in 2005") == "110 people in 2005"


def test_callouts_announced_with_label(tracks: tuple[speech.Track, ...]) -> None:
    callouts = [s.text for t in tracks for s in t.segments if s.kind == "callout"]
    # One segment a sentence; the label goes with the first.
    assert callouts[:2] == ["Helpline: Questions about MS?", "Call us on 0808 800 8000"]
    assert any(c.startswith("Related reading: ") for c in callouts)


def test_lists_read_item_by_item_with_pauses(tracks: tuple[speech.Track, ...],
                                             voice: speech.Voice) -> None:
    items = after(list(tracks[1].segments), "A list of 3 items:", 4)[1:]
    assert [s.kind for s in items] == ["item"] * 3
    assert items[0].text.startswith("have frequent relapses")
    assert [s.pause_ms for s in items] == [voice.pause_item_ms, voice.pause_item_ms,
                                           voice.pause_paragraph_ms]


def test_ordered_list_items_numbered(styles: Styles) -> None:
    doc = read(Path(__file__).parent / "fixtures" / "valid" / "nested-levels.md")
    texts = [s.text for s in segments(doc, styles)]
    assert "1. First numbered item." in texts
    # Emphasis keeps its words (no respelling, no markup): meaning is unchanged.
    assert "2. Second numbered item, with emphasis that must stay bold." in texts


def test_opening_and_closing(hsct_doc: Document, hsct_outline: Outline,
                             tracks: tuple[speech.Track, ...], voice: speech.Voice) -> None:
    said = [s.text for s in speech.opening(hsct_doc, hsct_outline, voice, len(tracks), 365.4)]
    assert said[0] == "HSCT (haematopoietic stem cell transplantation)."
    assert said[1] == "Published by MS Society."
    assert said[3] == "It has 7 sections."
    assert "skip to the next track or chapter to go to the next section" in said[4]
    assert said[5] == "It lasts 6 minutes and 5 seconds."
    assert tracks[-1].segments[-1].text == (
        "This is the end of HSCT (haematopoietic stem cell transplantation), from MS Society.")
    assert tracks[-1].segments[-1].pause_ms == voice.pause_section_ms


@pytest.mark.parametrize(("seconds", "words"), [
    (0.2, "0 seconds"), (1, "1 second"), (60, "1 minute"), (365.4, "6 minutes and 5 seconds"),
    (3725, "1 hour, 2 minutes and 5 seconds"),
    (0.5, "1 second"), (2.5, "3 seconds"),  # half a second up, always (never to even)
])
def test_stated_length_in_words(hsct_doc: Document, hsct_outline: Outline,
                                voice: speech.Voice, seconds: float, words: str) -> None:
    said = speech.length_sentence(hsct_doc, hsct_outline, voice, 8, seconds)
    assert said.text == f"It lasts {words}."


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


# ---------------------------------------------------------------- every structure


def test_table_announced_then_read_row_by_row_with_headings(
        structures: Document, styles: Styles, voice: speech.Voice) -> None:
    segs = segments(structures, styles)
    table = after(segs, "Table: Tips for managing fatigue, 3 rows, 2 columns", 12)
    assert [(s.kind, s.text) for s in table] == [
        ("table", "Table: Tips for managing fatigue, 3 rows, 2 columns"),
        ("row", "Row 1."),
        ("cell", "Tip: Pace yourself"),
        ("cell", "What it means: Rest before you get tired."),
        ("row", "Row 2."),
        ("cell", "Tip: Keep cool"),
        ("cell", "What it means: Heat can make fatigue worse."),
        # The note the cell refers to, right after the row that refers to it.
        ("note", "Note 2: This is called Uhthoff's phenomenon."),
        ("row", "Row 3."),
        ("cell", "Tip: Plan ahead"),
        ("cell", "What it means: blank"),  # an empty cell is said to be empty
        ("image", "Image: A woman resting on a sofa with a cup of tea"),
    ]
    assert {s.pause_ms for s in table[1:7]} == {voice.pause_item_ms}
    assert table[10].pause_ms == voice.pause_paragraph_ms  # the end of the table


def test_table_size_words_follow_the_numbers(styles: Styles) -> None:
    doc = read(SPEECH / "structures.md")
    from exporter.model import Table

    table = next(b for b in doc.blocks if isinstance(b, Table))
    one = replace(table, header=table.header[:1], rows=table.rows[:1], caption=())
    doc = replace(doc, blocks=tuple(one if b is table else b for b in doc.blocks))
    texts = [s.text for s in segments(doc, styles)]
    assert "Table: 1 row, 1 column" in texts
    assert "Tip: Pace yourself" in texts and "What it means: Rest before you get tired." \
        not in texts


def test_figure_reads_alt_text_then_caption(structures: Document, styles: Styles) -> None:
    segs = after(segments(structures, styles),
                 "Image: A woman resting on a sofa with a cup of tea", 2)
    assert [(s.kind, s.text) for s in segs] == [
        ("image", "Image: A woman resting on a sofa with a cup of tea"),
        ("caption", "Resting during the day helps many people."),
    ]


def test_quotation_opened_closed_then_attributed_and_break_is_a_pause(
        structures: Document, styles: Styles, voice: speech.Voice) -> None:
    segs = after(segments(structures, styles), "Quote.", 6)
    assert [(s.kind, s.text) for s in segs] == [
        ("announcement", "Quote."),
        ("quote", "Planning my week around my energy changed everything."),
        ("quote", "I stopped saying yes to everything."),
        ("announcement", "End of quote."),
        ("attribution", "Ann, Cardiff"),
        ("paragraph", "A change of topic after the break."),
    ]
    # The thematic break after the quotation: a longer silence, and no words for it.
    assert segs[4].pause_ms == voice.pause_break_ms > voice.pause_section_ms
    # Sentences of one paragraph follow each other with the engine's own pause only.
    assert segs[1].pause_ms == 0


def test_footnote_read_right_after_the_paragraph_that_refers_to_it(
        structures: Document, styles: Styles, voice: speech.Voice) -> None:
    segs = after(segments(structures, styles), "It can affect work, family life and leisure.", 2)
    assert segs[1].kind == "note"
    assert segs[1].text == "Note 1: In our 2019 survey, 8 out of 10 people said fatigue affected " \
                           "them."
    notes = [s.text for s in segments(structures, styles) if s.kind == "note"]
    assert len(notes) == len(structures.notes)  # each read once


def test_note_inside_a_quotation_waits_until_it_ends(styles: Styles, tmp_path: Path) -> None:
    source = tmp_path / "quoted-note.md"
    source.write_text("---\ntitle: T\nlanguage: en-GB\n---\n\n# T\n\n"
                      "> One line quoted.[^a] Another line.\n>\n> — Jo\n\n"
                      "After the quote.\n\n[^a]: The note.\n", encoding="utf-8")
    texts = [s.text for s in segments(read(source), styles)]
    assert texts[texts.index("Quote.") :][:6] == [
        "Quote.", "One line quoted.", "Another line.", "End of quote.", "Jo",
        "Note 1: The note."]


def test_definitions_code_and_addresses(structures: Document, styles: Styles) -> None:
    segs = segments(structures, styles)
    definitions = [s.text for s in segs if s.kind == "definition"]
    # Each term a sentence of its own (the talking books highlight it in its <dt>).
    assert definitions == ["Fatigue:", "A tiredness that rest does not fully relieve.",
                           "Relapse:", "New symptoms, or old ones getting worse, for more than "
                           "24 hours."]
    visit = next(s for s in segs if s.text.startswith("Visit"))
    assert visit.text == ("Visit www.example.org/fatigue-help or e-mail help@example.org for a "
                          "copy.")  # the transcript keeps the address as written
    assert visit.spoken == ("Visit www dot example dot org slash fatigue dash help or e-mail "
                            "help at example dot org for a copy.")
    code = next(s for s in segs if s.kind == "code")
    assert code.text == "exporter --version"  # as written: no respelling, no address words


def test_address_words_leave_out_the_scheme_and_follow_the_language() -> None:
    from exporter.model import Link, Text
    from exporter.voice import address_words, is_address, spoken_inlines

    en, cy = messages("en-GB"), messages("cy")
    assert address_words("https://www.example.org/help/", en) == \
        "www dot example dot org slash help"
    assert address_words("mailto:help@example.org", cy) == "help at example dot org"
    assert address_words("www.example.org/a_b?x=1", cy) == \
        "www dot example dot org slaes a tanlinell b marc cwestiwn x hafalnod 1"
    named = Link("https://www.example.org", (Text("our website"),))
    assert not is_address(named)
    assert spoken_inlines((Text("See "), named), en) == "See our website"


def test_every_sentence_and_note_of_every_structure_in_order(structures: Document,
                                                              styles: Styles) -> None:
    text = written(structures, styles)
    assert missing_in_order(of_blocks(structures.blocks), text) == []
    assert missing_in_order(of_notes(structures), text) == []


# ---------------------------------------------------------------- publisher, language


def test_no_publisher_no_publisher_words(structures: Document, styles: Styles,
                                         voice: speech.Voice) -> None:
    assert structures.meta.publisher == ""
    said = [s.text for s in speech.opening(structures, structures.outline, voice, 5, 100)]
    assert not any("Published" in s or "published" in s for s in said)
    assert segments(structures, styles)[-1].text == "This is the end of Living with fatigue."


def test_welsh_page_has_welsh_announcements_and_no_english_respellings(styles: Styles) -> None:
    doc = read(SPEECH / "welsh.md")
    voice = speech.voice_from_styles(styles, doc.meta.language)
    assert voice.lexicon.entries == {}  # the lexicon is English: not applied to Welsh
    segs = segments(doc, styles)
    texts = [s.text for s in segs]
    assert texts[:3] == ["Cynnwys.", "Adran 1: Awgrymiadau", "Adran 2: Cael help"]
    assert "Tabl: Awgrymiadau ar gyfer rheoli blinder, rhesi: 2, colofnau: 2" in texts
    assert "Rhes 1." in texts and "Rhestr o eitemau, 2 i gyd:" in texts
    assert texts[texts.index("Rhes 1.") + 1] == "Awgrym: Cymerwch seibiant"
    note = next(s for s in segs if s.kind == "note")
    assert note.text.startswith("Nodyn 1: Yn ein harolwg yn 2019")
    assert any("www dot example dot org slaes cymorth" in s.spoken for s in segs)
    opening = speech.opening(doc, doc.outline, voice, 3, 125)
    assert [s.text for s in opening][1:] == [
        "Cyhoeddwyd gan Cymdeithas MS.",
        "Mae'r recordiad hwn yn darllen y testun llawn yn uchel, ar ôl rhestr gynnwys lafar.",
        "Mae ganddo adrannau: 2.",
        "Mae pob adran yn dechrau trac a phennod newydd: neidiwch i'r trac neu'r bennod nesaf "
        "i fynd i'r adran nesaf.",
        "Mae'n para 2 munud, 5 eiliad.",
    ]
    assert texts[-1] == "Dyma ddiwedd Blinder ac MS, gan Cymdeithas MS."
    text = written(doc, styles)
    assert missing_in_order(of_blocks(doc.blocks), text) == []
    assert missing_in_order(of_notes(doc), text) == []


def test_lexicon_and_zero_word_chosen_by_language(styles: Styles) -> None:
    english = speech.voice_from_styles(styles, "en-US")
    assert english.lexicon.entries and english.phone_zero == "oh"
    french = speech.voice_from_styles(styles, "fr")
    assert french.lexicon.entries == {} and french.phone_zero == "0"
    assert french.spoken("Appelez le 0808 800 8000") == "Appelez le 0 8 0 8, 8 0 0, 8 0 0 0"
