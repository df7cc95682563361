"""The pages the service makes files of: each page's source by name, and a key that changes
whenever a file made of it would (its source, or a page it links to)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from exporter.collection import page_key
from exporter.manifest import manifest_pages, read_manifest
from exporter.output import MANIFEST
from exporter.reader import ReadOptions

Signature = tuple[int, int, int]


def _signature(path: Path) -> Signature | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class _Known:
    key: str
    signatures: tuple[tuple[Path, Signature | None], ...]  #: the page's and its links' files


class Sources:
    """Page name -> source file: the sources given, or those the output's manifest records
    (read again when the manifest changes, so newly exported pages can be asked for)."""

    def __init__(self, given: Path | Sequence[Path] | None, out_dir: Path,
                 read: ReadOptions) -> None:
        self.given = [given] if isinstance(given, Path) else list(given or [])
        self.out_dir = out_dir
        self.read = read
        self._listed: tuple[Signature | None, dict[str, Path]] | None = None
        self._keys: dict[str, _Known] = {}

    def pages(self) -> dict[str, Path]:
        """Every page that can be asked for, by name."""
        if self.given:
            return {p.stem: p for p in self.given}
        sig = _signature(self.out_dir / MANIFEST)
        if self._listed is None or self._listed[0] != sig:
            records = manifest_pages(read_manifest(self.out_dir))
            found = {name: Path(str(r["source"])) for name, r in sorted(records.items())
                     if isinstance(r.get("source"), str)}
            self._listed = (sig, found)
        return self._listed[1]

    def only(self) -> str | None:
        """The page's name when there is exactly one."""
        pages = self.pages()
        return next(iter(pages)) if len(pages) == 1 else None

    def path(self, name: str) -> Path | None:
        return self.pages().get(name)

    def key(self, name: str) -> str:
        """The hash of the page's source and of the pages it links to, recomputed only when
        one of those files changes (OSError if the page's source cannot be read)."""
        path = self.pages()[name]
        known = self._keys.get(name)
        if known is not None and all(_signature(p) == s for p, s in known.signatures):
            return known.key
        before = _signature(path)
        if before is None:
            raise OSError(f"the source {path} cannot be read")
        key, deps = page_key(path, self.read)
        # Taken before the files were read: a change while reading is seen next time.
        signatures = ((path, before), *((p, _signature(p)) for p in deps))
        self._keys[name] = _Known(key, signatures)
        return key


__all__ = ["Sources"]
