"""The braille table for a document (language and grade) and translation to cells through it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from exporter.writers.base import WriterError
from exporter.writers.braille.cells import BLANK
from exporter.writers.braille.louis import Louis, load, require_table
from exporter.writers.braille.settings import Settings

_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " "})


def table_for(language: str, grade: int, settings: Settings, louis: Louis) -> str:
    """The liblouis table for a BCP 47 language tag and a grade; WriterError when there is none.

    styles/braille.yaml names the tables for the languages we have checked (English: UEB;
    Welsh); any other language is looked up in liblouis' table metadata.
    """
    primary = language.split("-")[0].lower()
    named = settings.tables.get(primary, {})
    if grade in named:
        table = named[grade]
    else:
        found = louis.find_table(f"language:{primary} grade:{grade} type:literary")
        # liblouis answers with its best match even when the language differs: check it.
        if found is None or louis.table_info(found, "language") != primary:
            raise WriterError(
                f"braille: liblouis {louis.version} has no grade {grade} table for the language "
                f"'{language}'; add one for '{primary}' under 'tables' in styles/braille.yaml "
                "if liblouis has it under another name")
        table = found
    require_table(louis, table)
    return table


@dataclass
class Braille:
    """Translation through one table: text to Unicode braille cells, cells back to text."""

    table: str
    grade: int
    louis: Louis = field(default_factory=load)

    @classmethod
    def for_document(cls, language: str, grade: int, settings: Settings) -> Braille:
        louis = load()
        return cls(table_for(language, grade, settings, louis), grade, louis)

    @classmethod
    def for_table(cls, table: str, grade: int) -> Braille:
        """Translation through a named table (as a manifest records it)."""
        louis = load()
        require_table(louis, table)
        return cls(table, grade, louis)

    def cells(self, text: str) -> str:
        """``text`` in braille; runs of white space become one blank cell, none at the ends."""
        words = text.translate(_SPACES).split()
        if not words:
            return ""
        return self.louis.translate(self.table, " ".join(words)).strip(BLANK)

    def back(self, cells: str) -> str:
        """Braille cells back-translated to print."""
        return self.louis.back(self.table, cells)

    def undefined(self, texts: Iterable[str]) -> list[str]:
        """The characters of ``texts`` this table has no braille for, named."""
        chars = sorted({c for t in texts for c in t if ord(c) > 0x7E})
        missing = []
        for char in chars:
            if unicodedata.category(char).startswith("Z"):
                continue  # spaces of every width become a blank cell
            if not self.louis.translate(self.table, char, drop_undefined=True).strip(BLANK):
                name = unicodedata.name(char, "unnamed character")
                missing.append(f"'{char}' (U+{ord(char):04X} {name})")
        return missing
