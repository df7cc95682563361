"""The recording of a document, made once and shared by the MP3, EPUB and DAISY talking books.

Each section is spoken by its own job (synth.py), the opening's stated length is fitted
(opening.py), and the result is kept whole in a content-addressed cache beside the output:
every writer that needs the recording asks for it by what it says and how, and the first to
ask records it while the others wait on the same lock, then read it. So the recording is
made once whichever writer runs first, and timings (where each segment lies in each track's
decoded samples) are exact: they are counted during synthesis, never measured afterwards.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from exporter import speech
from exporter.model import Document, Outline
from exporter.styles import StylesError
from exporter.writers.audio import cache as recordings
from exporter.writers.audio import mp3, opening, synth
from exporter.writers.base import Job, WriterError

#: Bumped when what a kept recording holds changes.
BOOK_FORMAT = 1
#: The shared cache's folder, beside each writer's own under the pipeline's cache folder.
SHARED = "speech"
#: Samples the MP3 decoder gives before the first encoded sample (LAME's encoder delay of
#: 576 plus the decoder's 529), measured with ffmpeg; the tracks carry no LAME header, so
#: players do not trim it and every clip time includes it (tests/test_writer_audio_timing.py).
DECODER_DELAY = 1105

_Run = Callable[[Sequence[synth.SynthJob], int], dict[str, synth.Recording]]


@dataclass(frozen=True)
class Settings:
    """How the recording is made: voice and pace (styles/audio.yaml), and the encoding."""

    voice: speech.Voice
    bitrate_kbps: int
    quality: int
    timeout_s: float


@dataclass(frozen=True)
class Recorded:
    """A document's recording: the tracks as spoken and where each segment is in its track."""

    tracks: tuple[speech.Track, ...]  #: with the opening in the first
    audio: tuple[bytes, ...]  #: MP3 frames of each track (no tags)
    samples: tuple[int, ...]  #: decoded length of each track
    #: per track, the decoded sample each segment starts at (the first at 0: a clip from
    #: the track's start; each segment runs to the next one's start, the last to the end)
    starts: tuple[tuple[int, ...], ...]
    rate: int
    voice: str  #: the espeak-ng voice that spoke, e.g. "cel/cy"

    @property
    def total(self) -> int:
        """Samples of the whole recording (the tracks one after another)."""
        return sum(self.samples)

    @property
    def seconds(self) -> float:
        return self.total / self.rate

    def clips(self, track: int) -> list[tuple[int, int]]:
        """(start, end) in samples of each segment of a track (0-based index)."""
        starts = self.starts[track]
        ends = (*starts[1:], self.samples[track])
        return list(zip(starts, ends, strict=True))


def settings_of(job: Job) -> Settings:
    """The recording settings from styles/audio.yaml; WriterError names a bad one."""
    cfg = job.styles.section("audio")
    try:
        return Settings(
            voice=speech.voice_from_styles(job.styles, job.doc.meta.language),
            bitrate_kbps=int(cfg.get("bitrate_kbps", 64)),
            quality=int(cfg.get("mp3_quality", 7)),
            timeout_s=float(cfg.get("job_timeout_s", 60)),
        )
    except (StylesError, TypeError, ValueError) as exc:
        raise WriterError(f"audio settings: {exc}") from exc


def record(job: Job, max_tracks: int | None = None) -> Recorded:
    """The document's recording, from the shared cache or made now (and kept there)."""
    s = settings_of(job)
    tracks = speech.body_tracks(job.doc, job.outline, s.voice)
    if not tracks:
        raise WriterError(f"{job.doc.source_path}: no headings, nothing to record")
    if max_tracks is not None and len(tracks) > max_tracks:
        raise WriterError(f"{job.doc.source_path}: {len(tracks)} sections; the MP3 chapter "
                          f"table holds at most {max_tracks}")
    try:
        synth.check_engine()
        if job.cache is None:
            return _make(job, s, tracks, synth.run_all)
        folder = job.cache.parent / SHARED / job.stem
        folder.mkdir(parents=True, exist_ok=True)
        key = book_key(job.doc, job.outline, s, tracks)
        with _locked(folder / "lock"):
            found = _load(folder / key, tracks)
            if found is not None:
                return found
            jobs = recordings.SynthCache(folder / "jobs")
            made = _make(job, s, tracks, jobs.run)
            jobs.prune()
            _save(folder, key, made)
            return made
    except synth.SynthError as exc:
        raise WriterError(f"audio: {exc}") from exc


