"""The command line: help everywhere, exit codes, plain progress when not on a terminal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx.oxml.ns import qn

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
        (["--font", "comic-sans"], "--font: Font 'comic-sans' is not one we can make. Allowed: "
         "atkinson-hyperlegible, lexend, opendyslexic"),
        (["--letter-spacing", "0.5"], "--letter-spacing: Letter spacing 0.5 is outside 0 to "
         "0.12. Allowed: 0 to 0.12"),
        (["--word-spacing", "wide"], "--word-spacing: Word spacing 'wide' is not a number. "
         "Allowed: 0 to 0.16"),
        (["--grade", "3"], "--grade: Braille grade '3' is not one we can make. Allowed: 1, 2"),
        # every bad value at once, each under its own flag
        (["--font", "x", "--word-spacing", "1"], "--font: Font 'x' is not one we can make. "
         "Allowed: atkinson-hyperlegible, lexend, opendyslexic; --word-spacing: Word spacing 1 "
         "is outside 0 to 0.16"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(args: list[str], message: str,
                                              tmp_path: Path) -> None:
    out = tmp_path / "o"
    run = cli("export", str(SOURCE), *args, "-o", str(out))
    assert run.returncode == 2
    assert message in run.stderr
    assert not out.exists()


def test_export_help_lists_the_choices_styles_offer() -> None:
    """Each reader's choice is explained with the values styles/settings.yaml allows."""
    run = cli("export", "--help")
    assert run.returncode == 0
    text = " ".join(run.stdout.split())  # argparse wraps lines anywhere, even inside names
    for flag in ("--size", "--scheme", "--font", "--line-spacing", "--letter-spacing",
                 "--word-spacing", "--grade"):
        assert flag in text
    text = text.replace("- ", "-")  # a name argparse broke at its hyphen
    assert "lexend (Lexend)" in text and "opendyslexic (OpenDyslexic)" in text
    assert "black-on-cream" in text and "black-on-blue" in text
    assert "Allowed: 0 to 0.12 em, usually 0, 0.06, 0.12" in text
    assert "Allowed: 0 to 0.16 em, usually 0, 0.08, 0.16" in text
    assert "Allowed: 16 to 36 point" in text and "Allowed: 1.5 to 2" in text


def test_export_a_variant_for_a_reader_with_dyslexia(tmp_path: Path) -> None:
    """Font, tinted paper and spacing from the command line reach the Word file, and the
    check confirms the file is what was asked for."""
    import docx

    out = tmp_path / "o"
    run = cli("export", str(SOURCE), "--to", "docx", "--size", "24", "--font", "lexend",
              "--scheme", "black-on-cream", "--line-spacing", "2", "--letter-spacing", "0.12",
              "--word-spacing", "0.16", "-o", str(out), "--check")
    assert run.returncode == 0, run.stdout + run.stderr
    name = "hsct-large-print-24pt-black-on-cream-lexend-line-spacing-2-letter-spacing-0.12-" \
        "word-spacing-0.16.docx"
    assert "PASS  docx.variant" in run.stdout
    d = docx.Document(str(out / name))
    normal = d.styles["Normal"]
    body = d.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert body.find(qn("w:rFonts")).get(qn("w:ascii")) == "Lexend"
    assert body.find(qn("w:sz")).get(qn("w:val")) == "48"
    # letter spacing in twentieths of a point: 0.12 em of 24pt = 2.88pt
    assert body.find(qn("w:spacing")).get(qn("w:val")) == "58"
    para = d.styles.element.find(qn("w:docDefaults")).find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    assert para.find(qn("w:spacing")).get(qn("w:line")) == "480"  # double: 2 x 240
    # the spaces between words carry the word spacing on top of the letter spacing
    spaces = [r for r in d.paragraphs[-1].runs if r.text and not r.text.strip()]
    widths = {r._r.find(f"{qn('w:rPr')}/{qn('w:spacing')}").get(qn("w:val")) for r in spaces}
    assert widths == {"134"}, widths  # (0.12 + 0.16) em of 24pt
    assert normal is not None
    background = d.element.find(qn("w:background"))
    assert background is not None and background.get(qn("w:color")).upper() == "FFF8DC"


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
