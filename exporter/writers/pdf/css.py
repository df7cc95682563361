"""The print stylesheet's generated part: page box, faces, body size, colours, interface words and
the geometry the layout measures with; styles/pdf.css (data) follows it."""

from __future__ import annotations

import hashlib
import importlib
import math
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

from exporter.fonts import Font, FontError
from exporter.locale import Messages
from exporter.styles import Scheme, Styles, StylesError
from exporter.writers.base import Options, WriterError
from exporter.writers.pdf import layout as lay

#: Share of the line a measured running head or heading word may fill: measured widths leave
#: out kerning, and the line has a little room to spare.
FIT = 0.97
ELLIPSIS = "…"
#: Callout padding above and below never goes below this (em), however loose the lines.
MIN_CALLOUT_PADDING = 0.15
#: A parenthesis closing the title: "HSCT (haematopoietic stem cell transplantation)".
_PARENTHESIS = re.compile(r"\s*\([^()]*\)$")
PT_PER_MM = 72 / 25.4
#: Page sizes the settings may name, width x height in mm.
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A5": (148.0, 210.0),
                 "LETTER": (215.9, 279.4)}
DEFAULT_CODE_FAMILY = "Source Code Pro"
DEFAULT_CODE_PACKAGE = "fontpkg_source_code_pro"
DEFAULT_FALLBACK_FAMILY = "Noto Sans"
DEFAULT_FALLBACK_PACKAGE = "fontpkg_noto_sans"


@dataclass(frozen=True)
class Fonts:
    """The font files a render may read: the reader's chosen face (regular and bold, as
    static TrueType), the code face's file and the face that draws the characters the body
    face lacks (Welsh ŵ and ŷ, Greek, Cyrillic ...)."""

    family: str  #: the chosen face's family name, as the stylesheet names it
    regular: Path  #: static TrueType, weight 400
    bold: Path  #: static TrueType, weight 700
    code: Path  #: the code face (a variable font covers every weight)
    code_family: str
    fallback: Path  #: upright face used only for characters the body face has no glyph for
    fallback_family: str
    face: Font  #: the chosen face, for measuring words (headings, the running head)

    @property
    def folders(self) -> tuple[Path, ...]:
        found = (self.regular.parent, self.bold.parent, self.code.parent, self.fallback.parent)
        return tuple(dict.fromkeys(found))

    def faces(self, tracking: float = 0.0) -> lay.Faces:
        """Advance widths of the faces text is set in; ``tracking``: extra letter spacing."""
        return lay.Faces(lay.load_face(self.regular).tracked(tracking),
                         lay.load_face(self.bold).tracked(tracking),
                         lay.load_face(self.code).tracked(tracking))


@dataclass(frozen=True)
class Box:
    """The page box and its margins, in points: what both the CSS and the layout use."""

    width: float
    height: float
    top: float
    bottom: float
    side: float

    @property
    def text_width(self) -> float:
        return self.width - 2 * self.side

    @property
    def text_height(self) -> float:
        return self.height - self.top - self.bottom


def load_fonts(styles: Styles, settings: Mapping[str, Any], font: str | None = None) -> Fonts:
    """The faces of a render: ``font`` (an option value; the default face when None) as the
    body face, cut to static TrueType where its package ships a variable or PostScript font."""
    code_package = str(settings.get("code_font_package", DEFAULT_CODE_PACKAGE))
    fallback_package = str(settings.get("fallback_font_package", DEFAULT_FALLBACK_PACKAGE))
    try:
        chosen = styles.font(font or styles.default_font)
        regular, bold = (static_face(chosen, weight) for weight in ("regular", "bold"))
    except (StylesError, FontError) as exc:
        raise WriterError(f"pdf: {exc}") from exc
    return Fonts(chosen.family, regular, bold,
                 upright_font_file(font_folder(code_package)),
                 str(settings.get("code_font_family", DEFAULT_CODE_FAMILY)),
                 upright_font_file(font_folder(fallback_package)),
                 str(settings.get("fallback_font_family", DEFAULT_FALLBACK_FAMILY)), chosen)


def static_face(font: Font, weight: str) -> Path:
    """The file WeasyPrint reads for one weight of a face: the installed file when it already
    is that static TrueType face (the house face), else the face cut to one (fonts.py) and
    kept in a private folder under its content hash, so every render shares one copy."""
    installed = font.files()[weight]
    data = font.truetype(weight)
    if data == installed.read_bytes():
        return installed.resolve()
    folder = _faces_folder()
    path = folder / f"{hashlib.sha256(data).hexdigest()[:32]}.ttf"
    if not path.is_file():
        handle, temp = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    return path


