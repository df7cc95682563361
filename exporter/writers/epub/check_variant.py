"""Is the EPUB the one asked for? The embedded face (read from the font files themselves), the
line spacing and the extra letter and word spacing, read back from the book's stylesheet."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from exporter.fonts import family_of
from exporter.options import recorded
from exporter.styles import Styles, load_styles

if TYPE_CHECKING:
    from exporter.writers.epub.check import Book

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
#: Leeway for spacing values read back from CSS (ems).
TOLERANCE = 0.001


def rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, {property: value}) of each rule, @font-face included, in order."""
    out = []
    for selector, body in _RULE.findall(_COMMENT.sub("", css)):
        props = {}
        for decl in body.split(";"):
            name, sep, value = decl.partition(":")
            if sep:
                props[name.strip().lower()] = value.strip()
        out.append((" ".join(selector.split()), props))
    return out


def variant(book: Book, entry: Mapping[str, Any], styles: Styles | None = None) -> list[str]:
    """Differences between what the reader asked for and what the book sets."""
    styles = styles or load_styles()
    want = recorded(entry.get("options"), styles)
    font = styles.fonts.get(want.font)
    if font is None:
        return [f"asked for font '{want.font}', which styles/settings.yaml does not offer"]
    css_path = next((p for p, media, _ in book.items.values() if media == "text/css"), None)
    if css_path is None:
        return ["no stylesheet in the package"]
    found = rules(book.zip.read(css_path).decode("utf-8"))
    problems = _faces(book, css_path, found, font.family, font.label)
    body = _merged(found, "body")
    first = body.get("font-family", "").split(",")[0].strip().strip("'\"")
    if first != font.family:
        problems.append(f"the text is set in '{first or 'no face'}', asked for {font.label}")
    height = _number(body.get("line-height", ""))
    if height is None or abs(height - want.line_spacing) > TOLERANCE:
        problems.append(f"line spacing {body.get('line-height', 'not set')}, asked for "
                        f"{want.line_spacing:g}")
    every = _merged(found, "body, body *")
    for prop, value in (("letter-spacing", want.letter_spacing),
                        ("word-spacing", want.word_spacing)):
        got = _em(every.get(prop, "0em"))
        if got is None or abs(got - value) > TOLERANCE:
            problems.append(f"{prop} {every.get(prop, 'not set')} on every element, asked "
                            f"for {value:g}em")
    return problems


def _faces(book: Book, css_path: str, found: list[tuple[str, dict[str, str]]], family: str,
           label: str) -> list[str]:
    """The @font-face rules name the family, and their files are that family, regular and
    bold (read from the files' own name tables: what a reading system will show)."""
    weights: set[int] = set()
    problems: list[str] = []
    for selector, props in found:
        if selector != "@font-face":
            continue
        url = _URL.search(props.get("src", ""))
        if url is None:
            problems.append("an @font-face rule with no font file")
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(css_path), url.group(1)))
        try:
            data = book.zip.read(path)
        except KeyError:
            problems.append(f"{path}: named by the stylesheet, missing from the package")
            continue
        name, weight = family_of(data)
        if name != family:
            problems.append(f"{path} is the face '{name}', asked for {label}")
        weights.add(weight)
    missing = [w for w in (400, 700) if w not in weights]
    if missing:
        problems.append(f"{label}: no embedded face of weight {', '.join(map(str, missing))} "
                        "(regular text needs 400, headings and emphasis 700)")
    return problems


def _merged(found: list[tuple[str, dict[str, str]]], selector: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for sel, props in found:
        if sel == selector:
            out.update(props)
    return out


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _em(text: str) -> float | None:
    m = re.fullmatch(r"(-?[0-9.]+)(em)?", text.strip())
    if m is None or (m.group(2) is None and float(m.group(1)) != 0):
        return None
    return float(m.group(1))
