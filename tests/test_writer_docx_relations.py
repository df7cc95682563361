"""Relationship ids for links and pictures: python-docx's own ids, found without scanning."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from PIL import Image

from exporter.writers.docx.relations import Relations


def _picture(path: Path, colour: tuple[int, int, int]) -> str:
    Image.new("RGB", (40, 30), colour).save(path, "PNG")
    return str(path)


def _rels(part: object) -> list[tuple[str, str, str, bool]]:
    rels = part.rels  # type: ignore[attr-defined]
    return [(r.rId, r.reltype, r.target_ref, r.is_external) for r in rels.values()]


def test_the_same_ids_as_python_docx_for_links_and_pictures_in_any_order(
        tmp_path: Path) -> None:
    """Repeated links and pictures reuse their relationship; a gap in the template's ids is
    filled first; a relationship python-docx adds meanwhile is seen, not duplicated."""
    blue = _picture(tmp_path / "blue.png", (0, 60, 140))
    red = _picture(tmp_path / "red.png", (200, 0, 0))
    steps = [("link", "https://example.org/1"), ("link", "https://example.org/2"),
             ("image", blue), ("link", "https://example.org/1"), ("outside", "mailto:a@b.org"),
             ("link", "mailto:a@b.org"), ("image", red), ("image", blue),
             ("link", "https://example.org/3"), ("link", "https://example.org/2")]

    def build(ours: bool) -> list[tuple[str, str, str, bool]]:
        document = docx.Document()
        part = document.part
        del part.rels["rId1"]  # a gap: both must fill it first
        relations = Relations()
        got = []
        for kind, target in steps:
            if kind == "outside" or (kind == "link" and not ours):
                got.append(part.relate_to(target, RT.HYPERLINK, is_external=True))
            elif kind == "link":
                got.append(relations.link(part, target))
            elif ours:
                got.append(relations.image(part, target)[0])
            else:
                got.append(part.get_or_add_image(target)[0])
        return [("ids", " ".join(got), "", False), *_rels(part)]

    theirs, ours = build(ours=False), build(ours=True)
    assert ours == theirs
    assert theirs[0][1].split()[:3] == ["rId1", "rId9", "rId10"]
