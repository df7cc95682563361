"""File lists on the download and result pages: grouped by format, each a link with its facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from pathlib import PurePosixPath
from typing import Any

from exporter.options import Options, describe
from exporter.outline import slugify
from exporter.service.formats import Format, format_of
from exporter.service.markup import attr, human_bytes, human_duration, human_time, iso_duration
from exporter.service.markup import text as t
from exporter.styles import Styles

#: One manifest entry: file, format, options, bytes, sha256, built, facts.
Entry = Mapping[str, Any]


def is_track(entry: Entry) -> bool:
    """A numbered part of a recording: its writer gave it a whole-number "track" fact."""
    facts = entry.get("facts")
    return isinstance(facts, Mapping) and type(facts.get("track")) is int


def track_number(entry: Entry) -> int:
    """A track's number; 0 for other files."""
    return int(entry["facts"]["track"]) if is_track(entry) else 0


def group_files(entries: Iterable[Entry],
                formats: Mapping[str, Format]) -> list[tuple[Format, list[Entry]]]:
    """Entries grouped by format, in page order; each group sorted by options, then name."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        if isinstance(e, Mapping) and isinstance(e.get("file"), str):
            groups.setdefault(str(e.get("format", "other")), []).append(e)
    found = [format_of(formats, name) for name in groups]
    found.sort(key=lambda f: (f.order, f.name))
    return [(f, sorted(groups[f.name], key=_entry_order)) for f in found]


#: Every option's name, in the order files are sorted by.
_OPTION_NAMES = tuple(f.name for f in fields(Options))


def _entry_order(e: Entry) -> tuple[Any, ...]:
    """Whole files before tracks, tracks by number, then by each option, shorter names first."""
    chosen = e.get("options") or {}
    values = tuple(_sortable(chosen.get(name)) for name in _OPTION_NAMES)
    return (is_track(e), track_number(e), *values, len(e["file"]), e["file"])


def _sortable(value: object) -> tuple[int, float, str]:
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, int | float):
        return (1, float(value), "")
    return (2, 0.0, str(value))


def file_label(entry: Entry, fmt: Format, styles: Styles, several_kinds: bool) -> str:
    """Link text: what the file is, with its options, so every link makes sense on its own."""
    parts = [fmt.label]
    role = fmt.kind_of(str(entry["file"])).role
    if several_kinds and role:
        parts.append(role)
    made_with = describe(entry.get("options") or {}, styles)
    if made_with:
        parts.append(made_with)
    return ", ".join(parts)


def render_file(entry: Entry, fmt: Format, href: Callable[[str], str], styles: Styles,
                *, several_kinds: bool = False, label: str | None = None) -> str:
    """One file: a download link naming it, then its facts as a description list."""
    name = str(entry["file"])
    size = int(entry.get("bytes", 0))
    words = label or file_label(entry, fmt, styles, several_kinds)
    kind = fmt.kind_of(name).type_name
    exact = f"{human_bytes(size)} ({size:,} bytes)" if size >= 1000 else human_bytes(size)
    facts = [("File name", f"<code>{t(name)}</code>"), ("Size", exact)]
    extra = entry.get("facts") or {}
    if isinstance(extra.get("pages"), int):
        facts.append(("Pages", str(extra["pages"])))
    if isinstance(extra.get("duration"), int | float):
        d = float(extra["duration"])
        facts.append(("Length", f'<time datetime="{iso_duration(d)}">{human_duration(d)}</time>'))
    if entry.get("built"):
        built = str(entry["built"])
        facts.append(("Made", f'<time datetime="{attr(built)}">{t(human_time(built))}</time>'))
    if entry.get("sha256"):
        facts.append(("SHA-256", f'<code class="hash">{t(str(entry["sha256"]))}</code>'))
    rows = "\n".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    return (f'<li class="file">\n<p class="file-link"><a href="{attr(href(name))}">{t(words)}'
            f' <span class="file-type">({kind}, {human_bytes(size)})</span></a></p>\n'
            f'<dl class="facts">\n{rows}\n</dl>\n</li>')


def render_group(fmt: Format, entries: Sequence[Entry], href: Callable[[str], str],
                 styles: Styles, heading_level: int = 3) -> str:
    """A format's heading, what it is for, its files, and its tracks folded away."""
    hid = f"files-{slugify(fmt.name)}"
    h = f"h{heading_level}"
    main = [e for e in entries if not is_track(e)]
    tracks = [e for e in entries if is_track(e)]
    several = len({PurePosixPath(str(e["file"])).suffix for e in main}) > 1
    parts = [f'<section class="format" aria-labelledby="{hid}">',
             f'<{h} id="{hid}">{t(fmt.label)}</{h}>']
    if fmt.hint:
        parts.append(f'<p class="hint">{t(fmt.hint)}</p>')
    parts.append('<ul class="files">')
    parts += [render_file(e, fmt, href, styles, several_kinds=several) for e in main]
    parts.append("</ul>")
    if tracks:
        items = [render_file(e, fmt, href, styles, label=_track_label(e)) for e in tracks]
        parts.append(f'<details class="tracks">\n<summary>Separate tracks, one for each section '
                     f'({len(tracks)} files)</summary>\n<ul class="files">\n'
                     + "\n".join(items) + "\n</ul>\n</details>")
    parts.append("</section>")
    return "\n".join(parts)


def _track_label(entry: Entry) -> str:
    facts = entry.get("facts") or {}
    title = facts.get("title") if isinstance(facts.get("title"), str) else None
    number = track_number(entry)
    return f"Track {number}: {title}" if title else f"Track {number}"
