"""The whole braille edition: title page, contents with braille page numbers, then the text.

The title page identifies the edition [UKAAF §4]: title, publisher, braille code and grade,
date of transcription, number of pages. The contents page lists every section with the braille
page it starts on, right-justified after guide dots [UKAAF App. H; BANA §2.10]. Page numbers
depend on how long the contents is, so the book is laid out until the numbers settle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter.locale import messages
from exporter.model import Document
from exporter.outline import Entry
from exporter.output import build_time
from exporter.writers.braille.cells import BLANK, GUIDE_DOT, blank
from exporter.writers.braille.layout import Line, Transcriber, centre, wrap
from exporter.writers.braille.paginate import number_pages, paginate
from exporter.writers.braille.settings import Indent, Settings
from exporter.writers.braille.translator import Braille


@dataclass
class Book:
    """Every braille page (page-number line included) and where things are."""

    pages: list[list[str]]  #: Unicode braille lines of each page
    title_pages: int  #: pages before the contents
    contents_pages: int
    headings: dict[int, int] = field(default_factory=dict)  #: outline index -> braille page

    @property
    def front_pages(self) -> int:
        """Pages before the text (title and contents)."""
        return self.title_pages + self.contents_pages


def contents_entries(doc: Document) -> list[Entry]:
    """The entries a contents page lists: every heading but a lone document title."""
    entries = list(doc.outline)
    roots = doc.outline.roots
    if len(roots) == 1 and roots[0].level == 1 and entries and entries[0] is roots[0]:
        entries = entries[1:]
    return entries


def build(doc: Document, settings: Settings, braille: Braille) -> Book:
    """Lay out the whole edition; page numbers in the contents and title page are final."""
    body = Transcriber(settings, braille, doc.outline, messages(doc.meta.language))
    body.blocks(doc.blocks)
    body.notes(doc.notes)
    capacity = settings.text_lines
    guess: dict[int, int] = {}
    total = 0
    for _ in range(8):  # settles in two or three rounds: only a page count can move it
        title = paginate(_title_flow(doc, settings, braille, total), capacity, 1)
        contents = paginate(_contents_flow(doc, settings, braille, guess), capacity, title.next)
        text = paginate(body.flow, capacity, contents.next)
        if text.headings == guess and text.next - 1 == total:
            break
        guess, total = text.headings, text.next - 1
    pages = [*title.pages, *contents.pages, *text.pages]
    return Book(number_pages(pages, 1, settings, lambda n: braille.cells(str(n))),
                len(title.pages), len(contents.pages), dict(text.headings))


def _title_flow(doc: Document, s: Settings, braille: Braille, total: int) -> list[Line]:
    meta, lang = doc.meta, doc.meta.language
    words = messages(lang)
    flow: list[Line] = []

    def centred(text: str) -> None:
        flow.extend(Line(c) for c in centre(braille.cells(text), s.cells, s.centred_margin))

    def gap() -> None:
        flow.append(Line())

    gap()
    centred(meta.title)
    gap()
    if meta.publisher:
        centred(words("published_by", publisher=meta.publisher))
    if meta.helpline:
        centred(s.word(lang, "helpline").format(helpline=meta.helpline))
    if meta.updated:
        centred(words("last_updated", date=words.date(meta.updated)))
    gap()
    centred(_code_name(lang, s, braille))
    centred(s.word(lang, "transcribed").format(date=words.date(build_time().date())))
    centred(s.word(lang, "pages").format(pages=max(total, 1), cells=s.cells, lines=s.lines))
    return flow


def _code_name(language: str, s: Settings, braille: Braille) -> str:
    """The braille code as the title page names it: ours for the languages we configured,
    else liblouis' own name of the table actually used (never a code it is not)."""
    primary = language.split("-")[0].lower()
    grades = {table: grade for grade, table in s.tables.get(primary, {}).items()}
    if braille.table in grades and s.words.get(primary, {}).get("code"):
        return s.word(language, "code").format(grade=grades[braille.table])
    return braille.louis.table_info(braille.table, "display-name") or braille.table


def _contents_flow(doc: Document, s: Settings, braille: Braille,
                   pages: dict[int, int]) -> list[Line]:
    lang = doc.meta.language
    flow = [Line(c, keep=True) for c in
            centre(braille.cells(messages(lang)("contents")), s.cells, s.centred_margin)]
    flow.append(Line(keep=True))
    entries = contents_entries(doc)
    top = min((e.level for e in entries), default=2)
    for e in entries:
        number = braille.cells(str(pages.get(e.index, 0) or 1))
        flow += [Line(c) for c in contents_entry(braille.cells(e.label), number,
                                                 (e.level - top) * s.contents_step, s)]
    return flow


def contents_entry(label: str, number: str, indent: int, s: Settings) -> list[str]:
    """One contents entry: its label wrapped short of the page-number column, then guide dots
    and the number right-justified on its last line."""
    reserve = 1 + s.min_guide_dots + 1 + len(number)
    lines = wrap(label, Indent(1 + indent, 1 + indent + s.contents_runover), s.cells - reserve)
    last = lines[-1]
    dots = s.cells - len(last) - 2 - len(number)
    lines[-1] = last + BLANK + GUIDE_DOT * dots + BLANK + number
    return lines


def guide_cells(s: Settings) -> str:
    """The shortest run of guide dots an entry line ends with (for reading entries back)."""
    return blank(1) + GUIDE_DOT * s.min_guide_dots + blank(1)
