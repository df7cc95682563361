"""The PDF's structure tree as a screen reader walks it: tags, attributes and the text of each
element, in reading order (pikepdf for the tree, pdfplumber's glyphs for the text)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Stands between two pieces of marked content: a line may end there, and the space at a line's
#: end is not drawn, so it matches a space or nothing (see check_text.find_in_order).
BREAK = "\x00"


@dataclass(frozen=True)
class Node:
    """One structure element: its tag, a few attributes, its kids and its own text."""

    tag: str  #: "Table", "TH", "Figure" ... (no slash)
    kids: tuple[Node, ...] = ()
    text: str = ""  #: marked content directly inside it, BREAK between pieces
    alt: str | None = None
    scope: str = ""  #: /A /Scope of a table header ("Column", "Row", "Both"), else ""
    attrs: Mapping[str, str] = field(default_factory=dict)

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, in reading order."""
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def find(self, tag: str) -> list[Node]:
        return [n for n in self.walk() if n.tag == tag]

    @property
    def content(self) -> str:
        """All text inside, in reading order, BREAK between pieces."""
        parts = [self.text] if self.text else []
        parts += [k.content for k in self.kids if k.content]
        return BREAK.join(parts)


def read_tree(pdf: Any, marked: Mapping[tuple[int, int], str]) -> Node:
    """The tree below StructTreeRoot; ``marked`` maps (page number from 1, MCID) to its text."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return Node("StructTreeRoot")
    pages = {pdf.pages[i].obj.objgen: i + 1 for i in range(len(pdf.pages))}
    seen: set[tuple[int, int]] = set()
    return Node("StructTreeRoot", tuple(_kids(root, None, pages, marked, seen)))


def _kids(elem: Any, page: int | None, pages: Mapping[Any, int],
          marked: Mapping[tuple[int, int], str], seen: set[tuple[int, int]]) -> Iterator[Node]:
    import pikepdf

    kids = elem.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            key = tuple(kid.objgen)
            if key in seen:  # a malformed tree may loop
                continue
            seen.add(key)  # type: ignore[arg-type]
            yield _node(kid, pages, marked, seen)


def _node(elem: Any, pages: Mapping[Any, int], marked: Mapping[tuple[int, int], str],
          seen: set[tuple[int, int]]) -> Node:
    import pikepdf

    page = pages.get(elem.Pg.objgen) if "/Pg" in elem else None
    texts: list[str] = []
    kids = elem.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids]):
        if isinstance(kid, int) and page is not None:
            texts.append(marked.get((page, int(kid)), ""))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            mcr_page = pages.get(kid.Pg.objgen) if "/Pg" in kid else page
            if mcr_page is not None:
                texts.append(marked.get((mcr_page, int(kid.MCID)), ""))
    attrs = elem.get("/A")
    scope = ""
    extra: dict[str, str] = {}
    for a in attrs if isinstance(attrs, pikepdf.Array) else [attrs]:
        if isinstance(a, pikepdf.Dictionary):
            if "/Scope" in a:
                scope = str(a.Scope).lstrip("/")
            for name in ("/O", "/Headers"):
                if name in a:
                    extra[name[1:]] = str(a[name])
    alt = str(elem.Alt) if "/Alt" in elem else None
    return Node(str(elem.S).lstrip("/"), tuple(_kids(elem, page, pages, marked, seen)),
                BREAK.join(t for t in texts if t), alt, scope, extra)


def marked_text(pages: Sequence[Any]) -> dict[tuple[int, int], str]:
    """(page number, MCID) -> the text of that marked content, spaces included."""
    out: dict[tuple[int, int], str] = {}
    for p in pages:
        for mcid, text in p.marked.items():
            out[(p.number, mcid)] = text
    return out
