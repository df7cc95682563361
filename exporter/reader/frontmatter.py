"""The YAML front matter: bounded before it is built, every value checked, into Metadata fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from exporter.reader.problems import Problems, shown
from exporter.reader.source import NONCHARACTERS

REQUIRED_FIELDS = ("title", "language")
TEXT_FIELDS = ("title", "language", "publisher", "helpline", "summary", "subject", "base_url")
KNOWN_FIELDS = (*TEXT_FIELDS, "updated", "keywords")
#: Nesting and size limits: real front matter is a flat list of fields (YAML bombs are not).
MAX_DEPTH = 4
MAX_NODES = 1000
MAX_VALUE_CHARS = 2000
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
#: C0 and C1 controls: what "\0", "\x1b", "\n" escapes in double quotes produce; and
#: noncharacters ("\uFFFE"), which no XML format can hold.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + re.escape(NONCHARACTERS) + "]")
#: Text direction overrides and isolates: invisible, they reorder what a title shows.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


@dataclass
class FrontMatter:
    """The front matter as read: values by field, and the line of each field."""

    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""  #: the Markdown after the front matter
    offset: int = 0  #: lines before the body (for line numbers)
    present: bool = False


def split(text: str, problems: Problems) -> FrontMatter | None:
    """Separate the front matter from the body; None when it cannot be read at all."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter(body=text)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        problems.error(1, "the front matter is never closed",
                       "add a '---' line after the last field")
        return None
    yaml_text = "\n".join(lines[1:end])
    fm = FrontMatter(body="\n".join(lines[end + 1:]), offset=end + 1, present=True)
    if not _bounded(yaml_text, problems):
        return None
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        data = _construct(node, problems) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.error(line, f"malformed front matter: {reason}",
                       "correct the YAML (quote values that contain ': ' or start with a "
                       "special character)")
        return None
    if data is None:
        return None if problems.errors else fm
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        problems.error(2, "the front matter is not a set of 'field: value' lines",
                       "write one 'field: value' per line")
        return None
    seen: set[str] = set()
    for key, _ in node.value:
        name = str(key.value)
        if name in seen:
            problems.error(2 + key.start_mark.line, f"the field '{name[:40]}' is given twice",
                           "keep one of the two lines")
        seen.add(name)
        fm.lines[name] = 2 + key.start_mark.line
    fm.values = {str(k): v for k, v in data.items()}
    return fm


def _construct(node: yaml.Node, problems: Problems) -> Any:
    """Python values from the composed YAML; a value that cannot be built (such as the date
    2024-02-30, which PyYAML fails on with a bare ValueError) is named with its line."""
    loader = yaml.SafeLoader("")
    try:
        if not isinstance(node, yaml.MappingNode):
            return loader.construct_document(node)
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                data[key] = loader.construct_object(value_node, deep=True)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError) as exc:
                name = shown(str(key), 40)
                why = " ".join(str(getattr(exc, "problem", None) or exc).split())[:120]
                problems.error(2 + value_node.start_mark.line,
                               f"the value of {name} cannot be read: {why}",
                               "write a valid value (a date as YYYY-MM-DD, text in quotes)")
                return None
        return data
    except (ValueError, TypeError, OverflowError) as exc:
        why = " ".join(str(exc).split())[:120]
        problems.error(2 + node.start_mark.line, f"malformed front matter: {why}",
                       "correct the YAML")
        return None
    finally:
        loader.dispose()


def _bounded(yaml_text: str, problems: Problems) -> bool:
    """Walk the YAML's events (no building yet) and refuse aliases, deep nesting, huge counts.

    PyYAML's safe_load expands aliases: a few lines of ``&a [*b, *b, ...]`` make billions of
    values. Nothing is built until the events show none of that.
    """
    depth = nodes = 0
    try:
        for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
            line = 2 + (event.start_mark.line if event.start_mark is not None else 0)
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                problems.error(line, "the front matter uses a YAML anchor or alias (& or *)",
                               "write each value out in full")
                return False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.error(line, f"the front matter is nested more than {MAX_DEPTH} "
                                   "levels deep", "write one 'field: value' per line; "
                                   "keywords as a simple list")
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    problems.error(line, f"the front matter has more than {MAX_NODES} values",
                                   "keep only the fields the page needs")
                    return False
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.error(line, f"malformed front matter: {reason}",
                       "correct the YAML (quote values that contain ': ' or start with a "
                       "special character)")
        return False
    return True


