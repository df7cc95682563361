"""A Word file read back for the checks: its paragraphs, runs and resolved styles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
Element = Any  # lxml elements (python-docx's oxml), untyped
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
DOC_PR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
#: The character style of note markers: "[", the note's number, "]".
NOTE_MARK_STYLE = "FootnoteReference"
OFF = {"0", "false", "off"}  #: values that switch a Word on/off property off


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el: Element | None, attr: str = "val") -> str | None:
    return None if el is None else el.get(w(attr))


@dataclass(frozen=True)
class Run:
    """A run of text with where it sits, for resolving its effective formatting."""

    part: str  #: "document", "footer1" ...
    paragraph: Element
    run: Element

    @property
    def text(self) -> str:
        return "".join("-" if el.tag == w("noBreakHyphen") else el.text or ""
                       for el in self.run.iter(w("t"), w("noBreakHyphen")))


class Styles:
    """The style sheet: docDefaults, styles by id and the theme's fonts; resolves run formatting."""

    def __init__(self, styles: Element, theme: Element | None) -> None:
        self.by_id = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
        self.defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.p_defaults = styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
        self.default_para = next((s.get(w("styleId")) for s in styles.iter(w("style"))
                                  if s.get(w("type")) == "paragraph"
                                  and s.get(w("default")) in ("1", "true")), None)
        self.theme_fonts: dict[str, str] = {}
        # A paragraph's own pPr, by paragraph: finding it scans the paragraph's children when
        # it has none, and the checks ask once per run (10,000 links in one paragraph).
        self._ppr: dict[Element, Element | None] = {}
        if theme is not None:
            for kind in ("major", "minor"):
                latin = theme.find(f".//{{{A}}}{kind}Font/{{{A}}}latin")
                if latin is not None:
                    self.theme_fonts[kind] = latin.get("typeface", "")

    def chain(self, style_id: str | None) -> Iterator[Element]:
        """A style and the styles it is based on, nearest first."""
        seen: set[str] = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = _val(style.find(w("basedOn")))

    def own_ppr(self, p: Element) -> Element | None:
        """The paragraph's own properties (w:pPr), if it has any."""
        if p not in self._ppr:
            self._ppr[p] = p.find(w("pPr"))
        return self._ppr[p]

    def para_style(self, p: Element) -> str | None:
        ppr = self.own_ppr(p)
        return (_val(ppr.find(w("pStyle"))) if ppr is not None else None) or self.default_para

    def style_name(self, style_id: str | None) -> str:
        style = self.by_id.get(style_id or "")
        return (_val(style.find(w("name"))) or style_id or "") if style is not None else ""

    def run_props(self, r: Run) -> Iterator[Element]:
        """rPr elements that apply to a run, nearest first: direct, styles, defaults."""
        direct = r.run.find(w("rPr"))
        if direct is not None:
            yield direct
            for style in self.chain(_val(direct.find(w("rStyle")))):
                if style.find(w("rPr")) is not None:
                    yield style.find(w("rPr"))
        for style in self.chain(self.para_style(r.paragraph)):
            if style.find(w("rPr")) is not None:
                yield style.find(w("rPr"))
        if self.defaults is not None:
            yield self.defaults

    def para_props(self, p: Element) -> Iterator[Element]:
        """pPr elements that apply to a paragraph, nearest first."""
        if (own := self.own_ppr(p)) is not None:
            yield own
        for style in self.chain(self.para_style(p)):
            if style.find(w("pPr")) is not None:
                yield style.find(w("pPr"))
        if self.p_defaults is not None:
            yield self.p_defaults

    def first(self, props: Iterator[Element], tag: str) -> Element | None:
        return next((el for pr in props if (el := pr.find(w(tag))) is not None), None)

    def outline_level(self, p: Element) -> int | None:
        """1-based outline level (what the Navigation pane shows), None for body text."""
        level = _val(self.first(self.para_props(p), "outlineLvl"))
        return int(level) + 1 if level is not None and level.isdigit() and int(level) < 9 else None

    def size(self, r: Run) -> float | None:
        sz = _val(self.first(self.run_props(r), "sz"))
        return int(sz) / 2 if sz and sz.isdigit() else None

    def italic(self, r: Run) -> bool:
        for tag in ("i", "iCs"):
            el = self.first(self.run_props(r), tag)
            if el is not None and (_val(el) or "true").lower() not in OFF:
                return True
        return False

    def font(self, r: Run) -> str:
        fonts = self.first(self.run_props(r), "rFonts")
        if fonts is None:
            return self.theme_fonts.get("minor", "")
        theme = _val(fonts, "asciiTheme")
        if theme:
            return self.theme_fonts.get("major" if theme.startswith("major") else "minor", theme)
        return _val(fonts, "ascii") or _val(fonts, "hAnsi") or ""

    def colour(self, r: Run) -> str:
        return _val(self.first(self.run_props(r), "color")) or "auto"

    def shading(self, r: Run) -> str | None:
        run_shd = self.first(self.run_props(r), "shd")
        para_shd = self.first(self.para_props(r.paragraph), "shd")
        fill = _val(run_shd, "fill") or _val(para_shd, "fill")
        return fill if fill and fill != "auto" else None


