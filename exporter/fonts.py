"""The faces a reader may ask for: found by package (PyPI or Debian), never copied into the
project, and made into plain TrueType faces that every format can carry."""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: Where dpkg lists the files each installed Debian package put on the machine.
DPKG_INFO = Path("/var/lib/dpkg/info")
#: The weights the formats use: regular text, and bold for headings and emphasis.
WEIGHTS = {"regular": 400, "bold": 700}


class FontError(Exception):
    """A face is not installed or not usable; the message says what to install."""


@dataclass(frozen=True)
class Font:
    """One face a reader can choose (styles/settings.yaml ``fonts``)."""

    name: str  #: the option value, e.g. "opendyslexic"
    label: str  #: what people read, e.g. "OpenDyslexic"
    family: str  #: the family name the formats use, e.g. "OpenDyslexic"
    regular: str  #: file name of the regular face inside its package
    bold: str  #: file name of the bold face (the same file for a variable font)
    python_package: str = ""  #: an importable module with a files/ folder (fontpkg-*)
    debian_package: str = ""  #: or a Debian package that installs the files

    @property
    def install_hint(self) -> str:
        if self.python_package:
            return f"pip install {self.python_package.replace('_', '-')}"
        return f"apt-get install {self.debian_package}"

    def files(self) -> dict[str, Path]:
        """"regular" and "bold" -> the installed file; FontError when one is missing."""
        return dict(_files(self))  # a copy: callers may change theirs

    def _find(self, file_name: str) -> Path:
        for path in self._candidates():
            if path.name == file_name and path.is_file():
                return path
        raise FontError(f"font {self.label}: {file_name} is not installed; {self.install_hint}")

    def _candidates(self) -> list[Path]:
        if self.python_package:
            try:
                module = importlib.import_module(self.python_package)
            except ImportError:
                return []
            root = Path(module.__file__ or "").parent / "files"
            return sorted(root.iterdir()) if root.is_dir() else []
        listing = DPKG_INFO / f"{self.debian_package}.list"
        try:
            lines = listing.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return [Path(line) for line in lines if line.strip()]

    def text_width(self, text: str, weight: str = "regular") -> float:
        """How wide ``text`` prints, in ems of this face (advance widths, no kerning)."""
        advances, em = _metrics(str(self.files()[weight]), self.family, weight)
        return sum(advances.get(ord(c), em // 2) for c in text) / em

    def widest_word(self, texts: Iterable[str], weight: str = "bold") -> float:
        """The width of the widest word in ``texts``, in ems of this face: a heading whose
        widest word is wider than the line breaks inside it."""
        return max((self.text_width(word, weight) for text in texts for word in text.split()),
                   default=0.0)

    def truetype(self, weight: str) -> bytes:
        """The face for ``weight`` ("regular" or "bold") as a static TrueType font named
        after the family, which Word can embed and every reader draws: a variable font is
        instanced at the weight, PostScript outlines become TrueType ones; a face that is
        already static TrueType comes back unchanged."""
        return _truetype(str(self.files()[weight]), self.family, weight)


def fonts_from(settings: Mapping[str, Any]) -> dict[str, Font]:
    """The faces named in styles/settings.yaml ``fonts``; ValueError when one is malformed."""
    raw = settings.get("fonts")
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError("fonts: list the faces readers may choose (at least one)")
    fonts: dict[str, Font] = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping):
            raise ValueError(f"fonts: {name}: expected 'label', 'family', 'regular', 'bold'")
        font = Font(name=str(name), label=str(entry["label"]), family=str(entry["family"]),
                    regular=str(entry["regular"]), bold=str(entry.get("bold", entry["regular"])),
                    python_package=str(entry.get("python_package", "")),
                    debian_package=str(entry.get("debian_package", "")))
        if bool(font.python_package) == bool(font.debian_package):
            raise ValueError(f"fonts: {name}: give either python_package or debian_package")
        fonts[font.name] = font
    return fonts


@cache
def _files(font: Font) -> dict[str, Path]:
    # Looked up once per run: measuring a page's headings asks ~50 times (a folder listing each).
    return {"regular": font._find(font.regular), "bold": font._find(font.bold)}


@cache
def _metrics(path: str, family: str, weight: str) -> tuple[dict[int, int], int]:
    """(advance width by code point, units per em) of a face at ``weight``."""
    from exporter.fontmetrics import static_metrics

    # A static TrueType face at its own weight is used as it is (see _truetype): its tables
    # are read directly; anything else goes through fontTools.
    found = static_metrics(Path(path).read_bytes(), WEIGHTS[weight])
    if found is not None:
        return found
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(io.BytesIO(_truetype(path, family, weight)))
    hmtx = font["hmtx"]
    widths = {code: hmtx[name][0] for code, name in font.getBestCmap().items()}
    return widths, int(font["head"].unitsPerEm)


@cache
def _truetype(path: str, family: str, weight: str) -> bytes:
    from exporter.fontmetrics import is_static

    data = Path(path).read_bytes()
    if is_static(data, WEIGHTS[weight]):  # the common case, told without loading fontTools
        return data
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    if "fvar" not in font and "CFF " not in font and font["OS/2"].usWeightClass == \
            WEIGHTS[weight]:
        return data
    if "fvar" in font:
        from fontTools.varLib import instancer  # type: ignore[import-untyped]

        font = instancer.instantiateVariableFont(font, {"wght": WEIGHTS[weight]})
    if "CFF " in font:
        _to_quadratic(font)
    _rename(font, family, weight)
    out = io.BytesIO()
    # recalcTimestamp off: the same input gives the same bytes (reproducible builds).
    font.recalcTimestamp = False
    font.save(out)
    return out.getvalue()


def _rename(font: Any, family: str, weight: str) -> None:
    """Name the face as the family's regular or bold, so readers pair the two."""
    style = "Bold" if weight == "bold" else "Regular"
    postscript = f"{family.replace(' ', '')}-{style}"
    name = font["name"]
    for record_id in (16, 17, 21, 22, 25):  # typographic and variation names: not needed
        name.removeNames(nameID=record_id)
    for record_id, value in ((1, family), (2, style), (3, f"{postscript};static"),
                             (4, f"{family} {style}" if style == "Bold" else family),
                             (6, postscript)):
        name.setName(value, record_id, 3, 1, 0x409)
        name.setName(value, record_id, 1, 0, 0)
    os2, head = font["OS/2"], font["head"]
    os2.usWeightClass = WEIGHTS[weight]
    bold = weight == "bold"
    # fsSelection: bit 5 bold, bit 6 regular; macStyle bit 0 bold.
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (0b100000 if bold else 0b1000000)
    head.macStyle = (head.macStyle & ~1) | (1 if bold else 0)


def _to_quadratic(font: Any) -> None:
    """PostScript (CFF) outlines to TrueType ones (fontTools' otf2ttf recipe): Word embeds
    only TrueType outlines."""
    from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for glyph_name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[glyph_name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[glyph_name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for glyph_name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[glyph_name] = (hmtx[glyph_name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    maxp.maxComponentElements = max(
        (len(getattr(g, "components", [])) for g in glyphs.values()), default=0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def family_of(data: bytes) -> tuple[str, int]:
    """(family name, weight class) a font file declares: what a reader would show."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), lazy=True)
    return str(font["name"].getDebugName(1)), int(font["OS/2"].usWeightClass)
