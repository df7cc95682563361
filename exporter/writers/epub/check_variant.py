"""Is the EPUB the one asked for? The embedded face (read from the font files themselves), the
line spacing and the extra letter and word spacing, read back from the book's stylesheet."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from exporter.fonts import family_of
from exporter.options import recorded
from exporter.styles import Styles, load_styles
from exporter.writers.epub.book import Book

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
    found: list[tuple[str, dict[str, str]]] = []
    faces: list[str | tuple[str, str, int]] = []
    sheets = [p for p, media, _ in book.items.values() if media == "text/css"]
    for css_path in sheets:
        try:
            css = book.zip.read(css_path).decode("utf-8")
        except KeyError:
            continue  # listed but missing: EPUBCheck reports it
        sheet = rules(css)
        faces += _faces(book, css_path, sheet)
        found += sheet
    if not found:
        return ["no stylesheet in the package"]
    problems = _face_problems(faces, font.family, font.label)
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


def _faces(book: Book, css_path: str, found: list[tuple[str, dict[str, str]]]
           ) -> list[str | tuple[str, str, int]]:
    """What each @font-face rule's file is: (path, family, weight class) read from the file's
    own name table (what a reading system will show), or why it cannot be read."""
    out: list[str | tuple[str, str, int]] = []
    for selector, props in found:
        if selector != "@font-face":
            continue
        url = _URL.search(props.get("src", ""))
        if url is None:
            out.append("an @font-face rule with no font file")
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(css_path), url.group(1)))
        try:
            out.append((path, *family_of(book.zip.read(path))))
        except KeyError:
            out.append(f"{path}: named by the stylesheet, missing from the package")
    return out


def _face_problems(faces: list[str | tuple[str, str, int]], family: str, label: str
                   ) -> list[str]:
    """The embedded faces are the family asked for, regular (400) and bold (700)."""
    problems = [f for f in faces if isinstance(f, str)]
    weights = set()
    for face in faces:
        if isinstance(face, tuple):
            path, name, weight = face
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
