"""EPUB 3 talking book: the e-book with the recording, sentence by sentence (media overlays).

The same content documents as the plain EPUB (the EPUB writer's chunks, names, navigation,
pictures and fixes are reused), with each sentence in its own element, the recording's
tracks inside the package, and one SMIL overlay per content document joining each sentence
to its clip. The clips are the spans of samples counted while speaking (audio/book.py); the
recording is the one the MP3 writer publishes. Page breaks of the large-print edition are
marked in the text and listed in the navigation's page-list.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from exporter.fonts import FontError
from exporter.locale import Messages, messages
from exporter.model import Document
from exporter.outline import Chunk
from exporter.output import atomic_write, build_time
from exporter.page import footer
from exporter.segments import Target
from exporter.styles import StylesError
from exporter.writers.audio import book
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError
from exporter.writers.epub import writer as plain
from exporter.writers.epub.accessibility import FEATURES, Content
from exporter.writers.epub.markup import (
    EpubSentenceMarkup,
    image_names,
    image_src,
    note_homes,
    note_page,
)
from exporter.writers.printpages import pagelist
from exporter.writers.printpages.pages import PageMap, page_map
from exporter.writers.printpages.spans import SentenceMarkup, resolver
from exporter.writers.talking import announce, package, smil
from exporter.writers.talking.timeline import Par, clock, pars

#: The class reading systems put on the sentence being spoken (styles/talking.css).
ACTIVE_CLASS = "-epub-media-overlay-active"
TALKING_CSS = "talking.css"
AUDIO_FOLDER = "audio"
SMIL_FOLDER = "smil"


class TalkingEpubWriter(Writer):
    """EPUB 3 with media overlays: text and recording in step, sentence by sentence."""

    name: ClassVar[str] = "talking-epub"
    description: ClassVar[str] = (
        "EPUB 3 talking book: the text with its recording, each sentence highlighted as it "
        "is spoken (media overlays), print page numbers"
    )
    label: ClassVar[str] = "EPUB talking book"
    hint: ClassVar[str] = ("Read and listen at once: reading apps such as Thorium highlight "
                           "each sentence as it is spoken.")
    files: ClassVar[tuple[FileKind, ...]] = (
        FileKind(".epub", "application/epub+zip", "EPUB 3 with audio"),
    )
    checker: ClassVar[str | None] = "exporter.writers.talking.check_epub:check_epub"
    order: ClassVar[int] = 42
    cost: ClassVar[int] = 6
    preload: ClassVar[tuple[str, ...]] = ("weasyprint",)  # its page layout

    def write(self, job: Job) -> list[Produced]:
        # Pages first: laying them out overlaps the recording another writer may be making.
        pages = page_map(job)
        rec = book.record(job)
        data, facts = build(job, rec, pages)
        name = f"{job.stem}-talking-book.epub"
        atomic_write(job.dest / name, data, durable=False)
        return [Produced(name, facts)]


def identifier(doc: Document) -> str:
    """Its own identity (another publication than the plain EPUB), stable for one source."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:sha256:{doc.source_sha256}#talking')}"


