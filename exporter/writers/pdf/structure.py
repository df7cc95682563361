"""Post-processing of WeasyPrint's structure tree with pikepdf: whole tables, header scopes,
the ID tree, figure bounding boxes.

WeasyPrint 70 (pdf/tags.py) builds the tree page by page, so a table that runs over two
pages becomes two Table elements, the second starting with the header row printed again.
Here the parts are joined into one Table, and the repeated header rows are taken out of the
tree: ``artifacts.mark_furniture`` then re-marks their text as pagination artifacts, as it
does for running heads. Headers get /Scope /Column; the /ID WeasyPrint gives each TH (which
each TD's /Headers names) gets the /IDTree that makes it resolvable (ISO 32000-1, 14.7.2).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

# Imported at module top on purpose: only the PDF writer imports this module, inside render().
import pikepdf

#: WeasyPrint writes layout positions in CSS pixels from the top of the page.
_PT_PER_PX = 0.75


def table_keys(document: Any) -> list[list[int]]:
    """For each laid-out page, which source table each of its tables is (first seen = 0, ...).

    Read from WeasyPrint's boxes: a table split over pages has the same element on both.
    The order is the order WeasyPrint builds Table elements in (boxes, depth first).
    """
    seen: dict[int, int] = {}
    pages: list[list[int]] = []
    for page in document.pages:
        keys: list[int] = []
        for box in page._page_box.descendants():
            if getattr(box, "is_table_wrapper", False) and box.element is not None:
                keys.append(seen.setdefault(id(box.element), len(seen)))
        pages.append(keys)
    return pages


def fix_structure(pdf: pikepdf.Pdf, table_pages: Sequence[Sequence[int]]) -> None:
    """Every fix, in order: whole tables first (they decide which headers remain)."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return
    tags = {str(e.S) for e, _ in elements(tree)}
    if "/Table" in tags:  # most pages have none: the tree is walked once, then left alone
        join_split_tables(pdf, tree, table_pages)
        scope_column_headers(tree)
        build_id_tree(pdf, tree)
    if "/Figure" in tags:
        figure_boxes(pdf, tree)


def elements(node: Any) -> Iterator[tuple[Any, Any]]:
    """(element, parent) for every structure element below ``node``, in tree order."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid, node
            yield from elements(kid)


def _kids(elem: Any) -> list[Any]:
    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is(elem: Any, tag: str) -> bool:
    return isinstance(elem, pikepdf.Dictionary) and elem.get("/S") == pikepdf.Name(tag)


def join_split_tables(pdf: pikepdf.Pdf, tree: Any,
                      table_pages: Sequence[Sequence[int]]) -> int:
    """Join each table's parts into its first part; return how many parts were joined."""
    page_of = {pdf.pages[i].obj.objgen: i for i in range(len(pdf.pages))}
    found: dict[int, list[tuple[Any, Any]]] = {}
    for elem, parent in elements(tree):
        if _is(elem, "/Table") and "/Pg" in elem:
            found.setdefault(page_of.get(elem.Pg.objgen, -1), []).append((elem, parent))
    # The boxes and the tree must agree on every page, or nothing is joined.
    for number, keys in enumerate(table_pages):
        if len(found.get(number, [])) != len(keys):
            return 0
    first: dict[int, Any] = {}
    joined = 0
    for number, keys in enumerate(table_pages):
        for key, (elem, parent) in zip(keys, found.get(number, []), strict=True):
            if key not in first:
                first[key] = elem
                continue
            _join(first[key], elem, parent)
            joined += 1
    return joined


