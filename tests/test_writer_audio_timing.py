"""Timing read back from the decoded MP3s (ffmpeg): delay, leading silence, pace, clip edges."""

from __future__ import annotations

import array
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from exporter.batch import export
from exporter.writers.audio import mp3
from exporter.writers.audio.book import DECODER_DELAY
from exporter.writers.talking.check_common import seconds

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
RATE = 22050
#: A sample louder than this (1% of full scale) is sound, not silence.
LOUD = 328
FFMPEG = shutil.which("ffmpeg")


def decode(data: bytes) -> array.array[int]:
    """16-bit samples as ffmpeg decodes the MP3 (a decoder of its own, not ours)."""
    if FFMPEG is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("ffmpeg is missing (make setup-test installs it)")
        pytest.skip("ffmpeg is missing (apt-get install ffmpeg)")
    run = subprocess.run([FFMPEG, "-v", "error", "-f", "mp3", "-i", "-", "-f", "s16le", "-ac",
                          "1", "-ar", str(RATE), "-"], input=data, capture_output=True,
                         check=True)
    return array.array("h", run.stdout)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("timing") / "output"
    results = export(SOURCE, out, ["audio", "talking-epub"], jobs=2)
    assert all(r.ok for r in results), [r.error for r in results]
    return out


def frames(path: Path) -> bytes:
    raw = path.read_bytes()
    end = 10 + sum(b << (7 * (3 - i)) for i, b in enumerate(raw[6:10]))
    return raw[end:]


def test_decoder_delay_is_what_the_timings_assume() -> None:
    pcm = array.array("h", [0] * RATE)
    pcm[3000] = 20000
    decoded = decode(mp3.encode(pcm.tobytes(), RATE, 64, 7))
    peak = max(range(len(decoded)), key=lambda i: abs(decoded[i]))
    assert peak - 3000 == DECODER_DELAY


def test_speech_starts_at_once(built: Path) -> None:
    """No half second of silence before the first word: at most 0.1 s once the decoder's
    own delay (LAME's encoder delay, which players without a LAME header keep) is taken off."""
    for path in [built / "hsct-audio.mp3", *sorted(built.glob("hsct-audio-[0-9]*.mp3"))]:
        samples = decode(frames(path))
        first = next(i for i, x in enumerate(samples) if abs(x) > LOUD)
        assert (first - DECODER_DELAY) / RATE < 0.1, (path.name, first / RATE)


def test_pace_is_150_to_170_words_a_minute_overall(built: Path) -> None:
    """Words as written, over the whole recording's real length, pauses included."""
    text = (built / "hsct-audio-transcript.txt").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines()[1:] if ln and not re.match(r"\[.*\]$", ln)]
    words = sum(len(ln.split()) for ln in lines)
    minutes = mp3.parse_mp3(frames(built / "hsct-audio.mp3")).seconds / 60
    assert 150 <= words / minutes <= 170, round(words / minutes, 1)


def test_each_par_begins_in_the_silence_before_its_words(built: Path) -> None:
    """Timings taken while speaking land between utterances in the decoded audio: around
    every clip boundary of the talking book the track is silent."""
    with zipfile.ZipFile(built / "hsct-talking-book.epub") as z:
        tracks = {n: decode(z.read(n)) for n in z.namelist() if n.endswith(".mp3")}
        smils = [z.read(n).decode() for n in z.namelist() if n.endswith(".smil")]
    edges = 0
    for text in smils:
        for src, begin in re.findall(r'src="\.\./(audio/[^"]+)" clipBegin="([^"]+)"', text):
            at = round(seconds(begin) * RATE)
            if at == 0:
                continue
            samples = tracks[f"EPUB/{src}"]
            # From 20 ms to 5 ms before: the pause after the last words (closer, the MP3's
            # pre-echo of the coming onset is heard, up to a granule early).
            before = samples[at - 441 : at - 110]
            assert max(abs(x) for x in before) <= LOUD, (src, begin)
            # ... and its own words start within a few hundredths of a second
            start = next(i for i in range(at, len(samples)) if abs(samples[i]) > LOUD)
            assert start - at < 0.06 * RATE, (src, begin, (start - at) / RATE)
            edges += 1
    assert edges > 50
