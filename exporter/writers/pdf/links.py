"""One link, one annotation, one Link tag: WeasyPrint's link annotations joined with pikepdf.

WeasyPrint 70 (anchors.gather_anchors) gives every box inside a link its own annotation: the
contents entries' "– page 3" (an ::after box) became a second annotation in a Link tag inside
the first, and the helpline's number (a no-wrap span inside the link) a second identical one.
A link broken over two lines is two boxes: two annotations in two Link tags. A screen reader
then announces each link twice, or one link as two. Here every such set becomes what PDF/UA
asks for: one Link structure element holding the link's text and one annotation per page it
is on; a link that wraps keeps one annotation whose QuadPoints cover each line it is on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Imported at module top on purpose: only the PDF writer imports this module, inside render().
import pikepdf

ObjGen = tuple[int, int]


def join_links(pdf: pikepdf.Pdf) -> int:
    """Join the nested and split Link elements and their annotations; return how many
    annotations were removed."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return 0
    parents = _ParentTree(tree)
    removed = 0
    for elem, parent in list(_elements(tree, None)):
        if _tag(elem) == "/Link" and not _inside_link(parent):
            removed += _absorb_nested(pdf, elem, parents)
    for elem, _ in list(_elements(tree, None)):
        removed += _join_siblings(pdf, elem, parents)
    parents.save()
    return removed


# ------------------------------------------------------------------ the structure tree


def _elements(node: Any, parent: Any) -> Iterator[tuple[Any, Any]]:
    """(element, parent) below ``node``, depth first, in order."""
    for kid in _kids(node):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid, node
            yield from _elements(kid, kid)


def _kids(elem: Any) -> list[Any]:
    kids = elem.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _tag(elem: Any) -> str:
    return str(elem.get("/S", ""))


def _inside_link(elem: Any) -> bool:
    while isinstance(elem, pikepdf.Dictionary) and "/S" in elem:
        if _tag(elem) == "/Link":
            return True
        elem = elem.get("/P")
    return False


def _is_objr(kid: Any) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"


def _target(annot: Any) -> str:
    """Where a link annotation goes: its named destination or its URI."""
    dest = annot.get("/Dest")
    if dest is not None:
        return f"dest:{dest}"
    action = annot.get("/A")
    if isinstance(action, pikepdf.Dictionary) and "/URI" in action:
        return f"uri:{action.URI}"
    return ""


def _own_annots(elem: Any) -> list[Any]:
    return [k.Obj for k in _kids(elem) if _is_objr(k)]


class _ParentTree:
    """The ParentTree's number tree as a dict, written back once (pages' MCID arrays and the
    annotations' entries)."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        nums = tree.ParentTree.get("/Nums", pikepdf.Array())
        self.entries: dict[int, Any] = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}

    def point_mcids(self, page: Any, mcids: list[int], elem: Any) -> None:
        key = page.get("/StructParents")
        array = self.entries.get(int(key)) if key is not None else None
        if isinstance(array, pikepdf.Array):
            for mcid in mcids:
                if 0 <= mcid < len(array):
                    array[mcid] = elem

    def drop(self, annot: Any) -> None:
        key = annot.get("/StructParent")
        if key is not None:
            self.entries.pop(int(key), None)
            del annot["/StructParent"]

    def save(self) -> None:
        nums = pikepdf.Array()
        for key in sorted(self.entries):
            nums.append(key)
            nums.append(self.entries[key])
        self.tree.ParentTree.Nums = nums


# ------------------------------------------------------------------ nested links


def _absorb_nested(pdf: pikepdf.Pdf, link: Any, parents: _ParentTree) -> int:
    """Take the annotations of the elements inside ``link`` that go where it goes, and lift
    the Link elements inside it into it."""
    mine = _own_annots(link)
    targets = {_target(a) for a in mine}
    removed = 0
    for elem, parent in list(_elements(link, link)):
        for kid in [k for k in _kids(elem) if _is_objr(k)]:
            annot = kid.Obj
            if _target(annot) not in targets:
                continue
            same_page = next((a for a in mine if _page_of(pdf, a) == _page_of(pdf, annot)), None)
            elem.K = pikepdf.Array([k for k in _kids(elem) if not (
                _is_objr(k) and k.Obj.objgen == annot.objgen)])
            if same_page is None:  # on another page: the link's own annotation there
                link.K = pikepdf.Array([*_kids(link), kid])
                mine.append(annot)
                continue
            _cover(same_page, [_rect(annot)])
            _remove_annot(pdf, annot, parents)
            removed += 1
        if _tag(elem) == "/Link":
            _lift(elem, parent, parents, pdf)
    return removed


def _lift(elem: Any, parent: Any, parents: _ParentTree, pdf: pikepdf.Pdf) -> None:
    """Put ``elem``'s kids where it is in ``parent`` (a Link inside a Link is no link)."""
    moved = [_for_parent(k, elem, parent) for k in _kids(elem)]
    for kid in moved:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            kid.P = parent
    kids = _kids(parent)
    at = next(i for i, k in enumerate(kids) if isinstance(k, pikepdf.Dictionary)
              and k.objgen == elem.objgen)
    parent.K = pikepdf.Array([*kids[:at], *moved, *kids[at + 1:]])
    mcids = [int(k) for k in _kids(elem) if isinstance(k, int)]
    if mcids and "/Pg" in elem:
        parents.point_mcids(elem.Pg, mcids, parent)
    for kid in _kids(elem):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" and "/Pg" in kid:
            parents.point_mcids(kid.Pg, [int(kid.MCID)], parent)


