"""Audio writer: chapters, tracks, tags, playlist, transcript, announcements, failures, bytes."""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from exporter import speech
from exporter.batch import export
from exporter.locale import messages
from exporter.model import Document
from exporter.outline import Outline
from exporter.pipeline import JobResult, JobSpec, run_job
from exporter.reader import read
from exporter.sentences import missing_in_order
from exporter.styles import Styles, load_styles
from exporter.writers.audio.mp3 import parse_mp3
from exporter.writers.audio.synth import FAULT_ENV
from exporter.writers.base import Options
from tests.conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "valid"
SPEECH = Path(__file__).parent / "fixtures" / "speech"
EPOCH = "1700000000"


@dataclass(frozen=True)
class Build:
    out: Path
    result: JobResult
    seconds: float

    def mp3s(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.out.glob("*.mp3"))}

    def tracks(self) -> list[Path]:
        return sorted(self.out.glob("hsct-audio-[0-9]*.mp3"))


def build(doc: Document, outline: Outline, styles: Styles, out: Path) -> Build:
    out.mkdir(parents=True)
    start = time.perf_counter()
    result = run_job(JobSpec("audio", Options()), doc, styles, out, "hsct")
    assert result.ok, result.error
    return Build(out, result, time.perf_counter() - start)


@pytest.fixture(scope="module")
def builds(hsct_doc: Document, hsct_outline: Outline, styles: Styles,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Build]:
    """The HSCT page built twice under SOURCE_DATE_EPOCH (once per module: synthesis is slow)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        # Separate folders, so the second build speaks everything afresh (no shared cache).
        return (build(hsct_doc, hsct_outline, styles, tmp_path_factory.mktemp("audio-a") / "o"),
                build(hsct_doc, hsct_outline, styles, tmp_path_factory.mktemp("audio-b") / "o"))
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def hsct(builds: tuple[Build, Build]) -> Build:
    return builds[0]


def id3(path: Path) -> Any:
    """The file's ID3 tag as mutagen reads it (an independent reader of what we wrote)."""
    return ID3(path)  # type: ignore[no-untyped-call]


def info(path: Path) -> Any:
    """MPEG stream facts (length, channels, bitrate) as mutagen reads them."""
    return MP3(path).info  # type: ignore[no-untyped-call]


def transcript(b: Build) -> str:
    return (b.out / "hsct-audio-transcript.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- whole file and chapters


def test_chapters_equal_outline_in_order_contiguous_and_cover_all(
        hsct: Build, hsct_outline: Outline) -> None:
    path = hsct.out / "hsct-audio.mp3"
    tags = id3(path)
    chaps: list[Any] = tags.getall("CHAP")  # in file order
    # Titled as the tracks and the spoken contents: with the section number.
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [e.label for e in hsct_outline]
    starts = [c.start_time for c in chaps]
    assert starts == sorted(starts) and starts[0] == 0
    for a, b in itertools.pairwise(chaps):
        assert a.end_time == b.start_time and a.end_time > a.start_time
    length_ms = info(path).length * 1000
    assert abs(chaps[-1].end_time - length_ms) < 100
    (toc,) = tags.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chaps]
    assert toc.flags & 0x03 == 0x03  # top level, ordered
    # The CHAP frames sit in the file bytes in time order (what players read).
    assert chap_frames_in_file_order(path.read_bytes()) == [c.element_id for c in chaps]


def chap_frames_in_file_order(raw: bytes) -> list[str]:
    """Element ids of the CHAP frames as they sit in the bytes (walking the ID3v2.4 frames)."""
    assert raw[:4] == b"ID3\x04"
    end = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(raw[6:10]))
    pos, ids = 10, []
    while pos + 10 <= end and raw[pos : pos + 4] != bytes(4):
        size = sum(b << (7 * (3 - i)) for i, b in enumerate(raw[pos + 4 : pos + 8]))
        if raw[pos : pos + 4] == b"CHAP":
            body = raw[pos + 10 : pos + 10 + size]
            ids.append(body[: body.index(b"\0")].decode())
        pos += 10 + size
    return ids


def test_whole_file_tags_and_format(hsct: Build, hsct_doc: Document) -> None:
    path = hsct.out / "hsct-audio.mp3"
    tags = id3(path)
    assert tags["TIT2"].text == [hsct_doc.meta.title]
    assert tags["TPE1"].text == ["MS Society"]
    assert tags["TALB"].text == [hsct_doc.meta.title]
    assert tags["TLAN"].text == ["eng"]
    stream = info(path)
    assert (stream.channels, stream.bitrate, stream.sample_rate) == (1, 64000, 22050)


