"""What a writer is: everything it declares about its format, and write(job) -> files produced."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from exporter.model import Document
from exporter.options import Options
from exporter.styles import Styles

if TYPE_CHECKING:
    from exporter.outline import Outline

__all__ = ["FileKind", "Job", "Options", "Produced", "Writer", "WriterError"]


class WriterError(Exception):
    """A writer could not produce its files; the message tells the user what to do."""


@dataclass(frozen=True)
class Job:
    """One writer run: the document (with its outline), the styles, options and where to write."""

    doc: Document
    styles: Styles
    options: Options
    dest: Path  #: a private staging folder; files written here move into output/ on success
    stem: str  #: base of output file names, e.g. "hsct"
    #: this writer's folder for reusable intermediate results (outside output/, never
    #: published); None when caching is off
    cache: Path | None = None

    @property
    def outline(self) -> Outline:
        """The document's navigation, computed once by the reader."""
        return self.doc.outline


@dataclass(frozen=True)
class Produced:
    """A file a writer made, with facts for the manifest (pages, duration ...)."""

    name: str  #: file name inside ``Job.dest`` (and later output/)
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class FileKind:
    """One kind of file a writer makes: how it is served and named on the download page."""

    suffix: str  #: ".pdf", lower case, with the dot
    media_type: str  #: the Content-Type it is served with, e.g. "application/pdf"
    type_name: str  #: the short name shown beside a link, e.g. "PDF"
    role: str = ""  #: what it is among the writer's several kinds, e.g. "transcript"
    inline: bool = False  #: opened in the browser rather than downloaded


class Writer(ABC):
    """Base class for output formats. Subclasses import their heavy library inside write()."""

    #: the CLI selector and manifest format, e.g. "pdf"
    name: ClassVar[str]
    #: one line shown by `exporter writers`
    description: ClassVar[str]
    #: what people read on the download page, e.g. "Large print PDF"
    label: ClassVar[str] = ""
    #: one sentence on the download page saying who the format is for
    hint: ClassVar[str] = ""
    #: every kind of file the writer makes
    files: ClassVar[tuple[FileKind, ...]] = ()
    #: Options fields that change this writer's output (one job per distinct combination)
    option_names: ClassVar[frozenset[str]] = frozenset()
    #: "module:function" of its read-back check, ``check(ctx, entries) -> list[Finding]``
    checker: ClassVar[str | None] = None
    #: position on the download page (lower first; then by name)
    order: ClassVar[int] = 100
    #: rough relative run time, so the slowest jobs start first when running in parallel
    cost: ClassVar[int] = 1
    #: heavy modules its jobs import (e.g. "weasyprint"): loaded once in the parent before
    #: worker processes are forked, instead of once in every worker that runs such a job
    preload: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def display_label(cls) -> str:
        """The label people read, or the name when the writer gives none."""
        return cls.label or cls.name

    @classmethod
    def kind_of(cls, file_name: str) -> FileKind | None:
        """The declared kind of one of this writer's files, by its suffix."""
        suffix = Path(file_name).suffix.lower()
        return next((k for k in cls.files if k.suffix == suffix), None)

    @abstractmethod
    def write(self, job: Job) -> list[Produced]:
        """Write every file into job.dest and say what was made; raise WriterError on failure."""
