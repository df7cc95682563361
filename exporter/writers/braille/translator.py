"""The braille table for a document (language and grade) and translation to cells through it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from exporter.writers.base import WriterError
from exporter.writers.braille.cells import BLANK, is_cell
from exporter.writers.braille.louis import Louis, load, require_table
from exporter.writers.braille.settings import Settings

_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " "})
#: Where a sign has no 6-dot form in the document's table, UEB's (uncontracted) is used.
UEB_UNCONTRACTED = "en-ueb-g1.ctb"


def table_for(language: str, grade: int, settings: Settings, louis: Louis) -> str:
    """The liblouis table for a BCP 47 language tag and a grade; WriterError when there is none.

    styles/braille.yaml names the tables for the languages we have checked (English: UEB;
    Welsh); any other language is looked up in liblouis' table metadata.
    """
    primary = language.split("-")[0].lower()
    named = settings.tables.get(primary, {})
    # Many languages have no contracted braille at all: grade 2 then means their one code.
    for wanted in (grade, 1) if grade == 2 else (grade,):
        if wanted in named:
            table = named[wanted]
            break
        # Tables say "grade:2", or "contraction:full" / "contraction:no" (Polish, for one).
        contraction = "full" if wanted == 2 else "no"
        found = next((t for t in (louis.find_table(f"language:{primary} {q} type:literary")
                                  for q in (f"grade:{wanted}", f"contraction:{contraction}"))
                      # liblouis answers with its best match even for another language; an
                      # 8-dot table (Japanese kantenji) cannot fill a 6-dot braille page
                      if t is not None and louis.table_info(t, "language") == primary
                      and (louis.table_info(t, "dots") or "6").strip() != "8"), None)
        if found is not None:
            table = found
            break
    else:
        raise WriterError(
            f"braille: liblouis {louis.version} has no grade {grade} table for the language "
            f"'{language}'; add one for '{primary}' under 'tables' in styles/braille.yaml "
            "if liblouis has it under another name")
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
        """``text`` in braille; runs of white space become one blank cell, none at the ends.

        A table may give a sign as an 8-dot cell (liblouis' Welsh tables do for "@"), which a
        6-dot page cannot hold: such a word is written with UEB's sign instead.
        """
        words = text.translate(_SPACES).split()
        if not words:
            return ""
        cells = self.louis.translate(self.table, " ".join(words)).strip(BLANK)
        if all(is_cell(c) for c in cells):
            return cells
        out = []
        for word in words:
            one = self.louis.translate(self.table, word).strip(BLANK)
            if not all(is_cell(c) for c in one):
                one = self.louis.translate(UEB_UNCONTRACTED, word).strip(BLANK)
            if not all(is_cell(c) for c in one):
                raise WriterError(f"braille: '{word[:40]}' has no 6-dot braille in {self.table} "
                                  f"or {UEB_UNCONTRACTED}; write it another way in the source")
            out.append(one)
        return BLANK.join(out)

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
