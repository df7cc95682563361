"""What a variant is: its key, the finished variant, the error a build answers, the counters."""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter.options import Options

#: Folder names are this many hex digits of the key's sha256.
KEY_LENGTH = 24
#: Build times kept for the median in /api/stats (the most recent ones).
BUILD_TIMES_KEPT = 1000


class VariantError(Exception):
    """A variant could not be built; ``status`` is the HTTP status the service should answer."""

    def __init__(self, message: str, status: int = 500, retry_after: int | None = None,
                 *, remember: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.remember = remember  #: a build failure worth refusing again for a while


@dataclass(frozen=True)
class VariantKey:
    """What identifies a variant: the source's bytes, the writer and the options it uses."""

    source_sha256: str  #: the page's key (service.sources): its source and its links' pages
    writer: str
    options: tuple[tuple[str, object], ...]  #: only the options the writer honours, sorted
    page: str = ""  #: the page's name (its source's stem)

    @property
    def id(self) -> str:
        """A short, stable folder name for the variant."""
        parts: list[object] = [self.source_sha256, self.writer, list(self.options)]
        text = json.dumps(parts + ([self.page] if self.page else []), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True)
class Variant:
    """A finished variant in the cache."""

    key_id: str
    folder: Path
    record: Mapping[str, Any]  #: the variant.json contents: writer, options, files
    cache: str  #: "hit" (was cached), "built" (this request built it), "shared" (waited on another)

    @property
    def files(self) -> list[Mapping[str, Any]]:
        files = self.record.get("files", [])
        return list(files) if isinstance(files, list) else []


@dataclass
class Stats:
    """Counters for the benchmark and /api/stats."""

    hits: int = 0
    builds: int = 0
    shared: int = 0  #: requests that waited for a build another request started
    failures: int = 0
    timeouts: int = 0
    refused_busy: int = 0
    build_seconds: collections.deque[float] = field(
        default_factory=lambda: collections.deque(maxlen=BUILD_TIMES_KEPT))

    def as_dict(self) -> dict[str, Any]:
        served = self.hits + self.builds + self.shared
        times = sorted(self.build_seconds)
        return {
            "hits": self.hits, "builds": self.builds, "shared": self.shared,
            "failures": self.failures, "timeouts": self.timeouts,
            "refused_busy": self.refused_busy,
            "hit_rate": round((self.hits + self.shared) / served, 4) if served else None,
            "build_seconds_median": times[len(times) // 2] if times else None,
        }


def make_key(source_hash: str, writer: str, option_names: frozenset[str],
             options: Options, page: str = "") -> VariantKey:
    """The key of a variant; options the writer ignores do not change it."""
    return VariantKey(source_hash, writer, tuple(sorted(options.subset(option_names).items())),
                      page)
