"""Output discipline: atomic writes, per-writer staging, the manifest, reproducible timestamps.

The manifest never lists a file whose bytes differ from its entry, whenever the export is
stopped (even by ``kill -9`` or a power cut): a job's files are published under a lock on
the output folder in three durable steps: (1) entries of files about to change are removed
from the manifest, (2) the files are renamed into place, (3) their new entries are added.
Each step is a rename of an fsynced file followed by an fsync of the folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from exporter import children

MANIFEST = "manifest.json"
#: The download page export writes beside the files, from the manifest.
INDEX = "index.html"
#: What `exporter check` writes beside the files.
REPORT_NAME = "check-report.json"
STAGING_PREFIX = ".staging-"


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_folder(folder: Path) -> None:
    """Make the renames and new names in a folder durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:  # some file systems cannot sync a folder; nothing to do there
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and rename: readers see old or new, never half.

    The file is fsynced before the rename and the folder after it, so the new contents
    survive a crash once this returns.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def _lock_folder(folder: Path, *, wait: bool = True) -> int | None:
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


def _unlock(fd: int) -> None:
    children.release(fd)
    os.close(fd)


@contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Exclusive use of out_dir's manifest (and index) by one process at a time.

    The lock is an flock on the folder itself: no lock file to leave behind, and the
    kernel releases it when the holder dies.
    """
    fd = _lock_folder(out_dir)
    assert fd is not None
    try:
        yield
    finally:
        _unlock(fd)


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
            fd = _lock_folder(folder)
        except FileNotFoundError:
            continue
        assert fd is not None
        if os.fstat(fd).st_nlink > 0:
            break
        _unlock(fd)
    _staging_held[fd] = folder
    return folder


def close_staging(folder: Path) -> None:
    """Remove a staging folder from open_staging, and let go of its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    for fd, held in list(_staging_held.items()):
        if held == folder:
            _staging_held.pop(fd, None)
            _unlock(fd)


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
            fd = _lock_folder(path, wait=False)
        except OSError:
            continue
        if fd is None:
            continue  # a running export's
        try:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(name)
        finally:
            _unlock(fd)
    temps = [n for n in names if n.endswith(".tmp")
             and n.startswith((f".{MANIFEST}.", f".{INDEX}."))]
    if temps:
        fd = _lock_folder(out_dir, wait=False)
        if fd is not None:
            try:
                for name in temps:
                    with contextlib.suppress(FileNotFoundError):
                        (out_dir / name).unlink()
                        removed.append(name)
            finally:
                _unlock(fd)
    return removed


def abandon_staging() -> None:
    """Remove this process's own staging folders now (on an interrupt, before exiting)."""
    for fd, folder in list(_staging_held.items()):
        shutil.rmtree(folder, ignore_errors=True)
        _staging_held.pop(fd, None)
        _unlock(fd)


def publish(staged: Path, out_dir: Path, *, synced: bool = False) -> Path:
    """Move one finished file from staging into out_dir atomically (same file system).

    The file's bytes are fsynced first (unless ``synced``: sync_files did); the caller
    fsyncs out_dir after its last rename.
    """
    target = out_dir / staged.name
    os.chmod(staged, 0o644)
    if not synced:
        _fsync_file(staged)
    os.replace(staged, target)
    return target


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: Files flushed at once: the file system joins their flushes into one journal commit
#: (50 files: 25 ms together, 0.5 s one after another, on this machine's disk).
SYNC_THREADS = 16


def sync_files(paths: Sequence[Path]) -> None:
    """fsync many files at once, each fully before this returns."""
    if len(paths) <= 1:
        for path in paths:
            _fsync_file(path)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(SYNC_THREADS, len(paths))) as pool:
        list(pool.map(_fsync_file, paths))


def publish_job(out_dir: Path, staged: Sequence[Path], entries: Sequence[Mapping[str, Any]],
                extra: Mapping[str, Any] | None) -> None:
    """Publish one job's files and record them, so that the manifest is always true.

    ``extra`` is the record of the files' page (document_fields); None publishes without a
    manifest (a variant built on request keeps its own record).
    """
    if extra is None:
        for path in staged:
            publish(path, out_dir)
        fsync_folder(out_dir)
        return
    publish_jobs(out_dir, [(staged, entries, extra)])


#: One job to publish: its staged files, their manifest entries, their page's record.
Publication = tuple[Sequence[Path], Sequence[Mapping[str, Any]], Mapping[str, Any]]


