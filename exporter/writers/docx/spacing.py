"""Wider spaces between words, which Word has no setting for: each space becomes a run of its
own with extra character spacing. The text is unchanged (the same space characters), so a
screen reader, a search and a copy get what was written."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable

from exporter.writers.docx.settings import Element, Metrics

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Spaces between words: ordinary ones and the no-break spaces of phone numbers and dates.
_SPACES = re.compile(r"([ \u00a0]+)")
#: Code keeps its own spacing: columns of code must stay aligned.
CODE_STYLES = frozenset({"SourceCode", "VerbatimChar"})


def size_of(m: Metrics) -> Callable[[str | None], int]:
    """Half-points of a paragraph's text, by its style id (headings are larger)."""

    def size(style: str | None) -> int:
        if style and style.startswith("Heading") and style[7:].isdigit():
            return m.heading_half_points(int(style[7:]))
        if style == "ContentsLabel":
            return m.heading_half_points(3)
        return m.half_points()

    return size


def widen_spaces(roots: Iterable[Element], m: Metrics) -> int:
    """Give every space between words in ``roots`` (body, notes, footer) the reader's word
    spacing; the number of spaces widened."""
    if not m.word_spacing:
        return 0
    size = size_of(m)
    count = 0
    # A paragraph's style, looked up once: finding it scans every child of a paragraph
    # without properties, and a paragraph may hold thousands of runs (10,000 links).
    styles: dict[Element, str | None] = {}
    for root in roots:
        for r in list(root.iter(f"{W}r")):
            paragraph = next((a for a in r.iterancestors(f"{W}p")), None)
            if paragraph not in styles:
                styles[paragraph] = _style(paragraph, "pPr", "pStyle")
            style = styles[paragraph]
            if style in CODE_STYLES or _style(r, "rPr", "rStyle") in CODE_STYLES:
                continue
            count += _split(r, m.space_twips(size(style)))
    return count


def _style(el: Element | None, props: str, tag: str) -> str | None:
    found = el.find(f"{W}{props}/{W}{tag}") if el is not None else None
    return found.get(f"{W}val") if found is not None else None


def _split(r: Element, twips: int) -> int:
    """Replace run ``r`` by runs in which each stretch of spaces is a run of its own."""
    texts = [c for c in r if c.tag == f"{W}t" and _SPACES.search(c.text or "")]
    if not texts:
        return 0
    props = r.find(f"{W}rPr")
    runs: list[Element] = []
    current = _run(props)
    count = 0
    for child in [c for c in r if c.tag != f"{W}rPr"]:
        if child not in texts:
            current.append(child)
            continue
        for piece in _SPACES.split(child.text or ""):
            if not piece:
                continue
            if _SPACES.fullmatch(piece):
                if len(current) > (props is not None):
                    runs.append(current)
                runs.append(_space(props, piece, twips))
                count += len(piece)
                current = _run(props)
            else:
                current.append(_text(piece))
    if len(current) > (props is not None):
        runs.append(current)
    for new in runs:
        r.addprevious(new)
    r.getparent().remove(r)
    return count


def _run(props: Element | None) -> Element:
    from docx.oxml import OxmlElement

    r = OxmlElement("w:r")
    if props is not None:
        r.append(copy.deepcopy(props))
    return r


def _text(text: str) -> Element:
    from docx.oxml import OxmlElement

    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return t


def _space(props: Element | None, spaces: str, twips: int) -> Element:
    """A run of spaces with the extra spacing after each (its own w:spacing wins over the
    style's letter spacing, so it holds both)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r = _run(props)
    rpr = r.find(f"{W}rPr")
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        r.append(rpr)
    for old in rpr.findall(f"{W}spacing"):
        rpr.remove(old)
    spacing = OxmlElement("w:spacing", {qn("w:val"): str(twips)})
    # CT_RPr order: spacing after the colour and before size and what follows.
    later = next((c for c in rpr if c.tag.rpartition("}")[2] in _AFTER_SPACING), None)
    if later is not None:
        later.addprevious(spacing)
    else:
        rpr.append(spacing)
    r.append(_text(spaces))
    return r


_AFTER_SPACING = frozenset({"w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
                            "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
                            "eastAsianLayout", "specVanish", "oMath"})
