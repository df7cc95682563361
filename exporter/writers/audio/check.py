"""Read-back checks of the audio: ID3 chapters and tracks equal the outline; the transcript."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter import sentences as sent
from exporter.checks.common import (
    Context,
    Finding,
    clean,
    compare_tree,
    finding,
    missing_sentences,
    same_title,
)
from exporter.locale import Messages, messages
from exporter.model import (
    Block,
    Callout,
    DefinitionList,
    Figure,
    ListBlock,
    Quote,
    Table,
    plain_text,
)
from exporter.outline import TreeNode
from exporter.segments import whole_seconds

#: Leeway between chapter times, track lengths and the file's length (seconds).
TIME_TOLERANCE = 0.5
_TRACK = re.compile(r"-\d{2,3}-[^/]*\.mp3$")


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Chapters of the whole-book MP3, the track files and playlist, the transcript."""
    names = [str(e["file"]) for e in entries]
    books = [n for n in names if n.endswith(".mp3") and not _TRACK.search(n)]
    tracks = sorted(n for n in names if _TRACK.search(n))
    found: list[Finding] = []
    for name in books:
        found.append(finding("navigation", "audio.chapters", name,
                             _chapters(ctx, ctx.out_dir / name), "ID3 chapters equal the outline"))
    for name in (n for n in names if n.endswith(".m3u8")):
        found.append(finding("navigation", "audio.tracks", name,
                             _tracks(ctx, ctx.out_dir / name, tracks),
                             f"{len(tracks)} tracks, one per section, in order"))
    for name in (n for n in names if n.endswith(".txt")):
        text = (ctx.out_dir / name).read_text(encoding="utf-8")
        found.append(finding("content", "audio.transcript", name, missing_sentences(ctx, text),
                             f"all {len(ctx.sentences)} sentences, in order"))
        if ctx.doc.notes:
            found.append(finding("content", "audio.notes", name, _notes(ctx, text),
                                 f"all {len(ctx.doc.notes)} notes, each read with its number"))
        marks = structure_marks(ctx.doc.blocks, messages(ctx.doc.meta.language))
        if marks:
            found.append(finding("content", "audio.structure", name, _structure(marks, text),
                                 f"{len(marks)} announcements of tables, rows, images, "
                                 "quotations and terms, in order"))
    for entry in entries:
        name = str(entry["file"])
        if name.endswith(".mp3"):
            found.append(finding("validity", "audio.mp3", name, _mp3(ctx, entry),
                                 "a playable MP3 with its title"))
    return found


def _mutagen(module: str) -> Any:
    """A mutagen module, untyped: its partial annotations do not cover what is used here."""
    return importlib.import_module(f"mutagen.{module}" if module else "mutagen")


def _chapters(ctx: Context, path: Path) -> list[str]:
    id3, mp3 = _mutagen("id3"), _mutagen("mp3")
    try:
        tags = id3.ID3(path)
    except id3.ID3NoHeaderError:
        return ["no ID3 tag, so no chapters"]
    chaps = {f.element_id: f for f in tags.getall("CHAP")}
    tocs = {f.element_id: f for f in tags.getall("CTOC")}
    top = [t for t in tocs.values() if t.flags & 1]  # CTOCFlags.TOP_LEVEL
    if not top:
        return ["no top-level CTOC table of contents frame"]
    problems: list[str] = []

    def nodes(toc: Any, seen: set[str]) -> list[TreeNode]:
        out: list[TreeNode] = []
        for child in toc.child_element_ids:
            if child in tocs and child not in seen:
                sub = tocs[child]
                out.append((_title(sub), nodes(sub, seen | {child})))
            elif child in chaps:
                out.append((_title(chaps[child]), []))
            else:
                problems.append(f"CTOC lists '{child}', which is no CHAP or CTOC frame")
        return out

    tree = nodes(top[0], {top[0].element_id})
    problems += _shape(tree, ctx)
    ordered = [chaps[c] for c in top[0].child_element_ids if c in chaps]
    problems += _times(ordered, mp3.MP3(path).info.length)
    return problems


def _title(frame: Any) -> str:
    sub = frame.sub_frames.get("TIT2")
    return str(sub.text[0]) if sub is not None and sub.text else ""


def _shape(tree: list[TreeNode], ctx: Context) -> list[str]:
    """Chapters may nest like the outline, or list every heading (or every section) in a row."""
    titles = [t for t, kids in tree if not kids]
    if len(titles) == len(tree):  # a flat list of chapters
        every = [(e.title, e.number) for e in ctx.outline]
        sections = [(e.title, e.number) for e in ctx.outline if e.level <= 2]
        for want in (every, sections):
            if len(titles) == len(want) and all(
                    same_title(t, title, n) for t, (title, n) in zip(titles, want, strict=True)):
                return []
        want = every if len(titles) > len(sections) else sections
        missing = [t for t, n in want if not any(same_title(f, t, n) for f in titles)]
        extra = [f for f in titles if not any(same_title(f, t, n) for t, n in every)]
        problems = [f"{len(titles)} chapters, the source has {len(want)} headings"
                    + (" at level 2 and above" if want is sections else "")]
        problems += ["missing: " + "; ".join(f"'{t}'" for t in missing)] if missing else []
        problems += ["not in the source: " + "; ".join(f"'{clean(t)}'" for t in extra)] \
            if extra else []
        if not missing and not extra:
            problems.append("chapters out of order: " + " | ".join(clean(t) for t in titles))
        return problems
    return compare_tree(tree, ctx.outline)