def _faces_folder() -> Path:
    """This user's folder of cut faces: made private, and refused if anyone else could write
    to it (a planted file would be embedded in every PDF)."""
    folder = Path(tempfile.gettempdir()) / f"exporter-faces-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise WriterError(f"{folder} is not a private folder of this user: remove it")
    return folder.resolve()


def font_folder(package: str) -> Path:
    """The folder holding a font package's TTF files."""
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise WriterError(f"the font package {package} is not installed: run "
                          f"`pip install {package.replace('_', '-')}` (or `make setup`)") from exc
    folder = Path(module.__file__ or ".").resolve().parent / "files"
    if not any(folder.glob("*.ttf")):
        raise WriterError(f"no TTF font found in {folder}: reinstall {package}")
    return folder.resolve()


def upright_font_file(folder: Path) -> Path:
    """A package's upright face: its variable font (every weight) or else its Regular file."""
    upright = [f for f in sorted(folder.glob("*.ttf")) if "italic" not in f.name.lower()]
    variable = [f for f in upright if "[" in f.name]
    regular = [f for f in upright if f.name.endswith("-Regular.ttf")]
    found = variable or regular
    if not found:
        raise WriterError(f"no upright font in {folder}: reinstall the font package")
    return found[0]


@dataclass(frozen=True)
class RunningHead:
    """The words at the head of every page: the title, or as much of it as fits one line."""

    text: str
    lines: int  #: lines it takes at the body size (1 unless a single word is too wide)


def running_head(title: str, fonts: Fonts, opts: Options, width_pt: float) -> RunningHead:
    """The title when it fits on one line; else the title's own words, cut short.

    A running head that wraps takes a second line on every page (at 24pt, 13 lines of a
    13-page document) for words the reader has already seen on the title page. No word is
    added or changed: a parenthesis at the end ("HSCT (haematopoietic stem cell
    transplantation)") is left out whole when what comes before it fits, since the title
    itself gives that as its short form; otherwise the title is cut after the last whole word
    that fits, with an ellipsis to show it goes on (never inside an open parenthesis).
    """
    title = " ".join(title.split())

    def fits(text: str) -> bool:
        return head_width(text, fonts.face, opts) <= width_pt * FIT

    if fits(title):
        return RunningHead(title, 1)
    short = _PARENTHESIS.sub("", title).strip()
    if short and short != title and fits(short):
        return RunningHead(short, 1)
    words = title.split(" ")
    for n in range(len(words) - 1, 0, -1):
        kept = words[:n]
        opened = [i for i, w in enumerate(kept) if "(" in w and ")" not in " ".join(kept[i:])]
        if opened:  # never end inside a parenthesis: cut before it
            kept = kept[: opened[0]]
        text = " ".join(kept).rstrip(",;:–—-(") + ELLIPSIS
        if kept and fits(text):
            return RunningHead(text, 1)
    first = words[0] + ELLIPSIS if len(words) > 1 else words[0]
    lines = max(1, math.ceil(head_width(first, fonts.face, opts) / (width_pt * FIT)))
    return RunningHead(first, lines)


def head_width(text: str, face: Font, opts: Options) -> float:
    """How wide ``text`` prints at the body size in the regular face, spacing included (pt)."""
    ems = face.text_width(text) + opts.letter_spacing * len(text) + \
        opts.word_spacing * text.count(" ")
    return ems * opts.size


def heading_sizes(labels: Mapping[int, Sequence[str]], scale: Sequence[float], face: Font,
                  opts: Options, width_pt: float) -> dict[int, float]:
    """Per heading level, its size in points: the styles' scale of the body size, made smaller
    where the widest word of a heading at that level (numbered as shown) would not fit the
    line in the bold face, never smaller than the body text. At giant print in a wide face
    (36pt OpenDyslexic) a long word would otherwise be broken inside."""
    sizes: dict[int, float] = {}
    for level in range(1, 7):
        wanted = scale[min(level - 1, len(scale) - 1)] * opts.size
        words = [w for label in labels.get(level, ()) for w in label.split()]
        widest = max((face.text_width(w, "bold") + opts.letter_spacing * len(w) for w in words),
                     default=0.0)
        fitting = width_pt * FIT / widest if widest else wanted
        sizes[level] = max(float(opts.size), min(wanted, fitting))
    return sizes


