"""Block Markdown -> model blocks: paragraphs, lists, callouts, quotes, tables, figures, notes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exporter.locale import Messages
from exporter.model import (
    CALLOUT_LABELS,
    Block,
    Break,
    Callout,
    Cell,
    CodeBlock,
    DefinitionItem,
    DefinitionList,
    Figure,
    Heading,
    Image,
    Inline,
    ListBlock,
    ListItem,
    Note,
    Paragraph,
    Quote,
    Table,
    Text,
    plain_text,
)
from exporter.reader.inlines import InlineReader, is_comment, merge_text
from exporter.reader.problems import Problems, shown

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

#: Lists and quotations nested deeper than this are refused (and markdown-it is told to parse
#: deeper than this, so that nothing is silently cut off).
MAX_DEPTH = 8
_EXPLICIT_ID = re.compile(r"\s*\{#([^}]*)\}\s*$")
_VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_CALLOUT_MARK = re.compile(r"^\[!([A-Za-z]+)\]\s*")
_CAPTION = re.compile(r"^\s*(?:Table)?:\s+")
_ATTRIBUTION = re.compile(r"^\s*(?:—|–|--|―)\s*")
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")


@dataclass
class BlockReader:
    """Converts one source's block nodes, in reading order."""

    problems: Problems
    inline: InlineReader
    offset: int  #: lines before the body
    words: Messages  #: interface words of the page's language (callout labels)
    headings: list[Heading] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)  #: lines of blocks reported as errors

    def line_of(self, node: SyntaxTreeNode) -> int:
        while node.parent is not None and node.map is None:
            node = node.parent
        where = node.map if node.parent is not None else None  # the root has no map
        return self.offset + (where[0] if where else 0) + 1

    def blocks(self, nodes: Iterable[SyntaxTreeNode], *, top: bool = False,
               depth: int = 0) -> tuple[Block, ...]:
        out: list[Block] = []
        for node in nodes:
            block = self.block(node, top=top, depth=depth)
            if block is not None:
                out.append(block)
        return attach_captions(out)

    def block(self, node: SyntaxTreeNode, *, top: bool, depth: int) -> Block | None:
        line = self.line_of(node)
        kind = node.type
        if depth > MAX_DEPTH and kind in ("bullet_list", "ordered_list", "blockquote"):
            self.rejected.append(line)
            self.problems.error(line, f"lists or quotations nested more than {MAX_DEPTH} levels "
                                "deep", "flatten the list: readers lose their place in deep "
                                "nesting")
            return None
        if kind == "heading":
            if not top:
                self.problems.error(line, "a heading inside a list, quotation or callout",
                                    "move the heading out, to the start of a line of its own")
                return None
            return self.heading(node, line)
        if kind == "paragraph":
            return self.paragraph(node, line)
        if kind in ("bullet_list", "ordered_list"):
            return self.list_block(node, line, depth)
        if kind == "blockquote":
            return self.quote(node, line, depth)
        if kind == "table":
            return self.table(node, line)
        if kind == "dl":
            return self.definitions(node, line, depth)
        if kind in ("fence", "code_block"):
            return CodeBlock(node.content.rstrip("\n"), (node.info or "").split(" ")[0], line)
        if kind == "hr":
            return Break(line)
        if kind == "html_block":
            if not is_comment(node.content):
                self.rejected.append(line)
                first = node.content.strip().splitlines()[0] if node.content.strip() else ""
                self.problems.error(line, f"raw HTML is not allowed: {shown(first)}",
                                    "use Markdown instead (the writers make their own markup), "
                                    "or escape a literal '<' as '\\<'")
            return None
        if kind == "footnote_block":
            self.footnotes(node)
            return None
        self.rejected.append(line)
        self.problems.error(line, f"{kind} is not supported", "write it as paragraphs or a list")
        return None

    def heading(self, node: SyntaxTreeNode, line: int) -> Heading:
        level = int(node.tag[1])
        children = list(self.inline.inlines(node, line))
        explicit: str | None = None
        if children and isinstance(children[-1], Text):
            m = _EXPLICIT_ID.search(children[-1].text)
            if m:
                explicit = m.group(1)
                children[-1] = Text(children[-1].text[: m.start()])
                if not _VALID_ID.match(explicit):
                    self.problems.error(line, f"heading id {shown(explicit)} is not valid",
                                        "use letters, digits, '-' or '_', starting with a letter")
                    explicit = None
        heading = Heading(level, tuple(children), len(self.headings), line, explicit)
        self.headings.append(heading)
        return heading

    def paragraph(self, node: SyntaxTreeNode, line: int) -> Block | None:
        children = self.inline.inlines(node, line)
        meaningful = [c for c in children if not (isinstance(c, Text) and not c.text.strip())]
        if not meaningful:
            return None  # only an HTML comment: not content
        if len(meaningful) == 1 and isinstance(meaningful[0], Image):
            image = meaningful[0]
            title = _image_title(node)
            return Figure(image, (Text(title),) if title else (), line)
        if any(isinstance(c, Image) for c in children):
            self.problems.error(line, "an image inside a line of text",
                                "put the image on a line of its own, with a blank line before "
                                "and after it")
        return Paragraph(children, line)

    def list_block(self, node: SyntaxTreeNode, line: int, depth: int) -> ListBlock:
        ordered = node.type == "ordered_list"
        start = int(str(node.attrs.get("start", 1))) if ordered else 1
        items = []
        for item in node.children:
            refused = len(self.rejected)
            blocks = self.blocks(item.children, depth=depth + 1)
            if not blocks and len(self.rejected) == refused:  # else the refusal says why
                self.problems.error(self.line_of(item), "an empty list item",
                                    "write the item's text or remove it")
            items.append(ListItem(blocks))
        return ListBlock(ordered, tuple(items), line, start)

    def quote(self, node: SyntaxTreeNode, line: int, depth: int) -> Block | None:
        first = node.children[0] if node.children else None
        inl = first.children[0] if first is not None and first.type == "paragraph" else None
        text = inl.children[0] if inl is not None and inl.children else None
        m = _CALLOUT_MARK.match(text.content) if text is not None and text.type == "text" else None
        refused = len(self.rejected)
        blocks = list(self.blocks(node.children, depth=depth + 1))
        if not blocks and len(self.rejected) > refused:
            self.rejected.append(line)
            return None  # only what was refused inside (nested too deep): that error says why
        if m is None:
            return self._quotation(blocks, line)
        kind = m.group(1).lower()
        if kind not in CALLOUT_LABELS:
            self.rejected.append(line)
            kinds = ", ".join(f"[!{k.upper()}]" for k in CALLOUT_LABELS)
            self.problems.error(line, f"unknown callout kind [!{m.group(1)[:20]}]",
                                f"use one of {kinds}, or no marker for a quotation")
            return None
        if blocks and isinstance(blocks[0], Paragraph):
            rest = _strip_marker(blocks[0].children, len(m.group(0)))
            if rest:
                blocks[0] = Paragraph(rest, blocks[0].line)
            else:
                blocks.pop(0)
        if not blocks:
            self.problems.error(line, f"the [!{m.group(1)}] callout is empty",
                                "write its text on the next line, starting with '> '")
        return Callout(kind, self.words(f"callout.{kind}"), tuple(blocks), line)

    def _quotation(self, blocks: list[Block], line: int) -> Block | None:
        attribution: tuple[Inline, ...] = ()
        last = blocks[-1] if blocks else None
        if len(blocks) > 1 and isinstance(last, Paragraph) and last.children and \
                isinstance(last.children[0], Text) and _ATTRIBUTION.match(last.children[0].text):
            head = last.children[0]
            assert isinstance(head, Text)
            rest = _ATTRIBUTION.sub("", head.text, count=1)
            attribution = merge_text([Text(rest), *last.children[1:]]) if rest else \
                last.children[1:]
            blocks = blocks[:-1]
        if not blocks:
            self.problems.error(line, "an empty quotation", "write the quoted words after '> '")
            return None
        return Quote(tuple(blocks), attribution, line)

    def table(self, node: SyntaxTreeNode, line: int) -> Table | None:
        head = [c for c in node.children if c.type == "thead"]
        body = [c for c in node.children if c.type == "tbody"]
        header = tuple(self._cell(c, line) for c in head[0].children[0].children) if head else ()
        rows = tuple(tuple(self._cell(c, self.line_of(tr)) for c in tr.children)
                     for tb in body for tr in tb.children)
        if not any(plain_text(c.children).strip() for c in header):
            self.problems.error(line, "a table without column headings",
                                "write a heading for each column in the first row")
        return Table(header, rows, (), line)

    def _cell(self, node: SyntaxTreeNode, line: int) -> Cell:
        m = _ALIGN.search(str(node.attrs.get("style", "")))
        return Cell(self.inline.inlines(node, line), m.group(1) if m else "")

    def definitions(self, node: SyntaxTreeNode, line: int, depth: int) -> DefinitionList:
        items: list[DefinitionItem] = []
        for child in node.children:
            if child.type == "dt":
                items.append(DefinitionItem(self.inline.inlines(child, line), ()))
            elif child.type == "dd" and items:
                last = items[-1]
                blocks = self.blocks(child.children, depth=depth + 1)
                items[-1] = DefinitionItem(last.term, (*last.definitions, blocks))
        for item in items:
            if not item.definitions or not all(item.definitions):
                self.problems.error(line, f"the term '{plain_text(item.term)[:40]}' has no "
                                    "definition", "write it on the next line after ': '")
        return DefinitionList(tuple(items), line)

    def footnotes(self, node: SyntaxTreeNode) -> None:
        for note in node.children:
            meta = note.meta or {}
            label = str(meta.get("label", meta.get("id", "")))
            number = int(meta.get("id", len(self.notes))) + 1
            content = [c for c in note.children if c.type != "footnote_anchor"]
            blocks = self.blocks(content)
            # The note node itself has no position; its first paragraph has.
            line = self.line_of(content[0]) if content else self.line_of(note)
            if not blocks:
                self.problems.error(line, f"the note [^{label}] is empty", "write the note's text")
            self.notes.append(Note(label, number, blocks, line))
        self.notes.sort(key=lambda n: n.number)


