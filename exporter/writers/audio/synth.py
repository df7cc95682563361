"""Speech jobs: each section spoken (pyttsx3 + espeak-ng) and MP3-encoded in its own process."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import importlib.util
import json
import os
import shutil
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.writers.audio.mp3 import Mp3Error, Mp3Stream, encode, parse_mp3

if TYPE_CHECKING:
    import multiprocessing.connection as mpc

#: What to install when no engine loads; the writer's error message repeats it.
ENGINE_HINT = (
    "install the Python package espeakng-loader (pip install espeakng-loader), "
    "or the Debian/Ubuntu packages libespeak-ng1 and espeak-ng-data"
)
#: Test hook: "hang" = the engine never reports the end of an utterance;
#: "stall" = the job's process gets stuck before speaking (only a kill ends it).
FAULT_ENV = "EXPORTER_AUDIO_FAULT"
#: Extra time the parent allows past a job's own limit before it kills the process.
KILL_GRACE_S = 0.5
#: Times a job is run when pyttsx3 cancels one of its utterances itself (see synthesise()).
JOB_TRIES = 3


class SynthError(Exception):
    """A speech job failed; the message says which section and what to do."""


class RetryJob(SynthError):
    """A job met a known transient engine race; running it again in a new process is safe."""


@dataclass(frozen=True)
class SynthJob:
    """One process's work: speak texts with pauses, then encode them to raw MP3 frames."""

    key: str  #: names the job in messages, e.g. "section 3.1 Relapsing MS"
    texts: tuple[tuple[str, int], ...]  #: (spoken text, pause after it in ms)
    language: str  #: BCP 47 tag of the source, e.g. "en-GB"
    rate_wpm: int
    bitrate_kbps: int
    quality: int  #: LAME algorithm quality, 0 (best, slowest) .. 9
    out: Path  #: where the MP3 frames go (no tags)
    timeout_s: float


def stream(data: bytes) -> Mp3Stream:
    """The counted MP3 frames of a job's output; SynthError if they are not a valid stream."""
    try:
        return parse_mp3(data)
    except Mp3Error as exc:
        raise SynthError(str(exc)) from exc


# ---------------------------------------------------------------- engine


def library_path() -> str | None:
    """The espeak-ng library: the espeakng-loader wheel's copy, else the system's, else None."""
    try:
        import espeakng_loader

        path = str(espeakng_loader.get_library_path())
        if Path(path).is_file():
            return path
    except (ImportError, RuntimeError, OSError):
        pass
    return ctypes.util.find_library("espeak-ng")


def check_engine() -> None:
    """Fail early, without loading anything, when no speech engine can be loaded."""
    if importlib.util.find_spec("pyttsx3") is None:
        raise SynthError("no speech engine: the Python package pyttsx3 is missing "
                         "(pip install pyttsx3)")
    if importlib.util.find_spec("lameenc") is None:
        raise SynthError("no MP3 encoder: the Python package lameenc is missing "
                         "(pip install lameenc)")
    if library_path() is None:
        raise SynthError(f"no speech engine: espeak-ng was not found; {ENGINE_HINT}")


def load_engine() -> Any:
    """A pyttsx3 espeak engine; call only inside a job's process (espeak keeps threads)."""
    path = library_path()
    if path is None:
        raise SynthError(f"no speech engine: espeak-ng was not found; {ENGINE_HINT}")
    try:
        if Path(path).is_file():
            import espeakng_loader

            # pyttsx3 loads "libespeak-ng.so.1" by name; a library already loaded globally
            # with that soname is the one it gets, so the wheel's copy works without root.
            os.environ["ESPEAK_DATA_PATH"] = str(Path(espeakng_loader.get_data_path()).parent)
            ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        import pyttsx3

        return pyttsx3.init("espeak")
    except Exception as exc:
        raise SynthError(f"the speech engine did not start ({exc}); {ENGINE_HINT}") from exc


