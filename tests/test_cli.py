"""The command line: help everywhere, exit codes, plain progress when not on a terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SOURCE


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "exporter", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("command", [[], ["export"], ["writers"], ["check"], ["serve"]])
def test_help_on_every_command(command: list[str]) -> None:
    run = cli(*command, "--help")
    assert run.returncode == 0
    assert "usage: exporter" in run.stdout


def test_writers_lists_html_with_a_description() -> None:
    run = cli("writers")
    assert "html     Accessible HTML" in run.stdout


def test_export_html_plain_progress(tmp_path: Path) -> None:
    run = cli("export", str(SOURCE), "--to", "html", "-o", str(tmp_path / "o"))
    assert run.returncode == 0, run.stderr
    assert "html: hsct.html" in run.stdout
    assert "\x1b[" not in run.stdout  # no terminal control codes in logs


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "nope"], "unknown writer nope"),
        (["--size", "12"], "--size: Print size 12 is outside 16 to 36"),
        (["--size", "big"], "--size: Print size 'big' is not a whole number"),
        (["--size", "²"], "--size: Print size '²' is not a whole number"),
        (["--scheme", "pink"], "--scheme: Colour scheme 'pink' is not one we can make"),
        (["--line-spacing", "3"], "--line-spacing: Line spacing 3 is outside 1.5 to 2"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(args: list[str], message: str,
                                              tmp_path: Path) -> None:
    out = tmp_path / "o"
    run = cli("export", str(SOURCE), *args, "-o", str(out))
    assert run.returncode == 2
    assert message in run.stderr
    assert not out.exists()


def test_missing_source_exits_2(tmp_path: Path) -> None:
    run = cli("export", str(tmp_path / "absent.md"), "--to", "html", "-o", str(tmp_path / "o"))
    assert run.returncode == 2
    assert "cannot read the source" in run.stderr


@pytest.mark.parametrize("args", [["--help"], ["writers"], ["export", "--to", "docx", "-j", "1"]])
def test_heavy_libraries_load_only_for_their_own_format(args: list[str], tmp_path: Path) -> None:
    if args[0] == "export":
        args = [*args, "-o", str(tmp_path / "o"), str(SOURCE)]
    code = (
        "import sys\nfrom exporter.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('weasyprint', 'pyttsx3', 'lameenc', 'ebooklib') "
        "if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_export_then_check_in_one_command(tmp_path: Path) -> None:
    out = tmp_path / "o"
    run = cli("export", str(SOURCE), "--to", "html", "-o", str(out), "--check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "check: all" in run.stdout and (out / "check-report.json").is_file()
    (out / "hsct.html").write_text("tampered", encoding="utf-8")
    again = cli("check", str(out), "--source", str(SOURCE))
    assert again.returncode == 1
    assert again.stdout.startswith("check: ") and "FAILED" in again.stdout.splitlines()[0]
    assert "integrity.sha256 (hsct.html)" in again.stdout.splitlines()[0]


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "exporter", "export", str(SOURCE), "--to", "html", "-o",
         str(tmp_path / "o")],
        stdout=follower, stderr=follower, cwd=ROOT, env={**os.environ, "COLUMNS": "100"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "Exporting" in shown  # rich's progress bar, only on a terminal
    assert "html: hsct.html" in shown
