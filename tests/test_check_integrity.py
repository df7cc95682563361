"""The integrity checks: manifest, checksums, the source's version, stray and partial files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from exporter.model import Document
from exporter.readback import run_checks
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.tamper import build, failed, fresh_copy, only_failures

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("integrity") / "output"
    build(out, "html", hsct_doc, styles, Options())
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def only(out: Path, check: str, source: Path = SOURCE) -> str:
    return only_failures(out, source, check)[0].detail


def test_real_output_is_intact(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names
    assert {"integrity.manifest", "integrity.sha256", "integrity.source",
            "integrity.strays"} <= {f.check for f in report.findings}


def test_checksum_no_longer_matches(out: Path) -> None:
    with (out / "hsct.html").open("a", encoding="utf-8") as f:
        f.write("\n")  # the page still reads the same: only the checksum can tell
    detail = only(out, "integrity.sha256")
    assert "hsct.html" in detail.splitlines()[0] and "does not match the manifest" in detail


def test_listed_file_missing(out: Path) -> None:
    (out / "hsct.html").unlink()
    assert "listed in the manifest but missing" in only(out, "integrity.sha256")


def test_stray_and_partial_files(out: Path) -> None:
    (out / ".staging-pdf-x1y2").mkdir()
    (out / ".hsct.html.abc123.tmp").write_text("half", encoding="utf-8")
    (out / "old-draft.pdf").write_bytes(b"%PDF-1.7")
    detail = only(out, "integrity.strays")
    assert "staging folder" in detail and "partial or temporary" in detail
    assert "old-draft.pdf: not in the manifest" in detail


def test_built_from_another_source_version(out: Path, tmp_path: Path) -> None:
    source = tmp_path / "hsct.md"
    shutil.copy(SOURCE, source)
    with source.open("a", encoding="utf-8") as f:
        f.write("\n")  # same words, different bytes
    assert "another version" in only(out, "integrity.source", source)


def test_no_manifest(out: Path) -> None:
    (out / "manifest.json").unlink()
    assert "no manifest" in only(out, "integrity.manifest")


def test_unreadable_file_is_a_finding_not_a_crash(out: Path) -> None:
    (out / "broken.docx").write_bytes(b"not a zip")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    from exporter.output import sha256_file

    manifest["files"].append({"file": "broken.docx", "format": "docx", "options": {"size": 18},
                              "bytes": 9, "sha256": sha256_file(out / "broken.docx"),
                              "source_sha256": manifest["files"][0]["source_sha256"]})
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = run_checks(out, SOURCE)
    [bad] = report.failures
    assert bad.check == "docx.read-back" and "broken.docx: cannot be read back" in bad.detail


def test_context_reads_the_source_afresh_with_notes_and_table_headings(tmp_path: Path) -> None:
    from exporter.checks.common import Context
    from exporter.checks.integrity import context

    page = ROOT / "tests" / "fixtures" / "pages" / "dmt-comparison-table-footnotes-definitions.md"
    ctx = context(tmp_path, page)  # no manifest yet: the context still says what to expect
    assert isinstance(ctx, Context) and ctx.manifest == {"files": []}
    assert len(ctx.notes) == 7 and ctx.notes[0].startswith("How much a DMT reduces relapses")
    assert ctx.table_headings == ("Treatment", "How it is taken", "How often", "Efficacy group",
                                  "Common side effects", "Monitoring")
    assert not any(s in ctx.sentences for s in ctx.notes)
