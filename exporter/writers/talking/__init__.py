"""Talking books: the text and the recording in step (EPUB 3 media overlays, DAISY 2.02)."""

from exporter.writers.talking.daisy import DaisyWriter
from exporter.writers.talking.epub import TalkingEpubWriter

__all__ = ["DaisyWriter", "TalkingEpubWriter"]
