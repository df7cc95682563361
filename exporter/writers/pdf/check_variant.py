"""Is the PDF the one asked for? The face (read from the embedded font files themselves), the
body size, the colours of the scheme, and the line, letter and word spacing measured from
where each glyph is drawn."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from exporter.contrast import parse_hex
from exporter.fonts import Font, family_of
from exporter.options import Options, recorded
from exporter.styles import Styles, load_styles
from exporter.writers.pdf.check_print import Char, Page, _rgb, mcid
from exporter.writers.pdf.check_structure import Block, blocks_of

T = TypeVar("T")

#: Leeway for a spacing measured from glyph positions, in ems of the body size: positions are
#: rounded to hundredths of a point, and kerning moves a few pairs.
SPACING_TOLERANCE = 0.02
#: Leeway for a colour read back (0-255 per channel): PDF colours are stored to 6 digits.
COLOUR_TOLERANCE = 2.0
#: Leeway for the body size and the line pitch, in points.
SIZE_TOLERANCE = 0.1


def variant(pdf: Any, pages: Sequence[Page], entry: Mapping[str, Any],
            styles: Styles | None = None) -> list[str]:
    """Differences between what the reader asked for and what the file shows."""
    styles = styles or load_styles()
    want = recorded(entry.get("options"), styles)
    body = [c for p in pages for c in p.body]
    if not body:
        return ["no body text found"]
    size = _mode(round(float(c["size"]), 1) for c in body)
    problems = []
    if abs(size - want.size) > SIZE_TOLERANCE:
        problems.append(f"body text is {size:g}pt, asked for {want.size}pt")
    at_size = [c for c in body if abs(float(c["size"]) - size) <= SIZE_TOLERANCE]
    problems += _face(pdf, at_size, want, styles)
    problems += _colours(pages, body, want, styles)
    # The face the text is set in (asked for or not): its lines are the ones measured.
    families = embedded_families(pdf)
    family_of_char = {str(c.get("fontname", "")): families.get(
        _base(str(c.get("fontname", ""))), ("?", 0))[0] for c in body}
    used = _mode(family_of_char[str(c.get("fontname", ""))] for c in at_size)
    own = {name for name, family in family_of_char.items() if family == used}
    problems += _spacing(pages, size, want, blocks_of(pdf), own)
    return problems


def _face(pdf: Any, body: Sequence[Char], want: Options, styles: Styles) -> list[str]:
    """The body text is set in the family asked for, and only packaged faces are used."""
    font = styles.fonts.get(want.font)
    if font is None:
        return [f"asked for font '{want.font}', which styles/settings.yaml does not offer"]
    families = embedded_families(pdf)
    counts = Counter(families.get(_base(str(c.get("fontname", ""))), ("?", 0))[0] for c in body)
    used, _ = counts.most_common(1)[0]
    problems = []
    if used != font.family:
        problems.append(f"the text is set in '{used}', asked for {font.label}")
    weights = {w for fam, w in families.values() if fam == font.family}
    missing = [w for w in (400, 700) if w not in weights]
    if missing and used == font.family:
        problems.append(f"{font.label}: no embedded face of weight "
                        f"{', '.join(map(str, missing))} (text needs 400, headings 700)")
    settings = styles.section("pdf")
    allowed = (font.family, str(settings.get("code_font_family", "Source Code Pro")),
               str(settings.get("fallback_font_family", "Noto Sans")))
    # A variable face names its default instance: "Source Code Pro ExtraLight".
    others = sorted(fam for fam in {fam for fam, _ in families.values()}
                    if not any(fam == a or fam.startswith(f"{a} ") for a in allowed))
    if others:
        # The system's faces may show only what no packaged face has (Hebrew, Arabic ...).
        covered = _packaged_characters(font, settings)
        shown = {str(c.get("text", "")) for c in body
                 if families.get(_base(str(c.get("fontname", ""))), ("?", 0))[0] in others}
        if covered is not None and all(ch and not any(ord(x) in covered for x in ch)
                                       for ch in shown):
            others = []
    if others:
        problems.append(f"faces other than {font.label} and the code and fallback faces: "
                        + ", ".join(others))
    return problems


def embedded_families(pdf: Any) -> dict[str, tuple[str, int]]:
    """BaseFont name (without the subset tag) -> (family, weight class) that its embedded
    font file declares (what a reader's viewer shows)."""
    out: dict[str, tuple[str, int]] = {}
    for font in _fonts(pdf):
        base = _base(str(font.get("/BaseFont", "")).lstrip("/"))
        if base in out:
            continue
        descendant = font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font
        descriptor = descendant.get("/FontDescriptor")
        stream = None
        if descriptor is not None:
            stream = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile")
                           if k in descriptor), None)
        try:
            out[base] = family_of(stream.read_bytes()) if stream is not None else ("?", 0)
        except Exception:  # a font fontTools cannot read is reported as '?'
            out[base] = ("?", 0)
    return out


def _fonts(pdf: Any) -> Iterator[Any]:
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if resources is not None else None
        yield from (fonts or {}).values()


def _base(name: str) -> str:
    """"ABCDEF+Lexend-Bold" -> "Lexend-Bold" (the subset tag is six capitals and a plus)."""
    tag, plus, rest = name.partition("+")
    return rest if plus and len(tag) == 6 and tag.isupper() else name