def book_key(doc: Document, outline: Outline, s: Settings,
             tracks: Sequence[speech.Track]) -> str:
    """What decides the recording: every text and pause, the opening's sentences, the voice,
    the encoding, the engine."""
    lengths = [speech.length_sentence(doc, outline, s.voice, len(tracks), n).spoken
               for n in (0, 1, 61, 3661, 7322)]
    said = [BOOK_FORMAT, recordings.CACHE_FORMAT, doc.meta.language, s.voice.rate_wpm,
            s.voice.pause_paragraph_ms, s.bitrate_kbps, s.quality,
            [[(g.spoken, g.pause_ms) for g in t.segments] for t in tracks],
            [(g.spoken, g.pause_ms) for g in speech.opening_fixed(doc, outline, s.voice)],
            lengths, list(recordings.engine_identity())]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()[:40]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (released when the process ends, however it ends)."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------- keeping


def _save(folder: Path, key: str, rec: Recorded) -> None:
    """Write the recording as <key>/ (tracks and timings), atomically; drop older ones."""
    tmp = Path(tempfile.mkdtemp(prefix=".book-", dir=folder))
    try:
        for i, data in enumerate(rec.audio):
            (tmp / f"track-{i + 1:03d}.mp3").write_bytes(data)
        segments = [[[g.text, g.spoken, g.pause_ms, g.kind] for g in t.segments]
                    for t in rec.tracks]
        meta = {"rate": rec.rate, "voice": rec.voice, "samples": list(rec.samples),
                "starts": [list(s) for s in rec.starts], "segments": segments}
        (tmp / "timings.json").write_text(json.dumps(meta), encoding="utf-8")
        target = folder / key
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in folder.iterdir():
        if old.is_dir() and old.name not in (key, "jobs"):
            shutil.rmtree(old, ignore_errors=True)


def _load(folder: Path, tracks: Sequence[speech.Track]) -> Recorded | None:
    """A kept recording of these tracks, or None when there is none (or it does not fit)."""
    try:
        meta = json.loads((folder / "timings.json").read_text(encoding="utf-8"))
        audio = tuple((folder / f"track-{i + 1:03d}.mp3").read_bytes()
                      for i in range(len(tracks)))
        segments = meta["segments"]
        # The opening's segments were made while recording: take them back as they were;
        # the others are this build's own (with their targets into this document).
        said = segments[0][: len(segments[0]) - len(tracks[0].segments)]
        # The stated length is the opening's last sentence (target 99, as length_sentence's).
        first = [speech.Segment(str(a), str(b), int(c), str(d),
                                ("opening", 99 if i == len(said) - 1 else i))
                 for i, (a, b, c, d) in enumerate(said)]
        spoken = (speech.with_opening(tracks[0], first), *tracks[1:])
        rec = Recorded(spoken, audio, tuple(int(n) for n in meta["samples"]),
                       tuple(tuple(int(x) for x in s) for s in meta["starts"]),
                       int(meta["rate"]), str(meta["voice"]))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if len(rec.starts) != len(tracks) or any(
            len(s) != len(t.segments) for s, t in zip(rec.starts, rec.tracks, strict=True)):
        return None
    if [[[g.text, g.spoken, g.pause_ms, g.kind] for g in t.segments] for t in rec.tracks] \
            != segments:
        return None
    return rec


# ---------------------------------------------------------------- recording


