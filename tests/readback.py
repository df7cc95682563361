"""Structure read back from finished files, one small reader per format, independent of the
writers' own code: what a user's tools (a browser, an e-reader, a PDF or Word reader, a
listener) would find. Used by the corpus tests to compare every format with the source."""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag

from exporter.model import (
    Block,
    Break,
    CodeBlock,
    DefinitionList,
    Document,
    Figure,
    Inline,
    Link,
    NoteRef,
    Paragraph,
    Quote,
    Table,
    iter_inlines,
    plain_text,
    walk_blocks,
)
from exporter.sentences import normalise, split

NUMBER = re.compile(r"^\[?(\d{1,4})\]?$")


@dataclass(frozen=True)
class Source:
    """What the source holds, counted the way each format is read back."""

    tables: tuple[Table, ...]
    figures: tuple[Figure, ...]
    quotes: int
    terms: int  #: definition-list terms
    code: int
    breaks: int
    notes: tuple[tuple[int, str], ...]  #: (number, first sentence) of each note
    note_refs: int  #: markers in the text (a note may be referred to more than once)
    links: frozenset[str]  #: addresses outside the page, after relative ones were resolved

    @classmethod
    def of(cls, doc: Document) -> Source:
        blocks = list(walk_blocks(doc.blocks))
        return cls(
            tables=tuple(b for b in blocks if isinstance(b, Table)),
            figures=tuple(b for b in blocks if isinstance(b, Figure)),
            quotes=sum(isinstance(b, Quote) for b in blocks),
            terms=sum(len(b.items) for b in blocks if isinstance(b, DefinitionList)),
            code=sum(isinstance(b, CodeBlock) for b in blocks),
            breaks=sum(isinstance(b, Break) for b in blocks),
            notes=tuple((n.number, split(plain_text(_first_inlines(n.blocks)))[0])
                        for n in doc.notes),
            note_refs=sum(isinstance(i, NoteRef) for i in iter_inlines(doc.blocks)),
            links=frozenset(i.href for i in iter_inlines(doc.blocks)
                            if isinstance(i, Link) and not i.href.startswith("#")),
        )


def _first_inlines(blocks: tuple[Block, ...]) -> tuple[Inline, ...]:
    for b in walk_blocks(blocks):
        if isinstance(b, Paragraph) and b.children:
            return b.children
    return ()


def text_of(cells: Iterable[object]) -> list[str]:
    return [normalise(plain_text(getattr(c, "children", ()))) for c in cells]


# ---------------------------------------------------------------- HTML and EPUB (markup)


@dataclass
class Markup:
    """What a browser or e-reader finds in one or more (X)HTML documents."""

    tables: list[tuple[str, list[str]]] = field(default_factory=list)  #: (caption, th scope=col)
    figures: list[tuple[str, str, str]] = field(default_factory=list)  #: (alt, src, figcaption)
    quotes: int = 0
    terms: int = 0
    code: int = 0
    breaks: int = 0
    links: set[str] = field(default_factory=set)
    markers: list[str] = field(default_factory=list)  #: "[n]" link texts, in order
    unlinked_markers: list[str] = field(default_factory=list)  #: marker, why it fails
    text: str = ""
    languages: set[str] = field(default_factory=set)


