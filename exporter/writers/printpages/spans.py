"""The shared markup with every sentence in its own element, and print page breaks inside.

Each run of inlines a block shows is cut into its sentences with ``phrasing.sentence_runs``
(the speech script cuts with the same function), and each sentence becomes a ``<span>`` with
an id. A segment of the script names the run and the sentence it reads (``Segment.target``),
so a par of the synchronisation joins exactly that span to that clip. Print page breaks are
placed inside the sentence where the page begins, at the very word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from exporter.html import Markup, attr
from exporter.model import CodeBlock, Heading, Inline, plain_text
from exporter.phrasing import sentence_runs, split_at

#: A sentence of the document: (id() of its run, its index in the run); a code line is
#: (id() of the CodeBlock, line).
Key = tuple[int, int]


@dataclass(frozen=True)
class PageBreak:
    """Where a print page begins: inside which sentence, at which character of its text."""

    key: Key
    offset: int  #: in the sentence's plain text
    label: str  #: the page number as printed, e.g. "3"


@dataclass(frozen=True)
class SentenceMarkup(Markup):
    """Markup whose sentences, headings and code lines have ids, with page breaks inside."""

    #: sentence -> the page breaks inside it (by offset)
    breaks: Mapping[Key, tuple[PageBreak, ...]] = field(default_factory=dict)
    #: shared between the documents of one book, so ids never repeat: the next number
    counter: list[int] = field(default_factory=lambda: [0])
    #: False: no sentence spans, only the page markers (for an EPUB without audio)
    spans: bool = True
    #: every sentence id made, by key (filled while rendering)
    ids: dict[Key, str] = field(default_factory=dict, init=False, compare=False, repr=False)
    #: the sentences as rendered, in order: (key, plain text)
    order: list[tuple[Key, str]] = field(default_factory=list, init=False, compare=False,
                                         repr=False)
    _depth: list[int] = field(default_factory=lambda: [0], init=False, compare=False,
                              repr=False)
    _placed: set[str] = field(default_factory=set, init=False, compare=False, repr=False)

    def page_marker(self, label: str) -> str:
        """An empty element marking where a print page begins."""
        return (f'<span id="{self.page_id(label)}" role="doc-pagebreak"'
                f'{self.semantic("pagebreak")} aria-label="{attr(label)}"></span>')

    def page_id(self, label: str) -> str:
        return f"{self.free_prefix('page-')}{label}"

    def _next_id(self) -> str:
        self.counter[0] += 1
        return f"{self.free_prefix('s')}{self.counter[0]}"

    def _marker(self, brk: PageBreak) -> str:
        if brk.label in self._placed:
            return ""
        self._placed.add(brk.label)
        return self.page_marker(brk.label)

    # ------------------------------------------------------------ sentences

    def inlines(self, nodes: Iterable[Inline]) -> str:
        run = nodes if isinstance(nodes, tuple) else tuple(nodes)
        if self._depth[0] or not plain_text(run).strip():
            return super().inlines(run)
        self._depth[0] += 1
        try:
            out = []
            for k, piece in enumerate(sentence_runs(run)):
                key = (id(nodes), k)
                sid = self.ids.setdefault(key, self._next_id()) if self.spans else ""
                self.order.append((key, plain_text(piece.run)))
                out.append(self._sentence(sid, key, piece.run) + escape(piece.gap, quote=False))
            return "".join(out)
        finally:
            self._depth[0] -= 1

    def _sentence(self, sid: str, key: Key, run: tuple[Inline, ...]) -> str:
        marks = sorted(self.breaks.get(key, ()), key=lambda b: b.offset)
        if not marks and not self.spans:
            return super().inlines(run)
        before = "".join(self._marker(b) for b in marks if b.offset <= 0)
        parts, last = [], 0
        rest = run
        for b in (b for b in marks if b.offset > 0):
            head, rest = split_at(rest, b.offset - last)
            parts.append(super().inlines(head) + self._marker(b))
            last = b.offset
        parts.append(super().inlines(rest))
        if not self.spans:
            return before + "".join(parts)
        return f'{before}<span id="{sid}">{"".join(parts)}</span>'

    def heading(self, node: Heading, level: int | None = None) -> str:
        # A heading is highlighted whole (its par points at the heading's own id), so its
        # words get no sentence spans; a page that begins in it begins before it.
        pieces = sentence_runs(node.children) if plain_text(node.children).strip() else []
        marks = [b for k in range(len(pieces)) for b in self.breaks.get((id(node.children), k), ())]
        for k, piece in enumerate(pieces):
            self.order.append(((id(node.children), k), plain_text(piece.run)))
        before = "".join(self._marker(b) for b in marks)
        self.ids[(id(node), -1)] = self.outline.of(node).id
        self._depth[0] += 1
        try:
            return before + super().heading(node, level)
        finally:
            self._depth[0] -= 1

    def code_block(self, node: CodeBlock) -> str:
        """Each code line a sentence; a page that begins in a line begins before it (a wrapped
        line is not cut)."""
        html = super().code_block(node)
        lines = node.text.splitlines()
        marked = any(self.breaks.get((id(node), i)) for i in range(len(lines)))
        if not lines or not (self.spans or marked):
            return html
        spans = []
        for i, line in enumerate(lines):
            marker = "".join(self._marker(b) for b in self.breaks.get((id(node), i), ()))
            if not self.spans:
                spans.append(marker + escape(line, quote=False))
                continue
            sid = self.ids.setdefault((id(node), i), self._next_id())
            self.order.append(((id(node), i), line))
            spans.append(f'{marker}<span id="{sid}">{escape(line, quote=False)}</span>')
        body = escape(node.text, quote=False)
        new = "\n".join(spans) + ("\n" if node.text.endswith("\n") else "")
        if body not in html:
            return html
        return html.replace(body, new, 1)


def resolver(markups: Iterable[tuple[str, SentenceMarkup]]) -> Callable[[object, int], str | None]:
    """A segment's target -> "file#id" over the rendered documents (None: not shown)."""
    where: dict[Key, str] = {}
    for file, mk in markups:
        for key, sid in mk.ids.items():
            where.setdefault(key, f"{file}#{sid}")

    def find(node: object, part: int) -> str | None:
        return where.get((id(node), part))

    return find
