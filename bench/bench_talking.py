"""Talking-book benchmark: the MP3 audio alone against the audio with both talking books.

Prints JSON. Not a test. Usage: .venv/bin/python bench/bench_talking.py [--runs N]
Each run exports source/hsct.md into a fresh folder the way `make export` does (parallel
jobs, the pipeline's own scheduling), so "cold" includes speaking the recording and laying
out the 18pt pages; "warm" exports again with --force into the same folder, where the
recording and the page map are in the cache; "recording cold" speaks afresh with only the
18pt page map kept (what the talking books add beside a recording nobody has made yet, once
the print layout is known). The goal (issue 15): talking books built alongside the MP3 cost
no more than 1.2 times the MP3 alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exporter.batch import export  # noqa: E402

SOURCE = ROOT / "source" / "hsct.md"
ALONE = ["audio"]
TOGETHER = ["audio", "talking-epub", "daisy"]


def run(writers: list[str], folder: Path, force: bool = False) -> float:
    start = time.perf_counter()
    results = export(SOURCE, folder, writers, force=force)
    seconds = time.perf_counter() - start
    failed = [r.error for r in results if not r.ok]
    if failed:
        raise SystemExit(f"export failed: {failed}")
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    runs = ap.parse_args().runs
    times: dict[str, list[float]] = {k: [] for k in (
        "alone_cold", "together_cold", "together_recording_cold", "alone_warm",
        "together_warm")}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            # Alternate, so that a busy moment of the machine does not fall on one side only.
            for name, writers in (("alone", ALONE), ("together", TOGETHER)):
                folder = Path(tmp) / f"{name}-{i}" / "output"
                times[f"{name}_cold"].append(run(writers, folder))
                times[f"{name}_warm"].append(run(writers, folder, force=True))
            folder = Path(tmp) / f"recording-{i}" / "output"
            pages = Path(tmp) / f"together-{i}" / ".exporter-cache" / "print-pages"
            shutil.copytree(pages, folder.parent / ".exporter-cache" / "print-pages")
            times["together_recording_cold"].append(run(TOGETHER, folder))
    med = {k: statistics.median(v) for k, v in times.items()}
    result: dict[str, Any] = {
        "cpus": os.cpu_count(), "load_avg": os.getloadavg(), "runs": runs,
        "seconds": {k: round(v, 3) for k, v in med.items()},
        "all_runs": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "ratio_cold": round(med["together_cold"] / med["alone_cold"], 2),
        "ratio_warm": round(med["together_warm"] / med["alone_warm"], 2),
        "ratio_recording_cold": round(med["together_recording_cold"] / med["alone_cold"], 2),
        "goal": "ratio <= 1.2",
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
