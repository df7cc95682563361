"""Reads the shared (X)HTML markup back: headings, contents nav, text, tables, pictures, quotes,
notes, language and title, as a browser's accessibility tree would present them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from exporter.outline import TreeNode

_SKIP = frozenset({"style", "script", "template"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: Elements that never have an end tag in HTML (XHTML closes them itself).
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: Elements that start and end a line of text for the sentence comparison.
_LINES = frozenset({"p", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "div", "aside", "dt",
                    "dd", "tr", "td", "th", "caption", "figcaption", "blockquote", "pre", "hr"})


@dataclass
class _Item:
    label: list[str] = field(default_factory=list)
    kids: list[_Item] = field(default_factory=list)

    def node(self) -> TreeNode:
        return ("".join(self.label), [k.node() for k in self.kids])


@dataclass
class TableRead:
    """A <table> as read: caption, header cells (tag, scope, text) and body rows of cell texts."""

    in_notes: bool
    caption: list[str] = field(default_factory=list)
    header: list[tuple[str, str, list[str]]] = field(default_factory=list)
    rows: list[list[list[str]]] = field(default_factory=list)
    has_caption: bool = False


@dataclass
class ImageRead:
    """An <img>: its src and alt text, and the caption of the <figure> around it, if any."""

    src: str
    alt: str | None
    in_notes: bool
    caption: list[str] | None = None  #: None when the picture is not in a <figure>


@dataclass
class QuoteRead:
    """A <blockquote>'s text and the caption of the <figure> around it (the attribution)."""

    in_notes: bool
    text: list[str] = field(default_factory=list)
    attribution: list[str] | None = None


@dataclass
class RefRead:
    """A note marker: a link with role doc-noteref (or epub:type noteref)."""

    id: str
    href: str
    in_notes: bool
    text: list[str] = field(default_factory=list)


@dataclass
class NoteRead:
    """One note in a notes part: its number, text (without the back link) and back links."""

    id: str
    number: int
    text: list[str] = field(default_factory=list)
    backlinks: list[str] = field(default_factory=list)


#: Roles that make an element a landmark (screen readers list and jump between them).
LANDMARK_ROLES = frozenset({"banner", "complementary", "contentinfo", "form", "main",
                            "navigation", "region", "search"})


@dataclass
class CalloutRead:
    """A callout box (class "callout"): its role as the browser maps it and its accessible
    name's sources (aria-label, or the ids aria-labelledby names)."""

    tag: str
    role: str  #: the explicit role, or the element's implicit one ("complementary" for aside)
    aria_label: str | None
    labelledby: list[str]
    in_notes: bool

    def name(self, texts: dict[str, list[str]]) -> str:
        """The accessible name as a browser computes it from these sources."""
        if self.labelledby:
            return " ".join("".join(texts.get(i, [])).strip() for i in self.labelledby).strip()
        return (self.aria_label or "").strip()


@dataclass
class _Open:
    tag: str
    attrs: dict[str, str]
    sink: list[str] | None = None  #: where the text inside this element is also collected
    figure: _Figure | None = None
    boundary: bool = False  #: a marker or back link: its text belongs to no enclosing element
    names: str | None = None  #: this element's id, when an accessible name refers to it


@dataclass
class _Figure:
    caption: list[str] | None = None
    images: list[ImageRead] = field(default_factory=list)
    quotes: list[QuoteRead] = field(default_factory=list)


def _is(attrs: dict[str, str], role: str) -> bool:
    """True when an element has this DPUB-ARIA role or the matching epub:type."""
    kind = role.removeprefix("doc-")
    return role in attrs.get("role", "").split() or kind in attrs.get("epub:type", "").split()


