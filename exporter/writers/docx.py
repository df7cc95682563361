"""Word writer: a large-print .docx with real headings, a linked contents list, links and lists."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape as _escape
from typing import Any, ClassVar

from exporter import __version__
from exporter.contrast import parse_hex, ratio
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
    Metadata,
    Paragraph,
    Strong,
    Text,
)
from exporter.outline import Entry, Outline
from exporter.output import build_time
from exporter.styles import MIN_CONTRAST
from exporter.writers.base import Job, Produced, Writer, WriterError


def escape(text: str) -> str:
    """XML character data (xml.sax.saxutils would pull in urllib.request at start-up)."""
    return _escape(text, quote=False)


def quoteattr(text: str) -> str:
    """A double-quoted XML attribute value."""
    return f'"{_escape(text, quote=True)}"'

#: lxml elements from python-docx's oxml layer (python-docx ships no type information).
Element = Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f'xmlns:w="{W_NS}"'
#: Page sizes in twips (1/20 pt).
PAGE_SIZES: dict[str, tuple[int, int]] = {"A4": (11906, 16838)}
#: WCAG 1.4.11: borders and other non-text parts need 3:1 against what is next to them.
MIN_NON_TEXT_CONTRAST = 3.0
NBSP = "\u00a0"
APP_XML = "docProps/app.xml"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest time a zip entry can hold


@dataclass(frozen=True)
class WordSettings:
    """styles/word.yaml, checked, plus the print settings Word shares with the PDF."""

    font: str
    page: tuple[int, int]  #: width, height in twips
    margin: int  #: twips
    heading_scale: tuple[float, ...]  #: Heading 1.. size relative to the body
    paragraph_space: float
    list_item_space: float
    indent: float
    link_colour: str  #: "RRGGBB", as Word writes it
    callout_border: str
    callout_fill: str
    contents_label: str


@dataclass(frozen=True)
class Metrics:
    """Sizes in Word's units for one body size: half-points for text, twips for space."""

    size: int  #: body size in points
    line_spacing: float
    cfg: WordSettings

    def half_points(self, scale: float = 1.0) -> int:
        return round(self.size * scale * 2)

    def twips(self, multiple: float) -> int:
        return round(self.size * multiple * 20)

    def heading_half_points(self, level: int) -> int:
        scale = self.cfg.heading_scale[min(level, len(self.cfg.heading_scale)) - 1]
        # Every heading stays larger than the body, however the scale is set.
        return max(self.half_points(scale), self.half_points() + 2)

    @property
    def line(self) -> int:
        return round(240 * self.line_spacing)  # "auto" line rule: 240 = single spacing

    @property
    def step(self) -> int:
        return self.twips(self.cfg.indent)


class DocxWriter(Writer):
    """Large-print Word document for screen readers and the Navigation pane."""

    name: ClassVar[str] = "docx"
    description: ClassVar[str] = (
        "Word (.docx): large print, heading structure, linked contents, en-GB, real links and lists"
    )
    option_names: ClassVar[frozenset[str]] = frozenset({"size", "line_spacing"})

    def write(self, job: Job) -> list[Produced]:
        cfg = load_settings(job)
        size = job.options.size
        if not job.styles.min_size <= size <= job.styles.max_size:
            raise WriterError(
                f"docx: size {size}pt is outside {job.styles.min_size}-{job.styles.max_size}pt "
                "(styles/settings.yaml print.min_size/max_size); choose a size in that range"
            )
        metrics = Metrics(size, job.options.line_spacing, cfg)
        try:
            data, facts = build(job.doc, job.outline, metrics)
        except ValueError as exc:  # lxml refuses text that XML cannot hold
            raise WriterError(
                f"docx: {job.doc.source_path}: cannot write this text: {exc}"
            ) from exc
        name = f"{job.stem}-large-print-{size}pt.docx"
        (job.dest / name).write_bytes(data)
        return [Produced(name, facts)]


# ------------------------------------------------------------------ settings


