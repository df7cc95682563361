"""EPUB 3 writer: a document per section, nav and NCX, print page list, accessibility metadata,
fixed zip."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any, ClassVar

from exporter.fonts import Font, FontError
from exporter.locale import Messages, messages
from exporter.model import Document, Heading
from exporter.options import Options, file_suffix
from exporter.outline import Chunk, Entry, Outline
from exporter.output import atomic_write, build_time
from exporter.page import footer
from exporter.styles import StylesError
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError
from exporter.writers.epub.accessibility import CONFORMANCE, Content, properties, summary
from exporter.writers.epub.markup import (
    EpubMarkup,
    EpubSentenceMarkup,
    image_names,
    image_src,
    note_homes,
    note_page,
)
from exporter.writers.printpages import pagelist
from exporter.writers.printpages.pages import PageMap, page_map

__all__ = ["CONFORMANCE", "EpubWriter", "build"]

CSS_FILE = "epub.css"  #: inside styles/
CSS_HREF = "styles/epub.css"  #: inside the EPUB, relative to the content documents
NAV_FILE = "nav.xhtml"
TOC_ID = "toc"  #: id of the table of contents <nav>, the target of the "toc" landmark
FONT_FOLDER = "fonts"  #: inside the package, beside styles/ (the stylesheet says ../fonts/)
_EPUB_ROOT = "EPUB/"  #: ebooklib's folder for the package and its items
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  #: earliest time a zip entry can hold


class EpubWriter(Writer):
    """EPUB 3 with one XHTML document per top-level section, for e-readers and reading apps."""

    name: ClassVar[str] = "epub"
    description: ClassVar[str] = (
        "EPUB 3 for e-readers: a document per section, full contents, accessibility metadata"
    )
    label: ClassVar[str] = "EPUB e-book"
    hint: ClassVar[str] = "For e-readers and reading apps; the text reflows to your settings."
    files: ClassVar[tuple[FileKind, ...]] = (FileKind(".epub", "application/epub+zip", "EPUB"),)
    #: Size and colours are the reading app's (relative units, no fixed colours); the face and
    #: the spacing are set as the reader asked, and the app may still change them.
    option_names: ClassVar[frozenset[str]] = frozenset(
        {"font", "line_spacing", "letter_spacing", "word_spacing"})
    checker: ClassVar[str | None] = "exporter.writers.epub.check:check"
    order: ClassVar[int] = 30
    cost: ClassVar[int] = 2  # the print edition's layout, when nothing has cached it yet
    preload: ClassVar[tuple[str, ...]] = ("weasyprint",)  # its page layout

    def write(self, job: Job) -> list[Produced]:
        chunks = job.outline.chunks(job.doc, depth=2)
        data, pages = build(job, chunks, page_list=page_list_wanted(job))
        name = f"{job.stem}{file_suffix(job.options, self.option_names, job.styles)}.epub"
        # atomic_write goes through a temp file in job.dest: never a truncated .epub.
        atomic_write(job.dest / name, data, durable=False)
        return [Produced(name, {"documents": len(chunks), "identifier": identifier(job.doc),
                                **pages})]


def page_list_wanted(job: Job) -> bool:
    """styles/epub.yaml page_list: the print edition's page numbers in the book (default on)."""
    settings = job.styles.section("epub")
    value = settings.get("page_list", True)
    if not isinstance(value, bool):
        raise WriterError(f"styles/epub.yaml: page_list must be true or false, not {value!r}")
    limit = settings.get("page_list_max_characters", 40_000)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise WriterError("styles/epub.yaml: page_list_max_characters must be a whole number, "
                          f"not {limit!r}")
    # Laying out a very long page for its print pages costs more time and memory than the
    # book itself (a 1,000-row table, 10,000 links): such a book is made without them.
    return value and _characters(job.doc) <= limit


def _characters(doc: Document) -> int:
    from exporter import sentences

    return sum(len(s) for s in (*sentences.of_blocks(doc.blocks), *sentences.of_notes(doc)))


