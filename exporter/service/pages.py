"""The download page (static output/index.html and the service's pages), built from the manifest."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from exporter import __version__
from exporter.output import atomic_write, read_manifest
from exporter.styles import Styles, load_styles

INDEX = "index.html"
CSS_FILE = "downloads.css"

#: What people call each writer's output; unknown writers show their name.
FORMAT_LABELS: Mapping[str, str] = {
    "pdf": "Large print PDF",
    "docx": "Word document",
    "epub": "EPUB e-book",
    "audio": "Audio",
    "html": "Web page",
}
#: Page order of the formats; others follow in name order.
FORMAT_ORDER = ("pdf", "docx", "epub", "audio", "html")
#: One line saying what each format is for.
FORMAT_HINTS: Mapping[str, str] = {
    "pdf": "For printing, or reading on screen at a large size.",
    "docx": "For Word and screen readers; you can change the text yourself.",
    "epub": "For e-readers and reading apps; the text reflows to your settings.",
    "audio": "Spoken recording with one track per section, a playlist and a transcript.",
    "html": "One accessible web page, to read in any browser.",
}
#: Content types by suffix; explicit because mimetypes depends on the machine's tables.
CONTENT_TYPES: Mapping[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".epub": "application/epub+zip",
    ".mp3": "audio/mpeg",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}
#: Short type names shown beside a link.
TYPE_NAMES: Mapping[str, str] = {
    ".pdf": "PDF", ".docx": "Word", ".epub": "EPUB", ".mp3": "MP3", ".m3u8": "M3U8 playlist",
    ".txt": "text", ".html": "HTML", ".json": "JSON",
}
#: What a file is within a format that makes several kinds of file.
ROLES: Mapping[str, str] = {".mp3": "whole recording", ".m3u8": "playlist of the tracks",
                            ".txt": "transcript"}
#: Line spacings offered by the request form (multiples of the text size).
LINE_SPACINGS: tuple[float, ...] = (1.5, 1.75, 2.0)
_TRACK = re.compile(r"-(\d{2,3})(?:-|\.)")
OPTION_WORDS: Mapping[str, str] = {"size": "print size", "scheme": "colour scheme",
                                   "line_spacing": "line spacing"}


def content_type(name: str) -> str:
    """The Content-Type to send for a file name."""
    return CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


def format_label(writer: str) -> str:
    return FORMAT_LABELS.get(writer, writer)


# ---------------------------------------------------------------- small formatters


def human_bytes(n: int) -> str:
    """Decimal units, as file managers show them: 1.2 MB."""
    value = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def human_duration(seconds: float) -> str:
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} hour{'s' * (h != 1)}"] if h else []
    if m:
        parts.append(f"{m} minute{'s' * (m != 1)}")
    if s or not parts:
        parts.append(f"{s} second{'s' * (s != 1)}")
    return " ".join(parts)


def iso_duration(seconds: float) -> str:
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"PT{h}H{m}M{s}S" if h else f"PT{m}M{s}S"


def human_time(stamp: str) -> str:
    """'2025-03-03T14:05:00Z' -> '3 March 2025 at 14:05 UTC' (the stamp itself if unparsable)."""
    try:
        t = dt.datetime.fromisoformat(stamp).astimezone(dt.UTC)
    except ValueError:
        return stamp
    return f"{t.day} {t:%B %Y} at {t:%H:%M} UTC"


def options_text(options: Mapping[str, Any], styles: Styles) -> str:
    """'24 point, yellow on black, line spacing 1.5' for the options a file was made with."""
    parts = []
    if "size" in options:
        parts.append(f"{options['size']} point")
    if "scheme" in options:
        scheme = styles.schemes.get(str(options["scheme"]))
        label = scheme.label if scheme else str(options["scheme"])
        parts.append(label[:1].lower() + label[1:])
    if "line_spacing" in options:
        parts.append(f"line spacing {_number(options['line_spacing'])}")
    return ", ".join(parts)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _a(value: str) -> str:
    return escape(value, quote=True)


def _t(value: str) -> str:
    return escape(value, quote=False)


# ---------------------------------------------------------------- file lists


def is_track(name: str) -> bool:
    """A numbered part of a recording (hsct-audio-03-treatment.mp3)."""
    return bool(_TRACK.search(PurePosixPath(name).name)) and name.endswith(".mp3")


def group_files(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """Entries grouped by format, in page order; each group sorted by options, then name."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for e in entries:
        if isinstance(e, Mapping) and isinstance(e.get("file"), str):
            groups.setdefault(str(e.get("format", "other")), []).append(e)

    def order(name: str) -> tuple[int, str]:
        return (FORMAT_ORDER.index(name) if name in FORMAT_ORDER else len(FORMAT_ORDER), name)

    def entry_order(e: Mapping[str, Any]) -> tuple[Any, ...]:
        o = e.get("options") or {}
        return (is_track(e["file"]), track_number(e), int(o.get("size", 0)),
                str(o.get("scheme", "")), float(o.get("line_spacing", 0)), len(e["file"]),
                e["file"])

    return [(g, sorted(groups[g], key=entry_order)) for g in sorted(groups, key=order)]


