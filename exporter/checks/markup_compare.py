"""Compares the structures read back from (X)HTML pages with the source: tables as tables,
pictures with their alt text, quotations, and notes linked both ways, for the HTML and EPUB
checks (an EPUB is several pages, so links are resolved between them)."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from exporter.checks.markup import LANDMARK_ROLES, ImageRead, PageReader, QuoteRead, TableRead
from exporter.model import (
    Block,
    Callout,
    Document,
    Figure,
    Image,
    NoteRef,
    Quote,
    Table,
    iter_inlines,
    plain_text,
    walk_blocks,
)
from exporter.sentences import missing_in_order, normalise, of_blocks, of_notes

#: (page path, src) -> (media type, bytes) of the picture, or why it cannot be found.
PictureSource = Callable[[str, str], "tuple[str, bytes] | str"]
_MARKER = re.compile(r"^\[(\d+)\]$")
_DASHES = "—–-― "


@dataclass(frozen=True)
class Page:
    """One HTML file or EPUB content document as read, named by its path (links resolve
    against it)."""

    path: str
    reader: PageReader


def _t(parts: Sequence[str]) -> str:
    return normalise("".join(parts))


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _note_blocks(doc: Document) -> tuple[Block, ...]:
    return tuple(b for note in doc.notes for b in note.blocks)


def _parts(doc: Document) -> tuple[tuple[tuple[Block, ...], bool, str], ...]:
    """The main text and the notes: each is compared with what was read in the same place."""
    return ((doc.blocks, False, ""), (_note_blocks(doc), True, " in the notes"))


def _count(kind: str, got: int, want: int, where: str) -> list[str]:
    return [] if got == want else [f"{kind}{where}: {got}, the source has {want}"]


# ---------------------------------------------------------------- tables


def tables(doc: Document, pages: Sequence[Page]) -> list[str]:
    """Each table is a <table> with the source's caption, <th scope="col"> headers and rows."""
    problems: list[str] = []
    for blocks, in_notes, where in _parts(doc):
        want = [b for b in walk_blocks(blocks) if isinstance(b, Table)]
        got = [(p.path, t) for p in pages for t in p.reader.tables if t.in_notes == in_notes]
        problems += _count("tables", len(got), len(want), where)
        for i, (table, (path, read)) in enumerate(zip(want, got, strict=False), 1):
            problems += [f"{path}: table {i}{where}: {p}" for p in _table(table, read)]
    return problems


def _table(want: Table, got: TableRead) -> list[str]:
    problems = []
    caption = normalise(plain_text(want.caption))
    if caption and not got.has_caption:
        problems.append(f"no <caption> ('{_short(caption)}' in the source)")
    elif _t(got.caption) != caption:
        problems.append(f"caption '{_short(_t(got.caption))}', the source says '{_short(caption)}'")
    headers = [normalise(plain_text(c.children)) for c in want.header]
    found = [_t(text) for _, _, text in got.header]
    if found != headers:
        problems.append(f"column headers {found}, the source has {headers}")
    for tag, scope, text in got.header:
        if _t(text) and (tag != "th" or scope != "col"):
            problems.append(f"column header '{_short(_t(text))}' is <{tag}"
                            f"{f' scope={scope!r}' if scope else ''}>, not <th scope=\"col\">")
    if len(got.rows) != len(want.rows):
        problems.append(f"{len(got.rows)} rows, the source has {len(want.rows)}")
    for r, (row, read) in enumerate(zip(want.rows, got.rows, strict=False), 1):
        cells = [normalise(plain_text(c.children)) for c in row]
        if [_t(c) for c in read] != cells:
            problems.append(f"row {r} reads {[_t(c) for c in read]}, the source has {cells}")
    return problems


# ---------------------------------------------------------------- pictures


def figures(doc: Document, pages: Sequence[Page], picture: PictureSource) -> list[str]:
    """Each picture is an <img> with the source's alt text and the source's own file; a figure
    keeps its caption."""
    problems: list[str] = []
    for blocks, in_notes, where in _parts(doc):
        captions = {id(b.image): b.caption for b in walk_blocks(blocks) if isinstance(b, Figure)}
        want = [n for n in iter_inlines(blocks) if isinstance(n, Image)]
        got = [(p.path, m) for p in pages for m in p.reader.images if m.in_notes == in_notes]
        problems += _count("pictures", len(got), len(want), where)
        for i, (image, (path, read)) in enumerate(zip(want, got, strict=False), 1):
            caption = captions.get(id(image))
            problems += [f"{path}: picture {i}{where} ({image.src}): {p}"
                         for p in _picture(image, caption, path, read, picture)]
    return problems


def _picture(want: Image, caption: object, path: str, got: ImageRead,
             picture: PictureSource) -> list[str]:
    problems = []
    alt = normalise(want.alt)
    if got.alt is None or not got.alt.strip():
        problems.append("no alt text")
    elif normalise(got.alt) != alt:
        problems.append(f"alt text '{_short(normalise(got.alt))}', the source says "
                        f"'{_short(alt)}'")
    found = picture(path, got.src)
    if isinstance(found, str):
        problems.append(found)
    else:
        media_type, data = found
        try:
            source = Path(want.path).read_bytes()
        except OSError as exc:
            source = b""
            problems.append(f"cannot read the source's picture {want.path}: {exc.strerror}")
        if source and hashlib.sha256(data).digest() != hashlib.sha256(source).digest():
            problems.append("the picture is not the source's file")
        if media_type != want.media_type:
            problems.append(f"media type '{media_type}', the file is {want.media_type}")
    if isinstance(caption, tuple) and caption:
        text = normalise(plain_text(caption))
        if got.caption is None:
            problems.append("not in a <figure>")
        elif _t(got.caption) != text:
            problems.append(f"caption '{_short(_t(got.caption))}', the source says "
                            f"'{_short(text)}'")
    return problems


