"""Speech jobs: each section spoken (libespeak-ng) and MP3-encoded in its own process, timed."""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import json
import os
import select
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from exporter.writers.audio.engine import (
    Engine,
    EngineError,
    Library,
    Utterance,
    find_library,
    loaded_here,
)
from exporter.writers.audio.mp3 import Mp3Error, Mp3Stream, encode, parse_mp3

if TYPE_CHECKING:
    import multiprocessing.connection as mpc

#: What to install when no engine loads; the writer's error message repeats it.
ENGINE_HINT = (
    "install the Python package espeakng-loader (pip install espeakng-loader), "
    "or the Debian/Ubuntu packages libespeak-ng1 and espeak-ng-data"
)
#: Test hook: "hang" = the engine never finishes speaking (it is slowed past the job's limit,
#: which the synthesis callback then detects); "stall" = the job's process gets stuck before
#: speaking (only a kill ends it).
FAULT_ENV = "EXPORTER_AUDIO_FAULT"
#: Extra time the parent allows past a job's own limit before it kills the process.
KILL_GRACE_S = 0.5
T = TypeVar("T")


class SynthError(Exception):
    """A speech job failed; the message says which section and what to do."""


@dataclass(frozen=True)
class SynthJob:
    """One process's work: speak texts with pauses, then encode them to raw MP3 frames."""

    key: str  #: names the job in messages, e.g. "section 3.1 Relapsing MS"
    texts: tuple[tuple[str, int], ...]  #: (spoken text, pause after it in ms)
    language: str  #: BCP 47 tag of the source, e.g. "en-GB"
    rate_wpm: int
    bitrate_kbps: int
    quality: int  #: LAME algorithm quality, 0 (best, slowest) .. 9
    out: Path  #: where the MP3 frames (or the raw samples) go; timings beside it (.json)
    timeout_s: float
    encode: bool = True  #: False: keep 16-bit samples (to be joined with others, then encoded)
    #: True: every text is spoken by a fresh copy of the engine (a fork), so its samples do
    #: not depend on the texts before it; used for alternatives of one sentence.
    isolated: bool = False


@dataclass(frozen=True)
class Span:
    """Where one text of a job lies in the job's samples (before MP3 encoding)."""

    start: int  #: first sample
    speech: int  #: samples of speech
    pause: int  #: samples of silence after it
    sentences: tuple[int, ...] = ()  #: sentence starts, relative to ``start``

    @property
    def end(self) -> int:
        return self.start + self.speech + self.pause


@dataclass(frozen=True)
class Recording:
    """What a job made: its audio, exact timings of each text, and the voice that spoke."""

    voice: str  #: espeak-ng voice identifier, e.g. "cel/cy"
    sample_rate: int
    spans: tuple[Span, ...]
    stream: Mp3Stream | None = None  #: when the job encoded
    pcm: bytes = b""  #: when it did not

    @property
    def samples(self) -> int:
        """Samples before encoding (the MP3 adds the encoder's delay and padding)."""
        return self.spans[-1].end if self.spans else 0


def stream(data: bytes) -> Mp3Stream:
    """The counted MP3 frames of a job's output; SynthError if they are not a valid stream."""
    try:
        return parse_mp3(data)
    except Mp3Error as exc:
        raise SynthError(str(exc)) from exc


# ---------------------------------------------------------------- engine


def library() -> Library:
    """The espeak-ng library jobs load; SynthError naming what to install when there is none."""
    found = find_library()
    if found is None:
        raise SynthError(f"no speech engine: espeak-ng was not found; {ENGINE_HINT}")
    return found


def check_engine() -> None:
    """Fail early, without loading anything, when no speech engine can be loaded."""
    if importlib.util.find_spec("lameenc") is None:
        raise SynthError("no MP3 encoder: the Python package lameenc is missing "
                         "(pip install lameenc)")
    library()


def start_engine(language: str, rate_wpm: int) -> tuple[Engine, str]:
    """An engine speaking ``language`` at ``rate_wpm``; only inside a job's own process."""
    try:
        engine = Engine(library())
        voice = engine.select(language)
        engine.set_rate(rate_wpm)
    except EngineError as exc:
        raise SynthError(str(exc)) from exc
    return engine, voice.identifier


