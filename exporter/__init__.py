"""Accessible publishing: one structured source turned into PDF, Word, EPUB, audio and HTML."""

from __future__ import annotations

__version__ = "0.1.0"

from exporter.model import Document
from exporter.pipeline import export
from exporter.reader import read

__all__ = ["Document", "__version__", "export", "read"]