def attach_captions(blocks: list[Block]) -> tuple[Block, ...]:
    """A ``Table: ...`` (or ``: ...``) paragraph next to a table becomes its caption (pandoc)."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, Table) and not b.caption:
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            before = out[-1] if out else None
            if _is_caption(after):
                assert isinstance(after, Paragraph)
                out.append(Table(b.header, b.rows, _caption(after), b.line))
                i += 2
                continue
            if _is_caption(before):
                assert isinstance(before, Paragraph)
                out[-1] = Table(b.header, b.rows, _caption(before), b.line)
                i += 1
                continue
        out.append(b)
        i += 1
    return tuple(out)


def _is_caption(block: Block | None) -> bool:
    return isinstance(block, Paragraph) and bool(block.children) and \
        isinstance(block.children[0], Text) and bool(_CAPTION.match(block.children[0].text)) \
        and block.children[0].text.lstrip().startswith(("Table:", ":"))


def _caption(p: Paragraph) -> tuple[Inline, ...]:
    first = p.children[0]
    assert isinstance(first, Text)
    rest = _CAPTION.sub("", first.text, count=1)
    return merge_text([Text(rest), *p.children[1:]]) if rest else p.children[1:]


def _image_title(node: SyntaxTreeNode) -> str:
    inline = node.children[0] if node.children else None
    images = [c for c in (inline.children if inline is not None else []) if c.type == "image"]
    return " ".join(str(images[0].attrs.get("title", "")).split()) if images else ""


def _strip_marker(inlines: tuple[Inline, ...], length: int) -> tuple[Inline, ...]:
    """Remove the leading ``[!KIND]`` marker (and the break after it) from a paragraph."""
    first = inlines[0]
    assert isinstance(first, Text)
    rest = first.text[length:].lstrip()
    return ((Text(rest),) if rest else ()) + inlines[1:]
