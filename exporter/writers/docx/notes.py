"""Real Word footnotes: word/footnotes.xml, its separators, and "[1]" references at body size.

python-docx has no footnote API: the part is a story part of our own, related to the main
document with Word's footnotes relationship (its content type comes from the part). Word
numbers footnotes by their place in the text; notes are numbered in order of first
reference, so the numbers agree with every other format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter.model import Note, NoteRef
from exporter.writers.docx.elements import bookmark, field, run
from exporter.writers.docx.flow import Flow
from exporter.writers.docx.settings import W_XMLNS, Element

STYLE = "FootnoteReference"
_SEPARATORS = "".join(
    f'<w:footnote w:type="{kind}" w:id="{fid}"><w:p><w:pPr><w:spacing w:after="0" '
    f'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:{kind}/></w:r></w:p></w:footnote>'
    for kind, fid in (("separator", -1), ("continuationSeparator", 0))
)


class Footnotes:
    """Writes each note as a footnote at its first reference; later references point to it."""

    def __init__(self, body: Flow) -> None:
        self.body = body
        self.part: Any = None
        self.notes: dict[int, Note] = {}
        self.references: Mapping[int, int] = {}  #: note number -> how often it is referenced
        self.written: dict[int, str] = {}  #: note number -> bookmark name ("" when none)
        #: (note number, the footnoteReference run, the footnote) in the order written
        self.placed: list[tuple[int, Element, Element]] = []

    def prepare(self, notes: tuple[Note, ...], references: Mapping[int, int]) -> None:
        self.notes = {n.number: n for n in notes}
        self.references = references

    def reference(self, ref: NoteRef, parent: Element) -> None:
        """The marker "[n]" where the text refers to note n."""
        if (self.part is not None and self.body.part is self.part) or ref.number not in self.notes:
            # A note that cites another note: Word has no footnotes inside footnotes.
            parent.append(run(f"[{ref.number}]", char_style=STYLE))
            return
        if ref.number in self.written:
            # Word allows one reference per footnote: a later one is a cross-reference field.
            name = self.written[ref.number]
            shown = [run(f"[{ref.number}]", char_style=STYLE)] if not name else [
                run("[", char_style=STYLE),
                *field(f" NOTEREF {name} \\h ", str(ref.number), char_style=STYLE),
                run("]", char_style=STYLE)]
            for r in shown:
                parent.append(r)
            return
        footnote, fid = self._write(self.notes[ref.number])
        name = f"_Note{ref.number}" if self.references.get(ref.number, 0) > 1 else ""
        self.written[ref.number] = name
        parent.append(run("[", char_style=STYLE))
        if name:
            mark = self.body.new_bookmark_id()
            parent.append(bookmark("Start", mark, name))
        reference = _reference_run("footnoteReference", fid)
        self.placed.append((ref.number, reference, footnote))
        parent.append(reference)
        if name:
            parent.append(bookmark("End", mark))
        parent.append(run("]", char_style=STYLE))

    def finish(self) -> None:
        """Notes only other notes cite become footnotes too, from a line of their own; then
        make sure Word shows every note's own number."""
        missing = [n for n in sorted(self.notes) if n not in self.written]
        if missing:
            p = self.body.paragraph(None)
            p.append(run(self.body.words("notes") + " "))
            for number in missing:
                self.reference(NoteRef(self.notes[number].label, number), p)
        if any(number != i for i, (number, _, _) in enumerate(self.placed, start=1)):
            self._fixed_marks()

    def _fixed_marks(self) -> None:
        """Word numbers footnotes by their place in the text. When that differs from the notes'
        numbers (a caption written before its table, citing a note the source cites after
        the table's), every note gets its number as a fixed mark, as in the other formats."""
        from docx.oxml.ns import qn

        for number, reference, footnote in self.placed:
            reference.find(qn("w:footnoteReference")).set(qn("w:customMarkFollows"), "1")
            reference.addnext(run(str(number), char_style=STYLE))
            auto = next(footnote.iter(qn("w:footnoteRef"))).getparent()
            auto.addprevious(run(str(number), char_style=STYLE))
            auto.getparent().remove(auto)

    def _write(self, note: Note) -> tuple[Element, int]:
        from docx.oxml import parse_xml

        root = self._root()
        fid = len(self.written) + 1
        footnote = parse_xml(f'<w:footnote {W_XMLNS} w:id="{fid}"/>')
        root.append(footnote)
        self.body.counts["notes"] += 1
        with self.body.into(footnote, part=self.part, style="FootnoteText",
                            width=self.body.m.text_width):
            for b in note.blocks:
                self.body.block(b)
            first = footnote[0] if len(footnote) else None
            if first is None or not first.tag.endswith("}p"):
                first = self.body.paragraph("FootnoteText")
                footnote.remove(first)
                footnote.insert(0, first)
        # The note opens with its number hanging in the margin, then a tab (as a numbered
        # list): every reader shows this the same way, whatever it makes of brackets there.
        at = 1 if len(first) and first[0].tag.endswith("}pPr") else 0
        ppr = first[0] if at else None
        if ppr is not None and not any(c.tag.endswith(("}numPr", "}ind")) for c in ppr):
            step = self.body.m.step
            ppr.append(parse_xml(f'<w:ind {W_XMLNS} w:left="{step}" w:hanging="{step}"/>'))
        first.insert(at, _reference_run("footnoteRef"))
        first.insert(at + 1, parse_xml(f"<w:r {W_XMLNS}><w:tab/></w:r>"))
        return footnote, fid

    def _root(self) -> Element:
        if self.part is None:
            self.part = _new_part(self.body.document)
        return self.part.element


def _reference_run(kind: str, fid: int | None = None) -> Element:
    from docx.oxml import parse_xml

    ref = f'<w:{kind} w:id="{fid}"/>' if fid is not None else f"<w:{kind}/>"
    return parse_xml(f'<w:r {W_XMLNS}><w:rPr><w:rStyle w:val="{STYLE}"/></w:rPr>{ref}</w:r>')


def _new_part(document: Any) -> Any:
    """word/footnotes.xml with Word's two separators, related to the document; settings name
    the separators as Word's own files do."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from docx.parts.story import StoryPart

    element = parse_xml(f'<w:footnotes {nsdecls("w", "r")}>{_SEPARATORS}</w:footnotes>')
    part = StoryPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, element,
                     document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    settings = document.settings.element
    if settings.find(qn("w:footnotePr")) is None:
        pr = parse_xml(f'<w:footnotePr {W_XMLNS}><w:footnote w:id="-1"/>'
                       '<w:footnote w:id="0"/></w:footnotePr>')
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(pr)
        else:
            settings.append(pr)
    return part
