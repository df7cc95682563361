"""Loads styles (sizes, fonts, colours, voices, CSS): package defaults, a project's own on top."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exporter.contrast import parse_hex, ratio
from exporter.fonts import Font, fonts_from
from exporter.outline import numbering

#: WCAG 1.4.3 minimum for body text.
MIN_CONTRAST = 4.5
#: The styles that ship inside the package (the project's styles/ folder, built into the wheel).
DEFAULT_STYLES_DIR = Path(__file__).resolve().parent / "default_styles"
#: A folder of this name in the working directory overrides the defaults, file by file.
PROJECT_STYLES = Path("styles")


class StylesError(Exception):
    """styles/ is missing a file or holds a value the writers cannot use."""


@dataclass(frozen=True)
class Scheme:
    """A colour scheme a reader can ask for."""

    name: str  #: e.g. "yellow-on-black"
    label: str  #: e.g. "Yellow on black"
    text: str  #: "#RRGGBB"
    background: str  #: "#RRGGBB"


@dataclass(frozen=True)
class Styles:
    """Everything in styles/, checked once at load."""

    roots: tuple[Path, ...]  #: where files are looked for, the overriding folder first
    default_size: int
    min_size: int
    max_size: int
    export_sizes: tuple[int, ...]
    line_spacing: float
    schemes: Mapping[str, Scheme]
    default_scheme: str
    settings: Mapping[str, Any]  #: the whole settings file, for writer-specific sections
    fonts: Mapping[str, Font]  #: faces a reader may choose, by option value
    default_font: str  #: the face used when nobody chose
    #: section numbers are part of every heading as shown and spoken (``numbering``); the
    #: reader builds the outline with it, so writers read it as ``Entry.label``
    numbering: bool = True

    @property
    def font_family(self) -> str:
        """The default face's family name (what the formats use when nobody chose)."""
        return self.fonts[self.default_font].family

    @property
    def font_package(self) -> str:
        """The Python package holding the default face's files ("" for a Debian one)."""
        return self.fonts[self.default_font].python_package

    def font(self, name: str) -> Font:
        """A face by its option value; StylesError for one styles/settings.yaml does not name."""
        try:
            return self.fonts[name]
        except KeyError:
            raise StylesError(f"styles/settings.yaml names no font {name!r}; fonts: "
                              f"{', '.join(self.fonts)}") from None

    def spacing(self, kind: str) -> tuple[float, tuple[float, ...]]:
        """(largest extra spacing, choices offered) for "letter" or "word" spacing, in ems."""
        entry = self.settings.get("spacing", {}).get(kind, {})
        high = float(entry.get("max", 0.0))
        return high, tuple(float(v) for v in entry.get("presets", (0.0, high)))

    @property
    def root(self) -> Path:
        """The first folder looked in (the project's own styles, or the defaults)."""
        return self.roots[0]

    def section(self, name: str) -> Mapping[str, Any]:
        """A writer's own settings, <name>.yaml (e.g. "word", "audio"), overrides merged in."""
        return _merged(self.roots, f"{name}.yaml")

    def path(self, name: str) -> Path:
        """A styles file from the first folder that has it; never anything outside them."""
        for root in self.roots:
            p = (root / name).resolve()
            if p.is_relative_to(root.resolve()) and p.is_file():
                return p
        raise StylesError(f"styles file not found in {' or '.join(map(str, self.roots))}: "
                          f"{name}")

    def text(self, name: str) -> str:
        """The text of a file inside styles/ (a stylesheet, a lexicon)."""
        return self.path(name).read_text(encoding="utf-8")


def style_roots(root: Path | None = None) -> tuple[Path, ...]:
    """Where styles come from: ``root`` (``--styles``) or ./styles if present, then defaults."""
    chosen = root if root is not None else (PROJECT_STYLES if PROJECT_STYLES.is_dir() else None)
    if chosen is None or chosen.resolve() == DEFAULT_STYLES_DIR.resolve():
        return (DEFAULT_STYLES_DIR,)
    if not chosen.is_dir():
        raise StylesError(f"{chosen}: no such styles folder")
    return (chosen, DEFAULT_STYLES_DIR)


def _merged(roots: tuple[Path, ...], name: str) -> dict[str, Any]:
    """A YAML file's settings: the defaults', with each overriding folder's merged on top."""
    merged: dict[str, Any] = {}
    for root in reversed(roots):
        file = root / name
        if not file.is_file():
            continue
        try:
            value = _load_yaml(file)
        except (OSError, yaml.YAMLError) as exc:
            raise StylesError(f"{file}: cannot read: {exc}") from exc
        if not isinstance(value, Mapping):
            raise StylesError(f"{file}: expected 'setting: value' lines")
        merged = _deep_merge(merged, value)
    return merged


#: Parsed YAML files by (path, modification time, size): a collection's hundreds of pages
#: each ask for their writer's settings (word.yaml took ~40 ms to parse each time).
_parsed: dict[tuple[str, int, int], Any] = {}


def _load_yaml(file: Path) -> Any:
    """A YAML file's value (a fresh copy: callers may change it), parsed once per version."""
    import copy

    st = file.stat()
    key = (str(file.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _parsed:
        if len(_parsed) > 64:
            _parsed.clear()
        _parsed[key] = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    return copy.deepcopy(_parsed[key])


def _deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_styles(root: Path | None = None) -> Styles:
    """Read and check the styles: ``root`` (or ./styles) over the package's defaults."""
    roots = style_roots(root)
    settings_file = roots[0] / "settings.yaml"
    data = _merged(roots, "settings.yaml")
    if not data:
        raise StylesError(f"{settings_file}: cannot read any settings")
    try:
        pr = data["print"]
        schemes = {
            name: Scheme(name, str(s["label"]), str(s["text"]), str(s["background"]))
            for name, s in data["schemes"].items()
        }
        styles = Styles(
            roots=roots,
            default_size=int(pr["default_size"]),
            min_size=int(pr["min_size"]),
            max_size=int(pr["max_size"]),
            export_sizes=tuple(int(s) for s in pr["export_sizes"]),
            line_spacing=float(pr["line_spacing"]),
            schemes=schemes,
            default_scheme=str(data["default_scheme"]),
            settings=data,
            fonts=fonts_from(data),
            default_font=str(data["default_font"]),
            numbering=numbering(data),
        )
        for kind in ("letter", "word"):
            high, presets = styles.spacing(kind)
            if not 0 <= high <= 0.5 or any(not 0 <= p <= high for p in presets):
                raise ValueError(f"spacing: {kind}: max must be 0 to 0.5 em and every "
                                 "preset between 0 and max")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StylesError(f"{settings_file}: missing or malformed setting: {exc}") from exc
    for scheme in schemes.values():
        try:
            r = ratio(parse_hex(scheme.text), parse_hex(scheme.background))
        except ValueError as exc:
            raise StylesError(f"{settings_file}: scheme {scheme.name}: {exc}") from exc
        if r < MIN_CONTRAST:
            raise StylesError(
                f"{settings_file}: scheme {scheme.name} has contrast {r:.2f}:1, "
                f"below {MIN_CONTRAST}:1"
            )
    if styles.default_font not in styles.fonts:
        raise StylesError(f"{settings_file}: default_font {styles.default_font!r} is not one "
                          f"of fonts: {', '.join(styles.fonts)}")
    if styles.default_scheme not in schemes:
        raise StylesError(
            f"{settings_file}: default_scheme {styles.default_scheme!r} is not a scheme"
        )
    if not styles.min_size <= styles.default_size <= styles.max_size:
        raise StylesError(f"{settings_file}: default_size is outside min_size..max_size")
    return styles
