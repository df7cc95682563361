"""Audio benchmark: synthesis, encoding and end to end vs espeak-ng writing the same text to WAV.

Prints JSON. Not a test. Usage: .venv/bin/python bench/bench_audio.py [--runs N]
Or, to check a lexicon respelling: bench/bench_audio.py --phonemes WORD [RESPELLING ...]
(espeak-ng's IPA for each text, in the page language's voice, one a line).
The baseline is the `espeak-ng` command when installed (Debian package espeak-ng); otherwise
the same libespeak-ng the writer uses, driven the way the command drives it (synchronous
mode, one call, WAV written), labelled "espeak-ng library (CLI-equivalent)".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exporter import speech
from exporter.pipeline import JobSpec, run_job  # noqa: E402
from exporter.reader import read  # noqa: E402
from exporter.styles import load_styles  # noqa: E402
from exporter.writers.audio import mp3  # noqa: E402
from exporter.writers.base import Options  # noqa: E402

SOURCE = ROOT / "source" / "hsct.md"


def script_text() -> tuple[str, list[tuple[str, int]], int]:
    doc = read(SOURCE)
    outline = doc.outline
    voice = speech.voice_from_styles(load_styles())
    tracks = speech.body_tracks(doc, outline, voice)
    texts = [(s.spoken, s.pause_ms) for t in tracks for s in t.segments]
    return "\n".join(t for t, _ in texts), texts, voice.rate_wpm


def baseline_cli(text: str, rate: int, out: Path) -> tuple[str, float, float]:
    exe = shutil.which("espeak-ng")
    start = time.perf_counter()
    if exe:
        subprocess.run([exe, "-v", "en-gb", "-s", str(rate), "-w", str(out), text], check=True)
        label = "espeak-ng command"
    else:
        code = _LIBRARY_CLI.format(rate=rate, out=str(out))
        subprocess.run([sys.executable, "-c", code], input=text.encode(), check=True)
        label = "espeak-ng library (CLI-equivalent)"
    seconds = time.perf_counter() - start
    with wave.open(str(out)) as w:
        audio = w.getnframes() / w.getframerate()
    return label, seconds, audio


# A fresh process doing what `espeak-ng -w out.wav` does: init, voice, rate, synthesise, write.
_LIBRARY_CLI = """
import ctypes, os, sys, wave, espeakng_loader as L
lib = ctypes.CDLL(L.get_library_path())
CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
chunks = []
def cb(wav, n, ev):
    if n > 0:
        chunks.append(ctypes.string_at(wav, n * 2))
    return 0
keep = CB(cb)
rate = lib.espeak_Initialize(2, 0, os.path.dirname(L.get_data_path()).encode(), 0)
lib.espeak_SetSynthCallback(keep)
lib.espeak_SetVoiceByName(b"gmw/en")
lib.espeak_SetParameter(1, {rate}, 0)
text = sys.stdin.buffer.read()
lib.espeak_Synth(text, len(text) + 1, 0, 0, 0, 1, None, None)
lib.espeak_Synchronize()
with wave.open({out!r}, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(b"".join(chunks))
"""


def synthesis_only(texts: list[tuple[str, int]], rate: int, work: Path) -> tuple[float, bytes, int]:
    """One process, every segment through libespeak-ng (what one job does, without encoding)."""
    code = (
        "import sys, time, json, pickle\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\nfrom exporter.writers.audio import synth\n"
        "texts = json.loads(sys.stdin.read())\n"
        f"e, _ = synth.start_engine('en-GB', {rate})\n"
        "t = time.perf_counter()\n"
        "pcm, _ = synth.speak(e, texts, time.monotonic() + 120)\n"
        "r = e.sample_rate\n"
        "dt = time.perf_counter() - t\n"
        f"Path({str(work / 'pcm.raw')!r}).write_bytes(pcm)\n"
        "sys.stderr.write(json.dumps([dt, r]))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts).encode(),
                       capture_output=True, check=True)
    dt, r = json.loads(p.stderr.decode().strip().splitlines()[-1])
    return float(dt), (work / "pcm.raw").read_bytes(), int(r)


def phonemes(texts: list[str], language: str = "en-GB") -> list[str]:
    """espeak-ng's IPA for each text, from a fresh engine in a child process."""
    from exporter.writers.audio import synth

    def probe(items: list[str]) -> list[str]:
        engine, _ = synth.start_engine(language, 175)
        return [engine.phonemes(t) for t in items]

    return synth.in_child(probe, texts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--phonemes", nargs="+", metavar="TEXT",
                    help="print espeak-ng's phonemes for each text instead of benchmarking")
    ap.add_argument("--language", default="en-GB", help="voice for --phonemes")
    args = ap.parse_args()
    if args.phonemes:
        for text, ipa in zip(args.phonemes, phonemes(args.phonemes, args.language),
                             strict=True):
            print(f"{text}\t{ipa}")
        return
    runs = args.runs
    text, texts, rate = script_text()
    cfg = load_styles().section("audio")
    doc = read(SOURCE)
    outline = doc.outline
    styles = load_styles()
    result: dict[str, Any] = {"cpus": os.cpu_count(), "load_avg": os.getloadavg(),
                              "runs": runs, "words": len(text.split())}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = [baseline_cli(text, rate, work / "cli.wav") for _ in range(runs)]
        label, _, cli_audio = base[0]
        cli_s = statistics.median(b[1] for b in base)
        synth_runs = [synthesis_only(texts, rate, work) for _ in range(runs)]
        synth_s = statistics.median(s[0] for s in synth_runs)
        _, pcm, sr = synth_runs[0]
        speech_audio = len(pcm) / 2 / sr
        enc = []
        for _ in range(runs):
            t = time.perf_counter()
            data = mp3.encode(pcm, sr, int(cfg.get("bitrate_kbps", 64)),
                                int(cfg.get("mp3_quality", 7)))
            enc.append(time.perf_counter() - t)
        enc_s = statistics.median(enc)
        ends, audio = [], 0.0
        for i in range(runs):
            # A folder of its own each run: its cache (beside it) must not hold the last run's
            # recording, or the run only reads it back.
            out = work / f"run{i}" / "out"
            out.mkdir(parents=True)
            t = time.perf_counter()
            r = run_job(JobSpec("audio", Options()), doc, styles, out, "hsct")
            ends.append(time.perf_counter() - t)
            if not r.ok:
                raise SystemExit(f"audio writer failed: {r.error}")
            audio = next(float(e["facts"]["duration"]) for e in r.entries
                         if e["file"] == "hsct-audio.mp3")
        end_s = statistics.median(ends)
    result |= {
        "baseline": {"tool": label, "seconds": round(cli_s, 3), "audio_s": round(cli_audio, 1),
                     "x_realtime": round(cli_audio / cli_s)},
        "synthesis_one_process": {"seconds": round(synth_s, 3), "audio_s": round(speech_audio, 1),
                                  "x_realtime": round(speech_audio / synth_s)},
        "mp3_encoding_one_thread": {"seconds": round(enc_s, 3), "bytes": len(data),
                                    "x_realtime": round(speech_audio / enc_s)},
        "end_to_end_writer": {"seconds": round(end_s, 3), "audio_s": round(audio, 1),
                              "x_realtime": round(audio / end_s),
                              "all_runs": [round(e, 3) for e in ends]},
        # Speed in audio seconds made per wall second, ours over the baseline's (goal >= 0.6).
        "speed_vs_baseline": round((audio / end_s) / (cli_audio / cli_s), 2),
        "time_ratio_same_text": round(cli_s / end_s, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