def page_box(opts: Options, settings: Mapping[str, Any], head_lines: int = 1) -> Box:
    """Margins that leave room for the running head and the page number."""
    size = opts.size
    width_mm, height_mm = page_size(settings)
    side_mm = float(settings.get("margin_side_mm", 20))
    foot_mm = float(settings.get("margin_foot_mm", 15))
    top = head_lines * size * 1.25 + 1.2 * size + 10 * PT_PER_MM
    bottom = size * 1.25 + 0.8 * size + foot_mm * PT_PER_MM
    return Box(width_mm * PT_PER_MM, height_mm * PT_PER_MM, top, bottom, side_mm * PT_PER_MM)


def page_size(settings: Mapping[str, Any]) -> tuple[float, float]:
    """The paper's width and height in mm (pdf.yaml page_size)."""
    name = str(settings.get("page_size", "A4")).upper()
    if name not in PAGE_SIZES_MM:
        raise WriterError(f"page_size {name!r} in pdf.yaml is not one the PDF writer knows; use "
                          + ", ".join(PAGE_SIZES_MM))
    return PAGE_SIZES_MM[name]


def text_width(settings: Mapping[str, Any]) -> float:
    """The width of the text between the side margins, in points."""
    return (page_size(settings)[0] - 2 * float(settings.get("margin_side_mm", 20))) * PT_PER_MM


