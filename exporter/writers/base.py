"""What a writer is: its name, the options it honours, and write(job) -> files produced."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from exporter.model import Document
from exporter.outline import Outline
from exporter.styles import Styles


class WriterError(Exception):
    """A writer could not produce its files; the message tells the user what to do."""


@dataclass(frozen=True)
class Options:
    """Choices a reader or staff member can make; each writer uses only those it names."""

    size: int = 18  #: body text size in points (print and Word)
    scheme: str = "black-on-white"  #: a colour scheme name from styles/settings.yaml
    line_spacing: float = 1.5  #: multiple of the font size

    def subset(self, names: frozenset[str]) -> dict[str, object]:
        """The options a writer uses, for file names, the manifest and caches."""
        return {n: getattr(self, n) for n in sorted(names)}


@dataclass(frozen=True)
class Job:
    """One writer run: the document, its outline, the styles, options and where to write."""

    doc: Document
    outline: Outline
    styles: Styles
    options: Options
    dest: Path  #: a private staging folder; files written here move into output/ on success
    stem: str  #: base of output file names, e.g. "hsct"
    #: this writer's folder for reusable intermediate results (outside output/, never
    #: published); None when caching is off
    cache: Path | None = None


@dataclass(frozen=True)
class Produced:
    """A file a writer made, with facts for the manifest (pages, duration ...)."""

    name: str  #: file name inside ``Job.dest`` (and later output/)
    facts: Mapping[str, object] = field(default_factory=dict)


class Writer(ABC):
    """Base class for output formats. Subclasses import their heavy library inside write()."""

    #: the CLI selector, e.g. "pdf"
    name: ClassVar[str]
    #: one line shown by `exporter writers`
    description: ClassVar[str]
    #: Options fields that change this writer's output (one job per distinct combination)
    option_names: ClassVar[frozenset[str]] = frozenset()
    #: rough relative run time, so the slowest jobs start first when running in parallel
    cost: ClassVar[int] = 1

    @abstractmethod
    def write(self, job: Job) -> list[Produced]:
        """Write every file into job.dest and say what was made; raise WriterError on failure."""