def file_label(entry: Mapping[str, Any], styles: Styles, several_kinds: bool) -> str:
    """Link text: what the file is, with its options, so every link makes sense on its own."""
    name = str(entry["file"])
    suffix = PurePosixPath(name).suffix.lower()
    parts = [format_label(str(entry.get("format", "")))]
    if several_kinds and suffix in ROLES:
        parts.append(ROLES[suffix])
    opts = options_text(entry.get("options") or {}, styles)
    if opts:
        parts.append(opts)
    return ", ".join(parts)


def render_file(entry: Mapping[str, Any], href: Callable[[str], str], styles: Styles,
                *, several_kinds: bool = False, label: str | None = None) -> str:
    """One file: a download link naming it, then its facts as a description list."""
    name = str(entry["file"])
    suffix = PurePosixPath(name).suffix.lower()
    size = int(entry.get("bytes", 0))
    text = label or file_label(entry, styles, several_kinds)
    kind = TYPE_NAMES.get(suffix, suffix.lstrip(".").upper() or "file")
    exact = f"{human_bytes(size)} ({size:,} bytes)" if size >= 1000 else human_bytes(size)
    facts = [("File name", f"<code>{_t(name)}</code>"), ("Size", exact)]
    extra = entry.get("facts") or {}
    if isinstance(extra.get("pages"), int):
        facts.append(("Pages", str(extra["pages"])))
    if isinstance(extra.get("duration"), int | float):
        d = float(extra["duration"])
        facts.append(("Length", f'<time datetime="{iso_duration(d)}">{human_duration(d)}</time>'))
    if entry.get("built"):
        built = str(entry["built"])
        facts.append(("Made", f'<time datetime="{_a(built)}">{_t(human_time(built))}</time>'))
    if entry.get("sha256"):
        facts.append(("SHA-256", f'<code class="hash">{_t(str(entry["sha256"]))}</code>'))
    rows = "\n".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    return (f'<li class="file">\n<p class="file-link"><a href="{_a(href(name))}">{_t(text)}'
            f' <span class="file-type">({kind}, {human_bytes(size)})</span></a></p>\n'
            f'<dl class="facts">\n{rows}\n</dl>\n</li>')


def render_group(writer: str, entries: Sequence[Mapping[str, Any]], href: Callable[[str], str],
                 styles: Styles, heading_level: int = 3) -> str:
    """A format's heading, what it is for, its files, and its tracks folded away."""
    hid = f"files-{_slug(writer)}"
    h = f"h{heading_level}"
    main = [e for e in entries if not is_track(str(e["file"]))]
    tracks = [e for e in entries if is_track(str(e["file"]))]
    several = len({PurePosixPath(str(e["file"])).suffix for e in main}) > 1
    parts = [f'<section class="format" aria-labelledby="{hid}">',
             f'<{h} id="{hid}">{_t(format_label(writer))}</{h}>']
    if writer in FORMAT_HINTS:
        parts.append(f'<p class="hint">{_t(FORMAT_HINTS[writer])}</p>')
    parts.append('<ul class="files">')
    parts += [render_file(e, href, styles, several_kinds=several) for e in main]
    parts.append("</ul>")
    if tracks:
        items = [render_file(e, href, styles, label=_track_label(e)) for e in tracks]
        parts.append(f'<details class="tracks">\n<summary>Separate tracks, one for each section '
                     f'({len(tracks)} files)</summary>\n<ul class="files">\n'
                     + "\n".join(items) + "\n</ul>\n</details>")
    parts.append("</section>")
    return "\n".join(parts)