@dataclass(frozen=True)
class Fields:
    """Checked front-matter values (empty where not given)."""

    text: Mapping[str, str]
    updated: dt.date | None
    keywords: tuple[str, ...]


def check(fm: FrontMatter, problems: Problems) -> Fields:
    """Every field checked; problems name the field's line and say how to write it."""
    values, lines = fm.values, fm.lines
    for key in values:
        if key not in KNOWN_FIELDS:
            problems.warning(lines.get(key, 1), f"unknown front-matter field {shown(key)} is "
                             "ignored", f"use only: {', '.join(KNOWN_FIELDS)}")
    text: dict[str, str] = {}
    for key in TEXT_FIELDS:
        if key not in values or values[key] is None:
            continue
        value = values[key]
        line = lines.get(key, 1)
        if isinstance(value, int | float) and not isinstance(value, bool) and key != "language":
            value = str(value)  # a number such as a helpline written without quotes
        if not isinstance(value, str):
            problems.error(line, f"'{key}' must be text", f"write it as text, in quotes if "
                           f"needed: {key}: \"...\"")
            continue
        if _text_ok(key, value, line, problems):
            text[key] = " ".join(value.split()) if key == "summary" else value.strip()
    _check_language(text, lines, problems)
    _check_base_url(text, lines, problems)
    updated = values.get("updated")
    if updated is not None and (not isinstance(updated, dt.date)
                                or isinstance(updated, dt.datetime)):
        problems.error(lines.get("updated", 1), f"'updated' must be a date, got "
                       f"{shown(str(updated))}", "write YYYY-MM-DD, or null when the date is "
                       "unknown")
        updated = None
    raw_keywords = values.get("keywords") or []
    keywords: list[str] = []
    if not isinstance(raw_keywords, list) or not all(isinstance(k, str) for k in raw_keywords):
        problems.error(lines.get("keywords", 1), "'keywords' must be a list of text",
                       "write keywords: [word, another word]")
    else:
        for k in raw_keywords:
            if _text_ok("keywords", k, lines.get("keywords", 1), problems) and k.strip():
                keywords.append(k.strip())
    return Fields(text, updated, tuple(keywords))


def _text_ok(key: str, value: str, line: int, problems: Problems) -> bool:
    allowed_newlines = key == "summary"
    bad = _CONTROL.search(value.replace("\n", " ") if allowed_newlines else value)
    if bad:
        problems.error(line, f"'{key}' holds the control character U+{ord(bad.group()):04X}",
                       "remove the escape (such as \\n, \\0 or \\x1b) from the value")
        return False
    bidi = _BIDI.search(value)
    if bidi:
        problems.error(line, f"'{key}' holds the invisible direction control "
                       f"U+{ord(bidi.group()):04X}", "remove it; the language tag sets the "
                       "text's direction")
        return False
    if len(value) > MAX_VALUE_CHARS:
        problems.error(line, f"'{key}' is {len(value):,} characters long",
                       f"keep it under {MAX_VALUE_CHARS:,}")
        return False
    if key in REQUIRED_FIELDS and not value.strip():
        problems.error(line, f"'{key}' is empty", f"write the {key}")
        return False
    return True


def _check_language(text: dict[str, str], lines: Mapping[str, int], problems: Problems) -> None:
    language = text.get("language")
    if language is not None and not _LANGUAGE.match(language):
        problems.error(lines["language"], f"'language' is not a language tag: {shown(language)}",
                       "use a BCP 47 tag such as en-GB or cy")
        del text["language"]


def _check_base_url(text: dict[str, str], lines: Mapping[str, int], problems: Problems) -> None:
    base = text.get("base_url")
    if base is None:
        return
    parts = urlsplit(base)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        problems.error(lines["base_url"], f"'base_url' is not a web address: {shown(base)}",
                       "write the address the page is published at, e.g. "
                       "https://www.example.org/help/")
        del text["base_url"]
