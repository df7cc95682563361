"""The formats the service shows: what each writer declares, or just its name if it cannot load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from exporter import registry
from exporter.output import INDEX, MANIFEST, REPORT_NAME
from exporter.writers.base import FileKind, Writer, WriterError

#: Served for a file no writer declares.
UNKNOWN_TYPE = "application/octet-stream"
#: Files the tool writes itself beside the writers' files.
OWN_FILES: Mapping[str, FileKind] = {
    INDEX: FileKind(".html", "text/html; charset=utf-8", "HTML", inline=True),
    MANIFEST: FileKind(".json", "application/json", "JSON"),
    REPORT_NAME: FileKind(".json", "application/json", "JSON"),
}


@dataclass(frozen=True)
class Format:
    """One writer as the download page and the request form see it."""

    name: str  #: the writer's name, as in the manifest's "format"
    writer: type[Writer] | None = None  #: None when no writer of that name loads
    problem: str = ""  #: why the writer did not load

    @property
    def label(self) -> str:
        """What people read: the writer's label, or its name."""
        return self.writer.display_label() if self.writer else self.name

    @property
    def hint(self) -> str:
        """One sentence saying who the format is for (may be empty)."""
        return self.writer.hint if self.writer else ""

    @property
    def order(self) -> int:
        """Position on the download page, lower first."""
        return self.writer.order if self.writer else Writer.order

    @property
    def option_names(self) -> frozenset[str]:
        """The Options fields that change this format's files."""
        return self.writer.option_names if self.writer else frozenset()

    def kind_of(self, file_name: str) -> FileKind:
        """How one of its files is served and named: as the writer declares; the tool's own
        files as HTML or JSON; anything else as bytes to download."""
        declared = self.writer.kind_of(file_name) if self.writer else None
        return declared or OWN_FILES.get(file_name) or unknown_kind(file_name)


def unknown_kind(file_name: str) -> FileKind:
    """A file nobody declares: downloaded as bytes, named by its suffix."""
    suffix = PurePosixPath(file_name).suffix.lower()
    return FileKind(suffix, UNKNOWN_TYPE, suffix.lstrip(".").upper() or "file")


def load(names: Iterable[str] | None = None) -> dict[str, Format]:
    """The installed writers (or those of ``names``), by name; one that fails to load keeps
    its name and says why in ``problem``."""
    found: dict[str, Format] = {}
    if names is None:
        regs = list(registry.available().values())
    else:  # built-in names are found without scanning the installed packages
        regs = [reg for reg in map(registry.find, sorted(set(names))) if reg is not None]
    for reg in regs:
        name = reg.name
        try:
            found[name] = Format(name, reg.load())
        except WriterError as exc:
            found[name] = Format(name, problem=str(exc))
    return found


def format_of(formats: Mapping[str, Format], name: str) -> Format:
    """The format called ``name``, or one that knows only its name."""
    return formats.get(name) or Format(name)
