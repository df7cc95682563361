"""Reads a source (YAML front matter + Markdown) into a Document, or reports every problem."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from exporter.locale import messages
from exporter.model import Document, Entry, Heading, Metadata, plain_text
from exporter.outline import NUMBERING_DEFAULT, build_outline, numbering
from exporter.reader import frontmatter
from exporter.reader.anchors import github_id_map, relink
from exporter.reader.blocks import MAX_DEPTH, BlockReader
from exporter.reader.inlines import InlineReader
from exporter.reader.problems import Problem, Problems, SourceError
from exporter.reader.source import MAX_SOURCE_BYTES, NONCHARACTERS, decode, read_bytes
from exporter.reader.structure import arrange

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

__all__ = ["MAX_SOURCE_BYTES", "Problem", "ReadOptions", "SourceError", "parse", "read",
           "read_bytes"]

_CONTROL = "".join(chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F,
                                    *range(0x80, 0xA0)))
_FORBIDDEN = re.compile("[" + re.escape(_CONTROL.replace("\t", "") + NONCHARACTERS) + "]")


@dataclass(frozen=True)
class ReadOptions:
    """Project settings the reader falls back on (from styles/settings.yaml)."""

    default_language: str = ""  #: used, with a warning, when the front matter names none
    base_url: str = ""  #: relative links resolve against this unless the page sets its own
    strict: bool = False  #: warnings are errors (like ``sphinx-build -W``)
    max_bytes: int = MAX_SOURCE_BYTES
    numbering: bool = NUMBERING_DEFAULT  #: section numbers are part of the headings (outline)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, strict: bool = False) -> ReadOptions:
        """The fallbacks named in styles/settings.yaml (default_language, base_url) and its
        numbering setting."""
        return cls(default_language=str(settings.get("default_language") or ""),
                   base_url=str(settings.get("base_url") or ""), strict=strict,
                   numbering=numbering(settings))


def read(path: Path, options: ReadOptions | None = None) -> Document:
    """Read and check a source file; raises SourceError listing every problem found."""
    opts = options or ReadOptions()
    return parse(read_bytes(path, max_bytes=opts.max_bytes), str(path), opts)


def parse(data: bytes, path: str = "<source>", options: ReadOptions | None = None) -> Document:
    """Parse source bytes; ``path`` names the file in messages, and its folder holds images."""
    opts = options or ReadOptions()
    text = decode(data, path, opts.max_bytes)
    problems = Problems(path)
    _control_characters(text, problems)
    text = _separators(text, problems)
    _stacked_marks(text, problems)
    fm = frontmatter.split(text, problems)
    if fm is None:
        raise SourceError(problems.found)
    fields = frontmatter.check(fm, problems)
    base_url = fields.text.get("base_url") or opts.base_url
    language = fields.text.get("language", "")
    if not language:
        if opts.default_language:
            language = opts.default_language
            problems.warning(1, f"no 'language' in the front matter; {language} is assumed",
                             "add a line 'language: ...' (a tag such as en-GB or cy)")
        elif "language" not in fm.values:
            problems.error(1, "the front matter has no 'language' field",
                           "add a line 'language: en-GB' (or the page's language) between "
                           "'---' lines at the top")
    words = messages(language or "en")
    if language and not words.complete:
        problems.warning(1, f"no interface words in the language '{language}': labels such as "
                         "'Contents' are in English", "add exporter/messages/"
                         f"{language.split('-')[0].lower()}.yaml, or choose a language that "
                         "has one")
    inline = InlineReader(problems, Path(path).parent, base_url)
    reader = BlockReader(problems, inline, fm.offset, words)
    blocks = reader.blocks(_parse_markdown(fm.body), top=True)
    headings_h1 = [b for b in blocks if isinstance(b, Heading) and b.level == 1]
    title = fields.text.get("title") or (plain_text(headings_h1[0].children).strip()
                                         if headings_h1 else "")
    blocks = arrange(blocks, fields.text.get("title", ""), problems, reader.rejected,
                     fm.offset + 1)
    if not any(not isinstance(b, Heading) for b in blocks) and not problems.errors:
        problems.error(fm.offset + 1, "the page has no text, only headings",
                       "write the page's content after the front matter")
    headings = tuple(b for b in blocks if isinstance(b, Heading))
    outline = build_outline(headings, numbered=opts.numbering)
    aliases = _check_ids(headings, outline.entries, inline.anchors, problems)
    blocks, notes = relink(blocks, tuple(reader.notes), aliases)
    problems.raise_if_errors(strict=opts.strict)
    meta = Metadata(
        title=title, language=language,
        publisher=fields.text.get("publisher", ""), helpline=fields.text.get("helpline", ""),
        summary=fields.text.get("summary", ""), updated=fields.updated,
        subject=fields.text.get("subject") or None, keywords=fields.keywords,
        base_url=base_url,
    )
    return Document(meta, blocks, path, hashlib.sha256(data).hexdigest(), headings, outline,
                    notes, tuple(str(p) for p in problems.warnings))


def _parse_markdown(body: str) -> list[SyntaxTreeNode]:
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    # HTML recognition is on only so that raw HTML becomes tokens the reader can name (and
    # comments tokens it can drop); no token of it ever reaches a writer.
    md = MarkdownIt("commonmark", {"html": True, "linkify": True,
                                   "maxNesting": 4 * MAX_DEPTH + 8})
    md.enable(["table", "linkify"]).use(footnote_plugin).use(deflist_plugin)
    # markdown-it silently leaves links with unsafe schemes (javascript:, file:) as plain
    # text; accept every address here so the reader can name the problem instead.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return list(SyntaxTreeNode(md.parse(body)).children)


def _control_characters(text: str, problems: Problems) -> None:
    if not _FORBIDDEN.search(text):  # the common case, checked at C speed
        return
    for number, line in enumerate(text.split("\n"), 1):
        for m in _FORBIDDEN.finditer(line):
            ch = m.group()
            if ch in NONCHARACTERS:
                problems.error(number, f"the noncharacter U+{ord(ch):04X} at column "
                               f"{m.start() + 1}", "delete it (it is not text, and Word and "
                               "EPUB files cannot hold it)")
            else:
                problems.error(number, f"control character U+{ord(ch):04X} at column "
                               f"{m.start() + 1}", "delete it (it is invisible in most editors)")


#: U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: pasted from web pages and scripts,
#: invisible in most editors, and read differently by every format (a break in one, nothing
#: in another): read as the space they look like, with a warning.
_SEPARATORS = re.compile("[\u2028\u2029]")
#: A letter carrying more combining marks than any language needs ("Zalgo" text): it spills
#: over the lines around it and no reader or format can show it faithfully.
MAX_MARKS = 8
_STACKED = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
                      f"{{{MAX_MARKS + 1},}}")


def _separators(text: str, problems: Problems) -> str:
    if not _SEPARATORS.search(text):
        return text
    for number, line in enumerate(text.split("\n"), 1):
        for m in _SEPARATORS.finditer(line):
            name = "line" if m.group() == "\u2028" else "paragraph"
            problems.warning(number, f"the invisible {name} separator U+{ord(m.group()):04X} at "
                             f"column {m.start() + 1} is read as a space",
                             "use an empty line for a new paragraph, or end the line with '\\' "
                             "for a line break")
    return _SEPARATORS.sub(" ", text)


def _stacked_marks(text: str, problems: Problems) -> None:
    if not _STACKED.search(text):
        return
    for number, line in enumerate(text.split("\n"), 1):
        for m in _STACKED.finditer(line):
            problems.error(number, f"{len(m.group())} accents (combining marks) stacked on one "
                           f"letter at column {m.start()}", f"keep at most {MAX_MARKS}; "
                           "remove the rest")


def _check_ids(headings: tuple[Heading, ...], entries: tuple[Entry, ...],
               anchors: list[tuple[str, int]], problems: Problems) -> dict[str, str]:
    """Problems with heading ids and links to them; GitHub-style ids that name a heading."""
    ids = [e.id for e in entries]
    seen: dict[str, int] = {}
    for heading, hid in zip(headings, ids, strict=True):
        if hid in seen:
            problems.error(heading.line, f"duplicate heading id '{hid}' (also on line "
                           f"{seen[hid]})", "give each heading a different {#id}")
        seen[hid] = heading.line
    github = github_id_map(entries)
    aliases: dict[str, str] = {}
    for href, line in anchors:
        target = unquote(href[1:])  # markdown-it percent-encodes letters beyond ASCII
        if target not in seen and target in github:
            aliases[href[1:]] = github[target]
        elif target not in seen:
            shown = ", ".join("#" + i for i in ids[:12]) + (" ..." if len(ids) > 12 else "")
            problems.error(line, f"link to '{href[:60]}', but no heading has that id",
                           f"link to one of: {shown}")
    return aliases
