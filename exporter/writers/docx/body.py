"""The document body: every block kind as WordprocessingML, written where the writer points."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from exporter.links import link_target, page_reference
from exporter.locale import Messages
from exporter.model import (
    Block,
    Break,
    Callout,
    Code,
    CodeBlock,
    DefinitionList,
    Document,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Metadata,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    iter_inlines,
    plain_text,
)
from exporter.outline import Entry, Outline
from exporter.writers.base import WriterError
from exporter.writers.docx.elements import (
    bookmark,
    field,
    hyperlink,
    keep_together,
    line_break,
    run,
)
from exporter.writers.docx.lists import Numbering
from exporter.writers.docx.notes import Footnotes
from exporter.writers.docx.pictures import picture
from exporter.writers.docx.relations import Relations
from exporter.writers.docx.settings import NBSP, UNKNOWN_PAGE, W_XMLNS, Element, Metrics
from exporter.writers.docx.tables import write_table


def bookmark_names(outline: Outline) -> dict[str, str]:
    """A Word bookmark name per heading id: a letter first, letters, digits and _, <= 40 long."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for e in outline:
        base = re.sub(r"[^A-Za-z0-9_]", "_", e.id)
        if not base[:1].isalpha():
            base = f"h_{base}"
        name = base[:40]
        n = 2
        while name in used:
            suffix = f"_{n}"
            name, n = base[: 40 - len(suffix)] + suffix, n + 1
        used.add(name)
        names[e.id] = name
    return names


