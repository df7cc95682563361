"""Helpers for proving each check can fail: copy a real output folder, accept an edited file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from exporter.checks import Report, run_checks
from exporter.output import MANIFEST, sha256_file


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
