"""What the service's routes share: the Service (folders, styles, formats, cache, hashes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from exporter import options as opts
from exporter.manifest import manifest_pages, page_name, read_manifest
from exporter.service import pages
from exporter.service.catalogue import QUERY
from exporter.service.choices import Choices
from exporter.service.files import Entry
from exporter.service.formats import Format, format_of
from exporter.service.forms import RequestForm
from exporter.service.http import Hashes, page_response
from exporter.service.models import FileInfo, Problem
from exporter.service.variant_types import KEY_LENGTH, Variant, make_key
from exporter.service.variants import VariantCache
from exporter.styles import Styles

#: The field naming the page a file is made of, in a collection.
PAGE = "page"
MACHINE_LINKS = (("/api/files", "List of every file, with its address and SHA-256 (JSON)"),
                 ("/api/formats", "Formats and options that can be asked for (JSON)"),
                 ("/openapi.json", "Description of this service (OpenAPI)"))


@dataclass(frozen=True)
class Service:
    """What the routes share: the folders, styles, formats, choices, variant cache and hashes."""

    out_dir: Path
    styles: Styles
    css: str  #: the pages' style sheet
    formats: Mapping[str, Format]  #: every installed writer: names and serves its files
    choices: Choices  #: what can be made on request
    cache: VariantCache
    hashes: Hashes
    #: the download page as last rendered, by what it was made from (a collection's page of
    #: hundreds of pages takes a few tenths of a second to make)
    rendered: dict[tuple[object, ...], str] = field(default_factory=dict)

    def page(self, request: Request, form: RequestForm | None = None,
             status: int = 200) -> Response:
        """The download page with the request form (filled in again after a bad request); a
        collection's page lists only the pages matching ``?q=`` when it is given."""
        links = pages.Links(file=lambda name: f"/files/{quote(name)}", machine=MACHINE_LINKS,
                            home="/")
        query = request.query_params.get(QUERY, "")[:200]
        key = (signature(self.out_dir / "manifest.json"), signature(self.out_dir), query)
        html = self.rendered.get(key) if form is None else None
        if html is None:
            html = pages.render_index(
                self.out_dir, styles=self.styles, css=self.css, links=links,
                formats=self.formats, query=query,
                form=form or RequestForm(list(self.choices.formats.values()),
                                         pages=self.pages()))
            if form is None:
                if len(self.rendered) >= 32:
                    self.rendered.clear()
                self.rendered[key] = html
        return page_response(request, html, status)

    def pages(self) -> list[tuple[str, str, str]]:
        """The pages a file can be made of, (name, title, subject), when there are several."""
        names = self.cache.sources.pages()
        if len(names) <= 1:
            return []
        records = manifest_pages(read_manifest(self.out_dir))
        return [(n, str(records.get(n, {}).get("title") or n),
                 str(records.get(n, {}).get("subject") or "")) for n in names]

    def language(self, page: str) -> str:
        """The lang of a page about one page's files: its content's language (from the
        manifest, which has it from the source's front matter) when that is English."""
        manifest = read_manifest(self.out_dir)
        records = manifest_pages(manifest)
        record = records.get(page) or (next(iter(records.values())) if len(records) == 1
                                       else {})
        found = str(record.get("language") or manifest.get("language") or "")
        return pages.page_language(found, pages.interface_language(self.styles))

    def page_of(self, items: Sequence[tuple[str, str]]) -> tuple[str, Problem | None]:
        """The page asked for ("" when there is one page), or the problem with the request."""
        names = list(self.cache.sources.pages())
        if len(names) <= 1:
            return "", None
        sent = [v.strip() for k, v in items if k == PAGE]
        if len(sent) != 1 or sent[0] not in names:
            why = "Choose a page" if not sent else ("The page was given more than once"
                                                    if len(sent) > 1 else
                                                    f"There is no page called {sent[0][:60]!r}")
            return "", Problem(field=PAGE, message=f"{why}.", allowed=names[:50])
        return sent[0], None

    def problem(self, request: Request, status: int, heading: str, message: str,
                headers: Mapping[str, str] | None = None) -> Response:
        """A plain page saying what went wrong."""
        html = pages.render_problem(heading, message, styles=self.styles, css=self.css)
        return page_response(request, html, status, headers)

    def file_info(self, entry: Entry, url: str) -> FileInfo:
        """One file for the JSON lists; its content type is the one it is served with."""
        name, writer = str(entry["file"]), str(entry.get("format", ""))
        return FileInfo(file=name, url=url, format=writer, page=page_name(entry) or None,
                        options=dict(entry.get("options") or {}), bytes=int(entry.get("bytes", 0)),
                        sha256=str(entry.get("sha256", "")), built=entry.get("built"),
                        content_type=format_of(self.formats, writer).kind_of(name).media_type,
                        facts=dict(entry.get("facts") or {}))

    def variant_label(self, record: Mapping[str, Any]) -> str:
        """'Large print PDF, 20 point, black on cream, line spacing 2'."""
        label = format_of(self.formats, str(record.get("writer", ""))).label
        return ", ".join(p for p in (label, opts.describe(record.get("options") or {},
                                                          self.styles)) if p)

    def record(self, key: str) -> Mapping[str, Any]:
        """A finished variant's record; 404 for anything else."""
        record = self.cache.load(key) if is_key(key) else None
        if record is None:
            raise HTTPException(404, "No such variant; ask for it again from the form.")
        return record

    async def make(self, items: Sequence[tuple[str, str]]) -> tuple[str, Variant] | list[Problem]:
        """The variant asked for (made now or found), or the problems with the request."""
        parsed = self.choices.parse(items)
        page, problem = self.page_of(items)
        if isinstance(parsed, list) or problem is not None:
            return [*([problem] if problem else []), *(parsed if isinstance(parsed, list) else [])]
        writer, options = parsed
        key = make_key(self.cache.current_source_hash(page or None), writer,
                       self.choices.formats[writer].option_names, options, page)
        return writer, await self.cache.get(key, options)


def signature(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file or folder does: its inode, modification time and size."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def is_key(key: str) -> bool:
    """Whether a string can be a variant's key (and so a folder name in the cache)."""
    return len(key) == KEY_LENGTH and all(c in "0123456789abcdef" for c in key)


def entries_by_name(files: object) -> dict[str, Entry]:
    """Manifest or variant entries by file name."""
    listed = files if isinstance(files, list) else []
    return {str(e.get("file")): e for e in listed if isinstance(e, dict)}
