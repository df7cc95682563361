"""Read-back checks of the HTML page: headings and contents equal the outline, every sentence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from exporter.checks.common import (
    Context,
    Finding,
    compare_flat,
    compare_tree,
    finding,
    missing_sentences,
)
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


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Headings, contents, sentences, language and title of each HTML file."""
    found: list[Finding] = []
    for entry in entries:
        name = str(entry["file"])
        page = read_page(ctx.path(entry).read_text(encoding="utf-8"))
        found.append(finding("navigation", "html.headings", name,
                             compare_flat(page.headings, ctx.outline),
                             f"{len(page.headings)} headings equal the outline"))
        found.append(finding("navigation", "html.contents", name,
                             compare_tree(page.contents(), ctx.outline),
                             "contents list equals the outline"))
        found.append(finding("content", "html.sentences", name,
                             missing_sentences(ctx, "".join(page.text)),
                             f"all {len(ctx.sentences)} sentences, in order"))
        found.append(finding("validity", "html.language", name,
                             _head(ctx, page), "lang and title set"))
    return found


def _head(ctx: Context, page: PageReader) -> list[str]:
    problems = []
    if page.lang.lower() != ctx.doc.meta.language.lower():
        problems.append(f"<html lang> is '{page.lang}', the source says '{ctx.doc.meta.language}'")
    if page.title.strip() != ctx.doc.meta.title:
        problems.append(f"<title> is '{page.title.strip()}', the source says "
                        f"'{ctx.doc.meta.title}'")
    return problems
