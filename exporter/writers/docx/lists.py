"""numbering.xml for lists: one bullet and one number definition, a w:num of its own per list."""

from __future__ import annotations

from exporter.writers.docx.settings import W_XMLNS, Element, Metrics
from exporter.writers.docx.style_xml import fonts_xml, size_xml


class Numbering:
    """Adds list definitions to the document's numbering part as lists are written."""

    def __init__(self, numbering: Element, m: Metrics) -> None:
        self.numbering = numbering
        self.m = m

    def new_num(self, ordered: bool, start: int) -> int:
        """A w:num of its own per list, with explicit starts: separate lists never run on."""
        from docx.oxml import parse_xml

        abstract_id = self._abstract(ordered)
        num_ids = [int(n) for n in self.numbering.xpath("./w:num/@w:numId")]
        num_id = max(num_ids, default=0) + 1
        # Word continues a count shared by nums of one abstractNum unless each level restarts.
        overrides = "".join(
            f'<w:lvlOverride w:ilvl="{lvl}">'
            f'<w:startOverride w:val="{start if lvl == 0 else 1}"/></w:lvlOverride>'
            for lvl in range(9)
        ) if ordered else ""
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
            f"<w:rPr>{fonts_xml(self.m.family)}<w:b w:val=\"0\"/><w:i w:val=\"0\"/>"
            f"{size_xml(self.m.half_points())}</w:rPr></w:lvl>"
        )
