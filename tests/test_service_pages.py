"""The download page: built from real exports' manifests, parsed back and checked for structure."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from exporter import registry
from exporter.batch import export
from exporter.output import sha256_file
from exporter.registry import Registered
from exporter.service.formats import Format
from exporter.service.forms import RequestForm
from exporter.service.markup import human_duration
from exporter.service.pages import CSS_FILE, render_index, render_result, write_index
from exporter.styles import Styles

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
VOID = {"meta", "link", "input", "br", "img", "hr", "source"}


# ---------------------------------------------------------------- a small DOM to read pages back


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    text_parts: list[str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag: str) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag]

    def by_id(self, id_: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == id_), None)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(" ".join(n.text_parts) for n in self.iter())).strip()

    def ancestors(self) -> Iterator[Node]:
        n = self.parent
        while n is not None:
            yield n
            n = n.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.cur = self.root
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.cur.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.cur.tag != tag:
            self.errors.append(f"</{tag}> closes <{self.cur.tag}>")
            return
        assert self.cur.parent is not None
        self.cur = self.cur.parent

    def handle_data(self, data: str) -> None:
        self.cur.text_parts.append(data)


def parse(page: str) -> Node:
    """Parse a page, failing on unbalanced tags (the pages are written to be well-formed)."""
    b = _Builder()
    b.feed(page)
    b.close()
    assert not b.errors, b.errors
    assert b.cur is b.root, f"unclosed <{b.cur.tag}>"
    return b.root


def check_structure(root: Node) -> None:
    """What any of the pages must have: language, title, landmarks, headings without gaps,
    unique ids, every form control labelled, radio buttons grouped with a legend."""
    html = root.find_all("html")[0]
    assert html.attrs.get("lang") == "en-GB"  # the content's, from its front matter
    assert root.find_all("title")[0].text
    assert len(root.find_all("main")) == 1 and len(root.find_all("footer")) == 1
    assert root.find_all("a")[0].attrs["href"] == "#main"  # skip link first
    levels = [int(n.tag[1]) for n in root.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    ids = [n.attrs["id"] for n in root.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for ref in ("aria-labelledby", "aria-describedby", "for"):
        for n in root.iter():
            for target in n.attrs.get(ref, "").split():
                assert root.by_id(target) is not None, f"{ref}={target} points nowhere"
    labels = {n.attrs["for"] for n in root.find_all("label")}
    for control in root.find_all("input") + root.find_all("select"):
        assert control.attrs["id"] in labels, f"control {control.attrs} has no label"
        if control.attrs.get("type") == "radio":
            fieldset = next((a for a in control.ancestors() if a.tag == "fieldset"), None)
            assert fieldset is not None and fieldset.children[0].tag == "legend"
    for a in root.find_all("a"):
        assert a.text, f"empty link {a.attrs}"


def links(root: Node) -> dict[str, str]:
    return {a.attrs["href"]: a.text for a in root.find_all("a")}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real export of the writers that are quick: HTML, PDF at two sizes, EPUB and audio."""
    out = tmp_path_factory.mktemp("downloads") / "output"
    results = export(SOURCE, out, ["html", "pdf", "epub", "audio"], sizes=[16, 24], jobs=2)
    failed = [r.error for r in results if not r.ok]
    assert not failed, failed
    return out


# ---------------------------------------------------------------- the static page


def test_static_page_lists_every_file_with_its_facts(exported: Path, styles: Styles) -> None:
    target = write_index(exported, styles=styles)
    assert target == exported / "index.html"
    page = target.read_text(encoding="utf-8")
    root = parse(page)
    check_structure(root)
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    found = links(root)
    for e in manifest["files"]:
        assert e["file"] in found, f"{e['file']} not linked"  # relative: works on any server
        assert e["sha256"] in page
        assert f"{e['bytes']:,} bytes" in page or f"{e['bytes']} bytes" in page
    assert "manifest.json" in found
    assert not root.find_all("form"), "the static page has no service to send a form to"
    assert "#request" not in found


def test_static_page_says_pages_length_and_options_in_words(exported: Path, styles: Styles) -> None:
    root = parse(write_index(exported, styles=styles).read_text(encoding="utf-8"))
    found = links(root)
    assert found["hsct-large-print-24pt.pdf"].startswith(
        "Large print PDF, 24 point, black on white, line spacing 1.5, Atkinson Hyperlegible (PDF, ")
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    by_name = {e["file"]: e for e in manifest["files"]}
    pages = by_name["hsct-large-print-24pt.pdf"]["facts"]["pages"]
    item = next(a for a in root.find_all("li") if "hsct-large-print-24pt.pdf" in
                [x.attrs.get("href") for x in a.find_all("a")])
    assert f"Pages {pages}" in item.text
    duration = by_name["hsct-audio.mp3"]["facts"]["duration"]
    times = [t for t in root.find_all("time") if t.attrs["datetime"].startswith("PT")]
    assert human_duration(duration) in [t.text for t in times]
    assert found["hsct-audio.mp3"].startswith("Audio, whole recording (MP3, ")
    assert found["hsct-audio.m3u8"].startswith("Audio, playlist of the tracks")


