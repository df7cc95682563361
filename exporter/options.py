"""The choices a reader can make (size, colours, spacing ...): one set of rules for every caller."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exporter.styles import Styles

_WHOLE = re.compile(r"[0-9]{1,4}")  # ASCII digits only: "²".isdigit() is True, int("²") fails
_DECIMAL = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,3})?")


@dataclass(frozen=True)
class Options:
    """Choices a reader or staff member can make; each writer uses only those it names."""

    size: int = 18  #: body text size in points (print and Word)
    scheme: str = "black-on-white"  #: a colour scheme name from styles/settings.yaml
    line_spacing: float = 1.5  #: multiple of the font size
    grade: int = 2  #: braille grade: 2 contracted (most adult readers), 1 uncontracted
    font: str = "atkinson-hyperlegible"  #: a face from styles/settings.yaml ``fonts``
    letter_spacing: float = 0.0  #: extra space between letters, in ems (WCAG 1.4.12: 0.12)
    word_spacing: float = 0.0  #: extra space between words, in ems (WCAG 1.4.12: 0.16)

    def subset(self, names: Iterable[str]) -> dict[str, object]:
        """The options a writer uses, for file names, the manifest and caches."""
        return {n: getattr(self, n) for n in sorted(names)}

    def changed(self, **values: object) -> Options:
        """A copy with some values replaced."""
        return replace(self, **values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class OptionProblem:
    """One option that cannot be used: which, why, and what would be accepted."""

    field: str  #: the Options field, e.g. "size"
    message: str  #: a sentence naming the field in words and the value given
    allowed: tuple[str, ...]  #: the accepted values, or a range such as "16 to 36"

    def __str__(self) -> str:
        return f"{self.message}. Allowed: {', '.join(self.allowed)}"


class OptionsError(ValueError):
    """Options that no writer may use; lists every problem."""

    def __init__(self, problems: Sequence[OptionProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Rule:
    """What one option accepts: whole numbers or decimals in a range, or one of some names."""

    field: str  #: the Options field
    label: str  #: the words people read: "Print size"
    help: str  #: one line for --help and the request form
    low: float | None = None  #: range bounds for numbers
    high: float | None = None
    choices: tuple[str, ...] = ()  #: accepted names, for a choice
    presets: tuple[str, ...] = ()  #: values a form offers (all accepted values for a choice)
    unit: str = ""  #: shown after a number: "point"
    whole: bool = False  #: the choices are whole numbers ("1", "2"), parsed to int
    #: labels of the choices, for a form ("Atkinson Hyperlegible"); the value itself if absent
    choice_labels: tuple[str, ...] = ()
    #: in a file name: "" shows the value alone ("lexend"), else "<word>-<value>"
    #: ("letter-spacing-0.12"); a file's name shows only the choices that are not the default
    file_word: str = ""

    def label_of(self, value: object) -> str:
        """The words for one value: a choice's label, or the number with its unit."""
        text = _num(value)
        if text in self.choices and len(self.choice_labels) == len(self.choices):
            return self.choice_labels[self.choices.index(text)]
        return f"{text}{self.unit if self.unit == 'em' else ''}"

    @property
    def allowed(self) -> tuple[str, ...]:
        if self.choices:
            return self.choices
        return (f"{_num(self.low)} to {_num(self.high)}",)

    def parse(self, raw: str) -> object:
        """The value of ``raw`` for this option; OptionsError when it is not allowed."""
        text = raw.strip()
        value: object
        if self.choices:
            value = int(text) if self.whole and _WHOLE.fullmatch(text) else text
        elif isinstance(self.low, int) and isinstance(self.high, int):
            value = int(text) if _WHOLE.fullmatch(text) else None
        else:
            value = float(text) if _DECIMAL.fullmatch(text) else None
        if value is None:
            kind = "a whole number" if isinstance(self.low, int) else "a number"
            raise OptionsError([self.problem(f"{self.label} {shown(raw)} is not {kind}")])
        self.check(value)
        return value

    def check(self, value: object) -> None:
        """OptionsError unless ``value`` is allowed."""
        if self.choices:
            wrong_type = self.whole and (not isinstance(value, int) or isinstance(value, bool))
            if wrong_type or str(value) not in self.choices:
                raise OptionsError([self.problem(f"{self.label} {shown(str(value))} is not one "
                                                 "we can make")])
            return
        assert self.low is not None and self.high is not None
        if not isinstance(value, int | float) or isinstance(value, bool) or \
                not self.low <= value <= self.high:
            given = _num(value) if isinstance(value, int | float) else shown(str(value))
            raise OptionsError([self.problem(f"{self.label} {given} is outside "
                                             f"{_num(self.low)} to {_num(self.high)}")])

    def problem(self, message: str) -> OptionProblem:
        return OptionProblem(self.field, message, self.allowed)


