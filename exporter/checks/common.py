"""What every read-back check shares: findings, the source's context, outline comparisons."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter import sentences as sent
from exporter.links import reference_patterns
from exporter.model import Document
from exporter.outline import Outline, TreeNode

#: The groups of the issue, in the order a report lists them.
CATEGORIES = ("integrity", "navigation", "content", "validity", "large-print")

#: Font family names that are serif faces (lower case, spaces removed). A PDF or Word file
#: only names its fonts, so a name is the evidence we have; "sans" anywhere wins.
SERIF_NAMES = ("times", "georgia", "garamond", "cambria", "palatino", "bookantiqua", "baskerville",
               "didot", "bodoni", "caslon", "century", "cochin", "constantia", "minion",
               "roman", "serif", "charter", "bitstreamvera serif", "liberationserif",
               "dejavuserif", "notoserif", "sourceserif", "courier", "mono")

#: Leeway for sizes read back from files (points): rounding in text matrices.
SIZE_TOLERANCE = 0.05


@dataclass(frozen=True)
class Finding:
    """The outcome of one check on one file."""

    category: str  #: one of CATEGORIES
    check: str  #: e.g. "pdf.bookmarks"
    file: str  #: file name inside the output folder ("" for the folder itself)
    ok: bool
    detail: str  #: first line says what and where; later lines give the evidence

    @property
    def status(self) -> str:
        return "pass" if self.ok else "fail"

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "check": self.check, "file": self.file,
                "status": self.status, "detail": self.detail}


@dataclass(frozen=True)
class Context:
    """What the checks compare the files with: the source, read afresh, and the manifest."""

    out_dir: Path
    doc: Document
    sentences: tuple[str, ...]  #: every sentence of the main text in reading order
    manifest: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  #: every sentence of the footnotes, in note order
    table_headings: tuple[str, ...] = ()  #: every table's column headings, in any place

    @classmethod
    def of(cls, out_dir: Path, doc: Document,
           manifest: Mapping[str, Any] | None = None) -> Context:
        """The context of ``doc``: its main sentences, note sentences and table headings."""
        return cls(out_dir, doc, tuple(sent.of_blocks(doc.blocks)),
                   manifest if manifest is not None else {"files": []},
                   tuple(sent.of_notes(doc)),
                   tuple(sent.table_headings(doc.blocks)))

    @property
    def outline(self) -> Outline:
        """The source's navigation, as the reader computed it."""
        return self.doc.outline

    def path(self, entry: Mapping[str, Any]) -> Path:
        return self.out_dir / str(entry["file"])

    def size(self, entry: Mapping[str, Any], default: int = 18) -> int:
        """The body size the file was asked for, from its manifest options."""
        options = entry.get("options") or {}
        value = options.get("size", default) if isinstance(options, Mapping) else default
        return int(value)


def finding(category: str, check: str, file: str, problems: Sequence[str], passed: str) -> Finding:
    """A failing finding listing ``problems`` (the first names the file), or a passing one."""
    if problems:
        first = problems[0] if not file or file in problems[0] else f"{file}: {problems[0]}"
        return Finding(category, check, file, False, "\n".join([first, *problems[1:]]))
    return Finding(category, check, file, True, passed)


# ---------------------------------------------------------------- titles and outlines


def clean(title: str) -> str:
    """A title as compared across formats: normalised spaces, NFKC, no trailing tab leader."""
    return sent.normalise(title)


def same_title(found: str, title: str, number: str) -> bool:
    """True when a navigation label shows the heading's title, with or without its number."""
    f = clean(found)
    return f == clean(title) or (bool(number) and f == clean(f"{number} {title}"))


def flat(outline: Outline) -> list[tuple[int, str]]:
    """The outline as (level, title) pairs in order."""
    return [(e.level, e.title) for e in outline]


def tree_from_flat(items: Sequence[tuple[int, str]]) -> list[TreeNode]:
    """Nest (level, title) pairs into (title, children) nodes, as Outline.as_tree() does."""
    root: list[TreeNode] = []
    stack: list[tuple[int, list[TreeNode]]] = [(0, root)]
    for level, title in items:
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        node: TreeNode = (title, [])
        stack[-1][1].append(node)
        stack.append((level, node[1]))
    return root


