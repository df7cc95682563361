"""The download page (static output/index.html and the service's pages), built from the manifest."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from exporter import __version__
from exporter.locks import folder_lock
from exporter.manifest import manifest_pages, read_manifest
from exporter.output import INDEX, MANIFEST, atomic_write
from exporter.service import formats as known
from exporter.service.catalogue import FILTER_SCRIPT, PageRecord, records, render_collection
from exporter.service.files import Entry, group_files, render_group
from exporter.service.formats import Format
from exporter.service.forms import (
    RequestForm,
    needs,
    render_error_summary,
    render_form,
    swatch_css,
)
from exporter.service.markup import attr as _a
from exporter.service.markup import text as _t
from exporter.styles import Styles, load_styles

__all__ = ["CSS_FILE", "INDEX", "Links", "render_files", "render_index", "render_problem",
           "render_result", "shell", "write_index"]

CSS_FILE = "downloads.css"


@dataclass(frozen=True)
class Links:
    """Where the page's links point: relative file names (static page) or service routes."""

    file: Callable[[str], str] = quote
    machine: Sequence[tuple[str, str]] = ((MANIFEST, MANIFEST),)  #: (href, text)
    home: str = INDEX


def page_language(content: str | Iterable[str], fallback: str = "en") -> str:
    """The page's lang: the content's language (en-GB, from its source's front matter) when
    it is a kind of English, the language these pages are written in; otherwise, or when
    pages differ, ``fallback`` (a document title in another language is marked on its own)."""
    found = {content} if isinstance(content, str) else set(content)
    tags = {x.strip() for x in found if x and x.strip()}
    if len(tags) == 1:
        (tag,) = tags
        if tag.lower() == "en" or tag.lower().startswith("en-"):
            return tag
    return fallback


def interface_language(styles: Styles) -> str:
    """The language of a page with no one page's content: the project's (default_language)
    when it is English, else plain English."""
    return page_language(str(styles.settings.get("default_language") or ""))


