"""Interrupted exports: kill -9 (the main process, the whole group) and Ctrl-C at measured moments.

After every interruption the manifest is true for every file it lists, no process of the
export is left running, and the next export removes the leftovers and passes `check`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SOURCE

EXPORTER = [sys.executable, "-m", "exporter"]
ARGS = ["export", "hsct.md", "--to", "all", "--size", "16,18", "-o", "out"]


def _edit(project: Path, n: int) -> None:
    """A new version of the source: every file's bytes change, so a lying manifest shows."""
    text = (project / "hsct.md").read_text(encoding="utf-8")
    lines = [f"publisher: MS Society (edition {n})" if line.startswith("publisher:") else line
             for line in text.split("\n")]
    (project / "hsct.md").write_text("\n".join(lines), encoding="utf-8")


def _start(project: Path) -> subprocess.Popen[str]:
    # Its own session: the test finds every process of the export by its session id.
    return subprocess.Popen([*EXPORTER, *ARGS], cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(SOURCE.parent.parent)})


def _alive_in_session(sid: int) -> list[str]:
    """Processes of the session that are running (zombies have finished)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):
            alive.append(f"{entry.name} {stat[:80]}")
    return alive


def _wait_until_gone(sid: int, seconds: float = 5.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _alive_in_session(sid)
        if not left:
            return []
        time.sleep(0.05)
    return _alive_in_session(sid)


def _manifest_lies(out: Path) -> list[str]:
    """Every entry whose file is missing or whose bytes differ from its sha256 and size."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    wrong = []
    for e in manifest["files"]:
        path = out / e["file"]
        if not path.is_file():
            wrong.append(f"{e['file']}: listed but missing")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != e["sha256"] or len(data) != e["bytes"]:
            wrong.append(f"{e['file']}: bytes differ from the manifest")
    return wrong


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interrupt")
    shutil.copy(SOURCE, folder / "hsct.md")
    done = subprocess.run([*EXPORTER, *ARGS], cwd=folder, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def timeline(project: Path) -> list[float]:
    """Seconds from start at which each job's line appeared in an uninterrupted export."""
    _edit(project, 0)
    start = time.monotonic()
    proc = _start(project)
    assert proc.stdout is not None
    times = [time.monotonic() - start for line in proc.stdout if line.rstrip().endswith(" s)")]
    assert proc.wait(60) == 0, proc.stderr.read() if proc.stderr else ""
    times.append(time.monotonic() - start)
    assert len(times) >= 5, times
    return times


def _moments(timeline: list[float]) -> list[float]:
    """Kill before the first job ends, between jobs finishing, and just before the end."""
    first, last = timeline[0], timeline[-1]
    between = [(a + b) / 2 for a, b in itertools.pairwise(timeline) if b - a > 0.05]
    picks = [first * 0.5, first * 0.95, *between[:3], last * 0.9]
    return sorted({round(p, 2) for p in picks})


def _interrupt(project: Path, n: int, after: float, how: str) -> subprocess.Popen[str]:
    _edit(project, n)
    proc = _start(project)
    time.sleep(after)
    if how == "main":
        proc.send_signal(signal.SIGKILL)
    elif how == "group":
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    proc.wait(30)
    return proc


def test_kill_at_measured_moments_keeps_the_manifest_true(project: Path,
                                                           timeline: list[float]) -> None:
    moments = _moments(timeline)
    assert len(moments) >= 4, (timeline, moments)
    n = 1
    for how in ("main", "group"):
        for after in moments if how == "main" else moments[1::2]:
            proc = _interrupt(project, n, after, how)
            n += 1
            left = _wait_until_gone(proc.pid)
            assert not left, f"kill -9 ({how}) at {after} s left processes running: {left}"
            lies = _manifest_lies(project / "out")
            assert not lies, f"kill -9 ({how}) at {after} s: the manifest lies: {lies}"
    _the_next_export_cleans_up_and_passes_check(project)


def _ctrl_c_after_line(project: Path, n: int, line_number: int) -> subprocess.Popen[str]:
    """Ctrl-C as soon as the export has printed its n-th line (an event, not a guess of
    time: a warm run is faster than the measured one)."""
    _edit(project, n)
    proc = _start(project)
    assert proc.stdout is not None
    for _ in range(line_number):
        proc.stdout.readline()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    proc.wait(30)
    return proc


def test_ctrl_c_prints_one_line_and_exits_130(project: Path) -> None:
    # Line 1 is the job list (every job running), line 2 the first finished job.
    for n, line_number in ((100, 1), (101, 2)):
        proc = _ctrl_c_after_line(project, n, line_number)
        err = proc.stderr.read() if proc.stderr else ""
        after = f"line {line_number}"
        assert proc.returncode == 130, (after, proc.returncode, err)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and "interrupted" in lines[0], err
        assert not _wait_until_gone(proc.pid)
        assert not _manifest_lies(project / "out")
        # Its own staging folders went with it.
        assert not [p.name for p in (project / "out").iterdir()
                    if p.name.startswith(".staging-")]
    _the_next_export_cleans_up_and_passes_check(project)


def _the_next_export_cleans_up_and_passes_check(project: Path) -> None:
    out = project / "out"
    # What a killed run leaves: a staging folder nobody holds, a temporary manifest.
    (out / ".staging-pdf-leftover").mkdir(exist_ok=True)
    (out / ".staging-pdf-leftover" / "half.pdf").write_bytes(b"%PDF-1.7 half")
    (out / ".manifest.json.abc123.tmp").write_text("{")
    done = subprocess.run([*EXPORTER, *ARGS, "--check"], cwd=project, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert not _manifest_lies(out)


def test_a_running_exports_staging_folder_is_not_removed(tmp_path: Path) -> None:
    from exporter.staging import remove_stale, staging

    out = tmp_path / "out"
    (out / ".staging-html-dead").mkdir(parents=True)
    with staging(out, "html") as mine:
        # Another process (a concurrent export) looks for leftovers while this one writes.
        code = ("import sys; from pathlib import Path; from exporter.staging import "
                "remove_stale; print(remove_stale(Path(sys.argv[1])))")
        other = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True,
                               text=True, timeout=30,
                               env={**os.environ, "PYTHONPATH": str(SOURCE.parent.parent)})
        assert other.stdout.strip() == "['.staging-html-dead']", other.stderr
        assert mine.is_dir()
    assert remove_stale(out) == []
    assert list(out.iterdir()) == []


def test_a_variant_build_dies_with_the_service(tmp_path: Path) -> None:
    """The service starts builds by exec in their own session: they die with it all the same."""
    code = ("import subprocess, sys, os, time\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import os, time; "
            "from exporter import children; children.die_with_parent(%d); "
            "print(os.getpid(), flush=True); time.sleep(60)' % os.getpid()],"
            " start_new_session=True, stdout=subprocess.PIPE, text=True)\n"
            "print(child.stdout.readline().strip(), flush=True)\n"
            "time.sleep(60)\n")
    service = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(SOURCE.parent.parent)})
    assert service.stdout is not None
    build = int(service.stdout.readline())
    service.kill()
    service.wait(10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(build):
        time.sleep(0.05)
    assert not _running(build), "the build outlived the service"


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False
