"""Benchmark: EPUB write time cold (new process) and warm (same process), next to pandoc's epub3."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"

# Runs in a fresh interpreter: the first write there pays for importing ebooklib and lxml.
_COLD = """
import json, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from exporter.outline import build_outline
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import load_styles
from exporter.writers.base import Options
doc = read(Path(sys.argv[1]))
outline, styles = build_outline(doc.headings), load_styles()
t1 = time.perf_counter()
with tempfile.TemporaryDirectory() as out:
    r = run_job(JobSpec("epub", Options()), doc, outline, styles, Path(out), "hsct")
    assert r.ok, r.error
    size = (Path(out) / "hsct.epub").stat().st_size
t2 = time.perf_counter()
print(json.dumps({"setup": t1 - t0, "write": t2 - t1, "bytes": size}))
"""


def cold(runs: int) -> dict[str, Any]:
    """Each run a new process: whole-process wall time, and the first write inside it."""
    walls, writes, size = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _COLD, str(SOURCE)], capture_output=True,
                              text=True, check=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
        inner = json.loads(proc.stdout)
        writes.append(inner["write"])
        size = inner["bytes"]
    return {"process_wall_s": _stats(walls), "first_write_s": _stats(writes), "bytes": size}


def warm(runs: int) -> dict[str, Any]:
    """Repeated writes in this process, after one unmeasured write."""
    from exporter.outline import build_outline
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Options

    doc = read(SOURCE)
    outline, styles = build_outline(doc.headings), load_styles()
    times = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(runs + 1):
            start = time.perf_counter()
            result = run_job(JobSpec("epub", Options()), doc, outline, styles, Path(out), "hsct")
            if i:
                times.append(time.perf_counter() - start)
            if not result.ok:
                raise SystemExit(f"epub writer failed: {result.error}")
    return {"write_s": _stats(times)}


def pandoc(runs: int) -> dict[str, Any]:
    """`pandoc source/hsct.md -o x.epub` (pandoc's default epub is EPUB 3), wall time."""
    exe = shutil.which("pandoc")
    if exe is None:
        return {"error": "pandoc not installed (apt-get install pandoc)"}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    times, size = [], 0
    with tempfile.TemporaryDirectory() as out:
        target = Path(out) / "x.epub"
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([exe, str(SOURCE), "-o", str(target)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        size = target.stat().st_size
    return {"version": version, "wall_s": _stats(times), "bytes": size}


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4),
            "max": round(max(values), 4), "runs": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="runs of each measurement")
    args = parser.parse_args()
    report = {
        "source": str(SOURCE.relative_to(ROOT)),
        "python": sys.version.split()[0],
        "cold": cold(args.runs),
        "warm": warm(args.runs),
        "pandoc_epub3": pandoc(args.runs),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