# ---------------------------------------------------------------- tracks and playlist


def test_tracks_positive_tagged_and_paced_by_word_count(
        hsct: Build, hsct_doc: Document, hsct_outline: Outline, styles: Styles) -> None:
    tracks = hsct.tracks()
    assert len(tracks) == len(hsct_outline)
    words = [t.words for t in speech.body_tracks(hsct_doc, hsct_outline,
                                                   speech.voice_from_styles(styles))]
    seconds = [info(p).length for p in tracks]
    assert all(s > 0 for s in seconds)
    # The first track also carries the opening (about 50 words more than the body script).
    pace = [s / (w + (50 if i == 0 else 0)) for i, (s, w) in enumerate(zip(seconds, words,
                                                                          strict=True))]
    median = sorted(pace)[len(pace) // 2]
    assert all(0.6 * median < p < 1.6 * median for p in pace), pace
    for n, (path, entry) in enumerate(zip(tracks, hsct_outline, strict=True), start=1):
        assert path.name.startswith(f"hsct-audio-{n:02d}-")
        tags = id3(path)
        assert tags["TRCK"].text == [f"{n}/{len(tracks)}"]
        assert tags["TIT2"].text == [entry.label]
        assert tags["TPE1"].text == ["MS Society"]
        assert not tags.getall("CHAP")
    total = info(hsct.out / "hsct-audio.mp3").length
    assert abs(sum(seconds) - total) < 0.5


def test_playlist_lists_every_track_in_order(hsct: Build) -> None:
    lines = (hsct.out / "hsct-audio.m3u8").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    files = [ln for ln in lines if ln and not ln.startswith("#")]
    assert files == [p.name for p in hsct.tracks()]
    extinf = [ln for ln in lines if ln.startswith("#EXTINF:")]
    assert len(extinf) == len(files)
    for ln, path in zip(extinf, hsct.tracks(), strict=True):
        assert abs(int(ln.split(":")[1].split(",")[0]) - info(path).length) <= 1


def test_manifest_facts_give_each_mp3_its_duration(hsct: Build) -> None:
    facts = {e["file"]: e["facts"] for e in hsct.result.entries}
    for path in hsct.out.glob("*.mp3"):
        exact = real_seconds(path)
        assert abs(float(facts[path.name]["seconds"]) - exact) < 0.001
        assert abs(info(path).length - exact) < 0.1
        # The one figure people are told, rounded the one way: half a second up.
        assert facts[path.name]["duration"] == int(exact + 0.5)
        assert int(str(id3(path).get("TLEN").text[0])) == round(exact * 1000)


# ---------------------------------------------------------------- script


def test_transcript_has_every_sentence_in_order_as_written(
        hsct: Build, hsct_sentences: list[str]) -> None:
    text = transcript(hsct)
    assert missing_in_order(hsct_sentences, text) == []
    assert "H S C T" not in text and "0808 800 8000" in text


def real_seconds(path: Path) -> float:
    """The file's length counted frame by frame (the tag skipped): exact, not estimated."""
    raw = path.read_bytes()
    assert raw[:3] == b"ID3"
    end = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(raw[6:10]))
    return parse_mp3(raw[end:]).seconds


def test_opening_states_real_section_count_and_duration(
        hsct: Build, hsct_outline: Outline) -> None:
    text = transcript(hsct)
    m = re.search(r"It has (\d+) sections?\.\n(.*)\nIt lasts "
                  r"(?:(\d+) minutes?)?(?: and )?(?:(\d+) seconds?)?\.", text)
    assert m, "opening announcement not found"
    assert int(m[1]) == len([e for e in hsct_outline if e.number])
    # How to move around, and no count of tracks beside the count of sections.
    assert "next track or chapter" in m[2] and "tracks" not in text.split("Contents.")[0]
    said = int(m[3] or 0) * 60 + int(m[4] or 0)
    assert said == int(real_seconds(hsct.out / "hsct-audio.mp3") + 0.5)
    facts = {e["file"]: e["facts"] for e in hsct.result.entries}
    assert facts["hsct-audio.mp3"]["duration"] == said


def test_two_builds_are_byte_identical(builds: tuple[Build, Build]) -> None:
    a, b = builds

    def digests(build: Build) -> dict[str, str]:
        # Digests, not bytes: a failure then names the files that differ, at once.
        return {n: hashlib.sha256(data).hexdigest() for n, data in build.mp3s().items()}

    assert a.mp3s() and digests(a) == digests(b)
    for name in ("hsct-audio.m3u8", "hsct-audio-transcript.txt"):
        assert (a.out / name).read_bytes() == (b.out / name).read_bytes()