@dataclass(frozen=True)
class Word:
    """A Word file read back: its parts' paragraphs and runs, and the style sheet."""

    doc: Any  #: python-docx Document
    styles: Styles
    body: list[Element]  #: every w:p of the main document, in order
    runs: list[Run]  #: every run with text: main document, notes, headers and footers
    footnotes: Any = None  #: the footnotes part (python-docx's generic Part), if any
    footnotes_root: Element | None = None
    spaces: tuple[Run, ...] = ()  #: runs holding only spaces (the gaps between words)

    def text(self, p: Element) -> str:
        """A paragraph's words as a screen reader gives them: a picture in the text by its
        alt text; note markers ("[1]", at body size in the text) left out, as the checks
        compare the source's sentences, which have none."""
        marks = {w("tab"): "\t", w("br"): "\n", w("noBreakHyphen"): "-"}
        return "".join(el.get("descr", "") if el.tag == DOC_PR else marks.get(el.tag, el.text or "")
                       for el in p.iter(w("t"), w("tab"), w("br"), w("noBreakHyphen"), DOC_PR)
                       if not _is_note_mark(el.getparent()))


def _is_note_mark(r: Element | None) -> bool:
    style = r.find(f"{w('rPr')}/{w('rStyle')}") if r is not None else None
    return style is not None and _val(style) == NOTE_MARK_STYLE


def open_word(path: Path) -> Word:
    import docx

    document = docx.Document(str(path))
    theme = next((p for p in document.part.package.iter_parts()
                  if str(p.partname).startswith("/word/theme/")), None)
    theme_el = _xml(theme.blob) if theme is not None else None
    styles = Styles(document.styles.element, theme_el)
    body = list(document.element.body.iter(w("p")))
    runs = [Run("document", p, r) for p in body for r in p.iter(w("r"))]
    notes = next((rel.target_part for rel in document.part.rels.values()
                  if rel.reltype == FOOTNOTES_REL and not rel.is_external), None)
    notes_root = _xml(notes.blob) if notes is not None else None
    if notes_root is not None:
        runs += [Run("footnotes", p, r) for p in notes_root.iter(w("p")) for r in p.iter(w("r"))]
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if re.fullmatch(r"/word/(header|footer)\d*\.xml", name):
            root = _xml(part.blob)
            runs += [Run(name.rsplit("/", 1)[1], p, r) for p in root.iter(w("p"))
                     for r in p.iter(w("r"))]
    return Word(document, styles, body, [r for r in runs if r.text.strip()], notes, notes_root,
                tuple(r for r in runs if r.text and not r.text.strip()))


def _xml(blob: bytes) -> Element:
    from docx.oxml import parse_xml  # python-docx's parser: entities are not resolved

    return parse_xml(blob)