def publish_jobs(out_dir: Path, jobs: Sequence[Publication]) -> None:
    """Publish several jobs' files in one go (one lock, three manifest steps for them all):
    a collection of hundreds of pages would otherwise rewrite its manifest thousands of times.
    """
    if not jobs:
        return
    with folder_lock(out_dir):
        body = read_manifest(out_dir)
        new = {str(e["file"]): e.get("sha256") for _, entries, _ in jobs for e in entries}
        listed = [e for e in body["files"] if isinstance(e, dict)]
        changing = [e for e in listed if str(e.get("file")) in new
                    and e.get("sha256") != new[str(e.get("file"))]]
        if changing:  # step 1: never list a file while its bytes are being replaced
            _write_manifest(out_dir, [e for e in listed if e not in changing], _own(body),
                            manifest_pages(body))
        sync_files([path for staged, _, _ in jobs for path in staged])
        for staged, _, _ in jobs:  # step 2
            for path in staged:
                publish(path, out_dir, synced=True)
        fsync_folder(out_dir)
        _merge_manifest(out_dir, [(entries, extra) for _, entries, extra in jobs])  # step 3


def read_manifest(out_dir: Path) -> dict[str, Any]:
    """The manifest in out_dir, or an empty one."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"files": []}
    return data if isinstance(data, dict) and isinstance(data.get("files"), list) else {"files": []}


def write_manifest(
    out_dir: Path, entries: Sequence[Mapping[str, Any]], extra: Mapping[str, Any]
) -> None:
    """Replace the manifest's entries for these files, keep others whose files still exist.

    Read, change and write happen under the folder lock: concurrent exports into one
    folder never lose each other's entries.
    """
    with folder_lock(out_dir):
        _merge_manifest(out_dir, [(entries, extra)])


#: What the manifest says about each page, beside its files (``pages``); with one page only,
#: these are also the manifest's own top-level fields, as before collections.
PAGE_FIELDS = ("source", "source_sha256", "title", "language")


def _merge_manifest(out_dir: Path,
                    groups: Sequence[tuple[Sequence[Mapping[str, Any]], Mapping[str, Any]]]
                    ) -> None:
    """Add or replace each group's entries; a group's ``extra`` is its page's record (name,
    source, title ...) with the manifest's own fields (generator)."""
    body = read_manifest(out_dir)
    pages = manifest_pages(body)
    own = _own(body)
    added: list[Mapping[str, Any]] = []
    for entries, extra in groups:
        page = page_name(extra) or next((str(e["page"]) for e in entries if e.get("page")), "")
        if page:
            record = {k: v for k, v in extra.items() if k not in ("files", "pages", "generator")}
            # A whole record (with its title) replaces the old one: a subject taken out of
            # the front matter must leave the manifest too.
            base = {} if "title" in record else pages.get(page, {})
            pages[page] = {**base, **record, "name": page}
            entries = [{**e, "page": e.get("page") or page} for e in entries]
        else:  # files of no known page: their fields are the manifest's own
            own.update({k: v for k, v in extra.items() if k not in ("files", "pages")})
        if "generator" in extra:
            own["generator"] = extra["generator"]
        added += entries
    names = {e["file"] for e in added}
    kept = [
        e for e in body["files"]
        if isinstance(e, dict)
        and e.get("file") not in names
        and (out_dir / str(e.get("file"))).is_file()
    ]
    _write_manifest(out_dir, [*kept, *added], own, pages)


def _own(body: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest's own fields (the generator), without its pages and files."""
    return {k: v for k, v in body.items() if k not in ("files", "pages", *PAGE_FIELDS)}


def page_name(record: Mapping[str, Any]) -> str:
    """A page's name (its source's stem) from its manifest record or a file's entry."""
    name = record.get("name") or record.get("page")
    if isinstance(name, str) and name:
        return name
    source = record.get("source")
    return Path(source).stem if isinstance(source, str) and source else ""


def manifest_pages(body: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's pages by name (a manifest from before collections: its one page)."""
    listed = body.get("pages")
    if isinstance(listed, list):
        return {str(p["name"]): dict(p) for p in listed
                if isinstance(p, dict) and isinstance(p.get("name"), str)}
    name = page_name(body)
    if not name:
        return {}
    return {name: {"name": name, **{k: body[k] for k in PAGE_FIELDS if k in body}}}


def _write_manifest(out_dir: Path, files: Sequence[Mapping[str, Any]],
                    own: Mapping[str, Any], pages: Mapping[str, Mapping[str, Any]]) -> None:
    ordered = sorted(files, key=lambda e: str(e["file"]))
    listed = {page_name(e) for e in ordered}
    kept = [dict(pages[n]) for n in sorted(pages) if n in listed]
    body: dict[str, Any] = dict(own)
    if len(kept) == 1:  # one page: its fields at the top too, as a single page always had
        body.update({k: kept[0][k] for k in PAGE_FIELDS if k in kept[0]})
    body["pages"] = kept
    body["files"] = ordered
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    atomic_write(out_dir / MANIFEST, text.encode())


# ---------------------------------------------------------------- what went wrong

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