def load_settings(job: Job) -> WordSettings:
    """Read styles/word.yaml and check every value a reader's document depends on."""
    raw = job.styles.section("word")
    where = "styles/word.yaml"
    try:
        page_name = str(raw.get("page", "A4"))
        if page_name not in PAGE_SIZES:
            raise WriterError(f"{where}: page {page_name!r} is not offered; use one of "
                              f"{', '.join(PAGE_SIZES)}")
        scale = raw.get("heading_scale", job.styles.settings["print"]["heading_scale"])
        cfg = WordSettings(
            font=str(raw.get("font", "Arial")).strip(),
            page=PAGE_SIZES[page_name],
            margin=round(float(raw.get("margins_cm", 2.0)) / 2.54 * 1440),
            heading_scale=tuple(float(s) for s in scale),
            paragraph_space=float(raw.get("paragraph_space", 1.0)),
            list_item_space=float(raw.get("list_item_space", 0.5)),
            indent=float(raw.get("indent", 2.0)),
            link_colour=_colour(str(raw.get("link_colour", "#0B3D91")), where),
            callout_border=_colour(str(raw.get("callout_border", "#000000")), where),
            callout_fill=_colour(str(raw.get("callout_fill", "#FFFFFF")), where),
            contents_label=str(raw.get("contents_label", "Contents")).strip(),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WriterError(f"{where}: missing or malformed setting: {exc}") from exc
    _check(cfg, where)
    return cfg


def _colour(value: str, where: str) -> str:
    try:
        parse_hex(value)
    except ValueError as exc:
        raise WriterError(f"{where}: {exc}; write colours as \"#RRGGBB\"") from exc
    return value[1:].upper()


def _check(cfg: WordSettings, where: str) -> None:
    if not cfg.font or not cfg.contents_label or not cfg.heading_scale:
        raise WriterError(f"{where}: font, contents_label and heading_scale must not be empty")
    if not 567 <= cfg.margin <= 2835:
        raise WriterError(f"{where}: margins_cm must be between 1 and 5")
    white, black = (255, 255, 255), (0, 0, 0)
    checks = [
        ("link_colour on white", ratio(parse_hex("#" + cfg.link_colour), white), MIN_CONTRAST),
        ("black text on callout_fill", ratio(parse_hex("#" + cfg.callout_fill), black),
         MIN_CONTRAST),
        ("callout_border on callout_fill", ratio(parse_hex("#" + cfg.callout_border),
                                                 parse_hex("#" + cfg.callout_fill)),
         MIN_NON_TEXT_CONTRAST),
    ]
    for label, got, need in checks:
        if got < need:
            raise WriterError(f"{where}: {label} has contrast {got:.2f}:1, below {need}:1; "
                              "choose a darker or lighter colour")


# ------------------------------------------------------------------ the whole file


def build(doc: Document, outline: Outline, m: Metrics) -> tuple[bytes, dict[str, object]]:
    """The .docx bytes and facts for the manifest."""
    import docx  # heavy: loaded only when a Word file is wanted

    document = docx.Document()
    when = build_time()
    _page(document, m)
    _styles(document, m, doc.meta.language)
    _settings_part(document, doc.meta.language)
    body = Body(document, outline, m)
    body.render(doc)
    _footer(document)
    _properties(document, doc.meta, when)
    _drop_template_leftovers(document)
    buffer = io.BytesIO()
    document.save(buffer)
    data = rezip(buffer.getvalue(), when, {APP_XML: _app_xml(doc.meta)})
    facts: dict[str, object] = {
        "headings": len(outline),
        "contents_entries": body.contents_entries,
        "links": body.links,
        "lists": body.lists,
    }
    return data, facts


def _page(document: Any, m: Metrics) -> None:
    from docx.shared import Twips

    for section in document.sections:
        section.page_width, section.page_height = (Twips(v) for v in m.cfg.page)
        for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
            setattr(section, side, Twips(m.cfg.margin))
        section.header_distance = section.footer_distance = Twips(m.cfg.margin // 2)


def _footer(document: Any) -> None:
    """A page number at the foot of every page, at body size, always in the same place."""
    from docx.oxml import parse_xml

    paragraph = document.sections[0].footer.paragraphs[0]
    # The cached "1" is what a reader sees before Word lays the pages out and updates it.
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {_W} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    ))


