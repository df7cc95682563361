"""Read-back checks of the Word files: headings, contents, language, words and the print rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks.common import (
    SIZE_TOLERANCE,
    Context,
    Finding,
    compare_flat,
    compare_tree,
    finding,
    is_serif,
    missing_sentences,
    tree_from_flat,
)
from exporter.checks.numbering import numbering
from exporter.contrast import parse_hex, ratio
from exporter.html import HYPHENATED
from exporter.styles import MIN_CONTRAST
from exporter.writers.docx.check_structures import structure_findings
from exporter.writers.docx.check_variant import variant
from exporter.writers.docx.wordfile import OFF, Element, Run, Word, _val, open_word, w

#: Paragraph alignments a large-print document must not use (ragged right, left-aligned only).
_BAD_JC = {"both": "justified", "distribute": "justified", "center": "centred",
           "right": "right-aligned", "end": "right-aligned"}


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Every check of every Word file."""
    found: list[Finding] = []
    for entry in entries:
        found += check_file(ctx, ctx.path(entry), ctx.size(entry))
        found.append(check_variant(ctx, entry, open_word(ctx.path(entry))))
    return found


def check_file(ctx: Context, path: Path, size: float) -> list[Finding]:
    name = path.name
    word = open_word(path)
    headings = _headings(word)
    return [
        finding("navigation", "docx.headings", name,
                compare_flat([(lvl, text) for lvl, text, _ in headings], ctx.outline),
                f"{len(headings)} headings equal the outline, no level skipped"),
        finding("navigation", "docx.contents", name, _contents(ctx, word),
                "contents list present, equal to the outline, every entry linked"),
        finding("navigation", "docx.numbering", name,
                numbering([text for _, text, _ in headings], ctx.outline)
                + numbering([t for _, t in contents_entries(word)], ctx.outline,
                            "contents entry"),
                "section numbers " + ("on every heading and contents entry"
                                      if ctx.outline.numbered else "shown nowhere")),
        finding("content", "docx.sentences", name,
                missing_sentences(ctx, "\n".join(word.text(p) for p in word.body)),
                f"all {len(ctx.sentences)} sentences, in order"),
        finding("content", "docx.colophon", name, _colophon(ctx, word),
                "who published the page (and when it was updated), as in every format"),
        finding("validity", "docx.heading-styles", name, _heading_styles(headings),
                "headings use the built-in Heading styles"),
        finding("validity", "docx.language", name, _language(ctx, word),
                f"w:lang {ctx.doc.meta.language} on the text"),
        finding("validity", "docx.title", name, _title(ctx, word), "title in the properties"),
        finding("large-print", "docx.text-size", name, _sizes(word, size),
                f"every run at least {size:g}pt"),
        finding("large-print", "docx.sans-serif", name, _serif(word), "sans-serif fonts only"),
        finding("large-print", "docx.italic", name, _italic(word), "no italic runs"),
        finding("large-print", "docx.alignment", name, _alignment(word),
                "paragraphs left-aligned"),
        finding("large-print", "docx.contrast", name, _contrast(word),
                f"text contrast at least {MIN_CONTRAST}:1"),
        finding("large-print", "docx.whole-words", name, _breakable_words(word),
                "hyphenated words never break at their hyphens"),
        *structure_findings(ctx, word, name, size),
    ]


def check_variant(ctx: Context, entry: Mapping[str, Any], word: Word) -> Finding:
    """Is the file the one asked for: size, face, colours, line, letter and word spacing."""
    return finding("large-print", "docx.variant", str(entry["file"]), variant(word, entry),
                   "the size, face, colours and spacing asked for")


def _where(r: Run | None, word: Word, p: Element | None = None) -> str:
    para = p if p is not None else r.paragraph if r is not None else None
    text = word.text(para).strip()[:40] if para is not None else ""
    part = r.part if r is not None else "document"
    return f"{part}, paragraph '{text}'"


def _headings(word: Word) -> list[tuple[int, str, str]]:
    """(outline level, text, style name) of each heading paragraph, in order."""
    out = []
    for p in word.body:
        level = word.styles.outline_level(p)
        if level is not None and word.text(p).strip():
            out.append((level, word.text(p).strip(),
                        word.styles.style_name(word.styles.para_style(p))))
    return out


