"""Loads styles/ (sizes, fonts, colours, voices, CSS) into one frozen, checked Styles value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from exporter.contrast import parse_hex, ratio

#: WCAG 1.4.3 minimum for body text.
MIN_CONTRAST = 4.5
DEFAULT_STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"


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

    root: Path  #: the styles folder; writers read CSS and lexicons only from here
    default_size: int
    min_size: int
    max_size: int
    export_sizes: tuple[int, ...]
    line_spacing: float
    font_family: str
    font_package: str
    schemes: Mapping[str, Scheme]
    default_scheme: str
    settings: Mapping[str, Any]  #: the whole settings file, for writer-specific sections

    def section(self, name: str) -> Mapping[str, Any]:
        """A writer's own settings file, styles/<name>.yaml (e.g. "word", "audio"); {} if absent."""
        file = self.root / f"{name}.yaml"
        if not file.is_file():
            return {}
        try:
            value = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise StylesError(f"{file}: malformed YAML: {exc}") from exc
        if not isinstance(value, Mapping):
            raise StylesError(f"{file}: expected 'setting: value' lines")
        return value

    def path(self, name: str) -> Path:
        """A file inside styles/; refuses anything that resolves outside it."""
        p = (self.root / name).resolve()
        if not p.is_relative_to(self.root.resolve()) or not p.is_file():
            raise StylesError(f"styles file not found inside {self.root}: {name}")
        return p

    def text(self, name: str) -> str:
        """The text of a file inside styles/ (a stylesheet, a lexicon)."""
        return self.path(name).read_text(encoding="utf-8")


def load_styles(root: Path = DEFAULT_STYLES_DIR) -> Styles:
    """Read and check styles/settings.yaml."""
    settings_file = root / "settings.yaml"
    try:
        data = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise StylesError(f"{settings_file}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise StylesError(f"{settings_file}: expected a mapping at the top")
    try:
        pr = data["print"]
        schemes = {
            name: Scheme(name, str(s["label"]), str(s["text"]), str(s["background"]))
            for name, s in data["schemes"].items()
        }
        styles = Styles(
            root=root,
            default_size=int(pr["default_size"]),
            min_size=int(pr["min_size"]),
            max_size=int(pr["max_size"]),
            export_sizes=tuple(int(s) for s in pr["export_sizes"]),
            line_spacing=float(pr["line_spacing"]),
            font_family=str(pr["font_family"]),
            font_package=str(pr["font_package"]),
            schemes=schemes,
            default_scheme=str(data["default_scheme"]),
            settings=data,
        )
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
    if styles.default_scheme not in schemes:
        raise StylesError(
            f"{settings_file}: default_scheme {styles.default_scheme!r} is not a scheme"
        )
    if not styles.min_size <= styles.default_size <= styles.max_size:
        raise StylesError(f"{settings_file}: default_size is outside min_size..max_size")
    return styles
