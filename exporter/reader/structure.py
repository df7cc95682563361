"""The heading structure: one title first, no skipped levels, no empty sections or headings."""

from __future__ import annotations

from collections.abc import Sequence

from exporter.model import Block, Heading, Text, plain_text
from exporter.reader.problems import Problems
from exporter.sentences import normalise


def arrange(blocks: Sequence[Block], title: str, problems: Problems,
            rejected: Sequence[int], first_line: int) -> tuple[Block, ...]:
    """The blocks with a title heading first and heading levels that never skip.

    A body without a leading ``#`` heading takes the front matter's title as its heading;
    a second ``#`` heading becomes a section, and a skipped level is closed up, each with
    a warning: the outline every format shows is then well formed.
    """
    out = list(blocks)
    if not out or not (isinstance(out[0], Heading) and out[0].level == 1):
        later = next((b for b in out if isinstance(b, Heading) and b.level == 1), None)
        if title:
            out.insert(0, Heading(1, (Text(title),), 0, first_line))
        elif later is not None:
            problems.error(_line(out[0]), "text comes before the title heading (line "
                           f"{later.line})", "move the '# ' title to the top, or give the page "
                           "a 'title:' in the front matter")
        else:
            line = _line(out[0]) if out else first_line
            problems.error(line, "the page has no title", "give it a 'title:' in the front "
                           "matter, or start the body with '# Title'")
    fixed: list[Block] = []
    previous = 0
    index = 0
    for block in out:
        if not isinstance(block, Heading):
            fixed.append(block)
            continue
        level = block.level
        if index > 0 and level == 1:
            problems.warning(block.line, "a second '#' title heading; it is treated as a "
                             "section ('##')", "use '##' for sections: a page has one title")
            level = 2
        if previous and level > previous + 1:
            problems.warning(block.line, f"skipped heading level: H{previous} then H{level}; "
                             f"it is treated as H{previous + 1}",
                             f"use '{'#' * (previous + 1)}' here, or add the missing level "
                             "above it")
            level = previous + 1
        fixed.append(Heading(level, block.children, index, block.line, block.explicit_id))
        previous = level
        index += 1
    _check_headings(fixed, problems, rejected)
    return tuple(fixed)


#: Longer is not a heading: it fills pages of large print, and every contents list, bookmark,
#: Navigation pane and audio chapter repeats it.
MAX_HEADING_CHARS = 300


def _check_headings(blocks: Sequence[Block], problems: Problems, rejected: Sequence[int]) -> None:
    for i, block in enumerate(blocks):
        if not isinstance(block, Heading):
            continue
        title = normalise(plain_text(block.children))
        if not title:
            problems.error(block.line, "an empty heading (no visible text)",
                           "write the heading's text")
            continue
        if len(title) > MAX_HEADING_CHARS:
            problems.error(block.line, f"a heading {len(title):,} characters long",
                           f"keep headings under {MAX_HEADING_CHARS} characters: put the rest "
                           "in a paragraph under it")
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        end = _line(following) if following is not None else 1 << 30
        rejected_inside = any(block.line < r < end for r in rejected)
        empty = following is None or (isinstance(following, Heading)
                                      and following.level <= block.level)
        if empty and not rejected_inside and i > 0:
            problems.warning(block.line, f"the section '{title[:60]}' is empty",
                             "write its content under the heading, or remove the heading")


def _line(block: Block) -> int:
    return int(getattr(block, "line", 0))
