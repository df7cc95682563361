"""Large-print PDF: the writer, its safe resource fetcher and its page-furniture post-processing."""

from exporter.writers.pdf.writer import PdfWriter

__all__ = ["PdfWriter"]
