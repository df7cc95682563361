"""Accessible HTML: the writer and its read-back check."""

from exporter.writers.html.writer import HtmlWriter

__all__ = ["HtmlWriter"]
