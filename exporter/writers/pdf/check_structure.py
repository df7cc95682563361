"""The PDF's structure read with pikepdf: tags, bookmarks, language, title, fonts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from exporter.checks.common import Context
from exporter.outline import TreeNode


def bookmarks(pdf: Any) -> list[TreeNode]:
    def nodes(items: Sequence[Any]) -> list[TreeNode]:
        return [(str(i.title), nodes(i.children)) for i in items]

    with pdf.open_outline() as outline:
        return nodes(outline.root)


def tagged(pdf: Any) -> list[str]:
    problems = []
    if "/StructTreeRoot" not in pdf.Root:
        problems.append("not tagged: no StructTreeRoot (PDF/UA-1 7.1)")
    mark = pdf.Root.get("/MarkInfo")
    if mark is None or not bool(mark.get("/Marked", False)):
        problems.append("MarkInfo /Marked is not true (PDF/UA-1 7.1)")
    return problems


def language(ctx: Context, pdf: Any) -> list[str]:
    lang = str(pdf.Root.get("/Lang", ""))
    if lang.lower() != ctx.doc.meta.language.lower():
        return [f"catalog /Lang is '{lang}', the source says '{ctx.doc.meta.language}'"]
    return []


def title(ctx: Context, pdf: Any) -> list[str]:
    problems = []
    with pdf.open_metadata() as xmp:
        title = str(xmp.get("dc:title", ""))
    if title != ctx.doc.meta.title:
        problems.append(f"XMP dc:title is '{title}', the source says '{ctx.doc.meta.title}'")
    prefs = pdf.Root.get("/ViewerPreferences")
    if prefs is None or not bool(prefs.get("/DisplayDocTitle", False)):
        problems.append("ViewerPreferences /DisplayDocTitle is not true (PDF/UA-1 7.1)")
    return problems


def ua_identifier(pdf: Any) -> list[str]:
    with pdf.open_metadata() as xmp:
        part = str(xmp.get("pdfuaid:part", ""))
    return [] if part == "1" else [f"XMP pdfuaid:part is '{part}', not '1' (PDF/UA-1 5)"]


def fonts(pdf: Any) -> list[str]:
    problems = []
    for where, name, font in _all_fonts(pdf):
        base = str(font.get("/BaseFont", name))
        subtype = str(font.get("/Subtype", ""))
        if subtype == "/Type3":
            continue  # glyphs are drawn by the font's own content streams
        desc_font = font.DescendantFonts[0] if subtype == "/Type0" else font
        desc = desc_font.get("/FontDescriptor")
        if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"{where}: font {base} is not embedded (PDF/UA-1 7.21.4)")
        if "/ToUnicode" not in font and not (
                subtype != "/Type0" and str(font.get("/Encoding", "")) in
                ("/WinAnsiEncoding", "/MacRomanEncoding", "/StandardEncoding")):
            problems.append(f"{where}: font {base} has no ToUnicode map (PDF/UA-1 7.21.7)")
    return sorted(set(problems))


def _all_fonts(pdf: Any) -> Iterator[tuple[str, str, Any]]:
    for number, page in enumerate(pdf.pages, 1):
        yield from _fonts_in(page.obj.get("/Resources"), f"page {number}", set())


def _fonts_in(resources: Any, where: str, seen: set[tuple[int, int]]) -> Iterator[
        tuple[str, str, Any]]:
    if resources is None:
        return
    for name, font in (resources.get("/Font") or {}).items():
        yield where, str(name), font
    for xobject in (resources.get("/XObject") or {}).values():
        key = xobject.objgen
        if key in seen or str(xobject.get("/Subtype", "")) != "/Form":
            continue
        seen.add(key)
        yield from _fonts_in(xobject.get("/Resources"), where, seen)



def links(pdf: Any) -> list[str]:
    """One link, one Link tag, one annotation per page it is on (PDF/UA-1 7.18.1, 7.18.5):
    no Link tag inside another, no link annotation held by another tag or by none, and a link
    broken over lines is one Link tag, not several in a row."""
    import pikepdf

    pages = {p.obj.objgen: n for n, p in enumerate(pdf.pages, 1)}
    annots: dict[tuple[int, int], int] = {}
    for number, page in enumerate(pdf.pages, 1):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") == "/Link":
                annots[_key(annot)] = number
    held: dict[tuple[int, int], int] = {}
    problems: list[str] = []

    def target(annot: Any) -> str:
        action = annot.get("/A")
        uri = action.get("/URI") if isinstance(action, pikepdf.Dictionary) else None
        return str(annot.get("/Dest") or uri or "")

    def walk(elem: Any, in_link: bool) -> None:
        kids = elem.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        tag = str(elem.get("/S", ""))
        page = pages.get(elem.Pg.objgen, 0) if "/Pg" in elem else 0
        own = [k.Obj for k in kids if isinstance(k, pikepdf.Dictionary)
               and k.get("/Type") == "/OBJR" and _key(k.Obj) in annots]
        for annot in own:
            held[_key(annot)] = held.get(_key(annot), 0) + 1
            if tag != "/Link":
                problems.append(f"page {annots[_key(annot)]}: the link to "
                                f"'{target(annot)}' is held by a {tag[1:]} tag, not a Link tag")
        if tag == "/Link":
            if in_link:
                problems.append(f"page {page}: a Link tag inside a Link tag "
                                f"('{', '.join(target(a) for a in own)}')")
            per_page: dict[int, int] = {}
            for annot in own:
                where = annots[_key(annot)]
                per_page[where] = per_page.get(where, 0) + 1
            for where, count in per_page.items():
                if count > 1:
                    problems.append(f"page {where}: one link has {count} annotations "
                                    f"('{target(own[0])}'): a screen reader may announce it "
                                    f"{count} times")
        before: str | None = None
        for kid in kids:
            if not (isinstance(kid, pikepdf.Dictionary) and "/S" in kid):
                before = None
                continue
            walk(kid, in_link or tag == "/Link")
            if str(kid.get("/S")) == "/Link":
                goes = {target(k.Obj) for k in _objrs(kid)}
                now = ",".join(sorted(goes))
                if now and now == before:
                    problems.append(f"page {page}: one link split into Link tags in a row "
                                    f"('{now}')")
                before = now
            else:
                before = None

    root = pdf.Root.get("/StructTreeRoot")
    if root is not None:
        walk(root, False)
    for objgen, number in annots.items():
        count = held.get(objgen, 0)
        if count != 1:
            problems.append(f"page {number}: a link annotation held by {count} tags (PDF/UA-1 "
                            "7.18.1: each is in exactly one Link tag)")
    return sorted(set(problems))


def _key(obj: Any) -> tuple[int, int]:
    number, generation = obj.objgen
    return int(number), int(generation)


def _objrs(elem: Any) -> list[Any]:
    import pikepdf

    kids = elem.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
    return [k for k in kids if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]


@dataclass(frozen=True)
class Block:
    """The block a piece of marked text belongs to: the nearest tagged ancestor that is not an
    inline (a P, an LBody, a heading, a table cell ...)."""

    ref: tuple[int, int]  #: the structure element's object number and generation
    kind: str  #: its structure type without the slash: "P", "H2", "LBody" ...


#: Structure types that sit inside a block's line: their text belongs to the block around.
_INLINE = {"/Span", "/Link", "/NonStruct", "/Lbl", "/Reference", "/Note", "/Code", "/Quote"}


def blocks_of(pdf: Any) -> dict[tuple[int, int], Block]:
    """(page number, MCID) -> the block its text belongs to, from the structure tree's
    ParentTree."""
    import pikepdf

    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return {}
    nums = root.ParentTree.get("/Nums", [])
    by_key = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    out: dict[tuple[int, int], Block] = {}
    for number, page in enumerate(pdf.pages, 1):
        key = page.obj.get("/StructParents")
        elems = by_key.get(int(key)) if key is not None else None
        if not isinstance(elems, pikepdf.Array):
            continue
        for mcid, elem in enumerate(elems):
            while isinstance(elem, pikepdf.Dictionary) and str(elem.get("/S")) in _INLINE \
                    and "/P" in elem:
                elem = elem.P
            if isinstance(elem, pikepdf.Dictionary):
                out[(number, mcid)] = Block((int(elem.objgen[0]), int(elem.objgen[1])),
                                            str(elem.get("/S", "")).lstrip("/"))
    return out
