"""The words the recording says that the page does not print, shown so they can be highlighted.

The opening (publisher, what the recording holds, how to move around, how long it lasts),
the spoken contents and the closing are part of the recording, and so part of the talking
book's timeline: each is shown as a line of its own in a box marked as the recording's
(never as a heading: the headings stay the outline). The opening's first sentence, the title,
is the title heading itself when they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from exporter.html import attr
from exporter.model import Document, Outline
from exporter.segments import Segment
from exporter.sentences import normalise

#: The segments' own target kinds for these announcements (see speech.Target).
KINDS = ("opening", "contents", "closing")


@dataclass(frozen=True)
class Shown:
    """Markup for announcements and where each one is: (kind, n) -> element id."""

    html: str
    ids: dict[tuple[str, int], str]


def opening(segments: Sequence[Segment], doc: Document, outline: Outline, prefix: str,
            href: Callable[[str], str], label: str) -> Shown:
    """The opening and the spoken contents, as the box that follows the title heading.

    ``href(heading id)`` links a contents line to its section; ``label`` names the box.
    """
    ids: dict[tuple[str, int], str] = {}
    lines: list[str] = []
    items: list[str] = []
    title = outline.entries[0] if len(outline) else None
    for segment in segments:
        target = segment.target
        if not _ours(target):
            continue
        kind, n = target  # type: ignore[misc]
        text = escape(segment.text, quote=False)
        if kind == "opening" and n == 0 and title is not None and \
                normalise(segment.text).rstrip(".") == normalise(title.title).rstrip("."):
            ids[(kind, n)] = title.id
        elif kind == "opening":
            ids[(kind, n)] = eid = f"{prefix}opening-{n}"
            lines.append(f'<p id="{eid}">{text}</p>')
        elif kind == "contents" and n == 0:
            ids[(kind, n)] = eid = f"{prefix}contents"
            lines.append(f'<p id="{eid}">{text}</p>')
        elif kind == "contents":
            entry = outline.entries[n - 1]
            ids[(kind, n)] = eid = f"{prefix}contents-{n}"
            items.append(f'<li id="{eid}"><a href="{attr(href(entry.id))}">{text}</a></li>')
    if items:
        lines.append("<ol>\n" + "\n".join(items) + "\n</ol>")
    if not lines:
        return Shown("", ids)
    body = "\n".join(lines)
    return Shown(f'<div class="recording" role="note" aria-label="{attr(label)}">\n{body}\n'
                 "</div>", ids)


def closing(segments: Sequence[Segment], prefix: str) -> Shown:
    """The closing announcement, after the text."""
    ids: dict[tuple[str, int], str] = {}
    lines = []
    for segment in segments:
        target = segment.target
        if _ours(target) and target is not None and target[0] == "closing":
            ids[("closing", int(target[1]))] = eid = f"{prefix}closing-{target[1]}"
            lines.append(f'<p id="{eid}">{escape(segment.text, quote=False)}</p>')
    html = ('<div class="recording">\n' + "\n".join(lines) + "\n</div>") if lines else ""
    return Shown(html, ids)


def _ours(target: object) -> bool:
    return isinstance(target, tuple) and len(target) == 2 and target[0] in KINDS