# ---------------------------------------------------------------- quotations


def quotations(doc: Document, pages: Sequence[Page]) -> list[str]:
    """Each quotation is a <blockquote> holding its sentences, its attribution beside it."""
    problems: list[str] = []
    for blocks, in_notes, where in _parts(doc):
        want = [b for b in walk_blocks(blocks) if isinstance(b, Quote)]
        got = [(p.path, q) for p in pages for q in p.reader.quotes if q.in_notes == in_notes]
        problems += _count("quotations", len(got), len(want), where)
        for i, (quote, (path, read)) in enumerate(zip(want, got, strict=False), 1):
            problems += [f"{path}: quotation {i}{where}: {p}" for p in _quote(quote, read)]
    return problems


def _quote(want: Quote, got: QuoteRead) -> list[str]:
    problems = []
    missing = missing_in_order(of_blocks(want.blocks), _t(got.text))
    if missing:
        problems.append(f"{len(missing)} sentences not in the <blockquote>: "
                        f"'{_short(missing[0])}'")
    attribution = normalise(plain_text(want.attribution))
    if attribution:
        found = _t(got.attribution).lstrip(_DASHES) if got.attribution is not None else None
        if found is None:
            problems.append(f"no attribution with it ('{_short(attribution)}' in the source)")
        elif found != attribution:
            problems.append(f"attribution '{_short(found)}', the source says "
                            f"'{_short(attribution)}'")
    return problems


# ---------------------------------------------------------------- notes


def notes(doc: Document, pages: Sequence[Page]) -> list[str]:
    """Markers in order and linked to their notes; each note present, in order, with every
    sentence, and linked back to its marker."""
    problems: list[str] = []
    note_at = {(p.path, n.id): n for p in pages for n in p.reader.notes if n.id}
    ref_at = {(p.path, r.id): r for p in pages for r in p.reader.refs if r.id}
    for blocks, in_notes, where in _parts(doc):
        want = [n.number for n in iter_inlines(blocks) if isinstance(n, NoteRef)]
        got = [_number(r.text) for p in pages for r in p.reader.refs if r.in_notes == in_notes]
        if got != want:
            problems.append(f"note markers{where} read {_markers(got)}, the source has "
                            f"{_markers(want)}")
    for p in pages:
        for r in p.reader.refs:
            note = note_at.get(_resolve(p.path, r.href))
            number = _number(r.text)
            if note is None:
                problems.append(f"{p.path}: marker {_markers([number])} links to '{r.href}', "
                                "which is not a note")
            elif note.number != number:
                problems.append(f"{p.path}: marker {_markers([number])} links to note "
                                f"{note.number}")
    read = sorted(((p.path, n) for p in pages for n in p.reader.notes), key=lambda x: x[1].number)
    numbers = [n.number for _, n in read]
    if numbers != [n.number for n in doc.notes]:
        problems.append(f"notes numbered {numbers}, the source has "
                        f"{[n.number for n in doc.notes]}")
    for path, note in read:
        targets = [ref_at.get(_resolve(path, href)) for href in note.backlinks]
        if not targets:
            problems.append(f"{path}: note {note.number} has no link back to the text")
        elif any(t is None or _number(t.text) != note.number for t in targets):
            problems.append(f"{path}: note {note.number} links back to {note.backlinks}, "
                            f"not to its marker")
    missing = missing_in_order(of_notes(doc), "\n".join(_t(n.text) for _, n in read))
    if missing:
        problems.append(f"{len(missing)} of {len(of_notes(doc))} note sentences missing or out "
                        f"of order: '{_short(missing[0], 70)}'")
    if doc.notes and not any(p.reader.notes_parts for p in pages):
        problems.append("no notes part (role=\"doc-endnotes\")")
    return problems


def _number(text: Sequence[str]) -> int:
    m = _MARKER.match(_t(text))
    return int(m.group(1)) if m else 0


def _markers(numbers: Sequence[int]) -> str:
    return " ".join(f"[{n}]" if n else "[?]" for n in numbers) or "none"


def _resolve(base: str, href: str) -> tuple[str, str]:
    """(page path, id) that ``href`` in page ``base`` points to."""
    file, _, fragment = href.partition("#")
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base), file)) if file else base
    return path, fragment


def callouts(doc: Document, pages: Sequence[Page]) -> list[str]:
    """Each callout box as the source has it: named by its label alone (a name holding the
    text makes a screen reader read it twice) and no landmark (the Authoring Practices keep
    complementary landmarks at the top level, out of the main content)."""
    problems: list[str] = []
    for blocks, in_notes, place in _parts(doc):
        want = [normalise(b.label) for b in walk_blocks(blocks) if isinstance(b, Callout)]
        read = [(p.path, c, normalise(c.name(p.reader.name_texts)))
                for p in pages for c in p.reader.callouts if c.in_notes == in_notes]
        problems += _count("callout boxes", len(read), len(want), place)
        for (path, callout, name), label in zip(read, want, strict=False):
            where = f"{path}: callout '{_short(label)}'{place}"
            if callout.role in LANDMARK_ROLES:
                problems.append(f"{where} is a {callout.role} landmark inside the page's "
                                "content")
            if name != label:
                problems.append(f"{where} is named '{_short(name, 80)}', not by its label")
    return problems
