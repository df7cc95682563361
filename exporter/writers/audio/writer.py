"""Spoken-audio writer: an MP3 per section, a whole MP3 with ID3 chapters, playlist, transcript."""

from __future__ import annotations

from typing import ClassVar

from exporter import speech
from exporter.outline import slugify
from exporter.writers.audio import book, id3, playlist
from exporter.writers.base import FileKind, Job, Produced, Writer

#: ID3 CTOC frames hold at most 255 children.
MAX_CHAPTERS = 255

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
        return publishable(job, book.record(job, MAX_CHAPTERS))


# ---------------------------------------------------------------- files


def publishable(job: Job, spoken: book.Recorded) -> list[Produced]:
    """The track MP3s, the whole MP3 with chapters, the playlist and the transcript."""
    doc, stem = job.doc, job.stem
    total = len(spoken.tracks)
    width = max(2, len(str(total)))
    names = [f"{stem}-audio-{t.number:0{width}d}-{_slug(t.entry.id)}.mp3" for t in spoken.tracks]
    seconds = [n / spoken.rate for n in spoken.samples]
    produced: list[Produced] = []
    for t, name, data, n in zip(spoken.tracks, names, spoken.audio, spoken.samples, strict=True):
        tag = id3.tag([id3.text("TIT2", speech.track_title(t.entry)), *id3.common(doc),
                       id3.text("TRCK", f"{t.number}/{total}"), id3.length(n, spoken.rate)])
        (job.dest / name).write_bytes(tag + data)
        produced.append(Produced(name, {**length_facts(n, spoken.rate), "track": t.number,
                                        "title": speech.track_title(t.entry)}))
    whole = f"{stem}-audio.mp3"
    starts = [0]
    for n in spoken.samples:
        starts.append(starts[-1] + n)
    ms = [round(x * 1000 / spoken.rate) for x in starts]
    # Chapters are titled as the tracks and the spoken contents: with the section number.
    chapters = [id3.chapter(f"ch{t.number}", ms[i], ms[i + 1], speech.track_title(t.entry))
                for i, t in enumerate(spoken.tracks)]
    toc = id3.table_of_contents("toc", [f"ch{t.number}" for t in spoken.tracks], doc.meta.title)
    tag = id3.tag([id3.text("TIT2", doc.meta.title), *id3.common(doc),
                   id3.length(spoken.total, spoken.rate), toc, *chapters])
    (job.dest / whole).write_bytes(tag + b"".join(spoken.audio))
    produced.append(Produced(whole, {**length_facts(spoken.total, spoken.rate),
                                     "chapters": total, "voice": spoken.voice}))
    name = f"{stem}-audio.m3u8"
    entries = [playlist.Entry(secs, speech.track_title(t.entry), n)
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


def length_facts(samples: int, rate: int) -> dict[str, object]:
    """A length for the manifest: ``duration`` in whole seconds, rounded the one way every
    place rounds (the download page shows it as it is), and ``seconds`` exactly."""
    return {"duration": speech.whole_seconds(samples / rate),
            "seconds": round(samples / rate, 3)}