def _colophon(ctx: Context, word: Word) -> list[str]:
    """The closing lines every format prints when the source gives them: "Published by X."
    and the last-updated date, in the page's language; none when the source gives none."""
    from exporter.locale import messages

    m = messages(ctx.doc.meta.language)
    meta = ctx.doc.meta
    lines = {" ".join(word.text(p).split()) for p in word.body}
    want = []
    if meta.publisher.strip():
        want.append(m("published_by", publisher=meta.publisher))
    if meta.updated:
        want.append(m("last_updated", date=m.date(meta.updated)))
    problems = [f"no line '{w}'" for w in want if " ".join(w.split()) not in lines]
    if not meta.publisher.strip():
        empty = " ".join(m("published_by", publisher="").split())
        problems += [f"a '{line}' line though the source names no publisher"
                     for line in lines if line == empty]
    return problems


def _heading_styles(headings: list[tuple[int, str, str]]) -> list[str]:
    return [f"heading '{text}' (level {level}) uses style '{style}', not 'Heading {level}'"
            for level, text, style in headings if style.lower() != f"heading {level}"]


def _contents(ctx: Context, word: Word) -> list[str]:
    """The contents list: entries equal to the outline, each a link to its heading's bookmark
    with a page number that Word and LibreOffice fill in (a PAGEREF field to that bookmark)."""
    entries = contents_entries(word)
    if not entries:
        if all(e.level == 1 for e in ctx.outline):
            return []  # a document without sections needs no contents list
        return ["no contents (paragraphs in the 'toc 1'..'toc 9' styles)"]
    problems = compare_tree(tree_from_flat(entries), ctx.outline)
    marks = {b.get(w("name")) for b in word.doc.element.body.iter(w("bookmarkStart"))}
    unlinked = unnumbered = 0
    for p in word.body:
        if _toc_level(word, p) is None:
            continue
        label = _entry_label(word.text(p))
        anchors = [h.get(w("anchor")) for h in p.iter(w("hyperlink")) if h.get(w("anchor"))]
        if not anchors:
            unlinked += 1
            continue
        if anchors[0] not in marks:
            problems.append(f"contents entry '{label}' links to missing bookmark '{anchors[0]}'")
        refs = re.findall(r"PAGEREF\s+(\S+)", _instructions(p))
        if anchors[0] not in refs:
            unnumbered += 1
            if unnumbered == 1:
                problems.append(f"contents entry '{label}' has no page number (a PAGEREF "
                                "field to its heading): a printed copy cannot be navigated")
    if unlinked:
        problems.append(f"{unlinked} contents entries are not links")
    if unnumbered > 1:
        problems.append(f"{unnumbered} contents entries have no page number")
    if unnumbered < len(entries) and not _updates_fields(word):
        problems.append("word/settings.xml does not ask Word to update fields on opening: "
                        "the contents' page numbers would show their stored '?'")
    return problems


def _instructions(p: Element) -> str:
    """Every field instruction inside a paragraph (complex and simple fields)."""
    return " ".join([*(t.text or "" for t in p.iter(w("instrText"))),
                     *(f.get(w("instr"), "") for f in p.iter(w("fldSimple")))])


def _updates_fields(word: Word) -> bool:
    el = word.doc.settings.element.find(w("updateFields"))
    return el is not None and (_val(el) or "true").lower() not in OFF


def _toc_level(word: Word, p: Element) -> int | None:
    m = re.fullmatch(r"toc (\d)", word.styles.style_name(word.styles.para_style(p)).lower())
    return int(m.group(1)) if m else None


#: What follows a contents entry's title: ours (" – page 7") or, after Word
#: rebuilds a contents field, a tab and the number.
_PAGE_SUFFIX = re.compile(r"(?:\u00a0\u2013\u00a0.*|\t\s*\S*)$", re.S)


def _entry_label(text: str) -> str:
    return _PAGE_SUFFIX.sub("", text).strip()


def contents_entries(word: Word) -> list[tuple[int, str]]:
    """(level, label) of each contents entry, its page number left out."""
    entries = []
    for p in word.body:
        level = _toc_level(word, p)
        if level is not None:
            entries.append((level, _entry_label(word.text(p))))
    return entries


