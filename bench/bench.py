"""Benchmark of issue 19's goals, each of ours against its peer in the same run; writes RESULTS.md.

Every measurement alternates ours and the peer run by run (a busy moment of the machine then
falls on both), in new processes, from nothing (output folder and cache removed). Not a test.

    .venv/bin/python bench/bench.py [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
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
FLOORS = ROOT / "bench" / "FLOORS.md"
PY = sys.executable
EXPORTER = str(Path(PY).with_name("exporter"))
CORES = os.cpu_count() or 1
#: Detail scripts run after the goals (each prints JSON): a closer look at one part.
DETAIL_SCRIPTS = (("bench_audio.py", ["--runs", "3"]), ("bench_talking.py", ["--runs", "2"]))

#: A command, or several run one after another as one sample (pandoc making two files).
Commands = Sequence[Sequence[str]]


def stats(samples: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "runs": len(samples)}


def run_once(cmds: Commands, env: dict[str, str], prepare: Callable[[], None] | None = None,
             ) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every process it started) for one sample."""
    if prepare is not None:
        prepare()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for cmd in cmds:
        done = subprocess.run(list(cmd), cwd=ROOT, env=env, capture_output=True, check=False,
                              shell=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr.decode()[-2000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def paired(sides: dict[str, tuple[Commands, Callable[[], None] | None]], runs: int,
           env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each side run ``runs`` times, alternating sides, after one unmeasured warm-up each (the
    file system cache and compiled modules, as on a machine in use)."""
    walls: dict[str, list[float]] = {k: [] for k in sides}
    cpus: dict[str, list[float]] = {k: [] for k in sides}
    for cmds, prep in sides.values():
        run_once(cmds, env, prep)
    for _ in range(runs):
        for name, (cmds, prep) in sides.items():
            wall, cpu = run_once(cmds, env, prep)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {k: {**stats(walls[k]), "cpu": stats(cpus[k])} for k in sides}


def fresh(*folders: Path) -> Callable[[], None]:
    def prepare() -> None:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
    return prepare


def export_cmd(out: Path, *args: str) -> list[str]:
    return [EXPORTER, "export", str(SOURCE), *args, "-o", str(out)]


# ---------------------------------------------------------------- goals


def cold_start(tmp: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    out = tmp / "cold" / "out"
    cache = out.parent / ".exporter-cache"
    r = paired({
        "ours": ([export_cmd(out, "--to", "docx,epub")], fresh(out, cache)),
        "pandoc": ([["pandoc", str(SOURCE), "-o", str(tmp / "p.docx")],
                    ["pandoc", str(SOURCE), "-t", "epub3", "-o", str(tmp / "p.epub")]], None),
        "help": ([[EXPORTER, "--help"]], None),
        "writers": ([[EXPORTER, "writers"]], None),
        "python": ([[PY, "-c", "pass"]], None),
        # The floor: the interpreter and the libraries the two writers cannot do without.
        "imports": ([[PY, "-c", "import docx, ebooklib.epub, markdown_it, yaml, lxml.etree"]],
                    None),
    }, runs, env)
    return r


def full_export(tmp: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    out = tmp / "full" / "out"
    cache = out.parent / ".exporter-cache"
    sizes = ["--size", "16,18,24"]
    return paired({
        "all": ([export_cmd(out, "--to", "all", *sizes)], fresh(out, cache)),
        "pdf": ([export_cmd(out, "--to", "pdf", *sizes)], fresh(out, cache)),
    }, runs, env)


#: WeasyPrint alone on HTML files: what the PDF writer's renders cost without the writer.
WEASY_ALONE = """
import json, sys
from weasyprint import HTML
for html, base, out in json.loads(sys.argv[1]):
    HTML(filename=html, base_url=base).write_pdf(out, pdf_variant="pdf/ua-1")
"""


def captured_pdf_html(folder: Path) -> list[tuple[str, str, str]]:
    """The HTML the PDF writer hands WeasyPrint for each size, saved to files (the writer's
    render step is wrapped for one run to keep its input)."""
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import read
    from exporter.styles import load_styles
    from exporter.writers.base import Options
    from exporter.writers.pdf import writer as pdf_writer

    doc, styles = read(SOURCE), load_styles()
    kept: list[tuple[str, str]] = []
    original = pdf_writer.render_with_limit

    def keep(request: Any, limit: float) -> Any:
        kept.append((request.html, request.base_url))
        return original(request, limit)

    pdf_writer.render_with_limit = keep
    try:
        triples = []
        for size in (16, 18, 24):
            out = folder / f"w{size}"
            out.mkdir(parents=True)
            result = run_job(JobSpec("pdf", Options(size=size)), doc, styles, out, "hsct")
            if not result.ok:
                raise RuntimeError(f"pdf {size}: {result.error}")
            html = folder / f"hsct-{size}.html"
            html.write_text(kept[-1][0], encoding="utf-8")
            triples.append((str(html), kept[-1][1], str(folder / f"alone-{size}.pdf")))
        return triples
    finally:
        pdf_writer.render_with_limit = original


def pdf_overhead(tmp: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    folder = tmp / "weasy"
    triples = captured_pdf_html(folder)
    out = tmp / "pdfw" / "out"
    cache = out.parent / ".exporter-cache"
    return paired({
        "writer": ([export_cmd(out, "--to", "pdf", "--size", "16,18,24", "--jobs", "1")],
                   fresh(out, cache)),
        "weasyprint": ([[PY, "-c", WEASY_ALONE, json.dumps(triples)]], None),
    }, runs, env)


def audio(tmp: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    from exporter import speech
    from exporter.styles import load_styles

    styles = load_styles()
    rate = speech.voice_from_styles(styles).rate_wpm
    cfg = styles.section("audio")
    bitrate, quality = int(cfg.get("bitrate_kbps", 64)), int(cfg.get("mp3_quality", 7))
    out = tmp / "audio" / "out"
    cache = out.parent / ".exporter-cache"
    run_once([export_cmd(out, "--to", "audio")], env, fresh(out, cache))
    transcript = tmp / "transcript.txt"
    shutil.copy(out / "hsct-audio-transcript.txt", transcript)
    espeak = ["espeak-ng", "-v", "en-gb", "-s", str(rate), "-f", str(transcript)]
    pipe = (f"{' '.join(espeak)} --stdout | lame --quiet -q {quality} -b {bitrate} - "
            f"{tmp / 'pipe.mp3'}")
    r = paired({
        "ours": ([export_cmd(out, "--to", "audio")], fresh(out, cache)),
        "pipeline": ([["sh", "-c", pipe]], None),
        "espeak_wav": ([[*espeak, "-w", str(tmp / "e.wav")]], None),
    }, runs, env)
    r["settings"] = {"rate_wpm": rate, "bitrate_kbps": bitrate, "lame_quality": quality,
                     "words": len(transcript.read_text(encoding="utf-8").split())}
    return r


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(port: int, seconds: float = 30.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port}")


def wrk(url: str, seconds: int) -> dict[str, float]:
    done = subprocess.run(["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", url],
                          capture_output=True, text=True, check=True, timeout=seconds + 30)
    text = done.stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50_ms": ms("50%"),
            "p90_ms": ms("90%"), "p99_ms": ms("99%"),
            "non_2xx": float(errors.group(1)) if errors else 0.0}


def serving(tmp: Path, runs: int, env: dict[str, str], seconds: int) -> dict[str, Any]:
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    out = tmp / "serve" / "out"
    run_once([export_cmd(out, "--to", "html,epub,docx")], env)
    ours_port, peer_port = free_port(), free_port()
    servers = [
        subprocess.Popen([EXPORTER, "serve", "-o", str(out), "--port", str(ours_port),
                          "--cache", str(tmp / "serve" / "cache")], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([PY, "-m", "http.server", str(peer_port), "--bind", "127.0.0.1",
                          "--directory", str(out)], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        wait_for(ours_port)
        wait_for(peer_port)
        urls = {"ours": f"http://127.0.0.1:{ours_port}/files/hsct.html",
                "http_server": f"http://127.0.0.1:{peer_port}/hsct.html"}
        for url in urls.values():  # warm-up (the first request reads the file)
            wrk(url, 1)
        samples: dict[str, list[dict[str, float]]] = {k: [] for k in urls}
        for _ in range(runs):
            for name, url in urls.items():
                samples[name].append(wrk(url, seconds))
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    result: dict[str, Any] = {"file": "hsct.html", "bytes": (out / "hsct.html").stat().st_size,
                              "load": f"wrk -t2 -c50 -d{seconds}s, loopback"}
    for name, got in samples.items():
        result[name] = {**stats([g["rps"] for g in got]),
                        "p50_ms": statistics.median(g["p50_ms"] for g in got),
                        "p99_ms": statistics.median(g["p99_ms"] for g in got),
                        "non_2xx": sum(g["non_2xx"] for g in got)}
    return result


def make_export(tmp: Path, runs: int, env: dict[str, str]) -> dict[str, Any]:
    """`make export` as staff run it, from nothing, then again with nothing changed."""
    out = tmp / "make" / "out"
    make = ["make", "--no-print-directory", "export", f"OUTPUT={out}"]
    full, noop = [], []
    for _ in range(runs):
        fresh(out, out.parent / ".exporter-cache")()
        full.append(run_once([make], env)[0])
        noop.append(run_once([make], env)[0])
    return {"full": stats(full), "noop": stats(noop)}


def scaled_source(factor: int, folder: Path) -> Path:
    """The HSCT page with its sections repeated ``factor`` times (same words, more of them)."""
    text = SOURCE.read_text(encoding="utf-8")
    head, body = text.split("\n## ", 1)
    copies = [("\n## " + body).replace("\n## ", f"\n## Part {k}: ")
              for k in range(1, factor + 1)]
    path = folder / f"hsct-x{factor}.md"
    path.write_text(head + "".join(copies) if factor > 1 else text, encoding="utf-8")
    return path


def scaling(tmp: Path, factors: Sequence[int], env: dict[str, str]) -> dict[str, Any]:
    """A page 1x, 10x, 100x as long (Word, EPUB, HTML, PDF at 18pt): time and peak memory
    (bench/measure.py, every process included)."""
    out: dict[str, Any] = {}
    writers = "html,pdf,docx,epub"
    for factor in factors:
        src = scaled_source(factor, tmp)
        report = tmp / f"m{factor}.json"
        dest = tmp / f"scale{factor}" / "out"
        try:
            wall, cpu = run_once([[PY, str(ROOT / "bench" / "measure.py"), str(report),
                                   "export", str(src), "--to", writers, "--size", "18", "-o",
                                   str(dest)]], env, fresh(dest, dest.parent / ".exporter-cache"))
        except RuntimeError as exc:  # e.g. the PDF's time limit on a busy machine
            out[f"x{factor} error"] = str(exc)[-500:]
            continue
        out[str(factor)] = {"seconds": wall, "cpu": cpu,
                            "peak_mib": json.loads(report.read_text())["peak_mib"],
                            "writers": writers}
    return out


# ---------------------------------------------------------------- report


def tool_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("weasyprint", "python-docx", "EbookLib", "espeakng-loader", "lameenc",
                "markdown-it-py", "uvicorn", "starlette"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    for cmd in (["pandoc", "--version"], ["espeak-ng", "--version"], ["lame", "--version"],
                ["wrk", "-v"]):
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            first = (done.stdout or done.stderr).strip().splitlines()[0]
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
    return f"{CORES} cores ({cpu}), {mem:.0f} GiB, {platform.platform()}"


def goal(name: str, ours: str, peer: str, ratio: float, limit: float,
         higher_is_better: bool = False) -> dict[str, Any]:
    met = ratio >= limit if higher_is_better else ratio <= limit
    return {"goal": name, "ours": ours, "peer": peer, "ratio": ratio,
            "limit": f"{'>=' if higher_is_better else '<='} {limit:g}", "met": met}


def s(x: dict[str, Any]) -> str:
    return f"{x['median']:.3f} s"


def goals(r: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "cold" in r:
        c = r["cold"]
        out.append(goal("1. Word + EPUB cold, time / pandoc's (both files)", s(c["ours"]),
                        s(c["pandoc"]), c["ours"]["median"] / c["pandoc"]["median"], 1.0))
        out.append(goal("1. `exporter --help`, seconds", s(c["help"]), "-", c["help"]["median"],
                        0.15))
        out.append(goal("1. `exporter writers`, seconds", s(c["writers"]), "-",
                        c["writers"]["median"], 0.3))
    if "full" in r:
        f = r["full"]["all"]
        limit_wall = f["cpu"]["median"] / CORES
        out.append(goal(f"2. Full export wall / (CPU-s / {CORES} cores)", s(f),
                        f"{limit_wall:.3f} s", f["median"] / limit_wall, 1.1))
        out.append(goal("2. Full export CPU-s / 5.5 (the issue's figure)",
                        f"{f['cpu']['median']:.2f} CPU-s", "5.5 CPU-s", f["cpu"]["median"] / 5.5,
                        1.0))
    if "pdf" in r:
        p = r["pdf"]
        out.append(goal("2. PDF writer (3 sizes, 1 process) / WeasyPrint alone on its HTML",
                        s(p["writer"]), s(p["weasyprint"]),
                        p["writer"]["median"] / p["weasyprint"]["median"], 1.2))
    if "audio" in r:
        a = r["audio"]
        out.append(goal("3. Audio writer / espeak-ng | lame (same text, rate, bitrate)",
                        s(a["ours"]), s(a["pipeline"]),
                        a["ours"]["median"] / a["pipeline"]["median"], 0.5))
        out.append(goal("3. Audio speed / espeak-ng -w speed (WAV alone)", s(a["ours"]),
                        s(a["espeak_wav"]), a["espeak_wav"]["median"] / a["ours"]["median"],
                        0.5, higher_is_better=True))
    if "serve" in r and "ours" in r["serve"]:
        v = r["serve"]
        out.append(goal("4. Download service req/s / python -m http.server (same file)",
                        f"{v['ours']['median']:.0f}/s", f"{v['http_server']['median']:.0f}/s",
                        v["ours"]["median"] / v["http_server"]["median"], 3.0, True))
    sc = r.get("scale", {})
    if "1" in sc and "100" in sc:
        out.append(goal("100x document time / 1x time (same writers)",
                        f"{sc['100']['seconds']:.2f} s", f"{sc['1']['seconds']:.2f} s",
                        sc["100"]["seconds"] / sc["1"]["seconds"], 100))
        out.append(goal("100x document peak memory, MiB", f"{sc['100']['peak_mib']:.0f} MiB",
                        "-", sc["100"]["peak_mib"], 1024))
    if "make" in r:
        m = r["make"]
        out.append(goal("No-op `make export` / full `make export`", s(m["noop"]), s(m["full"]),
                        m["noop"]["median"] / m["full"]["median"], 0.05))
    return out


def cell(text: str) -> str:
    """Text for a Markdown table cell (a shell pipe would end the cell)."""
    return text.replace("|", "\\|")


def row(name: str, x: dict[str, Any], cpu: bool = True) -> str:
    c = x.get("cpu")
    cpu_text = f"{c['median']:.3f}" if cpu and c else ""
    return (f"| {cell(name)} | {x['median']:.3f} | {x['min']:.3f} | {x['max']:.3f} | {x['runs']} "
            f"| {cpu_text} |")


def render(r: dict[str, Any]) -> str:
    lines = ["# Benchmark results (issue 19)", "",
             f"Machine: {r['machine']}", "",
             f"Conditions: load average {r['load_before']} before, {r['load_after']} after "
             f"(1, 5, 15 min; {CORES} cores). {r['conditions']}", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()), "",
             f"Written by `make bench` ({r['seconds']:.0f} s). Every row is whole processes, "
             "new each run, ours and the peer alternating run by run; ours from nothing "
             "(output folder and cache removed). Seconds; CPU = user + system seconds of every "
             "process the run started.", "",
             "## Goals", "", "| goal | ours | peer | ratio | limit | met |",
             "|---|---|---|---|---|---|"]
    for g in r["goals"]:
        lines.append(f"| {cell(g['goal'])} | {g['ours']} | {g['peer']} | {g['ratio']:.2f} | "
                     f"{g['limit']} | {'met' if g['met'] else '**not met**'} |")
    lines += ["", "## Figures", "", "| measurement | median | min | max | runs | CPU-s median |",
              "|---|---|---|---|---|---|"]
    labels = {
        "cold": {"ours": "exporter: Word + EPUB (18pt), cold",
                 "pandoc": "pandoc -> docx, then pandoc -> epub3",
                 "help": "exporter --help", "writers": "exporter writers",
                 "python": "python -c pass (interpreter start)",
                 "imports": "python importing python-docx, EbookLib, markdown-it, PyYAML, lxml"},
        "full": {"all": "full export: all formats, 16/18/24pt",
                 "pdf": "PDF alone, 16/18/24pt"},
        "pdf": {"writer": "PDF writer, 16/18/24pt, one process (--jobs 1)",
                "weasyprint": "WeasyPrint alone on the writer's three HTML files, one process"},
        "audio": {"ours": "exporter: audio (MP3 chapters, book, playlist, transcript)",
                  "pipeline": "espeak-ng --stdout | lame (same transcript)",
                  "espeak_wav": "espeak-ng -w (WAV only)"},
    }
    for key, names in labels.items():
        for name, label in names.items():
            if key in r and name in r[key]:
                lines.append(row(label, r[key][name]))
    if "make" in r:
        lines.append(row("`make export` from nothing (export, index, check)", r["make"]["full"]))
        lines.append(row("`make export` again, nothing changed", r["make"]["noop"]))
    for factor, x in r.get("scale", {}).items():
        if not isinstance(x, dict):
            lines += ["", f"Document {factor}: {x}"]
            continue
        lines.append(f"| document x{factor}: {x['writers']} (18pt), one run | {x['seconds']:.3f} "
                     f"| | | 1 | {x['cpu']:.3f} |")
    if "audio" in r:
        lines += ["", f"Audio settings: {json.dumps(r['audio']['settings'])}"]
    v = r.get("serve", {})
    if "ours" in v:
        lines += ["", f"## Serving {v['file']} ({v['bytes']} bytes), {v['load']}", "",
                  "| server | req/s median | min | max | runs | p50 ms | p99 ms | non-2xx |",
                  "|---|---|---|---|---|---|---|---|"]
        for name, label in (("ours", "exporter serve (/files/hsct.html)"),
                            ("http_server", "python -m http.server")):
            x = v[name]
            lines.append(f"| {label} | {x['median']:.0f} | {x['min']:.0f} | {x['max']:.0f} | "
                         f"{x['runs']} | {x['p50_ms']:.2f} | {x['p99_ms']:.2f} | "
                         f"{x['non_2xx']:.0f} |")
    elif v:
        lines += ["", f"Serving: {v.get('skipped')}"]
    for key, error in r.get("errors", {}).items():
        lines += ["", f"**{key}: not measured**: `{error.strip().splitlines()[-1]}`"]
    for script, data in r.get("details", {}).items():
        lines += ["", f"## Details: bench/{script}", "", "```json", json.dumps(data, indent=2),
                  "```"]
    text = "\n".join(lines) + "\n"
    if FLOORS.is_file():
        text += "\n" + FLOORS.read_text(encoding="utf-8")
    return text


def _collection_section() -> str:
    """bench/bench_collection.py's section (about 40 minutes: `make bench-collection`)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_collection import BEGIN, END

    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    found = re.search(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", text, re.DOTALL)
    return "\n" + found.group(0) if found else ""


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement")
    ap.add_argument("--serve-seconds", type=int, default=5, help="length of each wrk run")
    ap.add_argument("--quick", action="store_true", help="2 runs, no detail scripts")
    ap.add_argument("--scale", default="1,10,100",
                    help="document lengths to build once each, as multiples ('' for none)")
    ap.add_argument("--conditions", default="",
                    help="what else the machine was doing (written into RESULTS.md)")
    args = ap.parse_args(argv)
    runs = 2 if args.quick else args.runs
    sys.path.insert(0, str(ROOT))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    begun = time.perf_counter()
    r: dict[str, Any] = {"machine": machine(), "versions": tool_versions(),
                         "load_before": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
                         "conditions": args.conditions or "Other work on the machine: "
                         "unknown (the integrator's run is on a quiet machine)."}

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - begun:6.1f} s] {text}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sections: list[tuple[str, str, Callable[[], Any]]] = [
            ("cold", "1. cold start vs pandoc", lambda: cold_start(tmp, runs, env)),
            ("full", "2. full export", lambda: full_export(tmp, runs, env)),
            ("pdf", "2. PDF writer vs WeasyPrint alone", lambda: pdf_overhead(tmp, runs, env)),
        ]
        if shutil.which("espeak-ng") and shutil.which("lame"):
            sections.append(("audio", "3. audio vs espeak-ng | lame",
                             lambda: audio(tmp, runs, env)))
        sections += [
            ("serve", "4. download service vs http.server",
             lambda: serving(tmp, min(runs, 3), env, args.serve_seconds)),
            ("make", "make export", lambda: make_export(tmp, min(runs, 3), env)),
        ]
        if args.scale:
            factors = [int(f) for f in args.scale.split(",")]
            sections.append(("scale", f"document x{args.scale}",
                             lambda: scaling(tmp, factors, env)))
        r["errors"] = {}
        for key, label, measure in sections:
            log(label)
            try:  # one section failing (a time limit on a busy machine) leaves the others
                r[key] = measure()
            except Exception as exc:
                r["errors"][key] = str(exc)[-1500:]
                log(f"{label}: failed: {exc}")
    r["goals"] = goals(r)
    r["details"] = {}
    if not args.quick:
        for script, extra in DETAIL_SCRIPTS:
            log(script)
            done = subprocess.run([PY, str(ROOT / "bench" / script), *extra], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=False)
            try:
                r["details"][script] = json.loads(done.stdout)
            except ValueError:
                r["details"][script] = {"error": done.stderr.strip().splitlines()[-1:]}
    r["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    r["seconds"] = time.perf_counter() - begun
    text = render(r) + _collection_section()
    RESULTS.write_text(text, encoding="utf-8")
    (ROOT / "bench" / "results-latest.json").write_text(json.dumps(r, indent=2))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