# ---------------------------------------------------------------- failures


@pytest.fixture
def quick_styles(tmp_path: Path) -> Styles:
    """The project's styles with a 1-second time limit per synthesis job."""
    root = tmp_path / "styles"
    shutil.copytree(load_styles().root, root)
    cfg = (root / "audio.yaml").read_text(encoding="utf-8")
    (root / "audio.yaml").write_text(re.sub(r"job_timeout_s: \S+", "job_timeout_s: 1", cfg),
                                     encoding="utf-8")
    return load_styles(root)


@pytest.mark.parametrize(("fault", "message"), [
    ("stall", "did not finish within 1 s and was stopped"),
    ("hang", "did not finish speaking within the time limit"),
])
def test_hanging_synthesis_fails_clearly_in_time_and_leaves_nothing(
        fault: str, message: str, quick_styles: Styles, out_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAULT_ENV, fault)
    start = time.perf_counter()
    results = export(FIXTURES / "many-sections.md", out_dir, ["audio", "html"],
                     styles=quick_styles, jobs=1)
    elapsed = time.perf_counter() - start
    audio, html = results
    assert audio.error and message in audio.error
    assert "section" in audio.error or "opening announcement" in audio.error  # names which
    assert elapsed < 5
    assert html.ok  # the other formats are still built
    assert sorted(p.name for p in out_dir.iterdir()) == ["manifest.json", "many-sections.html"]


def test_language_without_voice_fails_cleanly_and_html_is_built(out_dir: Path) -> None:
    # Somali: a real language of UK readers that espeak-ng has no voice for.
    audio, html = export(SPEECH / "somali.md", out_dir, ["audio", "html"], jobs=1)
    assert audio.error and "no voice for the language 'so'" in audio.error
    assert "front matter" in audio.error  # says what to do
    assert html.ok
    assert sorted(p.name for p in out_dir.iterdir()) == ["manifest.json", "somali.html"]


def test_welsh_page_is_spoken_by_the_welsh_voice(out_dir: Path) -> None:
    (audio,) = export(SPEECH / "welsh.md", out_dir, ["audio"], jobs=1)
    assert audio.ok, audio.error
    facts = {e["file"]: e["facts"] for e in audio.entries}
    assert facts["welsh-audio.mp3"]["voice"] == "cel/cy"
    assert id3(out_dir / "welsh-audio.mp3")["TLAN"].text == ["cym"]
    text = (out_dir / "welsh-audio-transcript.txt").read_text(encoding="utf-8")
    assert text.startswith("Blinder ac MS: trawsgrifiad sain\n\n[Trac 1: Blinder ac MS]\n")
    seconds = int(real_seconds(out_dir / "welsh-audio.mp3") + 0.5)
    assert f"Mae'n para {messages('cy').duration(seconds)}." in text


@pytest.mark.parametrize("source", [
    FIXTURES / "minimal.md", FIXTURES / "nested-levels.md", FIXTURES / "many-sections.md",
    SPEECH / "structures.md", SPEECH / "welsh.md",
])
def test_stated_length_is_the_real_length_on_pages_of_every_size(source: Path,
                                                                  out_dir: Path) -> None:
    (audio,) = export(source, out_dir, ["audio"], jobs=1)
    assert audio.ok, audio.error
    doc = read(source)
    whole = out_dir / f"{source.stem}-audio.mp3"
    seconds = real_seconds(whole)
    said = messages(doc.meta.language).duration(int(seconds + 0.5))
    text = (out_dir / f"{source.stem}-audio-transcript.txt").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.endswith(f" {said}.")]
    assert len(lines) == 1, (said, seconds)
    # The tracks add up to the whole file, which the manifest states exactly and rounded.
    tracks = sorted(out_dir.glob(f"{source.stem}-audio-[0-9]*.mp3"))
    assert abs(sum(real_seconds(t) for t in tracks) - seconds) < 1e-6
    facts = {e["file"]: e["facts"] for e in audio.entries}
    assert facts[whole.name]["seconds"] == round(seconds, 3)
    assert facts[whole.name]["duration"] == int(seconds + 0.5)


