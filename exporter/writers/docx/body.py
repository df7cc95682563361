"""The document body: headings with bookmarks, the linked contents field, lists, callouts, runs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from exporter.html import KEEP_TOGETHER
from exporter.model import (
    Block,
    Callout,
    Code,
    Document,
    Emphasis,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Strong,
    Text,
)
from exporter.outline import Entry, Outline
from exporter.writers.base import WriterError
from exporter.writers.docx.settings import NBSP, W_XMLNS, Element, Metrics, escape
from exporter.writers.docx.styles import fonts_xml, size_xml


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

    def __init__(self, document: Any, outline: Outline, m: Metrics) -> None:
        self.document = document
        self.outline = outline
        self.m = m
        self.bookmarks = bookmark_names(outline)
        self.end = document.element.body.sectPr  # new paragraphs go before the section
        self.numbering = document.part.numbering_part.element
        self.contents_entries = 0
        self.links = 0
        self.lists = 0
        self._last_was_callout = False
        self._callout_count = 0

    # -------------------------------------------------------------- structure

    def render(self, doc: Document) -> None:
        title, rest = doc.blocks[0], doc.blocks[1:]
        if not isinstance(title, Heading) or title.level != 1:
            raise WriterError(f"docx: {doc.source_path}: the document must start with its title")
        self.block(title)
        self.contents()
        for b in rest:
            self.block(b)

    def block(self, node: Block, *, style: str | None = None) -> None:
        callout = isinstance(node, Callout)
        if isinstance(node, Heading):
            self.heading(node)
        elif isinstance(node, Paragraph):
            self.inlines(node.children, self.paragraph(style))
        elif isinstance(node, ListBlock):
            self.list_block(node, 0, style)
        else:
            assert isinstance(node, Callout)
            self.callout(node)
        self._last_was_callout = callout

    def paragraph(self, style: str | None, *, ppr: str = "") -> Element:
        from docx.oxml import OxmlElement, parse_xml

        p = OxmlElement("w:p")
        if style or ppr:
            style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
            p.append(parse_xml(f"<w:pPr {W_XMLNS}>{style_xml}{ppr}</w:pPr>"))
        self.end.addprevious(p)
        return p

    def heading(self, node: Heading) -> None:
        entry = self.outline.of(node)
        p = self.paragraph(f"Heading{min(node.level, 9)}")
        p.append(bookmark("Start", entry.index, self.bookmarks[entry.id]))
        self.inlines(node.children, p)
        p.append(bookmark("End", entry.index))

    def contents(self) -> None:
        """A TOC field already filled in: each entry links to its heading's bookmark."""
        entries = [e for e in self.outline if e.level >= 2]
        if not entries:
            return
        from docx.oxml import parse_xml

        label = self.paragraph("ContentsLabel")
        label.append(run(self.m.cfg.contents_label))
        deepest = max(e.level for e in entries)
        # Levels from 2: the title is the top of the document, not an entry of its contents,
        # so "update field" in Word gives back exactly these entries and styles.
        instr = f' TOC \\o "2-{deepest}" \\h \\z \\u '
        for i, e in enumerate(entries):
            p = self.paragraph(f"TOC{e.level}")
            if i == 0:
                p.append(field_char("begin"))
                p.append(parse_xml(f'<w:r {W_XMLNS}><w:instrText xml:space="preserve">'
                                   f"{escape(instr)}</w:instrText></w:r>"))
                p.append(field_char("separate"))
            p.append(self._entry_link(e))
            if i == len(entries) - 1:
                p.append(field_char("end"))
        self.contents_entries = len(entries)

    def _entry_link(self, e: Entry) -> Element:
        link = hyperlink(anchor=self.bookmarks[e.id])
        link.append(run(e.title))
        return link

    # -------------------------------------------------------------- lists

    def list_block(self, node: ListBlock, depth: int, style: str | None) -> None:
        num_id = self._new_num(node)
        self.lists += 1
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

    def _new_num(self, node: ListBlock) -> int:
        """A w:num of its own per list, with explicit starts: separate lists never run on."""
        from docx.oxml import parse_xml

        abstract_id = self._abstract(node.ordered)
        num_ids = [int(n) for n in self.numbering.xpath("./w:num/@w:numId")]
        num_id = max(num_ids, default=0) + 1
        # Word continues a count shared by nums of one abstractNum unless each level restarts.
        overrides = "".join(
            f'<w:lvlOverride w:ilvl="{lvl}">'
            f'<w:startOverride w:val="{node.start if lvl == 0 else 1}"/></w:lvlOverride>'
            for lvl in range(9)
        ) if node.ordered else ""
        self.numbering.append(parse_xml(
            f'<w:num {W_XMLNS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            f"{overrides}</w:num>"
        ))
        return num_id

    def _abstract(self, ordered: bool) -> int:
        """The shared bullet or number definition, added to numbering.xml on first use."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import qn

        marker = "hsct-numbers" if ordered else "hsct-bullets"
        for a in self.numbering.findall(qn("w:abstractNum")):
            name = a.find(qn("w:name"))
            if name is not None and name.get(qn("w:val")) == marker:
                return int(a.get(qn("w:abstractNumId")))
        ids = [int(i) for i in self.numbering.xpath("./w:abstractNum/@w:abstractNumId")]
        abstract_id = max(ids, default=-1) + 1
        levels = "".join(self._level(lvl, ordered) for lvl in range(9))
        element = parse_xml(
            f'<w:abstractNum {W_XMLNS} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/><w:name w:val="{marker}"/>'
            f"{levels}</w:abstractNum>"
        )
        # The schema wants every abstractNum before the first num.
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(element)
        else:
            self.numbering.append(element)
        return abstract_id

    def _level(self, lvl: int, ordered: bool) -> str:
        if ordered:
            fmt, text = "decimal", f"%{lvl + 1}."
        else:
            fmt, text = "bullet", "\u2022" if lvl % 2 == 0 else "\u2013"
        # The marker in the body font at body size: a Symbol-font bullet reads as a letter.
        return (
            f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{self.m.step * (lvl + 1)}" w:hanging="{self.m.step}"/></w:pPr>'
            f"<w:rPr>{fonts_xml(self.m.cfg.font)}<w:b w:val=\"0\"/><w:i w:val=\"0\"/>"
            f"{size_xml(self.m.half_points())}</w:rPr></w:lvl>"
        )

    # -------------------------------------------------------------- callouts

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

    # -------------------------------------------------------------- inlines

    def inlines(self, nodes: Iterable[Inline], parent: Element, *, bold: bool = False,
                link: bool = False) -> None:
        for node in nodes:
            if isinstance(node, Text | Code):
                parent.append(run(keep_together(node.text), bold=bold, link=link))
            elif isinstance(node, Emphasis | Strong):
                # Large print: emphasis is bold, never italic.
                self.inlines(node.children, parent, bold=True, link=link)
            elif isinstance(node, LineBreak):
                parent.append(line_break())
            elif isinstance(node, Link):
                target = parent if link else self._link(node.href)
                if target is not parent:
                    parent.append(target)
                self.inlines(node.children, target, bold=bold, link=True)
            elif isinstance(node, Image):
                raise WriterError(f"docx: images are not supported by the Word writer yet "
                                  f"(found {node.src}); describe the image in text instead")

    def _link(self, href: str) -> Element:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.links += 1
        if href.startswith("#"):
            name = self.bookmarks.get(href[1:])
            if name is None:
                raise WriterError(f"docx: a link points to '{href}', but no heading has that id")
            return hyperlink(anchor=name)
        rid = self.document.part.relate_to(href, RT.HYPERLINK, is_external=True)
        return hyperlink(rid=rid)


# ------------------------------------------------------------------ small elements


def keep_together(text: str) -> str:
    """No-break spaces inside phone numbers and dates: UKAAF never splits one across lines."""
    return KEEP_TOGETHER.sub(lambda mt: mt.group().replace(" ", NBSP), text)


def run(text: str, *, bold: bool = False, link: bool = False) -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r = OxmlElement("w:r")
    if bold or link:
        rpr = OxmlElement("w:rPr")
        if link:
            rpr.append(OxmlElement("w:rStyle", {qn("w:val"): "Hyperlink"}))
        if bold:
            rpr.append(OxmlElement("w:b"))
            rpr.append(OxmlElement("w:bCs"))
        r.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)
    return r


def line_break() -> Element:
    from docx.oxml import OxmlElement

    r = OxmlElement("w:r")
    r.append(OxmlElement("w:br"))
    return r


def hyperlink(*, rid: str | None = None, anchor: str | None = None) -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    h = OxmlElement("w:hyperlink")
    if rid is not None:
        h.set(qn("r:id"), rid)
    if anchor is not None:
        h.set(qn("w:anchor"), anchor)
    h.set(qn("w:history"), "1")
    return h


def bookmark(kind: str, bookmark_id: int, name: str = "") -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    attrs = {qn("w:id"): str(bookmark_id)}
    if name:
        attrs[qn("w:name")] = name
    return OxmlElement(f"w:bookmark{kind}", attrs)


def field_char(kind: str) -> Element:
    from docx.oxml import parse_xml

    return parse_xml(f'<w:r {W_XMLNS}><w:fldChar w:fldCharType="{kind}"/></w:r>')