def test_tracks_are_folded_away_in_order(exported: Path, styles: Styles) -> None:
    root = parse(render_index(exported, styles=styles))
    details = root.find_all("details")
    assert len(details) == 1
    names = [a.attrs["href"] for a in details[0].find_all("a")]
    tracks = sorted(p.name for p in exported.glob("hsct-audio-[0-9][0-9]-*.mp3"))
    assert names == tracks and tracks
    first = details[0].find_all("a")[0].text
    assert first.startswith("Track 1: ")
    assert f"({len(tracks)} files)" in details[0].find_all("summary")[0].text


def test_formats_come_in_a_fixed_order_under_their_headings(exported: Path,
                                                             styles: Styles) -> None:
    root = parse(render_index(exported, styles=styles))
    h3 = [n.text for n in root.find_all("h3")]
    assert h3 == ["Large print PDF", "EPUB e-book", "Audio", "Web page"]


def test_write_index_is_atomic_and_replaces(exported: Path, styles: Styles) -> None:
    write_index(exported, styles=styles)
    (exported / "hsct.epub").unlink()  # a file removed after the manifest was written
    page = write_index(exported, styles=styles).read_text(encoding="utf-8")
    assert "hsct.epub" not in page
    leftovers = [p.name for p in exported.iterdir() if p.name.startswith(".")]
    assert not leftovers


def test_empty_folder_gives_a_page_that_says_so(tmp_path: Path, styles: Styles) -> None:
    root = parse(render_index(tmp_path, styles=styles))
    check_structure(root)
    assert "No files have been made yet." in root.text


