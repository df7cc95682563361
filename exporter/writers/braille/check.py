"""Read-back checks of the braille files: pages, numbers, sentences, headings, contents, PEF."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks.common import Context, Finding, finding
from exporter.links import reference_patterns
from exporter.writers.base import WriterError
from exporter.writers.braille import readback as rb
from exporter.writers.braille.cells import BLANK, from_ascii
from exporter.writers.braille.pef import read_pef
from exporter.writers.braille.pef_schema import validate_pef
from exporter.writers.braille.settings import Settings, load_settings
from exporter.writers.braille.translator import Braille


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """Every check of every BRF, and of each PEF against its schema and its BRF."""
    found: list[Finding] = []
    brf_pages: dict[str, list[list[str]]] = {}
    for entry in entries:
        path = ctx.path(entry)
        if path.suffix == ".brf":
            pages, findings = check_brf(ctx, entry, path)
            found += findings
            if pages is not None:
                brf_pages[path.stem] = pages
    for entry in entries:
        path = ctx.path(entry)
        if path.suffix == ".pef":
            found.append(check_pef(path, _settings(entry), brf_pages.get(path.stem)))
    return found


def _settings(entry: Mapping[str, Any]) -> Settings:
    from exporter.styles import load_styles

    facts = entry.get("facts") or {}
    base = load_settings(load_styles())
    return dataclasses.replace(base, cells=int(facts.get("cells", base.cells)),
                               lines=int(facts.get("lines", base.lines)))


def read_brf(data: bytes) -> list[list[str]]:
    """The pages of a BRF as lines of Unicode braille; ValueError for anything not braille."""
    text = data.decode("ascii")
    pages = []
    for raw in text.split("\f"):
        lines = raw.replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        pages.append([from_ascii(line) for line in lines])
    return pages


def check_brf(ctx: Context, entry: Mapping[str, Any],
              path: Path) -> tuple[list[list[str]] | None, list[Finding]]:
    """The checks of one BRF file, and its pages (None when it cannot be read)."""
    name = path.name
    try:
        pages = read_brf(path.read_bytes())
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [Finding("validity", "braille.brf", name, False,
                              f"{name}: not ASCII braille: {exc}")]
    s = _settings(entry)
    facts = entry.get("facts") or {}
    found = [finding("validity", "braille.page-size", name, _sizes(pages, s),
                     f"{len(pages)} pages, none over {s.lines} lines, no line over {s.cells} "
                     "cells")]
    try:
        braille = Braille.for_table(str(facts.get("table", "")), int(facts.get("grade", 2)))
    except WriterError as exc:
        return pages, [*found, Finding("validity", "braille.read-back", name, False,
                                       f"{name}: not read back: {exc}")]
    found.append(finding("validity", "braille.page-numbers", name,
                         _numbers(pages, s, braille),
                         f"braille page numbers 1 to {len(pages)} on every page"))
    front = int(facts.get("front_pages", 0))
    lines = rb.text_lines(pages, s)
    body = [p for p in lines if p.page > front]
    lost = rb.missing(ctx.sentences, body, braille, reference_patterns(ctx.doc, rb.fold))
    problems = [f"{len(lost)} of {len(ctx.sentences)} sentences missing or out of order: "
                + "; ".join(f"'{_short(t)}'" for t in lost[:3])
                + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")] if lost else []
    found.append(finding("content", "braille.sentences", name, problems,
                         f"all {len(ctx.sentences)} sentences, in order ({braille.table}, "
                         "read back by liblouis)"))
    headings, heading_problems = rb.find_headings(ctx.doc, body, s, braille)
    found.append(finding("navigation", "braille.headings", name, heading_problems,
                         f"{len(headings)} headings in the outline's order, each in its "
                         "level's place"))
    front_lines = [p for p in lines if p.page <= front]
    found.append(finding("navigation", "braille.contents", name,
                         rb.check_contents(ctx.doc, front_lines, headings, s, braille),
                         "contents entries in order, each with its heading's braille page"))
    found.append(finding("content", "braille.title-page", name,
                         _title_page(ctx, pages, s, braille), "title page names the title"))
    return pages, found


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _sizes(pages: list[list[str]], s: Settings) -> list[str]:
    problems = []
    for n, page in enumerate(pages, start=1):
        if len(page) > s.lines:
            problems.append(f"page {n} has {len(page)} lines (at most {s.lines})")
        for i, line in enumerate(page, start=1):
            if len(line) > s.cells:
                problems.append(f"page {n} line {i} has {len(line)} cells (at most {s.cells})")
    return problems


def _numbers(pages: list[list[str]], s: Settings, braille: Braille) -> list[str]:
    problems = []
    for n, page in enumerate(pages, start=1):
        line = (page[0] if s.number_at_top else page[-1]) if page else ""
        want = braille.cells(str(n))
        if not line.endswith(want) or line[: -len(want)].strip(BLANK) or \
                len(line) != s.cells:
            where = "first" if s.number_at_top else "last"
            problems.append(f"page {n}: its {where} line is not its number {n} at the right")
            if len(problems) >= 3:
                break
    return problems


def _title_page(ctx: Context, pages: list[list[str]], s: Settings,
                braille: Braille) -> list[str]:
    first = rb.text_lines(pages[:1], s)
    text = rb.plain(braille.back(rb.joined(first)))
    title = rb.plain(ctx.doc.meta.title)
    if title in text or rb.missing([ctx.doc.meta.title], first, braille) == []:
        return []
    return [f"page 1 does not give the title '{ctx.doc.meta.title}'"]


def check_pef(path: Path, s: Settings, brf: list[list[str]] | None) -> Finding:
    """The PEF is valid PEF 1.0 and holds exactly the BRF's pages."""
    name = path.name
    data = path.read_bytes()
    problems = validate_pef(data)
    if not problems:
        pages = read_pef(data)
        if brf is None:
            problems.append("no BRF beside it to compare with")
        elif [[r.rstrip(BLANK) for r in p] for p in pages] != brf:
            differ = next((i for i, (a, b) in enumerate(zip(pages, brf, strict=False), 1)
                           if a != b), min(len(pages), len(brf)) + 1)
            problems.append(f"its pages differ from the BRF's from page {differ} "
                            f"({len(pages)} pages, the BRF has {len(brf)})")
    return finding("validity", "braille.pef", name, problems,
                   "valid PEF 1.0; the same pages as the BRF")
