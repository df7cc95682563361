"""Options and their rules: one table (label, help, presets, range) that the CLI, the service's
form and the writers share; file names that show only what differs from the usual."""

from __future__ import annotations

import pytest

from exporter import registry
from exporter.options import (
    Options,
    OptionsError,
    defaults,
    describe,
    file_suffix,
    parse,
    recorded,
    rules,
)
from exporter.styles import Styles


def test_every_reading_need_has_a_rule_with_label_help_and_presets(styles: Styles) -> None:
    table = rules(styles)
    assert {"size", "scheme", "line_spacing", "font", "letter_spacing", "word_spacing"} <= set(
        table)
    for rule in table.values():
        assert rule.label and rule.help and rule.presets
    font = table["font"]
    assert font.choices == ("atkinson-hyperlegible", "lexend", "opendyslexic")
    assert [font.label_of(c) for c in font.choices] == [
        "Atkinson Hyperlegible", "Lexend", "OpenDyslexic"]
    # WCAG 1.4.12's text spacing is the most offered.
    assert (table["letter_spacing"].low, table["letter_spacing"].high) == (0.0, 0.12)
    assert (table["word_spacing"].low, table["word_spacing"].high) == (0.0, 0.16)
    assert table["letter_spacing"].presets == ("0", "0.06", "0.12")
    assert table["line_spacing"].high == 2.0 and table["size"].high == 36
    assert "black-on-blue" in table["scheme"].choices


def test_values_outside_the_rules_are_refused_each_named(styles: Styles) -> None:
    with pytest.raises(OptionsError) as caught:
        parse({"letter_spacing": "0.5", "word_spacing": "-1", "font": "comic-sans"}, styles)
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["font", "letter_spacing", "word_spacing"]
    chosen = parse({"letter_spacing": "0.12", "word_spacing": "0.16", "font": "lexend"}, styles)
    assert (chosen.letter_spacing, chosen.word_spacing, chosen.font) == (0.12, 0.16, "lexend")


def test_writers_declare_the_options_they_honour() -> None:
    assert {"size", "scheme", "font", "line_spacing", "letter_spacing", "word_spacing"} <= \
        registry.get("docx").option_names
    assert registry.get("epub").option_names == {"font", "line_spacing", "letter_spacing",
                                                 "word_spacing"}
    assert registry.get("html").option_names == frozenset()


def test_file_names_show_only_what_is_not_the_default(styles: Styles) -> None:
    names = registry.get("docx").option_names
    assert file_suffix(defaults(styles), names, styles) == ""
    chosen = defaults(styles).changed(scheme="black-on-cream", font="opendyslexic",
                                      word_spacing=0.16, size=24)
    assert file_suffix(chosen, names, styles) == "-black-on-cream-opendyslexic-word-spacing-0.16"
    # An option the writer does not use never shows.
    assert file_suffix(chosen, {"font"}, styles) == "-opendyslexic"


def test_described_in_words_and_read_back_from_a_manifest(styles: Styles) -> None:
    made = Options(size=24, scheme="black-on-blue", font="lexend", letter_spacing=0.12)
    record = made.subset({"size", "scheme", "font", "letter_spacing", "word_spacing"})
    assert describe(record, styles) == "24 point, black on blue, Lexend, letter spacing 0.12em"
    back = recorded(record, styles)
    assert (back.size, back.scheme, back.font, back.letter_spacing, back.word_spacing) == (
        24, "black-on-blue", "lexend", 0.12, 0.0)
    assert back.line_spacing == styles.line_spacing  # not recorded: the default
    assert recorded(None, styles) == defaults(styles)
