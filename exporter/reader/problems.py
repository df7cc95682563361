"""What the reader reports: problems with a file, line and fix, graded as errors or warnings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from exporter.options import shown

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a source, where it is and how to fix it."""

    path: str
    line: int
    message: str
    fix: str
    severity: str = ERROR  #: ERROR stops the export; WARNING is advice (``--strict`` refuses it)

    def __str__(self) -> str:
        grade = "warning: " if self.severity == WARNING else ""
        return f"{self.path}:{self.line}: {grade}{self.message}. Fix: {self.fix}"


class SourceError(Exception):
    """The source has problems; all of them are listed, in line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.severity, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects the problems of one read of one source."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.found: list[Problem] = []

    def error(self, line: int, message: str, fix: str) -> None:
        self.found.append(Problem(self.path, line, message, fix))

    def warning(self, line: int, message: str, fix: str) -> None:
        self.found.append(Problem(self.path, line, message, fix, WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.found if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.found if p.severity == WARNING]

    def raise_if_errors(self, *, strict: bool = False) -> None:
        """SourceError with every problem if any is an error (or, when strict, a warning)."""
        if self.errors or (strict and self.warnings):
            raise SourceError(self.found)


__all__ = ["ERROR", "WARNING", "Problem", "Problems", "SourceError", "shown"]
