"""Collection benchmark: 200 pages copied from the test corpus, every format, on the local
process pool and on two Celery workers; Word + EPUB + HTML against pandoc making the same 600
files; peak memory of every process involved. Writes its section of bench/RESULTS.md.

    .venv/bin/python bench/bench_collection.py [--pages 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "pages"
RESULTS = ROOT / "bench" / "RESULTS.md"
PY = sys.executable
EPOCH = "1700000000"
BEGIN, END = "<!-- collection benchmark: begin -->", "<!-- collection benchmark: end -->"


# ---------------------------------------------------------------- the collection


def make_collection(folder: Path, pages: int) -> list[Path]:
    """``pages`` pages copied from the corpus under new names (pictures beside them)."""
    folder.mkdir(parents=True)
    corpus = sorted(CORPUS.glob("*.md"))
    for picture in CORPUS.glob("*.png"):
        shutil.copy(picture, folder / picture.name)
    made = []
    for i in range(pages):
        page = corpus[i % len(corpus)]
        target = folder / f"{page.stem}-{i:03d}.md"
        shutil.copy(page, target)
        made.append(target)
    return made


# ---------------------------------------------------------------- memory of a process tree


def _tree_rss(roots: Sequence[int]) -> int:
    """Memory of some processes and all their descendants, now: the proportional set size
    (each shared page divided among the processes sharing it, so forked pool processes and
    shared libraries are counted once, not once per process), else the resident size."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    wanted = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in wanted and pid not in wanted:
                wanted.add(pid)
                grew = True
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in wanted:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) * 1024 for line in rollup.splitlines()
                          if line.startswith("Pss:"))
            continue
        except (OSError, StopIteration, IndexError, ValueError):
            pass
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


