"""exporter/fontmetrics.py: widths read from a face's own tables equal fontTools' reading."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from exporter.fontmetrics import is_static, static_metrics
from exporter.fonts import WEIGHTS
from exporter.styles import Styles

#: Static TrueType faces from Debian packages the tests install, with other cmap layouts.
SYSTEM_FACES = sorted(Path("/usr/share/fonts/truetype").rglob("*.ttf"))[:40]


def _reference(data: bytes) -> tuple[dict[int, int], int]:
    font = TTFont(io.BytesIO(data))
    hmtx = font["hmtx"]
    return ({code: hmtx[name][0] for code, name in font.getBestCmap().items()},
            int(font["head"].unitsPerEm))


def _faces(styles: Styles) -> list[tuple[Path, str]]:
    return [(path, weight) for font in styles.fonts.values()
            for weight, path in font.files().items()]


def test_offered_static_faces_measure_as_fonttools_reads_them(styles: Styles) -> None:
    read = 0
    for path, weight in _faces(styles):
        data = path.read_bytes()
        found = static_metrics(data, WEIGHTS[weight])
        if found is None:  # variable or PostScript faces: fontTools' job
            font = TTFont(io.BytesIO(data))
            assert "fvar" in font or "CFF " in font or font["OS/2"].usWeightClass != \
                WEIGHTS[weight], path
            continue
        assert found == _reference(data), path
        read += 1
    assert read >= 2  # the house face, regular and bold


@pytest.mark.parametrize("path", SYSTEM_FACES, ids=lambda p: p.name)
def test_system_faces_measure_as_fonttools_reads_them(path: Path) -> None:
    data = path.read_bytes()
    font = TTFont(io.BytesIO(data))
    found = static_metrics(data, int(font["OS/2"].usWeightClass))
    if found is not None:
        assert found == _reference(data)


def test_damaged_or_other_faces_are_left_to_fonttools() -> None:
    assert static_metrics(b"OTTO" + bytes(100), 400) is None
    assert static_metrics(b"\x00\x01\x00\x00" + bytes(8), 400) is None
    assert static_metrics(b"", 400) is None


def test_a_face_is_static_exactly_when_fonttools_would_carry_it_unchanged(
        styles: Styles) -> None:
    for path, weight in _faces(styles):
        data = path.read_bytes()
        font = TTFont(io.BytesIO(data))
        unchanged = ("fvar" not in font and "CFF " not in font
                     and font["OS/2"].usWeightClass == WEIGHTS[weight])
        assert is_static(data, WEIGHTS[weight]) == unchanged, path
