"""The build process the variant cache starts: one writer, one page, one JSON line back."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from exporter.options import Options


def build_into(source: Path, writer: str, options: Options, dest: Path,
               styles_root: Path | None = None) -> dict[str, Any]:
    """Read the page (its links to other pages resolved) and run one writer into dest; a
    JSON-ready result or error. ``source_sha256`` is the page's key (service.sources)."""
    from exporter.collection import page_key, read_page
    from exporter.options import OptionsError, check
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import ReadOptions, SourceError
    from exporter.styles import StylesError, load_styles

    try:
        styles = load_styles(styles_root)
        # the same rules the form and the command line use: a request that reaches this
        # process some other way is held to them too
        check(options, styles)
        read = ReadOptions.from_settings(styles.settings)
        key, _ = page_key(source, read)
        doc = read_page(source, read)
    except SourceError as exc:
        return {"error": "the source has problems: " + "; ".join(str(p) for p in exc.problems)}
    except (StylesError, OptionsError) as exc:
        return {"error": str(exc)}
    result = run_job(JobSpec(writer, options), doc, styles, dest, source.stem, manifest=False)
    if not result.ok:
        return {"error": result.error, "detail": result.detail}
    return {"source_sha256": key, "seconds": round(result.seconds, 3),
            "files": list(result.entries)}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the build process the service starts: prints one JSON line."""
    p = argparse.ArgumentParser(prog="python -m exporter.service.variant_build")
    p.add_argument("--source", type=Path, required=True)
    p.add_argument("--writer", required=True)
    p.add_argument("--options", type=json.loads, required=True, help="Options fields as JSON")
    p.add_argument("--dest", type=Path, required=True)
    p.add_argument("--styles", type=Path, default=None, help="the styles folder (load_styles)")
    p.add_argument("--parent", type=int, default=0,
                   help="the service's pid: this build dies with it (even after kill -9)")
    a = p.parse_args(argv)
    from exporter import children

    if a.parent:
        children.die_with_parent(a.parent)
    children.guard()  # and what the writer forks dies with this process
    opts = Options(**a.options)
    # Writers may print progress on stdout; the result must be the last line.
    result = build_into(a.source, a.writer, opts, a.dest, a.styles)
    sys.stdout.flush()
    print(json.dumps(result), flush=True)
    return 0 if not result.get("error") else 1


if __name__ == "__main__":
    sys.exit(main())