def track_number(entry: Mapping[str, Any]) -> int:
    """A track's number: from the writer's facts, else from its file name; 0 for other files."""
    name = str(entry["file"])
    if not is_track(name):
        return 0
    facts = entry.get("facts") or {}
    if isinstance(facts.get("track"), int):
        return int(facts["track"])
    m = _TRACK.search(name)
    return int(m.group(1)) if m else 0


def _track_label(entry: Mapping[str, Any]) -> str:
    facts = entry.get("facts") or {}
    title = facts.get("title") if isinstance(facts.get("title"), str) else None
    number = track_number(entry)
    return f"Track {number}: {title}" if title else f"Track {number}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


# ---------------------------------------------------------------- the request form


@dataclass(frozen=True)
class WriterChoice:
    """A format the service can make on request."""

    name: str
    option_names: frozenset[str]


@dataclass(frozen=True)
class RequestForm:
    """What the request form offers, and (after a bad request) the values and problems."""

    writers: Sequence[WriterChoice]
    action: str = "/request"
    values: Mapping[str, str] = field(default_factory=dict)  #: as sent, to fill the form again
    errors: Mapping[str, str] = field(default_factory=dict)  #: field name -> message


def field_id(form: RequestForm, styles: Styles, name: str) -> str:
    """The id of the control an error message about field ``name`` should take the user to."""
    first = {
        "format": f"format-{_slug(form.writers[0].name)}" if form.writers else "size",
        "scheme": f"scheme-{_slug(next(iter(styles.schemes)))}",
        "line_spacing": "spacing-0",
    }
    return first.get(name, name)


def _error(form: RequestForm, name: str) -> str:
    msg = form.errors.get(name)
    return f'<p class="error-message" id="{name}-error"><span class="visually-hidden">Error: ' \
        f'</span>{_t(msg)}</p>' if msg else ""


def _described(form: RequestForm, name: str, hint: str | None = None) -> str:
    ids = ([hint] if hint else []) + ([f"{name}-error"] if name in form.errors else [])
    invalid = ' aria-invalid="true"' if name in form.errors else ""
    return (f' aria-describedby="{" ".join(ids)}"' if ids else "") + invalid


def _radio(name: str, rid: str, value: str, label: str, checked: bool, hint: str = "",
           extra: str = "") -> str:
    hint_id = f"{rid}-hint"
    described = f' aria-describedby="{hint_id}"' if hint else ""
    hint_html = f'<p class="hint" id="{hint_id}">{_t(hint)}</p>' if hint else ""
    return (f'<div class="choice"><input type="radio" name="{name}" id="{rid}" value="{_a(value)}"'
            f'{" checked" if checked else ""}{described}/> <label for="{rid}">{extra}{_t(label)}'
            f"</label>{hint_html}</div>")


