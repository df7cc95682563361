"""Walking the model: plain text of inlines and blocks, every run, every nested block."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from exporter.model.nodes import (
    Block,
    Callout,
    Code,
    CodeBlock,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
)


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The text a reader sees, with markup removed (images give their alt text)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code):
            out.append(node.text)
        elif isinstance(node, Image):
            out.append(node.alt)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, NoteRef):
            continue  # a marker, not words: every format shows it its own way
        else:
            out.append(plain_text(node.children))
    return "".join(out)


def block_text(block: Block) -> str:
    """Plain text of a block and everything inside it, paragraphs separated by newlines."""
    return "\n".join(plain_text(run) if isinstance(run, tuple) else run
                     for run in inline_runs((block,)))


def inline_runs(blocks: tuple[Block, ...]) -> Iterator[tuple[Inline, ...] | str]:
    """Every run of inline content in reading order (code as its literal text).

    A table gives its caption, its header cells, then its body cells row by row; a quote its
    blocks then its attribution; a figure its caption and the image (whose text is its alt).
    """
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            yield b.children
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from inline_runs(item.blocks)
        elif isinstance(b, Callout):
            yield from inline_runs(b.blocks)
        elif isinstance(b, Table):
            if b.caption:
                yield b.caption
            for row in (b.header, *b.rows):
                for cell in row:
                    yield cell.children
        elif isinstance(b, Figure):
            yield (b.image,)
            if b.caption:
                yield b.caption
        elif isinstance(b, Quote):
            yield from inline_runs(b.blocks)
            if b.attribution:
                yield b.attribution
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                yield entry.term
                for definition in entry.definitions:
                    yield from inline_runs(definition)
        elif isinstance(b, CodeBlock):
            yield b.text


def iter_inlines(blocks: tuple[Block, ...]) -> Iterator[Inline]:
    """Every inline node in reading order, nested ones after their parent."""
    for run in inline_runs(blocks):
        if isinstance(run, tuple):
            yield from _walk(run)


def _walk(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    for n in nodes:
        yield n
        if isinstance(n, Emphasis | Strong | Link):
            yield from _walk(n.children)


def walk_blocks(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block in reading order, those inside lists, callouts, quotes and definitions too."""
    for b in blocks:
        yield b
        if isinstance(b, Callout | Quote):
            yield from walk_blocks(b.blocks)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from walk_blocks(item.blocks)
        elif isinstance(b, DefinitionList):
            for entry in b.items:
                for definition in entry.definitions:
                    yield from walk_blocks(definition)
