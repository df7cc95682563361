"""Integrity of the output folder: the manifest, each file's sha256, no stray or partial files."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from exporter.checks.common import Context, Finding, finding
from exporter.manifest import manifest_pages, page_name
from exporter.output import INDEX, MANIFEST, REPORT_NAME, sha256_file
from exporter.staging import STAGING_PREFIX

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


def page_sources(manifest: dict[str, Any] | str,
                 given: Path | Sequence[Path] | None = None) -> dict[str, Path]:
    """The source of each page whose files the manifest lists, by page name.

    A source given names the page of its stem (one source and one page: that page, whatever
    the name); any other page's source is the one the manifest records.
    """
    listed = manifest if isinstance(manifest, dict) else {"files": []}
    names = sorted({page_name(e) for e in listed["files"] if isinstance(e, dict)} - {""})
    records = manifest_pages(listed)
    found = {n: Path(str(records[n]["source"])) for n in names
             if isinstance(records.get(n, {}).get("source"), str)}
    paths = [given] if isinstance(given, Path) else list(given or ())
    if len(paths) == 1 and len(names) <= 1:
        return {names[0] if names else paths[0].stem: paths[0]}
    for path in paths:
        found[path.stem] = path
    return found


def check_folder(out_dir: Path, sources: Path | Mapping[str, Path]) -> list[Finding]:
    """Manifest, checksums, sizes, each page's source hash and stray files."""
    manifest = load_manifest(out_dir)
    if isinstance(manifest, str):
        return [Finding("integrity", "integrity.manifest", MANIFEST, False, manifest)]
    if isinstance(sources, Path):
        sources = page_sources(manifest, sources)
    entries = [e for e in manifest["files"] if isinstance(e, dict) and "file" in e]
    listed = f"{len(entries)} file{'s' * (len(entries) != 1)} listed"
    found = [Finding("integrity", "integrity.manifest", MANIFEST, bool(entries),
                     listed if entries else f"{out_dir / MANIFEST}: lists no files")]
    found += [_checksum(out_dir, e) for e in entries]
    by_page: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_page.setdefault(page_name(e), []).append(e)
    if len(sources) == 1 and len(by_page) <= 2 and (len(by_page) == 1 or "" in by_page):
        # One page, whatever its files call it (files naming no page are its too).
        by_page = {next(iter(sources)): [e for es in by_page.values() for e in es]}
    for name in sorted(by_page):
        source = sources.get(name)
        if source is None:
            files = sorted(str(e["file"]) for e in by_page[name])
            found.append(Finding("integrity", "integrity.source", name or "-", False,
                                 f"{out_dir}: no source known for the page '{name}' "
                                 f"({', '.join(files[:4])}{' …' if len(files) > 4 else ''}); "
                                 "pass --source"))
        else:
            found.append(_source(out_dir, source, by_page[name]))
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


def contexts(out_dir: Path, sources: Mapping[str, Path]) -> dict[str, Context | Finding]:
    """Each page's source read afresh (its links to other pages resolved as the export did),
    with its outline and sentences, or a finding saying why not."""
    from exporter.collection import Linker, load, parsed
    from exporter.reader import ReadOptions
    from exporter.styles import StylesError, load_styles

    manifest = load_manifest(out_dir)
    try:
        options = ReadOptions.from_settings(load_styles().settings)
    except StylesError as exc:
        return {name: Finding("integrity", "integrity.source", str(source), False,
                              f"{source}: cannot read the source: {exc}")
                for name, source in sources.items()}
    pages = {source: parsed(load(source, options), options) for source in sources.values()}
    linker = Linker(pages, options)
    found: dict[str, Context | Finding] = {}
    for name, source in sources.items():
        page = linker.resolve(pages[source])
        if page.doc is None:
            first = "\n".join(str(p) for p in page.problems[:5])
            unreadable = any(p.line == 0 for p in page.problems)
            found[name] = Finding("integrity", "integrity.source", str(source), False,
                                  f"{source}: cannot read the source: {first}" if unreadable
                                  else f"{source}: the source has problems; formats not "
                                  f"compared\n{first}")
            continue
        found[name] = Context.of(out_dir, page.doc,
                                 manifest if isinstance(manifest, dict) else None)
    return found


def context(out_dir: Path, source: Path) -> Context | Finding:
    """The source read afresh with its outline and sentences, or a finding saying why not."""
    return contexts(out_dir, {source.stem: source})[source.stem]
