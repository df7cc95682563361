"""Helpers for proving each check can fail: copy a real output folder, accept an edited file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from exporter.manifest import write_manifest
from exporter.model import Document
from exporter.output import MANIFEST, sha256_file
from exporter.readback import Finding, Report, run_checks
from exporter.styles import Styles
from exporter.writers.base import Options


def build(out_dir: Path, writer: str, doc: Document, styles: Styles,
          options: Options | None = None) -> list[str]:
    """Run one writer directly (no CLI range checks) into out_dir and record it in the manifest."""
    from exporter.pipeline import JobSpec, run_job

    result = run_job(JobSpec(writer, options or Options()), doc, styles, out_dir, "hsct")
    if not result.ok:
        raise RuntimeError(f"{writer} failed: {result.error}\n{result.detail}")
    write_manifest(out_dir, list(result.entries), {"source": doc.source_path})
    return [str(e["file"]) for e in result.entries]


def claim(out_dir: Path, name: str, as_name: str, **options: object) -> None:
    """Make the manifest present ``name`` as ``as_name`` made with other options (a wrong file
    in the right place, as a mix-up in a print run would be)."""
    (out_dir / name).rename(out_dir / as_name)
    path = out_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["file"] == name:
            entry["file"] = as_name
            entry["options"] = {**entry["options"], **options}
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def fresh_copy(built: Path, dest: Path) -> Path:
    """A private copy of a built output folder, to break on purpose."""
    shutil.copytree(built, dest)
    return dest


def rehash(out_dir: Path, name: str) -> None:
    """Record an edited file's new sha256 and size, so only the checks on its content can fail."""
    path = out_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["file"] == name:
            entry["sha256"] = sha256_file(out_dir / name)
            entry["bytes"] = (out_dir / name).stat().st_size
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def failed(out_dir: Path, source: Path) -> tuple[Report, set[str]]:
    """Run every check and name those that failed."""
    report = run_checks(out_dir, source)
    return report, {f.check for f in report.failures}


def only_failures(out_dir: Path, source: Path, checks: str | set[str],
                  file: str | None = None) -> list[Finding]:
    """Assert that exactly ``checks`` fail (once, on ``file``, if given); return the findings."""
    report, names = failed(out_dir, source)
    want = {checks} if isinstance(checks, str) else checks
    assert names == want, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    if file is not None:
        assert [f.file for f in report.failures] == [file]
    return list(report.failures)
