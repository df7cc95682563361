"""Section numbers as the styles ask: every heading label with its number, or none anywhere.

The outline comparisons (compare_flat, compare_tree) accept a label with or without its
number; this check says which of the two a format must show, so a format that numbers its
headings while the contents does not (or the other way round) fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from exporter.checks.common import clean
from exporter.outline import Entry, Outline, TreeNode

_LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$")


def flatten(nodes: Sequence[TreeNode]) -> list[str]:
    """The labels of a navigation tree in reading order (parents before their children)."""
    out: list[str] = []
    for label, kids in nodes:
        out.append(label)
        out += flatten(kids)
    return out


def numbering(found: Iterable[str], outline: Outline, what: str = "heading") -> list[str]:
    """Problems with the numbers shown in ``found`` (labels in reading order: headings, contents
    entries, bookmarks), compared with the outline's own labels.

    Each label is matched to the next outline entry whose title it shows, so a list that
    leaves out the title or the deeper levels is fine; a label matching no title is left to
    the outline comparison, which names it.
    """
    entries = list(outline)
    problems: list[str] = []
    at = 0
    for label in found:
        text = clean(label)
        match = _match(text, entries, at)
        if match is None:
            continue
        at, entry, shown = match
        want = clean(entry.label)
        if text == want:
            continue
        if entry.shown_number and shown is None:
            problems.append(f"{what} '{text}' has no section number: numbering is on "
                            f"(styles/settings.yaml), so it reads '{want}'")
        elif not entry.shown_number and shown is not None:
            problems.append(f"{what} '{text}' shows the number {shown}: numbering is off "
                            f"(styles/settings.yaml), so it reads '{want}'")
        else:
            problems.append(f"{what} '{text}' is numbered {shown}; the outline numbers it "
                            f"{entry.number}: '{want}'")
    return problems


def _match(text: str, entries: Sequence[Entry], start: int
           ) -> tuple[int, Entry, str | None] | None:
    """(next position, entry, number shown or None) for the first entry from ``start`` whose
    title the label shows, with or without a leading number."""
    m = _LEADING_NUMBER.match(text)
    for i in range(start, len(entries)):
        title = clean(entries[i].title)
        if text in (title, clean(entries[i].label)):
            number = entries[i].number if text != title else None
            return i + 1, entries[i], number if number else None
        if m and m.group(2) == title:
            return i + 1, entries[i], m.group(1)
    return None
