"""Word: the writer and the WordprocessingML it builds (settings, styles, body, package)."""

from exporter.writers.docx.writer import DocxWriter

__all__ = ["DocxWriter"]