def css_string(text: str) -> str:
    """A CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def counter_content(template: str, fields: Mapping[str, str]) -> str:
    """A catalogue message as a CSS ``content`` value: "Page {page} of {pages}" ->
    ``"Page " counter(page) " of " counter(pages)``; ``fields`` maps each name to its CSS."""
    parts: list[str] = []
    for literal, name, _, _ in Formatter().parse(template):
        if literal:
            parts.append(css_string(literal))
        if name is not None:
            if name not in fields:
                raise WriterError(f"the interface message {template!r} names {{{name}}}, which "
                                  "print cannot fill in; use only " + ", ".join(fields))
            parts.append(fields[name])
    return " ".join(parts) or '""'


def contents_page_content(template: str) -> str:
    """"– page {page}" after a contents entry, held together and to the entry's last word by
    no-break spaces, for any language's words: the dash never starts or ends a line (at the
    start of a line it would read as a list dash), and "page" never parts from its number."""
    before, _, after = template.partition("{page}")
    # The words are also set nowrap (page_css): a dash allows a break after it even before a
    # no-break space (Unicode line breaking, class BA), and WeasyPrint breaks between the
    # words and the counter.
    text = "\u00a0" + "\u00a0".join(before.split()) + ("\u00a0" if before.endswith(" ") else "")
    tail = css_string("\u00a0".join(after.split(" "))) if after else ""
    return " ".join(p for p in (css_string(text), "target-counter(attr(href url), page)", tail)
                    if p)


def page_css(styles: Styles, opts: Options, fonts: Fonts, box: Box, words: Messages, *,
             code: bool = True, fallback: bool = False, head: str = "",
             heading_pt: Mapping[int, float] | None = None) -> str:
    """The rules that depend on the options, the fonts and the language. The code face only
    when the page shows code, the fallback face only when the body face lacks one of its
    characters: loading a face costs time in every render, and a character no packaged face
    has would otherwise be drawn by whatever font the machine happens to have.

    ``head`` is the running head (the title's words); ``heading_pt`` the size of each heading
    level in points (heading_sizes), else the styles' scale."""
    scheme: Scheme = styles.schemes[opts.scheme]
    size = opts.size
    family = css_string(fonts.family)
    code_family = css_string(fonts.code_family)
    generic = str(styles.settings.get("print", {}).get("fallback_family", "sans-serif"))
    if fallback:
        generic = f"{css_string(fonts.fallback_family)}, {generic}"
    faces = "\n".join(
        f'@font-face {{ font-family: {family}; font-weight: {weight}; font-style: normal; '
        f'src: url("{file.as_uri()}"); }}'
        for weight, file in (("normal", fonts.regular), ("bold", fonts.bold))
    )
    # One face: WeasyPrint takes no weight range in @font-face; bold code asks the variable
    # font for its bold instance (the font-variation-settings rule below).
    if code:
        faces += (f'\n@font-face {{ font-family: {code_family}; font-weight: normal; '
                  f'font-style: normal; src: url("{fonts.code.as_uri()}"); }}')
    if fallback:
        faces += (f'\n@font-face {{ font-family: {css_string(fonts.fallback_family)}; '
                  f'font-weight: normal; font-style: normal; '
                  f'src: url("{fonts.fallback.as_uri()}"); }}')
    scale = [float(s) for s in styles.settings.get("print", {}).get("heading_scale", [1.4])]
    headings = "\n".join(
        f"h{n} {{ font-size: {heading_pt[n]:.2f}pt; }}" if heading_pt and n in heading_pt
        and heading_pt[n] < scale[min(n - 1, len(scale) - 1)] * size - 0.005 else
        f"h{n} {{ font-size: {scale[min(n - 1, len(scale) - 1)]:g}em; }}" for n in range(1, 7)
    )
    spacing = spacing_css(opts)
    margin_box = (f"font-family: {family}, {generic}; font-size: {size}pt; line-height: 1.25; "
                  f"color: {scheme.text}; font-weight: normal;{' ' + spacing if spacing else ''}")
    side_mm = box.side / PT_PER_MM
    page_of = counter_content(words("page_of"),
                              {"page": "counter(page)", "pages": "counter(pages)"})
    every = f"body, body * {{ {spacing} }}\n" if spacing else ""
    running = css_string(head) if head else "string(doctitle)"
    pad_top, pad_bottom = callout_padding(fonts.regular, opts.line_spacing)
    return f"""{faces}
@page {{
  size: {box.width / PT_PER_MM:.1f}mm {box.height / PT_PER_MM:.1f}mm;
  margin: {box.top:.1f}pt {side_mm:g}mm {box.bottom:.1f}pt {side_mm:g}mm;
  background: {scheme.background};
  @top-left {{ content: {running}; {margin_box} width: 100%;
              vertical-align: top; padding-top: {10 * PT_PER_MM:.1f}pt; }}
  @bottom-left {{ content: {page_of}; {margin_box}
                 width: 100%; vertical-align: top; padding-top: {0.8 * size:.1f}pt; }}
}}
html {{ font-family: {family}, {generic}; font-size: {size}pt;
       line-height: {opts.line_spacing:g}; color: {scheme.text}; background: {scheme.background}; }}
{every}{headings}
.callout-helpline {{ background: {scheme.text}; color: {scheme.background};
                    border-color: {scheme.text}; }}
code, pre {{ font-family: {code_family}, monospace; font-size: 1em; }}
:is(strong, b, em, th, caption, .term, h1, h2, h3, h4, h5, h6) code {{
  font-variation-settings: "wght" 700; }}
.contents a::after {{ content: {contents_page_content(words("contents_page"))};
                     white-space: nowrap; }}
{geometry_css()}
.callout {{ padding-top: {pad_top:.3f}em; padding-bottom: {pad_bottom:.3f}em; }}
"""


def callout_padding(face: Path, line_spacing: float) -> tuple[float, float]:
    """(top, bottom) padding of a callout box, in em, so that the space seen inside its border
    is the same on all four sides: from the border to the capitals' tops above, to the last
    baseline below, as the side padding is to the letters. A line box holds half the leading
    and the face's ascent above the capitals, and half the leading and the descent below the
    baseline (hhea metrics, what Pango sets lines with): the padding gives back the rest."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(face, lazy=True) as font:
        units = float(font["head"].unitsPerEm)
        ascent, descent = font["hhea"].ascent / units, -font["hhea"].descent / units
        cap = getattr(font["OS/2"], "sCapHeight", 0) / units or 0.7
    half_leading = (line_spacing - ascent - descent) / 2
    top = lay.CALLOUT_PADDING - half_leading - (ascent - cap)
    bottom = lay.CALLOUT_PADDING - half_leading - descent
    return max(MIN_CALLOUT_PADDING, top), max(MIN_CALLOUT_PADDING, bottom)


def spacing_css(opts: Options) -> str:
    """The reader's extra letter and word spacing, in em (so each element's own size: a
    heading's spacing grows with it), as the EPUB sets it; "" when none was asked for."""
    rules = []
    if opts.letter_spacing:
        rules.append(f"letter-spacing: {opts.letter_spacing:g}em;")
    if opts.word_spacing:
        rules.append(f"word-spacing: {opts.word_spacing:g}em;")
    return " ".join(rules)


def geometry_css() -> str:
    """The boxes that take width from the text, from the numbers layout.py measures with."""
    return f"""ul, ol {{ padding-left: {lay.LIST_INDENT:g}em; }}
.callout {{ border: {lay.CALLOUT_BORDER:g}em solid currentColor;
           padding: 0.5em {lay.CALLOUT_PADDING:g}em; }}
blockquote {{ margin: 0 0 1em; padding-left: {lay.QUOTE_PADDING:g}em;
             border-left: {lay.QUOTE_RULE:g}em solid currentColor; }}
.definition {{ margin-left: {lay.DEFINITION_INDENT:g}em; }}
table.data th, table.data td {{ padding: 0.3em {lay.CELL_PADDING:g}em;
                                border: {lay.CELL_BORDER:g}em solid currentColor; }}"""
