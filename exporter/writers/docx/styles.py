"""The Word styles: defaults in the document's language, headings, body, lists, links, callouts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from exporter.writers.docx.block_styles import block_styles
from exporter.writers.docx.settings import W_XMLNS, Metrics, quoteattr
from exporter.writers.docx.style_xml import fonts_xml, size_xml, spacing_xml, style


def install_styles(document: Any, m: Metrics, language: str) -> None:
    """Defaults, Normal, headings and the writer's own styles, all black, in the chosen font."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    root = document.styles.element
    old_defaults = root.find(qn("w:docDefaults"))
    old_defaults.getparent().replace(old_defaults, parse_xml(_doc_defaults(m, language)))
    for xml in [*_style_definitions(m), *block_styles(m)]:
        new = parse_xml(xml)
        style_id = new.get(qn("w:styleId"))
        old = root.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
        if old is not None:
            old.getparent().replace(old, new)
        else:
            root.append(new)
    # The heading and quote styles no longer link to these; left in place they would still be
    # blue or italic, a trap for anyone who applies them by hand.
    for style_id in [*(f"Heading{n}Char" for n in range(1, 10)), "QuoteChar", "FooterChar"]:
        old = root.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
        if old is not None:
            root.remove(old)


def _doc_defaults(m: Metrics, language: str) -> str:
    lang = quoteattr(language)
    # w:val covers Latin text, w:eastAsia East Asian text; w:bidi is left out: the
    # template's ar-SA would mislabel any right-to-left text, and there is none to label.
    return (
        f"<w:docDefaults {W_XMLNS}><w:rPrDefault><w:rPr>{fonts_xml(m.family)}"
        f'<w:color w:val="{m.palette.text}"/>{spacing_xml(m, m.half_points())}'
        f"{size_xml(m.half_points())}"
        f"<w:lang w:val={lang} w:eastAsia={lang}/></w:rPr></w:rPrDefault>"
        f'<w:pPrDefault><w:pPr><w:spacing w:before="0" '
        f'w:after="{m.twips(m.cfg.paragraph_space)}" w:line="{m.line}" w:lineRule="auto"/>'
        '<w:jc w:val="left"/></w:pPr></w:pPrDefault></w:docDefaults>'
    )


def _style_definitions(m: Metrics) -> Iterable[str]:
    cfg = m.cfg
    colour = m.palette
    text = (f'{fonts_xml(m.family)}<w:color w:val="{colour.text}"/>'
            f"{spacing_xml(m, m.half_points())}{size_xml(m.half_points())}")
    yield style("paragraph", "Normal", "Normal", f"<w:rPr>{text}</w:rPr>", based_on=None,
                 extra="<w:qFormat/>").replace('w:type="paragraph"',
                                               'w:type="paragraph" w:default="1"')
    for level in range(1, 10):
        yield style(
            "paragraph", f"Heading{level}", f"heading {level}",
            # Single line spacing: a heading's own lines sit close together (as in the other
            # formats, 1.25 times its size), whatever line spacing the text has.
            f'<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{m.twips(1.0)}" '
            f'w:after="{m.twips(0.5)}" w:line="240" w:lineRule="auto"/>'
            f'<w:outlineLvl w:val="{level - 1}"/></w:pPr>'
            f'<w:rPr><w:b/><w:bCs/><w:i w:val="0"/><w:iCs w:val="0"/>'
            f'<w:color w:val="{colour.text}"/>{spacing_xml(m, m.heading_half_points(level))}'
            f"{size_xml(m.heading_half_points(level))}</w:rPr>",
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>',
        )
    # The page-number line: body size, one line high (the bottom margin leaves room for
    # exactly that), and none of the template's Letter-paper tab stops.
    yield style("paragraph", "Footer", "footer",
                 '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
                 "</w:pPr>", extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>')
    link = f'<w:rPr><w:color w:val="{colour.link}"/><w:u w:val="single"/></w:rPr>'
    for style_id in ("Hyperlink", "FollowedHyperlink"):
        yield style("character", style_id, style_id, link, based_on="DefaultParagraphFont",
                     extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>')
    space = m.twips(cfg.list_item_space)
    yield style("paragraph", "ListParagraph", "List Paragraph",
                 f'<w:pPr><w:spacing w:after="{space}"/></w:pPr>',
                 extra='<w:uiPriority w:val="34"/><w:qFormat/>')
    for n in range(1, 10):
        # Word styles a level-N heading's contents entry as "toc N": these match an update.
        yield style("paragraph", f"TOC{n}", f"toc {n}",
                     f'<w:pPr><w:spacing w:after="{space}"/>'
                     f'<w:ind w:left="{max(0, n - 2) * m.step}"/></w:pPr>',
                     extra='<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>')
    yield style("paragraph", "ContentsLabel", "Contents Label",
                 f'<w:pPr><w:keepNext/><w:spacing w:before="{m.twips(1.0)}" '
                 f'w:after="{m.twips(0.5)}"/></w:pPr>'
                 f"<w:rPr><w:b/><w:bCs/>{spacing_xml(m, m.heading_half_points(3))}"
                 f"{size_xml(m.heading_half_points(3))}</w:rPr>",
                 custom=True, extra='<w:next w:val="Normal"/><w:qFormat/>')
    edge = f'w:val="single" w:sz="18" w:space="6" w:color="{colour.callout_border}"'
    inset = m.twips(0.5)
    yield style("paragraph", "Callout", "Callout",
                 f"<w:pPr><w:keepNext/><w:keepLines/><w:pBdr><w:top {edge}/><w:left {edge}/>"
                 f"<w:bottom {edge}/>"
                 f'<w:right {edge}/></w:pBdr><w:shd w:val="clear" w:color="auto" '
                 f'w:fill="{colour.callout_fill}"/><w:ind w:left="{inset}" w:right="{inset}"/>'
                 "</w:pPr>",
                 custom=True, extra="<w:qFormat/>")
    yield style("paragraph", "CalloutLabel", "Callout Label",
                 "<w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr>",
                 based_on="Callout", custom=True, extra='<w:next w:val="Callout"/><w:qFormat/>')
