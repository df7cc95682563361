"""The outline: heading levels, stable unique ids, section numbers and titles, computed once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from exporter.model import Chunk, Entry, Heading, Outline, TreeNode, plain_text

__all__ = ["Chunk", "Entry", "Outline", "TreeNode", "build_outline", "numbering", "slugify"]

#: What a project gets when styles/settings.yaml does not say (see the comment there).
NUMBERING_DEFAULT = True


def numbering(settings: Mapping[str, Any]) -> bool:
    """styles/settings.yaml ``numbering``: are section numbers part of every heading?

    The one reading of the setting (the reader, the styles loader and every writer go
    through it); ValueError for anything but true or false.
    """
    value = settings.get("numbering", NUMBERING_DEFAULT)
    if not isinstance(value, bool):
        raise ValueError(f"numbering must be true or false, not {value!r}")
    return value


#: Letters that have no decomposition into a base letter and a mark (so NFKD keeps them whole).
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th",
                          "ð": "d", "Ð": "D", "ı": "i", "ħ": "h", "Ħ": "H"})


def slugify(title: str) -> str:
    """A lower-case ASCII id from a title: "Who can HSCT work for?" -> "who-can-hsct-work-for"."""
    ascii_title = unicodedata.normalize("NFKD", title.translate(_LETTERS)).encode(
        "ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug or "section"


def build_outline(headings: tuple[Heading, ...], *, numbered: bool = True) -> Outline:
    """Number the headings and give each a unique id; levels are already checked by the reader.

    ``numbered`` (styles/settings.yaml ``numbering``) says whether the numbers are part of the
    headings as shown: every format takes the heading's text from ``Entry.label``.
    """
    used: set[str] = {h.explicit_id for h in headings if h.explicit_id}
    ids: list[str] = []
    for h in headings:
        if h.explicit_id:
            ids.append(h.explicit_id)
            continue
        base = slugify(plain_text(h.children))
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        ids.append(candidate)

    counters: list[int] = []
    stack: list[Heading] = []
    numbers: list[str] = []
    parents: list[int | None] = []
    for h in headings:
        while stack and stack[-1].level >= h.level:
            stack.pop()
        parents.append(stack[-1].index if stack else None)
        stack.append(h)
        depth = h.level - 2  # the title (level 1) is not numbered
        if depth < 0:
            numbers.append("")
            counters = []
            continue
        del counters[depth + 1 :]
        while len(counters) <= depth:
            counters.append(0)
        counters[depth] += 1
        numbers.append(".".join(str(c) for c in counters))

    children: dict[int, list[int]] = {h.index: [] for h in headings}
    for h, parent in zip(headings, parents, strict=True):
        if parent is not None:
            children[parent].append(h.index)
    return Outline(
        tuple(
            Entry(
                index=h.index,
                level=h.level,
                id=ids[i],
                number=numbers[i],
                title=plain_text(h.children).strip(),
                line=h.line,
                parent=parents[i],
                children=tuple(children[h.index]),
                numbered=numbered,
            )
            for i, h in enumerate(headings)
        )
    )
