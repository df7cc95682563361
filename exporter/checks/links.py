"""Links between the pages of a collection, read back from the web pages in the output folder:
every relative link leads to a file listed there, and to a section that file has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from exporter.checks.common import Finding, finding


def check_links(out_dir: Path, entries: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """A finding per web page of the manifest: its links to other pages work here."""
    listed = {str(e.get("file")) for e in entries}
    pages = sorted(f for f in listed if f.endswith(".html") and (out_dir / f).is_file()
                   and any(str(e.get("file")) == f and e.get("format") == "html"
                           for e in entries))
    ids: dict[str, set[str] | None] = {}
    found = []
    for name in pages:
        problems: list[str] = []
        count = 0
        for href in _hrefs(out_dir / name):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue  # an address elsewhere, or a place in this page
            count += 1
            target = unquote(parts.path)
            if target not in listed and len(pages) < 2:
                continue  # a page exported alone links to neighbours published elsewhere
            if target not in listed or not (out_dir / target).is_file():
                problems.append(f"{name}: link to '{href}', but {target} is not in "
                                f"{out_dir}")
                continue
            fragment = unquote(parts.fragment)
            if fragment:
                if target not in ids:
                    ids[target] = _ids(out_dir / target)
                known = ids[target]
                if known is not None and fragment not in known:
                    problems.append(f"{name}: link to '{href}', but {target} has no "
                                    f"section '{fragment}'")
        passed = (f"{count} link{'s' * (count != 1)} to other pages, each to a file and section "
                  "here" if count else "no links to other pages")
        found.append(finding("navigation", "collection.links", name, problems, passed))
    return found


def _hrefs(path: Path) -> list[str]:
    import lxml.html

    try:
        tree = lxml.html.parse(str(path)).getroot()
    except (OSError, ValueError):
        return []
    return [str(a.get("href")) for a in tree.iter("a") if a.get("href")]


def _ids(path: Path) -> set[str] | None:
    import lxml.html

    try:
        tree = lxml.html.parse(str(path)).getroot()
    except (OSError, ValueError):
        return None
    return {str(e.get("id")) for e in tree.iter() if isinstance(e.tag, str) and e.get("id")}
