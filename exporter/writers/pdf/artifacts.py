"""Post-processing with pikepdf: link descriptions, the structure fixes, and WeasyPrint's running
heads, page numbers and repeated table headers re-marked as artifacts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

# Imported at module top on purpose: only the PDF writer imports this module, inside write().
import pikepdf

ObjGen = tuple[int, int]


def postprocess(src: Path, dst: Path, link_labels: Mapping[str, str] | None = None,
                table_pages: Sequence[Sequence[int]] = ()) -> int:
    """Copy ``src`` to ``dst`` with the structure fixed and the furniture marked; return how
    many marked-content sequences became artifacts."""
    from exporter.writers.pdf.links import join_links
    from exporter.writers.pdf.names import stable_image_names
    from exporter.writers.pdf.structure import fix_structure

    with pikepdf.open(src) as pdf:
        join_links(pdf)
        describe_internal_links(pdf, link_labels or {})
        fix_structure(pdf, table_pages)
        total = mark_furniture(pdf)
        stable_image_names(pdf)
        pdf.save(dst, deterministic_id=True)
        return total


def mark_furniture(pdf: pikepdf.Pdf) -> int:
    """Re-mark page furniture as /Artifact in an open PDF; return how many sequences.

    WeasyPrint 70 (pdf/tags.py) tags the text of @page margin boxes as /Span marked content
    with an MCID, and builds structure elements for it that it leaves out of the tree
    ("could be included in tree as Artifact, but that's only allowed in PDF 2.0"). So the
    furniture is exactly the marked content whose structure element cannot be reached from
    StructTreeRoot (repeated table headers, taken out of the tree by structure.py, too).
    Each such sequence becomes ``/Artifact <</Type /Pagination>> BDC``, the remaining MCIDs
    of the page are renumbered from 0, and the ParentTree drops the orphans (qpdf then
    leaves the unreferenced elements out of the file).
    """
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return 0
    reachable = set(_reachable(tree))
    nums = tree.ParentTree.Nums
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    done: set[ObjGen] = set()
    total = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in by_key:
            continue
        elems = by_key[int(key)]
        furniture = {m for m, e in enumerate(elems) if _objgen(e) not in reachable}
        if not furniture:
            continue
        kept = [m for m in range(len(elems)) if m not in furniture]
        renumber = {old: new for new, old in enumerate(kept)}
        total += _rewrite_page(pdf, page, furniture, renumber)
        for old in kept:
            _renumber_kids(elems[old], renumber, done)
        new_elems = pikepdf.Array([elems[old] for old in kept])
        _replace_value(nums, int(key), new_elems)
    return total


def describe_internal_links(pdf: pikepdf.Pdf, labels: Mapping[str, str]) -> None:
    """Give links to a section the section's title as their description (PDF/UA 7.18.5).

    WeasyPrint sets an internal link's /Contents to the anchor's id ("who-can-hsct-work-for"),
    which a screen reader would read out; the contents label says the same in words.
    """
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            dest = annot.get("/Dest")
            if annot.get("/Subtype") == "/Link" and isinstance(dest, pikepdf.String) \
                    and str(dest) in labels:
                annot.Contents = pikepdf.String(labels[str(dest)])


def _objgen(obj: Any) -> ObjGen:
    return tuple(obj.objgen) if isinstance(obj, pikepdf.Object) else (0, 0)  # type: ignore[return-value]


def _reachable(tree: Any) -> Iterator[ObjGen]:
    """Every structure element below StructTreeRoot through /K."""
    stack = [tree]
    seen: set[ObjGen] = set()
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/OBJR":
                og = _objgen(kid)
                if og not in seen:
                    seen.add(og)
                    yield og
                    stack.append(kid)


def _rewrite_page(pdf: pikepdf.Pdf, page: pikepdf.Page, furniture: set[int],
                  renumber: dict[int, int]) -> int:
    """Re-mark the furniture's marked content as artifacts and renumber the rest."""
    ops = pikepdf.parse_content_stream(page)
    out: list[Any] = []
    count = 0
    for instruction in ops:
        operands = list(instruction.operands)
        mcid = _mcid(instruction.operator, operands)
        if mcid is None or (mcid not in furniture and renumber.get(mcid, mcid) == mcid):
            out.append(instruction)
        elif mcid in furniture:
            out.append(([pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)],
                        instruction.operator))
            count += 1
        else:
            out.append(([operands[0], pikepdf.Dictionary(MCID=renumber[mcid])],
                        instruction.operator))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return count


def _mcid(operator: Any, operands: list[Any]) -> int | None:
    """The MCID of a ``/Tag <</MCID n>> BDC`` instruction, else None."""
    if str(operator) != "BDC" or len(operands) != 2:
        return None
    props = operands[1]
    if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
        return int(props.MCID)
    return None


def _renumber_kids(elem: Any, renumber: dict[int, int], done: set[ObjGen]) -> None:
    """Give an element's MCID kids their new numbers (once per element: all at the same time)."""
    og = _objgen(elem)
    if og in done or "/K" not in elem:
        return
    done.add(og)
    kids = elem.K
    if isinstance(kids, int):
        elem.K = renumber.get(int(kids), int(kids))
        return
    if isinstance(kids, pikepdf.Array):
        elem.K = pikepdf.Array([
            renumber.get(int(k), int(k)) if isinstance(k, int) else k for k in kids
        ])


def _replace_value(nums: Any, key: int, value: Any) -> None:
    for i in range(0, len(nums), 2):
        if int(nums[i]) == key:
            nums[i + 1] = value
            return
