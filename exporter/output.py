"""Output discipline: atomic writes, per-writer staging, the manifest, reproducible timestamps."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and rename: readers see old or new, never half."""
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


@contextmanager
def staging(out_dir: Path, label: str) -> Iterator[Path]:
    """A private folder inside out_dir for one writer; always removed afterwards.

    Files are published with publish() only after the writer succeeded, so a failing or
    killed writer never leaves a partial file where users look.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{label}-", dir=out_dir))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(staged: Path, out_dir: Path) -> Path:
    """Move one finished file from staging into out_dir atomically (same file system)."""
    target = out_dir / staged.name
    os.chmod(staged, 0o644)
    os.replace(staged, target)
    return target


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
    """Replace the manifest's entries for these files, keep others whose files still exist."""
    old = read_manifest(out_dir)["files"]
    names = {e["file"] for e in entries}
    kept = [
        e for e in old
        if isinstance(e, dict)
        and e.get("file") not in names
        and (out_dir / str(e.get("file"))).is_file()
    ]
    files = sorted([*kept, *entries], key=lambda e: str(e["file"]))
    body = {**extra, "files": files}
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    atomic_write(out_dir / MANIFEST, text.encode())