def _make(job: Job, s: Settings, tracks: tuple[speech.Track, ...], run: _Run) -> Recorded:
    """Every track and the opening's fixed part in parallel, then the opening's length."""
    work = Path(tempfile.mkdtemp(prefix=".audio-work-", dir=job.dest))
    try:
        return _speak(job, s, tracks, work, run)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _speak(job: Job, s: Settings, tracks: tuple[speech.Track, ...], work: Path,
           run: _Run) -> Recorded:
    # Jobs are CPU-bound (synchronous synthesis, then encoding): one per core; the longest
    # start first so that none is left running alone at the end.
    workers = os.cpu_count() or 1
    jobs = [_job(job.doc, s, f"section {t.entry.label}", t.segments, work / f"track-{t.number}")
            for t in tracks]
    fixed = speech.opening_fixed(job.doc, job.outline, s.voice)
    head_job = replace(_job(job.doc, s, "opening announcement", fixed, work / "opening"),
                       encode=False)
    longest_first = sorted([*jobs, head_job], key=lambda j: -sum(len(t) for t, _ in j.texts))
    done = run(longest_first, workers)
    parts = [done[j.key] for j in jobs]
    head = done[head_job.key]
    streams = [p.stream for p in parts]
    if any(st is None for st in streams) or not head.pcm:
        raise synth.SynthError("a speech job returned the wrong kind of audio")
    body = [st for st in streams if st is not None]
    rate = head.sample_rate
    if any(p.sample_rate != rate or st.sample_rate != rate for p, st in zip(parts, body,
                                                                            strict=True)):
        raise synth.SynthError("the sections came out at different sample rates")
    if any(p.voice != head.voice for p in parts):
        raise synth.SynthError("the sections were spoken by different voices")
    lengths = _Lengths(job, s, len(tracks), run, work)
    pause = rate * s.voice.pause_paragraph_ms // 1000
    # A first guess at the sentence's length, from the pace of the rest of the opening, a
    # little long: the search then settles at once, with at most a fraction of a second
    # more silence after the sentence.
    per_word = sum(sp.speech for sp in head.spans) / max(1, sum(len(t.split()) for t, _ in
                                                                head_job.texts))
    words = len(lengths.sentence(0).spoken.split()) + 4
    found = opening.fit(rest=sum(st.samples for st in body), fixed=head.samples, pause=pause,
                        rate=rate, spoken=lengths.samples, slot=round(per_word * words) + pause,
                        encoded=lambda n: mp3.encoded_samples(n, rate, s.bitrate_kbps, s.quality))
    said = lengths.segment(found)
    pcm = head.pcm + lengths.pcm(found.seconds) + bytes(2 * (found.slot - found.speech))
    first = synth.stream(mp3.encode(pcm, rate, s.bitrate_kbps, s.quality))
    if first.samples != mp3.encoded_samples(len(pcm) // 2, rate, s.bitrate_kbps, s.quality):
        raise synth.SynthError("the MP3 encoder's length depends on more than the sample count")
    audio = (first.data + body[0].data, *(p.data for p in body[1:]))
    samples = (first.samples + body[0].samples, *(p.samples for p in body[1:]))
    spoken_tracks = (speech.with_opening(tracks[0], (*fixed, said)), *tracks[1:])
    opening_starts = [sp.start for sp in head.spans] + [head.samples]
    starts = [_starts(opening_starts + [first.samples + sp.start for sp in parts[0].spans])]
    starts += [_starts([sp.start for sp in p.spans]) for p in parts[1:]]
    return Recorded(spoken_tracks, audio, samples, tuple(starts), rate, head.voice)


def _starts(encoded: list[int]) -> tuple[int, ...]:
    """Decoded start of each segment: the decoder's delay later than where it was encoded,
    except the first, which starts its track (the delay's silence belongs to it)."""
    return tuple(0 if i == 0 else n + DECODER_DELAY for i, n in enumerate(encoded))


class _Lengths:
    """The opening's length sentence for any stated length, spoken on demand, several at a
    time: each by a fresh engine, so its samples do not depend on which others were asked."""

    #: Lengths spoken per job, around the one asked for: the search rarely needs another.
    AROUND = (-1, 0, 1, 2)

    def __init__(self, job: Job, s: Settings, tracks: int, run: _Run, work: Path) -> None:
        self.job, self.settings, self.tracks, self.run, self.work = job, s, tracks, run, work
        self.found: dict[int, tuple[speech.Segment, bytes]] = {}
        self.sample_rate = 1

    def sentence(self, seconds: int) -> speech.Segment:
        return speech.length_sentence(self.job.doc, self.job.outline, self.settings.voice,
                                      self.tracks, seconds)

    def samples(self, seconds: int) -> int:
        if seconds not in self.found:
            wanted = [seconds + d for d in self.AROUND if seconds + d >= 0]
            said = [self.sentence(n) for n in wanted]
            key = f"opening announcement (length {seconds} s)"
            spec = replace(_job(self.job.doc, self.settings, key, said,
                                self.work / f"length-{seconds}"), encode=False, isolated=True)
            rec = self.run([spec], 1)[key]
            self.sample_rate = rec.sample_rate
            for n, segment, span in zip(wanted, said, rec.spans, strict=True):
                pcm = rec.pcm[2 * span.start : 2 * (span.start + span.speech)]
                self.found.setdefault(n, (segment, pcm))
        return len(self.found[seconds][1]) // 2

    def pcm(self, seconds: int) -> bytes:
        return self.found[seconds][1]

    def segment(self, found: opening.Fit) -> speech.Segment:
        """The sentence as said, with the silence that fills its slot as its pause."""
        segment = self.found[found.seconds][0]
        return replace(segment, pause_ms=round((found.slot - found.speech) * 1000
                                               / self.sample_rate))


def _job(doc: Document, s: Settings, key: str, segments: Sequence[speech.Segment],
         out: Path) -> synth.SynthJob:
    return synth.SynthJob(key=key, texts=tuple((g.spoken, g.pause_ms) for g in segments),
                          language=doc.meta.language, rate_wpm=s.voice.rate_wpm,
                          bitrate_kbps=s.bitrate_kbps, quality=s.quality,
                          out=out.with_suffix(".audio"), timeout_s=s.timeout_s)
