"""Content hashes that decide whether a job's files are already up to date (incremental builds)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from exporter import __version__

_PACKAGE = Path(__file__).resolve().parent


@cache
def tree_digest(root: Path, pattern: str) -> str:
    """sha256 over the names and bytes of every file under root matching pattern."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
        h.update(str(path.relative_to(root)).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def job_fingerprint(source_sha256: str, writer: str, options: dict[str, object],
                    styles_roots: tuple[Path, ...]) -> str:
    """What a job's output depends on: source, styles, options, the writer and the exporter."""
    parts = {
        "source": source_sha256,
        "writer": writer,
        "options": options,
        "styles": [tree_digest(root.resolve(), "*") for root in styles_roots],
        # The version alone misses edits between releases; the code's own hash does not.
        "exporter": [__version__, code_digest()],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def code_digest() -> str:
    """sha256 over the exporter's own code (every module of the package)."""
    return tree_digest(_PACKAGE, "*.py")
