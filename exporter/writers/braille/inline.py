"""Inline content as the text a braille line carries: link addresses shown, hard breaks kept."""

from __future__ import annotations

import re

from exporter.links import link_target, page_reference
from exporter.locale import Messages
from exporter.model import (
    Code,
    Emphasis,
    Image,
    Inline,
    LineBreak,
    Link,
    NoteRef,
    Strong,
    Text,
    plain_text,
)

#: A web or mail address the braille shows after its link's text, "(https://...)": like print,
#: a reader of paper braille cannot follow a link, so it needs the address itself.
SHOWN_ADDRESS = re.compile(r"\s*\(https?[^\s)]*\)")
#: A footnote's marker, "[1]", where print has a superscript number: not part of the sentence.
NOTE_MARK = re.compile(r"\[\d+\]")


def segments(children: tuple[Inline, ...], words: Messages | None = None) -> list[str]:
    """The text of some inlines, split where the source has a hard line break.

    Emphasis and strong text are print enhancements in these pages (large print shows both as
    bold): braille omits typeform indicators for them, as UEB §9.1 allows, so their words are
    set like the words around them.
    """
    out: list[str] = [""]
    for node in children:
        if isinstance(node, LineBreak):
            out.append("")
        elif isinstance(node, Text | Code):
            out[-1] += node.text
        elif isinstance(node, Image):
            out[-1] += node.alt
        elif isinstance(node, NoteRef):
            out[-1] += f"[{node.number}]"
        elif isinstance(node, Link):
            inner = segments(node.children, words)
            out[-1] += inner[0]
            out += inner[1:]
            reference = page_reference(node, words) if words is not None else ""
            out[-1] += f" ({reference})" if reference else \
                _address(link_target(node, "print"), plain_text(node.children))
        elif isinstance(node, Emphasis | Strong):
            inner = segments(node.children, words)
            out[-1] += inner[0]
            out += inner[1:]
    return [s for s in (" ".join(seg.split()) for seg in out) if s]


def _address(href: str, text: str) -> str:
    """" (address)" after a web link's text, as print shows it, unless the text is the address.

    A mail address or phone number is the link's text in these pages; a #id is a place here.
    """
    if href.startswith(("http://", "https://")) and href not in text:
        return f" ({href})"
    return ""