def _settings_part(document: Any, language: str) -> None:
    """word/settings.xml: the language Word's theme fonts assume, and a current layout mode."""
    from docx.oxml.ns import qn

    settings = document.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.attrib.clear()
        lang.set(qn("w:val"), language)
    # The template says Word 2010, which opens in "Compatibility Mode"; 15 is Word 2013 on.
    for compat in settings.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")


def _properties(document: Any, meta: Metadata, when: dt.datetime) -> None:
    """Core properties from the front matter; nothing left from python-docx's template."""
    props = document.core_properties
    props.title = meta.title
    props.author = meta.publisher
    props.last_modified_by = meta.publisher
    props.subject = meta.subject or ""
    props.keywords = ", ".join(meta.keywords)
    props.comments = meta.summary
    props.language = meta.language
    props.category = ""
    props.revision = 1
    naive = when.astimezone(dt.UTC).replace(tzinfo=None)  # python-docx writes naive times as Z
    props.created = naive
    props.modified = naive


def _app_xml(meta: Metadata) -> bytes:
    """Extended properties naming this tool, instead of the template's Word 2010 word counts."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes">'
        f"<Application>{escape(f'hsct-exporter {__version__}')}</Application>"
        "<DocSecurity>0</DocSecurity>"
        "<TitlesOfParts><vt:vector size=\"1\" baseType=\"lpstr\">"
        f"<vt:lpstr>{escape(meta.title)}</vt:lpstr></vt:vector></TitlesOfParts>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode()


def _drop_template_leftovers(document: Any) -> None:
    """Remove template parts a reader never needs: a blank-page thumbnail, a stale style copy."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    package_rels = document.part.package.rels
    for rid in [r for r, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        del package_rels[rid]
    # stylesWithEffects.xml still holds the template's blue Calibri headings; customXml an
    # empty bibliography. Word rebuilds either if it ever needs them.
    unwanted = {STYLES_WITH_EFFECTS, RT.CUSTOM_XML}
    for rid in [r for r, rel in document.part.rels.items() if rel.reltype in unwanted]:
        document.part.drop_rel(rid)


def rezip(data: bytes, when: dt.datetime, replace: Mapping[str, bytes]) -> bytes:
    """Rewrite the zip with fixed entry times and order: equal input gives equal bytes."""
    stamp = max(when, ZIP_EPOCH).astimezone(dt.UTC)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, replace.get(name, src.read(name)), compresslevel=6)
    return out.getvalue()


# ------------------------------------------------------------------ styles


