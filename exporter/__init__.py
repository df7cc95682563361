"""Accessible publishing: one structured source turned into PDF, Word, EPUB, audio and HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Document", "__version__", "export", "read"]

if TYPE_CHECKING:
    from exporter.batch import export
    from exporter.model import Document
    from exporter.reader import read


def __getattr__(name: str) -> Any:
    # The public API loads on first use, so `exporter --help` starts without the pipeline.
    if name == "Document":
        from exporter.model import Document

        return Document
    if name == "export":
        from exporter.batch import export

        return export
    if name == "read":
        from exporter.reader import read

        return read
    raise AttributeError(f"module 'exporter' has no attribute {name!r}")
