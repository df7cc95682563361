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
                                   "black-on-blue", "yellow-on-black"}
    for s in styles.schemes.values():
        assert ratio(parse_hex(s.text), parse_hex(s.background)) >= 4.5


def test_every_font_offered_is_installed_from_its_package(styles: Styles) -> None:
    from exporter.fonts import family_of

    assert set(styles.fonts) == {"atkinson-hyperlegible", "lexend", "opendyslexic"}
    assert styles.default_font == "atkinson-hyperlegible"
    assert styles.font_family == "Atkinson Hyperlegible"
    for font in styles.fonts.values():
        files = font.files()
        # Found in the installed package (site-packages or Debian's), not in this project.
        for path in files.values():
            assert "site-packages" in path.parts or path.is_relative_to("/usr/share/fonts"), path
        for weight, expected in (("regular", 400), ("bold", 700)):
            assert family_of(font.truetype(weight)) == (font.family, expected)
            assert font.truetype(weight)[:4] == b"\x00\x01\x00\x00"  # TrueType outlines


def test_a_font_that_is_not_installed_says_what_to_install(tmp_path: Path) -> None:
    from exporter.fonts import Font, FontError

    missing = Font("x", "X", "X", "X-Regular.otf", "X-Bold.otf", debian_package="fonts-x-none")
    with pytest.raises(FontError, match="apt-get install fonts-x-none"):
        missing.files()


@pytest.mark.parametrize("change, message", [
    ("default_font: atkinson-hyperlegible", "default_font: comic-sans"),
    ("letter: {max: 0.12", "letter: {max: 2"),
])
def test_unknown_default_font_and_huge_spacing_are_refused(tmp_path: Path, change: str,
                                                           message: str) -> None:
    root = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES_DIR, root)
    settings = root / "settings.yaml"
    text = settings.read_text()
    assert change in text
    settings.write_text(text.replace(change, message))
    with pytest.raises(StylesError):
        load_styles(root)


def test_pale_blue_paper_is_checked_like_every_scheme(tmp_path: Path) -> None:
    root = tmp_path / "styles"
    shutil.copytree(DEFAULT_STYLES_DIR, root)
    settings = root / "settings.yaml"
    settings.write_text(settings.read_text().replace('background: "#D6E9F8"',
                                                     'background: "#3060A0"'))
    with pytest.raises(StylesError, match="black-on-blue has contrast"):
        load_styles(root)


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
    assert styles.section("word")["fallback_font"] == "Arial"
    assert styles.section("no-such-writer") == {}
