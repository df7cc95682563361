"""The download page of a collection: pages grouped by subject, a filter, each page's formats.

Hundreds of pages stay quick to load and to use: a page's files fold inside a ``<details>``
(a line per format: each size's link with its length and size on disk), and a filter box
narrows the list. Without JavaScript the page is the plain list (and, in the service, the
box is a search form answered by the server); with it, typing filters as you go. The script
is inline and named by its hash in the service's Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from exporter.options import describe
from exporter.outline import slugify
from exporter.service.files import Entry, group_files, is_track
from exporter.service.formats import Format
from exporter.service.markup import attr, human_bytes, human_duration
from exporter.service.markup import text as t
from exporter.styles import Styles

#: Pages whose front matter names no subject are listed last, under this heading.
NO_SUBJECT = "Other pages"
#: The filter's name in a query string (the service answers it without JavaScript).
QUERY = "q"

FILTER_SCRIPT = """(function () {
  var box = document.getElementById("filter");
  if (!box) { return; }
  var form = box.form, status = document.getElementById("filter-status");
  var pages = Array.prototype.slice.call(document.querySelectorAll("li.page"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.subject"));
  var total = pages.length;
  form.hidden = false;
  function run() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    pages.forEach(function (page) {
      var text = page.getAttribute("data-find") || "";
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      page.hidden = !match;
      if (match) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("li.page:not([hidden])");
    });
    status.textContent = !words.length ? "Showing all " + total + " pages."
      : shown ? "Showing " + shown + " of " + total + " pages."
      : "No page matches \\u201c" + box.value.trim() + "\\u201d.";
  }
  var timer = null;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  if (box.value) { run(); }
})();"""


@dataclass(frozen=True)
class PageRecord:
    """One page of the collection as the download page shows it."""

    name: str
    title: str
    language: str
    subject: str
    summary: str
    entries: tuple[Entry, ...]

    @property
    def find_text(self) -> str:
        """What the filter looks in: title, subject, summary and name, in lower case."""
        return " ".join((self.title, self.subject, self.summary, self.name)).lower()

    def matches(self, query: str) -> bool:
        """True when every word of ``query`` is in the page's title, subject or summary."""
        text = self.find_text
        return all(word in text for word in query.lower().split())


def records(pages: Mapping[str, Mapping[str, Any]], entries: Sequence[Entry]) -> list[PageRecord]:
    """The manifest's pages with their files, each page's files in manifest order."""
    from exporter.manifest import page_name

    files: dict[str, list[Entry]] = {}
    for e in entries:
        files.setdefault(page_name(e), []).append(e)
    out = []
    for name, es in files.items():
        page = pages.get(name, {})
        out.append(PageRecord(name, str(page.get("title") or name),
                              str(page.get("language") or ""), str(page.get("subject") or ""),
                              str(page.get("summary") or ""), tuple(es)))
    return out


def by_subject(pages: Sequence[PageRecord]) -> list[tuple[str, list[PageRecord]]]:
    """Pages grouped by subject (subjects in alphabetical order, pages without one last), each
    group's pages by title."""
    groups: dict[str, list[PageRecord]] = {}
    for p in pages:
        groups.setdefault(p.subject, []).append(p)
    order = sorted((s for s in groups if s), key=str.casefold) + ([""] if "" in groups else [])
    return [(s or NO_SUBJECT, sorted(groups[s], key=lambda p: (p.title.casefold(), p.name)))
            for s in order]


def render_collection(pages: Sequence[PageRecord], formats: Mapping[str, Format],
                      href: Callable[[str], str], styles: Styles, *, query: str = "",
                      server: bool = False) -> tuple[str, str]:
    """The list of pages, and the navigation to its subjects.

    ``query`` (the service, without JavaScript) lists only matching pages; ``server`` shows the
    filter as a search form the server answers; on a static page the script shows it.
    """
    shown = [p for p in pages if p.matches(query)] if query.strip() else list(pages)
    groups = by_subject(shown)
    used: set[str] = set()
    sections = []
    nav = []
    for subject, members in groups:
        sid = _unique(f"subject-{slugify(subject)}", used)
        nav.append(f'<li><a href="#{sid}">{t(subject)}</a> ({_count(len(members))})</li>')
        items = "\n".join(_page(p, formats, href, styles, used) for p in members)
        sections.append(f'<section class="subject" aria-labelledby="{sid}">\n'
                        f'<h2 id="{sid}">{t(subject)}</h2>\n<ul class="pages">\n{items}\n</ul>\n'
                        "</section>")
    status = _status(len(shown), len(pages), query)
    form = (f'<form class="filter" role="search" method="get" action=""'
            f'{"" if server else " hidden"}>\n'
            f'<label for="filter">Find a page by its title, subject or summary</label>\n'
            f'<div class="filter-row"><input id="filter" name="{QUERY}" type="search" '
            f'value="{attr(query)}" autocomplete="off" spellcheck="false"/> '
            f'<button type="submit">Find</button></div>\n'
            f'<p id="filter-status" role="status">{t(status)}</p>\n</form>')
    if query.strip():
        form += '\n<p><a href="?">Show all pages</a></p>'
    body = form + "\n" + ("\n".join(sections) if sections
                          else "<p>No page matches what you looked for.</p>")
    return body, "\n".join(nav)


def _status(shown: int, total: int, query: str) -> str:
    if not query.strip():
        return f"Showing all {total} pages."
    if not shown:
        return f"No page matches \u201c{query.strip()}\u201d."
    return f"Showing {shown} of {total} pages."


def _count(n: int) -> str:
    return f"{n} page{'s' * (n != 1)}"


def _unique(base: str, used: set[str]) -> str:
    found, n = base, 2
    while found in used:
        found, n = f"{base}-{n}", n + 1
    used.add(found)
    return found


def _lang(language: str) -> str:
    """A lang attribute for text in a page's own language when it is not English."""
    return f' lang="{attr(language)}"' if language and not language.lower().startswith("en") \
        else ""


def _page(page: PageRecord, formats: Mapping[str, Format], href: Callable[[str], str],
          styles: Styles, used: set[str]) -> str:
    pid = _unique(f"page-{slugify(page.name)}", used)
    lang = _lang(page.language)
    groups = group_files(page.entries, formats)
    lines = [_format_line(fmt, es, href, styles) for fmt, es in groups]
    names = [fmt.label for fmt, _ in groups]
    files = sum(1 for e in page.entries if not is_track(e))
    summary = f'<p class="summary"{lang}>{t(page.summary)}</p>\n' if page.summary else ""
    what = ", ".join(names)
    return (f'<li class="page" data-find="{attr(page.find_text)}">\n'
            f'<h3 id="{pid}"{lang}>{t(page.title)}</h3>\n{summary}'
            f'<details class="formats">\n<summary>{files} file{"s" * (files != 1)}: '
            f'{t(what)}</summary>\n<ul>\n' + "\n".join(lines) + "\n</ul>\n</details>\n</li>")


def _format_line(fmt: Format, entries: Sequence[Entry], href: Callable[[str], str],
                 styles: Styles) -> str:
    """One format: each of its files as a link named by what differs (size, role), with its
    length and size on disk; a recording's separate tracks are counted, not listed."""
    main = [e for e in entries if not is_track(e)]
    tracks = [e for e in entries if is_track(e)]
    several = len({PurePosixPath(str(e["file"])).suffix for e in main}) > 1
    extra = (f"; {len(tracks)} separate tracks, one for each section, listed in the "
             "playlist" if tracks else "")
    labelled = []
    for e in main:
        name = str(e["file"])
        kind = fmt.kind_of(name)
        words = [kind.role if several and kind.role else ""]
        words.append(describe(e.get("options") or {}, styles))
        labelled.append((e, kind, ", ".join(w for w in words if w)))
    if len(labelled) == 1 and not labelled[0][2]:  # one file: the format's name is the link
        e, kind, _ = labelled[0]
        return (f'<li><a href="{attr(href(str(e["file"])))}">{t(fmt.label)}</a> '
                f"({t(_facts(e, kind.type_name))}){extra}</li>")
    links = [f'<a href="{attr(href(str(e["file"])))}">{t(label[:1].upper() + label[1:])}</a> '
             f"({t(_facts(e, kind.type_name))})" for e, kind, label in labelled]
    return f"<li>{t(fmt.label)}: " + ", ".join(links) + f"{extra}</li>"


def _facts(entry: Entry, type_name: str) -> str:
    """'PDF, 8 pages, 27.7 kB': the file's type, its length and its size on disk."""
    parts = [type_name]
    facts = entry.get("facts") or {}
    if isinstance(facts.get("pages"), int):
        n = int(facts["pages"])
        parts.append(f"{n} page{'s' * (n != 1)}")
    if isinstance(facts.get("duration"), int | float):
        parts.append(human_duration(float(facts["duration"])))
    parts.append(human_bytes(int(entry.get("bytes", 0))))
    return ", ".join(parts)


__all__ = ["FILTER_SCRIPT", "NO_SUBJECT", "QUERY", "PageRecord", "by_subject", "records",
           "render_collection"]
