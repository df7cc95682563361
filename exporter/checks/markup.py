"""Reads the shared (X)HTML markup back: headings, the contents nav, text, language and title."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from exporter.outline import TreeNode

_SKIP = frozenset({"style", "script", "template"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


@dataclass
class _Item:
    label: list[str] = field(default_factory=list)
    kids: list[_Item] = field(default_factory=list)

    def node(self) -> TreeNode:
        return ("".join(self.label), [k.node() for k in self.kids])


class PageReader(HTMLParser):
    """Collects what a reader meets: headings, the contents nav's tree, text, lang and title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self.nav: list[_Item] = []  #: top items of the first <nav> holding a list
        self._skip = 0
        self._in_title = False
        self._heading: tuple[int, list[str]] | None = None
        self._nav_depth = 0  # > 0 inside the first nav
        self._nav_done = False
        self._stack: list[_Item] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag in _SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _HEADINGS and not self._nav_depth:
            self._heading = (_HEADINGS[tag], [])
        elif tag == "nav" and not self._nav_done:
            self._nav_depth += 1
        elif tag == "li" and self._nav_depth:
            item = _Item()
            (self._stack[-1].kids if self._stack else self.nav).append(item)
            self._stack.append(item)
        if tag in ("p", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "div", "aside"):
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in _HEADINGS and self._heading is not None:
            self.headings.append((self._heading[0], "".join(self._heading[1])))
            self._heading = None
        elif tag == "nav" and self._nav_depth:
            self._nav_depth -= 1
            self._nav_done = bool(self.nav)
        elif tag == "li" and self._nav_depth and self._stack:
            self._stack.pop()
        if tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "aside"):
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading[1].append(data)
        if self._stack and not self._stack[-1].kids:
            self._stack[-1].label.append(data)

    def contents(self) -> list[TreeNode]:
        return [item.node() for item in self.nav]


def read_page(text: str) -> PageReader:
    """Parse a page (HTML or XHTML) into what the checks compare."""
    reader = PageReader()
    reader.feed(text)
    reader.close()
    return reader
