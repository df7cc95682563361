"""Finds writers through the `exporter.writers` entry-point group; loads one only when asked."""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from exporter.writers.base import Writer, WriterError

GROUP = "exporter.writers"
#: Where the entry-point scan is remembered between runs (skipped if not writable).
CACHE = Path(sys.prefix) / ".exporter-writers.json"


@dataclass(frozen=True)
class Registered:
    """A writer known by name; ``load()`` imports its module (cheap: heavy libraries load later)."""

    name: str
    value: str  #: the entry point's "module:Class"

    def load(self) -> type[Writer]:
        """The writer class; a broken plugin becomes a WriterError naming it."""
        module, _, attr = self.value.split("[")[0].partition(":")  # "[extras]" not needed
        try:
            obj: object = importlib.import_module(module.strip())
            for part in attr.strip().split("."):
                obj = getattr(obj, part)
        except Exception as exc:
            raise WriterError(
                f"writer '{self.name}' ({self.value}) cannot be loaded: {exc}"
            ) from exc
        if not (isinstance(obj, type) and issubclass(obj, Writer)):
            raise WriterError(f"writer '{self.name}' ({self.value}) is not a Writer")
        return obj


def available() -> dict[str, Registered]:
    """Every installed writer by name, in name order."""
    return {name: Registered(name, value) for name, value in _scan(tuple(sys.path))}


@cache
def _scan(path: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # Importing importlib.metadata and reading every installed distribution costs ~20 ms of
    # a run that may otherwise do nothing; the result only changes when a folder on sys.path
    # does (installing or removing a package adds or removes its .dist-info there).
    paths = json.dumps(path)
    mtimes = [_mtime(p) for p in path]
    try:
        saved = json.loads(CACHE.read_text(encoding="utf-8"))
        assert isinstance(saved, dict)
    except (OSError, ValueError, AssertionError):
        saved = {}
    hit = saved.get(paths)
    if isinstance(hit, dict) and hit.get("mtimes") == mtimes:
        return tuple((str(n), str(v)) for n, v in hit.get("writers", []))
    from importlib.metadata import entry_points

    found = tuple(sorted((ep.name, ep.value) for ep in entry_points(group=GROUP)))
    # One entry per sys.path ("python -m exporter" and the console script differ), a few kept.
    kept = {k: v for k, v in list(saved.items())[-7:] if k != paths}
    kept[paths] = {"mtimes": mtimes, "writers": found}
    try:
        tmp = CACHE.with_name(f"{CACHE.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(kept), encoding="utf-8")
        os.replace(tmp, CACHE)
    except OSError:
        pass  # a read-only installation simply scans every time
    return found


def _mtime(path: str) -> int:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return 0


def get(name: str) -> type[Writer]:
    """The writer class registered as ``name``."""
    writers = available()
    if name not in writers:
        known = ", ".join(writers) or "none"
        raise WriterError(f"no writer named '{name}'; installed writers: {known}")
    return writers[name].load()