def _colours(pages: Sequence[Page], body: Sequence[Char], want: Options,
             styles: Styles) -> list[str]:
    """The page is the scheme's background and the text is in its text colour."""
    scheme = styles.schemes.get(want.scheme)
    if scheme is None:
        return [f"asked for colours '{want.scheme}', which styles/settings.yaml does not offer"]
    problems = []
    paper = [_page_colour(p) for p in pages]
    wrong = [n for n, c in enumerate(paper, 1) if c is None or not _near(c, scheme.background)]
    if wrong:
        problems.append(f"page {wrong[0]} is not {scheme.label.lower()}'s background "
                        f"{scheme.background}")
    colours = Counter(_key(_rgb(c.get("non_stroking_color"))) for c in body)
    text, _ = colours.most_common(1)[0]
    if text is None or not _near(text, scheme.text):
        problems.append(f"the text is {_hex(text)}, {scheme.label.lower()} asks for {scheme.text}")
    return problems


def _page_colour(page: Page) -> tuple[float, ...] | None:
    """The colour of the shape that covers the whole page, drawn first."""
    for rect in page.rects:
        if float(rect["width"]) >= page.width - 1 and float(rect["height"]) >= page.height - 1:
            return _key(_rgb(rect.get("non_stroking_color")))
    return (255.0, 255.0, 255.0)  # nothing drawn: the paper itself


def _spacing(pages: Sequence[Page], size: float, want: Options,
             blocks: Mapping[tuple[int, int], Block], own: set[str]) -> list[str]:
    """Line pitch, letter and word spacing at the body size, measured where glyphs are drawn.

    Letter spacing: the gap between neighbouring letters of a word (advance widths are the
    font's, so the gap is what was added). Word spacing: between the last letter of a word and
    the first of the next, less the space's own advance and the letter spacing added after
    the letter and after the space. Only lines wholly in the face asked for (``own``: its
    font names) are measured: a line holding code is set taller by the code face.
    """
    letters: list[float] = []
    words: list[float] = []
    pitches: list[float] = []
    for page in pages:
        lines = [ln for ln in page.lines(body=True)
                 if all(abs(float(c["size"]) - size) <= SIZE_TOLERANCE
                        and str(c.get("fontname", "")) in own for c in ln.ink)]
        for line in lines:
            chars = [c for c in line.chars if abs(float(c["size"]) - size) <= SIZE_TOLERANCE]
            for a, b in itertools.pairwise(chars):
                if str(a["text"]).strip() and str(b["text"]).strip() and \
                        _same_face(a, b):
                    letters.append(float(b["x0"]) - float(a["x1"]))
            for a, space, b in zip(chars, chars[1:], chars[2:], strict=False):
                if str(space["text"]) == " " and str(a["text"]).strip() and \
                        str(b["text"]).strip():
                    words.append(float(b["x0"]) - float(a["x1"])
                                 - (float(space["x1"]) - float(space["x0"])))
        for upper, lower in itertools.pairwise(lines):
            # Two lines of one paragraph (one block in the tags): nothing between them but
            # the line spacing.
            first, second = (blocks.get((page.number, mcid(ln))) for ln in (upper, lower))
            if first is not None and second is not None and first.ref == second.ref:
                pitches.append(round(_baseline(lower) - _baseline(upper), 1))
    problems = []
    if letters:
        letter = statistics.median(letters) / size
        if abs(letter - want.letter_spacing) > SPACING_TOLERANCE:
            problems.append(f"letters are {letter:.3f}em apart, asked for "
                            f"{want.letter_spacing:g}em")
        if words:
            word = statistics.median(words) / size - 2 * letter
            if abs(word - want.word_spacing) > SPACING_TOLERANCE:
                problems.append(f"words have {word:.3f}em added, asked for "
                                f"{want.word_spacing:g}em")
    if pitches:
        # The smallest: a line holding a taller face (code, a bold run) is pushed further down,
        # never nearer.
        pitch = min(pitches) / size
        if abs(pitch - want.line_spacing) * size > 2 * SIZE_TOLERANCE + 0.1:
            problems.append(f"lines are {pitch:.2f} times the text size apart, asked for "
                            f"{want.line_spacing:g}")
    return problems


def _same_face(a: Char, b: Char) -> bool:
    return a.get("fontname") == b.get("fontname")


def _baseline(line: Any) -> float:
    """Where a line's glyphs sit, down from the top of the page: the text matrix's origin
    (a glyph box's bottom would move with each face's descent)."""
    return -max(float(c["matrix"][5]) for c in line.ink)


def _mode(values: Iterator[T] | Sequence[T]) -> T:
    return Counter(values).most_common(1)[0][0]


def _key(rgb: tuple[float, float, float] | None) -> tuple[float, ...] | None:
    return tuple(round(v) for v in rgb) if rgb is not None else None


def _near(rgb: tuple[float, ...], hex_colour: str) -> bool:
    want = parse_hex(hex_colour)
    return all(abs(a - b) <= COLOUR_TOLERANCE for a, b in zip(rgb, want, strict=True))


def _hex(rgb: tuple[float, ...] | None) -> str:
    return "#" + "".join(f"{round(v):02X}" for v in rgb) if rgb else "an unknown colour"


def _packaged_characters(font: Font, settings: Mapping[str, Any]) -> set[int] | None:
    """Code points the chosen face, the code face or the fallback face can show; None when
    one of them cannot be read (then every other face stays a finding)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    from exporter.writers.pdf.css import (
        DEFAULT_CODE_PACKAGE,
        DEFAULT_FALLBACK_PACKAGE,
        font_folder,
        upright_font_file,
    )

    try:
        files = [font.files()["regular"]] + [
            upright_font_file(font_folder(str(settings.get(key, default))))
            for key, default in (("code_font_package", DEFAULT_CODE_PACKAGE),
                                 ("fallback_font_package", DEFAULT_FALLBACK_PACKAGE))]
        covered: set[int] = set()
        for path in files:
            covered |= set(TTFont(str(path), lazy=True).getBestCmap())
        return covered
    except Exception:  # an unreadable face: report the other faces as before
        return None