def _for_parent(kid: Any, elem: Any, parent: Any) -> Any:
    """A marked-content kid of ``elem`` as a kid of ``parent``: a bare MCID only when both are
    on the same page, else a marked-content reference naming the page."""
    if isinstance(kid, int) and "/Pg" in elem and (
            "/Pg" not in parent or parent.Pg.objgen != elem.Pg.objgen):
        return pikepdf.Dictionary(Type=pikepdf.Name.MCR, MCID=kid, Pg=elem.Pg)
    return kid


# ------------------------------------------------------------------ links split over lines


def _join_siblings(pdf: pikepdf.Pdf, parent: Any, parents: _ParentTree) -> int:
    """Join Link elements that follow one another directly in ``parent`` and go to the same
    place: the pieces of one link broken over lines (or pages)."""
    kids = _kids(parent)
    out: list[Any] = []
    removed = 0
    for kid in kids:
        before = out[-1] if out else None
        if (isinstance(kid, pikepdf.Dictionary) and _tag(kid) == "/Link"
                and isinstance(before, pikepdf.Dictionary) and _tag(before) == "/Link"
                and _targets(before) and _targets(before) == _targets(kid)):
            removed += _merge(pdf, before, kid, parents)
            continue
        out.append(kid)
    if removed or len(out) != len(kids):
        parent.K = pikepdf.Array(out)
    return removed


def _targets(link: Any) -> set[str]:
    return {_target(a) for a in _own_annots(link)}


def _merge(pdf: pikepdf.Pdf, first: Any, second: Any, parents: _ParentTree) -> int:
    """Move ``second``'s text and annotations into ``first``; one annotation per page."""
    removed = 0
    moved = []
    for kid in _kids(second):
        if _is_objr(kid):
            annot = kid.Obj
            same = next((a for a in _own_annots(first)
                         if _page_of(pdf, a) == _page_of(pdf, annot)), None)
            if same is not None:
                _cover(same, [_rect(annot)])
                _remove_annot(pdf, annot, parents)
                removed += 1
                continue
            parents.entries[int(annot.StructParent)] = first
        kid = _for_parent(kid, second, first)
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            kid.P = first
        moved.append(kid)
    first.K = pikepdf.Array([*_kids(first), *moved])
    mcids = [int(k) for k in _kids(second) if isinstance(k, int)]
    if mcids and "/Pg" in second:
        parents.point_mcids(second.Pg, mcids, first)
    return removed


# ------------------------------------------------------------------ annotations


def _rect(annot: Any) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in annot.Rect)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _quads(annot: Any) -> list[tuple[float, float, float, float]]:
    """The rectangles an annotation covers: its QuadPoints, else its Rect."""
    points = annot.get("/QuadPoints")
    if not isinstance(points, pikepdf.Array) or len(points) % 8:
        return [_rect(annot)]
    values = [float(v) for v in points]
    out = []
    for i in range(0, len(values), 8):
        xs, ys = values[i:i + 8:2], values[i + 1:i + 8:2]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def _cover(annot: Any, rects: list[tuple[float, float, float, float]]) -> None:
    """Make ``annot`` cover ``rects`` too: one rectangle stays a Rect; rectangles on different
    lines become QuadPoints (the area a reader clicks), the Rect their bounding box."""
    quads = _quads(annot)
    for rect in rects:
        if not any(_contains(q, rect) for q in quads):
            quads = [q for q in quads if not _contains(rect, q)] + [rect]
    x1 = min(q[0] for q in quads)
    y1 = min(q[1] for q in quads)
    x2 = max(q[2] for q in quads)
    y2 = max(q[3] for q in quads)
    annot.Rect = pikepdf.Array([x1, y1, x2, y2])
    if len(quads) > 1:
        # Each quadrilateral as readers expect it: upper left, upper right, lower left,
        # lower right.
        annot.QuadPoints = pikepdf.Array([v for q in quads for v in
                                          (q[0], q[3], q[2], q[3], q[0], q[1], q[2], q[1])])
    elif "/QuadPoints" in annot:
        del annot["/QuadPoints"]


def _contains(outer: tuple[float, float, float, float],
              inner: tuple[float, float, float, float]) -> bool:
    slack = 0.5
    return (outer[0] - slack <= inner[0] and outer[1] - slack <= inner[1]
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _page_of(pdf: pikepdf.Pdf, annot: Any) -> int:
    """The number of the page whose /Annots hold ``annot`` (-1: none)."""
    for number, page in enumerate(pdf.pages):
        if any(a.objgen == annot.objgen for a in page.obj.get("/Annots", [])):
            return number
    return -1


def _remove_annot(pdf: pikepdf.Pdf, annot: Any, parents: _ParentTree) -> None:
    parents.drop(annot)
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = [a for a in annots if a.objgen != annot.objgen]
        if len(kept) != len(annots):
            page.obj.Annots = pikepdf.Array(kept)
