"""An output folder as a large collection leaves it: a manifest of hundreds of pages, each with
every format's files (the files are small stand-ins: the download page reads only the
manifest and which files exist)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

SUBJECTS = ("Multiple sclerosis", "Fatigue", "Work and money", "Treatments", "Getting around",
            "Research", "Emotions", "Family and carers", "Diet and exercise", "Symptoms", "")
TOPICS = ("fatigue", "relapses", "benefits", "blue badge", "vitamin D", "exercise", "sleep",
          "bladder", "memory", "pain", "driving", "pregnancy", "diet", "stress", "work")


def _entry(page: str, name: str, fmt: str, options: dict[str, object],
           facts: dict[str, object], size: int) -> dict[str, object]:
    return {"file": name, "format": fmt, "options": options, "bytes": size,
            "sha256": hashlib.sha256(name.encode()).hexdigest(), "page": page,
            "source": f"source/{page}.md", "source_sha256": "0" * 64,
            "built": "2024-05-01T10:00:00Z", "facts": facts, "fingerprint": "f"}


def page_files(page: str, n: int) -> list[dict[str, object]]:
    """Every file a full export makes of one page (three print sizes, the tracks ...)."""
    files = [_entry(page, f"{page}.html", "html", {}, {}, 12_000 + n)]
    for size, pages in ((16, 6), (18, 8), (24, 13)):
        options = {"size": size, "scheme": "black-on-white", "line_spacing": 1.5}
        files.append(_entry(page, f"{page}-large-print-{size}pt.pdf", "pdf", options,
                            {"pages": pages}, 95_000 + size))
        files.append(_entry(page, f"{page}-large-print-{size}pt.docx", "docx",
                            {"size": size, "line_spacing": 1.5}, {}, 23_000 + size))
    files.append(_entry(page, f"{page}.epub", "epub", {}, {}, 68_000))
    files.append(_entry(page, f"{page}-audio.mp3", "audio", {}, {"duration": 400.0 + n},
                        2_400_000))
    files.append(_entry(page, f"{page}-audio.m3u8", "audio", {}, {}, 860))
    files.append(_entry(page, f"{page}-audio-transcript.txt", "audio", {}, {}, 4_000))
    for track in range(1, 8):
        files.append(_entry(page, f"{page}-audio-{track:02d}-section.mp3", "audio", {},
                            {"track": track, "title": f"Section {track}",
                             "duration": 50.0}, 300_000))
    files.append(_entry(page, f"{page}-braille.brf", "braille", {"grade": 2},
                        {"pages": 20}, 4_000))
    files.append(_entry(page, f"{page}-braille.pef", "braille", {"grade": 2},
                        {"pages": 20}, 13_000))
    return files


def make(out: Path, pages: int = 500) -> Path:
    """out/manifest.json listing ``pages`` pages (a few in Welsh), and their files."""
    out.mkdir(parents=True, exist_ok=True)
    records, files = [], []
    for n in range(pages):
        topic = TOPICS[n % len(TOPICS)]
        name = f"{topic.replace(' ', '-')}-{n:03d}"
        welsh = n % 50 == 7
        record = {"name": name, "source": f"source/{name}.md", "source_sha256": "0" * 64,
                  "title": (f"Blinder a {topic} {n}" if welsh
                            else f"Living with {topic}: part {n}"),
                  "language": "cy" if welsh else "en-GB",
                  "summary": f"What to know about {topic}, and where to find help ({n})."}
        subject = SUBJECTS[n % len(SUBJECTS)]
        if subject:
            record["subject"] = subject
        records.append(record)
        files += page_files(name, n)
    for e in files:
        (out / str(e["file"])).write_bytes(b"x")
    body = {"generator": "hsct-exporter test", "pages": records, "files": files}
    (out / "manifest.json").write_text(json.dumps(body), encoding="utf-8")
    return out