class PeakMemory:
    """Samples the resident memory of process trees every 0.2 s; the peak, in MiB."""

    def __init__(self, roots: Callable[[], Sequence[int]]) -> None:
        self.roots = roots
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.roots()))
            self._stop.wait(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mib(self) -> float:
        return self.peak / (1024 * 1024)


# ---------------------------------------------------------------- runs


def stats(samples: Sequence[float]) -> dict[str, float]:
    return {"min": min(samples), "median": statistics.median(samples), "max": max(samples),
            "runs": len(samples)}


def export(pages: Path, out: Path, formats: str, extra: Sequence[str] = (),
           others: Callable[[], Sequence[int]] = lambda: ()) -> tuple[float, float]:
    """One cold export (a new process: start-up and imports included): seconds, peak MiB."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    start = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "exporter", "export", str(pages), "--to", formats,
                             "-o", str(out), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with PeakMemory(lambda: [proc.pid, *others()]) as memory:
        _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"export failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, memory.mib


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Broker:
    """A private redis-server, and workers started afresh for each run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"], stdout=subprocess.DEVNULL)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workers: list[subprocess.Popen[bytes]] = []
        time.sleep(0.5)

    def start_workers(self, n: int, run: int) -> None:
        logs = []
        for i in range(n):
            home = self.folder / f"run{run}-worker{i}"
            home.mkdir(parents=True)
            log = home / "log"
            logs.append(log)
            with log.open("wb") as out:
                self.workers.append(subprocess.Popen(
                    [PY, "-m", "exporter", "worker", "--broker", self.url, "-c", "1",
                     "--name", f"w{i}-{run}@bench", "--cache", str(home / "cache")],
                    cwd=home, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                    env={**os.environ, "PYTHONPATH": str(ROOT)}))
        for log in logs:  # standing workers: their start-up is not the export's
            deadline = time.monotonic() + 120
            while "ready." not in log.read_text(errors="replace"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"a worker did not start:\n{log.read_text()}")
                time.sleep(0.1)

    def pids(self) -> list[int]:
        return [self.redis.pid, *(w.pid for w in self.workers)]

    def stop_workers(self) -> None:
        for w in self.workers:
            os.killpg(w.pid, signal.SIGTERM)
        for w in self.workers:
            w.wait(timeout=60)
        self.workers = []

    def close(self) -> None:
        self.stop_workers()
        self.redis.terminate()
        self.redis.wait(timeout=10)


def pandoc(pages: Sequence[Path], out: Path, parallel: int) -> float:
    """pandoc making Word, EPUB 3 and standalone HTML of every page: seconds."""
    commands = []
    for page in pages:
        for to, suffix in (("docx", "docx"), ("epub3", "epub"), ("html5", "html")):
            commands.append(["pandoc", str(page), "-f", "markdown", "-t", to, "-s",
                             f"--resource-path={page.parent}", "-o",
                             str(out / f"{page.stem}.{suffix}")])
    out.mkdir(parents=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for done in pool.map(lambda c: subprocess.run(c, capture_output=True), commands):
            if done.returncode != 0:
                raise RuntimeError(done.stderr.decode()[-2000:])
    return time.perf_counter() - start


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores ({model}), {mem / 1024 / 1024:.0f} GiB, "
            f"{platform.platform()}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--pages", type=int, default=200)
    p.add_argument("--runs", type=int, default=3)
    a = p.parse_args(argv)
    r: dict[str, Any] = {"machine": machine(), "pages": a.pages, "runs": a.runs,
                         "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-collection-") as tmp:
        base = Path(tmp)
        sources = make_collection(base / "pages", a.pages)
        pages = base / "pages"

        def log(what: str) -> None:
            print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)

        # Every format on this machine's process pool (one process per core).
        local, local_mem = [], []
        for run in range(a.runs):
            log(f"local pool, every format, run {run + 1}")
            s, m = export(pages, base / f"local-{run}", "all")
            local.append(s)
            local_mem.append(m)
        r["local"] = {**stats(local), "peak_mib": max(local_mem)}

        # Every format on two Celery workers (one job at a time each) on this machine.
        broker = Broker(base / "celery")
        celery, celery_mem = [], []
        try:
            for run in range(a.runs):
                broker.start_workers(2, run)
                log(f"two Celery workers, every format, run {run + 1}")
                s, m = export(pages, base / f"celery-{run}", "all", ["--broker", broker.url],
                              broker.pids)
                celery.append(s)
                celery_mem.append(m)
                broker.stop_workers()
        finally:
            broker.close()
        r["celery"] = {**stats(celery), "peak_mib": max(celery_mem)}
        r["identical"] = digest(base / "local-0") == digest(base / "celery-0")
        r["files"] = len(digest(base / "local-0"))

        # Word + EPUB + HTML: one process for every page, against pandoc per file.
        light, light_mem = [], []
        for run in range(a.runs):
            log(f"Word + EPUB + HTML, run {run + 1}")
            s, m = export(pages, base / f"light-{run}", "docx,epub,html")
            light.append(s)
            light_mem.append(m)
        r["light"] = {**stats(light), "peak_mib": max(light_mem)}
        r["light_one_process"] = {}
        for run in range(a.runs):
            log(f"Word + EPUB + HTML in one process (-j 1), run {run + 1}")
            s, _ = export(pages, base / f"light1-{run}", "docx,epub,html", ["-j", "1"])
            r["light_one_process"].setdefault("samples", []).append(s)
        r["light_one_process"] = stats(r["light_one_process"]["samples"])
        for parallel in (1, 2):
            samples = []
            for run in range(a.runs):
                log(f"pandoc x{len(sources) * 3}, {parallel} at a time, run {run + 1}")
                samples.append(pandoc(sources, base / f"pandoc-{parallel}-{run}", parallel))
            r[f"pandoc_{parallel}"] = stats(samples)
    r["load_after"] = os.getloadavg()
    r["versions"] = {"pandoc": subprocess.run(["pandoc", "--version"], capture_output=True,
                                              text=True).stdout.splitlines()[0],
                     "redis-server": subprocess.run(["redis-server", "--version"],
                                                    capture_output=True,
                                                    text=True).stdout.split()[2]}
    from importlib.metadata import version

    r["versions"]["celery"] = version("celery")
    (ROOT / "bench" / "results-collection.json").write_text(json.dumps(r, indent=2))
    section = render(r)
    write_section(section)
    print(section)
    return 0


