"""Spoken-audio writer: an MP3 per section, a whole MP3 with ID3 chapters, playlist, transcript."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from exporter import speech
from exporter.model import Document
from exporter.outline import slugify
from exporter.styles import StylesError
from exporter.writers.audio import cache as recordings
from exporter.writers.audio import id3, mp3, opening, playlist, synth
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError

#: ID3 CTOC frames hold at most 255 children.
MAX_CHAPTERS = 255

_Run = Callable[[Sequence[synth.SynthJob], int], dict[str, synth.Recording]]


@dataclass(frozen=True)
class _Settings:
    voice: speech.Voice
    bitrate_kbps: int
    quality: int
    timeout_s: float


class AudioWriter(Writer):
    """MP3 talking book: a track per section, a chaptered whole-document MP3, M3U8, transcript."""

    name: ClassVar[str] = "audio"
    description: ClassVar[str] = (
        "Spoken audio (espeak-ng): MP3 per section, whole MP3 with chapters, playlist, transcript"
    )
    label: ClassVar[str] = "Audio"
    hint: ClassVar[str] = (
        "Spoken recording with one track per section, a playlist and a transcript."
    )
    files: ClassVar[tuple[FileKind, ...]] = (
        FileKind(".mp3", "audio/mpeg", "MP3", role="whole recording"),
        FileKind(".m3u8", "application/vnd.apple.mpegurl", "M3U8 playlist",
                 role="playlist of the tracks"),
        FileKind(".txt", "text/plain; charset=utf-8", "text", role="transcript", inline=True),
    )
    checker: ClassVar[str | None] = "exporter.writers.audio.check:check"
    order: ClassVar[int] = 40
    cost: ClassVar[int] = 8  # the slowest writer for HSCT (synthesis, encoding): start it early

    def write(self, job: Job) -> list[Produced]:
        settings = _settings(job)
        tracks = speech.body_tracks(job.doc, job.outline, settings.voice)
        if not tracks:
            raise WriterError(f"{job.doc.source_path}: no headings, nothing to record")
        if len(tracks) > MAX_CHAPTERS:
            raise WriterError(f"{job.doc.source_path}: {len(tracks)} sections; the MP3 chapter "
                              f"table holds at most {MAX_CHAPTERS}")
        work = job.dest / ".audio-work"
        work.mkdir()
        try:
            synth.check_engine()
            streams = _speak(job, settings, tracks, work)
        except synth.SynthError as exc:
            raise WriterError(f"audio: {exc}") from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return _publishable(job, tracks, streams)


def _settings(job: Job) -> _Settings:
    cfg = job.styles.section("audio")
    try:
        return _Settings(
            voice=speech.voice_from_styles(job.styles, job.doc.meta.language),
            bitrate_kbps=int(cfg.get("bitrate_kbps", 64)),
            quality=int(cfg.get("mp3_quality", 7)),
            timeout_s=float(cfg.get("job_timeout_s", 60)),
        )
    except (StylesError, TypeError, ValueError) as exc:
        raise WriterError(f"audio settings: {exc}") from exc


# ---------------------------------------------------------------- speaking


@dataclass(frozen=True)
class _Spoken:
    tracks: tuple[speech.Track, ...]  #: with the opening in the first
    audio: tuple[bytes, ...]  #: MP3 frames of each track
    samples: tuple[int, ...]  #: decoded length of each track
    rate: int
    voice: str  #: the espeak-ng voice that spoke, e.g. "cel/cy"


def _speak(job: Job, s: _Settings, tracks: tuple[speech.Track, ...], work: Path) -> _Spoken:
    """Every track and the opening's fixed part in parallel, then the opening's length."""
    # Jobs are CPU-bound (synchronous synthesis, then encoding): one per core; the longest
    # start first so that none is left running alone at the end.
    workers = os.cpu_count() or 1
    jobs = [_job(job.doc, s, f"section {t.entry.label}", t.segments, work / f"track-{t.number}")
            for t in tracks]
    fixed = speech.opening_fixed(job.doc, job.outline, s.voice)
    head_job = replace(_job(job.doc, s, "opening announcement", fixed, work / "opening"),
                       encode=False)
    longest_first = sorted([*jobs, head_job], key=lambda j: -sum(len(t) for t, _ in j.texts))
    cache = recordings.SynthCache(job.cache / job.stem) if job.cache is not None else None
    run = cache.run if cache is not None else synth.run_all
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
    if cache is not None:
        cache.prune()
    audio = (first.data + body[0].data, *(p.data for p in body[1:]))
    samples = (first.samples + body[0].samples, *(p.samples for p in body[1:]))
    spoken_tracks = (speech.with_opening(tracks[0], (*fixed, said)), *tracks[1:])
    return _Spoken(spoken_tracks, audio, samples, rate, head.voice)


class _Lengths:
    """The opening's length sentence for any stated length, spoken on demand, several at a
    time: each by a fresh engine, so its samples do not depend on which others were asked."""

    #: Lengths spoken per job, around the one asked for: the search rarely needs another.
    AROUND = (-1, 0, 1, 2)

    def __init__(self, job: Job, s: _Settings, tracks: int, run: _Run, work: Path) -> None:
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


def _job(doc: Document, s: _Settings, key: str, segments: Sequence[speech.Segment],
         out: Path) -> synth.SynthJob:
    return synth.SynthJob(key=key, texts=tuple((g.spoken, g.pause_ms) for g in segments),
                          language=doc.meta.language, rate_wpm=s.voice.rate_wpm,
                          bitrate_kbps=s.bitrate_kbps, quality=s.quality,
                          out=out.with_suffix(".audio"), timeout_s=s.timeout_s)


# ---------------------------------------------------------------- files


def _publishable(job: Job, tracks: Sequence[speech.Track], spoken: _Spoken) -> list[Produced]:
    doc, stem = job.doc, job.stem
    total = len(spoken.tracks)
    width = max(2, len(str(total)))
    names = [f"{stem}-audio-{t.number:0{width}d}-{_slug(t.entry.id)}.mp3" for t in spoken.tracks]
    seconds = [n / spoken.rate for n in spoken.samples]
    produced: list[Produced] = []
    for t, name, data, secs in zip(spoken.tracks, names, spoken.audio, seconds, strict=True):
        tag = id3.tag([id3.text("TIT2", t.entry.label), *id3.common(doc),
                       id3.text("TRCK", f"{t.number}/{total}")])
        (job.dest / name).write_bytes(tag + data)
        produced.append(Produced(name, {"duration": round(secs, 2), "track": t.number,
                                        "title": t.entry.label}))
    whole = f"{stem}-audio.mp3"
    starts = [0]
    for n in spoken.samples:
        starts.append(starts[-1] + n)
    ms = [round(x * 1000 / spoken.rate) for x in starts]
    chapters = [id3.chapter(f"ch{t.number}", ms[i], ms[i + 1], t.entry.title)
                for i, t in enumerate(spoken.tracks)]
    toc = id3.table_of_contents("toc", [f"ch{t.number}" for t in spoken.tracks], doc.meta.title)
    tag = id3.tag([id3.text("TIT2", doc.meta.title), *id3.common(doc), toc, *chapters])
    (job.dest / whole).write_bytes(tag + b"".join(spoken.audio))
    produced.append(Produced(whole, {"duration": round(starts[-1] / spoken.rate, 2),
                                     "chapters": total, "voice": spoken.voice}))
    name = f"{stem}-audio.m3u8"
    entries = [playlist.Entry(secs, t.entry.label, n)
               for t, n, secs in zip(spoken.tracks, names, seconds, strict=True)]
    text = playlist.m3u8(doc.meta.title, doc.meta.publisher, entries)
    (job.dest / name).write_text(text, encoding="utf-8")
    produced.append(Produced(name, {"tracks": total}))
    name = f"{stem}-audio-transcript.txt"
    (job.dest / name).write_text(speech.transcript(doc, spoken.tracks), encoding="utf-8")
    produced.append(Produced(name))
    return produced


def _slug(track_id: str) -> str:
    return slugify(track_id)[:40].rstrip("-")
