"""Export benchmark: writers cold and warm, full export, peers, scaling; writes RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = sys.executable
#: Scripts with a closer look at one part (per-size PDF renders, speech stages, the service).
DETAIL_SCRIPTS = ("bench_pdf.py", "bench_audio.py", "bench_serve.py")


def stats(samples: Sequence[float]) -> dict[str, float]:
    """Median and spread of several runs."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples)}


def cold(args: Sequence[str], runs: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The exporter in a new process each run: time and peak memory (incl. worker processes)."""
    times, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "m.json"
            out = Path(tmp) / "out"
            start = time.perf_counter()
            run = subprocess.run(
                [PY, str(ROOT / "bench" / "measure.py"), str(report), "export", *args,
                 "--force", "-o", str(out)],
                cwd=ROOT, capture_output=True, text=True, env=env, check=False,
            )
            if run.returncode != 0:
                raise RuntimeError(f"exporter {' '.join(args)} failed:\n{run.stderr[-2000:]}")
            wall = time.perf_counter() - start
            m = json.loads(report.read_text())
            # The whole process, interpreter start and imports included, as for pandoc:
            # a person waits for those too.
            times.append(wall)
            peaks.append(m["peak_mib"])
    return {**stats(times), "peak_mib": max(peaks)}


def timed_command(cmd: Sequence[str], runs: int) -> dict[str, float]:
    """Wall time of an external command (pandoc, espeak-ng), new process each run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return stats(times)


def warm(writer: str, runs: int, size: int = 18) -> dict[str, float]:
    """Repeated runs of one writer inside one process, after a first run to warm up."""
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Options

    doc, styles = read(SOURCE), load_styles()
    outline = doc.outline
    spec = JobSpec(writer, Options(size=size))
    times = []
    for i in range(runs + 1):
        # A fresh folder each run: the audio writer would otherwise reuse what it spoke.
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            out.mkdir()
            start = time.perf_counter()
            result = run_job(spec, doc, styles, out, "hsct")
            if not result.ok:
                raise RuntimeError(f"{writer}: {result.error}")
            if i:
                times.append(time.perf_counter() - start)
    return stats(times)


def scaled_source(factor: int, folder: Path) -> Path:
    """The HSCT page with its sections repeated ``factor`` times (same words, more of them)."""
    text = SOURCE.read_text(encoding="utf-8")
    head, body = text.split("\n## ", 1)
    sections = "\n## " + body
    copies = [sections.replace("\n## ", f"\n## Part {k}: ") for k in range(1, factor + 1)]
    path = folder / f"hsct-x{factor}.md"
    path.write_text(head + "".join(copies) if factor > 1 else text, encoding="utf-8")
    return path


def tool_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("weasyprint", "python-docx", "EbookLib", "espeakng-loader",
                "lameenc", "mutagen", "markdown-it-py", "pikepdf"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    for cmd in (["pandoc", "--version"], ["espeak-ng", "--version"]):
        try:
            first = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
            out[cmd[0]] = first
        except (OSError, IndexError):
            out[cmd[0]] = "not installed"
    return out


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}"


def goal(name: str, ratio: float, limit: float, higher_is_better: bool = False) -> dict[str, Any]:
    met = ratio >= limit if higher_is_better else ratio <= limit
    return {"goal": name, "ratio": ratio, "limit": limit, "met": met}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (median reported)")
    ap.add_argument("--scale", default="1,10,100", help="document sizes to build, as multiples")
    args = ap.parse_args(argv)
    runs = args.runs
    sys.path.insert(0, str(ROOT))
    from exporter import registry
    from exporter.pipeline import CACHE_DIR
    from exporter.reader import read
    from exporter.writers.audio.writer import MAX_CHAPTERS
    from exporter.writers.base import WriterError

    writers = []
    for name in ("html", "pdf", "docx", "epub", "audio"):
        try:
            registry.get(name)
            writers.append(name)
        except WriterError as exc:
            print(f"skipping {name}: {exc}", file=sys.stderr)
    sizes = "16,18,24"
    # As on a user's machine: Python keeps its compiled modules between runs.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    r: dict[str, Any] = {"machine": machine(), "versions": tool_versions(), "runs": runs}
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731

    r["cold"], r["warm"] = {}, {}
    for w in writers:
        log(f"cold {w}")
        r["cold"][w] = cold([str(SOURCE), "--to", w, "--size", sizes], runs, env)
        log(f"warm {w}")
        r["warm"][w] = warm(w, runs)
    log("full export")
    r["full"] = cold([str(SOURCE), "--to", ",".join(writers), "--size", sizes], runs, env)
    log("docx+epub")
    r["docx_epub"] = cold([str(SOURCE), "--to", "docx,epub", "--size", "18"], runs, env)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        # `make export` as staff run it (export, download page, check), first from nothing,
        # then again with nothing changed.
        make = ["make", "--no-print-directory", "export", f"OUTPUT={out}"]
        full_make, noop = [], []
        for _ in range(runs):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(out.parent / CACHE_DIR, ignore_errors=True)  # truly from nothing
            start = time.perf_counter()
            subprocess.run(make, cwd=ROOT, env=env, check=True, capture_output=True)
            full_make.append(time.perf_counter() - start)
            start = time.perf_counter()
            subprocess.run(make, cwd=ROOT, env=env, check=True, capture_output=True)
            noop.append(time.perf_counter() - start)
        r["make_full"], r["noop"] = stats(full_make), stats(noop)
        transcript = out / "hsct-audio-transcript.txt"
        if shutil.which("pandoc"):
            log("pandoc")
            r["pandoc_docx"] = timed_command(["pandoc", str(SOURCE), "-o",
                                              str(Path(tmp) / "p.docx")], runs)
            r["pandoc_epub"] = timed_command(["pandoc", str(SOURCE), "-t", "epub3", "-o",
                                              str(Path(tmp) / "p.epub")], runs)
        if shutil.which("espeak-ng") and transcript.is_file():
            log("espeak-ng")
            r["espeak_cli"] = timed_command(
                ["espeak-ng", "-v", "en-gb", "-s", "165", "-f", str(transcript), "-w",
                 str(Path(tmp) / "e.wav")], runs)

        r["scale"] = {}
        for factor in (int(f) for f in args.scale.split(",")):
            log(f"scale x{factor}")
            src = scaled_source(factor, Path(tmp))
            chosen = writers
            if "audio" in writers and len(read(src).headings) > MAX_CHAPTERS:
                # An MP3 chapter table holds at most 255 chapters: the audio writer refuses.
                chosen = [w for w in writers if w != "audio"]
            r["scale"][factor] = {
                **cold([str(src), "--to", ",".join(chosen), "--size", "18"],
                       1 if factor > 1 else runs, env),
                "writers": chosen,
            }

    goals = []
    if {"docx_epub", "pandoc_docx", "pandoc_epub"} <= r.keys():
        peer = r["pandoc_docx"]["median"] + r["pandoc_epub"]["median"]
        goals.append(goal("Word + EPUB cold, time / pandoc's (<= 1.0)",
                          r["docx_epub"]["median"] / peer, 1.0))
    slowest = max(r["cold"][w]["median"] for w in writers)
    goals.append(goal("Full export / slowest single writer alone (<= 1.2)",
                      r["full"]["median"] / slowest, 1.2))
    if "espeak_cli" in r and "audio" in r["cold"]:
        goals.append(goal("Audio speed / espeak-ng CLI speed (>= 0.6)",
                          r["espeak_cli"]["median"] / r["cold"]["audio"]["median"], 0.6, True))
    goals.append(goal("No-op `make export` / full `make export` (< 0.05)",
                      r["noop"]["median"] / r["make_full"]["median"], 0.05))
    if 1 in r["scale"] and 100 in r["scale"]:
        one = r["scale"][1]
        if r["scale"][100]["writers"] != one["writers"]:  # compare like with like
            one = cold([str(SOURCE), "--to", ",".join(r["scale"][100]["writers"]), "--size",
                        "18"], runs, env)
            r["scale_1_same_writers"] = one
        goals.append(goal("100x document time / 1x time, same writers (<= 100)",
                          r["scale"][100]["median"] / one["median"], 100))
        goals.append(goal("100x document peak memory, MiB (< 1024)",
                          r["scale"][100]["peak_mib"], 1024))
    r["goals"] = goals
    r["details"] = {}
    for script in DETAIL_SCRIPTS:
        log(script)
        run = subprocess.run([PY, str(ROOT / "bench" / script)], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=False)
        try:
            r["details"][script] = json.loads(run.stdout)
        except ValueError:
            r["details"][script] = {"error": run.stderr.strip().splitlines()[-1:]}
    RESULTS.write_text(render(r) + _collection_section(), encoding="utf-8")
    (ROOT / "bench" / "results-latest.json").write_text(json.dumps(r, indent=2))
    print(render(r))
    return 0


def _collection_section() -> str:
    """The collection benchmark's section (bench/bench_collection.py), kept as it was."""
    import re

    from bench_collection import BEGIN, END

    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    found = re.search(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", text, re.DOTALL)
    return "\n" + found.group(0) if found else ""


def render(r: dict[str, Any]) -> str:
    def row(name: str, s: dict[str, Any]) -> str:
        peak = f"{s['peak_mib']:.0f}" if "peak_mib" in s else ""
        return (f"| {name} | {s['median']:.3f} | {s['min']:.3f}-{s['max']:.3f} | {s['runs']} "
                f"| {peak} |")

    lines = ["# Benchmark results", "", f"Machine: {r['machine']}", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()), "",
             "Times in seconds (median, range over runs); cold = a new process, including "
             "start-up and imports; peak memory in MiB including worker processes.", "",
             "## Goals", "", "| goal | measured | met |", "|---|---|---|"]
    lines += [f"| {g['goal']} | {g['ratio']:.3f} | {'met' if g['met'] else 'not met'} |"
              for g in r["goals"]]
    lines += ["", "## Figures", "", "| measurement | median | range | runs | peak MiB |",
              "|---|---|---|---|---|"]
    for w, s in r["cold"].items():
        lines.append(row(f"{w} cold (16, 18, 24pt where sized)", s))
    for w, s in r["warm"].items():
        lines.append(row(f"{w} warm (one job, 18pt)", s))
    lines.append(row("full export, cold", r["full"]))
    lines.append(row("docx + epub, cold (18pt)", r["docx_epub"]))
    lines.append(row("`make export` from nothing (export, index, check)", r["make_full"]))
    lines.append(row("`make export` again, nothing changed", r["noop"]))
    for key, label in (("pandoc_docx", "pandoc -> docx"), ("pandoc_epub", "pandoc -> epub3"),
                       ("espeak_cli", "espeak-ng CLI -> WAV (transcript)")):
        if key in r:
            lines.append(row(label, r[key]))
    for factor, s in r["scale"].items():
        lines.append(row(f"document x{factor}: {', '.join(s['writers'])} (18pt)", s))
    if "scale_1_same_writers" in r:
        lines.append(row("document x1 without audio (for the x100 ratio)",
                         r["scale_1_same_writers"]))
    for script, data in r.get("details", {}).items():
        lines += ["", f"## Details: bench/{script}", "", "```json",
                  json.dumps(data, indent=2), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
