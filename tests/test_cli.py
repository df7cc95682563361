"""The command line: help everywhere, exit codes, plain progress when not on a terminal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
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


# ---------------------------------------------------------------- output folder faults


@pytest.fixture
def small_disk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A real file system (tmpfs) of 96 KiB, or the size a test marks with
    ``@pytest.mark.disk_size("4m")``, unmounted afterwards; skipped where mounting is
    impossible. Tests run as root, which ignores permission bits: only a real read-only or
    full file system (or another user) shows what users see."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    marked = request.node.get_closest_marker("disk_size")
    size = marked.args[0] if marked else "96k"
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                           str(mnt)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _one_line_per_writer(run: subprocess.CompletedProcess[str], cause: str,
                         writers: int | None) -> None:
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    failed = [line for line in run.stderr.splitlines() if " failed: " in line]
    assert len(failed) == writers if writers is not None else failed, run.stderr
    for line in failed:
        assert cause in line, line


@pytest.mark.disk_size("8m")  # room for the first export: only read-only may stop the second
def test_read_only_output_folder_names_the_cause_per_writer(small_disk: Path) -> None:
    out = small_disk / "out"
    first = cli("export", str(SOURCE), "--to", "html,docx", "-o", str(out))
    assert first.returncode == 0, first.stderr
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    run = cli("export", str(SOURCE), "--to", "html,docx", "--size", "20", "--force",
              "-o", str(out))
    _one_line_per_writer(run, f"cannot write {out}: the file system is read-only", 2)


def test_folder_without_write_permission_names_the_cause(tmp_path: Path) -> None:
    import os
    import shutil
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="exporter-nobody-"))  # tmp_path's parents are 0700
    home.chmod(0o755)
    out = home / "locked"
    out.mkdir(mode=0o555)
    if os.getuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the export as another user")
    # As root permission bits do not apply: run the export as 'nobody'.
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    run = subprocess.run([*nobody, sys.executable, "-m", "exporter", "export", str(SOURCE),
                          "--to", "html,docx", "-o", str(out)], capture_output=True, text=True,
                         cwd=ROOT, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    shutil.rmtree(home)
    _one_line_per_writer(run, f"cannot write {out}: permission denied", 2)
    assert f"cannot write {out}/index.html: permission denied" in run.stderr


def test_full_disk_names_the_cause_and_the_manifest_stays_true(small_disk: Path) -> None:
    import hashlib
    import json

    out = small_disk / "out"
    run = cli("export", str(SOURCE), "--to", "html,docx,epub", "-o", str(out))
    # 96 KiB hold one or two of the files (the HTML 10 kB, Word 24 kB, EPUB 68 kB), not all.
    _one_line_per_writer(run, "no space left on the device", None)
    manifest = json.loads((out / "manifest.json").read_text())
    for e in manifest["files"]:
        assert hashlib.sha256((out / e["file"]).read_bytes()).hexdigest() == e["sha256"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
