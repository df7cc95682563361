"""Braille: the writer, its liblouis binding, the layout, PEF and the read-back check."""

from exporter.writers.braille.writer import BrailleWriter

__all__ = ["BrailleWriter"]
