"""Tables: a real Word table with its caption before it, a repeating header row, page width.

Screen readers announce the column header of each cell from the rows marked as header
(``w:tblHeader``, also repeated at the top of each page); the table's title and description
(``w:tblCaption``, ``w:tblDescription``) are its alt text. A table whose words cannot fit
between portrait margins at the chosen size goes on landscape pages of its own.
"""

from __future__ import annotations

from exporter.model import Table, plain_text
from exporter.writers.docx.elements import run
from exporter.writers.docx.flow import Flow
from exporter.writers.docx.sections import begin_landscape, end_landscape
from exporter.writers.docx.settings import CELL_SIDE, W_XMLNS, Element, Metrics, quoteattr

#: A column need not be wider than this many ems for its cells to read well.
COMFORTABLE = 14
PCT_WHOLE = 5000  # Word's percentages are fiftieths of a per cent


def write_table(body: Flow, node: Table) -> None:
    m, words = body.m, body.words
    mins, wants = column_needs(node, m)
    landscape = body.in_main_flow and sum(mins) > m.text_width
    if landscape:
        begin_landscape(body)
        body.counts["landscape_tables"] += 1
    space = m.landscape_width if landscape else min(body.width, m.text_width)
    if sum(mins) > space:
        # Word will break the longest words inside their cells: said in the manifest.
        body.counts["tables_wider_than_page"] += 1
    widths = share(mins, wants, space)
    caption = plain_text(node.caption).strip()
    if node.caption:
        # Before the table, kept with it: a screen reader meets the caption first.
        p = body.paragraph("Caption", ppr="<w:keepNext/>")
        before, _, after = words("table_caption", caption="\0").partition("\0")
        if before:
            p.append(run(before))
        body.inlines(node.caption, p)
        if after:
            p.append(run(after))
    summary = words.plural("table_summary", len(node.rows), caption=f"{caption}, " if caption
                           else "", rows=len(node.rows),
                           columns=len(node.header))
    tbl = _table_element(caption or words("table"), summary, widths)
    body.place(tbl)
    pad = m.twips(CELL_SIDE)
    for r, row in enumerate((node.header, *node.rows)):
        header = r == 0
        tr = _row_element(header)
        tbl.append(tr)
        for j, width in enumerate(widths):
            tc = _cell_element(round(width / sum(widths) * PCT_WHOLE))
            tr.append(tc)
            with body.into(tc, width=max(1, round(width) - 2 * pad)):
                p = body.paragraph("TableHeading" if header else "TableText")
                if j < len(row):
                    body.inlines(row[j].children, p)
    body.counts["tables"] += 1
    if landscape:
        end_landscape(body)


def column_needs(node: Table, m: Metrics) -> tuple[list[float], list[float]]:
    """Per column, in twips: the least width that keeps every word whole, and a width that
    reads comfortably."""
    em = m.size * 20
    pad = 2 * m.twips(CELL_SIDE) + 20  # cell margins and the rules
    mins, wants = [], []
    for j, head in enumerate(node.header):
        # (text, bold): header cells are bold
        texts = [(plain_text(head.children), True),
                 *((plain_text(row[j].children), False) for row in node.rows if j < len(row))]
        longest = max([m.em_width(word, bold) for t, bold in texts for word in t.split()]
                      + [1])
        typical = max(m.em_width(t, bold) for t, bold in texts)
        mins.append(longest * em + pad)
        wants.append(max(longest, min(typical, COMFORTABLE)) * em + pad)
    return mins, wants


def share(mins: list[float], wants: list[float], space: int) -> list[float]:
    """Column widths filling ``space``: comfortable widths when they fit, else each column's
    least width plus a share of what is left."""
    if sum(wants) <= space:
        return [w * space / sum(wants) for w in wants]
    if sum(mins) < space:
        slack = [w - n for w, n in zip(wants, mins, strict=True)]
        extra = space - sum(mins)
        return [n + extra * s / sum(slack) for n, s in zip(mins, slack, strict=True)]
    return [n * space / sum(mins) for n in mins]


def _table_element(title: str, description: str, widths: list[float]) -> Element:
    from docx.oxml import parse_xml

    grid = "".join(f'<w:gridCol w:w="{round(w)}"/>' for w in widths)
    return parse_xml(
        f"<w:tbl {W_XMLNS}><w:tblPr><w:tblStyle w:val=\"LargePrintTable\"/>"
        f'<w:tblW w:w="{PCT_WHOLE}" w:type="pct"/><w:tblLayout w:type="autofit"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
        f"<w:tblCaption w:val={quoteattr(title)}/>"
        f"<w:tblDescription w:val={quoteattr(description)}/>"
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid></w:tbl>"
    )


def _row_element(header: bool) -> Element:
    from docx.oxml import parse_xml

    # A row never splits across pages; the header row repeats at the top of each page.
    mark = "<w:tblHeader/>" if header else ""
    return parse_xml(f"<w:tr {W_XMLNS}><w:trPr><w:cantSplit/>{mark}</w:trPr></w:tr>")


def _cell_element(pct: int) -> Element:
    from docx.oxml import parse_xml

    return parse_xml(f'<w:tc {W_XMLNS}><w:tcPr><w:tcW w:w="{pct}" w:type="pct"/></w:tcPr></w:tc>')