# ---------------------------------------------------------------- one job


def speak(engine: Engine, texts: Sequence[tuple[str, int]], deadline: float,
          isolated: bool = False) -> tuple[bytes, tuple[Span, ...]]:
    """16-bit mono samples of every text with its pause after it, and where each text lies."""
    if os.environ.get(FAULT_ENV) == "hang":
        engine.on_buffer = lambda: time.sleep(0.2)
    pcm, spans = bytearray(), []
    for text, pause_ms in texts:
        clean = text.encode("utf-8", "replace").decode("utf-8").strip()
        start = len(pcm) // 2
        if not clean:  # nothing to say, and the engine would make a click of it
            spans.append(Span(start, 0, 0))
            continue
        try:
            said = _isolated(engine, clean, deadline) if isolated else \
                engine.speak(clean, deadline)
        except EngineError as exc:
            raise SynthError(str(exc)) from exc
        if not said.pcm:
            raise SynthError(f"espeak-ng made no sound for {clean[:60]!r}")
        pause = engine.sample_rate * pause_ms // 1000
        pcm += said.pcm
        pcm += bytes(2 * pause)
        spans.append(Span(start, said.samples, pause, said.sentences))
    if not pcm:
        raise SynthError("nothing to say: every text of the job was empty")
    return bytes(pcm), tuple(spans)


def _isolated(engine: Engine, text: str, deadline: float) -> Utterance:
    """``engine.speak(text)`` in a forked copy, so this process's engine stays unused."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: speak, send the samples, leave without any clean-up
        os.close(read_end)
        die_with_parent()
        status = 0
        try:
            said = engine.speak(text, deadline)
            head = json.dumps(said.sentences).encode()
            payload = b"ok" + len(head).to_bytes(4, "big") + head + said.pcm
        except Exception as exc:  # reported by the parent, which names the text
            payload, status = b"er" + str(exc).encode("utf-8", "replace"), 1
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, 9)
                raise SynthError(f"espeak-ng did not finish speaking within the time limit "
                                 f"(at: {text[:60]!r})")
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    data = b"".join(chunks)
    if data[:2] != b"ok":
        raise SynthError(data[2:].decode("utf-8", "replace") or
                         f"espeak-ng's process ended without speaking {text[:60]!r}")
    size = int.from_bytes(data[2:6], "big")
    return Utterance(data[6 + size:], tuple(json.loads(data[6 : 6 + size])))


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (even by SIGKILL), so that no
    speech process outlives an interrupted export; elsewhere a no-op."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_one(job: SynthJob) -> None:
    """Do one job in this process: speak, check, encode, write job.out and its timings."""
    deadline = time.monotonic() + job.timeout_s
    if os.environ.get(FAULT_ENV) == "stall":
        time.sleep(10 * job.timeout_s + 60)
    engine, voice = start_engine(job.language, job.rate_wpm)
    pcm, spans = speak(engine, job.texts, deadline, job.isolated)
    if job.encode:
        data = encode(pcm, engine.sample_rate, job.bitrate_kbps, job.quality)
        stream(data)  # fail here, in the job, if the encoder produced garbage
    else:
        data = pcm
    timings = {"voice": voice, "sample_rate": engine.sample_rate,
               "spans": [[s.start, s.speech, s.pause, list(s.sentences)] for s in spans]}
    job.out.with_suffix(".json").write_text(json.dumps(timings), encoding="utf-8")
    job.out.write_bytes(data)


def read_recording(job: SynthJob, data: bytes, timings: bytes) -> Recording:
    """A job's output files as a Recording; SynthError if they do not fit together."""
    try:
        t = json.loads(timings)
        spans = tuple(Span(int(a), int(b), int(c), tuple(int(x) for x in d))
                      for a, b, c, d in t["spans"])
        voice, rate = str(t["voice"]), int(t["sample_rate"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SynthError(f"{job.key}: unreadable timings ({exc})") from exc
    if len(spans) != len(job.texts):
        raise SynthError(f"{job.key}: {len(spans)} timings for {len(job.texts)} texts")
    if job.encode:
        encoded = stream(data)
        # Cache files are written without fsync: after a crash one may be cut short.
        if encoded.samples < (spans[-1].end if spans else 0):
            raise SynthError(f"{job.key}: the MP3 is shorter than its timings")
        return Recording(voice, rate, spans, stream=encoded)
    if len(data) != 2 * (spans[-1].end if spans else 0):
        raise SynthError(f"{job.key}: the samples do not match their timings")
    return Recording(voice, rate, spans, pcm=data)


def _child(job: SynthJob, conn: mpc.Connection) -> None:
    # A short-lived copy of the parent: a garbage collection would touch (and so copy) every
    # page the parent's objects live on, which costs more than the job itself.
    gc.disable()
    die_with_parent()
    try:
        run_one(job)
        conn.send(("ok", ""))
    except SynthError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:  # report anything: the parent must say which section failed
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


# ---------------------------------------------------------------- many jobs


@dataclass
class _Running:
    proc: Any  # multiprocessing.Process of whichever start method
    conn: mpc.Connection
    job: SynthJob
    deadline: float


def run_all(jobs: Sequence[SynthJob], workers: int) -> dict[str, Recording]:
    """Run the jobs, at most ``workers`` at a time, each in its own process with its limit.

    The first failure or overrun kills every job still running and raises SynthError.
    """
    # Imported here: the audio writer's module must stay cheap to load for `exporter writers`.
    import multiprocessing as mp
    import multiprocessing.connection as mpc

    # A job must start from a fresh engine: never fork a process that has loaded one.
    fork = "fork" in mp.get_all_start_methods() and not loaded_here()
    ctx: Any = mp.get_context("fork" if fork else "spawn")
    pending, running = list(jobs), dict[Any, _Running]()
    results: dict[str, Recording] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, workers):
                job = pending.pop(0)
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(job, writer), daemon=True)
                proc.start()
                writer.close()
                running[proc.sentinel] = _Running(proc, reader, job,
                                                  time.monotonic() + job.timeout_s + KILL_GRACE_S)
            soonest = min(r.deadline for r in running.values())
            for sentinel in mpc.wait(list(running), timeout=max(0.0, soonest - time.monotonic())):
                done = running.pop(sentinel)
                results[done.job.key] = _finish(done)
            for r in running.values():
                if time.monotonic() > r.deadline:
                    raise SynthError(
                        f"{r.job.key}: speech synthesis did not finish within "
                        f"{r.job.timeout_s:g} s and was stopped (raise job_timeout_s in "
                        "styles/audio.yaml if the section is very long)")
    finally:
        for r in running.values():
            r.proc.kill()
            r.proc.join()
            r.conn.close()
    return results