def render(r: dict[str, Any]) -> str:
    n = r["pages"]

    def row(name: str, s: dict[str, Any], per_minute: bool = False) -> str:
        rate = f" | {n / s['median'] * 60:.0f}" if per_minute else " | "
        peak = f"{s['peak_mib']:.0f}" if "peak_mib" in s else ""
        return (f"| {name} | {s['min']:.1f} | {s['median']:.1f} | {s['max']:.1f}{rate} | "
                f"{peak} |")

    overhead = r["celery"]["median"] / r["local"]["median"] - 1
    vs_seq = r["light"]["median"] / r["pandoc_1"]["median"]
    vs_par = r["light"]["median"] / r["pandoc_2"]["median"]
    peak = max(r["local"]["peak_mib"], r["celery"]["peak_mib"], r["light"]["peak_mib"])

    def met(ok: bool) -> str:
        return "met" if ok else "not met"

    lines = [
        BEGIN, "## Collections: 200 pages", "",
        f"`bench/bench_collection.py`: {n} pages copied from the test corpus "
        "(tests/fixtures/pages, each page under about 22 names), exported cold (a new "
        "process: start-up and imports included) into a fresh folder each run, under "
        "SOURCE_DATE_EPOCH; every format = `--to all` at the default 18 pt "
        f"({r['files']} files). Machine: {r['machine']}; load average before "
        f"{r['load_before'][0]:.2f}, after {r['load_after'][0]:.2f} (the machine is shared: "
        "other work ran at the same time). Versions: "
        + ", ".join(f"{k} {v}" for k, v in r["versions"].items()) + ".", "",
        "| goal | measured | met |", "|---|---|---|",
        f"| Celery overhead: two workers / the local pool, every format (<= 1.10) | "
        f"{1 + overhead:.3f} | {met(overhead <= 0.10)} |",
        f"| Word + EPUB + HTML / pandoc making the same {n * 3} files one after another "
        f"(<= 0.3) | {vs_seq:.3f} | {met(vs_seq <= 0.3)} |",
        f"| the same / pandoc two at a time (both use the 2 cores) (<= 0.3) | {vs_par:.3f} | "
        f"{met(vs_par <= 0.3)} |",
        f"| Peak memory of every process involved, MiB (< 1024) | {peak:.0f} | "
        f"{met(peak < 1024)} |",
        f"| Celery's files byte-identical to the local pool's | {r['identical']} | "
        f"{met(bool(r['identical']))} |", "",
        "| measurement (seconds) | min | median | max | pages per minute | peak MiB |",
        "|---|---|---|---|---|---|",
        row("every format, local pool (2 processes)", r["local"], True),
        row("every format, two Celery workers (Redis on this machine)", r["celery"], True),
        row("Word + EPUB + HTML, local pool", r["light"], True),
        row("Word + EPUB + HTML, one process (-j 1)", r["light_one_process"], True),
        row(f"pandoc, {n * 3} files one after another", r["pandoc_1"], True),
        row(f"pandoc, {n * 3} files two at a time", r["pandoc_2"], True),
        "", "Peak memory is the proportional set size (PSS: a page shared by several "
        "processes is counted once in all) of the exporter with all its processes "
        "(pool, PDF render children), and for Celery also the two workers (their pools) and "
        "redis-server, sampled every 0.2 s.", END]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    """Put the section into RESULTS.md in place of the last one (bench.py keeps it)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Benchmark results\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.DOTALL)
    text = pattern.sub("", text).rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
