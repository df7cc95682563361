"""Reading braille pages back: the text through liblouis, headings and contents where they are.

Shared by the writer (which refuses to publish braille that does not read back as the source)
and by `exporter check` (which reads the published BRF).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from exporter import sentences as sent
from exporter.links import reference_patterns
from exporter.locale import messages
from exporter.model import Document
from exporter.writers.braille.book import contents_entries, contents_entry
from exporter.writers.braille.cells import BLANK, BOTTOM_BOX, CONTINUATION, TOP_BOX
from exporter.writers.braille.inline import NOTE_MARK, SHOWN_ADDRESS
from exporter.writers.braille.layout import centre, wrap
from exporter.writers.braille.settings import Indent, Settings
from exporter.writers.braille.translator import Braille

#: Print characters braille does not tell apart, folded together before comparing: UEB has one
#: apostrophe and one dash sign for all their print forms, and liblouis reads single quotation
#: marks back as double ones. Nothing else is folded, so a changed or missing word is found.
_FOLD = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'", "´": "'",
                       "“": "'", "”": "'", "„": "'", "″": "'", '"': "'",
                       "–": "—", "‒": "—", "―": "—"})
#: A contents entry's last line: guide dots, a blank cell, the braille page number.
_ENTRY_END = re.compile("(.*?)\u2800\u2810{2,}\u2800(\u283c[⠁⠃⠉⠙⠑⠋⠛⠓⠊⠚]+)$")


def plain(text: str, added: Sequence[re.Pattern[str]] = ()) -> str:
    """Text as compared between source and braille (see _FOLD; shown web addresses removed,
    and what braille adds after a link to another page, ``added``: exporter.links)."""
    text = text.translate(_FOLD)
    for pattern in added:  # made with fold() applied to their words
        text = pattern.sub("", text)
    return sent.normalise(NOTE_MARK.sub("", SHOWN_ADDRESS.sub("", text)))


def fold(text: str) -> str:
    """``text`` with the print characters braille does not tell apart folded together."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Placed:
    """A braille line where it was found: page number (from 1), line on the page (from 1)."""

    page: int
    line: int
    cells: str


def text_lines(pages: Sequence[Sequence[str]], settings: Settings,
               first: int = 1) -> list[Placed]:
    """Every line of some pages but their page-number lines, with where it is."""
    out = []
    for n, page in enumerate(pages, start=first):
        lines = list(page)
        skip = 0 if settings.number_at_top else len(lines) - 1
        if not settings.number_at_top and len(lines) < settings.lines:
            skip = -1  # a short page has no number line at its foot
        for i, line in enumerate(lines, start=1):
            if i - 1 != skip:
                out.append(Placed(n, i, line.rstrip(BLANK)))
    return out


def joined(lines: Sequence[Placed]) -> str:
    """The cells of lines as one run: blank and box lines left out, continued sequences joined."""
    parts: list[str] = []
    carry = False
    for p in lines:
        cells = p.cells.strip(BLANK)
        if not cells or set(cells) in ({TOP_BOX}, {BOTTOM_BOX}):
            continue
        if carry and parts:
            parts[-1] += cells
        else:
            parts.append(cells)
        carry = cells.endswith(CONTINUATION)
        if carry:
            parts[-1] = parts[-1][:-1]
    return BLANK.join(parts)


def missing(wanted: Sequence[str], body: Sequence[Placed], braille: Braille,
            added: Sequence[re.Pattern[str]] = ()) -> list[str]:
    """Source sentences not found, in order, in the back-translated body.

    Some tables read back lossily (liblouis' Welsh tables return "heddiw4" for "heddiw."): a
    sentence not found in the back-translation is looked for, in order, as braille cells too,
    translated through the same table. A sentence that is in neither is missing.
    """
    cells = joined(body)
    text = plain(braille.back(cells), added)
    pos_text, pos_cells, lost = 0, 0, []
    for s in wanted:
        target = plain(s)
        found = text.find(target, pos_text)
        if found >= 0:
            pos_text = found + len(target)
            continue
        as_cells = braille.cells(SHOWN_ADDRESS.sub("", s))
        found = cells.find(as_cells, pos_cells) if as_cells else -1
        if found >= 0:
            pos_cells = found + len(as_cells)
            continue
        lost.append(s)
    return lost


