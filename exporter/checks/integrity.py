"""Integrity of the output folder: the manifest, each file's sha256, no stray or partial files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from exporter.checks.common import Context, Finding, finding
from exporter.output import INDEX, MANIFEST, REPORT_NAME, STAGING_PREFIX, sha256_file

#: Files the tools themselves keep in the output folder besides the manifest's: the manifest,
#: this report, and the download page that export writes from the manifest.
OWN_FILES = frozenset({MANIFEST, REPORT_NAME, INDEX})


def load_manifest(out_dir: Path) -> dict[str, Any] | str:
    """The manifest, or a message saying why it cannot be used."""
    path = out_dir / MANIFEST
    if not path.is_file():
        return f"{path}: no manifest; run 'exporter export' first"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"{path}: unreadable manifest: {exc}"
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return f"{path}: malformed manifest: no 'files' list"
    return data


def check_folder(out_dir: Path, source: Path) -> list[Finding]:
    """Manifest, checksums, sizes, source hash and stray files."""
    manifest = load_manifest(out_dir)
    if isinstance(manifest, str):
        return [Finding("integrity", "integrity.manifest", MANIFEST, False, manifest)]
    entries = [e for e in manifest["files"] if isinstance(e, dict) and "file" in e]
    listed = f"{len(entries)} file{'s' * (len(entries) != 1)} listed"
    found = [Finding("integrity", "integrity.manifest", MANIFEST, bool(entries),
                     listed if entries else f"{out_dir / MANIFEST}: lists no files")]
    found += [_checksum(out_dir, e) for e in entries]
    found.append(_source(out_dir, source, entries))
    found.append(_strays(out_dir, {str(e["file"]) for e in entries}))
    return found


def _checksum(out_dir: Path, entry: dict[str, Any]) -> Finding:
    name = str(entry["file"])
    path = out_dir / name
    problems: list[str] = []
    if not path.is_file():
        problems.append(f"{path}: listed in the manifest but missing")
    else:
        actual = sha256_file(path)
        if actual != entry.get("sha256"):
            problems.append(f"{path}: sha256 {actual[:16]}… does not match the manifest's "
                            f"{str(entry.get('sha256'))[:16]}…: changed after export")
        if path.stat().st_size != entry.get("bytes"):
            problems.append(f"{path}: {path.stat().st_size} bytes, the manifest says "
                            f"{entry.get('bytes')}")
    return finding("integrity", "integrity.sha256", name, problems,
                   "sha256 and size match the manifest")


def _source(out_dir: Path, source: Path, entries: list[dict[str, Any]]) -> Finding:
    if not source.is_file():
        return Finding("integrity", "integrity.source", str(source), False,
                       f"{source}: source not found; pass --source")
    current = sha256_file(source)
    stale = sorted(str(e["file"]) for e in entries if e.get("source_sha256") != current)
    problems = []
    if stale:
        problems = [f"{out_dir}: {len(stale)} file(s) built from another version of {source}: "
                    f"{', '.join(stale[:4])}{' …' if len(stale) > 4 else ''}; export again"]
    return finding("integrity", "integrity.source", str(source), problems,
                   "every file was built from this version of the source")


def _strays(out_dir: Path, listed: set[str]) -> Finding:
    problems = []
    for path in sorted(out_dir.iterdir()):
        name = path.name
        if name in listed or name in OWN_FILES:
            continue
        if name.startswith(STAGING_PREFIX):
            why = "a writer's staging folder left behind (an export was interrupted)"
        elif name.endswith((".tmp", ".part")) or name.startswith("."):
            why = "a partial or temporary file"
        else:
            why = "not in the manifest"
        problems.append(f"{path}: {why}")
    return finding("integrity", "integrity.strays", "", problems,
                   "no stray or partial files")


def context(out_dir: Path, source: Path) -> Context | Finding:
    """The source read afresh with its outline and sentences, or a finding saying why not."""
    from exporter.reader import ReadOptions, SourceError, read
    from exporter.styles import StylesError, load_styles

    manifest = load_manifest(out_dir)
    try:
        doc = read(source, ReadOptions.from_settings(load_styles().settings))
    except SourceError as exc:
        first = "\n".join(str(p) for p in exc.problems[:5])
        return Finding("integrity", "integrity.source", str(source), False,
                       f"{source}: the source has problems; formats not compared\n{first}")
    except (OSError, StylesError) as exc:
        return Finding("integrity", "integrity.source", str(source), False,
                       f"{source}: cannot read the source: {exc}")
    return Context.of(out_dir, doc, manifest if isinstance(manifest, dict) else None)
