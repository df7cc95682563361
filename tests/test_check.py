"""`exporter check` as a whole: every format passes; the report as text and JSON; outlines."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from exporter.batch import export
from exporter.checks.common import (
    Context,
    compare_flat,
    compare_tree,
    missing_note_sentences,
    missing_sentences,
    missing_table_headings,
)
from exporter.model import Document
from exporter.outline import Outline, TreeNode
from exporter.readback import REPORT_NAME, Finding, Report, print_report, run_checks, write_report
from exporter.reader import parse, read
from exporter.styles import Styles
from tests.tamper import build, fresh_copy

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
FORMATS = ("html", "pdf", "docx", "epub", "audio")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every installed format built as `make export` would (one size), checked once."""
    out = tmp_path_factory.mktemp("all") / "output"
    results = export(SOURCE, out, list(FORMATS), sizes=[18], jobs=2)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return out


@pytest.fixture(scope="module")
def report(everything: Path) -> Report:
    return run_checks(everything, SOURCE)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    """The HTML page alone: quick to check, for the report's own tests."""
    out = tmp_path_factory.mktemp("small") / "output"
    build(out, "html", hsct_doc, styles)
    return out


def test_every_output_passes(report: Report) -> None:
    assert report.ok, "\n".join(f"{f.check} {f.file}: {f.detail}" for f in report.failures)


def test_every_format_is_read_back(report: Report, everything: Path) -> None:
    manifest = json.loads((everything / "manifest.json").read_text(encoding="utf-8"))
    formats = {e["format"] for e in manifest["files"]}
    checked = {f.check.split(".")[0] for f in report.findings}
    assert formats == set(FORMATS) and formats <= checked


def test_plain_report_names_failures_first(small: Path, tmp_path: Path) -> None:
    out = fresh_copy(small, tmp_path / "output")
    with (out / "hsct.html").open("a", encoding="utf-8") as f:
        f.write("\n")
    report = run_checks(out, SOURCE)
    text = io.StringIO()
    print_report(report, text)
    first, second = text.getvalue().splitlines()[:2]
    assert first.startswith("check: 1 of ") and "integrity.sha256 (hsct.html)" in first
    assert second.startswith("FAIL  integrity.sha256") and "hsct.html" in second


def test_rich_table_on_a_terminal(report: Report) -> None:
    text = Tty()
    print_report(report, text)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", text.getvalue())  # colours
    assert shown.splitlines()[0].startswith("check: all ")
    assert "Result" in shown and "┃" in shown and "html.headings" in shown


def test_json_report_written_and_not_a_stray(small: Path, tmp_path: Path) -> None:
    out = fresh_copy(small, tmp_path / "output")
    path = write_report(run_checks(out, SOURCE))
    assert path == out / REPORT_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["failures"] == 0
    assert {"category", "check", "file", "status", "detail"} == set(data["findings"][0])
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))
    assert run_checks(out, SOURCE).ok  # the report itself is not a stray file


@pytest.mark.parametrize("source", sorted((ROOT / "tests" / "fixtures" / "valid").glob("*.md")),
                         ids=lambda p: p.stem)
def test_fixture_sources_check_clean(tmp_path: Path, styles: Styles, source: Path) -> None:
    """Other outlines (deeper nesting, many sections, no sections, web links) pass too."""
    out = tmp_path / "output"
    for writer in ("html", "pdf", "docx"):
        build(out, writer, read(source), styles)
    report = run_checks(out, source)
    assert report.ok, (source.name, [f.detail for f in report.failures])


# ---------------------------------------------------------------- outline comparison


def test_tree_shapes_accepted(hsct_outline: Outline) -> None:
    whole = hsct_outline.as_tree()
    title, sections = whole[0]
    assert compare_tree(whole, hsct_outline) == []
    assert compare_tree(sections, hsct_outline) == []
    assert compare_tree([(title, []), *sections], hsct_outline) == []
    numbered: list[TreeNode] = [(f"{e.number} {e.title}", []) for e in hsct_outline
                                if e.level == 2]
    assert compare_tree(numbered, hsct_outline) != []  # flat: the subsections are missing


def test_tree_differences_named(hsct_outline: Outline) -> None:
    title, sections = hsct_outline.as_tree()[0]
    swapped = [sections[1], sections[0], *sections[2:]]
    assert compare_tree(swapped, hsct_outline)[0].startswith("out of order under")
    extra = [*sections, ("Appendix", [])]
    assert compare_tree(extra, hsct_outline) == [
        f"not in the source under '{title}': 'Appendix'"]


def test_flat_headings(hsct_outline: Outline, hsct_doc: Document) -> None:
    flat = [(e.level, e.title) for e in hsct_outline]
    assert compare_flat(flat, hsct_outline) == []
    assert compare_flat([(e.level, e.label) for e in hsct_outline], hsct_outline) == []
    problems = compare_flat(flat[:3] + flat[4:], hsct_outline)
    assert any("missing: 'How well does HSCT work?'" in p for p in problems)


def test_finding_serialises() -> None:
    f = Finding("integrity", "integrity.sha256", "a.pdf", False, "a.pdf: changed\nmore")
    assert f.as_dict()["status"] == "fail"