def heading_lines(title: str, level: int, settings: Settings, braille: Braille) -> list[str]:
    """The lines a heading is set in, as the layout sets it."""
    form = settings.heading(level)
    cells = braille.cells(title)
    if form.centred:
        return centre(cells, settings.cells, settings.centred_margin)
    return wrap(cells, Indent(form.cell, form.cell), settings.cells)


def find_headings(doc: Document, body: Sequence[Placed], settings: Settings,
                  braille: Braille) -> tuple[dict[int, int], list[str]]:
    """Each heading of the outline, in order, set in its level's form after a blank line (or at
    a page's top): outline index -> braille page, and problems for those not found."""
    pages: dict[int, int] = {}
    problems: list[str] = []
    pos = 0
    for e in doc.outline:
        want = heading_lines(e.title, e.level, settings, braille)
        form = settings.heading(e.level)
        where = None
        for i in range(pos, len(body) - len(want) + 1):
            if [p.cells for p in body[i:i + len(want)]] != want:
                continue
            top = i == 0 or body[i - 1].page != body[i].page or not body[i - 1].cells
            if top:
                where = i
                break
        if where is None:
            shape = "centred" if form.centred else f"in cell {form.cell}"
            problems.append(f"heading {e.index + 1} '{e.title}' (level {e.level}) is not found "
                            f"{shape} after a blank line, in order")
            continue
        pages[e.index] = body[where].page
        pos = where + len(want)
    return pages, problems


def check_contents(doc: Document, front: Sequence[Placed], headings: dict[int, int],
                   settings: Settings, braille: Braille) -> list[str]:
    """Problems with the contents entries: each in order, with the page its heading is on."""
    title = centre(braille.cells(messages(doc.meta.language)("contents")),
                   settings.cells, settings.centred_margin)
    cells = [p.cells for p in front]
    start = next((i for i in range(len(cells)) if cells[i:i + len(title)] == title), None)
    if start is None:
        return ["no contents page: its centred heading is not on the pages before the text"]
    lines = [p for p in front[start + len(title):] if p.cells]
    problems: list[str] = []
    top = min((e.level for e in contents_entries(doc)), default=2)
    for e in contents_entries(doc):
        entry: list[Placed] = []
        while lines:
            entry.append(lines.pop(0))
            if _ENTRY_END.match(entry[-1].cells):
                break
        end = _ENTRY_END.match(entry[-1].cells) if entry else None
        if end is None:
            problems.append(f"contents: no entry for '{e.label}'")
            break
        number = braille.back(end.group(2)).strip()
        page = headings.get(e.index)
        want = contents_entry(braille.cells(e.label), braille.cells(str(page or number)),
                              (e.level - top) * settings.contents_step, settings)
        entry_cells = joined([*entry[:-1], Placed(0, 0, end.group(1))])
        label = plain(braille.back(entry_cells))
        if label != plain(e.label) and entry_cells != braille.cells(e.label):
            problems.append(f"contents entry {len(problems) + 1}: '{label}', the source has "
                            f"'{e.label}'")
        elif page is not None and number != str(page):
            problems.append(f"contents: '{e.label}' points to page {number}, its heading is on "
                            f"braille page {page}")
        elif [p.cells for p in entry] != want:
            problems.append(f"contents: '{e.label}' is not set as a contents entry (indent, "
                            "guide dots, right-justified number)")
    return problems


def verify(pages: Sequence[Sequence[str]], front_pages: int, doc: Document, settings: Settings,
           braille: Braille) -> list[str]:
    """Why these pages do not read back as the document (empty when they do)."""
    lines = text_lines(pages, settings)
    front = [p for p in lines if p.page <= front_pages]
    body = [p for p in lines if p.page > front_pages]
    problems = []
    lost = missing([*sent.of_blocks(doc.blocks), *sent.of_notes(doc)], body, braille,
                   reference_patterns(doc, fold))
    if lost:
        problems.append(f"{len(lost)} sentences missing or changed, first: '{lost[0]}'")
    headings, found = find_headings(doc, body, settings, braille)
    problems += found
    problems += check_contents(doc, front, headings, settings, braille)
    return problems
