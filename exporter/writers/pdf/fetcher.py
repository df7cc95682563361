"""A WeasyPrint URL fetcher that reads files only from allowed folders and refuses all else."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

# Imported at module top on purpose: only the PDF writer imports this module, inside write().
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class FetchRefused(FatalURLFetchingError):  # type: ignore[misc]
    """A resource outside the allowed folders was asked for; rendering must stop.

    A FatalURLFetchingError (a BaseException) is the one kind WeasyPrint does not swallow
    into a log line, so the refusal stops the render instead of leaving a gap in the PDF.
    """


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Serves file:// URLs inside ``roots`` (after resolving symlinks and ``..``), nothing else.

    No network handler is ever used: http(s), ftp, data: and every other scheme are refused
    before any connection, so redirects cannot happen either. Every refusal is also kept in
    ``refused`` so the caller can fail even if a refusal were swallowed somewhere.
    """

    def __init__(self, roots: Iterable[Path], files: Iterable[Path] = ()) -> None:
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False,
                         fail_on_errors=True)
        self.roots: tuple[Path, ...] = tuple(Path(r).resolve() for r in roots)
        #: single files allowed besides the folders: the pictures the reader checked, and no
        #: other file beside them (a page's folder may hold anything)
        self.files: frozenset[Path] = frozenset(Path(f).resolve() for f in files)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        path = self.allowed_path(url)
        mime, _ = mimetypes.guess_type(path.name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise self._refuse(url, f"cannot be read ({exc.strerror})") from exc
        return URLFetcherResponse(path.as_uri(), data,
                                  {"Content-Type": mime or "application/octet-stream"})

    def allowed_path(self, url: str) -> Path:
        """The local file a URL names, if it lies inside an allowed folder; else FetchRefused."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            scheme = parts.scheme or "no scheme"
            raise self._refuse(url, f"uses {scheme}: the PDF writer never fetches from the network "
                                    "or other URL schemes")
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "names another host")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        inside = path in self.files or any(path.is_relative_to(root) for root in self.roots)
        if not inside or not path.is_file():
            raise self._refuse(url, "is outside the folders the PDF writer may read")
        return path

    def _refuse(self, url: str, why: str) -> FetchRefused:
        shown = url if len(url) <= 120 else url[:117] + "..."
        allowed = ", ".join([*(str(r) for r in self.roots), *sorted(map(str, self.files))])
        message = (f"refused to load {shown}: it {why}. The PDF may only use files inside: "
                   f"{allowed}. Remove or replace this reference in the source or the styles.")
        self.refused.append(message)
        return FetchRefused(message)
