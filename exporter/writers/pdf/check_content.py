"""Read-back checks of the PDF's content in reading order: sentences, notes, tables, figures and
quotations, each compared with the source."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from exporter import sentences as sent
from exporter.locale import messages
from exporter.model import (
    Block,
    Callout,
    DefinitionList,
    Document,
    Figure,
    ListBlock,
    Quote,
    Table,
    plain_text,
)
from exporter.writers.pdf.check_text import (
    clean,
    find_in_order,
    missing_report,
    strip_print_additions,
)
from exporter.writers.pdf.check_tree import BREAK, Node


def reading_text(tree: Node, printed: Sequence[str]) -> str:
    """What a screen reader reads, in order, without what print adds by design."""
    return strip_print_additions(clean(tree.content), printed)


def walk(blocks: Sequence[Block]) -> Iterator[Block]:
    """Every block, nested ones after their container, in reading order."""
    for b in blocks:
        yield b
        if isinstance(b, Callout | Quote):
            yield from walk(b.blocks)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from walk(item.blocks)
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                for definition in entry.definitions:
                    yield from walk(definition)


def sentences(wanted: Sequence[str], text: str) -> list[str]:
    """Every sentence of the main text, in order."""
    return missing_report(find_in_order(wanted, text).missing, len(wanted))


def notes(doc: Document, text: str, raw: str) -> list[str]:
    """The notes after the text, under their label, every note sentence in order, and each
    note's marker in the text before them (``raw``: the reading text, markers kept)."""
    if not doc.notes:
        return []
    label = messages(doc.meta.language)("notes")
    main = find_in_order(sent.of_blocks(doc.blocks), text)
    at = find_in_order([label], text, main.end)
    if at.missing:
        return [f"no '{label}' label after the main text: the notes' place is not marked"]
    problems = missing_report(find_in_order(sent.of_notes(doc), text, at.end).missing,
                              len(sent.of_notes(doc)), "note sentences")
    label_at = find_in_order([*sent.of_blocks(doc.blocks), label], raw).starts[-1]
    body = raw[: max(label_at, 0)].replace(BREAK, "")
    unmarked = [n.number for n in doc.notes if f"[{n.number}]" not in body]
    if unmarked:
        problems.append("no marker in the text for note " + ", ".join(map(str, unmarked)))
    return problems


def _flat(text: str) -> str:
    """Text compared cell by cell: a cell's words may wrap anywhere in its column."""
    return sent.normalise(text).replace(" ", "").replace(BREAK, "")


def tables(doc: Document, tree: Node, text: str, printed: Sequence[str]) -> list[str]:
    """Each source table is a tagged Table (header row of TH with column scope, every row and
    cell, the caption) or, re-flowed, every row's "header: value" lines in order."""
    tagged = tree.find("Table")
    problems: list[str] = []
    used = 0
    pos = 0
    words = messages(doc.meta.language)
    for number, table in enumerate((b for b in walk(doc.blocks) if isinstance(b, Table)), 1):
        name = f"table {number}" + (f" '{plain_text(table.caption)[:60]}'" if table.caption else "")
        heads = [_flat(plain_text(c.children)) for c in table.header]
        match = next((i for i in range(used, len(tagged))
                      if [_flat(h) for h in _header_texts(tagged[i])] == [h for h in heads if h]),
                     None)
        if match is not None:
            problems += [f"{name}: {p}" for p in _tagged(table, tagged[match], printed)]
            used = match + 1
            continue
        lines = [words("row", n=r) for r in range(1, len(table.rows) + 1)]
        wanted: list[str] = []
        for r, row in enumerate(table.rows):
            wanted.append(lines[r])
            for head, cell in zip(table.header, row, strict=False):
                value = plain_text(cell.children).strip()
                if value:
                    h = plain_text(head.children).strip()
                    wanted.append(f"{h}: {value}" if h else value)
        found = find_in_order(wanted, text, pos)
        if found.missing:
            problems.append(f"{name} is neither tagged as a Table with these column headers nor "
                            "re-flowed with every header and value; "
                            + missing_report(found.missing, len(wanted), "lines")[0])
        else:
            pos = found.end
    return problems


def _header_texts(table: Node) -> list[str]:
    heads = [n for n in table.kids if n.tag == "THead"]
    rows = [r for h in heads for r in h.kids if r.tag == "TR"]
    return [strip_print_additions(clean(c.content), ()).replace(BREAK, "")
            for c in (rows[0].kids if rows else ()) if c.tag == "TH"]


def _tagged(table: Table, node: Node, printed: Sequence[str]) -> list[str]:
    problems = []
    heads = [n for n in node.kids if n.tag == "THead"]
    if len(heads) != 1:
        problems.append(f"{len(heads)} THead elements, not 1 (the header row, once)")
    unscoped = [th for h in heads for th in h.find("TH") if th.scope not in ("Column", "Both")]
    if unscoped:
        problems.append(f"{len(unscoped)} column headers without /Scope /Column")
    rows = [r for b in node.kids if b.tag == "TBody" for r in b.kids if r.tag == "TR"]
    if len(rows) != len(table.rows):
        problems.append(f"{len(rows)} body rows tagged, the source has {len(table.rows)}")
    for i, (row, want) in enumerate(zip(rows, table.rows, strict=False), 1):
        got = [_flat(strip_print_additions(clean(c.content), printed)) for c in row.kids
               if c.tag in ("TD", "TH")]
        expected = [_flat(plain_text(c.children)) for c in want]
        if got != expected:
            problems.append(f"row {i}: cells read {got}, the source has {expected}")
            break
    captions = [c for c in node.kids if c.tag == "Caption"]
    if table.caption and not (captions and _flat(clean(captions[0].content)) ==
                              _flat(plain_text(table.caption))):
        problems.append("its caption is not tagged as the table's Caption")
    return problems


def figures(doc: Document, tree: Node) -> list[str]:
    """A Figure element for each picture, in order, whose /Alt is the source's alt text."""
    want = [b.image.alt for b in walk(doc.blocks) if isinstance(b, Figure)]
    want += [b.image.alt for n in doc.notes for b in walk(n.blocks) if isinstance(b, Figure)]
    got = [f.alt for f in tree.find("Figure")]
    problems = []
    if len(got) != len(want):
        problems.append(f"{len(got)} Figure elements, the source has {len(want)} pictures")
    for i, (g, w) in enumerate(zip(got, want, strict=False), 1):
        if g is None or sent.normalise(g) != sent.normalise(w):
            problems.append(f"figure {i}: /Alt is {'missing' if g is None else repr(g[:60])}, "
                            f"the source's alt text is {w[:60]!r}")
    return problems


def quotes(doc: Document, tree: Node) -> list[str]:
    """Each quotation's words inside a BlockQuote element, in order."""
    quoted = [q for q in walk(doc.blocks) if isinstance(q, Quote)]
    found = tree.find("BlockQuote")
    problems = []
    if len(found) < len(quoted):
        problems.append(f"{len(found)} BlockQuote elements, the source has {len(quoted)} "
                        "quotations")
    for i, (q, node) in enumerate(zip(quoted, found, strict=False), 1):
        inside = clean(node.content)
        missing = find_in_order(sent.of_blocks(q.blocks), inside).missing
        if missing:
            problems.append(f"quotation {i}: not inside its BlockQuote: '{missing[0][:60]}'")
    return problems