def _numbers(outline: Outline) -> dict[str, list[str]]:
    """Title -> the numbers it may be shown with (titles can repeat in a document)."""
    out: dict[str, list[str]] = {}
    for e in outline:
        out.setdefault(clean(e.title), []).append(e.number)
    return out


def strip_number(label: str, outline: Outline) -> str:
    """A label with its leading section number removed when it is the number of that title."""
    text = clean(label)
    m = re.match(r"^(\d+(?:\.\d+)*)\.?\s+(.*)$", text)
    if m and m.group(1) in _numbers(outline).get(m.group(2), []):
        return m.group(2)
    return text


def titles_only(nodes: Sequence[TreeNode], outline: Outline) -> list[TreeNode]:
    """A found tree with numbers stripped from its labels, for comparison."""
    return [(strip_number(t, outline), titles_only(kids, outline)) for t, kids in nodes]


def compare_tree(found: Sequence[TreeNode], outline: Outline) -> list[str]:
    """Differences between a format's navigation tree and the source's outline.

    Three shapes match, since a contents list may leave out the title it sits under or list
    it first, beside its sections: the whole outline; the sections below the title; the title
    followed by its sections. Empty when they match.
    """
    whole = outline.as_tree()
    got = titles_only(found, outline)
    if len(whole) == 1:
        title, sections = whole[0]
        shapes = [whole, sections, [(title, []), *sections]]
        if any(_shape(got) == _shape(s) for s in shapes):
            return []
        starts_with_title = bool(got) and clean(got[0][0]) == clean(title)
        if not starts_with_title:
            return _diff(got, sections, path=title)
        if len(got) == 1:
            return _diff(got, whole, path="")
        return _diff(got, [(title, []), *sections], path="")
    return _diff(got, whole, path="")


def _shape(nodes: Sequence[TreeNode]) -> list[Any]:
    return [(clean(t), _shape(k)) for t, k in nodes]


def _diff(got: Sequence[TreeNode], expected: Sequence[TreeNode], path: str) -> list[str]:
    where = f" under '{path}'" if path else " at the top"
    problems: list[str] = []
    got_titles = [clean(t) for t, _ in got]
    want_titles = [clean(t) for t, _ in expected]
    if got_titles != want_titles:
        missing = [t for t in want_titles if t not in got_titles]
        extra = [t for t in got_titles if t not in want_titles]
        if missing:
            problems.append(f"missing{where}: " + "; ".join(f"'{t}'" for t in missing))
        if extra:
            problems.append(f"not in the source{where}: " + "; ".join(f"'{t}'" for t in extra))
        if not missing and not extra:
            problems.append(f"out of order{where}: found " + " | ".join(got_titles)
                            + "; expected " + " | ".join(want_titles))
        return problems
    for (title, kids), (_, want_kids) in zip(got, expected, strict=True):
        problems += _diff(kids, want_kids, clean(title))
    return problems


def compare_flat(found: Sequence[tuple[int, str]], outline: Outline) -> list[str]:
    """Differences between (level, label) headings read from a file and the outline."""
    problems: list[str] = []
    previous = 0
    for i, (level, label) in enumerate(found):
        if level > previous + 1:
            problems.append(f"heading {i + 1} '{clean(label)}' skips from level "
                            f"{previous} to level {level}")
        previous = level
    got = [(level, strip_number(label, outline)) for level, label in found]
    want = [(level, clean(title)) for level, title in flat(outline)]
    if got == want:
        return problems
    first = next((i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w),
                 min(len(got), len(want)))
    if first < len(got) and first < len(want):
        (g_level, g_title), (w_level, w_title) = got[first], want[first]
        problems.append(f"heading {first + 1}: found '{g_title}' (level {g_level}), "
                        f"the source has '{w_title}' (level {w_level})")
    got_titles = [t for _, t in got]
    want_titles = [t for _, t in want]
    missing = [t for t in want_titles if t not in got_titles]
    extra = [t for t in got_titles if t not in want_titles]
    if missing:
        problems.append("missing: " + "; ".join(f"'{t}'" for t in missing))
    if extra:
        problems.append("not in the source: " + "; ".join(f"'{t}'" for t in extra))
    if len(got) != len(want):
        problems.append(f"{len(got)} headings, the source has {len(want)}")
    return problems


