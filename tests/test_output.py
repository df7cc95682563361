"""Atomic writes and staging: no half-written file is ever visible."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.manifest import publish
from exporter.output import atomic_write, build_time
from exporter.staging import staging


def test_atomic_write_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


class _Boom(bytes):
    pass


def test_atomic_write_failure_keeps_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_staging_is_removed_even_on_failure(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), staging(tmp_path, "w") as dest:
        (dest / "half.pdf").write_bytes(b"%PDF-half")
        raise RuntimeError("writer crashed")
    assert list(tmp_path.iterdir()) == []


def test_publish_moves_into_output(tmp_path: Path) -> None:
    with staging(tmp_path, "w") as dest:
        (dest / "a.txt").write_text("a")
        publish(dest / "a.txt", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_build_time_follows_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert build_time().isoformat() == "1970-01-02T00:00:00+00:00"


def test_concurrent_exports_into_one_folder_lose_no_manifest_entry(tmp_path: Path) -> None:
    """Ten exports at once, each making a different file: the manifest lists all ten."""
    import hashlib
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT, SOURCE

    sizes = list(range(16, 26))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        procs = [subprocess.Popen([sys.executable, "-m", "exporter", "export", str(SOURCE),
                                   "--to", "docx", "--size", str(size), "-o", str(out)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
                 for size in sizes]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        manifest = json.loads((out / "manifest.json").read_text())
        listed = sorted(e["file"] for e in manifest["files"])
        assert listed == sorted(f"hsct-large-print-{s}pt.docx" for s in sizes)
        for e in manifest["files"]:
            assert hashlib.sha256((out / e["file"]).read_bytes()).hexdigest() == e["sha256"]
        assert sorted(p.name for p in out.iterdir()) == sorted([*listed, "index.html",
                                                                "manifest.json"])


def test_publish_job_never_lists_changed_bytes(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Between unlisting and relisting, the manifest holds no entry for the file replaced."""
    import hashlib
    import json

    from exporter.manifest import publish_job

    def entry(name: str, data: bytes) -> dict[str, object]:
        return {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_bytes(b"old")
    (out / "b.txt").write_bytes(b"same")
    (out / "manifest.json").write_text(json.dumps(
        {"files": [entry("a.txt", b"old"), entry("b.txt", b"same")]}))
    seen: list[list[str]] = []
    import exporter.manifest as manifest

    real_publish = manifest.publish

    def spy(staged: Path, out_dir: Path, *, synced: bool = False) -> Path:
        seen.append([e["file"] for e in json.loads((out_dir / "manifest.json").read_text())
                     ["files"]])
        return real_publish(staged, out_dir, synced=synced)

    # The real publish, watched: what the manifest says at the moment each file moves.
    monkeypatch.setattr(manifest, "publish", spy)
    with staging(out, "t") as dest:
        (dest / "a.txt").write_bytes(b"new")
        (dest / "b.txt").write_bytes(b"same")
        publish_job(out, [dest / "a.txt", dest / "b.txt"],
                    [entry("a.txt", b"new"), entry("b.txt", b"same")], {"title": "T"})
    # While a.txt was being replaced, only the unchanged b.txt was listed.
    assert seen == [["b.txt"], ["b.txt"]]
    final = json.loads((out / "manifest.json").read_text())
    assert final["title"] == "T"
    assert final["files"] == [entry("a.txt", b"new"), entry("b.txt", b"same")]


def test_publishing_fsyncs_each_file_and_the_folder(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A file renamed into place survives a power cut only if its bytes and the folder's new
    entry were both flushed: every fsync is watched (the real one still runs)."""
    import os

    from exporter.manifest import publish_job

    synced: list[str] = []
    real_fsync = os.fsync

    def watched(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    out = tmp_path / "out"
    monkeypatch.setattr(os, "fsync", watched)
    with staging(out, "t") as dest:
        (dest / "a.txt").write_bytes(b"a")
        publish_job(out, [dest / "a.txt"], [{"file": "a.txt", "sha256": "x", "bytes": 1}],
                    {"title": "T"})
        staged = str(dest / "a.txt")
    assert staged in synced  # the file's bytes, before its rename
    assert synced.count(str(out)) >= 2  # the folder after the rename, and after the manifest
    assert any(p.startswith(str(out / ".manifest.json.")) for p in synced)