def _join(table: Any, part: Any, parent: Any) -> None:
    """Move ``part``'s rows into ``table``; header rows it repeats leave the tree.

    The first part may hold only the caption (the rows did not fit under it): then the
    second part's header is the first printed, and moves in whole.
    """
    head = next((k for k in _kids(table) if _is(k, "/THead")), None)
    body = next((k for k in _kids(table) if _is(k, "/TBody")), None)
    part_head = next((k for k in _kids(part) if _is(k, "/THead")), None)
    rename = dict(zip(_header_ids(part_head), _header_ids(head), strict=False)) \
        if head is not None else {}
    moved: list[Any] = []
    for kid in _kids(part):
        if not isinstance(kid, pikepdf.Dictionary):
            continue
        if _is(kid, "/THead") and head is not None:
            continue  # printed again at the top of the page: pagination, not content
        if _is(kid, "/TBody") and body is not None:
            rows = [r for r in _kids(kid) if isinstance(r, pikepdf.Dictionary)]
            for row in rows:
                row.P = body
                for cell in _kids(row):
                    _rename_headers(cell, rename)
            body.K = pikepdf.Array([*_kids(body), *rows])
            continue
        kid.P = table
        moved.append(kid)
        if _is(kid, "/THead"):
            head = kid
        elif _is(kid, "/TBody"):
            body = kid
        for row in _kids(kid):
            for cell in _kids(row) if isinstance(row, pikepdf.Dictionary) else ():
                _rename_headers(cell, rename)
    table.K = pikepdf.Array([*_kids(table), *moved])
    _remove(part, parent)


def _header_ids(head: Any) -> list[str]:
    if head is None:
        return []
    return [str(cell.ID) for row in _kids(head) for cell in _kids(row)
            if _is(cell, "/TH") and "/ID" in cell]


def _rename_headers(cell: Any, rename: dict[str, str]) -> None:
    attrs = cell.get("/A") if isinstance(cell, pikepdf.Dictionary) else None
    if isinstance(attrs, pikepdf.Dictionary) and "/Headers" in attrs and rename:
        attrs.Headers = pikepdf.Array([pikepdf.String(rename.get(str(h), str(h)))
                                       for h in attrs.Headers])


def _remove(elem: Any, parent: Any) -> None:
    """Take ``elem`` out of ``parent``; a grouping element left empty goes too (a page's
    Part that held only the rest of a table)."""
    parent.K = pikepdf.Array([k for k in _kids(parent) if not (
        isinstance(k, pikepdf.Dictionary) and k.objgen == elem.objgen)])
    grand = parent.get("/P")
    if not _kids(parent) and _is(parent, "/Part") and isinstance(grand, pikepdf.Dictionary):
        _remove(parent, grand)


def scope_column_headers(tree: Any) -> None:
    """A TH in a table's header rows heads its column (PDF/UA-1 7.5: Scope or Headers)."""
    for elem, parent in elements(tree):
        if not _is(elem, "/TH"):
            continue
        grand = parent.get("/P")
        if not _is(grand, "/THead"):
            continue
        attrs = elem.get("/A")
        if not isinstance(attrs, pikepdf.Dictionary):
            attrs = pikepdf.Dictionary(O=pikepdf.Name.Table)
            elem.A = attrs
        attrs.Scope = pikepdf.Name.Column


def build_id_tree(pdf: pikepdf.Pdf, tree: Any) -> None:
    """The /IDTree name tree that resolves each element's /ID (only elements in the tree)."""
    named = sorted(((bytes(e.ID), e) for e, _ in elements(tree) if "/ID" in e),
                   key=lambda pair: pair[0])
    if not named:
        return
    names = pikepdf.Array()
    for key, elem in named:
        names.append(pikepdf.String(key))
        names.append(elem)
    tree.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=names))


def figure_boxes(pdf: pikepdf.Pdf, tree: Any) -> None:
    """A Figure's /BBox in PDF user space (points from the bottom left), as ISO 32000-1 Table
    344 asks; WeasyPrint writes CSS pixels from the top."""
    for elem, _ in elements(tree):
        attrs = elem.get("/A")
        if not _is(elem, "/Figure") or not isinstance(attrs, pikepdf.Dictionary) \
                or "/BBox" not in attrs or "/Pg" not in elem:
            continue
        height = float(elem.Pg.MediaBox[3])
        x1, y1, x2, y2 = (float(v) for v in attrs.BBox)
        attrs.BBox = pikepdf.Array([round(x1 * _PT_PER_PX, 3), round(height - y2 * _PT_PER_PX, 3),
                                    round(x2 * _PT_PER_PX, 3), round(height - y1 * _PT_PER_PX, 3)])
