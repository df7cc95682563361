"""Styles for tables, captions, figures, quotes, notes, definitions, code and breaks.

Every one keeps the body size, the scheme's text colour and no italics (large print); the
names are Word's own where Word has one ("caption", "Quote", "footnote text") and pandoc's otherwise
("Definition Term", "Source Code"), so other tools recognise what each paragraph is.
"""

from __future__ import annotations

from collections.abc import Iterable

from exporter.writers.docx.settings import CELL_SIDE, Metrics
from exporter.writers.docx.style_xml import fonts_xml, size_xml, style


def _upright(m: Metrics) -> str:
    """For Word's built-in styles whose template versions are small, italic or blue."""
    return f'<w:i w:val="0"/><w:iCs w:val="0"/><w:color w:val="{m.palette.text}"/>'


def block_styles(m: Metrics) -> Iterable[str]:
    yield from _table_styles(m)
    yield from _text_styles(m)
    yield from _note_styles(m)


def _table_styles(m: Metrics) -> Iterable[str]:
    half = m.twips(0.5)
    yield style("paragraph", "Caption", "caption",
                f'<w:pPr><w:spacing w:before="{half}" w:after="{half}"/></w:pPr>'
                f"<w:rPr><w:b/><w:bCs/>{_upright(m)}{size_xml(m.half_points())}</w:rPr>",
                extra='<w:next w:val="Normal"/><w:uiPriority w:val="35"/>'
                      "<w:unhideWhenUsed/><w:qFormat/>")
    # Cell padding gives the space between rows; a blank line after each cell would not.
    yield style("paragraph", "TableText", "Table Text",
                '<w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>',
                custom=True, extra="<w:qFormat/>")
    yield style("paragraph", "TableHeading", "Table Heading",
                "<w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr>",
                based_on="TableText", custom=True, extra="<w:qFormat/>")
    edge = f'w:val="single" w:sz="8" w:space="0" w:color="{m.palette.table_border}"'
    pad, side = m.twips(0.25), m.twips(CELL_SIDE)
    borders = "".join(f"<w:{e} {edge}/>" for e in ("top", "left", "bottom", "right",
                                                     "insideH", "insideV"))
    yield style("table", "LargePrintTable", "Large Print Table",
                f'<w:tblPr><w:tblBorders>{borders}</w:tblBorders><w:tblCellMar>'
                f'<w:top w:w="{pad}" w:type="dxa"/><w:left w:w="{side}" w:type="dxa"/>'
                f'<w:bottom w:w="{pad}" w:type="dxa"/><w:right w:w="{side}" w:type="dxa"/>'
                "</w:tblCellMar></w:tblPr>",
                based_on="TableNormal", custom=True, extra='<w:uiPriority w:val="59"/>')
    yield style("paragraph", "Figure", "Figure",
                f'<w:pPr><w:keepNext/><w:spacing w:before="{half}" w:after="0" w:line="240" '
                'w:lineRule="auto"/></w:pPr>',
                custom=True, extra='<w:next w:val="Caption"/><w:qFormat/>')


def _text_styles(m: Metrics) -> Iterable[str]:
    cfg = m.cfg
    half = m.twips(0.5)
    # A bar down the left edge, as browsers draw a quotation; upright, at body size.
    bar = (f'w:val="single" w:sz="24" w:space="{round(m.size * 0.5)}" '
           f'w:color="{m.palette.quote_border}"')
    yield style("paragraph", "Quote", "Quote",
                f"<w:pPr><w:pBdr><w:left {bar}/></w:pBdr>"
                f'<w:ind w:left="{m.step}" w:right="{m.step}"/></w:pPr>'
                f"<w:rPr>{_upright(m)}</w:rPr>",
                extra='<w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/>')
    yield style("paragraph", "QuoteAttribution", "Quote Attribution",
                "", based_on="Quote", custom=True, extra='<w:next w:val="Normal"/><w:qFormat/>')
    yield style("paragraph", "DefinitionTerm", "Definition Term",
                f'<w:pPr><w:keepNext/><w:spacing w:after="{half}"/></w:pPr>'
                "<w:rPr><w:b/><w:bCs/></w:rPr>",
                custom=True, extra='<w:next w:val="Definition"/><w:qFormat/>')
    yield style("paragraph", "Definition", "Definition",
                f'<w:pPr><w:ind w:left="{m.step}"/></w:pPr>',
                custom=True, extra="<w:qFormat/>")
    code_font = fonts_xml(cfg.code_font)
    inset = m.twips(0.5)
    yield style("paragraph", "SourceCode", "Source Code",
                f'<w:pPr><w:shd w:val="clear" w:color="auto" w:fill="{m.palette.code_fill}"/>'
                f'<w:ind w:left="{inset}" w:right="{inset}"/></w:pPr>'
                f"<w:rPr>{code_font}<w:noProof/></w:rPr>",
                custom=True, extra="<w:qFormat/>")
    yield style("character", "VerbatimChar", "Verbatim Char",
                f"<w:rPr>{code_font}<w:noProof/></w:rPr>",
                based_on="DefaultParagraphFont", custom=True)
    # A topic break: a rule drawn as the paragraph's bottom border, so it is seen, not read.
    rule = f'w:val="single" w:sz="12" w:space="1" w:color="{m.palette.rule}"'
    yield style("paragraph", "ThematicBreak", "Thematic Break",
                f'<w:pPr><w:pBdr><w:bottom {rule}/></w:pBdr><w:spacing w:before="0" '
                f'w:after="{m.twips(cfg.paragraph_space)}" w:line="240" w:lineRule="auto"/>'
                "</w:pPr>",
                custom=True, extra='<w:next w:val="Normal"/>')


def _note_styles(m: Metrics) -> Iterable[str]:
    # Indented: the note's number hangs in the margin of its first line (see notes.py).
    yield style("paragraph", "FootnoteText", "footnote text",
                f'<w:pPr><w:spacing w:after="{m.twips(0.5)}"/>'
                f'<w:ind w:left="{m.step}"/></w:pPr>'
                f"<w:rPr>{size_xml(m.half_points())}</w:rPr>",
                extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>')
    # Large print: the note's number at body size on the line, never a small superscript.
    yield style("character", "FootnoteReference", "footnote reference",
                f'<w:rPr>{size_xml(m.half_points())}<w:vertAlign w:val="baseline"/></w:rPr>',
                based_on="DefaultParagraphFont",
                extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>')
