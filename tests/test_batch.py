"""Exporting a collection: one output folder, pages kept apart when one fails, a summary, exit
statuses, and incremental builds per page (the other pages' files are not touched)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exporter.batch import build
from tests.conftest import ROOT

PAGE = """---
title: {title}
language: en-GB
subject: {subject}
summary: A page about {title}.
base_url: https://www.example.org/pages/
---

# {title}

{body}

## More about {title}

Some more text about {title}.
"""


def write(folder: Path, name: str, title: str, body: str = "Text.", subject: str = "Help") -> Path:
    path = folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, body=body, subject=subject), encoding="utf-8")
    return path


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "exporter", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a source/ of three pages, one linking to another."""
    source = tmp_path / "source"
    write(source, "alpha", "Alpha", "Read [about beta](topics/beta.md#more-about-beta).")
    write(source / "topics", "beta", "Beta")
    write(source, "gamma", "Gamma", subject="Other")
    return tmp_path


def files(out: Path) -> dict[str, tuple[int, int]]:
    """Every file's inode and modification time (ns)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}


def test_export_without_sources_builds_every_page_of_source_and_check_uses_the_manifest(
        project: Path) -> None:
    run = cli("export", "--to", "html,docx", "-o", "output", cwd=project)
    assert run.returncode == 0, run.stderr
    out = project / "output"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["alpha-large-print-18pt.docx", "alpha.html", "beta-large-print-18pt.docx",
                     "beta.html", "gamma-large-print-18pt.docx", "gamma.html", "index.html",
                     "manifest.json"]
    assert "3 pages: 6 files written to output/" in run.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [(p["name"], p["source"], p["subject"]) for p in manifest["pages"]] == [
        ("alpha", "source/alpha.md", "Help"), ("beta", "source/topics/beta.md", "Help"),
        ("gamma", "source/gamma.md", "Other")]
    assert {e["page"] for e in manifest["files"]} == {"alpha", "beta", "gamma"}
    assert "title" not in manifest  # a collection has no one title
    assert '<a href="beta.html#more-about-beta">about beta</a>' in \
        (out / "alpha.html").read_text(encoding="utf-8")
    checked = cli("check", "output", cwd=project)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "integrity.source" in checked.stdout and "source/topics/beta.md" in checked.stdout


def test_a_bad_page_is_reported_and_the_others_are_built(project: Path) -> None:
    (project / "source" / "broken.md").write_text("---\ntitle: Broken\n---\n\n# Broken\n\n"
                                                  "<div>raw HTML</div>\n", encoding="utf-8")
    run = cli("export", "--to", "html", "-o", "output", cwd=project)
    assert run.returncode == 1
    assert "source/broken.md:" in run.stderr and "raw HTML is not allowed" in run.stderr
    assert "4 pages: 3 files written to output/" in run.stdout
    assert "1 page failed:" in run.stdout
    assert "broken (source/broken.md): " in run.stdout and "problem" in run.stdout
    assert sorted(p.name for p in (project / "output").iterdir()) == [
        "alpha.html", "beta.html", "gamma.html", "index.html", "manifest.json"]


def test_a_writer_failing_on_one_page_leaves_the_others_built(project: Path) -> None:
    # liblouis has no braille for a snowman: a real writer failure, on this page only.
    write(project / "source", "snow", "Snow", "A snowman \u2603 in the snow.")
    run = cli("export", "--to", "braille,html", "-o", "output", cwd=project)
    assert run.returncode == 1, run.stderr
    assert "exporter: snow: braille failed: braille:" in run.stderr and "U+2603" in run.stderr
    assert "snow (source/snow.md): braille: " in run.stdout
    built = {p.name for p in (project / "output").iterdir()}
    assert {"alpha-braille.brf", "gamma-braille.pef", "snow.html"} <= built
    assert "snow-braille.brf" not in built


def test_nothing_buildable_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text("no front matter\n", encoding="utf-8")
    run = cli("export", str(tmp_path), "--to", "html", "-o", str(tmp_path / "out"))
    assert run.returncode == 2
    assert "every page has problems in its source; nothing was written" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_two_pages_with_one_name_stop_the_export_before_anything_is_written(
        tmp_path: Path) -> None:
    write(tmp_path / "a", "same", "One")
    write(tmp_path / "b", "same", "Two")
    run = cli("export", str(tmp_path), "--to", "html", "-o", str(tmp_path / "out"))
    assert run.returncode == 2
    assert f"{tmp_path / 'a' / 'same.md'} and {tmp_path / 'b' / 'same.md'}" in run.stderr
    assert not (tmp_path / "out").exists()


def test_editing_one_page_rebuilds_only_its_files(project: Path) -> None:
    out = project / "output"
    sources = [project / "source"]
    first = build(sources, out, ["html", "docx"], jobs=2)
    assert first.ok and first.made == 6
    before = files(out)
    gamma = project / "source" / "gamma.md"
    gamma.write_text(gamma.read_text(encoding="utf-8").replace("Text.", "New text."),
                     encoding="utf-8")
    second = build(sources, out, ["html", "docx"], jobs=2)
    assert second.ok and second.made == 2 and second.kept == 4
    after = files(out)
    changed = {n for n in after if after[n] != before.get(n)}
    assert changed == {"gamma.html", "gamma-large-print-18pt.docx", "manifest.json"}
    assert "New text." in (out / "gamma.html").read_text(encoding="utf-8")
    # Nothing changed: nothing is touched, not even the manifest.
    third = build(sources, out, ["html", "docx"], jobs=2)
    assert third.ok and third.made == 0 and files(out) == after


def test_a_new_title_rebuilds_the_pages_that_link_to_it(project: Path) -> None:
    out = project / "output"
    sources = [project / "source"]
    assert build(sources, out, ["docx"], jobs=1).ok
    before = files(out)
    beta = project / "source" / "topics" / "beta.md"
    beta.write_text(beta.read_text(encoding="utf-8").replace("title: Beta", "title: Bêta"),
                    encoding="utf-8")
    summary = build(sources, out, ["docx"], jobs=1)
    rebuilt = {r.page for r in summary.results if not r.skipped}
    assert rebuilt == {"alpha", "beta"}  # alpha's print shows beta's title
    after = files(out)
    assert after["gamma-large-print-18pt.docx"] == before["gamma-large-print-18pt.docx"]


def test_a_single_page_export_keeps_its_manifest_fields(tmp_path: Path) -> None:
    source = write(tmp_path, "only", "Only")
    out = tmp_path / "out"
    assert build([source], out, ["html"]).ok
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["title"] == "Only" and manifest["source"] == str(source)
    assert [p["name"] for p in manifest["pages"]] == ["only"]
