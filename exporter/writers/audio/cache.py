"""Recordings of speech jobs kept between builds, keyed by what is said and how."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from exporter.writers.audio.engine import find_library
from exporter.writers.audio.synth import Recording, SynthError, SynthJob, read_recording, run_all

#: Bumped when what a cached recording holds changes, so older entries are not reused.
CACHE_FORMAT = 2


@dataclass
class SynthCache:
    """Recordings of jobs already spoken, keyed by what is said and how it is said.

    A section whose words, voice and encoding are unchanged is taken from here instead of
    being spoken again, so editing one section re-synthesises that section alone.
    """

    folder: Path
    used: set[str] = field(default_factory=set)
    spoken: int = 0  #: jobs synthesised in this build
    reused: int = 0  #: jobs taken from the cache in this build

    def key(self, job: SynthJob) -> str:
        said = [CACHE_FORMAT, job.texts, job.language, job.rate_wpm, job.encode, job.isolated,
                job.bitrate_kbps if job.encode else 0, job.quality if job.encode else 0,
                list(engine_identity())]
        return hashlib.sha256(json.dumps(said).encode()).hexdigest()

    def run(self, jobs: Sequence[SynthJob], workers: int) -> dict[str, Recording]:
        """Like run_all, reusing every job spoken before with the same key."""
        from exporter.output import atomic_write

        found: dict[str, Recording] = {}
        todo: list[SynthJob] = []
        keys = {job.key: self.key(job) for job in jobs}
        for job in jobs:
            base = self.folder / keys[job.key]
            try:
                found[job.key] = read_recording(job, base.with_suffix(".audio").read_bytes(),
                                                base.with_suffix(".json").read_bytes())
            except (OSError, SynthError):
                todo.append(job)
        made = run_all(todo, workers) if todo else {}
        for job in todo:
            base = self.folder / keys[job.key]
            # A cache entry need not survive a crash (a bad one is spoken again): no fsync.
            made_json = job.out.with_suffix(".json").read_bytes()
            atomic_write(base.with_suffix(".json"), made_json, durable=False)
            atomic_write(base.with_suffix(".audio"), job.out.read_bytes(), durable=False)
        self.used.update(keys.values())
        self.spoken += len(todo)
        self.reused += len(found)
        return {**found, **made}

    def prune(self) -> None:
        """Forget what this build did not use (an edited section's old recording)."""
        for path in self.folder.glob("*"):
            if path.is_file() and path.stem not in self.used:
                path.unlink(missing_ok=True)


@cache
def engine_identity() -> tuple[str, ...]:
    """What decides the samples besides the words: the library file and package versions."""
    from importlib.metadata import PackageNotFoundError, version

    found = find_library()
    out = [str(Path(found.path).resolve()) if found else ""]
    for package in ("espeakng-loader", "lameenc"):
        try:
            out.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            out.append(f"{package} -")
    return tuple(out)
