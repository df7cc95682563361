"""Exclusive locks on folders (flock on the folder itself), held privately from children."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from exporter import children


def lock_folder(folder: Path, *, wait: bool = True) -> int | None:
    """An fd holding an exclusive flock on a folder, or None if busy (when not waiting)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    children.hold_privately(fd)
    return fd


def unlock(fd: int) -> None:
    """Let go of a lock from lock_folder."""
    children.release(fd)
    os.close(fd)


@contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Exclusive use of out_dir's manifest (and index) by one process at a time.

    The lock is an flock on the folder itself: no lock file to leave behind, and the
    kernel releases it when the holder dies.
    """
    fd = lock_folder(out_dir)
    assert fd is not None
    try:
        yield
    finally:
        unlock(fd)
