"""Inline Markdown -> model inlines: text, emphasis, links (checked and resolved), notes, images."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from exporter.model import (
    Code,
    Emphasis,
    Image,
    Inline,
    LineBreak,
    Link,
    NoteRef,
    PageTarget,
    Strong,
    Text,
    plain_text,
)
from exporter.reader.images import check_image
from exporter.reader.problems import Problems, shown

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

VAGUE_LINK_TEXT = {
    "click here", "here", "read more", "more", "link", "this link", "click", "this",
    "find out more", "learn more", "more info", "go",
}  # fmt: skip
LINK_SCHEMES = ("https://", "http://", "mailto:", "tel:")
_BARE_ADDRESS = re.compile(r"^\s*(https?://|www\.)\S*\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_COMMENT = re.compile(r"^\s*<!--.*?-->\s*$", re.DOTALL)


def is_comment(html: str) -> bool:
    """True for an HTML comment (not content: dropped), False for any other raw HTML."""
    return bool(_COMMENT.match(html))


@dataclass
class InlineReader:
    """Converts one source's inline nodes, collecting problems and what is checked at the end."""

    problems: Problems
    folder: Path  #: the source's folder: images must be inside it
    base_url: str  #: relative links resolve against this ("" when unknown)
    anchors: list[tuple[str, int]] = field(default_factory=list)  #: "#id" links and lines
    notes_used: dict[str, int] = field(default_factory=dict)  #: label -> number

    def inlines(self, node: SyntaxTreeNode, line: int) -> tuple[Inline, ...]:
        """The inline content of a block node (its single ``inline`` child)."""
        inline = node.children[0] if node.children else None
        if inline is None:
            return ()
        return merge_text(self.nodes(inline.children, line))

    def nodes(self, nodes: Iterable[SyntaxTreeNode], line: int) -> list[Inline]:
        out: list[Inline] = []
        for n in nodes:
            t = n.type
            if t == "text":
                out.append(Text(n.content))
            elif t == "softbreak":
                out.append(Text(" "))
            elif t == "hardbreak":
                out.append(LineBreak())
            elif t == "code_inline":
                out.append(Code(n.content))
            elif t == "em":
                out.append(Emphasis(merge_text(self.nodes(n.children, line))))
            elif t == "strong":
                out.append(Strong(merge_text(self.nodes(n.children, line))))
            elif t == "link":
                out += self.link(n, line)
            elif t == "image":
                out.append(self.image(n, line))
            elif t == "footnote_ref":
                out.append(self.note_ref(n))
            elif t == "html_inline":
                if not is_comment(n.content):
                    self.problems.error(line, f"raw HTML is not allowed: {shown(n.content)}",
                                        "use Markdown instead (the writers make their own "
                                        "markup), or escape a literal '<' as '\\<'")
            else:
                # Anything else markdown-it may add keeps its words rather than losing them.
                out += self.nodes(n.children, line) if n.children else [Text(n.content)]
        return out

    def note_ref(self, node: SyntaxTreeNode) -> NoteRef:
        meta = node.meta or {}
        label = str(meta.get("label", meta.get("id", "")))
        number = self.notes_used.setdefault(label, int(meta.get("id", len(self.notes_used))) + 1)
        return NoteRef(label, number)

    # ------------------------------------------------------------ links

    def link(self, node: SyntaxTreeNode, line: int) -> list[Inline]:
        href = str(node.attrs.get("href", "")).strip()
        children = merge_text(self.nodes(node.children, line))
        text = plain_text(children).strip()
        automatic = node.markup in ("linkify", "autolink")
        if not text:
            self.problems.error(line, f"a link with no text (to {shown(href)})",
                                "write text that says where the link goes")
        elif not automatic and text.lower().rstrip(".!") in VAGUE_LINK_TEXT:
            self.problems.warning(line, f"link text '{text}' does not say where it goes",
                                  "name the destination, e.g. 'Read about HSCT research'")
        elif not automatic and (_BARE_ADDRESS.match(text) or text == href):
            self.problems.warning(line, f"link text is a bare address: {shown(text)}",
                                  "write words that name the destination; the address stays "
                                  "in the link")
        if node.markup == "linkify" and text.lower().startswith("www.") and \
                href.lower().startswith("http://"):
            href = "https://" + href[len("http://"):]  # what the page wrote had no scheme
        href = _one_fragment(href)
        if href.startswith("#"):
            self.anchors.append((href, line))
            return [Link(href, children)]
        if href.lower().startswith(LINK_SCHEMES):
            return [Link(href, children)]
        if _SCHEME.match(href) or href.startswith("//"):
            self.problems.error(line, f"link address {shown(href, 60)} is not allowed",
                                "use a full https:// address, mailto:, tel:, #heading-id or a "
                                "relative address with base_url set")
            return list(children)
        target = page_target(href, line)
        if target is not None:
            if target.path.startswith("/"):
                self.problems.error(line, f"link to the page {shown(href, 60)}: write its file "
                                    "name relative to this page", "e.g. other-page.md or "
                                    "../topic/other-page.md#section")
                return list(children)
            return [Link(href, children, target)]
        if self.base_url:
            return [Link(urljoin(self.base_url, href), children)]
        self.problems.warning(line, f"relative link {shown(href, 60)} has no base address; "
                              "its text stays as plain text",
                              "set base_url in the front matter or styles/settings.yaml")
        return list(children)

    # ------------------------------------------------------------ images

    def image(self, node: SyntaxTreeNode, line: int) -> Image:
        src = str(node.attrs.get("src", "")).strip()
        alt = " ".join(plain_text(merge_text(self.nodes(node.children, line))).split())
        if not alt:
            self.problems.error(line, f"image {shown(src)} has no alt text",
                                "describe the image inside the brackets: ![what it shows](file)")
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            self.problems.error(line, f"image {shown(src, 60)} is not a file beside the source",
                                "save the picture in the source's folder and give its file name; "
                                "nothing is fetched from the network")
            return Image(src, alt)
        found = check_image(self.folder, unquote(parts.path), line, self.problems)
        if found is None:
            return Image(src, alt)
        return Image(src, alt, str(found.path), found.media_type, found.width, found.height)


def page_target(href: str, line: int) -> PageTarget | None:
    """The other page a relative link names by its source file (``other-page.md#section``),
    or None for any other address. The path is kept relative and normalised, with '/'."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or parts.query or not path.lower().endswith(".md"):
        return None
    normal = path if path.startswith("/") else posixpath.normpath(path)
    return PageTarget(normal, unquote(parts.fragment), line)


def _one_fragment(href: str) -> str:
    """An address with a single '#': later ones are escaped, as a valid URL needs.

    Browsers accept "https://matrix.to/#/#room"; EPUB validators and some readers do not.
    """
    head, hash_, fragment = href.partition("#")
    return head + hash_ + fragment.replace("#", "%23") if hash_ else href


def merge_text(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring Text nodes so writers see whole runs of text."""
    out: list[Inline] = []
    for n in nodes:
        if isinstance(n, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + n.text)
        else:
            out.append(n)
    return tuple(out)
