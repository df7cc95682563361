"""Writers come from the entry-point group: a third-party package installs one, no code changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from exporter import registry
from exporter.writers.base import Writer, WriterError
from tests.conftest import ROOT, SOURCE

PLUGIN = Path(__file__).resolve().parent / "plugins" / "exporter_plaintext"


@pytest.fixture(scope="session")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test plugin installed by pip into a folder of its own (the venv stays untouched)."""
    target = tmp_path_factory.mktemp("site")
    # Built from a copy: pip leaves a build/ folder beside the sources it builds.
    source = shutil.copytree(PLUGIN, tmp_path_factory.mktemp("plugin") / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    return target


@pytest.fixture
def with_plugin(plugin_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(plugin_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(plugin_path), str(ROOT)]))
    yield plugin_path


def test_builtin_writers_are_registered_through_the_entry_point_group() -> None:
    names = set(registry.available())
    assert {"html", "pdf", "docx", "epub", "audio"} <= names
    assert issubclass(registry.get("html"), Writer)


def test_unknown_writer_is_a_clear_error() -> None:
    with pytest.raises(WriterError, match="no writer named 'nope'; installed writers: "):
        registry.get("nope")


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "exporter", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env=os.environ.copy())


@pytest.mark.usefixtures("with_plugin")
def test_installed_plugin_is_listed_and_runs(tmp_path: Path) -> None:
    listed = _cli("writers")
    assert "plaintext" in listed.stdout and "Plain text, one paragraph per line" in listed.stdout
    out = tmp_path / "out"
    run = _cli("export", str(SOURCE), "--to", "plaintext,html", "-o", str(out))
    assert run.returncode == 0, run.stderr
    text = (out / "hsct.txt").read_text(encoding="utf-8")
    assert "Who can HSCT work for?" in text
    assert (out / "hsct.html").is_file()


@pytest.mark.usefixtures("with_plugin")
def test_a_failing_writer_leaves_nothing_and_others_still_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = _cli("export", str(SOURCE), "--to", "broken,html,plaintext", "-o", str(out))
    assert run.returncode == 1
    assert "broken failed: the broken writer failed on purpose" in run.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "hsct.html", "hsct.txt", "index.html", "manifest.json"
    ]


@pytest.mark.usefixtures("with_plugin")
def test_a_plugin_declares_its_label_and_media_type_and_is_checked_by_its_own_checker(
        tmp_path: Path) -> None:
    cls = registry.get("plaintext")
    assert cls.display_label() == "Plain text file"
    kind = cls.kind_of("hsct.txt")
    assert kind is not None and kind.media_type == "text/plain; charset=utf-8"
    out = tmp_path / "out"
    run = _cli("export", str(SOURCE), "--to", "plaintext", "-o", str(out), "--check")
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((out / "check-report.json").read_text(encoding="utf-8"))
    mine = [f for f in report["findings"] if f["check"] == "plaintext.sentences"]
    assert [f["status"] for f in mine] == ["pass"]
    # A sentence removed from the plugin's file fails the plugin's own check.
    text = (out / "hsct.txt").read_text(encoding="utf-8")
    (out / "hsct.txt").write_text(text.replace("Who can HSCT work for?", ""), encoding="utf-8")
    from tests.tamper import rehash

    rehash(out, "hsct.txt")
    again = _cli("check", str(out), "--source", str(SOURCE), "--force")
    assert again.returncode == 1
    assert "plaintext.sentences" in again.stdout


def test_the_built_in_table_is_the_packages_declared_entry_points() -> None:
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "entry-points"][registry.GROUP]
    assert declared == registry.BUILTIN
