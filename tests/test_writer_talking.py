"""Talking books (EPUB 3 media overlays, DAISY 2.02): read back as a reader or a player would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exporter.batch import export
from exporter.writers.audio.mp3 import parse_mp3
from exporter.writers.talking.check_common import seconds
from tests.tamper import fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
EPUB = "hsct-talking-book.epub"
DAISY = "hsct-daisy202.zip"
PDF = "hsct-large-print-18pt.pdf"
EPOCH = "1700000000"
SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ACE = ROOT / "tests" / "ace" / "node_modules" / ".bin" / "ace-puppeteer"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(ok: bool, why: str) -> None:
    """Skip on a developer's machine; fail under CI, where a missing tool is a real error."""
    if not ok:
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HSCT page's audio, both talking books and the 18pt PDF, as `make export` makes them."""
    out = tmp_path_factory.mktemp("talking") / "output"
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        results = export(SOURCE, out, ["audio", "talking-epub", "daisy", "pdf"], sizes=[18],
                         jobs=2)
    finally:
        mp.undo()
    assert all(r.ok for r in results), [r.error for r in results]
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def facts(out: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {e["file"]: e["facts"] for e in manifest["files"]}


def overlays(book: zipfile.ZipFile) -> dict[str, ET.Element]:
    return {n: ET.fromstring(book.read(n)) for n in book.namelist() if n.endswith(".smil")}


# ---------------------------------------------------------------- both books pass


def test_real_talking_books_pass_every_check(built: Path) -> None:
    from tests.tamper import failed

    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    checks = {f.check for f in report.findings}
    assert {"talking.epubcheck", "talking.overlay-refs", "talking.clips", "talking.coverage",
            "talking.page-list", "talking.active-class", "daisy.ncc", "daisy.headings",
            "daisy.refs", "daisy.clips", "daisy.coverage"} <= checks


def test_one_recording_shared_by_every_format(built: Path) -> None:
    """The EPUB's and the DAISY book's audio are the MP3 writer's tracks, byte for byte."""
    tracks = sorted(built.glob("hsct-audio-[0-9]*.mp3"))

    def frames(path: Path) -> bytes:
        raw = path.read_bytes()
        end = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(raw[6:10]))
        return raw[end:]

    with zipfile.ZipFile(built / EPUB) as epub, zipfile.ZipFile(built / DAISY) as daisy:
        in_epub = [epub.read(n) for n in sorted(epub.namelist()) if n.endswith(".mp3")]
        in_daisy = [daisy.read(n) for n in sorted(daisy.namelist()) if n.endswith(".mp3")]
    assert [frames(t) for t in tracks] == in_epub == in_daisy


