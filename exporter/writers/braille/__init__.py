"""Braille: the writer, its liblouis binding, the transcriber's layout, PEF and the read-back check."""

from exporter.writers.braille.writer import BrailleWriter

__all__ = ["BrailleWriter"]