class PageReader(HTMLParser):
    """Collects what a reader meets: headings, the contents nav's tree, the main-flow text (note
    markers, back links and the notes part left out), the structures, lang and title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.title = ""
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self.nav: list[_Item] = []  #: top items of the first <nav> holding a list
        self.ids: set[str] = set()
        self.tables: list[TableRead] = []
        self.images: list[ImageRead] = []
        self.quotes: list[QuoteRead] = []
        self.refs: list[RefRead] = []
        self.notes: list[NoteRead] = []
        self.callouts: list[CalloutRead] = []
        #: text of each element an aria-labelledby names (all its text, as a name takes it)
        self.name_texts: dict[str, list[str]] = {}
        self.notes_parts = 0
        self._open: list[_Open] = []
        self._skip = 0
        self._in_title = False
        self._heading: tuple[int, list[str]] | None = None
        self._nav_depth = 0  # > 0 inside the first nav
        self._nav_done = False
        self._stack: list[_Item] = []
        self._quiet = 0  # > 0 inside a marker, a back link or the notes part: not main flow
        self._in_notes = 0
        self._note: NoteRead | None = None
        self._table: TableRead | None = None
        self._row: list[list[str]] | None = None

    # ------------------------------------------------------------ elements

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.ids.add(a["id"])
        if tag in _LINES:
            self.text.append("\n")
        if tag == "img":
            self._image(a)
            return
        if tag in _VOID:
            return
        el = _Open(tag, a)
        if a.get("id") in self.name_texts:
            el.names = a["id"]
        self._open.append(el)
        self._start_page(tag, a)
        self._start_structure(el)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(o.tag == tag for o in self._open):
            return
        while self._open:  # close what an unclosed tag left open, as a browser would
            el = self._open.pop()
            self._end_page(el.tag)
            self._end_structure(el)
            if el.tag == tag:
                break
        if tag in _LINES:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip:
            return
        for el in self._open:
            if el.names is not None:
                self.name_texts[el.names].append(data)
        for el in reversed(self._open):
            if el.sink is not None:
                el.sink.append(data)
            if el.boundary:
                break
        if self._quiet:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading[1].append(data)
        if self._stack and not self._stack[-1].kids:
            self._stack[-1].label.append(data)

    # ------------------------------------------------------------ page: head, headings, nav

    def _start_page(self, tag: str, a: dict[str, str]) -> None:
        if tag == "html":
            self.lang = a.get("lang", "")
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

    def _end_page(self, tag: str) -> None:
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

    # ------------------------------------------------------------ structures

    def _start_structure(self, el: _Open) -> None:
        tag, a = el.tag, el.attrs
        in_notes = self._in_notes > 0
        if _is(a, "doc-noteref"):
            ref = RefRead(a.get("id", ""), a.get("href", ""), in_notes)
            self.refs.append(ref)
            el.sink, el.boundary, self._quiet = ref.text, True, self._quiet + 1
        elif _is(a, "doc-backlink"):
            if self._note is not None:
                self._note.backlinks.append(a.get("href", ""))
            el.boundary, self._quiet = True, self._quiet + 1
        elif _is(a, "doc-endnotes"):
            self.notes_parts += 1
            self._in_notes += 1
            self._quiet += 1
        elif tag == "li" and self._in_notes and self._note is None:
            previous = self.notes[-1].number if self.notes else 0
            value = a.get("value", "")
            self._note = NoteRead(a.get("id", ""), int(value) if value.isdigit() else previous + 1)
            self.notes.append(self._note)
            el.sink = self._note.text
        elif "callout" in a.get("class", "").split():
            role = (a.get("role", "").split() or ["complementary" if tag == "aside" else ""])[0]
            ids = a.get("aria-labelledby", "").split()
            self.callouts.append(CalloutRead(tag, role, a.get("aria-label"), ids, in_notes))
            for i in ids:
                self.name_texts.setdefault(i, [])
        elif tag == "table":
            self._table = TableRead(in_notes)
            self.tables.append(self._table)
        elif tag == "caption" and self._table is not None:
            self._table.has_caption = True
            el.sink = self._table.caption
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("th", "td") and self._table is not None and self._row is not None:
            cell: list[str] = []
            if self._within("thead"):
                self._table.header.append((tag, a.get("scope", ""), cell))
            else:
                self._row.append(cell)
            el.sink = cell
        elif tag == "figure":
            el.figure = _Figure()
        elif tag == "figcaption":
            figure = self._figure()
            if figure is not None:
                figure.caption = []
                el.sink = figure.caption
        elif tag == "blockquote":
            quote = QuoteRead(in_notes)
            self.quotes.append(quote)
            figure = self._figure()
            if figure is not None:
                figure.quotes.append(quote)
            el.sink = quote.text

    def _end_structure(self, el: _Open) -> None:
        tag, a = el.tag, el.attrs
        if _is(a, "doc-noteref") or _is(a, "doc-backlink"):
            self._quiet = max(0, self._quiet - 1)
        elif _is(a, "doc-endnotes"):
            self._in_notes = max(0, self._in_notes - 1)
            self._quiet = max(0, self._quiet - 1)
        elif tag == "li" and self._note is not None and el.sink is self._note.text:
            self._note = None
        elif tag == "table":
            self._table = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._row:
                self._table.rows.append(self._row)
            self._row = None
        elif el.figure is not None:
            caption = el.figure.caption
            for image in el.figure.images:
                image.caption = caption if caption is not None else []
            for quote in el.figure.quotes:
                quote.attribution = caption

    def _image(self, a: dict[str, str]) -> None:
        image = ImageRead(a.get("src", ""), a.get("alt"), self._in_notes > 0)
        self.images.append(image)
        figure = self._figure()
        if figure is not None:
            figure.images.append(image)

    def _figure(self) -> _Figure | None:
        return next((o.figure for o in reversed(self._open) if o.figure is not None), None)

    def _within(self, tag: str) -> bool:
        for o in reversed(self._open):
            if o.tag == tag:
                return True
            if o.tag == "table":
                return False
        return False

    def contents(self) -> list[TreeNode]:
        return [item.node() for item in self.nav]


def read_page(text: str) -> PageReader:
    """Parse a page (HTML or XHTML) into what the checks compare."""
    reader = PageReader()
    reader.feed(text)
    reader.close()
    return reader
