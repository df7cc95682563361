"""The PDF's structure read with pikepdf: tags, bookmarks, language, title, fonts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