def shell(title: str, body: str, css: str, *, doc_title: str = "", language: str = "en",
          script: str = "", page_lang: str | None = None) -> str:
    """The page around a body: language, viewport, skip link, main landmark, footer; an inline
    ``script`` last (the service's policy names it by its hash). ``language`` is the content's
    (the document's title is marked with it if it is not English); ``page_lang`` the page's
    own, by default from ``language`` (page_language)."""
    lang = page_lang or page_language(language)
    return f"""<!DOCTYPE html>
<html lang="{_a(lang)}">
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
{f"<script>{script}</script>" + chr(10) if script else ""}</body>
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


def render_files(entries: Sequence[Entry], formats: Mapping[str, Format] | None,
                 href: Callable[[str], str], styles: Styles, heading_level: int = 3) -> str:
    """Every file, under a heading per format in page order."""
    if formats is None:  # only the writers that made these files: loading all costs ~0.2 s
        formats = known.load({str(e.get("format", "other")) for e in entries})
    return "\n".join(render_group(f, es, href, styles, heading_level)
                     for f, es in group_files(entries, formats))


def render_index(out_dir: Path, *, styles: Styles | None = None, css: str | None = None,
                 links: Links | None = None, form: RequestForm | None = None,
                 formats: Mapping[str, Format] | None = None,
                 title: str | None = None, language: str | None = None,
                 query: str = "") -> str:
    """The download page: every file in out_dir's manifest, the request form when there is a
    service behind it, and how to automate downloads. A collection's page lists its pages by
    subject, with a filter (``query``: what the service was asked to find, without JavaScript).

    ``formats`` names and describes the files (default: every installed writer).
    """
    styles = styles or load_styles()
    css = css if css is not None else styles.text(CSS_FILE)
    links = links or Links()
    manifest = read_manifest(out_dir)
    try:  # one listing, not a look-up per file: a collection lists thousands
        present = set(os.listdir(out_dir))
    except OSError:
        present = set()
    entries = [e for e in manifest["files"] if isinstance(e, dict)
               and str(e.get("file", "")) in present]
    pages = records(manifest_pages(manifest), entries)
    if len(pages) > 1:
        return _render_collection(pages, manifest, styles, css, links, form, formats, query)
    only = pages[0] if len(pages) == 1 else None
    doc_title = title or str(manifest.get("title") or (only.title if only else ""))
    lang = language or str(manifest.get("language") or (only.language if only else ""))
    heading = f"{_title_span(doc_title, lang)}: formats to download" if doc_title \
        else "Formats to download"
    page_title = (f"{doc_title}: formats to download" if doc_title else "Formats to download")
    if form and form.errors:
        page_title = f"Error: {page_title}"
    nav = ['<li><a href="#files">Files ready to download</a></li>']
    if form is not None:
        nav.append('<li><a href="#request">Make a file with your own settings</a></li>')
    nav.append('<li><a href="#automation">For print services</a></li>')
    files = (render_files(entries, formats, links.file, styles) if entries
             else "<p>No files have been made yet.</p>")
    intro = "<p>Every format has the same content, made from one source.</p>"
    if form is not None:
        intro += f"\n<p>{needs(form, styles)}</p>"
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
                 language=lang, page_lang=page_language(lang, interface_language(styles)))


def _render_collection(pages: list[PageRecord], manifest: Mapping[str, Any], styles: Styles,
                       css: str, links: Links, form: RequestForm | None,
                       formats: Mapping[str, Format] | None, query: str) -> str:
    """The download page of a collection of pages."""
    if formats is None:  # only the writers that made these files
        formats = known.load({str(e.get("format", "other")) for p in pages for e in p.entries})
    title = "Accessible formats to download"
    listing, subjects = render_collection(pages, formats, links.file, styles, query=query,
                                          server=form is not None)
    page_title = f"Error: {title}" if form and form.errors else title
    intro = (f"<p>{len(pages)} pages, each in every format made for it. Open a page’s "
             "list of files to download one.</p>")
    if form is not None:
        intro += f"\n<p>{needs(form, styles)}</p>"
    nav = subjects
    if form is not None:
        nav += '\n<li><a href="#request">Make a file with your own settings</a></li>'
    nav += '\n<li><a href="#automation">For print services</a></li>'
    body = [
        f"<h1>{title}</h1>",
        render_error_summary(form, styles) if form else "",
        intro,
        '<nav aria-labelledby="on-this-page"><h2 id="on-this-page">On this page</h2>\n'
        f"<ul>\n{nav}\n</ul>\n</nav>",
        listing,
    ]
    if form is not None:
        body.append('<section aria-labelledby="request">\n<h2 id="request">Make a file with your '
                    f"own settings</h2>\n{render_form(form, styles)}\n</section>")
        css = f"{css}\n{swatch_css(styles)}"
    body.append(_automation(links, manifest))
    return shell(page_title, "\n".join(b for b in body if b), css, script=FILTER_SCRIPT,
                 page_lang=page_language((p.language for p in pages),
                                         interface_language(styles)))


def _automation(links: Links, manifest: Mapping[str, Any]) -> str:
    machine = "\n".join(f'<li><a href="{_a(h)}">{_t(t)}</a></li>' for h, t in links.machine)
    sha = manifest.get("source_sha256")
    source = (f"\n<p>Source file SHA-256: <code class=\"hash\">{_t(str(sha))}</code></p>"
              if sha else "")
    return (f'<section aria-labelledby="automation">\n<h2 id="automation">For print services'
            "</h2>\n<p>Each file keeps the same address when it is made again, so you can "
            "download the newest version from it at any time. Check a download against its "
            f"SHA-256.</p>\n<ul>\n{machine}\n</ul>{source}\n</section>")


def render_result(variant_label: str, entries: Sequence[Entry], href: Callable[[str], str], *,
                  styles: Styles | None = None, css: str | None = None,
                  formats: Mapping[str, Format] | None = None, back: str = "/",
                  language: str = "") -> str:
    """The page a person lands on when the file they asked for is ready (``language``: the
    page's lang, from the content's, page_language)."""
    styles = styles or load_styles()
    css = css if css is not None else styles.text(CSS_FILE)
    files = render_files(entries, formats, href, styles, heading_level=2)
    body = (f"<h1>Your file is ready</h1>\n<p>{_t(variant_label)}.</p>\n{files}\n"
            f'<p><a href="{_a(back)}#request">Make another file</a> or '
            f'<a href="{_a(back)}">go back to all formats</a>.</p>')
    return shell(f"Your file is ready: {variant_label}", body, css,
                 page_lang=language or interface_language(styles))


def render_problem(heading: str, message: str, *, styles: Styles | None = None,
                   css: str | None = None, back: str = "/") -> str:
    """A plain page for a failure: what happened, and a way back."""
    styles = styles or load_styles()
    css = css if css is not None else styles.text(CSS_FILE)
    body = (f"<h1>{_t(heading)}</h1>\n<p>{_t(message)}</p>\n"
            f'<p><a href="{_a(back)}">Go back to all formats</a>.</p>')
    return shell(heading, body, css, page_lang=interface_language(styles))


def write_index(out_dir: Path, *, styles: Styles | None = None,
                formats: Mapping[str, Format] | None = None) -> Path:
    """Write out_dir/index.html (atomically): the download page for any static web server."""
    data = render_index(out_dir, styles=styles, formats=formats).encode("utf-8")
    target = out_dir / INDEX
    # An unchanged page is left alone, so a no-op export touches nothing.
    if not (target.is_file() and target.read_bytes() == data):
        with folder_lock(out_dir):  # its temporary file exists only under the lock
            atomic_write(target, data)
    return target
