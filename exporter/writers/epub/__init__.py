"""EPUB 3: the writer and its read-back check."""

from exporter.writers.epub.writer import EpubWriter

__all__ = ["EpubWriter"]
