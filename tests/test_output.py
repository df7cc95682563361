"""Atomic writes and staging: no half-written file is ever visible."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.output import atomic_write, build_time, publish, staging


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