def choose_voice(engine: Any, language: str) -> str:
    """Select the voice for exactly this language and check it took; never fall back."""
    want = language.lower()
    voices = engine.getProperty("voices")
    ids = [v.id for v in voices if want in [str(lang).lower() for lang in (v.languages or [])]]
    if not ids:
        primary = want.split("-")[0]
        near = sorted({str(lang) for v in voices for lang in (v.languages or [])
                       if str(lang).lower().split("-")[0] == primary})
        raise SynthError(
            f"espeak-ng has no voice for the language '{language}' "
            f"(voices it has for '{primary}': {', '.join(near) or 'none'}); "
            "set 'language' in the source's front matter to one of them"
        )
    engine.setProperty("voice", ids[0])
    if engine.getProperty("voice") != ids[0]:
        raise SynthError(f"espeak-ng did not select the voice {ids[0]} for '{language}'")
    return str(ids[0])


def set_rate(engine: Any, rate_wpm: int) -> None:
    # Not read back: pyttsx3 binds espeak_GetParameter without its "current" argument, so
    # getProperty("rate") returns an unreliable value. The tests check the pace from durations.
    if not 80 <= rate_wpm <= 450:  # espeak-ng's own range
        raise SynthError(f"speaking rate {rate_wpm} is outside espeak-ng's 80-450 words a minute")
    engine.setProperty("rate", rate_wpm)


# ---------------------------------------------------------------- one job


