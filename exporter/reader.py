"""Reads a source (YAML front matter + CommonMark) into a Document, or reports every problem."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from exporter.model import (
    CALLOUT_LABELS,
    Block,
    Callout,
    Code,
    Document,
    Emphasis,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Metadata,
    Paragraph,
    Strong,
    Text,
    plain_text,
)
from exporter.outline import build_outline

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

#: Larger sources are refused before parsing (markdown-it is slow on pathological input).
MAX_SOURCE_BYTES = 2 * 1024 * 1024

REQUIRED_FIELDS = ("title", "language", "publisher", "helpline", "summary")
OPTIONAL_FIELDS = ("updated", "subject", "keywords")
VAGUE_LINK_TEXT = {
    "click here", "here", "read more", "more", "link", "this link", "click", "this",
    "find out more", "learn more", "more info", "go",
}  # fmt: skip
LINK_SCHEMES = ("https://", "http://", "mailto:", "tel:")
_BARE_ADDRESS = re.compile(r"^\s*(https?://|www\.)\S*\s*$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_EXPLICIT_ID = re.compile(r"\s*\{#([^}]*)\}\s*$")
_VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_CALLOUT_MARK = re.compile(r"^\[!([A-Za-z]+)\]\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a source, where it is and how to fix it."""

    path: str
    line: int
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}. Fix: {self.fix}"


class SourceError(Exception):
    """The source has problems; all of them are listed, in line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def read(path: Path, *, max_bytes: int = MAX_SOURCE_BYTES) -> Document:
    """Read and check a source file; raises SourceError listing every problem found."""
    return parse(read_bytes(path, max_bytes=max_bytes), str(path), max_bytes=max_bytes)


def read_bytes(path: Path, *, max_bytes: int = MAX_SOURCE_BYTES) -> bytes:
    """A source file's bytes, refusing one over the size cap before reading it."""
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError([_too_big(shown, size, max_bytes)])
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(
            [Problem(shown, 0, f"cannot read the source: {exc.strerror or exc}",
                     "check the path and that the file is readable")]
        ) from exc


def parse(data: bytes, path: str = "<source>", *, max_bytes: int = MAX_SOURCE_BYTES) -> Document:
    """Parse source bytes; ``path`` is used only in messages."""
    if len(data) > max_bytes:
        raise SourceError([_too_big(path, len(data), max_bytes)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            [Problem(path, line, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} "
                     f"at offset {exc.start})", "save the file as UTF-8")]
        ) from exc
    return _Parser(path, text.replace("\r\n", "\n")).run(hashlib.sha256(data).hexdigest())


def _too_big(path: str, size: int, cap: int) -> Problem:
    return Problem(path, 1, f"the source is {size:,} bytes, over the {cap:,}-byte limit",
                   "split it into several documents")