class Body:
    """Appends the document's blocks to a python-docx document as WordprocessingML."""

    def __init__(self, document: Any, outline: Outline, m: Metrics, words: Messages) -> None:
        self.document = document
        self.outline = outline
        self.m = m
        self.words = words
        self.bookmarks = bookmark_names(outline)
        self.body = document.element.body
        self.part: Any = document.part  #: where relationships go: the document or the notes
        self.relations = Relations()
        self.width = m.text_width  #: twips a picture may fill here (less inside a table cell)
        self.base_style: str | None = None  #: paragraph style where a block names none
        self._anchor: Element | None = self.body.sectPr  # new paragraphs go before the section
        self._container: Element | None = None
        self.numbering = Numbering(document.part.numbering_part.element, m)
        self.notes = Footnotes(self)
        self.counts: Counter[str] = Counter()  #: facts for the manifest
        self._bookmark_id = len(outline)  # heading bookmarks use ids 0 .. len(outline) - 1
        self.shape_id = 0
        self._last_was_callout = False
        self._callout_count = 0

    # -------------------------------------------------------------- where things go

    def place(self, element: Element) -> None:
        if self._container is not None:
            self._container.append(element)
        else:
            assert self._anchor is not None
            self._anchor.addprevious(element)

    @contextmanager
    def into(self, container: Element, *, part: Any = None, width: int | None = None,
             style: str | None = None) -> Iterator[None]:
        """Write into ``container`` (a table cell, a footnote) for the duration."""
        saved = (self._container, self.part, self.width, self.base_style)
        self._container = container
        self.part = part if part is not None else self.part
        self.width = width if width is not None else self.width
        self.base_style = style if style is not None else self.base_style
        try:
            yield
        finally:
            self._container, self.part, self.width, self.base_style = saved

    @property
    def in_main_flow(self) -> bool:
        """True when writing straight into the document body (not a cell or a note)."""
        return self._container is None

    def last_placed(self) -> Element | None:
        """The element written last into the document body."""
        return self._anchor.getprevious() if self._anchor is not None else None

    def new_bookmark_id(self) -> int:
        self._bookmark_id += 1
        return self._bookmark_id

    # -------------------------------------------------------------- structure

    def render(self, doc: Document) -> None:
        title, rest = doc.blocks[0], doc.blocks[1:]
        if not isinstance(title, Heading) or title.level != 1:
            raise WriterError(f"docx: {doc.source_path}: the document must start with its title")
        self.notes.prepare(doc.notes, Counter(
            n.number for n in iter_inlines(doc.blocks) if isinstance(n, NoteRef)))
        self.block(title)
        self.contents()
        for b in rest:
            self.block(b)
        self.notes.finish()
        self.closing(doc.meta)
        last = self.last_placed()
        if last is not None and last.tag.endswith("}tbl"):
            self.paragraph(None)  # Word wants a paragraph between a table and the section end

    def block(self, node: Block, *, style: str | None = None) -> None:
        style = style or self.base_style
        callout = isinstance(node, Callout)
        if isinstance(node, Heading):
            self.heading(node)
        elif isinstance(node, Paragraph):
            self.inlines(node.children, self.paragraph(style))
        elif isinstance(node, ListBlock):
            self.list_block(node, 0, style)
        elif isinstance(node, Callout):
            self.callout(node)
        elif isinstance(node, Table):
            write_table(self, node)
        elif isinstance(node, Figure):
            self.figure(node)
        elif isinstance(node, Quote):
            self.quote(node)
        elif isinstance(node, DefinitionList):
            self.definitions(node)
        elif isinstance(node, CodeBlock):
            self.code(node)
        else:
            assert isinstance(node, Break)
            self.paragraph("ThematicBreak")
            self.counts["breaks"] += 1
        self._last_was_callout = callout

    def blocks(self, nodes: Iterable[Block], style: str) -> None:
        for b in nodes:
            if isinstance(b, Paragraph):
                self.inlines(b.children, self.paragraph(style))
            else:
                self.block(b, style=style)

    def paragraph(self, style: str | None, *, ppr: str = "") -> Element:
        from docx.oxml import OxmlElement, parse_xml

        p = OxmlElement("w:p")
        if style or ppr:
            style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
            p.append(parse_xml(f"<w:pPr {W_XMLNS}>{style_xml}{ppr}</w:pPr>"))
        self.place(p)
        return p

    def heading(self, node: Heading) -> None:
        entry = self.outline.of(node)
        p = self.paragraph(f"Heading{min(node.level, 9)}")
        p.append(bookmark("Start", entry.index, self.bookmarks[entry.id]))
        if entry.shown_number:
            # Text, not Word list numbering: the Navigation pane, a screen reader, the contents
            # (also after Word updates it) and every other reader of the file get it alike.
            p.append(run(f"{entry.shown_number} "))
        self.inlines(node.children, p)
        p.append(bookmark("End", entry.index))

    def contents(self) -> None:
        """The contents: each entry links to its heading's bookmark and gives its page number.

        The page number is a PAGEREF field to the heading's bookmark: LibreOffice lays the
        pages out and shows the real number at once; Word shows a field's stored result until
        it updates fields, which the settings ask it to do on opening (``w:updateFields``,
        as pandoc does). Nobody here can lay out Word's pages, so the stored result is "?",
        never a guess. The entries are not wrapped in a TOC field: LibreOffice shows a TOC
        field's stored text and would not update the numbers inside it.
        """
        entries = [e for e in self.outline if e.level >= 2]
        if not entries:
            return
        label = self.paragraph("ContentsLabel")
        label.append(run(self.words("contents")))
        for e in entries:
            self.paragraph(f"TOC{e.level}").append(self._entry_link(e))
        self.counts["contents_entries"] = len(entries)

    def _entry_link(self, e: Entry) -> Element:
        """"3.1 Relapsing MS – page 7", all one link; no-break spaces keep "– page 7" together
        and on the line of the title's last word."""
        link = hyperlink(anchor=self.bookmarks[e.id])
        link.append(run(e.label))
        # The catalogue's "– page {page}", shared with the PDF's contents.
        before, _, after = self.words("contents_page", page="\0").partition("\0")
        link.append(run(f"{NBSP}{before.replace(' ', NBSP)}"))
        for el in field(f" PAGEREF {self.bookmarks[e.id]} \\h ", UNKNOWN_PAGE):
            link.append(el)
        if after:
            link.append(run(after.replace(" ", NBSP)))
        return link

    def closing(self, meta: Metadata) -> None:
        """Who published the page and when it was last updated, each only when known."""
        lines = []
        if meta.publisher:
            lines.append(self.words("published_by", publisher=meta.publisher))
        if meta.updated:
            # A date is one item of information: never split across lines (UKAAF).
            day = self.words.date(meta.updated).replace(" ", NBSP)
            lines.append(self.words("last_updated", date=day))
        for text in lines:
            self.paragraph(None).append(run(keep_together(text)))

    # -------------------------------------------------------------- lists

    def list_block(self, node: ListBlock, depth: int, style: str | None) -> None:
        num_id = self.numbering.new_num(node.ordered, node.start)
        self.counts["lists"] += 1
        level = min(depth, 8)
        left = self.m.step * (level + 1)
        for item in node.items:
            first = True
            for b in item.blocks:
                if isinstance(b, ListBlock):
                    self.list_block(b, depth + 1, style)
                    continue
                if first and isinstance(b, Paragraph):
                    ppr = (f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/>'
                           f"</w:numPr>")
                    if style:  # a list inside a callout keeps the callout's box style
                        ppr += f'<w:ind w:left="{left}" w:hanging="{self.m.step}"/>'
                    p = self.paragraph(style or "ListParagraph", ppr=ppr)
                    self.inlines(b.children, p)
                elif isinstance(b, Paragraph):
                    p = self.paragraph(style or "ListParagraph",
                                       ppr=f'<w:ind w:left="{left}" w:hanging="0"/>')
                    self.inlines(b.children, p)
                else:
                    self.block(b, style=style)
                first = False

    # -------------------------------------------------------------- boxes and quotations

    def callout(self, node: Callout) -> None:
        # Word draws adjacent paragraphs with identical borders and indents as one box; a
        # one-twip change keeps two callouts in a row as two boxes.
        self._callout_count = self._callout_count + 1 if self._last_was_callout else 0
        ppr = ""
        if self._callout_count % 2:
            inset = self.m.twips(0.5)
            ppr = f'<w:ind w:left="{inset}" w:right="{inset + 1}"/>'
        label = self.paragraph("CalloutLabel", ppr=ppr)
        label.append(run(node.label))
        for b in node.blocks:
            if isinstance(b, Paragraph):
                self.inlines(b.children, self.paragraph("Callout", ppr=ppr))
            else:
                self.block(b, style="Callout")
        # The box's paragraphs keep together on one page (the style keeps each with the
        # next); its last one need not keep with what follows the box.
        last = self.last_placed()
        if self.in_main_flow and last is not None and last.tag.endswith("}p"):
            from docx.oxml import OxmlElement
            from docx.oxml.ns import qn

            ppr_el = last.find(qn("w:pPr"))
            if ppr_el is None:
                ppr_el = OxmlElement("w:pPr")
                last.insert(0, ppr_el)
            style_el = ppr_el.find(qn("w:pStyle"))
            keep = OxmlElement("w:keepNext", {qn("w:val"): "0"})
            if style_el is not None:
                style_el.addnext(keep)
            else:
                ppr_el.insert(0, keep)

    def quote(self, node: Quote) -> None:
        """A quotation in Word's Quote style (indented, upright), its source after a dash."""
        self.counts["quotes"] += 1
        self.blocks(node.blocks, "Quote")
        if node.attribution:
            p = self.paragraph("QuoteAttribution")
            p.append(run("\u2014 "))
            self.inlines(node.attribution, p)

    def definitions(self, node: DefinitionList) -> None:
        """Each term a bold paragraph, its definitions indented below it."""
        self.counts["definition_lists"] += 1
        for item in node.items:
            self.inlines(item.term, self.paragraph("DefinitionTerm"))
            for definition in item.definitions:
                self.blocks(definition, "Definition")

    def code(self, node: CodeBlock) -> None:
        """One paragraph, a line break per source line, every space kept; Word wraps it."""
        self.counts["code_blocks"] += 1
        p = self.paragraph("SourceCode")
        for i, line in enumerate(node.text.rstrip("\n").expandtabs(4).split("\n")):
            if i:
                p.append(line_break())
            if line:
                p.append(run(line, preserve=True))

    def figure(self, node: Figure) -> None:
        """The picture with its alt text, then its caption under it."""
        p = self.paragraph("Figure")
        p.append(picture(self, node.image, title=plain_text(node.caption)))
        if node.caption:
            self.inlines(node.caption, self.paragraph("Caption"))

    # -------------------------------------------------------------- inlines

    def inlines(self, nodes: Iterable[Inline], parent: Element, *, bold: bool = False,
                link: bool = False) -> None:
        for node in nodes:
            if isinstance(node, Text):
                parent.append(run(keep_together(node.text), bold=bold, link=link))
            elif isinstance(node, Code):
                parent.append(run(node.text, bold=bold, link=link,
                                  char_style="" if link else "VerbatimChar"))
            elif isinstance(node, Emphasis | Strong):
                # Large print: emphasis is bold, never italic.
                self.inlines(node.children, parent, bold=True, link=link)
            elif isinstance(node, LineBreak):
                parent.append(line_break())
            elif isinstance(node, Link):
                href = link_target(node, "print")
                target = parent if link or not href else self._link(href)
                if target is not parent:
                    parent.append(target)
                self.inlines(node.children, target, bold=bold, link=link or bool(href))
                if reference := page_reference(node, self.words):  # another page, named
                    parent.append(run(f" ({reference})", bold=bold, link=link))
            elif isinstance(node, NoteRef):
                self.notes.reference(node, parent)
            else:
                assert isinstance(node, Image)
                parent.append(picture(self, node))

    def _link(self, href: str) -> Element:
        self.counts["links"] += 1
        if href.startswith("#"):
            name = self.bookmarks.get(href[1:])
            if name is None:
                raise WriterError(f"docx: a link points to '{href}', but no heading has that id")
            return hyperlink(anchor=name)
        rid = self.relations.link(self.part, href)
        return hyperlink(rid=rid)