def render_form(form: RequestForm, styles: Styles) -> str:
    """The request form: fieldsets with legends for each choice, one label per control."""
    v = form.values
    choose = [w.name for w in form.writers]
    current = v.get("format") if v.get("format") in choose else (choose[0] if choose else "")
    formats = []
    for w in form.writers:
        uses = [OPTION_WORDS[o] for o in ("size", "scheme", "line_spacing") if o in w.option_names]
        hint = ("Uses " + _join(uses) + "." if uses else "The same for everyone: "
                "the choices below do not change it.")
        formats.append(_radio("format", f"format-{_slug(w.name)}", w.name, format_label(w.name),
                              w.name == current, hint))
    size_now = v.get("size") or str(styles.default_size)
    sizes = "".join(f'<option value="{s}"{" selected" if str(s) == size_now else ""}>{s} point'
                    f"{_size_note(s, styles)}</option>"
                    for s in range(styles.min_size, styles.max_size + 1))
    scheme_now = v.get("scheme") or styles.default_scheme
    schemes = [
        _radio("scheme", f"scheme-{_slug(s.name)}", s.name, s.label, s.name == scheme_now,
               extra=f'<span class="swatch swatch-{_slug(s.name)}" aria-hidden="true">Aa</span> ')
        for s in styles.schemes.values()
    ]
    spacing_now = v.get("line_spacing") or _number(styles.line_spacing)
    spacings = [
        _radio("line_spacing", f"spacing-{i}", _number(x), f"{_number(x)} times the text size"
               + (" (double)" if x == 2.0 else ""), _number(x) == spacing_now)
        for i, x in enumerate(LINE_SPACINGS)
    ]
    return f"""<form method="post" action="{_a(form.action)}" class="request">
<fieldset{_described(form, "format")}>
<legend>Format</legend>
{_error(form, "format")}
{chr(10).join(formats)}
</fieldset>
<div class="field">
<label for="size">Print size</label>
<p class="hint" id="size-hint">From {styles.min_size} to {styles.max_size} point. Large print is
usually 18 point or more; giant print 24 point or more.</p>
{_error(form, "size")}
<select id="size" name="size"{_described(form, "size", "size-hint")}>{sizes}</select>
</div>
<fieldset{_described(form, "scheme")}>
<legend>Colour scheme</legend>
{_error(form, "scheme")}
{chr(10).join(schemes)}
</fieldset>
<fieldset{_described(form, "line_spacing")}>
<legend>Line spacing</legend>
{_error(form, "line_spacing")}
{chr(10).join(spacings)}
</fieldset>
<p class="hint" id="submit-hint">A new file can take up to a minute to make. The page will
wait until it is ready.</p>
<button type="submit" aria-describedby="submit-hint">Make my file</button>
</form>"""


def swatch_css(styles: Styles) -> str:
    """Colours of the scheme samples, as rules (a strict CSP refuses style attributes)."""
    return "\n".join(f".swatch-{_slug(s.name)} {{ color: {s.text}; background: {s.background}; }}"
                     for s in styles.schemes.values())


def _size_note(size: int, styles: Styles) -> str:
    return " (standard)" if size == styles.default_size else ""


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def render_error_summary(form: RequestForm, styles: Styles) -> str:
    """A list of the problems at the top of the page, each linking to its field."""
    if not form.errors:
        return ""
    items = "\n".join(f'<li><a href="#{field_id(form, styles, k)}">{_t(m)}</a></li>'
                      for k, m in form.errors.items())
    return (f'<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
            f'tabindex="-1">\n<h2 id="error-summary-title">There is a problem with your '
            f"choices</h2>\n<ul>\n{items}\n</ul>\n</div>")


# ---------------------------------------------------------------- whole pages


@dataclass(frozen=True)
class Links:
    """Where the page's links point: relative file names (static page) or service routes."""

    file: Callable[[str], str] = quote
    machine: Sequence[tuple[str, str]] = (("manifest.json", "manifest.json"),)  #: (href, text)
    home: str = INDEX


def shell(title: str, body: str, css: str, *, doc_title: str = "", language: str = "en") -> str:
    """The page around a body: language, viewport, skip link, main landmark, footer."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="generator" content="hsct-exporter {__version__}"/>
<title>{_t(title)}</title>
<style>
{css}
</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<main id="main" tabindex="-1">
{body}
</main>
<footer>
<p>Made by hsct-exporter {__version__}{_doc_line(doc_title, language)}</p>
</footer>
</body>
</html>
"""


def _doc_line(doc_title: str, language: str) -> str:
    if not doc_title:
        return "."
    return f" from one source: {_title_span(doc_title, language)}."


def _title_span(title: str, language: str) -> str:
    """The document's title, marked with its own language when the page's is different."""
    if language and not language.lower().startswith("en"):
        return f'<span lang="{_a(language)}">{_t(title)}</span>'
    return _t(title)