#: A footnote marker as every format shows it: the note's number in square brackets, "[1]".
#: The source's sentences have none (a note reference has no text), so it is taken out of
#: both sides before comparing; only numbers, so "[see below]" still counts as words.
NOTE_MARKER = re.compile(r"\[\d{1,4}\]")


def comparable(text: str, ignore: re.Pattern[str] | None = None) -> str:
    """Text as sentences are compared: what ``ignore`` matches and note markers taken out."""
    return NOTE_MARKER.sub("", ignore.sub("", text) if ignore else text)


def missing_sentences(ctx: Context, text: str, ignore: re.Pattern[str] | None = None, *,
                      notes: bool = False, headings: bool = False) -> list[str]:
    """Problems for the source's main-text sentences not found in ``text`` in order.

    Footnote markers "[n]" are removed from both sides, and so is whatever ``ignore``
    matches (text a format adds by design, such as a printed link's address). A format
    whose ``text`` also holds the notes or the tables' column headings can have them
    checked here too (``notes=True``: the note sentences in their own order; ``headings=True``:
    every column heading somewhere); one that reads them from another part (a Word footnotes
    part, a notes section, the table it read back) calls ``missing_note_sentences`` or
    ``missing_table_headings`` with that part's text.
    """
    text = without_references(ctx, text)
    problems = _missing("sentences", ctx.sentences, text, ignore)
    if notes:
        problems += missing_note_sentences(ctx, text, ignore)
    if headings:
        problems += missing_table_headings(ctx, text, ignore)
    return problems


def missing_note_sentences(ctx: Context, text: str,
                           ignore: re.Pattern[str] | None = None) -> list[str]:
    """Problems for footnote sentences not found in ``text`` in note order ([] without notes)."""
    if not ctx.notes:
        return []
    return _missing("note sentences", ctx.notes, without_references(ctx, text), ignore)


def without_references(ctx: Context, text: str) -> str:
    """``text`` without what print adds after a link to another page, "(see: Title, https://
    …)" (exporter.links): the source's sentences do not have it."""
    for pattern in reference_patterns(ctx.doc):
        text = pattern.sub("", text)
    return text


def missing_table_headings(ctx: Context, text: str,
                           ignore: re.Pattern[str] | None = None) -> list[str]:
    """Problems for table column headings found nowhere in ``text`` (as whole words)."""
    if not ctx.table_headings:
        return []
    haystack = sent.normalise(comparable(text, ignore))
    missing = [h for h in dict.fromkeys(ctx.table_headings)
               if not re.search(rf"(?<!\w){re.escape(sent.normalise(comparable(h, ignore)))}"
                                r"(?!\w)", haystack)]
    if not missing:
        return []
    shown = "; ".join(f"'{_short(h)}'" for h in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    return [f"{len(missing)} of {len(set(ctx.table_headings))} table headings missing: "
            f"{shown}{more}"]


def _missing(what: str, wanted: Sequence[str], text: str,
             ignore: re.Pattern[str] | None) -> list[str]:
    missing = sent.missing_in_order([comparable(s, ignore) for s in wanted],
                                    comparable(text, ignore))
    if not missing:
        return []
    shown = "; ".join(f"'{_short(s)}'" for s in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return [f"{len(missing)} of {len(wanted)} {what} missing or out of order: {shown}{more}"]


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def is_serif(font_name: str) -> bool:
    """True when a font's name says it is a serif (or monospaced) face."""
    name = re.sub(r"^[A-Z]{6}\+", "", font_name).lower().replace(" ", "").replace("-", "")
    if "sans" in name:
        return False
    return any(s.replace(" ", "") in name for s in SERIF_NAMES)


def is_italic(font_name: str) -> bool:
    """True when a font's name says it is an italic or oblique face."""
    name = font_name.lower()
    return "italic" in name or "oblique" in name
