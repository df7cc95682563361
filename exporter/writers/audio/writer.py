"""Spoken-audio writer: an MP3 per section, a whole MP3 with ID3 chapters, playlist, transcript."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from exporter import speech
from exporter.model import Document
from exporter.outline import slugify
from exporter.styles import StylesError
from exporter.writers.audio import id3, synth
from exporter.writers.base import FileKind, Job, Produced, Writer, WriterError

#: ID3 CTOC frames hold at most 255 children.
MAX_CHAPTERS = 255
#: How many times the opening is re-spoken so that its stated duration is the real one.
OPENING_TRIES = 4
#: The stated duration (whole seconds) may differ from the real one by at most this much.
ANNOUNCED_TOLERANCE_S = 1.0


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
    cost: ClassVar[int] = 8  # ~0.8 s of synthesis and encoding for HSCT: start it early

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
            voice=speech.voice_from_styles(job.styles),
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


def _speak(job: Job, s: _Settings, tracks: tuple[speech.Track, ...], work: Path) -> _Spoken:
    """Every track in parallel, then the opening, re-spoken until its duration is right."""
    # Jobs spend part of their time asleep in pyttsx3's 10 ms polling loop, so more jobs than
    # cores keep the cores busy; the longest start first so none is left running alone.
    workers = 4 * (os.cpu_count() or 1)
    jobs = [_job(job.doc, s, f"section {t.entry.label}", t.segments, work / f"track-{t.number}.mp3")
            for t in tracks]
    longest_first = sorted(jobs, key=lambda j: -sum(len(text) for text, _ in j.texts))
    cache = synth.SynthCache(job.cache / job.stem) if job.cache is not None else None
    run = cache.run if cache is not None else synth.run_all
    body = run(longest_first, workers)
    parts = [body[j.key] for j in jobs]
    rest = sum(p.seconds for p in parts)
    # The pace measured on the body predicts the opening well enough to need one try.
    pace = _pace(tracks, [p.seconds for p in parts])
    draft = speech.opening(job.doc, job.outline, s.voice, len(tracks), rest)
    announced = rest + _estimate(draft, pace)
    for attempt in range(OPENING_TRIES):
        said = speech.opening(job.doc, job.outline, s.voice, len(tracks), announced)
        key = f"opening announcement (attempt {attempt + 1})"
        head = run([_job(job.doc, s, key, said, work / f"opening-{attempt}.mp3")], 1)[key]
        real = rest + head.seconds
        if abs(round(announced) - real) <= ANNOUNCED_TOLERANCE_S:
            break
        announced = real
    else:
        raise synth.SynthError("the opening announcement's duration did not settle")
    if cache is not None:
        cache.prune()
    rate = parts[0].sample_rate
    if any(p.sample_rate != rate or p.samples_per_frame != head.samples_per_frame
           for p in (*parts, head)):
        raise synth.SynthError("the sections came out at different sample rates")
    audio = (head.data + parts[0].data, *(p.data for p in parts[1:]))
    samples = (head.samples + parts[0].samples, *(p.samples for p in parts[1:]))
    return _Spoken((speech.with_opening(tracks[0], said), *tracks[1:]), audio, samples, rate)


def _job(doc: Document, s: _Settings, key: str, segments: Sequence[speech.Segment],
         out: Path) -> synth.SynthJob:
    return synth.SynthJob(key=key, texts=tuple((g.spoken, g.pause_ms) for g in segments),
                    language=doc.meta.language, rate_wpm=s.voice.rate_wpm,
                    bitrate_kbps=s.bitrate_kbps, quality=s.quality, out=out,
                    timeout_s=s.timeout_s)


def _pauses(segments: Sequence[speech.Segment]) -> float:
    return sum(g.pause_ms for g in segments) / 1000


def _pace(tracks: Sequence[speech.Track], seconds: Sequence[float]) -> tuple[float, float]:
    """Seconds per word and per utterance (the engine's end pause), fitted on the body."""
    rows = [(t.words, len(t.segments), secs - _pauses(t.segments))
            for t, secs in zip(tracks, seconds, strict=True)]
    sww = sum(w * w for w, _, _ in rows)
    sss = sum(n * n for _, n, _ in rows)
    sws = sum(w * n for w, n, _ in rows)
    swy = sum(w * y for w, _, y in rows)
    ssy = sum(n * y for _, n, y in rows)
    det = sww * sss - sws * sws
    if det > 1e-9:
        per_word, per_segment = (swy * sss - ssy * sws) / det, (ssy * sww - swy * sws) / det
        if per_word > 0 and per_segment >= 0:
            return per_word, per_segment
    return sum(y for *_, y in rows) / max(1, sum(w for w, _, _ in rows)), 0.0


def _estimate(segments: Sequence[speech.Segment], pace: tuple[float, float]) -> float:
    words = sum(len(g.spoken.split()) for g in segments)
    return words * pace[0] + len(segments) * pace[1] + _pauses(segments)


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
                                     "chapters": total}))
    playlist = f"{stem}-audio.m3u8"
    (job.dest / playlist).write_text(_m3u8(doc, spoken.tracks, names, seconds), encoding="utf-8")
    produced.append(Produced(playlist, {"tracks": total}))
    text = f"{stem}-audio-transcript.txt"
    (job.dest / text).write_text(speech.transcript(doc, spoken.tracks), encoding="utf-8")
    produced.append(Produced(text))
    return produced


def _slug(track_id: str) -> str:
    return slugify(track_id)[:40].rstrip("-")


def _m3u8(doc: Document, tracks: Sequence[speech.Track], names: Sequence[str],
          seconds: Sequence[float]) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{doc.meta.title}"]
    for t, name, secs in zip(tracks, names, seconds, strict=True):
        lines += [f"#EXTINF:{round(secs)},{doc.meta.publisher} - {t.entry.label}", name]
    return "\n".join(lines) + "\n"
