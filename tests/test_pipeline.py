"""The pipeline: jobs per size, atomic publishing, the manifest, reproducible builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exporter.batch import export
from exporter.pipeline import plan
from exporter.writers.base import Options
from tests.conftest import SOURCE


def test_plan_makes_one_job_per_size_only_for_size_dependent_writers() -> None:
    specs = plan(["html", "pdf"], [16, 18, 24], Options())
    assert [(s.writer, s.options.size) for s in specs] == [
        ("html", 18), ("pdf", 16), ("pdf", 18), ("pdf", 24)
    ]


def test_manifest_records_each_file(out_dir: Path) -> None:
    results = export(SOURCE, out_dir, ["html"], jobs=1)
    assert all(r.ok for r in results)
    manifest = json.loads((out_dir / "manifest.json").read_text())
    (entry,) = manifest["files"]
    data = (out_dir / "hsct.html").read_bytes()
    import hashlib

    assert entry["file"] == "hsct.html"
    assert entry["format"] == "html"
    assert entry["bytes"] == len(data)
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["source_sha256"] == hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    assert manifest["language"] == "en-GB"


def test_manifest_keeps_other_formats_entries(out_dir: Path, tmp_path: Path) -> None:
    (out_dir / "manifest.json").write_text(json.dumps({"files": [
        {"file": "other.pdf", "format": "pdf"}, {"file": "gone.pdf", "format": "pdf"}
    ]}))
    (out_dir / "other.pdf").write_bytes(b"%PDF")
    export(SOURCE, out_dir, ["html"], jobs=1)
    files = [e["file"] for e in json.loads((out_dir / "manifest.json").read_text())["files"]]
    assert files == ["hsct.html", "other.pdf"]  # gone.pdf no longer exists: dropped


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = tmp_path / "a", tmp_path / "b"
    export(SOURCE, first, ["html"], jobs=1)
    export(SOURCE, second, ["html"], jobs=1)
    for name in ("hsct.html", "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert '"built": "2023-11-14T22:13:20Z"' in (first / "manifest.json").read_text()


def test_no_staging_or_temp_files_remain(out_dir: Path) -> None:
    export(SOURCE, out_dir, ["html"], jobs=1)
    assert sorted(p.name for p in out_dir.iterdir()) == ["hsct.html", "manifest.json"]


def test_second_export_with_nothing_changed_does_no_work(out_dir: Path) -> None:
    first = export(SOURCE, out_dir, ["html"], jobs=1)
    assert not first[0].skipped
    before = {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()}
    second = export(SOURCE, out_dir, ["html"], jobs=1)
    assert second[0].skipped and second[0].ok
    assert {p.name: p.stat().st_mtime_ns for p in out_dir.iterdir()} == before


def test_changed_source_or_damaged_output_rebuilds(out_dir: Path, tmp_path: Path) -> None:
    export(SOURCE, out_dir, ["html"], jobs=1)
    (out_dir / "hsct.html").write_text("damaged")
    assert not export(SOURCE, out_dir, ["html"], jobs=1)[0].skipped
    changed = tmp_path / "hsct.md"
    changed.write_text(SOURCE.read_text(encoding="utf-8").replace(
        "Researchers are working hard", "Researchers work hard"), encoding="utf-8")
    result = export(changed, out_dir, ["html"], jobs=1)[0]
    assert not result.skipped
    assert "Researchers work hard" in (out_dir / "hsct.html").read_text(encoding="utf-8")


def test_force_rebuilds(out_dir: Path) -> None:
    export(SOURCE, out_dir, ["html"], jobs=1)
    assert not export(SOURCE, out_dir, ["html"], jobs=1, force=True)[0].skipped


def test_even_a_no_op_export_removes_a_killed_runs_leftovers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert all(r.ok for r in export(SOURCE, out, ["html"]))
    manifest = (out / "manifest.json").read_bytes()
    (out / ".staging-html-killed").mkdir()
    (out / ".staging-html-killed" / "hsct.html").write_text("half")
    (out / ".manifest.json.x1y2z3.tmp").write_text("{")
    results = export(SOURCE, out, ["html"])
    assert all(r.skipped for r in results)
    assert sorted(p.name for p in out.iterdir()) == ["hsct.html", "manifest.json"]
    assert (out / "manifest.json").read_bytes() == manifest