def test_one_length_rounded_one_way_everywhere(built: Path) -> None:
    f = facts(built)
    exact = f["hsct-audio.mp3"]["seconds"]
    whole = int(exact + 0.5)
    assert f["hsct-audio.mp3"]["duration"] == f[EPUB]["duration"] == f[DAISY]["duration"] == whole
    minutes, secs = divmod(whole, 60)
    said = f"It lasts {minutes} minutes and {secs} seconds."
    assert said in (built / "hsct-audio-transcript.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(built / EPUB) as epub:
        opf = epub.read("EPUB/content.opf").decode()
        page = epub.read("EPUB/section-00.xhtml").decode()
    total = re.search(r'<meta property="media:duration">([^<]+)<', opf)
    assert total and abs(seconds(total[1]) - exact) < 0.002
    assert said in page  # the opening is shown, so it is highlighted when spoken
    with zipfile.ZipFile(built / DAISY) as daisy:
        ncc = daisy.read("ncc.html").decode()
    assert f'name="ncc:totalTime" content="0:{minutes:02d}:{secs:02d}"' in ncc


def test_every_sentence_span_of_the_text_is_a_par(built: Path) -> None:
    with zipfile.ZipFile(built / EPUB) as epub:
        targets = {t.get("src", "").removeprefix("../") for doc in overlays(epub).values()
                   for t in doc.iter(f"{SMIL}text")}
        spans = {f"{n.removeprefix('EPUB/')}#{e.get('id')}"
                 for n in epub.namelist() if n.endswith(".xhtml") and "section-" in n
                 for e in ET.fromstring(epub.read(n)).iter(f"{XHTML}span")
                 if re.fullmatch(r"s\d+", e.get("id") or "")
                 and not _in_header_cell(ET.fromstring(epub.read(n)), e.get("id") or "")}
    assert spans and spans <= targets, sorted(spans - targets)[:5]


def _in_header_cell(root: ET.Element, sid: str) -> bool:
    # A column heading is read with each cell of its column, not on its own.
    return any(sid in {e.get("id") for e in th.iter()} for th in root.iter(f"{XHTML}th"))


def test_books_are_reproducible(built: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = tmp_path / "again"
    results = export(SOURCE, again, ["talking-epub", "daisy"], jobs=1)
    assert all(r.ok for r in results), [r.error for r in results]
    for name in (EPUB, DAISY):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


# ---------------------------------------------------------------- pages


def test_each_page_marker_is_where_that_pdf_page_begins(built: Path) -> None:
    import pdfplumber

    with pdfplumber.open(built / PDF) as pdf:
        # Each page's lines without its running head (first) and page number (last).
        pages = [(p.extract_text() or "").splitlines()[1:-1] for p in pdf.pages]
    with zipfile.ZipFile(built / EPUB) as epub:
        nav = epub.read("EPUB/nav.xhtml").decode()
        hrefs = re.findall(r'<li><a href="([^"]+)">(\d+)</a></li>', nav)
        texts = {n: epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml")}
    assert [label for _, label in hrefs] == [str(n) for n in range(1, len(pages) + 1)]
    for (href, label), lines in zip(hrefs[1:], pages[1:], strict=True):
        file, _, pid = href.partition("#")
        doc = texts[f"EPUB/{file}"]
        after = re.sub(r"<[^>]+>", "", doc[doc.index(f'id="{pid}"'):].split(">", 1)[1])
        first = " ".join(after.split()[:3])
        assert first in " ".join(" ".join(lines[:3]).split()), (label, first, lines[:3])


# ---------------------------------------------------------------- broken on purpose


def _edit(out: Path, name: str, member: str, change: Any) -> None:
    """Rewrite one member of a zip (EPUB or DAISY) with ``change(text) -> text``."""
    path = out / name
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in items:
            if info.filename == member:
                new = change(data.decode("utf-8"))
                assert new != data.decode("utf-8"), "the edit changed nothing"
                data = new.encode("utf-8")
            z.writestr(info, data)
    rehash(out, name)


def test_epub_span_missing(out: Path) -> None:
    _edit(out, EPUB, "EPUB/section-02.xhtml",
          lambda t: re.sub(r'<span id="(s\d+)">', r"<span>", t, count=1))
    failures = only_failures(out, SOURCE, {"talking.overlay-refs", "talking.coverage",
                                           "talking.epubcheck"}, None)
    assert any("no id" in f.detail for f in failures)


def test_epub_clip_past_the_end_of_its_audio(out: Path) -> None:
    def late(text: str) -> str:
        ends = re.findall(r'clipEnd="([^"]+)"', text)
        return text.replace(f'clipEnd="{ends[-1]}"', 'clipEnd="0:09:00.000"')

    _edit(out, EPUB, "EPUB/smil/section-05.smil", late)
    (failure,) = only_failures(out, SOURCE, "talking.clips", EPUB)
    assert "lies outside" in failure.detail and "media:duration" in failure.detail


def test_daisy_text_missing(out: Path) -> None:
    _edit(out, DAISY, "content.html",
          lambda t: re.sub(r'<span id="(s\d+)">', r"<span>", t, count=1))
    failures = only_failures(out, SOURCE, {"daisy.refs", "daisy.coverage"}, None)
    assert any("is not in the book" in f.detail for f in failures)


def test_daisy_clip_past_the_end_of_its_audio(out: Path) -> None:
    def late(text: str) -> str:
        ends = re.findall(r'clip-end="([^"]+)"', text)
        return text.replace(f'clip-end="{ends[-1]}"', 'clip-end="npt=900.000s"')

    _edit(out, DAISY, "s003.smil", late)
    # The NCC's total time no longer agrees with the clips either.
    failures = only_failures(out, SOURCE, {"daisy.clips", "daisy.ncc"}, None)
    assert any("lies outside" in f.detail for f in failures)


def test_daisy_heading_dropped_from_the_ncc(out: Path) -> None:
    _edit(out, DAISY, "ncc.html",
          lambda t: re.sub(r'<h2 id="ncc-3">.*?</h2>\n', "", t, count=1))
    failures = only_failures(out, SOURCE, {"daisy.headings", "daisy.ncc"}, None)
    assert any("How does HSCT work?" in f.detail for f in failures)


# ---------------------------------------------------------------- in a reading system


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(CHROMIUM.is_file(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--mute-audio",
            "--autoplay-policy=no-user-gesture-required", "--allow-file-access-from-files"])
        yield b
        b.close()


_PLAY = """
async ([pars, active, audios, probe]) => {
  const styled = [];
  for (const id of pars) {
    const el = document.getElementById(id);
    if (!el) { styled.push([id, null, 0]); continue; }
    el.classList.add(active);
    const box = el.getBoundingClientRect();
    styled.push([id, getComputedStyle(el).backgroundColor, box.width * box.height]);
    el.classList.remove(active);
  }
  const lengths = {};
  for (const src of audios) {
    const a = new Audio(src);
    await new Promise((ok, bad) => { a.onloadedmetadata = ok; a.onerror = bad; });
    lengths[src] = a.duration;
  }
  const [src, begin, end] = probe;
  const a = new Audio(src);
  await new Promise((ok) => { a.oncanplay = ok; });
  a.currentTime = begin;
  await a.play();
  await new Promise((ok) => { const t = setInterval(() => {
    if (a.currentTime >= end) { clearInterval(t); ok(); } }, 20); });
  a.pause();
  return {styled, lengths, played: a.currentTime - begin};
}
"""


def test_overlays_play_with_highlighting_in_chromium(built: Path, tmp_path: Path,
                                                     browser: Any) -> None:
    """A SMIL-driven player of our own in Chromium: each content document is opened, every
    par's element takes the active class in turn (it must show, highlighted), each track is
    loaded by Chromium's media stack (its length must hold every clip), and a clip plays."""
    folder = tmp_path / "book"
    with zipfile.ZipFile(built / EPUB) as z:
        z.extractall(folder)
    opf = (folder / "EPUB" / "content.opf").read_text(encoding="utf-8")
    active = re.search(r'<meta property="media:active-class">([^<]+)<', opf)
    assert active
    page = browser.new_page()
    try:
        for smil in sorted((folder / "EPUB" / "smil").glob("*.smil")):
            root = ET.fromstring(smil.read_bytes())
            pars = [(p.find(f"{SMIL}text"), p.find(f"{SMIL}audio"))
                    for p in root.iter(f"{SMIL}par")]
            ids = [t.get("src", "").partition("#")[2] for t, _ in pars if t is not None]
            clips = [((smil.parent / a.get("src", "")).resolve().as_uri(),
                      seconds(a.get("clipBegin", "")), seconds(a.get("clipEnd", "")))
                     for _, a in pars if a is not None]
            document = (smil.parent / root.find(f"{SMIL}body").get(  # type: ignore[union-attr]
                "{http://www.idpf.org/2007/ops}textref", "")).resolve()
            page.goto(document.as_uri())
            audios = sorted({src for src, _, _ in clips})
            shortest = min(clips, key=lambda c: c[2] - c[1])
            result = page.evaluate(_PLAY, [ids, active[1], audios, list(shortest)])
            for pid, colour, area in result["styled"]:
                assert colour == "rgb(255, 255, 0)" and area > 0, (smil.name, pid, colour)
            for src, length in result["lengths"].items():
                ends = [e for s, _, e in clips if s == src]
                real = parse_mp3(Path(src.removeprefix("file://")).read_bytes()).seconds
                assert abs(length - real) < 0.05 and max(ends) <= length + 0.005, (src, length)
            assert result["played"] >= shortest[2] - shortest[1] - 0.05
    finally:
        page.close()


def test_ace_by_daisy_finds_no_issue(built: Path, tmp_path: Path) -> None:
    require(ACE.is_file(), f"Ace by DAISY is not installed at {ACE} (make setup-test)")
    require(CHROMIUM.is_file(), f"Ace needs Chromium at {CHROMIUM}")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM)}
    subprocess.run([str(ACE), "-f", "-s", "-o", str(tmp_path / "ace"), str(built / EPUB)],
                   env=env, capture_output=True, timeout=180, check=False)
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    issues = [(a["earl:test"]["earl:impact"], a["earl:test"]["dct:title"])
              for doc in report["assertions"] for a in doc.get("assertions", [])]
    assert issues == []
