"""Read-back pieces both talking books share: clock values, clip tiling, coverage, lengths."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exporter import sentences as sent
from exporter.checks.common import Context
from exporter.segments import whole_seconds
from exporter.writers.audio.mp3 import Mp3Error, parse_mp3

#: Leeway between times that should agree: clip ends and starts, durations (seconds).
TOLERANCE = 0.005
SMIL3 = "{http://www.w3.org/ns/SMIL}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"
XHTML = "{http://www.w3.org/1999/xhtml}"
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Clip:
    """One par as read back: its text target and its audio span."""

    where: str  #: the SMIL file and par id, for messages
    text: str  #: "file#id", relative to the package (or zip) root
    audio: str  #: the audio file, relative to the root
    begin: float
    end: float


def seconds(value: str) -> float:
    """A SMIL clock value ("0:01:02.5", "62.5s", "npt=62.5s", "1500ms") in seconds."""
    v = value.strip().removeprefix("npt=")
    if v.endswith("ms"):
        return float(v[:-2]) / 1000
    if v.endswith("s"):
        return float(v[:-1])
    if v.endswith("min"):
        return float(v[:-3]) * 60
    if v.endswith("h"):
        return float(v[:-1]) * 3600
    m = _CLOCK.match(v)
    if not m:
        raise ValueError(f"not a clock value: {value!r}")
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))



def audio_lengths(read: Callable[[str], bytes], names: Sequence[str]) -> dict[str, float | str]:
    """Each audio file's decoded length in seconds, or why it cannot be read."""
    out: dict[str, float | str] = {}
    for name in names:
        try:
            data = read(name)
            if data[:3] == b"ID3":  # skip a tag: its size is syncsafe, after 6 bytes
                size = ((data[6] & 0x7F) << 21) | ((data[7] & 0x7F) << 14) | \
                    ((data[8] & 0x7F) << 7) | (data[9] & 0x7F)
                data = data[10 + size:]
            out[name] = parse_mp3(data).seconds
        except (KeyError, OSError) as exc:
            out[name] = f"missing ({exc})"
        except Mp3Error as exc:
            out[name] = f"not an MP3 stream ({exc})"
    return out


def clip_problems(clips: Sequence[Clip], lengths: Mapping[str, float | str]) -> list[str]:
    """Clips outside their file, out of order within a SMIL, or leaving gaps or overlaps."""
    problems: list[str] = []
    by_file: dict[str, list[Clip]] = {}
    for c in clips:
        by_file.setdefault(c.audio, []).append(c)
        length = lengths.get(c.audio)
        if isinstance(length, str) or length is None:
            continue
        if c.end <= c.begin:
            problems.append(f"{c.where}: clip ends ({c.end:.3f} s) before it begins "
                            f"({c.begin:.3f} s)")
        if c.begin < -TOLERANCE or c.end > length + TOLERANCE:
            problems.append(f"{c.where}: clip {c.begin:.3f}-{c.end:.3f} s lies outside "
                            f"{c.audio} ({length:.3f} s long)")
    for name, length in lengths.items():
        if isinstance(length, str):
            problems.append(f"{name}: {length}")
    for name, mine in by_file.items():
        per_smil: dict[str, list[Clip]] = {}
        for c in mine:
            per_smil.setdefault(c.where.partition("#")[0], []).append(c)
        for smil_file, seq in per_smil.items():
            if any(b.begin < a.begin for a, b in itertools.pairwise(seq)):
                problems.append(f"{smil_file}: clips of {name} are not in time order")
        ordered = sorted(mine, key=lambda c: c.begin)
        at = 0.0
        for c in ordered:
            if c.begin > at + TOLERANCE:
                problems.append(f"{name}: {c.begin - at:.3f} s not read by any par, from "
                                f"{at:.3f} s (before {c.where})")
            elif c.begin < at - TOLERANCE:
                problems.append(f"{name}: {c.where} overlaps the clip before it by "
                                f"{at - c.begin:.3f} s")
            at = max(at, c.end)
        length = lengths.get(name)
        if isinstance(length, float) and abs(length - at) > TOLERANCE:
            problems.append(f"{name}: clips end at {at:.3f} s, the file lasts {length:.3f} s")
    return problems


def coverage(ctx: Context, texts: Sequence[str]) -> list[str]:
    """Sentences of the source that no par highlights, in order (main text, then notes)."""
    joined = "\n".join(texts)
    problems = []
    for label, wanted in (("sentences", ctx.sentences), ("note sentences",
                                                        sent.of_notes(ctx.doc))):
        stripped = [re.sub(r"\[\d+\]", "", s) for s in wanted]
        missing = sent.missing_in_order(stripped, joined)
        if missing:
            shown = "; ".join(f"'{m[:60]}'" for m in missing[:3])
            problems.append(f"{len(missing)} of {len(wanted)} {label} are highlighted by no "
                            f"par, or out of order: {shown}")
    return problems


def length_problems(total: float, entry: Mapping[str, Any], what: str) -> list[str]:
    """The manifest's length facts against the book's own total."""
    facts = entry.get("facts") or {}
    exact, said = facts.get("seconds"), facts.get("duration")
    problems = []
    if isinstance(exact, int | float) and abs(exact - total) > TOLERANCE:
        problems.append(f"{what} add up to {total:.3f} s, the manifest says {exact} s")
    if said is not None and said != whole_seconds(total):
        problems.append(f"the manifest's duration {said} s is not the book's {total:.3f} s "
                        "rounded to the second")
    return problems


def ids(root: ET.Element) -> dict[str, ET.Element]:
    return {e.get("id", ""): e for e in root.iter() if e.get("id")}


def element_text(element: ET.Element) -> str:
    """An element's words, without the print page numbers a DAISY text shows inside them."""
    out: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.tag.endswith("br"):  # a line break reads as a space, as plain_text has it
            out.append(" ")
        elif "page-normal" not in (e.get("class") or "").split():
            out.append(e.text or "")
            for child in e:
                walk(child)
        out.append(e.tail or "" if e is not element else "")

    walk(element)
    return sent.normalise("".join(out))

