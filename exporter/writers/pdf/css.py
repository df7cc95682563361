"""The print stylesheet's generated part: page box, faces, body size, colours, interface words and
the geometry the layout measures with; styles/pdf.css (data) follows it."""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from typing import Any

from exporter.locale import Messages
from exporter.model import Document
from exporter.styles import Scheme, Styles
from exporter.writers.base import Options, WriterError
from exporter.writers.pdf import layout as lay

#: Average advance of a character as a share of the font size, to size the running-head area.
_AVG_CHAR_EM = 0.6
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
    """The font files a render may read: the body face's folder, the code face's file and the
    face that draws the characters the body face lacks (Welsh ŵ and ŷ, Greek, Cyrillic ...)."""

    body: Path  #: folder with <Family>-Regular.ttf and -Bold.ttf
    code: Path  #: the code face (a variable font covers every weight)
    code_family: str
    fallback: Path  #: upright face used only for characters the body face has no glyph for
    fallback_family: str

    @property
    def folders(self) -> tuple[Path, ...]:
        return (self.body, self.code.parent, self.fallback.parent)

    def faces(self) -> lay.Faces:
        files = font_files(self.body)
        return lay.Faces(lay.load_face(files["normal"]), lay.load_face(files["bold"]),
                         lay.load_face(self.code))


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


def load_fonts(styles: Styles, settings: Mapping[str, Any]) -> Fonts:
    code_package = str(settings.get("code_font_package", DEFAULT_CODE_PACKAGE))
    fallback_package = str(settings.get("fallback_font_package", DEFAULT_FALLBACK_PACKAGE))
    return Fonts(font_folder(styles.font_package), upright_font_file(font_folder(code_package)),
                 str(settings.get("code_font_family", DEFAULT_CODE_FAMILY)),
                 upright_font_file(font_folder(fallback_package)),
                 str(settings.get("fallback_font_family", DEFAULT_FALLBACK_FAMILY)))


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


def font_files(folder: Path) -> dict[str, Path]:
    """Regular and bold faces only: no italic face is ever offered, so none can be used."""
    files: dict[str, Path] = {}
    for weight, suffix in (("normal", "Regular"), ("bold", "Bold")):
        found = sorted(folder.glob(f"*-{suffix}.ttf"))
        if not found:
            raise WriterError(f"no {suffix} TTF font in {folder}: reinstall the font package")
        files[weight] = found[0]
    return files


def upright_font_file(folder: Path) -> Path:
    """A package's upright face: its variable font (every weight) or else its Regular file."""
    upright = [f for f in sorted(folder.glob("*.ttf")) if "italic" not in f.name.lower()]
    variable = [f for f in upright if "[" in f.name]
    regular = [f for f in upright if f.name.endswith("-Regular.ttf")]
    found = variable or regular
    if not found:
        raise WriterError(f"no upright font in {folder}: reinstall the font package")
    return found[0]


def page_box(doc: Document, opts: Options, settings: Mapping[str, Any]) -> Box:
    """Margins that leave room for the running head (which may wrap) and the page number."""
    size = opts.size
    name = str(settings.get("page_size", "A4")).upper()
    if name not in PAGE_SIZES_MM:
        raise WriterError(f"page_size {name!r} in pdf.yaml is not one the PDF writer knows; use "
                          + ", ".join(PAGE_SIZES_MM))
    width_mm, height_mm = PAGE_SIZES_MM[name]
    side_mm = float(settings.get("margin_side_mm", 20))
    foot_mm = float(settings.get("margin_foot_mm", 15))
    width_pt = (width_mm - 2 * side_mm) * PT_PER_MM
    head_lines = max(1, math.ceil(len(doc.meta.title) * _AVG_CHAR_EM * size / width_pt))
    top = head_lines * size * 1.25 + 1.2 * size + 10 * PT_PER_MM
    bottom = size * 1.25 + 0.8 * size + foot_mm * PT_PER_MM
    return Box(width_mm * PT_PER_MM, height_mm * PT_PER_MM, top, bottom, side_mm * PT_PER_MM)


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
    """"– page {page}" after a contents entry: the dash never starts a line and the number
    stays with its word (no-break spaces), for any language's words."""
    before, _, after = template.partition("{page}")
    text = "\u00a0" + before.rstrip(" ") + ("\u00a0" if before.endswith(" ") else "")
    tail = css_string(after) if after else ""
    return " ".join(p for p in (css_string(text), "target-counter(attr(href url), page)", tail)
                    if p)


def page_css(styles: Styles, opts: Options, fonts: Fonts, box: Box, words: Messages, *,
             code: bool = True, fallback: bool = False) -> str:
    """The rules that depend on the options, the fonts and the language. The code face only
    when the page shows code, the fallback face only when the body face lacks one of its
    characters: loading a face costs time in every render, and a character no packaged face
    has would otherwise be drawn by whatever font the machine happens to have."""
    scheme: Scheme = styles.schemes[opts.scheme]
    size = opts.size
    family = css_string(styles.font_family)
    code_family = css_string(fonts.code_family)
    generic = str(styles.settings.get("print", {}).get("fallback_family", "sans-serif"))
    if fallback:
        generic = f"{css_string(fonts.fallback_family)}, {generic}"
    faces = "\n".join(
        f'@font-face {{ font-family: {family}; font-weight: {weight}; font-style: normal; '
        f'src: url("{file.as_uri()}"); }}'
        for weight, file in font_files(fonts.body).items()
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
        f"h{n} {{ font-size: {scale[min(n - 1, len(scale) - 1)]:g}em; }}" for n in range(1, 7)
    )
    margin_box = (f"font-family: {family}, {generic}; font-size: {size}pt; line-height: 1.25; "
                  f"color: {scheme.text}; font-weight: normal;")
    side_mm = box.side / PT_PER_MM
    page_of = counter_content(words("page_of"),
                              {"page": "counter(page)", "pages": "counter(pages)"})
    return f"""{faces}
@page {{
  size: {box.width / PT_PER_MM:.1f}mm {box.height / PT_PER_MM:.1f}mm;
  margin: {box.top:.1f}pt {side_mm:g}mm {box.bottom:.1f}pt {side_mm:g}mm;
  background: {scheme.background};
  @top-left {{ content: string(doctitle); {margin_box} width: 100%;
              vertical-align: top; padding-top: {10 * PT_PER_MM:.1f}pt; }}
  @bottom-left {{ content: {page_of}; {margin_box}
                 width: 100%; vertical-align: top; padding-top: {0.8 * size:.1f}pt; }}
}}
html {{ font-family: {family}, {generic}; font-size: {size}pt;
       line-height: {opts.line_spacing:g}; color: {scheme.text}; background: {scheme.background}; }}
{headings}
.callout-helpline {{ background: {scheme.text}; color: {scheme.background};
                    border-color: {scheme.text}; }}
code, pre {{ font-family: {code_family}, monospace; font-size: 1em; }}
:is(strong, b, em, th, caption, .term, h1, h2, h3, h4, h5, h6) code {{
  font-variation-settings: "wght" 700; }}
.contents a::after {{ content: {contents_page_content(words("contents_page"))}; }}
{geometry_css()}
"""


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
