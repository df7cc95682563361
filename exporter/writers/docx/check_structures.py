"""Read-back checks of the Word structures beyond text: tables, pictures, quotes, footnotes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from exporter import sentences
from exporter.checks.common import SIZE_TOLERANCE, Context, Finding, finding
from exporter.model import (
    Block,
    Callout,
    DefinitionList,
    Image,
    ListBlock,
    Quote,
    Table,
    iter_inlines,
    plain_text,
)
from exporter.writers.docx.wordfile import NOTE_MARK_STYLE, OFF, Element, Run, Word, _val, w

WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
B = TypeVar("B", Table, Quote)


def structure_findings(ctx: Context, word: Word, name: str, size: float) -> list[Finding]:
    tables = list(_walk(ctx.doc.blocks, Table))
    images = _source_images(ctx)
    return [
        finding("content", "docx.tables", name, _tables(ctx, word),
                f"{len(tables)} table(s) with a repeating bold header row, caption and the "
                "source's cells"),
        finding("content", "docx.images", name, _images(ctx, word),
                f"{len(images)} picture(s), each embedded with the source's alt text"),
        finding("content", "docx.quotes", name, _quotes(ctx, word),
                "every quotation in the Quote style"),
        finding("content", "docx.notes", name, _notes(ctx, word, size),
                f"{len(ctx.doc.notes)} footnote(s), every sentence in order, marked at body "
                "size"),
    ]


def _walk(blocks: tuple[Block, ...], kind: type[B]) -> Iterator[B]:
    """Blocks of one kind, nested ones included, in reading order."""
    for b in blocks:
        if isinstance(b, kind):
            yield b
        if isinstance(b, ListBlock):
            for item in b.items:
                yield from _walk(item.blocks, kind)
        elif isinstance(b, Callout | Quote):
            yield from _walk(b.blocks, kind)
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                for definition in entry.definitions:
                    yield from _walk(definition, kind)


def _norm(text: str) -> str:
    return sentences.normalise(text)


# ------------------------------------------------------------------ tables


def _tables(ctx: Context, word: Word) -> list[str]:
    want = [*_walk(ctx.doc.blocks, Table),
            *(t for note in ctx.doc.notes for t in _walk(note.blocks, Table))]
    found = [*_top_tables(word.doc.element.body),
             *(_top_tables(word.footnotes_root) if word.footnotes_root is not None else [])]
    problems = []
    if len(found) != len(want):
        problems.append(f"{len(found)} tables, the source has {len(want)}")
    for i, (table, tbl) in enumerate(zip(want, found, strict=False), start=1):
        problems += [f"table {i}: {p}" for p in _table(word, table, tbl)]
    return problems


def _top_tables(root: Element) -> list[Element]:
    return [t for t in root.iter(w("tbl")) if not any(a.tag == w("tbl") for a in t.iterancestors())]


def _table(word: Word, table: Table, tbl: Element) -> list[str]:
    rows = tbl.findall(w("tr"))
    if not rows:
        return ["has no rows"]
    problems = []
    if rows[0].find(f"{w('trPr')}/{w('tblHeader')}") is None:
        problems.append("the first row is not marked as a header row (w:tblHeader): screen "
                        "readers will not announce column headers, print will not repeat it")
    got = [[_norm(" ".join(word.text(p) for p in tc.iter(w("p")))) for tc in tr.findall(w("tc"))]
           for tr in rows]
    expected = [[_norm(plain_text(c.children)) for c in row] for row in (table.header, *table.rows)]
    if got[0] != expected[0]:
        problems.append(f"header cells {got[0]}, the source has {expected[0]}")
    if len(got) != len(expected):
        problems.append(f"{len(got) - 1} body rows, the source has {len(expected) - 1}")
    else:
        bad = [i for i, (g, e) in enumerate(zip(got[1:], expected[1:], strict=True), 1) if g != e]
        if bad:
            problems.append(f"row {bad[0]} has {got[bad[0]]}, the source has {expected[bad[0]]}")
    plain = [Run("document", p, r) for p in rows[0].iter(w("p")) for r in p.iter(w("r"))
             if "".join(t.text or "" for t in r.iter(w("t"))).strip()
             and not _bold(word, Run("document", p, r))]
    if plain:
        problems.append(f"header cell text not bold: '{plain[0].text.strip()[:40]}'")
    title = _val(tbl.find(f"{w('tblPr')}/{w('tblCaption')}"))
    if not (title or "").strip():
        problems.append("no title (w:tblCaption) for screen readers")
    caption = _norm(plain_text(table.caption))
    if caption:
        before = tbl.getprevious()
        text = _norm(word.text(before)) if before is not None and before.tag == w("p") else ""
        if caption not in text:
            problems.append(f"caption '{caption}' is not the paragraph before the table")
    return problems


def _bold(word: Word, r: Run) -> bool:
    el = word.styles.first(word.styles.run_props(r), "b")
    return el is not None and (_val(el) or "true").lower() not in OFF


# ------------------------------------------------------------------ pictures


def _source_images(ctx: Context) -> list[Image]:
    notes = tuple(b for n in ctx.doc.notes for b in n.blocks)
    return [n for n in (*iter_inlines(ctx.doc.blocks), *iter_inlines(notes))
            if isinstance(n, Image)]


def _images(ctx: Context, word: Word) -> list[str]:
    want = [_norm(i.alt) for i in _source_images(ctx)]
    parts = [(word.doc.element.body, word.doc.part.rels)]
    if word.footnotes_root is not None:
        parts.append((word.footnotes_root, word.footnotes.rels))
    found: list[str] = []
    problems = []
    for root, rels in parts:
        for drawing in root.iter(w("drawing")):
            doc_pr = next(drawing.iter(f"{{{WP}}}docPr"), None)
            descr = _norm(doc_pr.get("descr", "")) if doc_pr is not None else ""
            found.append(descr)
            if not descr:
                problems.append(f"picture {len(found)} has no alt text (wp:docPr descr)")
            blip = next(drawing.iter(f"{{{A}}}blip"), None)
            rid = blip.get(f"{{{R}}}embed") if blip is not None else None
            rel = rels.get(rid) if rid else None
            if rel is None or rel.is_external or rel.reltype != IMAGE_REL:
                problems.append(f"picture {len(found)} ('{descr[:40]}') is not an image "
                                "inside the file")
    if len(found) != len(want):
        problems.insert(0, f"{len(found)} pictures, the source has {len(want)}")
    else:
        wrong = [(g, e) for g, e in zip(found, want, strict=True) if g and g != e]
        problems += [f"alt text '{g[:40]}', the source says '{e[:40]}'" for g, e in wrong[:3]]
    return problems


# ------------------------------------------------------------------ quotations


def _quotes(ctx: Context, word: Word) -> list[str]:
    quotes = list(_walk(ctx.doc.blocks, Quote))
    want = [s for q in quotes for s in (*sentences.of_blocks(q.blocks),
                                        *sentences.split(plain_text(q.attribution)))]
    if not want:
        return []
    quoted = [p for p in word.body if _in_quote_style(word, p)]
    missing = sentences.missing_in_order(want, "\n".join(word.text(p) for p in quoted))
    if not missing:
        return []
    return [f"{len(missing)} of {len(want)} quoted sentences are not in the Quote style, "
            f"first '{missing[0][:60]}'"]


def _in_quote_style(word: Word, p: Element) -> bool:
    return any((_val(s.find(w("name"))) or "").lower() == "quote"
               for s in word.styles.chain(word.styles.para_style(p)))


# ------------------------------------------------------------------ footnotes


def _notes(ctx: Context, word: Word, size: float) -> list[str]:
    notes = ctx.doc.notes
    refs = [(p, r) for p in word.body for r in p.iter(w("r"))
            if r.find(w("footnoteReference")) is not None]
    if not notes:
        return [f"{len(refs)} footnote references, the source has no notes"] if refs else []
    if word.footnotes_root is None:
        return [f"no footnotes part: the source's {len(notes)} notes are missing"]
    footnotes = {fn.get(w("id")): fn for fn in word.footnotes_root.findall(w("footnote"))
                 if fn.get(w("type")) in (None, "normal")}
    problems = []
    shown = _shown_numbers(refs)
    ids = [_val(r.find(w("footnoteReference")), "id") for _, r in refs]
    dangling = [i for i in ids if i not in footnotes]
    if dangling:
        problems.append(f"references to missing footnotes: {', '.join(map(str, dangling))}")
    if len(ids) != len(notes):
        problems.append(f"{len(ids)} footnotes in the text, the source has {len(notes)} notes")
    if sorted(shown) != list(range(1, len(shown) + 1)):
        problems.append(f"notes are shown as {shown}, not numbered 1 to {len(shown)}")
    # Compared in the order of the numbers readers see, which is the source's note order.
    by_number = [i for _, i in sorted(zip(shown, ids, strict=True), key=lambda pair: pair[0])]
    text = "\n".join(word.text(p) for i in by_number if i in footnotes
                     for p in footnotes[i].iter(w("p")))
    wanted = sentences.of_notes(ctx.doc)
    missing = sentences.missing_in_order(wanted, text)
    if missing:
        named = "; ".join(f"'{s[:50]}'" for s in missing[:3])
        problems.append(f"{len(missing)} of {len(wanted)} note sentences missing or out of "
                        f"order: {named}")
    problems += _marks(word, refs, size)
    return problems


def _shown_numbers(refs: list[tuple[Element, Element]]) -> list[int]:
    """The number Word shows for each reference: its own mark when one follows, else the
    count of automatically numbered footnotes so far."""
    shown, auto = [], 0
    for _, r in refs:
        ref = r.find(w("footnoteReference"))
        if (_val(ref, "customMarkFollows") or "0").lower() not in OFF:
            after = r.getnext()
            mark = "".join(t.text or "" for t in after.iter(w("t"))) if after is not None else ""
            shown.append(int(mark) if mark.strip().isdigit() else 0)
        else:
            auto += 1
            shown.append(auto)
    return shown


def _marks(word: Word, refs: list[tuple[Element, Element]], size: float) -> list[str]:
    """Large print: note numbers on the line at body size, never small superscripts."""
    found: dict[str, str] = {}
    for n, (p, r) in enumerate(refs, start=1):
        run = Run("document", p, r)
        align = _val(word.styles.first(word.styles.run_props(run), "vertAlign")) or "baseline"
        got = word.styles.size(run)
        style = _val(r.find(f"{w('rPr')}/{w('rStyle')}"))
        if align != "baseline":
            found.setdefault("align", f"note {n}'s number is {align}: large print keeps it on "
                                      "the line at body size")
        if got is None or got < size - SIZE_TOLERANCE:
            found.setdefault("size", f"note {n}'s number at {got}pt, below {size:g}pt")
        if style != NOTE_MARK_STYLE:
            found.setdefault("style", f"note {n}'s reference in style '{style}', not "
                                      f"'{NOTE_MARK_STYLE}'")
    return list(found.values())