def build(job: Job, rec: book.Recorded, pages: PageMap) -> tuple[bytes, dict[str, object]]:
    """The finished .epub bytes and the manifest's facts."""
    from ebooklib import epub

    doc, outline = job.doc, job.outline
    words = messages(doc.meta.language)
    chunks = outline.chunks(doc, depth=2)
    files = plain.file_names(chunks)
    where = plain.anchors(chunks, outline)
    documents, find = _documents(job, chunks, files, where, rec, pages, words)
    timeline = pars(rec, find)
    audio_names = [f"{AUDIO_FOLDER}/track-{i + 1:03d}.mp3" for i in range(len(rec.tracks))]

    ebook = epub.EpubBook()
    try:
        font = job.styles.font(job.options.font)
        faces = {weight: font.truetype(weight) for weight in ("regular", "bold")}
    except (StylesError, FontError) as exc:
        raise WriterError(f"talking-epub: {exc}") from exc
    css = (plain.reader_css(font, job.options) + job.styles.text(plain.CSS_FILE) + "\n"
           + job.styles.text(TALKING_CSS))
    durations = _overlays(timeline, files, rec.rate)
    _metadata(ebook, job, words, pages, durations, rec)
    ebook.add_item(epub.EpubItem(uid="css", file_name=plain.CSS_HREF, media_type="text/css",
                                 content=css.encode()))
    for weight, data in faces.items():
        name = plain.font_file(font, weight)
        ebook.add_item(epub.EpubItem(uid=plain._item_id(name), file_name=f"{plain.FONT_FOLDER}/"
                                     f"{name}", media_type="font/ttf", content=data))
    for path, (name, media_type) in image_names(doc).items():
        ebook.add_item(epub.EpubItem(uid=plain._item_id(name, "image-"), file_name=name,
                                     media_type=media_type, content=plain._read(path, name)))
    for i in range(len(rec.audio)):  # placeholders: the bytes are stored by package.rezip
        ebook.add_item(epub.EpubItem(uid=f"audio-{i + 1:03d}", file_name=audio_names[i],
                                     media_type="audio/mpeg", content=b""))
    items = []
    for file, chunk, body in zip(files, chunks, documents, strict=True):
        stem = file.removesuffix(".xhtml")
        item = epub.EpubItem(uid=stem, file_name=file, media_type="application/xhtml+xml",
                             content=plain.xhtml(doc.meta.language, chunk.entry.title, body))
        mine = [p for track in timeline for p in track if p.text.partition("#")[0] == file]
        if mine:
            item.media_overlay = f"smil-{stem}"
            ebook.add_item(epub.EpubSMIL(
                uid=f"smil-{stem}", file_name=f"{SMIL_FOLDER}/{stem}.smil",
                content=smil.overlay(mine, f"../{file}", [f"../{a}" for a in audio_names],
                                     rec.rate)))
        ebook.add_item(item)
        items.append(item)
    nav = epub.EpubNav(title=words("contents"))
    nav.add_link(href=plain.CSS_HREF, rel="stylesheet", type="text/css")
    ebook.add_item(nav)
    ebook.add_item(epub.EpubNcx())
    ebook.toc = [plain._toc(outline, r, where) for r in outline.roots]
    ebook.guide = [
        {"type": "toc", "title": words("contents"), "href": f"{plain.NAV_FILE}#{plain.TOC_ID}"},
        {"type": "text", "title": doc.meta.title, "href": files[0]},
    ]
    ebook.spine = [*items, (nav, "no")]
    raw = io.BytesIO()
    epub.write_epub(raw, ebook, {"raise_exceptions": True, "mtime": build_time(),
                                 "epub3_pages": False, "landmark_title": words("landmarks")})
    lang = doc.meta.language
    listed = pagelist.entries(pages, documents, files)
    fixes: dict[str, Callable[[bytes], bytes]] = {
        f"{plain._EPUB_ROOT}content.opf": lambda b: plain._fix_opf(b, lang),
        f"{plain._EPUB_ROOT}{plain.NAV_FILE}": lambda b: pagelist.add_to_nav(
            plain._fix_nav(b), listed, words("page_list")),
        f"{plain._EPUB_ROOT}toc.ncx": lambda b: plain._fix_ncx(b, lang, outline),
    }
    stored = {f"{plain._EPUB_ROOT}{n}": d for n, d in zip(audio_names, rec.audio, strict=True)}
    data = package.rezip(raw.getvalue(), fixes, build_time(), stored)
    facts: dict[str, object] = {
        **_length(rec), "documents": len(chunks), "identifier": identifier(doc),
        "pars": sum(len(t) for t in timeline), "pages": len(listed),
        "print_edition": pages.edition.file,
    }
    return data, facts


def _length(rec: book.Recorded) -> dict[str, object]:
    from exporter.writers.audio.writer import length_facts

    return length_facts(rec.total, rec.rate)


def _documents(job: Job, chunks: Sequence[Chunk], files: Sequence[str],
               where: Mapping[str, str], rec: book.Recorded, pages: PageMap, words: Messages
               ) -> tuple[list[str], Callable[[Target], str | None]]:
    """The body of each content document, and where each segment's text is."""
    doc, outline = job.doc, job.outline
    homes = note_homes(chunks, files, doc.notes)
    pictures = image_names(doc)
    counter = [0]
    breaks = pages.by_key()
    made: list[tuple[str, SentenceMarkup]] = []
    shown: dict[tuple[str, int], str] = {}
    by_id = {e.id: e for e in outline}
    bodies = []
    for i, (chunk, file) in enumerate(zip(chunks, files, strict=True)):
        mk = EpubSentenceMarkup(outline, anchor=lambda hid: where.get(hid, f"#{hid}"),
                                words=words, image_src=image_src(pictures),
                                note_page=note_page(homes, file), breaks=breaks, counter=counter)
        parts = [mk.blocks(chunk.blocks[:1])]
        if i == 0:
            box = announce.opening(rec.tracks[0].segments, doc, outline,
                                   mk.free_prefix("recording-"),
                                   lambda hid: plain.nav_href(by_id[hid], where),
                                   words("talking_book.recording"))
            parts.append(box.html)
            shown |= {k: f"{file}#{v}" for k, v in box.ids.items()}
        parts += [mk.blocks(chunk.blocks[1:]),
                  mk.notes_part([n for n in doc.notes if homes[n.number] == file])]
        if i == len(chunks) - 1:
            parts.append(f"<footer>\n{footer(doc, words)}\n</footer>")
            end = announce.closing(rec.tracks[-1].segments, mk.free_prefix("recording-"))
            parts.append(end.html)
            shown |= {k: f"{file}#{v}" for k, v in end.ids.items()}
        bodies.append("\n".join(p for p in parts if p))
        made.append((file, mk))
    found = resolver(made)

    def find(target: Target) -> str | None:
        node, part = target
        if isinstance(node, str):
            return shown.get((node, part))
        return found(node, part)

    return bodies, find


