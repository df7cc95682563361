"""Right-to-left runs read back from a PDF's glyphs (drawn right to left) in reading order."""

from __future__ import annotations

from exporter.writers.pdf.bidi_text import logical


def _drawn(text: str, baseline: float = 100.0) -> list[tuple[str, float]]:
    return [(c, baseline) for c in text]


def test_left_to_right_text_is_unchanged() -> None:
    assert logical(_drawn("Take 2 tablets.")) == "Take 2 tablets."


def test_a_right_to_left_run_is_turned_round_and_its_number_kept() -> None:
    # "שלום 12 עולם" as drawn on the page: right to left, the number left to right.
    drawn = "םלוע 12 םולש"
    assert logical(_drawn("Say " + drawn + " now")) == "Say שלום 12 עולם now"


def test_each_line_is_turned_round_on_its_own() -> None:
    glyphs = _drawn("בא", 100.0) + _drawn("דג", 130.0)  # two lines: "אב" then "גד"
    assert logical(glyphs) == "אבגד"