def read_markup(documents: dict[str, bytes]) -> Markup:
    """Read (X)HTML documents by name (names matter: note links may cross documents)."""
    import lxml.html

    trees = {name: lxml.html.document_fromstring(data) for name, data in documents.items()}
    ids = {(name, e.get("id")): e for name, t in trees.items() for e in t.iter()
           if isinstance(e.tag, str) and e.get("id")}
    found = Markup()
    # A note marker: a link shown as a number (in brackets) to a place in the documents. The
    # same kind of link inside a note (its number linking back) is not a marker, nor is a
    # navigation document's (an EPUB's page-list links each print page by its number).
    numbered = [(name, a) for name, t in trees.items() for a in t.iter("a")
                if NUMBER.match(normalise(a.text_content())) and "#" in (a.get("href") or "")
                and not any(e.tag == "nav" for e in a.iterancestors())]
    notes = {id(ids[k]) for k in (_target(name, a.get("href") or "") for name, a in numbered)
             if k in ids}
    texts = []
    for tree in trees.values():
        html = tree.getroottree().getroot()
        found.languages |= {v for k, v in html.attrib.items() if k.endswith("lang")}
        for table in tree.iter("table"):
            caption = " ".join(normalise(c.text_content()) for c in table.iter("caption"))
            found.tables.append((caption, [normalise(th.text_content()) for th in table.iter("th")
                                           if th.get("scope") == "col"]))
        for img in tree.iter("img"):
            figure = next((a for a in img.iterancestors("figure")), None)
            caption = " ".join(normalise(c.text_content()) for c in figure.iter("figcaption")) \
                if figure is not None else ""
            found.figures.append((img.get("alt") or "", img.get("src") or "", caption))
        found.quotes += sum(1 for _ in tree.iter("blockquote"))
        found.terms += sum(1 for _ in tree.iter("dt"))
        found.code += sum(1 for _ in tree.iter("pre"))
        found.breaks += sum(1 for _ in tree.iter("hr"))
        found.links |= {a.get("href") for a in tree.iter("a")
                        if (a.get("href") or "").startswith(("http:", "https:", "mailto:", "tel:"))}
        texts.append(tree.text_content())
    for name, a in numbered:
        if any(id(e) in notes for e in a.iterancestors()):
            continue
        number = NUMBER.match(normalise(a.text_content()))
        label = f"[{number.group(1) if number else ''}]"
        found.markers.append(label)
        why = _note_link_problem(name, a, a.get("href") or "", ids)
        if why:
            found.unlinked_markers.append(f"{label}: {why}")
    found.text = normalise("\n".join(texts))
    return found


def _target(name: str, href: str) -> tuple[str, str]:
    """The (document, id) a link points to."""
    path, fragment = urldefrag(href)
    doc = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(path))) \
        if path else name
    return doc, fragment


def _note_link_problem(name: str, marker: object, href: str,
                       ids: dict[tuple[str, str], object]) -> str:
    """Why a "[n]" marker is not linked both ways with its note ("" when it is)."""
    note = ids.get(_target(name, href))
    if note is None:
        return f"links to '{href}', which is no element"
    own = {e.get("id") for e in [marker, *marker.iterancestors()]  # type: ignore[attr-defined]
           if e.get("id")}
    back = [urldefrag(a.get("href") or "")[1] for a in note.iter("a")]  # type: ignore[attr-defined]
    if not own & set(back):
        return "its note has no link back to it"
    return ""


def read_html(path: Path) -> Markup:
    return read_markup({path.name: path.read_bytes()})


def read_epub(path: Path) -> Markup:
    """Every content document of the spine, in reading order."""
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_name = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(z.read(opf_name))
        base = posixpath.dirname(opf_name)
        items = {i.get("id"): i.get("href") for i in opf.xpath("//*[local-name()='item']")}
        spine = [items[r] for r in opf.xpath("//*[local-name()='itemref']/@idref")]
        docs = {posixpath.normpath(posixpath.join(base, unquote(h))): b"" for h in spine}
        for name in docs:
            docs[name] = z.read(name)
        found = read_markup(docs)
        found.languages |= set(opf.xpath("//*[local-name()='language']/text()"))
    return found


# ---------------------------------------------------------------- PDF


@dataclass
class Pdf:
    """What a PDF reader and a screen reader find: structure tags, links, text, language."""

    tags: list[str]  #: structure types in document order (role-mapped to standard types)
    alts: list[str]  #: /Alt of each Figure
    links: set[str]
    text: str
    language: str


