"""A third-party writer package used by the tests: plain text, and one that always fails."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from exporter.checks.common import Context, Finding, finding, missing_sentences
from exporter.model import block_text
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError


class PlainTextWriter(Writer):
    """Every block's text, one paragraph per line."""

    name: ClassVar[str] = "plaintext"
    description: ClassVar[str] = "Plain text, one paragraph per line (test plugin)"
    label: ClassVar[str] = "Plain text file"
    hint: ClassVar[str] = "Just the words, for any text editor."
    files: ClassVar[tuple[FileKind, ...]] = (
        FileKind(".txt", "text/plain; charset=utf-8", "plain text", inline=True),
    )
    checker: ClassVar[str | None] = "exporter_plaintext:check"

    def write(self, job: Job) -> list[Produced]:
        name = f"{job.stem}.txt"
        text = "\n".join(block_text(b) for b in job.doc.blocks) + "\n"
        (job.dest / name).write_text(text, encoding="utf-8")
        return [Produced(name, {"lines": text.count("\n")})]


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """The plugin's own read-back check: every sentence of the source, in order."""
    return [finding("content", "plaintext.sentences", str(e["file"]),
                    missing_sentences(ctx, ctx.path(e).read_text(encoding="utf-8")),
                    f"all {len(ctx.sentences)} sentences, in order") for e in entries]


class BrokenWriter(Writer):
    """Writes half a file, then fails: nothing of it may reach output/."""

    name: ClassVar[str] = "broken"
    description: ClassVar[str] = "Always fails half-way (test plugin)"

    def write(self, job: Job) -> list[Produced]:
        (job.dest / f"{job.stem}.broken").write_bytes(b"half a file")
        raise WriterError("the broken writer failed on purpose")
