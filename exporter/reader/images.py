"""Images a page may use: PNG or JPEG files inside the source's folder, within size limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exporter.reader.problems import Problems, shown

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 20_000
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class FoundImage:
    """An image file checked for use: where it is, its type and size in pixels."""

    path: Path
    media_type: str
    width: int
    height: int


def check_image(folder: Path, name: str, line: int, problems: Problems) -> FoundImage | None:
    """The image ``name`` relative to ``folder``, or None after reporting why it cannot be used."""
    base = folder.resolve()
    try:
        path = (base / name).resolve()
    except (OSError, RuntimeError):
        path = base / name
    if not name or not path.is_relative_to(base):
        problems.error(line, f"image {shown(name, 60)} is outside the source's folder",
                       f"put the picture in {base} or a folder inside it")
        return None
    if not path.is_file():
        problems.error(line, f"image file {shown(name, 60)} is not there",
                       f"check the file name; it is looked for in {base}")
        return None
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        problems.error(line, f"image {shown(name, 60)} cannot be read: {exc.strerror}",
                       "check the file's permissions")
        return None
    media_type = next((t for sig, t in _SIGNATURES.items() if head.startswith(sig)), None)
    if media_type is None:
        problems.error(line, f"image {shown(name, 60)} is not a PNG or JPEG file",
                       "save the picture as PNG (diagrams) or JPEG (photographs)")
        return None
    if size > MAX_IMAGE_BYTES:
        problems.error(line, f"image {shown(name, 60)} is {size:,} bytes, over the "
                       f"{MAX_IMAGE_BYTES:,}-byte limit", "save it smaller (a page needs at "
                       "most about 2,000 pixels across)")
        return None
    dims = _dimensions(path)
    if dims is None:
        problems.error(line, f"image {shown(name, 60)} is damaged: its size cannot be read",
                       "save the picture again as PNG or JPEG")
        return None
    width, height = dims
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        problems.error(line, f"image {shown(name, 60)} is {width} x {height} pixels, over the "
                       f"limit of {MAX_IMAGE_PIXELS:,} pixels", "save it smaller")
        return None
    return FoundImage(path, media_type, width, height)


def _dimensions(path: Path) -> tuple[int, int] | None:
    """Width and height from the file's header, without decoding the picture."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            if img.format not in ("PNG", "JPEG"):
                return None
            return int(img.width), int(img.height)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