def _finish(done: _Running) -> Recording:
    done.proc.join()
    status = done.conn.recv() if done.conn.poll() else None
    done.conn.close()
    if status is None or status[0] != "ok":
        why = status[1] if status else f"its process ended with exit code {done.proc.exitcode}"
        raise SynthError(f"{done.job.key}: {why}")
    out = done.job.out
    return read_recording(done.job, out.read_bytes(), out.with_suffix(".json").read_bytes())


def in_child(function: Callable[..., T], *args: Any, timeout_s: float = 60) -> T:
    """``function(*args)`` run in a fresh process like a job's (the engine never loaded here):
    for probes of voices and phonemes. Its result must be picklable."""
    import multiprocessing as mp

    fork = "fork" in mp.get_all_start_methods() and not loaded_here()
    ctx: Any = mp.get_context("fork" if fork else "spawn")
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_call, args=(function, args, writer), daemon=True)
    proc.start()
    writer.close()
    try:
        if not reader.poll(timeout_s):
            raise SynthError(f"{getattr(function, '__name__', 'probe')} did not finish within "
                             f"{timeout_s:g} s")
        ok, value = reader.recv()
    finally:
        proc.kill()
        proc.join()
        reader.close()
    if not ok:
        raise SynthError(str(value))
    return cast(T, value)


def _call(function: Callable[..., Any], args: tuple[Any, ...], conn: mpc.Connection) -> None:
    try:
        conn.send((True, function(*args)))
    except Exception as exc:  # sent back to the caller, which raises it as SynthError
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
