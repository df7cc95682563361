"""styles/: loaded once, checked for contrast and for paths that escape the folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exporter.contrast import parse_hex, ratio
from exporter.styles import DEFAULT_STYLES_DIR, Styles, StylesError, load_styles


def test_shipped_styles_load(styles: Styles) -> None:
    assert styles.default_size == 18
    assert styles.export_sizes == (16, 18, 24)
    assert set(styles.schemes) == {"black-on-white", "black-on-cream", "black-on-yellow",
                                   "yellow-on-black"}
    for s in styles.schemes.values():
        assert ratio(parse_hex(s.text), parse_hex(s.background)) >= 4.5


def test_contrast_ratio_matches_wcag() -> None:
    assert round(ratio((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(ratio((119, 119, 119), (255, 255, 255)), 2) == 4.48


def test_low_contrast_scheme_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES_DIR, root)
    settings = root / "settings.yaml"
    settings.write_text(settings.read_text().replace('text: "#FFFF00"', 'text: "#333300"'))
    with pytest.raises(StylesError, match="yellow-on-black has contrast"):
        load_styles(root)


def test_paths_cannot_leave_the_styles_folder(styles: Styles) -> None:
    with pytest.raises(StylesError):
        styles.path("../pyproject.toml")
    assert styles.text("html.css").startswith("/*")


def test_writer_sections_come_from_their_own_files(styles: Styles) -> None:
    assert styles.section("word")["font"] == "Arial"
    assert styles.section("no-such-writer") == {}