def test_line_breaks_in_metadata_never_reach_the_playlist_or_tags(out_dir: Path,
                                                                 styles: Styles) -> None:
    doc = read(FIXTURES / "nested-levels.md")
    evil = "\n".join(["Title", "https://evil.example/x.mp3", "#EXTINF:1,x\r\u2028y\x85z"])
    doc = replace(doc, meta=replace(doc.meta, title=evil, publisher="Pub\nhttp://evil/"))
    result = run_job(JobSpec("audio", Options()), doc, styles, out_dir, "nested")
    assert result.ok, result.error
    lines = (out_dir / "nested-audio.m3u8").read_text(encoding="utf-8").split("\n")
    tracks = sorted(p.name for p in out_dir.glob("nested-audio-[0-9]*.mp3"))
    assert lines[-1] == ""  # ends with a newline
    assert len(lines) == 2 + 2 * len(tracks) + 1
    assert [ln for ln in lines if ln and not ln.startswith("#")] == tracks
    assert all(ln.startswith("#EXT") or ln.startswith("#PLAYLIST:") for ln in lines[::2][:-1])
    for name in (*tracks, "nested-audio.mp3"):
        for frame in id3(out_dir / name).values():
            for value in getattr(frame, "text", []):
                assert not re.search("[\x00-\x1f\x85\u2028\u2029]", str(value)), (name, value)


def test_no_publisher_means_no_publisher_tag_or_words(out_dir: Path) -> None:
    (audio,) = export(SPEECH / "structures.md", out_dir, ["audio"], jobs=1)
    assert audio.ok, audio.error
    for path in out_dir.glob("*.mp3"):
        assert "TPE1" not in id3(path)
    playlist = (out_dir / "structures-audio.m3u8").read_text(encoding="utf-8")
    assert "#EXTINF:" in playlist and " - " not in playlist
    text = (out_dir / "structures-audio-transcript.txt").read_text(encoding="utf-8")
    assert "Published by" not in text and ", from" not in text
    assert "This is the end of Living with fatigue.\n" in text


def test_missing_engine_names_the_package_to_install(tmp_path: Path) -> None:
    # A fresh interpreter where neither the espeakng-loader wheel nor a system libespeak-ng
    # can be found: the audio writer fails with the fix, the HTML page is still built.
    code = ("import sys, ctypes.util; sys.modules['espeakng_loader'] = None\n"
            "ctypes.util.find_library = lambda name: None\n"
            "from exporter.cli import main\n"
            f"sys.exit(main(['export', {str(ROOT / 'source' / 'hsct.md')!r}, '--to', "
            f"'audio,html', '-j', '1', '-o', {str(tmp_path / 'out')!r}]))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "audio failed" in run.stderr
    assert "espeakng-loader" in run.stderr and "libespeak-ng1" in run.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "hsct.html", "index.html", "manifest.json"
    ]


def test_small_document_builds_one_track_per_heading(out_dir: Path, styles: Styles) -> None:
    doc = read(FIXTURES / "nested-levels.md")
    outline = doc.outline
    result = run_job(JobSpec("audio", Options()), doc, styles, out_dir, "nested")
    assert result.ok, result.error
    chaps: list[Any] = id3(out_dir / "nested-audio.mp3").getall("CHAP")
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [e.label for e in outline]
    assert len(list(out_dir.glob("nested-audio-[0-9]*.mp3"))) == len(outline)


def test_changing_one_section_re_synthesises_only_that_section(tmp_path: Path) -> None:
    source = tmp_path / "doc.md"
    text = (FIXTURES / "nested-levels.md").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert all(r.ok for r in export(source, out, ["audio"], jobs=1))
    # The recording cache every writer that speaks shares (audio, talking books).
    cache = tmp_path / ".exporter-cache" / "speech" / "doc" / "jobs"
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.audio")}
    tracks = len(read(source).outline)
    assert len(before) == tracks + 2  # the tracks, the opening and its length sentences

    source.write_text(text.replace("A paragraph in part one.",
                                   "A changed paragraph in part one."), encoding="utf-8")
    assert all(r.ok for r in export(source, out, ["audio"], jobs=1))
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.audio")}
    new = set(after) - set(before)
    kept = {n for n in set(after) & set(before) if after[n] == before[n]}
    # Reused untouched: the other tracks and the opening; spoken again: the edited section,
    # and the opening's length sentences only if the length it states changed.
    assert len(kept) >= tracks, (kept, new)
    assert 1 <= len(new) <= 2, new
    assert len(after) == len(kept) + len(new)  # what this build did not use is forgotten
    assert len(list(cache.glob("*.json"))) == len(after)
    transcript = (out / "doc-audio-transcript.txt").read_text(encoding="utf-8")
    assert "A changed paragraph in part one." in transcript
