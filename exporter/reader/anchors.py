"""Links to headings: a page written for GitHub may use GitHub's heading ids; they are mapped."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from exporter.model import (
    Block,
    Callout,
    DefinitionItem,
    DefinitionList,
    Emphasis,
    Entry,
    Figure,
    Heading,
    Inline,
    Link,
    ListBlock,
    ListItem,
    Note,
    Paragraph,
    Quote,
    Strong,
    Table,
)


def github_id_map(entries: Sequence[Entry]) -> dict[str, str]:
    """GitHub's id of each heading (github-slugger, as pandoc's gfm_auto_identifiers) -> ours.

    GitHub lower-cases, drops punctuation, keeps letters of any script, turns each space into
    a hyphen and numbers repeats -1, -2 ...; our ids are ASCII with hyphens collapsed.
    """
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for entry in entries:
        slug = re.sub(r"[^\w\- ]", "", entry.title.strip().lower()).replace(" ", "-")
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}-{seen[slug]}"
        else:
            seen[slug] = 0
        out.setdefault(slug, entry.id)
    return out


def relink(blocks: tuple[Block, ...], notes: tuple[Note, ...],
           targets: Mapping[str, str]) -> tuple[tuple[Block, ...], tuple[Note, ...]]:
    """The blocks and notes with every ``#old`` link pointing at ``#new`` (``targets``)."""
    if not targets:
        return blocks, notes

    def fix(node: Inline) -> Inline:
        if isinstance(node, Link) and node.href.startswith("#") and node.href[1:] in targets:
            return Link(f"#{targets[node.href[1:]]}", node.children)
        return node

    new_notes = tuple(replace(n, blocks=map_inlines(n.blocks, fix)) for n in notes)
    return map_inlines(blocks, fix), new_notes


def map_inlines(blocks: tuple[Block, ...],
                fn: Callable[[Inline], Inline]) -> tuple[Block, ...]:
    """The blocks with ``fn`` applied to every inline node, children first."""

    def runs(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in nodes:
            if isinstance(node, Emphasis | Strong | Link):
                node = replace(node, children=runs(node.children))
            out.append(fn(node))
        return tuple(out)

    def block(b: Block) -> Block:
        if isinstance(b, Paragraph):
            return replace(b, children=runs(b.children))
        if isinstance(b, ListBlock):
            return replace(b, items=tuple(ListItem(map_inlines(i.blocks, fn)) for i in b.items))
        if isinstance(b, Callout):
            return replace(b, blocks=map_inlines(b.blocks, fn))
        if isinstance(b, Quote):
            return replace(b, blocks=map_inlines(b.blocks, fn), attribution=runs(b.attribution))
        if isinstance(b, Table):
            return replace(b, caption=runs(b.caption),
                           header=tuple(replace(c, children=runs(c.children)) for c in b.header),
                           rows=tuple(tuple(replace(c, children=runs(c.children)) for c in row)
                                      for row in b.rows))
        if isinstance(b, DefinitionList):
            return replace(b, items=tuple(
                DefinitionItem(runs(i.term), tuple(map_inlines(d, fn) for d in i.definitions))
                for i in b.items))
        if isinstance(b, Heading):
            return replace(b, children=runs(b.children))
        if isinstance(b, Figure):
            return replace(b, caption=runs(b.caption))
        return b  # code and breaks hold no links

    return tuple(block(b) for b in blocks)
