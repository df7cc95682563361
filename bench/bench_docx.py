"""Word writer timing: cold (new process) and warm (same process) writes, and pandoc, as JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"

# Run in a fresh interpreter: everything a person waits for on a first `--to docx`, split into
# the process as a whole and the write() call (which imports python-docx itself).
_COLD = """
import json, sys, tempfile, time
start = time.perf_counter()
from pathlib import Path
from exporter.outline import build_outline
from exporter.reader import read
from exporter.styles import load_styles
from exporter.writers.base import Job, Options
from exporter.writers.docx import DocxWriter
doc = read(Path(sys.argv[1]))
styles = load_styles()
outline = build_outline(doc.headings)
with tempfile.TemporaryDirectory() as tmp:
    t = time.perf_counter()
    DocxWriter().write(Job(doc, outline, styles, Options(size=int(sys.argv[2])), Path(tmp), "hsct"))
    write = time.perf_counter() - t
print(json.dumps({"write": write, "process": time.perf_counter() - start}))
"""


def stats(samples: Sequence[float]) -> dict[str, float]:
    """Median and spread, in milliseconds."""
    return {"median_ms": round(statistics.median(samples) * 1000, 1),
            "min_ms": round(min(samples) * 1000, 1), "max_ms": round(max(samples) * 1000, 1),
            "runs": len(samples)}


def cold(runs: int, size: int) -> dict[str, Any]:
    writes, processes, walls = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _COLD, str(SOURCE), str(size)], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - t)
        m = json.loads(done.stdout.strip().splitlines()[-1])
        writes.append(m["write"])
        processes.append(m["process"])
    return {"write": stats(writes), "in_process_total": stats(processes),
            "wall_incl_interpreter": stats(walls)}


def warm(runs: int, size: int) -> dict[str, Any]:
    from exporter.outline import build_outline
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Job, Options
    from exporter.writers.docx import DocxWriter

    doc = read(SOURCE)
    styles = load_styles()
    outline = build_outline(doc.headings)
    times, size_bytes = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        job = Job(doc, outline, styles, Options(size=size), Path(tmp), "hsct")
        DocxWriter().write(job)  # first write pays for the imports: that is the cold figure
        for _ in range(runs):
            t = time.perf_counter()
            [produced] = DocxWriter().write(job)
            times.append(time.perf_counter() - t)
        size_bytes = (Path(tmp) / produced.name).stat().st_size
    return {"write": stats(times), "bytes": size_bytes}


def pandoc(runs: int) -> dict[str, Any]:
    exe = shutil.which("pandoc")
    if exe is None:
        return {"error": "pandoc not installed"}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    times, size_bytes = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.docx"
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([exe, str(SOURCE), "-o", str(out)], check=True, capture_output=True)
            times.append(time.perf_counter() - t)
        size_bytes = out.stat().st_size
    return {"version": version, "command": "pandoc source/hsct.md -o x.docx",
            "wall": stats(times), "bytes": size_bytes}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--warm-runs", type=int, default=20)
    parser.add_argument("--size", type=int, default=18)
    args = parser.parse_args(argv)
    result = {
        "writer": "docx",
        "source": str(SOURCE.relative_to(ROOT)),
        "size": args.size,
        "cold": cold(args.cold_runs, args.size),
        "warm": warm(args.warm_runs, args.size),
        "pandoc": pandoc(args.cold_runs),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
