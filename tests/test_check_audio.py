"""The audio read-back checks pass on the real recording; each fails on a file broken on purpose."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from exporter.model import Document
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.tamper import build, failed, fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
BOOK = "hsct-audio.mp3"
PLAYLIST = "hsct-audio.m3u8"
TRANSCRIPT = "hsct-audio-transcript.txt"



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("audio") / "output"
    build(out, "audio", hsct_doc, styles, Options())
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def id3(path: Path) -> Any:
    """The file's ID3 tag (mutagen, untyped)."""
    return importlib.import_module("mutagen.id3").ID3(path)


def only(out: Path, check: str, file: str) -> str:
    return only_failures(out, SOURCE, check, file)[0].detail


def test_real_audio_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"audio.chapters", "audio.tracks", "audio.transcript", "audio.mp3"} <= {
        f.check for f in report.findings}


def test_chapter_dropped(out: Path) -> None:
    tags = id3(out / BOOK)
    toc = tags.getall("CTOC")[0]
    gone = next(c for c in tags.getall("CHAP")
                if str(c.sub_frames["TIT2"].text[0]) == "2 How does HSCT work?")
    toc.child_element_ids = [c for c in toc.child_element_ids if c != gone.element_id]
    tags.delall(f"CHAP:{gone.element_id}")
    tags.save(out / BOOK)
    rehash(out, BOOK)
    detail = only(out, "audio.chapters", BOOK)
    assert "missing: 'How does HSCT work?'" in detail
    assert "starts at" in detail  # the hole in the timeline is named too


def test_track_left_out_of_playlist(out: Path) -> None:
    lines = (out / PLAYLIST).read_text(encoding="utf-8").splitlines()
    track = next(i for i, line in enumerate(lines) if line.endswith("how-does-hsct-work.mp3"))
    del lines[track - 1 : track + 1]  # its #EXTINF line and its file name
    (out / PLAYLIST).write_text("\n".join(lines) + "\n", encoding="utf-8")
    rehash(out, PLAYLIST)
    assert "How does HSCT work?" in only(out, "audio.tracks", PLAYLIST)


def test_sentence_missing_from_transcript(out: Path) -> None:
    text = (out / TRANSCRIPT).read_text(encoding="utf-8")
    sentence = "Most clinics use those guidelines to assess who can have HSCT."
    assert sentence in text
    (out / TRANSCRIPT).write_text(text.replace(sentence, ""), encoding="utf-8")
    rehash(out, TRANSCRIPT)
    assert sentence[:40] in only(out, "audio.transcript", TRANSCRIPT)


def test_wrong_title_tag(out: Path) -> None:
    frames = importlib.import_module("mutagen.id3")
    tags = id3(out / BOOK)
    tags.setall("TIT2", [frames.TIT2(encoding=3, text=["Untitled"])])
    tags.save(out / BOOK)
    rehash(out, BOOK)
    assert "'Untitled'" in only(out, "audio.mp3", BOOK)


# ---------------------------------------------------------------- tables, images, quotes, notes

STRUCTURES = ROOT / "tests" / "fixtures" / "speech" / "structures.md"


@pytest.fixture(scope="module")
def built_structures(tmp_path_factory: pytest.TempPathFactory, styles: Styles) -> Path:
    from exporter.reader import read

    out = tmp_path_factory.mktemp("audio-structures") / "output"
    build(out, "audio", read(STRUCTURES), styles, Options())
    return out


@pytest.fixture
def structured(built_structures: Path, tmp_path: Path) -> Path:
    return fresh_copy(built_structures, tmp_path / "output")


def edit_transcript(out: Path, old: str, new: str) -> str:
    """Replace ``old`` (which must be there) in the transcript; the detail of the one failure."""
    text = (out / TRANSCRIPT).read_text(encoding="utf-8")
    assert old in text, old
    (out / TRANSCRIPT).write_text(text.replace(old, new, 1), encoding="utf-8")
    rehash(out, TRANSCRIPT)
    return ""


def only_structured(out: Path, check: str) -> str:
    return only_failures(out, STRUCTURES, check, TRANSCRIPT)[0].detail


def test_every_structure_passes_every_check(built_structures: Path) -> None:
    report, names = failed(built_structures, STRUCTURES)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"audio.notes", "audio.structure", "audio.transcript", "audio.chapters"} <= {
        f.check for f in report.findings}


@pytest.mark.parametrize(("old", "new", "named"), [
    ("3 rows, 2 columns", "4 rows, 2 columns", "3 rows, 2 columns"),  # wrong size announced
    ("Row 2.\n", "", "Row 2."),  # a row not announced
    ("What it means: Heat", "Heat", "What it means"),  # a cell read without its heading
    ("Image: A woman resting", "A woman resting", "Image: A woman resting"),  # not an image
    ("End of quote.\n", "", "End of quote."),  # the quotation never closed
    ("Relapse:\nNew symptoms", "Relapse New symptoms", "Relapse:"),  # term run into definition
])
def test_structure_not_announced(structured: Path, old: str, new: str, named: str) -> None:
    edit_transcript(structured, old, new)
    assert named in only_structured(structured, "audio.structure")


def test_note_missing_from_transcript(structured: Path) -> None:
    edit_transcript(structured, "Note 2: This is called Uhthoff's phenomenon.\n", "")
    assert "Note 2: This is called Uhthoff" in only_structured(structured, "audio.notes")


def test_note_read_without_its_number(structured: Path) -> None:
    edit_transcript(structured, "Note 1: In our 2019 survey", "In our 2019 survey")
    assert "Note 1:" in only_structured(structured, "audio.notes")


def test_notes_out_of_order(structured: Path) -> None:
    text = (structured / TRANSCRIPT).read_text(encoding="utf-8")
    first = "Note 1: In our 2019 survey, 8 out of 10 people said fatigue affected them.\n"
    text = text.replace(first, "")
    text = text.replace("[Track 5:", first + "[Track 5:")  # read last instead of first
    (structured / TRANSCRIPT).write_text(text, encoding="utf-8")
    rehash(structured, TRANSCRIPT)
    assert "Note" in only_structured(structured, "audio.notes")


def test_chapter_dropped_from_a_structured_page(structured: Path) -> None:
    book = "hsct-audio.mp3"
    tags = id3(structured / book)
    toc = tags.getall("CTOC")[0]
    gone = next(c for c in tags.getall("CHAP") if str(c.sub_frames["TIT2"].text[0])
                .endswith(" Words we use"))
    toc.child_element_ids = [c for c in toc.child_element_ids if c != gone.element_id]
    tags.delall(f"CHAP:{gone.element_id}")
    tags.save(structured / book)
    rehash(structured, book)
    detail = only_failures(structured, STRUCTURES, "audio.chapters", book)[0].detail
    assert "missing: 'Words we use'" in detail
