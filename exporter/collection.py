"""A collection: the pages one export builds (from files and folders) and the links between them.

A page links to another by its source file, ``[text](other-page.md#section)``; the reader
keeps such a link's target as written (``Link.page``), and ``resolve`` here checks that the
page and the section exist and fills in what every format needs: the page's output name,
its title and its published address (its base_url + ``other-page.html#section``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urljoin

from exporter.model import Document, Heading, Inline, Link, PageTarget, iter_inlines
from exporter.reader import ReadOptions, SourceError, parse, read_bytes
from exporter.reader.anchors import github_id_map, map_inlines
from exporter.reader.problems import Problem, Problems

#: A page's output names start with its stem; these stems would overwrite the tool's own files.
RESERVED_STEMS = frozenset({"index"})
#: Folders never searched for pages (version control, tools' caches, hidden folders).
_SKIPPED_FOLDERS = ("node_modules", "__pycache__")


class CollectionError(Exception):
    """The sources named cannot make one collection; every reason is listed."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# ---------------------------------------------------------------- finding the pages


def find_sources(paths: Iterable[Path]) -> list[Path]:
    """The pages named: each file as given, each folder's ``*.md`` files (searched through its
    sub-folders, hidden ones left out) in sorted order; a page named twice is kept once.

    Every page's files are named by its stem in one output folder, so two pages with one stem
    (compared without case: a download folder may be copied to a file system that ignores
    case) are refused, naming both files; so is a stem the tool's own files use.
    """
    found: list[Path] = []
    problems: list[str] = []
    for given in paths:
        if given.is_dir():
            pages = sorted(_pages_in(given), key=lambda p: p.relative_to(given).as_posix())
            if not pages:
                problems.append(f"{given}: no Markdown pages (*.md) in this folder")
            found += pages
        else:  # the reader refuses what is missing or not a regular text file, as a page
            found.append(given)
    unique: list[Path] = []
    seen: set[Path] = set()
    for page in found:
        key = _real(page)
        if key not in seen:
            seen.add(key)
            unique.append(page)
    by_stem: dict[str, Path] = {}
    for page in unique:
        stem = page.stem.lower()
        if stem in RESERVED_STEMS:
            problems.append(f"{page}: a page cannot be called '{page.stem}': its web page "
                            f"would replace the download page {stem}.html; rename the file")
        elif stem in by_stem:
            problems.append(f"{by_stem[stem]} and {page}: two pages named '{page.stem}'; their "
                            "files would have the same names in the output folder; rename one")
        else:
            by_stem[stem] = page
    if problems:
        raise CollectionError(problems)
    return unique


def _pages_in(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_FOLDERS]
        for name in files:
            if name.lower().endswith(".md") and not name.startswith("."):
                yield Path(root) / name


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


# ---------------------------------------------------------------- what a link needs to know


@dataclass(frozen=True)
class PageInfo:
    """What a link to a page needs: its name, title, section ids and where it is published."""

    name: str  #: output name (the source's stem)
    title: str
    ids: tuple[str, ...]  #: every heading id, in order
    aliases: tuple[tuple[str, str], ...] = ()  #: GitHub-style heading id -> ours
    base_url: str = ""  #: where the page is published ("" when unknown)

    @classmethod
    def of(cls, doc: Document, name: str) -> PageInfo:
        entries = doc.outline.entries
        ours = {e.id for e in entries}
        aliases = tuple(sorted((k, v) for k, v in github_id_map(entries).items()
                               if k not in ours))
        return cls(name, doc.meta.title, tuple(e.id for e in entries), aliases,
                   doc.meta.base_url)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "title": self.title, "ids": list(self.ids),
                "aliases": [list(a) for a in self.aliases], "base_url": self.base_url}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PageInfo:
        """The inverse of as_dict (a job sent to a worker carries its link targets so)."""
        ids = data.get("ids")
        aliases = data.get("aliases")
        if not isinstance(ids, list) or not isinstance(aliases, list):
            raise ValueError("a page's ids and aliases must be lists")
        return cls(str(data["name"]), str(data["title"]), tuple(str(i) for i in ids),
                   tuple((str(a[0]), str(a[1])) for a in aliases), str(data.get("base_url", "")))