def test_unchanged_outputs_reuse_the_last_read_back(small: Path, tmp_path: Path) -> None:
    out = fresh_copy(small, tmp_path / "output")
    first = run_checks(out, SOURCE)
    write_report(first)
    again = run_checks(out, SOURCE)
    assert again.reused and again.ok and len(again.findings) == len(first.findings)
    # A file changed since: its checksum fails and every read-back check runs afresh.
    with (out / "hsct.html").open("a", encoding="utf-8") as f:
        f.write("<!-- edited -->")
    changed = run_checks(out, SOURCE)
    assert not changed.reused
    assert [f.check for f in changed.failures] == ["integrity.sha256"]
    assert not run_checks(out, SOURCE, reuse=False).reused


# ---------------------------------------------------------------- sentences, notes, table headings

NOTED = b"""---
title: Notes and tables
language: en-GB
---

# Notes and tables

Treatments reduce relapses.[^1] Talk to your team [^2] before you change anything.

| Tip | What it means |
|---|---|
| Pace yourself | Stop before you are exhausted. |

[^1]: Trials compare groups of people. They do not predict what happens to you.

[^2]: Your MS nurse counts as your team.
"""


@pytest.fixture(scope="module")
def noted(tmp_path_factory: pytest.TempPathFactory) -> Context:
    return Context.of(tmp_path_factory.mktemp("noted"), parse(NOTED, "noted.md"))


def test_context_carries_notes_and_table_headings(noted: Context) -> None:
    assert noted.notes == ("Trials compare groups of people.",
                           "They do not predict what happens to you.",
                           "Your MS nurse counts as your team.")
    assert noted.table_headings == ("Tip", "What it means")
    assert "Treatments reduce relapses." in noted.sentences
    assert not any("Trials" in s for s in noted.sentences)  # notes are their own sequence


# What a format shows: markers "[n]" in the text, headings repeated per row, notes at the end.
SHOWN = ("Notes and tables\nTreatments reduce relapses.[1] Talk to your team [2] before you "
         "change anything.\nTip: Pace yourself\nWhat it means: Stop before you are exhausted.\n"
         "Notes\n1. Trials compare groups of people. They do not predict what happens to you.\n"
         "2. Your MS nurse counts as your team.")


def test_note_markers_and_notes_accepted(noted: Context) -> None:
    assert missing_sentences(noted, SHOWN, notes=True, headings=True) == []
    assert missing_sentences(noted, SHOWN, re.compile(r"nothing-to-ignore")) == []  # old call


def test_a_marker_is_only_a_number_in_brackets(noted: Context) -> None:
    # "[1a]" is not a marker: left in, it breaks the sentence it sits in.
    [problem] = missing_sentences(noted, SHOWN.replace("relapses.[1]", "relapses[1a]."),
                                  notes=True)
    assert problem.startswith("1 of 5 sentences missing") and "Treatments" in problem


def test_a_missing_or_misplaced_note_is_named(noted: Context) -> None:
    dropped = SHOWN.replace(" They do not predict what happens to you.", "")
    [problem] = missing_sentences(noted, dropped, notes=True)
    assert problem.startswith("1 of 3 note sentences missing or out of order")
    assert "They do not predict" in problem
    swapped = SHOWN.replace("1. Trials compare groups of people. They do not predict what "
                            "happens to you.\n2. Your MS nurse counts as your team.",
                            "2. Your MS nurse counts as your team.\n1. Trials compare groups "
                            "of people. They do not predict what happens to you.")
    assert missing_sentences(noted, swapped) == []  # notes are checked only when asked
    assert "note sentences missing or out of order" in missing_sentences(noted, swapped,
                                                                         notes=True)[0]


def test_notes_kept_elsewhere_are_checked_there(noted: Context) -> None:
    body, _, footnotes = SHOWN.partition("Notes\n")
    assert missing_sentences(noted, body, notes=True) != []  # the notes are not in the body
    assert missing_sentences(noted, body) == []
    assert missing_note_sentences(noted, footnotes) == []
    assert missing_note_sentences(noted, body) != []


def test_table_headings_must_be_somewhere(noted: Context) -> None:
    no_headings = SHOWN.replace("Tip: ", "").replace("What it means: ", "")
    [problem] = missing_sentences(noted, no_headings, headings=True)
    assert problem == "2 of 2 table headings missing: 'Tip'; 'What it means'"
    assert missing_sentences(noted, no_headings) == []  # checked only when asked
    # A heading must be there as words of its own, not inside another word.
    assert missing_table_headings(noted, SHOWN.replace("Tip: ", "Tipping: ")) != []


def test_a_document_without_notes_or_tables_needs_neither(hsct_doc: Document,
                                                          tmp_path: Path) -> None:
    ctx = Context.of(tmp_path, hsct_doc)
    assert ctx.notes == () and ctx.table_headings == ()
    assert missing_note_sentences(ctx, "") == [] and missing_table_headings(ctx, "") == []


def test_a_table_inside_a_list_has_its_headings_checked_too(tmp_path: Path) -> None:
    source = (b"---\ntitle: Nested\nlanguage: en-GB\n---\n\n# Nested\n\n- Opening times:\n\n"
              b"  | Day | Hours |\n  |---|---|\n  | Monday | 9am to 5pm |\n")
    ctx = Context.of(tmp_path, parse(source, "nested.md"))
    assert ctx.table_headings == ("Day", "Hours")
    assert missing_table_headings(ctx, "Opening times: Monday 9am to 5pm") == [
        "2 of 2 table headings missing: 'Day'; 'Hours'"]
