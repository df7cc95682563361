"""A third-party writer package used by the tests: plain text, and one that always fails."""

from __future__ import annotations

from typing import ClassVar

from exporter.model import block_text
from exporter.writers.base import Job, Produced, Writer, WriterError


class PlainTextWriter(Writer):
    """Every block's text, one paragraph per line."""

    name: ClassVar[str] = "plaintext"
    description: ClassVar[str] = "Plain text, one paragraph per line (test plugin)"

    def write(self, job: Job) -> list[Produced]:
        name = f"{job.stem}.txt"
        text = "\n".join(block_text(b) for b in job.doc.blocks) + "\n"
        (job.dest / name).write_text(text, encoding="utf-8")
        return [Produced(name, {"lines": text.count("\n")})]


class BrokenWriter(Writer):
    """Writes half a file, then fails: nothing of it may reach output/."""

    name: ClassVar[str] = "broken"
    description: ClassVar[str] = "Always fails half-way (test plugin)"

    def write(self, job: Job) -> list[Produced]:
        (job.dest / f"{job.stem}.broken").write_bytes(b"half a file")
        raise WriterError("the broken writer failed on purpose")
