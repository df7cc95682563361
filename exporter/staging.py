"""Per-writer staging folders in the output folder, and removal of killed exports' leftovers."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from exporter.locks import lock_folder, unlock
from exporter.output import INDEX, MANIFEST

STAGING_PREFIX = ".staging-"

#: Staging folders this process holds: path by locked descriptor.
_staging_held: dict[int, Path] = {}


@contextmanager
def staging(out_dir: Path, label: str) -> Iterator[Path]:
    """A private folder inside out_dir for one writer; always removed afterwards.

    Files are published with publish() only after the writer succeeded, so a failing or
    killed writer never leaves a partial file where users look. The folder is flocked
    while in use, so that a later export can tell a killed run's leftovers (unlocked) from
    the folders of an export still running (see remove_stale).
    """
    folder = open_staging(out_dir, label)
    try:
        yield folder
    finally:
        close_staging(folder)


def open_staging(out_dir: Path, label: str) -> Path:
    """A new staging folder in out_dir, locked by this process until close_staging (see
    staging()): its writers may run in other processes or on other machines."""
    out_dir.mkdir(parents=True, exist_ok=True)
    while True:
        folder = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{label}-", dir=out_dir))
        # Another export may take it for a leftover before it is locked: then make another.
        try:
            fd = lock_folder(folder)
        except FileNotFoundError:
            continue
        assert fd is not None
        if os.fstat(fd).st_nlink > 0:
            break
        unlock(fd)
    _staging_held[fd] = folder
    return folder


def close_staging(folder: Path) -> None:
    """Remove a staging folder from open_staging, and let go of its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    for fd, held in list(_staging_held.items()):
        if held == folder:
            _staging_held.pop(fd, None)
            unlock(fd)


def remove_stale(out_dir: Path) -> list[str]:
    """Remove what killed exports left in out_dir; names removed. Running exports' kept.

    A staging folder is stale when no process holds its lock; a temporary manifest or index
    file is stale when no process holds the folder lock (they exist only under it).
    """
    removed: list[str] = []
    try:
        names = sorted(os.listdir(out_dir))
    except OSError:
        return removed
    for name in names:
        path = out_dir / name
        if not name.startswith(STAGING_PREFIX) or path.is_symlink() or not path.is_dir():
            continue
        try:
            fd = lock_folder(path, wait=False)
        except OSError:
            continue
        if fd is None:
            continue  # a running export's
        try:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(name)
        finally:
            unlock(fd)
    temps = [n for n in names if n.endswith(".tmp")
             and n.startswith((f".{MANIFEST}.", f".{INDEX}."))]
    if temps:
        fd = lock_folder(out_dir, wait=False)
        if fd is not None:
            try:
                for name in temps:
                    with contextlib.suppress(FileNotFoundError):
                        (out_dir / name).unlink()
                        removed.append(name)
            finally:
                unlock(fd)
    return removed


def abandon_staging() -> None:
    """Remove this process's own staging folders now (on an interrupt, before exiting)."""
    for fd, folder in list(_staging_held.items()):
        shutil.rmtree(folder, ignore_errors=True)
        _staging_held.pop(fd, None)
        unlock(fd)