def _times(chapters: list[Any], length: float) -> list[str]:
    problems = []
    previous_end = 0
    for chap in chapters:
        start, end = chap.start_time, chap.end_time
        if end <= start:
            problems.append(f"chapter '{_title(chap)}' ends ({end} ms) before it starts ({start})")
        if abs(start - previous_end) > TIME_TOLERANCE * 1000:
            problems.append(f"chapter '{_title(chap)}' starts at {start} ms, the previous one "
                            f"ended at {previous_end} ms")
        previous_end = end
    if chapters and abs(previous_end / 1000 - length) > TIME_TOLERANCE:
        problems.append(f"chapters end at {previous_end / 1000:.1f} s, "
                        f"the file lasts {length:.1f} s")
    return problems


def _tracks(ctx: Context, playlist: Path, tracks: list[str]) -> list[str]:
    listed = [line.strip() for line in playlist.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    problems = [f"lists '{n}', which is not in the output folder" for n in listed
                if not (ctx.out_dir / n).is_file()]
    if listed != tracks:
        problems.append(f"lists {len(listed)} tracks, the folder's manifest has {len(tracks)}")
    titles = [_track_title(ctx.out_dir / n) for n in listed if (ctx.out_dir / n).is_file()]
    problems += _shape([(t, []) for t in titles], ctx)
    return problems


def _tlen(path: Path) -> int | None:
    id3 = _mutagen("id3")
    try:
        frame = id3.ID3(path).get("TLEN")
    except id3.ID3NoHeaderError:
        return None
    try:
        return int(str(frame.text[0])) if frame is not None and frame.text else None
    except ValueError:
        return None


def _track_title(path: Path) -> str:
    id3 = _mutagen("id3")
    try:
        frame = id3.ID3(path).get("TIT2")
    except id3.ID3NoHeaderError:
        return ""
    return str(frame.text[0]) if frame is not None and frame.text else ""


def _mp3(ctx: Context, entry: Mapping[str, Any]) -> list[str]:
    mutagen, mp3 = _mutagen(""), _mutagen("mp3")
    path = ctx.path(entry)
    try:
        audio = mp3.MP3(path)
    except mutagen.MutagenError as exc:
        return [f"not a readable MP3: {exc}"]
    problems = []
    if audio.info.length <= 0:
        problems.append("no audio frames")
    facts = entry.get("facts") or {}
    exact = facts.get("seconds") if isinstance(facts, Mapping) else None
    said = facts.get("duration") if isinstance(facts, Mapping) else None
    if isinstance(exact, int | float):
        if abs(exact - audio.info.length) > TIME_TOLERANCE:
            problems.append(f"lasts {audio.info.length:.1f} s, the manifest says {exact} s")
        if said != whole_seconds(exact):
            problems.append(f"the manifest's duration {said} is not its {exact} s rounded "
                            "to the second")
    elif isinstance(said, int | float) and abs(said - audio.info.length) > TIME_TOLERANCE:
        problems.append(f"lasts {audio.info.length:.1f} s, the manifest says {said} s")
    tlen = _tlen(path)
    if tlen is not None and isinstance(exact, int | float) and abs(tlen / 1000 - exact) > 0.002:
        problems.append(f"the ID3 length (TLEN) is {tlen} ms, the recording {exact} s")
    if not _TRACK.search(path.name):
        title = _track_title(path)
        if title != ctx.doc.meta.title:
            problems.append(f"ID3 title is '{title}', the source says '{ctx.doc.meta.title}'")
    return problems


# ---------------------------------------------------------------- transcript structure


def structure_marks(blocks: tuple[Block, ...], words: Messages) -> list[str]:
    """What a listener must hear, in order, to follow the structures a page has: each table
    announced with its size and read row by row with its headings, each image with its
    description, each quotation opened and closed, each term before its definition."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Table):
            size = (f"{words.plural('table_rows', len(b.rows))}, "
                    f"{words.plural('table_columns', len(b.header))}")
            out += [f"{words('table')}: ", size]
            headers = [sent.normalise(plain_text(h.children)) for h in b.header]
            for n, _ in enumerate(b.rows, start=1):
                out.append(f"{words('row', n=n)}.")
                out += [f"{h}: " for h in headers if h]
        elif isinstance(b, Figure):
            out.append(f"{words('image')}: {sent.normalise(b.image.alt)}")
        elif isinstance(b, Quote):
            out.append(f"{words('quote')}.")
            out += structure_marks(b.blocks, words)
            out.append(f"{words('end_of_quote')}.")
        elif isinstance(b, DefinitionList):
            for item in b.items:
                out.append(f"{sent.normalise(plain_text(item.term))}: ")
                for definition in item.definitions:
                    out += structure_marks(definition, words)
        elif isinstance(b, ListBlock):
            for entry in b.items:
                out += structure_marks(entry.blocks, words)
        elif isinstance(b, Callout):
            out += structure_marks(b.blocks, words)
    return out


def _structure(marks: list[str], text: str) -> list[str]:
    missing = sent.missing_in_order(marks, text)
    if not missing:
        return []
    shown = "; ".join(f"'{m.strip()}'" for m in missing[:4])
    more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
    return [f"{len(missing)} of {len(marks)} announcements missing or out of order: "
            f"{shown}{more}"]


def _notes(ctx: Context, text: str) -> list[str]:
    """Every note's sentences, in note order, the first after "Note n:"."""
    words = messages(ctx.doc.meta.language)
    wanted: list[str] = []
    for note in ctx.doc.notes:
        said = sent.of_blocks(note.blocks)
        label = f"{words('note', n=note.number)}:"
        wanted += [f"{label} {said[0]}", *said[1:]] if said else [label]
    missing = sent.missing_in_order(wanted, text)
    if not missing:
        return []
    return [f"{len(missing)} of {len(wanted)} note sentences missing or out of order: "
            + "; ".join(f"'{m[:60]}'" for m in missing[:3])]
