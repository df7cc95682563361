"""Benchmark of the PDF writer: cold and warm render times, pages and peak memory, as JSON."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 18, 24)
WARM_RUNS = 3


def render_once(size: int, out: Path) -> dict[str, Any]:
    """One job through the real pipeline; seconds and pages."""
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Options

    doc = read(ROOT / "source" / "hsct.md")
    start = time.perf_counter()
    result = run_job(JobSpec("pdf", Options(size=size)), doc, load_styles(), out, "hsct")
    seconds = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"pdf {size}pt failed: {result.error}")
    return {"seconds": round(seconds, 3), "pages": result.entries[0]["facts"]["pages"],
            "bytes": result.entries[0]["bytes"]}


def peak_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its (render) children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"parent_peak_mb": round(own, 1), "render_child_peak_mb": round(kids, 1)}


def cold(size: int) -> dict[str, Any]:
    """A new interpreter: imports (WeasyPrint ~1 s) plus one render, timed from outside."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--one", str(size), tmp], check=True,
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - start
    inner = json.loads(done.stdout)
    return {"wall_seconds": round(wall, 3), **inner}


def warm(size: int) -> dict[str, Any]:
    """Renders in this process after a first one: imports and caches already paid."""
    with tempfile.TemporaryDirectory() as tmp:
        render_once(size, Path(tmp))  # warm-up
        runs = [render_once(size, Path(tmp)) for _ in range(WARM_RUNS)]
    secs = sorted(r["seconds"] for r in runs)
    return {"median_seconds": secs[len(secs) // 2], "min_seconds": secs[0],
            "pages": runs[0]["pages"], "bytes": runs[0]["bytes"]}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        result = render_once(int(sys.argv[2]), Path(sys.argv[3]))
        print(json.dumps({**result, **peak_mb()}))
        return
    report: dict[str, Any] = {
        "cold": {f"{s}pt": cold(s) for s in SIZES},
        "warm": {f"{s}pt": warm(s) for s in SIZES},
    }
    report["warm_process_memory"] = peak_mb()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
