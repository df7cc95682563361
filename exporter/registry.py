"""Finds writers through the `exporter.writers` entry-point group; loads one only when asked."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from exporter.writers.base import Writer, WriterError

GROUP = "exporter.writers"


@dataclass(frozen=True)
class Registered:
    """A writer known by name; ``load()`` imports its module (cheap: heavy libraries load later)."""

    name: str
    entry_point: EntryPoint

    def load(self) -> type[Writer]:
        """The writer class; a broken plugin becomes a WriterError naming it."""
        try:
            cls = self.entry_point.load()
        except Exception as exc:
            raise WriterError(
                f"writer '{self.name}' ({self.entry_point.value}) cannot be loaded: {exc}"
            ) from exc
        if not (isinstance(cls, type) and issubclass(cls, Writer)):
            raise WriterError(f"writer '{self.name}' ({self.entry_point.value}) is not a Writer")
        return cls


def available() -> dict[str, Registered]:
    """Every installed writer by name, in name order."""
    return dict(_scan(tuple(sys.path)))


@cache
def _scan(path: tuple[str, ...]) -> tuple[tuple[str, Registered], ...]:
    # Scanning every installed distribution costs tens of milliseconds: once per sys.path.
    eps = sorted(entry_points(group=GROUP), key=lambda ep: ep.name)
    return tuple((ep.name, Registered(ep.name, ep)) for ep in eps)


def get(name: str) -> type[Writer]:
    """The writer class registered as ``name``."""
    writers = available()
    if name not in writers:
        known = ", ".join(writers) or "none"
        raise WriterError(f"no writer named '{name}'; installed writers: {known}")
    return writers[name].load()