def _language(ctx: Context, word: Word) -> list[str]:
    want = ctx.doc.meta.language.lower()
    lang = word.styles.defaults.find(w("lang")) if word.styles.defaults is not None else None
    problems = []
    if lang is None or (_val(lang) or "").lower() != want:
        problems.append(f"docDefaults w:lang is '{_val(lang)}', the source says "
                        f"'{ctx.doc.meta.language}' (screen readers and spelling use it)")
    for r in word.runs:
        el = next((pr.find(w("lang")) for pr in word.styles.run_props(r)
                   if pr.find(w("lang")) is not None), None)
        if el is not None and (_val(el) or want).lower() != want:
            problems.append(f"w:lang '{_val(el)}' at {_where(r, word)}")
            break
    return problems


def _title(ctx: Context, word: Word) -> list[str]:
    title = word.doc.core_properties.title or ""
    return [] if title == ctx.doc.meta.title else [
        f"document title property is '{title}', the source says '{ctx.doc.meta.title}'"]


def _sizes(word: Word, size: float) -> list[str]:
    sized = [(word.styles.size(r), r) for r in word.runs]
    unsized = [r for s, r in sized if s is None]
    problems = []
    if unsized:
        problems.append(f"no size set (Word's default is 10pt) at {_where(unsized[0], word)}")
    known = [(s, r) for s, r in sized if s is not None]
    if known:
        small, run = min(known, key=lambda sr: sr[0])
        if small < size - SIZE_TOLERANCE:
            problems.insert(0, f"smallest text {small:g}pt < {size:g}pt at {_where(run, word)}")
    return problems


def _serif(word: Word) -> list[str]:
    bad: dict[str, Run] = {}
    for r in word.runs:
        font = word.styles.font(r)
        if is_serif(font) or not font:
            bad.setdefault(font or "(theme default)", r)
    return [f"font '{font}' at {_where(r, word)}" for font, r in bad.items()]


def _italic(word: Word) -> list[str]:
    slanted = [r for r in word.runs if word.styles.italic(r)]
    if not slanted:
        return []
    return [f"{len(slanted)} italic run(s), first at {_where(slanted[0], word)}: "
            f"'{slanted[0].text.strip()[:40]}'"]


def _alignment(word: Word) -> list[str]:
    problems = []
    for p in word.body:
        jc = _val(word.styles.first(word.styles.para_props(p), "jc"))
        if jc in _BAD_JC and word.text(p).strip():
            problems.append(f"{_BAD_JC[jc]} paragraph at {_where(None, word, p)}")
    return problems[:5]


#: Code keeps its own hyphens: it is copied, not read as words.
_CODE_STYLES = {"SourceCode", "VerbatimChar"}


def _breakable_words(word: Word) -> list[str]:
    """Hyphenated words ("COVID-19") whose hyphen is a plain one, where Word may break the
    line (UKAAF: no word split across lines); Word's no-break hyphen reads the same."""
    found: list[str] = []
    for r in word.runs:
        styles = {_val(r.run.find(f"{w('rPr')}/{w('rStyle')}")),
                  word.styles.para_style(r.paragraph)}
        if styles & _CODE_STYLES:
            continue
        for t in r.run.iter(w("t")):
            found += [m.group() for m in HYPHENATED.finditer(t.text or "")]
    if not found:
        return []
    shown = ", ".join(f"'{f}'" for f in dict.fromkeys(found[:5]))
    return [f"{len(found)} hyphenated word(s) may break at the hyphen: {shown}"]


def _contrast(word: Word) -> list[str]:
    page = word.doc.element.find(w("background"))
    page_fill = _val(page, "color") if page is not None else None
    worst: tuple[float, Run, str, str] | None = None
    for r in word.runs:
        bg = word.styles.shading(r) or (page_fill if page_fill not in (None, "auto") else "FFFFFF")
        fg = word.styles.colour(r)
        if fg == "auto":  # Word picks black or white, whichever reads on the background
            continue
        try:
            value = ratio(parse_hex(f"#{fg}"), parse_hex(f"#{bg}"))
        except ValueError:
            continue
        if worst is None or value < worst[0]:
            worst = (value, r, fg, str(bg))
    if worst is None or worst[0] >= MIN_CONTRAST:
        return []
    value, run, fg, bg = worst
    return [f"contrast {value:.2f}:1 < {MIN_CONTRAST}:1 at {_where(run, word)}: "
            f"text #{fg} on #{bg}"]