def synthesise(engine: Any, texts: Sequence[tuple[str, int]], workdir: Path,
               deadline: float) -> tuple[bytes, int]:
    """16-bit mono PCM of every text with its pause after it, and the sample rate."""
    from pyttsx3.drivers import _espeak

    finished = threading.Event()
    errors: list[str] = []
    incomplete: list[bool] = []

    def on_finished(name: object = None, completed: bool = True) -> None:
        if not completed:
            incomplete.append(True)
        finished.set()

    engine.connect("finished-utterance", on_finished)
    engine.connect("error", lambda name=None, exception=None: errors.append(str(exception)))
    hang = os.environ.get(FAULT_ENV) == "hang"
    pcm, rate = bytearray(), 0
    for i, (text, pause_ms) in enumerate(texts):
        clean = text.encode("utf-8", "replace").decode("utf-8").strip()
        if not clean:
            continue  # the engine asserts on empty text; nothing to say anyway
        wav = workdir / f"{i:04d}.wav"
        _wait_idle(_espeak, deadline, clean)
        finished.clear()
        if not hang:
            engine.save_to_file(clean, str(wav))
            engine.runAndWait()
        # runAndWait can return before the file exists: the callback is the real end.
        if not finished.wait(max(0.0, deadline - time.monotonic())):
            raise SynthError(f"espeak-ng did not finish speaking within the time limit "
                             f"(at: {clean[:60]!r})")
        if errors:
            raise SynthError(f"espeak-ng failed: {errors[0]} (at: {clean[:60]!r})")
        if incomplete:
            # pyttsx3 cancelled its own utterance (its stop() racing espeak's busy flag).
            # Saying it again here would change the engine's state, and so the audio of
            # every later text: the whole job is re-run in a fresh process instead.
            raise RetryJob(f"espeak-ng cancelled an utterance (at: {clean[:60]!r})")
        frames, rate = read_wav(wav, clean)
        wav.unlink()
        pcm += frames
        pcm += bytes(2 * (rate * pause_ms // 1000))
    if not pcm:
        raise SynthError("nothing to say: every text of the job was empty")
    return bytes(pcm), rate


def _wait_idle(espeak: Any, deadline: float, text: str) -> None:
    # espeak-ng still reports "playing" for a moment after the finished-utterance callback;
    # pyttsx3 then cancels at the next runAndWait, and the cancelled message's end event
    # makes it write an empty WAV for the new text. Start the next text only when idle.
    while espeak.IsPlaying():
        if time.monotonic() > deadline:
            raise SynthError(f"espeak-ng stayed busy past the time limit (before: {text[:60]!r})")
        time.sleep(0.0005)


def read_wav(path: Path, text: str) -> tuple[bytes, int]:
    """Frames of a WAV the engine wrote, checked: exists, mono 16-bit, not empty."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getnchannels() != 1 or w.getsampwidth() != 2:
                raise SynthError(f"espeak-ng wrote an unexpected WAV format for {text[:60]!r}")
            frames, rate = w.readframes(w.getnframes()), w.getframerate()
    except (OSError, EOFError, wave.Error) as exc:
        raise SynthError(f"espeak-ng wrote no valid audio for {text[:60]!r} ({exc})") from exc
    if not frames:
        raise SynthError(f"espeak-ng wrote silence (0 frames) for {text[:60]!r}")
    return frames, rate


def run_one(job: SynthJob) -> None:
    """Do one job in this process: speak, check, encode, write job.out."""
    deadline = time.monotonic() + job.timeout_s
    if os.environ.get(FAULT_ENV) == "stall":
        time.sleep(10 * job.timeout_s + 60)
    engine = load_engine()
    choose_voice(engine, job.language)
    set_rate(engine, job.rate_wpm)
    workdir = job.out.with_suffix(".wavs")
    workdir.mkdir(parents=True, exist_ok=True)
    pcm, rate = synthesise(engine, job.texts, workdir, deadline)
    shutil.rmtree(workdir, ignore_errors=True)
    data = encode(pcm, rate, job.bitrate_kbps, job.quality)
    stream(data)  # fail here, in the job, if the encoder produced garbage
    job.out.write_bytes(data)


def _child(job: SynthJob, conn: mpc.Connection) -> None:
    # pyttsx3 prints "Audio saved to ..." for every file: keep the CLI's output clean.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        run_one(job)
        conn.send(("ok", ""))
    except RetryJob as exc:
        conn.send(("retry", str(exc)))
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


def run_all(jobs: Sequence[SynthJob], workers: int) -> dict[str, Mp3Stream]:
    """Run the jobs, at most ``workers`` at a time, each in its own process with its limit.

    The first failure or overrun kills every job still running and raises SynthError.
    """
    # Imported here: the audio writer's module must stay cheap to load for `exporter writers`.
    import multiprocessing as mp
    import multiprocessing.connection as mpc

    ctx: Any = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    pending, running = list(jobs), dict[Any, _Running]()
    results: dict[str, Mp3Stream] = {}
    tries: dict[str, int] = {}
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
                try:
                    results[done.job.key] = _finish(done)
                except RetryJob:
                    tries[done.job.key] = tries.get(done.job.key, 1) + 1
                    if tries[done.job.key] > JOB_TRIES:
                        raise
                    pending.insert(0, done.job)
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


def _finish(done: _Running) -> Mp3Stream:
    done.proc.join()
    status = done.conn.recv() if done.conn.poll() else None
    done.conn.close()
    if status is not None and status[0] == "retry":
        raise RetryJob(f"{done.job.key}: {status[1]}")
    if status is None or status[0] != "ok":
        why = status[1] if status else f"its process ended with exit code {done.proc.exitcode}"
        raise SynthError(f"{done.job.key}: {why}")
    return stream(done.job.out.read_bytes())


# ---------------------------------------------------------------- reuse


@dataclass
class SynthCache:
    """MP3 frames of jobs already spoken, keyed by what is said and how it is said.

    A section whose words, voice and encoding are unchanged is taken from here instead of
    being spoken again, so editing one section re-synthesises that section alone.
    """

    folder: Path
    used: set[str] = field(default_factory=set)
    spoken: int = 0  #: jobs synthesised in this build
    reused: int = 0  #: jobs taken from the cache in this build

    def key(self, job: SynthJob) -> str:
        from importlib.metadata import version

        engine = [library_path() or ""]
        engine += [version(p) for p in ("pyttsx3", "lameenc", "espeakng-loader")
                   if importlib.util.find_spec(p.replace("-", "_"))]
        said = [job.texts, job.language, job.rate_wpm, job.bitrate_kbps, job.quality, engine]
        return hashlib.sha256(json.dumps(said).encode()).hexdigest()

    def run(self, jobs: Sequence[SynthJob], workers: int) -> dict[str, Mp3Stream]:
        """Like run_all, reusing every job spoken before with the same key."""
        from exporter.output import atomic_write

        found: dict[str, Mp3Stream] = {}
        todo: list[SynthJob] = []
        keys = {job.key: self.key(job) for job in jobs}
        for job in jobs:
            try:
                found[job.key] = stream((self.folder / f"{keys[job.key]}.mp3").read_bytes())
            except (OSError, SynthError):
                todo.append(job)
        made = run_all(todo, workers) if todo else {}
        for job in todo:
            atomic_write(self.folder / f"{keys[job.key]}.mp3", made[job.key].data)
        self.used.update(keys.values())
        self.spoken += len(todo)
        self.reused += len(found)
        return {**found, **made}

    def prune(self) -> None:
        """Forget what this build did not use (an edited section's old recording)."""
        for path in self.folder.glob("*.mp3"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
