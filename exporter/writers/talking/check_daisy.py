"""Read-back check of the DAISY 2.02 book: NCC metadata and headings, SMIL files, clips, text.

The book is read as a player would, from its NCC: headings must equal the outline, every
item must land on a par, the clips must tile the MP3 files and the times must add up.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

from exporter.checks.common import Context, Finding, compare_flat, finding
from exporter.segments import whole_seconds
from exporter.writers.talking.check_common import (
    TOLERANCE,
    XHTML,
    Clip,
    audio_lengths,
    clip_problems,
    coverage,
    element_text,
    ids,
    length_problems,
    seconds,
)


def check_daisy(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """The NCC (metadata, headings = outline, page targets), SMIL files, clips, text."""
    found: list[Finding] = []
    for entry in entries:
        path = ctx.path(entry)
        with zipfile.ZipFile(path) as z:
            found += _daisy(ctx, z, entry, path.name)
    return found


def _daisy(ctx: Context, z: zipfile.ZipFile, entry: Mapping[str, Any],
           name: str) -> list[Finding]:
    names = set(z.namelist())
    if "ncc.html" not in names:
        return [Finding("validity", "daisy.ncc", name, False, f"{name}: no ncc.html")]
    ncc = ET.fromstring(z.read("ncc.html"))
    meta = {m.get("name", ""): m.get("content", "") for m in ncc.iter(f"{XHTML}meta")
            if m.get("name")}
    body = ncc.find(f"{XHTML}body")
    items = list(body) if body is not None else []
    headings = [(int(e.tag[-1]), "".join(e.itertext())) for e in items
                if re.fullmatch(rf"{re.escape(XHTML)}h[1-6]", e.tag)]
    page_spans = [e for e in items if e.tag == f"{XHTML}span" and
                  "page-normal" in (e.get("class") or "").split()]
    nav_problems = compare_flat(headings, ctx.outline)
    if not items or items[0].tag != f"{XHTML}h1" or items[0].get("class") != "title":
        nav_problems.append("ncc.html: the first item is not <h1 class=\"title\">")
    smil_docs: dict[str, ET.Element] = {}
    refs_problems: list[str] = []

    def smil(file: str) -> ET.Element | None:
        if file not in smil_docs:
            try:
                smil_docs[file] = ET.fromstring(z.read(file))
            except KeyError:
                return None
        return smil_docs[file]

    for e in items:
        a = e.find(f"{XHTML}a")
        href = a.get("href", "") if a is not None else ""
        file, _, fragment = href.partition("#")
        doc = smil(file) if file else None
        if doc is None or fragment not in ids(doc):
            refs_problems.append(f"ncc.html: '{''.join(e.itertext())}' links to '{href}', "
                                 "which is no par of the book")
    master = ET.fromstring(z.read("master.smil")) if "master.smil" in names else None
    order = [r.get("src", "") for r in master.iter("ref")] if master is not None else []
    if master is None:
        refs_problems.append("no master.smil")
    clips: list[Clip] = []
    texts: list[str] = []
    contents: dict[str, dict[str, ET.Element]] = {}
    time_problems: list[str] = []
    elapsed = 0.0
    for file in order:
        doc = smil(file)
        if doc is None:
            refs_problems.append(f"master.smil lists '{file}', which is not in the book")
            continue
        this = 0.0
        for par in doc.iter("par"):
            text, audio = par.find("text"), par.find("audio")
            where = f"{file}#{par.get('id', '?')}"
            if text is None or audio is None:
                refs_problems.append(f"{where}: a par without text or audio")
                continue
            target, _, fragment = text.get("src", "").partition("#")
            if target not in contents:
                try:
                    contents[target] = ids(ET.fromstring(z.read(target)))
                except KeyError:
                    contents[target] = {}
            element = contents[target].get(fragment)
            if element is None:
                refs_problems.append(f"{where}: text '{text.get('src')}' is not in the book")
            else:
                texts.append(element_text(element))
            try:
                begin = seconds(audio.get("clip-begin", ""))
                end = seconds(audio.get("clip-end", ""))
            except ValueError as exc:
                time_problems.append(f"{where}: {exc}")
                continue
            clips.append(Clip(where, text.get("src", ""), audio.get("src", ""), begin, end))
            this += end - begin
        said = {m.get("name"): m.get("content", "") for m in doc.iter("meta")}
        for key, want in (("ncc:timeInThisSmil", this), ("ncc:totalElapsedTime", elapsed)):
            try:
                if abs(seconds(said.get(key) or "") - want) > TOLERANCE:
                    time_problems.append(f"{file}: {key} is {said.get(key)}, the pars give "
                                         f"{want:.3f} s")
            except ValueError:
                time_problems.append(f"{file}: no readable {key}")
        elapsed += this
    lengths = audio_lengths(z.read, sorted({c.audio for c in clips}))
    time_problems += clip_problems(clips, lengths)
    time_problems += length_problems(elapsed, entry, "the SMIL files' clips")
    meta_problems = _ncc_meta(ctx, meta, elapsed, len(items), len(headings), page_spans,
                              len(names))
    return [
        finding("validity", "daisy.ncc", name, meta_problems,
                "ncc.html metadata: Daisy 2.02, title, language, total time, items, depth, "
                "pages"),
        finding("navigation", "daisy.headings", name, nav_problems,
                f"{len(headings)} NCC headings equal the outline"),
        finding("validity", "daisy.refs", name, refs_problems,
                f"{len(items)} NCC items and {len(clips)} pars land; master.smil lists "
                f"{len(order)} SMIL files"),
        finding("validity", "daisy.clips", name, time_problems,
                f"clips tile {len(lengths)} MP3 files; {elapsed:.3f} s in all, as every "
                "SMIL, the NCC and the manifest say"),
        finding("content", "daisy.coverage", name, coverage(ctx, texts),
                "every sentence is read with its text, in order"),
    ]


def _ncc_meta(ctx: Context, meta: Mapping[str, str], total: float, items: int, headings: int,
              pages: Sequence[ET.Element], files: int) -> list[str]:
    from exporter.writers.talking.timeline import hms

    want = {
        "dc:format": "Daisy 2.02",
        "dc:title": ctx.doc.meta.title,
        "dc:language": ctx.doc.meta.language,
        "ncc:totalTime": hms(whole_seconds(total)),
        "ncc:tocItems": str(items),
        "ncc:depth": str(max((e.level for e in ctx.outline), default=1)),
        "ncc:pageNormal": str(len(pages)),
        "ncc:files": str(files),
        "ncc:multimediaType": "audioFullText",
    }
    problems = [f"ncc.html: {k} is '{meta.get(k)}', expected '{v}'" for k, v in want.items()
                if meta.get(k) != v]
    for required in ("dc:identifier", "dc:date", "ncc:charset", "ncc:generator",
                     "ncc:maxPageNormal", "ncc:pageFront", "ncc:pageSpecial", "dc:source"):
        if not meta.get(required):
            problems.append(f"ncc.html: no {required}")
    if headings + len(pages) != items:
        problems.append(f"ncc.html: {items} items, of which {headings} headings and "
                        f"{len(pages)} pages: something else is listed")
    return problems
