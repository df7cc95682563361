"""Runs the exporter CLI in this process and reports wall time and peak memory as JSON."""

from __future__ import annotations

import json
import resource
import sys
import time


def main() -> int:
    out, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    from exporter.cli import main as cli_main

    try:
        status = cli_main(argv)
    except SystemExit as exc:  # argparse exits
        status = int(exc.code or 0)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"status": status, "seconds": seconds,
                   "peak_mib": max(own, children) / 1024}, f)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
