"""Benchmark of the download service on loopback: requests a second, latency, variant cache hits.

Starts `exporter.service.app.run` in a child process on 127.0.0.1, then drives it with concurrent
httpx clients in two bounded phases, and prints one JSON object:

- downloads: GETs of every published file, some with Range (audio seeking), some conditional
  (If-None-Match, answered 304);
- variants: on-demand requests drawn from a small set of distinct variants in random order,
  so the first request for each builds it and the rest hit the cache (or wait for the build).

    .venv/bin/python bench/bench_serve.py [--requests 600] [--variant-requests 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
HOST = "127.0.0.1"  # loopback only, whatever the arguments


def percentiles(samples: list[float]) -> dict[str, float | None]:
    if not samples:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    s = sorted(samples)

    def at(q: float) -> float:
        return round(1000 * s[min(len(s) - 1, int(q * len(s)))], 2)

    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99),
            "max_ms": round(1000 * s[-1], 2), "mean_ms": round(1000 * statistics.fmean(s), 2)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def prepare_output(out: Path) -> None:
    """A fresh export of the quick writers, so the bench does not depend on output/."""
    from exporter.batch import export

    results = export(SOURCE, out, ["html", "pdf", "epub", "audio"], sizes=[18], jobs=2)
    failed = [r.error for r in results if not r.ok]
    if failed:
        print(f"warning: some writers failed: {failed}", file=sys.stderr)


def start_server(out: Path, cache: Path, port: int) -> subprocess.Popen[bytes]:
    code = ("from pathlib import Path; from exporter.service.app import run; "
            f"run({HOST!r}, {port}, out_dir=Path({str(out)!r}), source=Path({str(SOURCE)!r}), "
            f"cache_dir=Path({str(cache)!r}), log_level='warning')")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                            start_new_session=True)


async def wait_ready(base: str, deadline: float) -> None:
    async with httpx.AsyncClient() as c:
        while time.monotonic() < deadline:
            try:
                if (await c.get(f"{base}/api/formats")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the service did not start")


async def run_phase(base: str, jobs: list[dict[str, Any]], concurrency: int,
                    deadline: float) -> dict[str, Any]:
    """Send jobs with at most `concurrency` in flight; stop starting new ones at the deadline."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    cache: Counter[str] = Counter()
    by_cache: dict[str, list[float]] = {}
    moved = 0
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for j in jobs:
        queue.put_nowait(j)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(c: httpx.AsyncClient) -> None:
        nonlocal moved
        while not queue.empty() and time.monotonic() < deadline:
            job = queue.get_nowait()
            t = time.perf_counter()
            r = await c.get(job["url"], headers=job.get("headers", {}), params=job.get("params"))
            dt = time.perf_counter() - t
            latencies.append(dt)
            statuses[r.status_code] += 1
            moved += len(r.content)
            if "x-variant-cache" in r.headers or "cache" in job.get("kind", ""):
                kind = r.headers.get("x-variant-cache", "error")
                cache[kind] += 1
                by_cache.setdefault(kind, []).append(dt)

    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as c:
        await asyncio.gather(*[worker(c) for _ in range(concurrency)])
    seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "requests": len(latencies), "concurrency": concurrency, "seconds": round(seconds, 3),
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else None,
        "megabytes_per_second": round(moved / 1e6 / seconds, 1) if seconds else None,
        **percentiles(latencies), "status": dict(sorted(statuses.items())),
    }
    if cache:
        result["cache"] = dict(cache)
        result["latency_by_cache"] = {k: percentiles(v) for k, v in by_cache.items()}
    return result


def download_jobs(files: list[dict[str, Any]], n: int, rng: random.Random) -> list[dict[str, Any]]:
    jobs = []
    for _ in range(n):
        f = rng.choice(files)
        roll = rng.random()
        if roll < 0.2:
            start = rng.randrange(max(1, f["bytes"] - 65536))
            headers = {"range": f"bytes={start}-{start + 65535}"}  # a player seeking
        elif roll < 0.4:
            headers = {"if-none-match": f'"{f["sha256"]}"'}  # a print service re-checking
        else:
            headers = {}
        jobs.append({"url": f["url"], "headers": headers})
    return jobs


def variant_jobs(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], int]:
    distinct = [{"format": "pdf", "size": str(s), "scheme": sc}
                for s in (16, 20, 28) for sc in ("black-on-cream", "yellow-on-black")]
    distinct.append({"format": "html"})
    jobs = [{"url": "/api/variant", "params": rng.choice(distinct), "kind": "cache"}
            for _ in range(n)]
    return jobs, len(distinct)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        out = Path(args.output) if args.output else Path(tmp) / "output"
        if not args.output:
            prepare_output(out)
        port = free_port()
        server = start_server(out, Path(tmp) / "cache", port)
        base = f"http://{HOST}:{port}"
        try:
            deadline = time.monotonic() + args.time_limit
            await wait_ready(base, time.monotonic() + 30)
            async with httpx.AsyncClient(base_url=base) as c:
                files = (await c.get("/api/files")).json()["files"]
            downloads = await run_phase(base, download_jobs(files, args.requests, rng),
                                        args.concurrency, deadline)
            jobs, distinct = variant_jobs(args.variant_requests, rng)
            variants = await run_phase(base, jobs, args.concurrency, deadline)
            async with httpx.AsyncClient(base_url=base) as c:
                stats = (await c.get("/api/stats")).json()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    variants["distinct_variants"] = distinct
    variants["server_cache_stats"] = stats
    return {
        "bench": "serve", "host": HOST, "cpus": os.cpu_count(),
        "files": len(files), "total_bytes": sum(f["bytes"] for f in files),
        "downloads": downloads, "variants": variants,
        "bounded_by": {"requests": args.requests, "variant_requests": args.variant_requests,
                       "time_limit_s": args.time_limit},
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=600, help="download requests (default 600)")
    p.add_argument("--variant-requests", type=int, default=40,
                   help="on-demand variant requests (default 40)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    p.add_argument("--time-limit", type=float, default=180.0,
                   help="stop starting requests after this many seconds (default 180)")
    p.add_argument("--output", help="serve this output folder instead of a fresh export")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    args.requests = max(1, min(args.requests, 100_000))
    args.variant_requests = max(0, min(args.variant_requests, 1000))
    print(json.dumps(asyncio.run(bench(args)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
