"""DAISY 2.02 talking book: ncc.html, the full text, one SMIL and one MP3 per section, zipped.

A "full audio and full text" book (ncc:multimediaType audioFullText): the NCC lists every
heading at its level (h1-h6, the outline) and every page of the large-print edition, each
linked to the par of its SMIL file where it is read; each section's SMIL joins the sentences
of content.html to their clips of that section's MP3. The MP3s are the audio writer's tracks
(the same recording, made once), so DAISY players navigate by heading, page and phrase.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import ClassVar

from exporter import __version__
from exporter.html import attr
from exporter.locale import Messages, messages
from exporter.outline import Entry
from exporter.output import atomic_write, build_time
from exporter.page import footer
from exporter.segments import Target, track_title, whole_seconds
from exporter.writers.audio import book
from exporter.writers.base import FileKind, Job, Produced, Writer
from exporter.writers.printpages.pages import PageMap, page_map
from exporter.writers.printpages.spans import resolver
from exporter.writers.talking import announce, smil
from exporter.writers.talking.epub import TALKING_CSS, identifier
from exporter.writers.talking.spans import DaisySentenceMarkup
from exporter.writers.talking.timeline import hms, pars

NCC = "ncc.html"
CONTENT = "content.html"
MASTER = "master.smil"
CSS = "talking.css"
_XHTML = ('<?xml version="1.0" encoding="utf-8"?>\n'
          '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
          '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n')


class DaisyWriter(Writer):
    """DAISY 2.02 full text and full audio: for DAISY players and talking-book services."""

    name: ClassVar[str] = "daisy"
    description: ClassVar[str] = (
        "DAISY 2.02 talking book (zip): NCC navigation by heading and print page, the full "
        "text, one SMIL and one MP3 per section"
    )
    label: ClassVar[str] = "DAISY talking book"
    hint: ClassVar[str] = ("For DAISY players and apps (Victor Reader, Dolphin EasyReader): "
                           "move by heading, page or sentence.")
    files: ClassVar[tuple[FileKind, ...]] = (
        FileKind(".zip", "application/zip", "DAISY 2.02 (zip)"),
    )
    checker: ClassVar[str | None] = "exporter.writers.talking.check_daisy:check_daisy"
    order: ClassVar[int] = 44
    cost: ClassVar[int] = 6
    preload: ClassVar[tuple[str, ...]] = ("weasyprint",)  # its page layout

    def write(self, job: Job) -> list[Produced]:
        # Pages first: laying them out overlaps the recording another writer may be making.
        pages = page_map(job)
        rec = book.record(job)
        files, facts = build(job, rec, pages)
        name = f"{job.stem}-daisy202.zip"
        atomic_write(job.dest / name, _zip(files), durable=False)
        return [Produced(name, facts)]


@dataclass(frozen=True)
class _NccItem:
    position: int  #: where its text is in content.html (reading order)
    html: str


def build(job: Job, rec: book.Recorded, pages: PageMap
          ) -> tuple[list[tuple[str, bytes]], dict[str, object]]:
    """Every file of the book in order (name, bytes), and the manifest's facts."""
    doc, outline = job.doc, job.outline
    words = messages(doc.meta.language)
    content, find, mk_page_id = _content(job, rec, pages, words)
    timeline = pars(rec, find)
    ident = identifier(doc)
    title = doc.meta.title
    audio = [f"a{i + 1:03d}.mp3" for i in range(len(rec.tracks))]
    smils = [f"s{i + 1:03d}.smil" for i in range(len(rec.tracks))]
    files: list[tuple[str, bytes]] = []
    elapsed = 0
    for i, track in enumerate(timeline):
        files.append((smils[i], smil.daisy(track, title, ident, audio[i], rec.rate,
                                           elapsed / rec.rate, "")))
        elapsed += sum(p.end - p.begin for p in track)
    where = {p.text: (smils[p.track], n) for track in timeline
             for n, p in enumerate(track, start=1)}

    def position(fragment: str) -> int:
        return content.find(f'id="{fragment}"')

    def par_at(fragment: str) -> str:
        """The SMIL par reading the element, else the first read after it in the text."""
        found = where.get(f"{CONTENT}#{fragment}")
        if found is None:
            at = position(fragment)
            later = sorted((position(t.partition("#")[2]), t) for t in where
                           if position(t.partition("#")[2]) >= at)
            found = where[later[0][1]] if later else where[next(iter(where))]
        return f"{found[0]}#par-{found[1]}"

    items = [_NccItem(-1 if e.index == 0 else position(e.id), _heading(e, par_at(e.id)))
             for e in outline]
    for n, brk in enumerate(pages.breaks, start=1):
        pid = mk_page_id(brk.label)
        items.append(_NccItem(position(pid),
                              f'<span class="page-normal" id="ncc-page-{n}">'
                              f'<a href="{attr(par_at(pid))}">{escape(brk.label)}</a></span>'))
    items.sort(key=lambda it: it.position)
    total = whole_seconds(rec.seconds)
    names = [NCC, CONTENT, CSS, MASTER, *smils, *audio]
    meta = _ncc_meta(job, words, rec, pages, total, len(items), len(names))
    ncc = (_XHTML + f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{attr(doc.meta.language)}"'
           f' xml:lang="{attr(doc.meta.language)}">\n<head>\n'
           f"<title>{escape(title, quote=False)}</title>\n{meta}\n</head>\n<body>\n"
           + "\n".join(it.html for it in items) + "\n</body>\n</html>\n")
    master = smil.master(list(zip(smils, [track_title(t.entry) for t in rec.tracks],
                                  strict=True)), title, ident, total)
    css = job.styles.text(TALKING_CSS)
    out = [(NCC, ncc.encode()), (CONTENT, content.encode()), (CSS, css.encode()),
           (MASTER, master), *files, *zip(audio, rec.audio, strict=True)]
    facts: dict[str, object] = {
        "duration": total, "seconds": round(rec.seconds, 3), "sections": len(rec.tracks),
        "pars": sum(len(t) for t in timeline), "pages": len(pages.breaks),
        "print_edition": pages.edition.file, "identifier": ident,
    }
    return out, facts