class _Parser:
    """One parse of one source, collecting problems as it goes."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self.headings: list[Heading] = []
        self.links: list[tuple[str, int]] = []  # internal "#id" links, checked at the end
        self.rejected: list[int] = []  # lines of blocks already reported as unsupported

    def problem(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(self.path, line, message, fix))

    def run(self, sha256: str) -> Document:
        self.check_control_characters()
        meta, body, offset = self.front_matter()
        blocks = self.body(body, offset) if body is not None else ()
        if meta is None or self.problems:
            raise SourceError(self.problems)
        headings = tuple(self.headings)
        outline = build_outline(headings)
        ids = [e.id for e in outline]
        seen: dict[str, int] = {}
        for heading, hid in zip(headings, ids, strict=True):
            if hid in seen:
                self.problem(heading.line, f"duplicate heading id '{hid}' (also on line "
                             f"{seen[hid]})", "give each heading a different {#id}")
            seen[hid] = heading.line
        for href, line in self.links:
            if href[1:] not in seen:
                self.problem(line, f"link to '{href}', but no heading has that id",
                             f"link to one of: {', '.join('#' + i for i in ids)}")
        if self.problems:
            raise SourceError(self.problems)
        return Document(meta, blocks, self.path, sha256, headings, outline)

    # ------------------------------------------------------------ whole-file checks

    def check_control_characters(self) -> None:
        for number, line in enumerate(self.text.split("\n"), 1):
            for m in _CONTROL.finditer(line):
                self.problem(number, f"control character U+{ord(m.group()):04X} at column "
                             f"{m.start() + 1}", "delete it (it is invisible in most editors)")

    # ------------------------------------------------------------ front matter

    def front_matter(self) -> tuple[Metadata | None, str | None, int]:
        lines = self.text.split("\n")
        if not lines or lines[0].strip() != "---":
            self.problem(1, "missing YAML front matter",
                         "start the file with a '---' line, the fields (title, language, "
                         "publisher, helpline, summary), then a closing '---' line")
            return None, None, 0
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            self.problem(1, "the front matter is never closed",
                         "add a '---' line after the last field")
            return None, None, 0
        yaml_text = "\n".join(lines[1:end])
        body = "\n".join(lines[end + 1 :])
        try:
            node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(yaml_text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = 2 + (mark.line if mark is not None else 0)
            reason = getattr(exc, "problem", None) or str(exc)
            self.problem(line, f"malformed front matter: {reason}",
                         "correct the YAML (quote values that contain ': ' or start with "
                         "a special character)")
            return None, body, end + 1
        if not isinstance(data, dict) or node is None:
            self.problem(2, "the front matter is not a set of 'field: value' lines",
                         "write one 'field: value' per line")
            return None, body, end + 1
        key_lines = {
            str(k.value): 2 + k.start_mark.line for k, _ in getattr(node, "value", [])
        }
        return self.metadata(data, key_lines), body, end + 1

    def metadata(self, data: dict[Any, Any], key_lines: dict[str, int]) -> Metadata | None:
        ok = True
        known = REQUIRED_FIELDS + OPTIONAL_FIELDS
        for key in data:
            if key not in known:
                ok = False
                self.problem(key_lines.get(str(key), 1), f"unknown front-matter field '{key}'",
                             f"use only: {', '.join(known)}")
        strings: dict[str, str] = {}
        for key in REQUIRED_FIELDS:
            value = data.get(key)
            if key not in data:
                ok = False
                self.problem(1, f"the front matter has no '{key}' field",
                             f"add a line '{key}: ...' between the '---' lines")
            elif not isinstance(value, str) or not value.strip():
                ok = False
                self.problem(key_lines.get(key, 1), f"'{key}' must be non-empty text",
                             f"write it as text, in quotes if needed: {key}: \"...\"")
            else:
                strings[key] = value.strip()
        if "language" in strings and not _LANGUAGE.match(strings["language"]):
            ok = False
            self.problem(key_lines["language"], f"'language' is not a language tag: "
                         f"{strings['language']!r}", "use a BCP 47 tag such as en-GB")
        updated = data.get("updated")
        if updated is not None and (
            not isinstance(updated, dt.date) or isinstance(updated, dt.datetime)
        ):
            ok = False
            self.problem(key_lines.get("updated", 1), f"'updated' must be a date, got "
                         f"{updated!r}", "write YYYY-MM-DD, or null when the date is unknown")
            updated = None
        subject = data.get("subject")
        if subject is not None and not isinstance(subject, str):
            ok = False
            self.problem(key_lines.get("subject", 1), "'subject' must be text",
                         "write subject: \"...\"")
        keywords = data.get("keywords") or []
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            ok = False
            self.problem(key_lines.get("keywords", 1), "'keywords' must be a list of text",
                         "write keywords: [word, another word]")
            keywords = []
        if not ok:
            return None
        return Metadata(
            title=strings["title"],
            language=strings["language"],
            publisher=strings["publisher"],
            helpline=strings["helpline"],
            summary=" ".join(strings["summary"].split()),
            updated=updated,
            subject=subject.strip() if isinstance(subject, str) and subject.strip() else None,
            keywords=tuple(k.strip() for k in keywords if k.strip()),
        )

    # ------------------------------------------------------------ body

    def body(self, body: str, offset: int) -> tuple[Block, ...]:
        from markdown_it import MarkdownIt
        from markdown_it.tree import SyntaxTreeNode

        self.offset = offset
        # Built with raw HTML off, so nothing of it can reach a writer; a second pass with
        # HTML recognition exists only to find raw HTML and say where it is.
        if "<" in body:  # no '<', no HTML: skip the second parse
            self.find_raw_html(body)
        md = MarkdownIt("commonmark", {"html": False})
        # markdown-it silently leaves links with unsafe schemes (javascript:, file:) as plain
        # text; accept every address here so link() can name the problem instead.
        md.validateLink = lambda url: True  # type: ignore[method-assign]
        root = SyntaxTreeNode(md.parse(body))
        blocks = self.blocks(root.children, top=True)
        self.check_structure(blocks)
        return blocks

    def line_of(self, node: SyntaxTreeNode) -> int:
        while node.map is None and node.parent is not None:
            node = node.parent
        return self.offset + (node.map[0] if node.map else 0) + 1

    def find_raw_html(self, body: str) -> None:
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": True})
        for token in md.parse(body):
            line = self.offset + (token.map[0] if token.map else 0) + 1
            found = [token] if token.type == "html_block" else [
                t for t in token.children or [] if t.type == "html_inline"
            ]
            for t in found[:1]:  # one report per block is enough to find the rest
                snippet = t.content.strip().splitlines()[0][:40] if t.content.strip() else ""
                self.problem(line, f"raw HTML is not allowed: {snippet!r}",
                             "use Markdown instead (the writers make their own markup), or "
                             "escape a literal '<' as '\\<'")

    def blocks(self, nodes: Iterable[SyntaxTreeNode], *, top: bool = False) -> tuple[Block, ...]:
        out: list[Block] = []
        for node in nodes:
            block = self.block(node, top=top)
            if block is not None:
                out.append(block)
        return tuple(out)

    def block(self, node: SyntaxTreeNode, *, top: bool) -> Block | None:
        line = self.line_of(node)
        kind = node.type
        if kind == "heading":
            if not top:
                self.problem(line, "a heading inside a list or callout",
                             "move the heading out, to the start of a line of its own")
                return None
            return self.heading(node, line)
        if kind == "paragraph":
            return Paragraph(self.inlines(node), line)
        if kind in ("bullet_list", "ordered_list"):
            start = int(str(node.attrs.get("start", 1))) if kind == "ordered_list" else 1
            items = tuple(ListItem(self.blocks(item.children)) for item in node.children)
            if any(not item.blocks for item in items):
                self.problem(line, "an empty list item", "write the item's text or remove it")
            return ListBlock(kind == "ordered_list", items, line, start)
        if kind == "blockquote":
            return self.callout(node, line)
        self.rejected.append(line)
        names = {"code_block": "an indented code block", "fence": "a fenced code block",
                 "hr": "a horizontal rule", "html_block": "raw HTML", "table": "a table"}
        fixes = {"code_block": "remove the indentation (4 spaces start a code block)",
                 "hr": "remove it: headings divide the document"}
        self.problem(line, f"{names.get(kind, kind)} is not supported in accessible formats",
                     fixes.get(kind, "write it as paragraphs or a list"))
        return None

    def heading(self, node: SyntaxTreeNode, line: int) -> Heading:
        level = int(node.tag[1])
        children = list(self.inlines(node))
        explicit: str | None = None
        if children and isinstance(children[-1], Text):
            m = _EXPLICIT_ID.search(children[-1].text)
            if m:
                explicit = m.group(1)
                children[-1] = Text(children[-1].text[: m.start()])
                if not _VALID_ID.match(explicit):
                    self.problem(line, f"heading id '{explicit}' is not valid",
                                 "use letters, digits, '-' or '_', starting with a letter")
                    explicit = None
        heading = Heading(level, tuple(children), len(self.headings), line, explicit)
        self.headings.append(heading)
        return heading

    def callout(self, node: SyntaxTreeNode, line: int) -> Callout | None:
        first = node.children[0] if node.children else None
        inl = first.children[0] if first is not None and first.type == "paragraph" else None
        text = inl.children[0] if inl is not None and inl.children else None
        m = _CALLOUT_MARK.match(text.content) if text is not None and text.type == "text" else None
        kinds = ", ".join(f"[!{k.upper()}]" for k in CALLOUT_LABELS)
        if m is None:
            self.rejected.append(line)
            self.problem(line, "a quotation block without a callout kind",
                         f"start its first line with one of {kinds}")
            return None
        kind = m.group(1).lower()
        if kind not in CALLOUT_LABELS:
            self.rejected.append(line)
            self.problem(line, f"unknown callout kind [!{m.group(1)}]", f"use one of {kinds}")
            return None
        blocks = list(self.blocks(node.children))
        assert isinstance(blocks[0], Paragraph)  # the first child is that paragraph
        rest = _strip_marker(blocks[0].children, len(m.group(0)))
        if rest:
            blocks[0] = Paragraph(rest, blocks[0].line)
        else:
            blocks.pop(0)
        if not blocks:
            self.problem(line, f"the [!{m.group(1)}] callout is empty",
                         "write its text on the next line, starting with '> '")
        return Callout(kind, CALLOUT_LABELS[kind], tuple(blocks), line)

    # ------------------------------------------------------------ inlines

    def inlines(self, node: SyntaxTreeNode) -> tuple[Inline, ...]:
        inline = node.children[0] if node.children else None
        if inline is None:
            return ()
        return _merge_text(self.inline_nodes(inline.children, self.line_of(node)))

    def inline_nodes(self, nodes: Iterable[SyntaxTreeNode], line: int) -> list[Inline]:
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
                out.append(Emphasis(_merge_text(self.inline_nodes(n.children, line))))
            elif t == "strong":
                out.append(Strong(_merge_text(self.inline_nodes(n.children, line))))
            elif t == "link":
                out.append(self.link(n, line))
            elif t == "image":
                out.append(self.image(n, line))
            # html_inline cannot occur: the parser runs with HTML off.
        return out

    def link(self, node: SyntaxTreeNode, line: int) -> Link:
        href = str(node.attrs.get("href", ""))
        children = _merge_text(self.inline_nodes(node.children, line))
        text = plain_text(children).strip()
        if href.startswith("#"):
            self.links.append((href, line))
        elif not href.lower().startswith(LINK_SCHEMES):
            self.problem(line, f"link address '{href}' is not allowed",
                         "use a full https:// address, mailto:, tel: or #heading-id")
        if not text:
            self.problem(line, f"a link with no text (to {href})",
                         "write text that says where the link goes")
        elif text.lower().rstrip(".!") in VAGUE_LINK_TEXT:
            self.problem(line, f"link text '{text}' does not say where it goes",
                         "name the destination, e.g. 'Read about HSCT research studies'")
        elif _BARE_ADDRESS.match(text) or text == href:
            self.problem(line, f"link text is a bare address: '{text}'",
                         "write words that name the destination; the address stays in the link")
        return Link(href, children)

    def image(self, node: SyntaxTreeNode, line: int) -> Image:
        src = str(node.attrs.get("src", ""))
        alt = plain_text(_merge_text(self.inline_nodes(node.children, line))).strip()
        if not alt:
            self.problem(line, f"image '{src}' has no alt text",
                         "describe the image inside the brackets: ![what it shows](file)")
        return Image(src, alt)

    # ------------------------------------------------------------ structure

    def check_structure(self, blocks: tuple[Block, ...]) -> None:
        if blocks and not isinstance(blocks[0], Heading):
            self.problem(_line(blocks[0]), "content before the title heading",
                         "start the body with '# Title'")
        previous: Heading | None = None
        for i, block in enumerate(blocks):
            if not isinstance(block, Heading):
                continue
            title = plain_text(block.children).strip()
            if not title:
                self.problem(block.line, "an empty heading", "write the heading's text")
            if previous is None and block.level != 1:
                self.problem(block.line, f"the first heading is H{block.level}",
                             "start with the document title as '# Title'")
            elif previous is not None and block.level == 1:
                self.problem(block.line, "a second H1 heading",
                             "use '##' for sections: the document has one title")
            elif previous is not None and block.level > previous.level + 1:
                want = "#" * (previous.level + 1)
                self.problem(block.line, f"skipped heading level: H{previous.level} then "
                             f"H{block.level}", f"use '{want}' (H{previous.level + 1}) here, "
                             "or add the missing level above it")
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            end = _line(following) if following is not None else 1 << 30
            rejected_inside = any(block.line < r < end for r in self.rejected)
            if not rejected_inside and (following is None or (
                isinstance(following, Heading) and following.level <= block.level
            )):
                self.problem(block.line, f"the section '{title}' is empty",
                             "write its content under the heading, or remove the heading")
            previous = block


def _line(block: Block) -> int:
    if isinstance(block, Heading | Paragraph | ListBlock | Callout):
        return block.line
    return 0  # pragma: no cover


def _merge_text(nodes: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring Text nodes so writers see whole runs of text."""
    out: list[Inline] = []
    for n in nodes:
        if isinstance(n, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + n.text)
        else:
            out.append(n)
    return tuple(out)


def _strip_marker(inlines: tuple[Inline, ...], length: int) -> tuple[Inline, ...]:
    """Remove the leading ``[!KIND]`` marker (and the break after it) from a paragraph."""
    first = inlines[0]
    assert isinstance(first, Text)
    rest = first.text[length:].lstrip()
    out = ((Text(rest),) if rest else ()) + inlines[1:]
    return out