def read_pdf(path: Path) -> Pdf:
    import pdfplumber
    import pikepdf

    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        roles = {str(k): str(v) for k, v in (root.get("/RoleMap") or {}).items()} \
            if root is not None else {}
        tags: list[str] = []
        alts: list[str] = []
        stack = [root.get("/K")] if root is not None else []
        while stack:
            k = stack.pop()
            if isinstance(k, pikepdf.Array):
                stack.extend(reversed(list(k)))
            elif isinstance(k, pikepdf.Dictionary) and "/S" in k:
                s = str(k["/S"])
                s = roles.get(s, s)
                tags.append(s.lstrip("/"))
                if s == "/Figure":
                    alts.append(str(k.get("/Alt", "")))
                if "/K" in k:
                    stack.append(k["/K"])
        links = {str(a["/A"]["/URI"]) for page in pdf.pages for a in page.get("/Annots") or []
                 if a.get("/Subtype") == "/Link" and "/A" in a and "/URI" in a["/A"]}
        language = str(pdf.Root.get("/Lang", ""))
    with pdfplumber.open(path) as doc:
        text = normalise("\n".join(page.extract_text() or "" for page in doc.pages))
    return Pdf(tags, alts, links, text, language)


# ---------------------------------------------------------------- Word


@dataclass
class Word:
    """What Word and a screen reader find in a .docx."""

    tables: list[tuple[list[str], bool, str]]  #: (first row texts, w:tblHeader, caption beside)
    alts: list[str]  #: descr of each picture
    footnotes: list[str]  #: text of each real footnote
    footnote_refs: int
    quote_paragraphs: list[str]  #: text of paragraphs in a quote style
    links: set[str]
    languages: set[str]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _wtext(el: Any) -> str:
    """The text of a WordprocessingML element as a reader shows it: w:t, and Word's
    no-break hyphen (w:noBreakHyphen, drawn and read as "-")."""
    return "".join("-" if t.tag == f"{W}noBreakHyphen" else t.text or ""
                   for t in el.iter(f"{W}t", f"{W}noBreakHyphen"))


def read_docx(path: Path) -> Word:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    document = docx.Document(str(path))
    body = document.element.body
    tables: list[tuple[list[str], bool, str]] = []
    children = list(body.iterchildren())
    for i, el in enumerate(children):
        if el.tag != f"{W}tbl":
            continue
        rows = el.findall(f"{W}tr")
        first = [normalise(_wtext(tc))
                 for tc in rows[0].findall(f"{W}tc")] if rows else []
        header = bool(rows) and rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        beside = [children[j] for j in (i - 1, i + 1) if 0 <= j < len(children)]
        caption = " | ".join(normalise(_wtext(p))
                             for p in beside if p.tag == f"{W}p")
        tables.append((first, header, caption))
    alts = [str(d.get("descr") or "") for d in body.iter()
            if isinstance(d.tag, str) and d.tag.endswith("}docPr")]
    footnotes: list[str] = []
    links = {r.target_ref for r in document.part.rels.values()
             if r.reltype == RT.HYPERLINK and r.is_external}
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            from lxml import etree

            part = rel.target_part
            tree = etree.fromstring(part.blob)
            footnotes = [normalise(_wtext(fn))
                         for fn in tree.findall(f"{W}footnote") if fn.get(f"{W}type") is None]
            links |= {r.target_ref for r in part.rels.values()
                      if r.reltype == RT.HYPERLINK and r.is_external}
    refs = sum(1 for _ in body.iter(f"{W}footnoteReference"))
    quotes = [normalise(p.text) for p in document.paragraphs if p.style is not None
              and ("quote" in (p.style.name or "").lower() or p.style.name == "Block Text")]
    styles = document.styles.element
    languages = {str(v) for lang in styles.iter(f"{W}lang")
                 for k, v in lang.attrib.items() if k == f"{W}val"}
    return Word(tables, alts, footnotes, refs, quotes, links, languages)
