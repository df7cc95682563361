"""Spoken audio: the writer, isolated speech jobs and the ID3 tags of its MP3 files."""

from exporter.writers.audio.writer import AudioWriter

__all__ = ["AudioWriter"]