def _styles(document: Any, m: Metrics, language: str) -> None:
    """Defaults, Normal, headings and the writer's own styles, all black, in the chosen font."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    root = document.styles.element
    old_defaults = root.find(qn("w:docDefaults"))
    old_defaults.getparent().replace(old_defaults, parse_xml(_doc_defaults(m, language)))
    for xml in _style_definitions(m):
        new = parse_xml(xml)
        style_id = new.get(qn("w:styleId"))
        old = root.find(f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']")
        if old is not None:
            old.getparent().replace(old, new)
        else:
            root.append(new)
    # The heading styles no longer link to these; left in place they would still be blue.
    for n in range(1, 10):
        old = root.find(f"{qn('w:style')}[@{qn('w:styleId')}='Heading{n}Char']")
        if old is not None:
            root.remove(old)


def _fonts(font: str) -> str:
    f = quoteattr(font)
    return f"<w:rFonts w:ascii={f} w:hAnsi={f} w:eastAsia={f} w:cs={f}/>"


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _doc_defaults(m: Metrics, language: str) -> str:
    lang = quoteattr(language)
    # w:val covers Latin text, w:eastAsia East Asian text; w:bidi is left out: the
    # template's ar-SA would mislabel any right-to-left text, and there is none to label.
    return (
        f"<w:docDefaults {_W}><w:rPrDefault><w:rPr>{_fonts(m.cfg.font)}"
        f'<w:color w:val="000000"/>{_size(m.half_points())}'
        f"<w:lang w:val={lang} w:eastAsia={lang}/></w:rPr></w:rPrDefault>"
        f'<w:pPrDefault><w:pPr><w:spacing w:before="0" '
        f'w:after="{m.twips(m.cfg.paragraph_space)}" w:line="{m.line}" w:lineRule="auto"/>'
        '<w:jc w:val="left"/></w:pPr></w:pPrDefault></w:docDefaults>'
    )


def _style(kind: str, style_id: str, name: str, body: str, *, based_on: str | None = "Normal",
           custom: bool = False, extra: str = "") -> str:
    custom_attr = ' w:customStyle="1"' if custom else ""
    based = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (
        f'<w:style {_W} w:type="{kind}"{custom_attr} w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/>{based}{extra}{body}</w:style>'
    )


def _style_definitions(m: Metrics) -> Iterable[str]:
    cfg = m.cfg
    text = f'{_fonts(cfg.font)}<w:color w:val="000000"/>{_size(m.half_points())}'
    yield _style("paragraph", "Normal", "Normal", f"<w:rPr>{text}</w:rPr>", based_on=None,
                 extra="<w:qFormat/>").replace('w:type="paragraph"',
                                               'w:type="paragraph" w:default="1"')
    for level in range(1, 10):
        yield _style(
            "paragraph", f"Heading{level}", f"heading {level}",
            f'<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{m.twips(1.0)}" '
            f'w:after="{m.twips(0.5)}"/><w:outlineLvl w:val="{level - 1}"/></w:pPr>'
            f'<w:rPr><w:b/><w:bCs/><w:i w:val="0"/><w:iCs w:val="0"/><w:color w:val="000000"/>'
            f"{_size(m.heading_half_points(level))}</w:rPr>",
            extra='<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>',
        )
    link = f'<w:rPr><w:color w:val="{cfg.link_colour}"/><w:u w:val="single"/></w:rPr>'
    for style_id in ("Hyperlink", "FollowedHyperlink"):
        yield _style("character", style_id, style_id, link, based_on="DefaultParagraphFont",
                     extra='<w:uiPriority w:val="99"/><w:unhideWhenUsed/>')
    space = m.twips(cfg.list_item_space)
    yield _style("paragraph", "ListParagraph", "List Paragraph",
                 f'<w:pPr><w:spacing w:after="{space}"/></w:pPr>',
                 extra='<w:uiPriority w:val="34"/><w:qFormat/>')
    for n in range(1, 10):
        # Word styles a level-N heading's contents entry as "toc N": these match an update.
        yield _style("paragraph", f"TOC{n}", f"toc {n}",
                     f'<w:pPr><w:spacing w:after="{space}"/>'
                     f'<w:ind w:left="{max(0, n - 2) * m.step}"/></w:pPr>',
                     extra='<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>')
    yield _style("paragraph", "ContentsLabel", "Contents Label",
                 f'<w:pPr><w:keepNext/><w:spacing w:before="{m.twips(1.0)}" '
                 f'w:after="{m.twips(0.5)}"/></w:pPr>'
                 f"<w:rPr><w:b/><w:bCs/>{_size(m.heading_half_points(3))}</w:rPr>",
                 custom=True, extra='<w:next w:val="Normal"/><w:qFormat/>')
    edge = f'w:val="single" w:sz="18" w:space="6" w:color="{cfg.callout_border}"'
    inset = m.twips(0.5)
    yield _style("paragraph", "Callout", "Callout",
                 f"<w:pPr><w:pBdr><w:top {edge}/><w:left {edge}/><w:bottom {edge}/>"
                 f'<w:right {edge}/></w:pBdr><w:shd w:val="clear" w:color="auto" '
                 f'w:fill="{cfg.callout_fill}"/><w:ind w:left="{inset}" w:right="{inset}"/>'
                 "</w:pPr>",
                 custom=True, extra="<w:qFormat/>")
    yield _style("paragraph", "CalloutLabel", "Callout Label",
                 "<w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr>",
                 based_on="Callout", custom=True, extra='<w:next w:val="Callout"/><w:qFormat/>')


# ------------------------------------------------------------------ the body


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
            p.append(parse_xml(f"<w:pPr {_W}>{style_xml}{ppr}</w:pPr>"))
        self.end.addprevious(p)
        return p

    def heading(self, node: Heading) -> None:
        entry = self.outline.of(node)
        p = self.paragraph(f"Heading{min(node.level, 9)}")
        p.append(_bookmark("Start", entry.index, self.bookmarks[entry.id]))
        self.inlines(node.children, p)
        p.append(_bookmark("End", entry.index))

    def contents(self) -> None:
        """A TOC field already filled in: each entry links to its heading's bookmark."""
        entries = [e for e in self.outline if e.level >= 2]
        if not entries:
            return
        from docx.oxml import parse_xml

        label = self.paragraph("ContentsLabel")
        label.append(_run(self.m.cfg.contents_label))
        deepest = max(e.level for e in entries)
        # Levels from 2: the title is the top of the document, not an entry of its contents,
        # so "update field" in Word gives back exactly these entries and styles.
        instr = f' TOC \\o "2-{deepest}" \\h \\z \\u '
        for i, e in enumerate(entries):
            p = self.paragraph(f"TOC{e.level}")
            if i == 0:
                p.append(_field_char("begin"))
                p.append(parse_xml(f'<w:r {_W}><w:instrText xml:space="preserve">'
                                   f"{escape(instr)}</w:instrText></w:r>"))
                p.append(_field_char("separate"))
            p.append(self._entry_link(e))
            if i == len(entries) - 1:
                p.append(_field_char("end"))
        self.contents_entries = len(entries)

    def _entry_link(self, e: Entry) -> Element:
        link = _hyperlink(anchor=self.bookmarks[e.id])
        link.append(_run(e.title))
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
            f'<w:num {_W} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
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
            f'<w:abstractNum {_W} w:abstractNumId="{abstract_id}">'
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
            f"<w:rPr>{_fonts(self.m.cfg.font)}<w:b w:val=\"0\"/><w:i w:val=\"0\"/>"
            f"{_size(self.m.half_points())}</w:rPr></w:lvl>"
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
        label.append(_run(node.label))
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
                parent.append(_run(_keep_together(node.text), bold=bold, link=link))
            elif isinstance(node, Emphasis | Strong):
                # Large print: emphasis is bold, never italic.
                self.inlines(node.children, parent, bold=True, link=link)
            elif isinstance(node, LineBreak):
                parent.append(_line_break())
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
            return _hyperlink(anchor=name)
        rid = self.document.part.relate_to(href, RT.HYPERLINK, is_external=True)
        return _hyperlink(rid=rid)