def identifier(doc: Document) -> str:
    """A stable dc:identifier: the same source always gives the same book identity."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:sha256:{doc.source_sha256}')}"


def file_names(chunks: tuple[Chunk, ...]) -> list[str]:
    """The content document name of each chunk, in reading order."""
    return [f"section-{i:02d}.xhtml" for i in range(len(chunks))]


def anchors(chunks: tuple[Chunk, ...], outline: Outline) -> dict[str, str]:
    """Heading id -> "<file>.xhtml#id", so links and the nav reach across documents."""
    where: dict[str, str] = {}
    for chunk, file in zip(chunks, file_names(chunks), strict=True):
        for block in chunk.blocks:
            if isinstance(block, Heading):
                hid = outline.of(block).id
                where[hid] = f"{file}#{hid}"
    return where


def nav_href(entry: Entry, where: Mapping[str, str]) -> str:
    """Where the contents send a reader: a document's start for the headings that open one."""
    href = where[entry.id]
    return href.split("#", 1)[0] if entry.level <= 2 else href


def build(job: Job, chunks: tuple[Chunk, ...], *, page_list: bool = False
          ) -> tuple[bytes, dict[str, object]]:
    """The finished .epub bytes and the page-list's facts for the manifest (with
    ``page_list``: each print page's marker in the text, the page-list in the nav, the
    edition as dc:source)."""
    from ebooklib import epub  # heavy and optional: only this writer needs it

    doc, outline = job.doc, job.outline
    words = messages(doc.meta.language)
    try:
        font = job.styles.font(job.options.font)
        faces = {weight: font.truetype(weight) for weight in ("regular", "bold")}
    except (StylesError, FontError) as exc:
        raise WriterError(f"epub: {exc}") from exc
    css = reader_css(font, job.options) + job.styles.text(CSS_FILE)
    where = anchors(chunks, outline)
    files = file_names(chunks)
    book = epub.EpubBook()
    book.add_item(epub.EpubItem(uid="css", file_name=CSS_HREF, media_type="text/css",
                                content=css.encode()))
    for weight, data in faces.items():
        name = font_file(font, weight)
        book.add_item(epub.EpubItem(uid=_item_id(name), file_name=f"{FONT_FOLDER}/{name}",
                                    media_type="font/ttf", content=data))
    pictures = image_names(doc)
    for path, (name, media_type) in pictures.items():
        book.add_item(epub.EpubItem(uid=_item_id(name, "image-"), file_name=name,
                                    media_type=media_type, content=_read(path, name)))
    # After the pictures are read: a missing one is named as this writer names it.
    pages = page_map(job) if page_list else None
    _metadata(book, doc, job.styles.section("epub"), words, font.family, pages)
    homes = note_homes(chunks, files, doc.notes)
    docs, bodies = [], []
    breaks = pages.by_key() if pages is not None else {}
    for i, (chunk, file) in enumerate(zip(chunks, files, strict=True)):
        # One markup per content document: ids need only be unique within a document.
        mk = EpubMarkup(outline, anchor=lambda hid: where.get(hid, f"#{hid}"), words=words,
                        image_src=image_src(pictures), note_page=note_page(homes, file),
                        keep_words=True)
        if pages is not None:  # the same, with the print pages' markers (no sentence ids)
            mk = EpubSentenceMarkup(outline, anchor=lambda hid: where.get(hid, f"#{hid}"),
                                    words=words, image_src=image_src(pictures),
                                    note_page=note_page(homes, file), keep_words=True,
                                    breaks=breaks, spans=False)
        parts = [mk.blocks(chunk.blocks),
                 mk.notes_part([n for n in doc.notes if homes[n.number] == file])]
        if i == len(chunks) - 1:
            parts.append(f"<footer>\n{footer(doc, words)}\n</footer>")
        bodies.append("\n".join(p for p in parts if p))
        item = epub.EpubItem(uid=file.removesuffix(".xhtml"), file_name=file,
                             media_type="application/xhtml+xml",
                             content=xhtml(doc.meta.language, chunk.entry.label, bodies[-1]))
        book.add_item(item)
        docs.append(item)
    nav = epub.EpubNav(title=words("contents"))
    nav.add_link(href=CSS_HREF, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.toc = [_toc(outline, r, where) for r in outline.roots]
    book.guide = [
        {"type": "toc", "title": words("contents"), "href": f"{NAV_FILE}#{TOC_ID}"},
        {"type": "text", "title": doc.meta.title, "href": files[0]},
    ]
    # The "toc" landmark must point into the spine (RSC-011); non-linear keeps the reading
    # order the text's own, and reading systems still open the contents on request.
    book.spine = [*docs, (nav, "no")]
    raw = io.BytesIO()
    # raise_exceptions: otherwise an OSError is swallowed and write_epub returns False.
    epub.write_epub(raw, book, {"raise_exceptions": True, "mtime": build_time(),
                                "epub3_pages": False, "landmark_title": words("landmarks")})
    lang = doc.meta.language
    try:
        listed = pagelist.entries(pages, bodies, files) if pages is not None else []
    except ValueError as exc:
        raise WriterError(f"epub: {exc}; set page_list: false in styles/epub.yaml to leave "
                          "the print page numbers out") from exc
    fixes: dict[str, Callable[[bytes], bytes]] = {
        f"{_EPUB_ROOT}content.opf": lambda b: _fix_opf(b, lang),
        f"{_EPUB_ROOT}{NAV_FILE}": lambda b: pagelist.add_to_nav(_fix_nav(b), listed,
                                                                 words("page_list")),
        f"{_EPUB_ROOT}toc.ncx": lambda b: _fix_ncx(b, lang, outline),
    }
    facts: dict[str, object] = {}
    if pages is not None:
        facts = {"pages": len(listed), "print_edition": pages.edition.file}
    return rezip(raw.getvalue(), fixes, build_time()), facts


def _metadata(book: Any, doc: Document, settings: Mapping[str, Any], words: Messages,
              font: str, pages: PageMap | None) -> None:
    m = doc.meta
    book.set_identifier(identifier(doc))
    book.set_title(m.title)
    book.set_language(m.language)
    if m.publisher.strip():
        book.add_metadata("DC", "publisher", m.publisher)
    if m.summary.strip():
        book.add_metadata("DC", "description", m.summary)
    for subject in ([m.subject] if m.subject else []) + list(m.keywords):
        book.add_metadata("DC", "subject", subject)
    if m.updated:
        book.add_metadata("DC", "date", m.updated.isoformat())
    if pages is not None:  # the print edition the page list follows, and the page features
        pagelist.metadata(book, pages)
    content = Content.of(doc)
    for prop, value in properties(content):
        book.add_metadata(None, "meta", value, {"property": prop})
    attrs = {"property": "schema:accessibilitySummary"}
    if not words.complete:  # the summary fell back to English: say so, under another language
        attrs[XML_LANG] = "en"
    said = summary(words, content, font)
    if pages is not None:
        said += " " + words("talking_book.summary_pages", size=pages.edition.options.size,
                            file=pages.edition.file)
    book.add_metadata(None, "meta", said, attrs)
    # A conformance claim needs a named evaluator (EPUB Accessibility 1.1); automated checks
    # alone do not cover WCAG AA, so claim only when styles/epub.yaml names who evaluated it.
    certified_by = settings.get("certified_by")
    if isinstance(certified_by, str) and certified_by.strip():
        book.add_metadata(None, "meta", CONFORMANCE, {"property": "dcterms:conformsTo"})
        book.add_metadata(None, "meta", certified_by.strip(), {"property": "a11y:certifiedBy"})


def _read(path: str, name: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise WriterError(f"{name}: cannot read the picture {path}: {exc.strerror}; export "
                          "again once the file is back") from exc


def font_file(font: Font, weight: str) -> str:
    """The face's file name in the package: "AtkinsonHyperlegible-Bold.ttf"."""
    return f"{font.family.replace(' ', '')}-{weight.capitalize()}.ttf"


def reader_css(font: Font, options: Options) -> str:
    """The rules the reader's choices make: the embedded face, line spacing and any extra
    letter and word spacing (in em, so they follow the size the reader sets in the app)."""
    family = font.family.replace('"', "")
    faces = "".join(
        f'@font-face {{\n  font-family: "{family}";\n  font-style: normal;\n'
        f"  font-weight: {weight_css};\n"
        f'  src: url("../{FONT_FOLDER}/{font_file(font, weight)}") format("truetype");\n}}\n'
        for weight, weight_css in (("regular", "normal"), ("bold", "bold")))
    rules = (f'body {{ font-family: "{family}", sans-serif; '
             f"line-height: {options.line_spacing:g}; }}\n")
    spacing = []
    if options.letter_spacing:
        spacing.append(f"letter-spacing: {options.letter_spacing:g}em;")
    if options.word_spacing:
        spacing.append(f"word-spacing: {options.word_spacing:g}em;")
    if spacing:
        # On every element: an em is then each element's own size (a heading's spacing
        # grows with it), where an inherited value would be the body's.
        rules += f"body, body * {{ {' '.join(spacing)} }}\n"
    return (f"/* The reader's choices: {font.label}, line spacing {options.line_spacing:g}, "
            f"extra letter spacing {options.letter_spacing:g}em, word spacing "
            f"{options.word_spacing:g}em. The face is embedded from its package; its "
            "licence travels inside the font file. */\n" + faces + rules)


def _item_id(file_name: str, prefix: str = "font-") -> str:
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return prefix + re.sub(r"[^A-Za-z0-9-]", "-", stem).removeprefix(prefix)


def xhtml(lang: str, title: str, body: str) -> bytes:
    """One EPUB content document: language on the root, the title, the shared stylesheet."""
    a = escape(lang, quote=True)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{a}" xml:lang="{a}">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{escape(title, quote=False)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{CSS_HREF}"/>\n</head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    ).encode()


def _toc(outline: Outline, entry: Entry, where: Mapping[str, str]) -> Any:
    """ebooklib's toc shape: a Link, or (Link, [children]) when the heading has subheadings."""
    from ebooklib import epub

    # The label: the heading as the text shows it, with its number when numbering is on.
    link = epub.Link(nav_href(entry, where), entry.label, f"nav-{entry.index}")
    kids = outline.kids(entry)
    return (link, [_toc(outline, k, where) for k in kids]) if kids else link


def _fix_opf(data: bytes, lang: str) -> bytes:
    # ebooklib sets no xml:lang on <package>: Ace by DAISY flags it as serious (epub-lang).
    return _sub_once(rb"<package ", b'<package xml:lang="%s" ' % _attr(lang), data, "content.opf")


def _fix_nav(data: bytes) -> bytes:
    # ebooklib gives the toc <nav> the id "id"; the landmark points at a meaningful one.
    data = _sub_once(rb'(<nav [^>]*epub:type="toc"[^>]*) id="id"',
                     rb'\1 id="%s"' % TOC_ID.encode(), data, NAV_FILE)
    # The landmarks are for the reading system's own menus, not for reading: hidden, as EPUB
    # 3.3 provides, a reading system that shows the nav document shows only the contents.
    return _sub_once(rb'<nav epub:type="landmarks"', b'<nav epub:type="landmarks" hidden="hidden"',
                     data, NAV_FILE)


def _fix_ncx(data: bytes, lang: str, outline: Outline) -> bytes:
    # ebooklib writes dtb:depth 0 and no language; older readers use both.
    depth = max((e.level for e in outline), default=1)
    data = _sub_once(rb"<ncx ", b'<ncx xml:lang="%s" ' % _attr(lang), data, "toc.ncx")
    return _sub_once(rb'<meta content="0" name="dtb:depth"/>',
                     b'<meta content="%d" name="dtb:depth"/>' % depth, data, "toc.ncx")


def _attr(value: str) -> bytes:
    return escape(value, quote=True).encode()


def _sub_once(pattern: bytes, replacement: bytes, data: bytes, where: str) -> bytes:
    # ebooklib's output is fixed text; if a new version changes it, fail loudly, never silently.
    new, n = re.subn(pattern, replacement, data, count=1)
    if n != 1:
        raise WriterError(f"unexpected {where} from ebooklib (pattern {pattern!r} not found); "
                          "this writer is tested with EbookLib 0.20")
    return new


def rezip(raw: bytes, fixes: Mapping[str, Callable[[bytes], bytes]], when: dt.datetime) -> bytes:
    """The same entries with fixed times and attributes; `mimetype` first and stored (OCF)."""
    stamp = max(when, _ZIP_EPOCH).astimezone(dt.UTC)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        if "mimetype" not in names:
            raise WriterError("ebooklib wrote no mimetype entry; reinstall EbookLib>=0.20")
        for name in ["mimetype", *(n for n in names if n != "mimetype")]:
            data = src.read(name)
            if name in fixes:
                data = fixes[name](data)
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = 0o100644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                dst.writestr(info, data)
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(info, data, compresslevel=9)
    return out.getvalue()
