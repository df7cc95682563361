"""styles/braille.yaml as a checked, frozen Settings value (page size, margins, tables, words)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from exporter.styles import Styles, StylesError

CENTRED = 0  #: HeadingForm.cell for a centred heading


@dataclass(frozen=True)
class Indent:
    """Where a block's first line and its runover lines start (cells counted from 1)."""

    first: int
    runover: int


@dataclass(frozen=True)
class HeadingForm:
    """How one outline level is set: centred (cell 0) or from a cell, blocked."""

    cell: int  #: CENTRED, or the cell its lines start in
    new_page: bool = False  #: starts a new braille page

    @property
    def centred(self) -> bool:
        return self.cell == CENTRED


@dataclass(frozen=True)
class Settings:
    """Every layout choice of the braille writer; the check reads the same values."""

    cells: int  #: cells per line
    lines: int  #: lines per page, the page-number line included
    number_at_top: bool  #: the page number is on the first line (else the last)
    number_gap: int  #: blank cells before a page number
    headings: Mapping[int, HeadingForm]
    centred_margin: int
    keep_after_heading: int
    paragraph: Indent
    list: Indent
    list_step: int
    bullet: str
    number_suffix: str
    table: Indent
    table_separator: str
    quote: Indent
    contents_runover: int
    contents_step: int
    min_guide_dots: int
    tables: Mapping[str, Mapping[int, str]]  #: language -> grade -> liblouis table
    words: Mapping[str, Mapping[str, str]]  #: language -> key -> words added by the writer

    @property
    def text_lines(self) -> int:
        """Lines a page holds besides its page-number line."""
        return self.lines - 1

    def heading(self, level: int) -> HeadingForm:
        return self.headings.get(level) or self.headings[max(self.headings)]

    def word(self, language: str, key: str) -> str:
        """A word the edition adds, in the document's language (English when not given)."""
        primary = language.split("-")[0].lower()
        return str(self.words.get(primary, {}).get(key) or self.words["en"][key])


def load_settings(styles: Styles) -> Settings:
    """styles/braille.yaml checked; StylesError names the setting that cannot be used."""
    data = styles.section("braille")
    try:
        page = data["page"]
        heads = {int(level): _heading(form) for level, form in data["headings"].items()}
        settings = Settings(
            cells=int(page["cells"]),
            lines=int(page["lines"]),
            number_at_top=_choice(page.get("page_number", "top"), ("top", "bottom")) == "top",
            number_gap=int(page.get("page_number_gap", 3)),
            headings=heads,
            centred_margin=int(data.get("centred_margin", 3)),
            keep_after_heading=int(data.get("keep_after_heading", 2)),
            paragraph=_indent(data["paragraph"]),
            list=_indent(data["list"]),
            list_step=int(data["list"].get("step", 2)),
            bullet=str(data["list"].get("bullet", "")),
            number_suffix=str(data["list"].get("number_suffix", ".")),
            table=_indent(data["table"]),
            table_separator=str(data["table"].get("separator", "; ")),
            quote=_indent(data["quote"]),
            contents_runover=int(data["contents"]["entry_runover"]),
            contents_step=int(data["contents"]["level_step"]),
            min_guide_dots=int(data["contents"].get("min_guide_dots", 2)),
            tables={str(lang): {int(g): str(t) for g, t in by_grade.items()}
                    for lang, by_grade in data["tables"].items()},
            words={str(lang): {str(k): str(v) for k, v in w.items()}
                   for lang, w in data["words"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StylesError(f"{styles.root / 'braille.yaml'}: missing or malformed setting: "
                          f"{exc}") from exc
    _sane(settings, styles)
    return settings


def _heading(form: Mapping[str, Any]) -> HeadingForm:
    place = form["place"]
    cell = CENTRED if place == "centred" else int(place)
    return HeadingForm(cell, bool(form.get("new_page", False)))


def _indent(value: Mapping[str, Any]) -> Indent:
    return Indent(int(value["first"]), int(value["runover"]))


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _sane(s: Settings, styles: Styles) -> None:
    where = styles.root / "braille.yaml"
    problems = []
    if not 20 <= s.cells <= 100 or not 10 <= s.lines <= 100:
        problems.append(f"a page of {s.cells} cells by {s.lines} lines is not one to emboss")
    indents = [s.paragraph, s.list, s.table, s.quote]
    cells_used = [i.first for i in indents] + [i.runover for i in indents] + [
        h.cell for h in s.headings.values()]
    if any(c < 0 or c > s.cells // 2 for c in cells_used) or min(s.headings) != 1:
        problems.append("indents must lie in the left half of the line; headings start at level 1")
    if not {"code", "transcribed", "pages", "helpline"} <= set(s.words.get("en", {})):
        problems.append("words: needs an 'en' entry with every key")
    if problems:
        raise StylesError(f"{where}: " + "; ".join(problems))
