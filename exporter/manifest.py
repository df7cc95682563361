"""The manifest, and publishing staged files so that it never lists a file untruly.

The manifest never lists a file whose bytes differ from its entry, whenever the export is
stopped (even by ``kill -9`` or a power cut): a job's files are published under a lock on
the output folder in three durable steps: (1) entries of files about to change are removed
from the manifest, (2) the files are renamed into place, (3) their new entries are added.
Each step is a rename of an fsynced file followed by an fsync of the folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from exporter.locks import folder_lock
from exporter.output import MANIFEST, atomic_write, fsync_file, fsync_folder, sync_files


def publish(staged: Path, out_dir: Path, *, synced: bool = False) -> Path:
    """Move one finished file from staging into out_dir atomically (same file system).

    The file's bytes are fsynced first (unless ``synced``: sync_files did); the caller
    fsyncs out_dir after its last rename.
    """
    target = out_dir / staged.name
    os.chmod(staged, 0o644)
    if not synced:
        fsync_file(staged)
    os.replace(staged, target)
    return target


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