def render_index(out_dir: Path, *, styles: Styles | None = None, css: str | None = None,
                 links: Links | None = None, form: RequestForm | None = None,
                 title: str | None = None, language: str | None = None) -> str:
    """The download page: every file in out_dir's manifest, the request form when there is a
    service behind it, and how to automate downloads."""
    styles = styles or load_styles()
    css = css if css is not None else styles.text(CSS_FILE)
    links = links or Links()
    manifest = read_manifest(out_dir)
    entries = [e for e in manifest["files"] if isinstance(e, dict)
               and (out_dir / str(e.get("file", ""))).is_file()]
    doc_title = title or str(manifest.get("title") or "")
    lang = language or str(manifest.get("language") or "en")
    heading = f"{_title_span(doc_title, lang)}: formats to download" if doc_title \
        else "Formats to download"
    page_title = (f"{doc_title}: formats to download" if doc_title else "Formats to download")
    if form and form.errors:
        page_title = f"Error: {page_title}"
    nav = ['<li><a href="#files">Files ready to download</a></li>']
    if form is not None:
        nav.append('<li><a href="#request">Make a file with your own settings</a></li>')
    nav.append('<li><a href="#automation">For print services</a></li>')
    groups = group_files(entries)
    if groups:
        files = "\n".join(render_group(g, es, links.file, styles) for g, es in groups)
    else:
        files = "<p>No files have been made yet.</p>"
    intro = "<p>Every format has the same content, made from one source.</p>"
    if form is not None:
        intro += ("\n<p>If you need a different print size, colour scheme or line spacing, "
                  '<a href="#request">make a file with your own settings</a>.</p>')
    body = [
        f"<h1>{heading}</h1>",
        render_error_summary(form, styles) if form else "",
        intro,
        '<nav aria-labelledby="on-this-page"><h2 id="on-this-page">On this page</h2>\n'
        f"<ul>\n{chr(10).join(nav)}\n</ul>\n</nav>",
        f'<section aria-labelledby="files">\n<h2 id="files">Files ready to download</h2>\n'
        f"{files}\n</section>",
    ]
    if form is not None:
        body.append('<section aria-labelledby="request">\n<h2 id="request">Make a file with your '
                    f"own settings</h2>\n{render_form(form, styles)}\n</section>")
    body.append(_automation(links, manifest))
    if form is not None:
        css = f"{css}\n{swatch_css(styles)}"
    return shell(page_title, "\n".join(b for b in body if b), css, doc_title=doc_title,
                 language=lang)


def _automation(links: Links, manifest: Mapping[str, Any]) -> str:
    machine = "\n".join(f'<li><a href="{_a(h)}">{_t(t)}</a></li>' for h, t in links.machine)
    sha = manifest.get("source_sha256")
    source = (f"\n<p>Source file SHA-256: <code class=\"hash\">{_t(str(sha))}</code></p>"
              if sha else "")
    return (f'<section aria-labelledby="automation">\n<h2 id="automation">For print services'
            "</h2>\n<p>Each file keeps the same address when it is made again, so you can "
            "download the newest version from it at any time. Check a download against its "
            f"SHA-256.</p>\n<ul>\n{machine}\n</ul>{source}\n</section>")


def render_result(variant_label: str, entries: Sequence[Mapping[str, Any]],
                  href: Callable[[str], str], *, styles: Styles | None = None,
                  css: str | None = None, back: str = "/") -> str:
    """The page a person lands on when the file they asked for is ready."""
    styles = styles or load_styles()
    css = css if css is not None else styles.text(CSS_FILE)
    groups = group_files(entries)
    files = "\n".join(render_group(g, es, href, styles, heading_level=2) for g, es in groups)
    body = (f"<h1>Your file is ready</h1>\n<p>{_t(variant_label)}.</p>\n{files}\n"
            f'<p><a href="{_a(back)}#request">Make another file</a> or '
            f'<a href="{_a(back)}">go back to all formats</a>.</p>')
    return shell(f"Your file is ready: {variant_label}", body, css)


def render_problem(heading: str, message: str, *, styles: Styles | None = None,
                   css: str | None = None, back: str = "/") -> str:
    """A plain page for a failure: what happened, and a way back."""
    styles = styles or load_styles()
    css = css if css is not None else styles.text(CSS_FILE)
    body = (f"<h1>{_t(heading)}</h1>\n<p>{_t(message)}</p>\n"
            f'<p><a href="{_a(back)}">Go back to all formats</a>.</p>')
    return shell(heading, body, css)


def write_index(out_dir: Path, *, styles: Styles | None = None) -> Path:
    """Write out_dir/index.html (atomically): the download page for any static web server."""
    data = render_index(out_dir, styles=styles).encode("utf-8")
    target = out_dir / INDEX
    # An unchanged page is left alone, so a no-op export touches nothing.
    if not (target.is_file() and target.read_bytes() == data):
        atomic_write(target, data)
    return target
