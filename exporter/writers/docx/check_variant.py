"""Is the Word file the one asked for? Body size, the embedded face (read from the font files
themselves), page and text colours, line spacing, and letter and word spacing run by run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exporter.fonts import family_of
from exporter.options import Options, recorded
from exporter.styles import Styles, load_styles
from exporter.writers.docx.embedding import obfuscate
from exporter.writers.docx.wordfile import Run, Word, _val, w

FONT_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
#: Code keeps its own spaces (columns stay aligned): no word spacing there.
_CODE_STYLES = {"SourceCode", "VerbatimChar"}
#: Word stores character spacing in whole twips: a value may be off by one from rounding.
_TWIP = 1


def variant(word: Word, entry: Mapping[str, Any], styles: Styles | None = None) -> list[str]:
    """Differences between what the reader asked for and what the file sets."""
    styles = styles or load_styles()
    want = recorded(entry.get("options"), styles)
    problems = _body(word, want)
    font = styles.fonts.get(want.font)
    if font is None:
        problems.append(f"asked for font '{want.font}', which styles/settings.yaml does not "
                        "offer")
    else:
        problems += _face(word, font.family, font.label)
    scheme = styles.schemes.get(want.scheme)
    if scheme is not None:
        problems += _colours(word, scheme.text[1:].upper(), scheme.background[1:].upper(),
                             scheme.label)
    return problems + _spacing(word, want)


def _body(word: Word, want: Options) -> list[str]:
    problems = []
    defaults = word.styles.defaults
    size = _val(defaults.find(w("sz"))) if defaults is not None else None
    if size != str(want.size * 2):
        shown = f"{int(size) / 2:g}" if size and size.isdigit() else "?"
        problems.append(f"body text is {shown}pt, asked for {want.size}pt")
    p_defaults = word.styles.p_defaults
    spacing = p_defaults.find(w("spacing")) if p_defaults is not None else None
    line = _val(spacing, "line") if spacing is not None else None
    if line != str(round(240 * want.line_spacing)):
        got = f"{int(line) / 240:g}" if line and line.isdigit() else "not set"
        problems.append(f"line spacing {got}, asked for {want.line_spacing:g}")
    return problems


def _face(word: Word, family: str, label: str) -> list[str]:
    """The text's face is the family asked for, and its regular and bold are in the file."""
    problems = []
    fonts = word.styles.defaults.find(w("rFonts")) if word.styles.defaults is not None else None
    used = _val(fonts, "ascii") if fonts is not None else None
    if used != family:
        problems.append(f"the text is set in '{used}', asked for {label}")
    table = next((rel.target_part for rel in word.doc.part.rels.values()
                  if rel.reltype == FONT_TABLE), None)
    if table is None:
        return [*problems, "no font table: the face is not in the file"]
    from docx.oxml import parse_xml

    entry = next((f for f in parse_xml(table.blob).iter(w("font"))
                  if f.get(w("name")) == family), None)
    found: dict[str, tuple[str, int]] = {}
    for kind in ("embedRegular", "embedBold"):
        embed = entry.find(w(kind)) if entry is not None else None
        if embed is None or embed.get(R_ID) not in table.rels:
            problems.append(f"{label}: no {kind} in the font table: a reader without the face "
                            "would see another")
            continue
        data = obfuscate(table.rels[embed.get(R_ID)].target_part.blob, embed.get(w("fontKey")))
        try:
            found[kind] = family_of(data)
        except Exception:  # not a font once read back: a wrong key or a damaged file
            problems.append(f"{label}: the embedded {kind} is not a readable font")
    for kind, weight in (("embedRegular", 400), ("embedBold", 700)):
        if kind in found and found[kind] != (family, weight):
            name, got = found[kind]
            problems.append(f"{label}: the embedded {kind} is '{name}' weight {got}")
    return problems


def _colours(word: Word, text: str, page: str, label: str) -> list[str]:
    problems = []
    background = word.doc.element.find(w("background"))
    shown = (_val(background, "color") or "FFFFFF").upper() if background is not None \
        else "FFFFFF"
    if shown != page:
        problems.append(f"page colour #{shown}, asked for {label} (#{page})")
    colour = word.styles.defaults.find(w("color")) if word.styles.defaults is not None else None
    ink = (_val(colour) or "auto").upper() if colour is not None else "AUTO"
    if ink != text:
        problems.append(f"text colour #{ink}, asked for {label} (#{text})")
    return problems


def _spacing(word: Word, want: Options) -> list[str]:
    """Every run's character spacing: the letter spacing, in ems of its own size; a run of
    spaces between words, the letter and the word spacing together."""
    problems: list[str] = []
    wrong: list[tuple[Run, float, float]] = []
    unspaced = 0
    for r in (*word.runs, *word.spaces):
        size = word.styles.size(r) or float(want.size)
        code = _is_code(word, r)
        gap = not r.text.strip() and not code
        extra = want.letter_spacing + (want.word_spacing if gap else 0.0)
        expected = extra * size * 20
        el = word.styles.first(word.styles.run_props(r), "spacing")
        got = int(_val(el) or 0) if el is not None and (_val(el) or "0").lstrip("-").isdigit() \
            else 0
        if abs(got - expected) > _TWIP + 0.5:
            wrong.append((r, got / 20 / size, extra))
        if want.word_spacing and not gap and not code and " " in r.text.strip():
            unspaced += r.text.strip().count(" ")
    if wrong:
        r, got_em, want_em = wrong[0]
        what = "spaces between words" if not r.text.strip() else f"'{r.text.strip()[:30]}'"
        problems.append(f"{len(wrong)} run(s) with other spacing than asked, first {what}: "
                        f"{got_em:.3f}em, asked for {want_em:g}em")
    if unspaced:
        problems.append(f"{unspaced} space(s) between words without the word spacing asked for "
                        f"({want.word_spacing:g}em)")
    return problems


def _is_code(word: Word, r: Run) -> bool:
    style = r.run.find(f"{w('rPr')}/{w('rStyle')}")
    return _val(style) in _CODE_STYLES or word.styles.para_style(r.paragraph) in _CODE_STYLES
