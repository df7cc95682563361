"""What went wrong writing output: the OSError behind a failure, told as cause and file."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from exporter.staging import STAGING_PREFIX

#: What an OSError means for someone writing files, by errno.
_CAUSES = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large for the file system",
    errno.EMFILE: "too many open files",
    errno.EIO: "an input/output error (a failing disk?)",
}


def os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind an exception (itself, its cause or context), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError) and current.errno is not None:
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def write_problem(exc: OSError, out_dir: Path) -> str:
    """'cannot write output/hsct.pdf: no space left on the device': the real cause and file.

    A path inside a staging folder is named as the file it was going to become.
    """
    cause = _CAUSES.get(exc.errno or 0, (exc.strerror or str(exc)).lower())
    name = exc.filename if isinstance(exc.filename, str) else None
    where = Path(name) if name else out_dir
    temp = re.match(r"^\.(.+)\.\w+\.tmp$", where.name)  # atomic_write's temporary file
    if temp:
        where = where.with_name(temp.group(1))
    try:
        rel = where.resolve().relative_to(out_dir.resolve())
        if rel.parts and rel.parts[0].startswith(STAGING_PREFIX):
            rel = Path(*rel.parts[-1:]) if len(rel.parts) > 1 else Path()  # a job's own folder
        where = out_dir / rel if rel.parts else out_dir
    except (ValueError, OSError):
        pass
    return f"cannot write {where}: {cause}"


def folder_problem(out_dir: Path) -> str | None:
    """Why nothing can be written into out_dir (read-only, no space), or None if it can."""
    try:
        st = os.statvfs(out_dir)
        if st.f_flag & os.ST_RDONLY:
            return f"cannot write {out_dir}: {_CAUSES[errno.EROFS]}"
        if st.f_bavail * st.f_frsize < 64 * 1024:
            return f"cannot write {out_dir}: {_CAUSES[errno.ENOSPC]}"
    except OSError:
        return None
    if not os.access(out_dir, os.W_OK):
        return f"cannot write {out_dir}: {_CAUSES[errno.EACCES]}"
    return None