# ------------------------------------------------------------------ small elements


def _keep_together(text: str) -> str:
    """No-break spaces inside phone numbers and dates: UKAAF never splits one across lines."""
    return KEEP_TOGETHER.sub(lambda mt: mt.group().replace(" ", NBSP), text)


def _run(text: str, *, bold: bool = False, link: bool = False) -> Element:
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


def _line_break() -> Element:
    from docx.oxml import OxmlElement

    r = OxmlElement("w:r")
    r.append(OxmlElement("w:br"))
    return r


def _hyperlink(*, rid: str | None = None, anchor: str | None = None) -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    h = OxmlElement("w:hyperlink")
    if rid is not None:
        h.set(qn("r:id"), rid)
    if anchor is not None:
        h.set(qn("w:anchor"), anchor)
    h.set(qn("w:history"), "1")
    return h


def _bookmark(kind: str, bookmark_id: int, name: str = "") -> Element:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    attrs = {qn("w:id"): str(bookmark_id)}
    if name:
        attrs[qn("w:name")] = name
    return OxmlElement(f"w:bookmark{kind}", attrs)


def _field_char(kind: str) -> Element:
    from docx.oxml import parse_xml

    return parse_xml(f'<w:r {_W}><w:fldChar w:fldCharType="{kind}"/></w:r>')