def _heading(entry: Entry, href: str) -> str:
    level = min(entry.level, 6)
    cls = ' class="title"' if entry.index == 0 else ""
    return (f'<h{level}{cls} id="ncc-{entry.index + 1}"><a href="{attr(href)}">'
            f"{escape(track_title(entry), quote=False)}</a></h{level}>")


def _ncc_meta(job: Job, words: Messages, rec: book.Recorded, pages: PageMap, total: int,
              toc_items: int, files: int) -> str:
    doc = job.doc
    m = doc.meta
    depth = max((e.level for e in job.outline), default=1)
    labels = [int(b.label) for b in pages.breaks if b.label.isdigit()]
    values: list[tuple[str, str]] = [("dc:title", m.title)]
    if m.publisher.strip():
        values += [("dc:creator", m.publisher), ("dc:publisher", m.publisher)]
    values += [
        # The date this talking book was made (the page's own date may be unknown).
        ("dc:date", build_time().date().isoformat()),
        ("dc:format", "Daisy 2.02"),
        ("dc:identifier", identifier(doc)),
        ("dc:language", m.language),
        ("dc:source", pages.edition.file),
        ("ncc:charset", "utf-8"),
        ("ncc:generator", f"hsct-exporter {__version__}"),
        ("ncc:narrator", words("talking_book.narrator", voice=rec.voice)),
        ("ncc:multimediaType", "audioFullText"),
        ("ncc:totalTime", hms(total)),
        ("ncc:tocItems", str(toc_items)),
        ("ncc:depth", str(depth)),
        ("ncc:pageFront", "0"),
        ("ncc:pageNormal", str(len(pages.breaks))),
        ("ncc:pageSpecial", "0"),
        ("ncc:maxPageNormal", str(max(labels, default=0))),
        ("ncc:setInfo", "1 of 1"),
        ("ncc:files", str(files)),
    ]
    lines = ['<meta http-equiv="Content-type" content="text/html; charset=utf-8"/>']
    lines += [f'<meta name="{n}" content="{attr(v)}"/>' for n, v in values]
    return "\n".join(lines)


def _content(job: Job, rec: book.Recorded, pages: PageMap, words: Messages
             ) -> tuple[str, Callable[[Target], str | None], Callable[[str], str]]:
    """content.html, where each segment's text is in it, and the page marker ids."""
    doc, outline = job.doc, job.outline
    mk = DaisySentenceMarkup(outline, words=words, breaks=pages.by_key())
    title, rest = doc.blocks[:1], doc.blocks[1:]
    box = announce.opening(rec.tracks[0].segments, doc, outline, mk.free_prefix("recording-"),
                           lambda hid: f"#{hid}", words("talking_book.recording"))
    end = announce.closing(rec.tracks[-1].segments, mk.free_prefix("recording-"))
    parts = [mk.blocks(title), box.html, mk.blocks(rest), mk.notes_part(list(doc.notes)),
             footer(doc, words), end.html]
    body = "\n".join(p for p in parts if p)
    lang = attr(doc.meta.language)
    html = (_XHTML + f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}" '
            f'xml:lang="{lang}">\n<head>\n<meta http-equiv="Content-type" '
            'content="text/html; charset=utf-8"/>\n'
            f"<title>{escape(doc.meta.title, quote=False)}</title>\n"
            f'<link rel="stylesheet" type="text/css" href="{CSS}"/>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>\n")
    found = resolver([(CONTENT, mk)])
    shown = {k: f"{CONTENT}#{v}" for k, v in (box.ids | end.ids).items()}

    def find(target: Target) -> str | None:
        node, part = target
        if isinstance(node, str):
            return shown.get((node, part))
        return found(node, part)

    return html, find, mk.page_id


def _zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    """A reproducible zip: fixed times and attributes; the MP3s stored (already compressed)."""
    stamp = build_time()
    date_time = (1980, 1, 1, 0, 0, 0) if stamp.year < 1980 else (
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            if name.endswith(".mp3"):
                info.compress_type = zipfile.ZIP_STORED
                z.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data, compresslevel=9)
    return out.getvalue()