#: A page a link names that cannot be linked to: why, in words ("no such file").
Unavailable = str
#: The pages one page's links lead to, by the path as the link writes it.
LinkTable = Mapping[str, PageInfo | Unavailable]


def page_targets(doc: Document) -> list[PageTarget]:
    """Every link to another page, in reading order (notes last)."""
    blocks = (*doc.blocks, *(b for n in doc.notes for b in n.blocks))
    return [n.page for n in iter_inlines(blocks) if isinstance(n, Link) and n.page is not None]


def target_path(doc: Document, target: PageTarget) -> Path:
    """The source file a link names, relative to the linking page's folder."""
    return Path(doc.source_path).parent / target.path


def resolve(doc: Document, name: str, table: LinkTable, *, strict: bool = False) -> Document:
    """``doc`` with every link to another page resolved, or SourceError naming file:line.

    A link to this page itself becomes a link within it. A page with no base_url has no
    published address: print then shows its title alone, with a warning here.
    """
    if not page_targets(doc):
        return doc
    problems = Problems(doc.source_path)
    by_id = {e.id for e in doc.outline.entries}
    first_id = doc.outline.entries[0].id if doc.outline.entries else ""

    def fix(node: Inline) -> Inline:
        if not isinstance(node, Link) or node.page is None:
            return node
        target = node.page
        info = table.get(target.path, "that file was not read")
        if isinstance(info, str):
            problems.error(target.line, f"link to the page '{node.href}', but {info}",
                           "link to a page of the collection by its file name, relative to "
                           "this page (e.g. other-page.md#section)")
            return node
        fragment = _section(info, target.fragment)
        if fragment is None:
            shown = ", ".join("#" + i for i in info.ids[:12]) + (" ..." if len(info.ids) > 12
                                                                  else "")
            problems.error(target.line, f"link to '{node.href}', but the page '{info.title}' "
                           f"has no section with the id '{target.fragment}'",
                           f"link to one of: {shown}")
            return node
        if info.name == name:  # this very page: a link within it
            inner = fragment or first_id
            return Link(f"#{inner}", node.children) if inner in by_id else node
        file = f"{info.name}.html" + (f"#{fragment}" if fragment else "")
        address = urljoin(info.base_url, file) if info.base_url else ""
        if not address:
            problems.warning(target.line, f"link to the page '{info.title}' ({node.href}): it "
                             "has no base_url, so print shows its title without an address",
                             "set base_url in its front matter or in styles/settings.yaml")
        resolved = replace(target, fragment=fragment, name=info.name, title=info.title,
                           address=address)
        return Link(address or file, node.children, resolved)

    blocks = map_inlines(doc.blocks, fix)
    notes = tuple(replace(n, blocks=map_inlines(n.blocks, fix)) for n in doc.notes)
    if problems.errors or (strict and problems.warnings):
        raise SourceError(problems.found)
    headings = tuple(b for b in blocks if isinstance(b, Heading))
    return replace(doc, blocks=blocks, notes=notes, headings=headings,
                   warnings=(*doc.warnings, *(str(p) for p in problems.warnings)))


def _section(info: PageInfo, fragment: str) -> str | None:
    """The heading id a link's fragment names on the page (GitHub's ids mapped), or None."""
    if not fragment or fragment in info.ids:
        return fragment
    return dict(info.aliases).get(fragment)


def links_key(doc: Document) -> str:
    """What a page's files depend on from the pages it links to ("" when it links to none):
    a changed title or address there changes what print shows here."""
    targets = sorted({(t.path, t.name, t.fragment, t.title, t.address)
                      for t in page_targets(doc)})
    if not targets:
        return ""
    return hashlib.sha256(json.dumps(targets).encode()).hexdigest()


# ---------------------------------------------------------------- reading a collection


