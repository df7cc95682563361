"""What may be asked for: a form or query becomes a writer and Options, or every problem at once."""

from __future__ import annotations

import pytest

from exporter import registry
from exporter.options import Options
from exporter.service.choices import Choices
from exporter.service.formats import Format
from exporter.styles import Styles


@pytest.fixture
def choices(styles: Styles) -> Choices:
    return Choices({n: Format(n, registry.get(n)) for n in ("epub", "pdf")}, styles)


def test_a_good_request_gives_the_writer_and_its_options(choices: Choices) -> None:
    got = choices.parse([("format", " pdf "), ("size", "24"), ("scheme", "yellow-on-black"),
                         ("line_spacing", "1.6"), ("other", "ignored")])
    assert got == ("pdf", Options(size=24, scheme="yellow-on-black", line_spacing=1.6))


def test_fields_nobody_sent_take_the_defaults(choices: Choices, styles: Styles) -> None:
    got = choices.parse([("format", "epub")])
    assert got == ("epub", Options(size=styles.default_size, scheme=styles.default_scheme,
                                   line_spacing=styles.line_spacing))


@pytest.mark.parametrize(("items", "field", "allowed"), [
    ([], "format", ["epub", "pdf"]),
    ([("format", "html")], "format", ["epub", "pdf"]),  # installed, but not offered here
    ([("format", "pdf"), ("format", "epub")], "format", ["epub", "pdf"]),
    ([("format", "pdf"), ("size", "²")], "size", ["16 to 36"]),
    ([("format", "pdf"), ("size", "١٨")], "size", ["16 to 36"]),  # Arabic-Indic digits
    ([("format", "pdf"), ("size", "15")], "size", ["16 to 36"]),
    ([("format", "pdf"), ("size", "")], "size", ["16 to 36"]),
    ([("format", "pdf"), ("scheme", "")], "scheme",
     ["black-on-white", "black-on-cream", "black-on-yellow", "black-on-blue",
      "yellow-on-black"]),
    ([("format", "pdf"), ("line_spacing", "2.5")], "line_spacing", ["1.5 to 2"]),
    ([("format", "pdf"), ("line_spacing", "inf")], "line_spacing", ["1.5 to 2"]),
])
def test_each_problem_names_its_field_and_what_is_allowed(
        choices: Choices, items: list[tuple[str, str]], field: str, allowed: list[str]) -> None:
    problems = choices.parse(items)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == [field]
    assert problems[0].allowed == allowed
    message = problems[0].message
    assert all(a in message for a in allowed) and message.endswith(".")
    assert message.count(allowed[0]) == 1, "what is allowed is said once"


def test_a_value_is_echoed_back_short(choices: Choices) -> None:
    problems = choices.parse([("format", "x" * 500)])
    assert isinstance(problems, list)
    assert "x" * 39 + "…" in problems[0].message and "x" * 40 not in problems[0].message


def test_fields_and_labels_come_from_the_options_rules(choices: Choices) -> None:
    assert choices.fields == ("format", "size", "scheme", "line_spacing", "grade", "font",
                              "letter_spacing", "word_spacing")
    assert [choices.label(f) for f in choices.fields] == [
        "Format", "Print size", "Colour scheme", "Line spacing", "Braille grade", "Font",
        "Letter spacing", "Word spacing"]
    assert choices.allowed("format") == ["epub", "pdf"]


def test_what_is_allowed_is_said_even_when_a_value_looks_like_it(styles: Styles) -> None:
    only_pdf = Choices({"pdf": Format("pdf", registry.get("pdf"))}, styles)
    problems = only_pdf.parse([("format", "pdfx")])
    assert isinstance(problems, list)
    assert problems[0].message == "Format 'pdfx' is not available. Allowed: pdf."