def test_manifest_text_is_escaped(tmp_path: Path, styles: Styles) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7\n")
    manifest = {"title": "<script>alert(1)</script>", "language": "cy", "files": [
        {"file": "a.pdf", "format": "pdf", "options": {"scheme": "<b>"}, "bytes": 9,
         "sha256": sha256_file(tmp_path / "a.pdf"), "built": "2025-01-02T03:04:05Z",
         "facts": {}}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = render_index(tmp_path, styles=styles)
    assert "<script>" not in page and "<b>" not in page
    root = parse(page)
    title_spans = [n for n in root.find_all("span") if n.attrs.get("lang") == "cy"]
    assert title_spans and title_spans[0].text == "<script>alert(1)</script>"
    assert "2 January 2025 at 03:04 UTC" in root.text


# ---------------------------------------------------------------- the form, as the service shows it


def _form(styles: Styles, **kw: object) -> RequestForm:
    formats = [Format("pdf", registry.get("pdf")), Format("epub", registry.get("epub"))]
    return RequestForm(formats, **kw)  # type: ignore[arg-type]


def test_form_groups_choices_and_labels_every_control(exported: Path, styles: Styles) -> None:
    root = parse(render_index(exported, styles=styles, form=_form(styles)))
    check_structure(root)
    legends = [n.text for n in root.find_all("legend")]
    # every choice the PDF or the EPUB uses, and only those (no braille grade)
    assert legends == ["Format", "Colour scheme", "Font", "Line spacing", "Letter spacing",
                       "Word spacing"]
    options = [o.attrs["value"] for o in root.find_all("option")]
    assert options == [str(s) for s in range(styles.min_size, styles.max_size + 1)]
    selected = [o.attrs["value"] for o in root.find_all("option") if "selected" in o.attrs]
    assert selected == [str(styles.default_size)]
    schemes = [i.attrs["value"] for i in root.find_all("input") if i.attrs["name"] == "scheme"]
    assert schemes == list(styles.schemes)
    # the scheme's name is in its label, the colour sample is decoration only
    for s in styles.schemes.values():
        label = next(lb for lb in root.find_all("label") if lb.attrs["for"] == f"scheme-{s.name}")
        assert s.label in label.text
        assert all(sp.attrs.get("aria-hidden") == "true" for sp in label.find_all("span"))
    assert root.find_all("button")[0].text == "Make my file"
    assert ("Uses print size, colour scheme, font, line spacing, letter spacing and word "
            "spacing.") in root.text


def _group(root: Node, legend: str) -> Node:
    return next(f for f in root.find_all("fieldset")
                if f.find_all("legend")[0].text == legend)


def _choices(root: Node, legend: str) -> list[tuple[str, str, bool]]:
    """(value, label, checked) of a group's radio buttons."""
    group = _group(root, legend)
    labels = {lb.attrs["for"]: lb.text for lb in group.find_all("label")}
    return [(i.attrs["value"], labels[i.attrs["id"]], "checked" in i.attrs)
            for i in group.find_all("input")]


def test_form_offers_fonts_spacing_and_grade_from_the_rules(exported: Path,
                                                           styles: Styles) -> None:
    names = ("pdf", "docx", "epub", "braille", "html")
    form = RequestForm([Format(n, registry.get(n)) for n in names])
    root = parse(render_index(exported, styles=styles, form=form))
    check_structure(root)
    assert [n.text for n in root.find_all("legend")] == [
        "Format", "Colour scheme", "Font", "Line spacing", "Letter spacing", "Word spacing",
        "Braille grade"]
    assert _choices(root, "Font") == [
        ("atkinson-hyperlegible", "Atkinson Hyperlegible (standard)", True),
        ("lexend", "Lexend", False), ("opendyslexic", "OpenDyslexic", False)]
    assert _choices(root, "Line spacing") == [
        ("1.5", "1.5 times the text size (standard)", True),
        ("1.75", "1.75 times the text size", False),
        ("2", "2 times the text size (double)", False)]
    assert _choices(root, "Letter spacing") == [
        ("0", "Standard: the font’s own spacing", True),
        ("0.06", "6% of the text size added", False),
        ("0.12", "12% of the text size added (the widest)", False)]
    assert [v for v, _, _ in _choices(root, "Word spacing")] == ["0", "0.08", "0.16"]
    assert [(v, c) for v, _, c in _choices(root, "Braille grade")] == [("2", True), ("1", False)]
    assert [o.attrs["value"] for o in root.find_all("option")][-1] == "36"  # giant print
    # each choice says which formats it changes; each format which choices it uses
    # (what each writer declares: the PDF writer may take up the face too)
    def users(option: str) -> str:
        labels = [f.label for f in form.formats if option in f.option_names]
        return " and ".join([", ".join(labels[:-1]), labels[-1]] if len(labels) > 1 else labels)

    assert f"Used in: {users('size')}." in root.by_id("size-hint").text  # type: ignore
    assert "Used in: Braille." in _group(root, "Braille grade").text
    assert f"Used in: {users('font')}." in _group(root, "Font").text
    assert "Word document" in users("font") and "EPUB e-book" in users("font")
    hints = {i.attrs["value"]: root.by_id(i.attrs["aria-describedby"]).text  # type: ignore
             for i in _group(root, "Format").find_all("input")}
    assert hints["docx"] == ("Uses print size, colour scheme, font, line spacing, letter "
                             "spacing and word spacing.")
    assert hints["braille"] == "Uses braille grade."
    assert hints["html"].startswith("The same for everyone")
    assert "font, line spacing, letter spacing, word spacing or braille grade" in root.text


def test_a_form_shows_only_the_choices_its_formats_use(exported: Path, styles: Styles) -> None:
    form = RequestForm([Format("html", registry.get("html"))])
    root = parse(render_index(exported, styles=styles, form=form))
    check_structure(root)
    assert [n.text for n in root.find_all("legend")] == ["Format"]
    assert not root.find_all("select")


def test_form_errors_on_the_new_choices_link_to_their_first_control(
        exported: Path, styles: Styles) -> None:
    names = ("pdf", "docx", "epub", "braille")
    form = RequestForm([Format(n, registry.get(n)) for n in names],
                       values={"format": "docx", "font": "comic", "letter_spacing": "0.06",
                               "word_spacing": "9", "grade": "1"},
                       errors={"font": "Font 'comic' is not one we can make.",
                               "word_spacing": "Word spacing 9 is outside 0 to 0.16."})
    root = parse(render_index(exported, styles=styles, form=form))
    check_structure(root)
    summary = next(n for n in root.iter() if "error-summary" in n.attrs.get("class", ""))
    assert [a.attrs["href"] for a in summary.find_all("a")] == ["#font-atkinson-hyperlegible",
                                                                "#word-spacing-0"]
    for legend, error in (("Font", "font-error"), ("Word spacing", "word_spacing-error")):
        group = _group(root, legend)
        assert group.attrs["aria-invalid"] == "true"
        assert error in group.attrs["aria-describedby"].split()
        shown = root.by_id(error)
        assert shown is not None and "Error:" in shown.text and form.errors[
            error.removesuffix("-error")] in shown.text
    # what was sent and allowed stays chosen; a value not offered leaves the group unchosen
    assert [v for v, _, c in _choices(root, "Letter spacing") if c] == ["0.06"]
    assert [v for v, _, c in _choices(root, "Braille grade") if c] == ["1"]
    assert not [v for v, _, c in _choices(root, "Font") if c]


def test_form_errors_are_summarised_linked_and_marked(exported: Path, styles: Styles) -> None:
    form = _form(styles, values={"format": "epub", "size": "99", "scheme": "black-on-cream"},
                 errors={"size": "Print size '99' must be ... Allowed: 16 to 36.",
                         "scheme": "Colour scheme bad. Allowed: black-on-white."})
    page = render_index(exported, styles=styles, form=form)
    root = parse(page)
    check_structure(root)
    assert root.find_all("title")[0].text.startswith("Error: ")
    summary = next(n for n in root.iter() if "error-summary" in n.attrs.get("class", ""))
    for a in summary.find_all("a"):
        assert root.by_id(a.attrs["href"][1:]) is not None
    size = root.by_id("size")
    assert size is not None and size.attrs.get("aria-invalid") == "true"
    assert "size-error" in size.attrs["aria-describedby"].split()
    checked = [i.attrs["value"] for i in root.find_all("input") if "checked" in i.attrs]
    assert "epub" in checked and "black-on-cream" in checked  # choices kept


def test_the_page_language_is_the_contents_when_it_is_english(exported: Path,
                                                               styles: Styles) -> None:
    """lang comes from the content (its front matter, through the manifest); a page in another
    language keeps the interface's English and marks the title with its own language."""
    assert parse(render_index(exported, styles=styles)).find_all("html")[0].attrs["lang"] \
        == "en-GB"
    us = parse(render_index(exported, styles=styles, language="en-US"))
    assert us.find_all("html")[0].attrs["lang"] == "en-US"
    welsh = parse(render_index(exported, styles=styles, language="cy",
                               title="Trawsblannu bôn-gelloedd"))
    assert welsh.find_all("html")[0].attrs["lang"] == "en-GB"
    h1 = welsh.find_all("h1")[0]
    [span] = h1.find_all("span")
    assert span.attrs["lang"] == "cy" and span.text == "Trawsblannu bôn-gelloedd"


def test_css_has_visible_focus_and_no_fixed_widths(styles: Styles) -> None:
    css = styles.text(CSS_FILE)
    assert ":focus-visible" in css and "outline: 3px solid" in css
    assert not re.search(r"(?<![-\w])width:\s*\d{2,}px", css), "fixed pixel widths break reflow"


# ---------------------------------------------------------------- formats named by their writers


def test_result_page_lists_the_variants_files(exported: Path, styles: Styles) -> None:
    manifest = json.loads((exported / "manifest.json").read_text(encoding="utf-8"))
    files = [e for e in manifest["files"] if e["file"] == "hsct-large-print-24pt.pdf"]
    page = render_result("Large print PDF, 24 point", files, lambda n: f"/variants/k/{n}",
                         styles=styles)
    root = parse(page)
    check_structure(root)
    assert [n.text for n in root.find_all("h2")] == ["Large print PDF"]
    assert links(root)["/variants/k/hsct-large-print-24pt.pdf"].startswith(
        "Large print PDF, 24 point, black on white, line spacing 1.5, Atkinson Hyperlegible (PDF, ")
    assert "Large print PDF, 24 point." in root.text


def test_a_format_whose_writer_cannot_load_is_listed_by_name(
        tmp_path: Path, styles: Styles, monkeypatch: pytest.MonkeyPatch) -> None:
    installed = registry.available
    monkeypatch.setattr(registry, "available", lambda: {
        **installed(), "shaky": Registered("shaky", "tests.no_such_module:Writer")})
    entries = []
    for name, writer in (("a.txt", "shaky"), ("a.pdf", "pdf"), ("a.xyz", "gone")):
        (tmp_path / name).write_bytes(b"xx")
        entries.append({"file": name, "format": writer, "options": {}, "bytes": 2,
                        "sha256": sha256_file(tmp_path / name), "facts": {}})
    (tmp_path / "manifest.json").write_text(json.dumps({"files": entries}), encoding="utf-8")
    root = parse(write_index(tmp_path, styles=styles).read_text(encoding="utf-8"))
    check_structure(root)
    assert [n.text for n in root.find_all("h3")] == ["Large print PDF", "gone", "shaky"]
    found = links(root)
    assert found["a.txt"] == "shaky (TXT, 2 bytes)"
    assert found["a.xyz"] == "gone (XYZ, 2 bytes)"
    assert found["a.pdf"] == "Large print PDF (PDF, 2 bytes)"