@dataclass(frozen=True)
class Page:
    """One page of a collection as read: its bytes and document, or why it cannot be built."""

    path: Path
    name: str
    data: bytes = b""
    sha256: str = ""
    doc: Document | None = None  #: parsed (links not yet resolved) when it was needed
    problems: tuple[Problem, ...] = ()  #: why the page cannot be built (errors, or warnings
    #: refused as errors with --strict)

    @property
    def ok(self) -> bool:
        return not self.problems


def load(path: Path, options: ReadOptions) -> Page:
    """A page's bytes and hash; its problems if it cannot even be read."""
    try:
        data = read_bytes(path, max_bytes=options.max_bytes)
    except SourceError as exc:
        return Page(path, path.stem, problems=tuple(exc.problems))
    return Page(path, path.stem, data, hashlib.sha256(data).hexdigest())


def parsed(page: Page, options: ReadOptions) -> Page:
    """The page with its document (links unresolved), or with its problems."""
    if page.doc is not None or not page.ok:
        return page
    try:
        return replace(page, doc=parse(page.data, str(page.path), options))
    except SourceError as exc:
        return replace(page, problems=tuple(exc.problems))


class Linker:
    """Resolves the links of a collection's pages: finds the pages they name, reading those
    outside the collection (a page exported alone may link to its neighbours) once each."""

    def __init__(self, pages: Mapping[Path, Page], options: ReadOptions,
                 read: Callable[[Page], Page] | None = None) -> None:
        self.options = options
        self._pages = {_real(p.path): p for p in pages.values()}
        self._read = read or (lambda page: parsed(page, options))
        self._info: dict[Path, PageInfo | Unavailable] = {}

    def info(self, path: Path) -> PageInfo | Unavailable:
        """What a link to the page at ``path`` needs, or why it cannot be linked to."""
        key = _real(path)
        if key in self._info:
            return self._info[key]
        page = self._pages.get(key)
        if page is None:
            if not path.is_file():
                found: PageInfo | Unavailable = "there is no such file"
                self._info[key] = found
                return found
            page = load(path, self.options)
        page = self._read(page)
        self._pages[key] = page
        if page.doc is None:
            found = f"that page has problems of its own ({page.path}); fix them first"
        else:
            found = PageInfo.of(page.doc, page.name)
        self._info[key] = found
        return found

    def table(self, doc: Document) -> dict[str, PageInfo | Unavailable]:
        """The link table of one document: each target path as written -> its page."""
        return {t.path: self.info(target_path(doc, t)) for t in page_targets(doc)}

    def resolve(self, page: Page, *, strict: bool = False) -> Page:
        """The page with its links resolved, or with the problems of its links."""
        if page.doc is None:
            return page
        try:
            return replace(page, doc=resolve(page.doc, page.name, self.table(page.doc),
                                             strict=strict))
        except SourceError as exc:
            return replace(page, doc=None, problems=tuple(exc.problems))


def read_page(path: Path, options: ReadOptions, *, strict: bool = False) -> Document:
    """One page read and checked with its links resolved (the pages it links to are read for
    their titles and sections); SourceError lists every problem."""
    page = parsed(load(path, options), options)
    page = Linker({path: page}, options).resolve(page, strict=strict)
    if page.doc is None:
        raise SourceError(page.problems)
    return page.doc


def page_key(path: Path, options: ReadOptions) -> tuple[str, list[Path]]:
    """What files made of one page depend on, as a hash: its source's bytes and those of the
    pages it links to (their titles and sections show in its print); and those pages' files.

    A page that cannot be read is keyed by its bytes alone: building it then says why.
    """
    page = parsed(load(path, options), options)
    deps = sorted({target_path(page.doc, t) for t in page_targets(page.doc)}) \
        if page.doc is not None else []
    h = hashlib.sha256(page.sha256.encode())
    for dep in deps:
        try:
            digest = hashlib.sha256(dep.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        h.update(f"\0{dep.as_posix()}\0{digest}".encode())
    return h.hexdigest(), deps
