"""A page's jobs as plain data for a worker on another machine, and what the worker sends back.

A job carries everything it needs and no path: the page's source text, the bytes of its
pictures, what its links to other pages need, the options and the project's own styles. The
worker reads the page afresh in a private folder, runs the writers there and returns the
files' bytes; it never writes into the output folder. Only plain types (str, int, float,
bool, bytes, lists and dicts) cross the broker, so a serializer that cannot run code
(msgpack) carries them.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from exporter import __version__
from exporter.collection import PageInfo, resolve
from exporter.model import Image, iter_inlines
from exporter.options import Options
from exporter.pipeline import JobResult, JobSpec, write_job
from exporter.reader import ReadOptions, SourceError, parse
from exporter.styles import DEFAULT_STYLES_DIR, Styles, StylesError, load_styles

#: The shape of a job and of its answer; a worker refuses any other.
VERSION = 1
#: The project's own styles files sent with a job are capped (they are CSS and YAML).
MAX_STYLES_BYTES = 8 * 1024 * 1024

Payload = dict[str, Any]


class RemoteError(Exception):
    """A job cannot be run here (another exporter version, a malformed job)."""


@cache
def code_digest() -> str:
    """What makes two machines' files byte-identical: the exporter's code and default styles."""
    from exporter.fingerprint import code_digest as code
    from exporter.fingerprint import tree_digest

    return f"{__version__}:{code()[:16]}:{tree_digest(DEFAULT_STYLES_DIR.resolve(), '*')[:16]}"


# ---------------------------------------------------------------- the coordinator's side


def make_payload(name: str, source_path: str, data: bytes, doc_images: list[Image],
                 links: Mapping[str, PageInfo | str], specs: tuple[JobSpec, ...],
                 read: ReadOptions, styles: Styles) -> Payload:
    """The job for some of one page's writers."""
    folder = Path(source_path).parent.resolve()
    images: dict[str, bytes] = {}
    for image in doc_images:
        if image.path:
            rel = Path(image.path).resolve().relative_to(folder).as_posix()
            images.setdefault(rel, Path(image.path).read_bytes())
    return {
        "v": VERSION,
        "code": code_digest(),
        "name": name,
        "source_path": source_path,
        "file": Path(source_path).name,
        "source": data,
        "images": images,
        "links": {k: (v if isinstance(v, str) else v.as_dict()) for k, v in links.items()},
        "read": dataclasses.asdict(read),
        "styles": project_styles(styles),
        "jobs": [{"writer": s.writer, "options": dataclasses.asdict(s.options)} for s in specs],
        # The files' dates: this export's reproducible build time, if it has one.
        "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
    }


def images_of(doc_blocks: Any) -> list[Image]:
    """Every picture a page shows (its blocks and notes)."""
    return [n for n in iter_inlines(doc_blocks) if isinstance(n, Image)]


def project_styles(styles: Styles) -> list[dict[str, bytes]]:
    """The files of each styles folder above the package's defaults (a project's own styles/),
    by relative name: the worker lays them out again and loads them over its defaults."""
    out: list[dict[str, bytes]] = []
    total = 0
    for root in styles.roots:
        if root.resolve() == DEFAULT_STYLES_DIR.resolve():
            continue
        files: dict[str, bytes] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            data = path.read_bytes()
            total += len(data)
            if total > MAX_STYLES_BYTES:
                raise RemoteError(f"the styles folder {root} holds over {MAX_STYLES_BYTES:,} "
                                  "bytes: too much to send with every job")
            files[path.relative_to(root).as_posix()] = data
        out.append(files)
    return out


def job_results(answer: Any, specs: tuple[JobSpec, ...], page: str,
                ) -> list[tuple[JobResult, list[tuple[str, bytes, dict[str, Any]]]]]:
    """Each job's result and its files (name, bytes, facts) from a worker's answer."""
    if not isinstance(answer, dict) or answer.get("v") != VERSION:
        error = "the worker sent an answer this exporter cannot read (another version?)"
        return [(JobResult(s, error=error, page=page), []) for s in specs]
    if answer.get("error"):
        return [(JobResult(s, error=str(answer["error"]), page=page), []) for s in specs]
    jobs = answer.get("jobs")
    if not isinstance(jobs, list) or len(jobs) != len(specs):
        error = "the worker's answer does not match the jobs sent"
        return [(JobResult(s, error=error, page=page), []) for s in specs]
    out: list[tuple[JobResult, list[tuple[str, bytes, dict[str, Any]]]]] = []
    for spec, job in zip(specs, jobs, strict=True):
        seconds = float(job.get("seconds", 0.0))
        if job.get("error"):
            out.append((JobResult(spec, error=str(job["error"]), seconds=seconds,
                                  detail=str(job.get("detail", "")), page=page), []))
            continue
        files = [(str(f["name"]), bytes(f["data"]), dict(f.get("facts") or {}))
                 for f in job.get("files", [])]
        out.append((JobResult(spec, seconds=seconds, page=page), files))
    return out


