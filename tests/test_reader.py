"""The reader: the real source, fixture documents, and one test per kind of bad input."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from exporter.model import Callout, Emphasis, Heading, Link, ListBlock, Paragraph, Strong, Text
from exporter.reader import SourceError, parse, read
from tests.conftest import FIXTURES, ROOT, SOURCE

INVALID = FIXTURES / "invalid"
VALID = FIXTURES / "valid"

# fixture file -> (line, words the message must contain)
BAD_INPUTS: dict[str, tuple[int, str]] = {
    "no-front-matter.md": (1, "missing YAML front matter"),
    "malformed-front-matter.md": (3, "malformed front matter"),
    "missing-field.md": (1, "no 'publisher' field"),
    "skipped-level.md": (17, "skipped heading level: H2 then H4"),
    "empty-heading.md": (13, "an empty heading"),
    "empty-section.md": (13, "the section 'Empty section' is empty"),
    "duplicate-id.md": (17, "duplicate heading id 'same'"),
    "raw-html.md": (11, "raw HTML is not allowed"),
    "image-no-alt.md": (11, "has no alt text"),
    "click-here.md": (11, "link text 'click here' does not say where it goes"),
    "bare-address.md": (11, "link text is a bare address"),
    "control-character.md": (11, "control character U+0007"),
    "not-utf8.md": (11, "not UTF-8"),
    "broken-anchor.md": (11, "no heading has that id"),
    "unknown-callout.md": (11, "unknown callout kind [!SHOUT]"),
    "code-block.md": (11, "indented code block is not supported"),
    "javascript-link.md": (11, "'javascript:alert(1)' is not allowed"),
}


def test_hsct_source_reads(hsct_doc: object) -> None:
    doc = read(SOURCE)
    assert doc.meta.title == "HSCT (haematopoietic stem cell transplantation)"
    assert doc.meta.language == "en-GB"
    assert doc.meta.helpline == "0808 800 8000"
    assert doc.meta.updated is None  # the page's date is cut off: unknown, not invented
    assert [h.level for h in doc.headings] == [1, 2, 2, 2, 3, 3, 2, 2]
    kinds = [b.kind for b in doc.blocks if isinstance(b, Callout)]
    assert kinds[:2] == ["helpline", "notice"]
    assert kinds.count("related") == 4


def test_hsct_source_keeps_no_web_furniture() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    for furniture in ("Jump to:", "Back to the top", "We last updated this page on"):
        assert furniture not in text.split("---", 2)[2]


def test_inline_markup_becomes_model_nodes() -> None:
    doc = read(VALID / "nested-levels.md")
    first = doc.blocks[1]
    assert isinstance(first, Paragraph)
    kinds = {type(n) for n in first.children}
    assert {Text, Emphasis, Strong, Link} <= kinds
    assert doc.meta.updated == dt.date(2024, 3, 5)
    lists = [b for b in doc.blocks if isinstance(b, ListBlock)]
    assert [b.ordered for b in lists] == [True, False]
    explicit = [h for h in doc.headings if h.explicit_id]
    assert [h.explicit_id for h in explicit] == ["part-two"]
    assert isinstance(doc.blocks[0], Heading)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_with_line_and_fix(name: str) -> None:
    line, words = BAD_INPUTS[name]
    path = INVALID / name
    with pytest.raises(SourceError) as err:
        read(path)
    messages = [str(p) for p in err.value.problems]
    assert any(words in m for m in messages), messages
    hit = next(p for p in err.value.problems if words in p.message)
    assert hit.line == line
    assert str(hit).startswith(f"{path}:{line}: ")
    assert "Fix: " in str(hit)


def test_every_problem_of_a_run_is_reported_together() -> None:
    with pytest.raises(SourceError) as err:
        read(INVALID / "several-problems.md")
    lines = [(p.line, p.message.split(":")[0]) for p in err.value.problems]
    assert len(lines) == 3, lines
    assert [p.line for p in err.value.problems] == [1, 12, 14]


def test_source_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 4096)
    with pytest.raises(SourceError) as err:
        read(big, max_bytes=1024)
    assert "over the 1,024-byte limit" in str(err.value)


def test_default_size_cap_is_a_few_megabytes(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"---\n" + b"a" * (3 * 1024 * 1024))
    with pytest.raises(SourceError, match="limit"):
        read(big)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_cli_exits_2_and_writes_nothing(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "exporter", "export", str(INVALID / name), "--to", "html",
         "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{INVALID / name}:{BAD_INPUTS[name][0]}: " in proc.stderr
    assert "nothing was written" in proc.stderr
    assert not out.exists()


def test_front_matter_types_are_checked() -> None:
    src = (b"---\ntitle: T\nlanguage: english please\npublisher: P\nhelpline: 8008000\n"
           b"summary: S\nupdated: sometime\ncolour: red\n---\n\n# T\n\nText.\n")
    with pytest.raises(SourceError) as err:
        parse(src, "t.md")
    text = str(err.value)
    assert "t.md:3: 'language' is not a language tag" in text
    assert "t.md:5: 'helpline' must be non-empty text" in text
    assert "t.md:7: 'updated' must be a date" in text
    assert "t.md:8: unknown front-matter field 'colour'" in text


def test_crlf_and_bom_are_accepted() -> None:
    src = "\ufeff---\r\ntitle: T\r\nlanguage: en-GB\r\npublisher: P\r\nhelpline: \"1\"\r\n" \
          "summary: S\r\n---\r\n\r\n# T\r\n\r\nText.\r\n"
    doc = parse(src.encode(), "t.md")
    assert doc.meta.title == "T"


@pytest.mark.parametrize("path", sorted(VALID.glob("*.md")), ids=lambda p: p.name)
def test_valid_fixtures_read(path: Path) -> None:
    doc = read(path)
    assert doc.headings and doc.headings[0].level == 1