def _overlays(timeline: Sequence[Sequence[Par]], files: Sequence[str], rate: int
              ) -> dict[str, int]:
    """Samples each content document's overlay plays (its media:duration)."""
    out: dict[str, int] = {}
    for track in timeline:
        for p in track:
            file = p.text.partition("#")[0]
            out[file] = out.get(file, 0) + p.end - p.begin
    return {f: out[f] for f in files if f in out}


def _metadata(ebook: Any, job: Job, words: Messages, pages: PageMap,
              durations: Mapping[str, int], rec: book.Recorded) -> None:
    doc = job.doc
    m = doc.meta
    ebook.set_identifier(identifier(doc))
    ebook.set_title(m.title)
    ebook.set_language(m.language)
    if m.publisher.strip():
        ebook.add_metadata("DC", "publisher", m.publisher)
    if m.summary.strip():
        ebook.add_metadata("DC", "description", m.summary)
    for subject in ([m.subject] if m.subject else []) + list(m.keywords):
        ebook.add_metadata("DC", "subject", subject)
    if m.updated:
        ebook.add_metadata("DC", "date", m.updated.isoformat())
    pagelist.metadata(ebook, pages)  # the print edition the page list follows
    content = Content.of(doc)
    for prop, value in accessibility(content):
        ebook.add_metadata(None, "meta", value, {"property": prop})
    attrs = {"property": "schema:accessibilitySummary"}
    if not words.complete:
        attrs[plain.XML_LANG] = "en"
    ebook.add_metadata(None, "meta", summary(words, content, job.styles.font_family, pages),
                       attrs)
    for file, samples in durations.items():
        ebook.add_metadata(None, "meta", clock(samples, rec.rate),
                           {"property": "media:duration",
                            "refines": f"#smil-{file.removesuffix('.xhtml')}"})
    # The book's length is the recording's, the figure every format states.
    ebook.add_metadata(None, "meta", clock(sum(durations.values()), rec.rate),
                       {"property": "media:duration"})
    ebook.add_metadata(None, "meta", ACTIVE_CLASS, {"property": "media:active-class"})
    ebook.add_metadata(None, "meta", words("talking_book.narrator", voice=rec.voice),
                       {"property": "media:narrator"})


def accessibility(content: Content) -> list[tuple[str, str]]:
    """schema.org access modes and features of a talking book: text and audio, each enough."""
    modes = ["textual", "auditory", *(["visual"] if content.images else [])]
    features = [*FEATURES, "synchronizedAudioText",
                *(["alternativeText"] if content.images else [])]
    return ([("schema:accessMode", m) for m in modes]
            + [("schema:accessModeSufficient", "textual"),
               ("schema:accessModeSufficient", "auditory")]
            + [("schema:accessibilityFeature", f) for f in features]
            + [("schema:accessibilityHazard", "none")])


def summary(words: Messages, content: Content, font: str, pages: PageMap) -> str:
    """The accessibility summary of the talking book, saying only what is true of it."""
    said = [words("talking_book.summary_audio")]
    if content.images:
        said.append(words("talking_book.summary_images"))
    keys = ["navigation", *(["tables"] if content.tables else []),
            *(["notes"] if content.notes else []), "display",
            *(["callouts"] if content.callouts else [])]
    said += [words(f"accessibility_summary.{k}", font=font) for k in keys]
    said.append(words("talking_book.summary_pages", size=pages.edition.options.size,
                      file=pages.edition.file))
    return " ".join(said)
