"""Finds writers: the built-in ones from a table, third-party ones through the `exporter.writers`
entry-point group (scanned only when a name is not built in, or to list them all); loads one
only when asked."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from exporter.writers.base import Writer, WriterError

GROUP = "exporter.writers"
#: Where the entry-point scan is remembered between runs (skipped if not writable).
CACHE = Path(sys.prefix) / ".exporter-writers.json"
#: The writers this package ships (also declared as entry points in pyproject.toml, so the
#: group lists them for other tools). Looking them up here costs nothing; scanning the
#: installed distributions costs ~25 ms, a tenth of a cold single-page export. A built-in
#: name cannot be taken over by a plugin.
BUILTIN: dict[str, str] = {
    "audio": "exporter.writers.audio:AudioWriter",
    "braille": "exporter.writers.braille:BrailleWriter",
    "daisy": "exporter.writers.talking:DaisyWriter",
    "docx": "exporter.writers.docx:DocxWriter",
    "epub": "exporter.writers.epub:EpubWriter",
    "html": "exporter.writers.html:HtmlWriter",
    "pdf": "exporter.writers.pdf:PdfWriter",
    "talking-epub": "exporter.writers.talking:TalkingEpubWriter",
}


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
    found = dict(_scan(tuple(sys.path)))
    found.update(BUILTIN)
    return {name: Registered(name, found[name]) for name in sorted(found)}


def find(name: str) -> Registered | None:
    """The writer registered as ``name``, or None; the installed packages are scanned only
    for a name that is not built in."""
    if name in BUILTIN:
        return Registered(name, BUILTIN[name])
    return available().get(name)


def known(names: Iterable[str]) -> bool:
    """Whether every one of ``names`` is an installed writer (cheap when all are built in)."""
    return all(find(name) is not None for name in names)


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
    found = find(name)
    if found is None:
        installed = ", ".join(available()) or "none"
        raise WriterError(f"no writer named '{name}'; installed writers: {installed}")
    return found.load()