# ---------------------------------------------------------------- the worker's side


def run_payload(payload: Any, cache_dir: Path | None) -> Payload:
    """Run a job sent by a coordinator; the answer holds each job's files or its error.

    Never raises for a problem with the page or a writer: the coordinator reports those as
    that page's failures.
    """
    try:
        _valid(payload)
    except RemoteError as exc:
        return {"v": VERSION, "error": str(exc)}
    work = Path(tempfile.mkdtemp(prefix="exporter-job-"))
    epoch = str(payload.get("epoch") or "")
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    # A worker process runs one job at a time: the job's build time stands while it runs.
    if epoch.isdigit():
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    else:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        return _run(payload, work, cache_dir)
    except (RemoteError, StylesError) as exc:
        return {"v": VERSION, "error": str(exc)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def _valid(payload: Any) -> None:
    if not isinstance(payload, dict) or payload.get("v") != VERSION:
        raise RemoteError("a job this worker cannot read (sent by another exporter version?)")
    if payload.get("code") != code_digest():
        raise RemoteError(f"this worker runs exporter {code_digest()}, the job was sent by "
                          f"{payload.get('code')}: install the same version on both machines "
                          "(files must come out byte-identical)")
    for key, kind in (("name", str), ("source_path", str), ("file", str), ("source", bytes),
                      ("images", dict), ("links", dict), ("read", dict), ("styles", list),
                      ("jobs", list)):
        if not isinstance(payload.get(key), kind):
            raise RemoteError(f"a malformed job: '{key}' is not a {kind.__name__}")
    for rel in [payload["file"], *payload["images"]]:
        path = Path(rel)
        if not isinstance(rel, str) or path.is_absolute() or ".." in path.parts or not rel:
            raise RemoteError(f"a malformed job: the file name {rel!r} is not a plain "
                              "relative name")


def _run(payload: Payload, work: Path, cache_dir: Path | None) -> Payload:
    source_dir = work / "source"
    source = source_dir / payload["file"]
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(payload["source"])
    for rel, data in payload["images"].items():
        path = source_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(data))
    styles = _styles(payload["styles"], work / "styles")
    read = ReadOptions(**{k: v for k, v in payload["read"].items()
                          if k in {f.name for f in dataclasses.fields(ReadOptions)}})
    shown = payload["source_path"]
    try:
        doc = parse(payload["source"], str(source), read)
        table = {k: (v if isinstance(v, str) else PageInfo.from_dict(v))
                 for k, v in payload["links"].items()}
        doc = resolve(doc, payload["name"], table, strict=read.strict)
    except SourceError as exc:
        problems = "; ".join(str(p).replace(str(source), shown) for p in exc.problems[:5])
        return {"v": VERSION, "error": f"the source has problems here: {problems}"}
    jobs = []
    for i, job in enumerate(payload["jobs"]):
        spec = JobSpec(str(job["writer"]), Options(**job["options"]))
        dest = work / "out" / str(i)
        result = write_job(spec, doc, styles, dest, payload["name"], cache_dir)
        if not result.ok:
            jobs.append({"error": str(result.error).replace(str(source), shown),
                         "detail": result.detail, "seconds": result.seconds})
            continue
        jobs.append({"seconds": result.seconds, "files": [
            {"name": str(e["file"]), "data": (dest / str(e["file"])).read_bytes(),
             "facts": e["facts"]} for e in result.entries]})
    return {"v": VERSION, "jobs": jobs}


def _styles(roots: list[Any], folder: Path) -> Styles:
    """The job's styles: its project folders laid out here over this installation's defaults."""
    if not roots:
        return load_styles(DEFAULT_STYLES_DIR)
    if len(roots) > 1:
        raise RemoteError("a job with more than one styles folder over the defaults")
    for rel, data in roots[0].items():
        path = folder / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise RemoteError(f"a malformed job: the styles file {rel!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(data))
    folder.mkdir(parents=True, exist_ok=True)
    return load_styles(folder)
