"""Relationship ids for links and pictures, found or made in constant time per reference.

python-docx's ``Part.relate_to`` looks for an existing relationship by scanning every one the
part holds, then picks the next id by trying rId1, rId2, ... in turn: a page with 10,000
links took half a minute. These give exactly the ids python-docx would (the same target
reuses its relationship; a new one gets the lowest free "rIdN"), from an index kept per part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Index:
    """What one part relates to: (reltype, external target or id(part)) -> rId."""

    part: Any  # kept so id(part) stays this part's while the index lives
    ids: dict[tuple[str, str | int], str] = field(default_factory=dict)
    size: int = -1  #: len(part.rels) when last indexed; -1: never
    lowest_free: int = 1  #: no id below rId<lowest_free> is free


class Relations:
    """Every part's relationships, indexed on first use, for the writer's whole run.

    Relationships that python-docx adds by itself (the footnotes part, fonts) change the
    count, which makes the next lookup re-read that part's relationships once; nothing in the
    writer removes one while the body is written.
    """

    def __init__(self) -> None:
        self._parts: dict[int, _Index] = {}

    def link(self, part: Any, href: str) -> str:
        """The rId of an external hyperlink from ``part`` to ``href``."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        return self._relate(part, RT.HYPERLINK, href, href)

    def image(self, part: Any, path: str) -> tuple[str, Any]:
        """(rId, python-docx Image) of the picture at ``path`` in ``part``'s package; the same
        picture is stored once however often it is shown."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        image_part = part.package.get_or_add_image_part(path)
        return self._relate(part, RT.IMAGE, image_part, id(image_part)), image_part.image

    def _relate(self, part: Any, reltype: str, target: Any, key: str | int) -> str:
        index = self._index(part)
        rid = index.ids.get((reltype, key))
        if rid is not None:
            return rid
        rels = part.rels
        n = index.lowest_free
        while f"rId{n}" in rels:
            n += 1
        rid = f"rId{n}"
        rels.add_relationship(reltype, target, rid, is_external=isinstance(target, str))
        index.ids[(reltype, key)] = rid
        index.lowest_free = n + 1
        index.size = len(rels)
        return rid

    def _index(self, part: Any) -> _Index:
        index = self._parts.get(id(part))
        if index is None:
            index = self._parts[id(part)] = _Index(part)
        if index.size != len(part.rels):
            # New to us, or python-docx related something meanwhile: read them all again. The
            # first relationship of a kind to a target wins, as in python-docx's own search.
            index.ids.clear()
            for rel in part.rels.values():
                key = rel.target_ref if rel.is_external else id(rel.target_part)
                index.ids.setdefault((rel.reltype, key), rel.rId)
            index.size = len(part.rels)
            index.lowest_free = 1
        return index
