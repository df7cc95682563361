"""Interface words per language (catalogues in exporter/messages/), dates and plurals via Babel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from exporter.yamltext import safe_load

FALLBACK = "en"

#: The message catalogues, one YAML file per language (a folder of the package: no
#: importlib.resources needed, which would cost ~5 ms of every start).
CATALOGUES = Path(__file__).resolve().parent / "messages"


@dataclass(frozen=True)
class Messages:
    """The interface words of one language, English for any word its catalogue lacks."""

    language: str  #: the document's tag, e.g. "cy-GB"
    catalogue: str  #: the catalogue used: "cy", or "en" when the language has none
    words: Mapping[str, Any]
    fallback: Mapping[str, Any]

    @property
    def complete(self) -> bool:
        """True when the language has a catalogue of its own."""
        return self.catalogue == _primary(self.language) or self.catalogue == self.language.lower()

    def __call__(self, key: str, **values: object) -> str:
        """The words for ``key`` ("contents", "callout.note"), with {placeholders} filled in."""
        found = _lookup(self.words, key)
        if not isinstance(found, str):
            found = _lookup(self.fallback, key)
        if not isinstance(found, str):
            raise KeyError(f"no message '{key}' in the {self.catalogue} catalogue")
        return found.format(**values) if values else found

    def plural(self, key: str, n: int, **values: object) -> str:
        """The form of ``key`` for the number ``n`` (CLDR plural rules of the language)."""
        forms = _lookup(self.words, key)
        if not isinstance(forms, Mapping):
            forms, language = _lookup(self.fallback, key), FALLBACK
        else:
            language = self.catalogue
        if not isinstance(forms, Mapping):
            raise KeyError(f"no plural message '{key}'")
        category = plural_category(language, n)
        text = forms.get(category) or forms.get("other")
        if not isinstance(text, str):
            raise KeyError(f"message '{key}' has no '{category}' or 'other' form")
        return text.format(n=n, **values)

    def date(self, day: dt.date) -> str:
        """A date as people write it in the language: "5 March 2024", "5 Mawrth 2024"."""
        from babel import UnknownLocaleError
        from babel.dates import format_date

        for name in (self.language, self.catalogue):  # Babel knows more languages than we do
            try:
                return str(format_date(day, format="d MMMM y", locale=_babel_locale(name)))
            except (UnknownLocaleError, ValueError):
                continue
        return day.isoformat()

    def duration(self, seconds: float) -> str:
        """A length as said aloud: "6 minutes and 5 seconds"."""
        total = max(0, round(seconds))
        hours, rest = divmod(total, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [self.plural(unit, n) for n, unit in ((hours, "hours"), (minutes, "minutes"),
                                                       (secs, "seconds")) if n]
        if not parts:
            return self.plural("seconds", 0)
        if len(parts) == 1:
            return parts[0]
        conjunction = self("and")
        if not conjunction:  # a language whose "and" changes with the next word: commas only
            return ", ".join(parts)
        return ", ".join(parts[:-1]) + f" {conjunction} " + parts[-1]


def messages(language: str) -> Messages:
    """The catalogue for a language tag: exact ("pt-br"), then primary ("pt"), else English."""
    tag = language.lower()
    for name in (tag, _primary(tag)):
        words = _catalogue(name)
        if words is not None:
            return Messages(language, name, words, _catalogue(FALLBACK) or {})
    return Messages(language, FALLBACK, _catalogue(FALLBACK) or {}, _catalogue(FALLBACK) or {})


def available() -> tuple[str, ...]:
    """The languages with a catalogue of their own."""
    folder = CATALOGUES
    return tuple(sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                        if p.name.endswith(".yaml")))


def plural_category(language: str, n: int) -> str:
    """CLDR's plural category of ``n`` in ``language`` ("one", "few", "other" ...)."""
    from babel import Locale

    return str(Locale.parse(_babel_locale(language)).plural_form(n))


@cache
def _catalogue(name: str) -> Mapping[str, Any] | None:
    if not name or not name.replace("-", "").isalnum():
        return None
    path = CATALOGUES / f"{name}.yaml"
    if not path.is_file():
        return None
    data = safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, Mapping) else None


def _lookup(words: Mapping[str, Any], key: str) -> Any:
    node: Any = words
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def _babel_locale(name: str) -> str:
    return name.replace("-", "_")
