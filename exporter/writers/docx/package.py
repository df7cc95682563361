"""Package parts of a .docx: page, footer, settings, properties, and a reproducible zip."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from exporter import __version__
from exporter.locale import Messages
from exporter.model import Metadata
from exporter.writers.docx.elements import run
from exporter.writers.docx.settings import (
    STYLES_WITH_EFFECTS,
    W_XMLNS,
    ZIP_EPOCH,
    Metrics,
    escape,
)


def set_page(document: Any, m: Metrics) -> None:
    from docx.shared import Twips

    for section in document.sections:
        section.page_width, section.page_height = (Twips(v) for v in m.cfg.page)
        for side in ("top_margin", "left_margin", "right_margin"):
            setattr(section, side, Twips(m.cfg.margin))
        section.bottom_margin = Twips(m.bottom_margin)
        section.header_distance = section.footer_distance = Twips(m.footer_distance)


def add_footer(document: Any, words: Messages) -> None:
    """"Page N of M" at the foot of every page, at body size, always in the same place, in the
    document's language."""
    from docx.oxml import parse_xml

    footer = document.sections[-1].footer  # the body's own section; share_footer copies it
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    text = words("page_of", page="\0PAGE\0", pages="\0NUMPAGES\0")
    for i, part in enumerate(text.split("\0")):
        if i % 2:
            # The cached "1" is what a reader sees before Word lays the pages out and updates it.
            paragraph._p.append(parse_xml(
                f'<w:fldSimple {W_XMLNS} w:instr=" {part} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
            ))
        elif part:
            paragraph._p.append(run(part))


#: The order CT_Settings gives the few settings this writer adds (and those it must go
#: before): Word refuses a settings part whose elements are out of order.
_SETTINGS_ORDER = ("writeProtection", "view", "zoom", "removePersonalInformation",
                   "removeDateAndTime", "doNotDisplayPageBoundaries", "displayBackgroundShape",
                   "printPostScriptOverText", "printFractionalCharacterWidth", "printFormsData",
                   "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts", "saveFormsData",
                   "mirrorMargins", "alignBordersAndEdges", "bordersDoNotSurroundHeader",
                   "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                   "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign",
                   "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
                   "stylePaneSortMethod", "documentType", "mailMerge", "revisionView",
                   "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting",
                   "documentProtection", "autoFormatOverride", "styleLockTheme",
                   "styleLockQFSet", "defaultTabStop", "autoHyphenation",
                   "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps",
                   "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
                   "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting",
                   "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
                   "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
                   "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
                   "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin",
                   "doNotShadeFormData", "noPunctuationKerning", "characterSpacingControl",
                   "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
                   "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema",
                   "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText",
                   "doNotDemarcateInvalidXml", "saveXmlDataOnly", "useXSLTWhenSaving",
                   "saveThroughXslt", "showXMLTags", "alwaysMergeEmptyNamespace",
                   "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr", "compat",
                   "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
                   "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                   "doNotAutoCompressPictures", "forceUpgrade", "captions",
                   "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                   "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def add_setting(document: Any, tag: str, value: str | None = "true") -> None:
    """Put ``<w:tag w:val=value/>`` (no value: ``<w:tag/>``) in word/settings.xml, in the
    place the schema gives it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = document.settings.element
    for old in settings.findall(qn(f"w:{tag}")):
        settings.remove(old)
    el = OxmlElement(f"w:{tag}", {qn("w:val"): value} if value is not None else {})
    rank = _SETTINGS_ORDER.index(tag)
    later = next((c for c in settings if isinstance(c.tag, str) and
                  c.tag.rpartition("}")[2] in _SETTINGS_ORDER[rank + 1:]), None)
    if later is not None:
        later.addprevious(el)
    else:
        settings.append(el)


def set_settings(document: Any, language: str, *, update_fields: bool = False) -> None:
    """word/settings.xml: the language Word's theme fonts assume, a current layout mode, and
    (with ``update_fields``) fields brought up to date when Word opens the file: the page
    numbers of the contents."""
    from docx.oxml.ns import qn

    if update_fields:
        add_setting(document, "updateFields")
    settings = document.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.attrib.clear()
        lang.set(qn("w:val"), language)
    # The template says Word 2010, which opens in "Compatibility Mode"; 15 is Word 2013 on.
    for compat in settings.iter(qn("w:compatSetting")):
        if compat.get(qn("w:name")) == "compatibilityMode":
            compat.set(qn("w:val"), "15")


def set_properties(document: Any, meta: Metadata, when: dt.datetime) -> None:
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


def app_xml(meta: Metadata) -> bytes:
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


def drop_template_leftovers(document: Any) -> None:
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