def rules(styles: Styles) -> dict[str, Rule]:
    """Every option's rule, with ranges and names from styles/settings.yaml."""
    pr = styles.settings.get("print", {})
    low_spacing = float(pr.get("min_line_spacing", 1.5))
    high_spacing = float(pr.get("max_line_spacing", 2.0))
    spacings = tuple(_num(float(x)) for x in pr.get("line_spacing_presets", (1.5, 1.75, 2.0)))
    return {
        "size": Rule("size", "Print size", "body text size in points for print formats",
                     low=styles.min_size, high=styles.max_size, unit="point",
                     presets=tuple(str(s) for s in range(styles.min_size, styles.max_size + 1))),
        "scheme": Rule("scheme", "Colour scheme", "text and background colours",
                       choices=tuple(styles.schemes), presets=tuple(styles.schemes)),
        "line_spacing": Rule("line_spacing", "Line spacing",
                             "space between lines, as a multiple of the text size",
                             low=low_spacing, high=high_spacing, presets=spacings,
                             file_word="line-spacing"),
        "grade": Rule("grade", "Braille grade",
                      "braille grade: 2 is contracted (most adult readers), 1 uncontracted",
                      choices=("1", "2"), presets=("2", "1"), whole=True),
        "font": Rule("font", "Font", "the typeface of the text",
                     choices=tuple(styles.fonts), presets=tuple(styles.fonts),
                     choice_labels=tuple(f.label for f in styles.fonts.values())),
        "letter_spacing": _spacing_rule(styles, "letter"),
        "word_spacing": _spacing_rule(styles, "word"),
    }


def _spacing_rule(styles: Styles, kind: str) -> Rule:
    high, presets = styles.spacing(kind)
    return Rule(f"{kind}_spacing", f"{kind.capitalize()} spacing",
                f"extra space between {kind}s, as a share of the text size (em); "
                f"{_num(high)} is the most offered", low=0.0, high=high, unit="em",
                presets=tuple(_num(p) for p in presets), file_word=f"{kind}-spacing")


#: The order choices appear in file names and descriptions.
ORDER = ("size", "scheme", "font", "line_spacing", "letter_spacing", "word_spacing", "grade")


def defaults(styles: Styles) -> Options:
    """The options used when nobody chose: the defaults in styles/settings.yaml."""
    return Options(size=styles.default_size, scheme=styles.default_scheme,
                   line_spacing=styles.line_spacing, font=styles.default_font)


def recorded(values: object, styles: Styles) -> Options:
    """The options a file was made with, from its manifest record (``"options"``); the
    defaults for what the record leaves out (a writer records only the options it uses)."""
    base = defaults(styles)
    if not isinstance(values, Mapping):
        return base
    known = {f.name for f in fields(Options)}
    return replace(base, **{k: v for k, v in values.items() if k in known})


def file_suffix(options: Options, names: Iterable[str], styles: Styles) -> str:
    """"-black-on-cream-lexend-letter-spacing-0.12": the choices among ``names`` that differ
    from the defaults, for a file name (the size is left to the writer, which always shows
    it); "" when every choice is the default, so the usual files keep their names."""
    table, usual, wanted = rules(styles), defaults(styles), set(names) - {"size", "grade"}
    parts = []
    for name in ORDER:
        value = getattr(options, name)
        if name not in wanted or name not in table or value == getattr(usual, name):
            continue
        word = table[name].file_word
        parts.append(f"{word}-{_num(value)}" if word else _num(value))
    return "".join(f"-{p}" for p in parts)


def parse(values: Mapping[str, str], styles: Styles, base: Options | None = None) -> Options:
    """Options from text values keyed by field (a form, a query, the command line).

    Unknown fields are ignored here (the caller decides what it accepts); every bad value
    is reported at once in one OptionsError.
    """
    table = rules(styles)
    chosen: dict[str, object] = {}
    problems: list[OptionProblem] = []
    for name, raw in values.items():
        if name not in table:
            continue
        try:
            chosen[name] = table[name].parse(raw)
        except OptionsError as exc:
            problems += exc.problems
    if problems:
        raise OptionsError(problems)
    return replace(base or defaults(styles), **chosen)  # type: ignore[arg-type]


def check(options: Options, styles: Styles, names: Iterable[str] | None = None) -> None:
    """OptionsError unless every option (or every one of ``names``) is allowed."""
    table = rules(styles)
    wanted = set(names) if names is not None else {f.name for f in fields(Options)}
    problems: list[OptionProblem] = []
    for name in sorted(wanted & set(table)):
        try:
            table[name].check(getattr(options, name))
        except OptionsError as exc:
            problems += exc.problems
    if problems:
        raise OptionsError(problems)


def describe(options: Mapping[str, object], styles: Styles) -> str:
    """'24 point, yellow on black, line spacing 1.5' for the options a file was made with."""
    parts = []
    if "size" in options:
        parts.append(f"{options['size']} point")
    if "scheme" in options:
        scheme = styles.schemes.get(str(options["scheme"]))
        label = scheme.label if scheme else str(options["scheme"])
        parts.append(label[:1].lower() + label[1:])
    if "line_spacing" in options:
        value = options["line_spacing"]
        parts.append(f"line spacing {_num(value) if isinstance(value, float) else value}")
    if "grade" in options:
        parts.append(f"grade {options['grade']}")
    table = rules(styles)
    if "font" in options:
        parts.append(table["font"].label_of(options["font"]) if str(options["font"]) in
                     styles.fonts else str(options["font"]))
    for name in ("letter_spacing", "word_spacing"):
        if options.get(name):
            parts.append(f"{table[name].label.lower()} {table[name].label_of(options[name])}")
    return ", ".join(parts)


def _num(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def shown(value: str, width: int = 40) -> str:
    """A value quoted in a message, cut short: a message never repeats a huge value."""
    return repr(value if len(value) <= width else value[: width - 1] + "…")
