"""libespeak-ng through ctypes: the voice of the page's language is the one that speaks.

Every probe runs in a fresh process (synth.in_child), as speech jobs do: this test process
never loads the library, so the audio tests after it still fork clean engines.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from exporter.writers.audio import engine, synth
from exporter.writers.audio.engine import VoiceInfo, pick_voice
from exporter.writers.audio.opening import Fit, OpeningError, fit

WELSH = "Mae hwn yn frawddeg Gymraeg."


# ---------------------------------------------------------------- choosing a voice


VOICES = (
    VoiceInfo("gmw/en", "English (Great Britain)", ((2, "en-gb"), (2, "en"))),
    VoiceInfo("gmw/en-US", "English (America)", ((2, "en-us"), (3, "en"))),
    VoiceInfo("gmw/en-GB-x-rp", "English (RP)", ((5, "en-gb-x-rp"), (4, "en-gb"), (5, "en"))),
    VoiceInfo("cel/cy", "Welsh", ((5, "cy"),)),
    VoiceInfo("roa/fr", "French (France)", ((5, "fr-fr"), (5, "fr"))),
    VoiceInfo("mb/mb-fr1", "French (MBROLA)", ((1, "fr"),)),
)


@pytest.mark.parametrize(("tag", "voice"), [
    ("en-GB", "gmw/en"),  # exact, best priority
    ("en", "gmw/en"),  # a second language in the list (pyttsx3 only read the first)
    ("en-US", "gmw/en-US"),
    ("en-IE", "gmw/en"),  # no Irish voice: the nearest English one
    ("cy", "cel/cy"),
    ("cy-GB", "cel/cy"),
    ("CY_gb", "cel/cy"),
    ("fr", "roa/fr"),  # never an MBROLA voice, which needs a program we do not install
    ("so", None),  # Somali: no voice, and never another language's
    ("enx", None),
])
def test_voice_chosen_by_language_never_another_language(tag: str, voice: str | None) -> None:
    found = pick_voice(VOICES, tag)
    assert (found.identifier if found else None) == voice


# ---------------------------------------------------------------- the real engine


def welsh_probe(text: str) -> dict[str, Any]:
    """In a fresh process: our choice of voice for cy-GB, read back, with its phonemes and
    samples; then what the espeak-ng command does for `-v cy` (SetVoiceByName("cy")), and
    English on the same text."""
    lib = engine.find_library()
    assert lib is not None
    ours = engine.Engine(lib)
    chosen = ours.select("cy-GB")
    ours.set_rate(165)
    result: dict[str, Any] = {"chosen": chosen.identifier, "current": ours.current_voice(),
                              "phonemes": ours.phonemes(text), "version": ours.version}
    result["pcm"] = ours.speak(text).pcm
    english = engine.Engine(lib)  # the same library instance: select English on it
    english.select("en-GB")
    result["english_voice"] = english.current_voice()
    result["english_phonemes"] = english.phonemes(text)
    return result


def command_like_probe(text: str) -> dict[str, Any]:
    """In a fresh process, what `espeak-ng -v cy -s 165` does, with raw library calls only."""
    lib = engine.find_library()
    assert lib is not None
    c = ctypes.CDLL(lib.path)
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                     ctypes.c_void_p)

    def on_synth(wav: Any, n: int, events: Any) -> int:
        if n > 0:
            chunks.append(ctypes.string_at(wav, 2 * n))
        return 0

    keep = callback_type(on_synth)
    c.espeak_Initialize(2, 1000, lib.data.encode() if lib.data else None, 0)
    c.espeak_SetSynthCallback(keep)
    assert c.espeak_SetVoiceByName(b"cy") == 0
    c.espeak_SetParameter(1, 165, 0)
    c.espeak_SetParameter(2, 100, 0)
    data = text.encode()
    c.espeak_Synth(data, ctypes.c_size_t(len(data) + 1), 0, 1, 0, 0x1001, None, None)
    return {"pcm": b"".join(chunks)}


@pytest.fixture(scope="module")
def welsh() -> dict[str, Any]:
    return synth.in_child(welsh_probe, WELSH)


def test_welsh_voice_selected_and_read_back(welsh: dict[str, Any]) -> None:
    assert welsh["chosen"] == welsh["current"] == "cel/cy"
    assert welsh["english_voice"] == "gmw/en"


def test_welsh_phonemes_are_welsh_and_match_the_espeak_ng_command(welsh: dict[str, Any]) -> None:
    assert welsh["phonemes"] != welsh["english_phonemes"]
    # Welsh rules: "Mae" is [mɑɨ], "frawddeg" has the Welsh "dd" [ð]; English says "mˈiː".
    assert welsh["phonemes"].startswith("mɑɨ") and "ð" in welsh["phonemes"]
    assert welsh["english_phonemes"].startswith("mˈiː")
    command = shutil.which("espeak-ng")
    if command:  # the Debian command, when installed (its own library and data)
        run = subprocess.run([command, "-v", "cy", "-q", "-x", "--ipa", WELSH],
                             capture_output=True, text=True, timeout=30, check=True)
        assert run.stdout.strip() == welsh["phonemes"]


def test_welsh_audio_is_what_espeak_ng_makes_for_welsh(welsh: dict[str, Any]) -> None:
    reference = synth.in_child(command_like_probe, WELSH)
    assert welsh["pcm"] == reference["pcm"]  # the same samples as `espeak-ng -v cy`


def test_job_speaks_welsh_and_english_differently(tmp_path: Path) -> None:
    jobs = [synth.SynthJob(f"probe {lang}", ((WELSH, 0),), lang, 165, 64, 7,
                           tmp_path / f"{lang}.audio", 30, encode=False)
            for lang in ("cy", "en-GB")]
    done = synth.run_all(jobs, 2)
    cy, en = done["probe cy"], done["probe en-GB"]
    assert (cy.voice, en.voice) == ("cel/cy", "gmw/en")
    assert cy.pcm != en.pcm and abs(cy.samples - en.samples) > 0.05 * en.samples
    reference = synth.in_child(command_like_probe, WELSH)["pcm"]
    assert cy.pcm[: 2 * cy.spans[0].speech] == reference


def test_language_without_voice_names_what_espeak_ng_has(tmp_path: Path) -> None:
    job = synth.SynthJob("probe", (("Salaan.", 0),), "so", 165, 64, 7, tmp_path / "so.audio", 30)
    with pytest.raises(synth.SynthError, match="no voice for the language 'so'"):
        synth.run_all([job], 1)


def test_exact_samples_per_text_and_isolated_texts_do_not_depend_on_order(
        tmp_path: Path) -> None:
    texts = (("First sentence here.", 100), ("A second, longer sentence follows it.", 250))

    def job(key: str, said: tuple[tuple[str, int], ...], isolated: bool) -> synth.SynthJob:
        return synth.SynthJob(key, said, "en-GB", 165, 64, 7, tmp_path / f"{key}.audio", 30,
                              encode=False, isolated=isolated)

    done = synth.run_all([job("a", texts, True), job("b", texts[::-1], True),
                          job("c", texts, False)], 2)
    a, b, c = done["a"], done["b"], done["c"]
    for rec in (a, b, c):
        assert len(rec.pcm) == 2 * rec.samples
        for span, (_, pause_ms) in zip(rec.spans, texts if rec is not b else texts[::-1],
                                       strict=True):
            assert span.pause == rec.sample_rate * pause_ms // 1000
            silence = rec.pcm[2 * (span.start + span.speech) : 2 * span.end]
            assert silence == bytes(len(silence))
        assert [s.start for s in rec.spans] == [0, rec.spans[0].end]
    # Isolated: each text sounds the same whatever was said before it in the job.
    assert [s.speech for s in a.spans] == [s.speech for s in b.spans[::-1]]
    first_a = a.pcm[: 2 * a.spans[0].speech]
    first_b = b.pcm[2 * b.spans[1].start : 2 * (b.spans[1].start + b.spans[1].speech)]
    assert first_a == first_b


def test_engine_is_never_loaded_in_the_exporting_process() -> None:
    assert not engine.loaded_here()


# ---------------------------------------------------------------- the stated length


def test_fit_states_the_real_length_even_when_the_words_change_it() -> None:
    """The old failure: saying 8 s made the recording 9 s long and saying 9 s made it 8 s.
    Sentence lengths that alternate wildly still settle, and the statement is exact."""
    rate = 100

    def spoken(seconds: int) -> int:  # odd numbers take far longer to say
        return 300 if seconds % 2 else 120

    found = fit(rest=600, fixed=50, pause=10, rate=rate, spoken=spoken,
                encoded=lambda n: n + 7)
    total = 600 + found.slot + 50 + 7
    assert found.seconds == round(total / rate)
    assert found.slot >= found.speech + 10 and found.speech == spoken(found.seconds)


@pytest.mark.parametrize("rest", [0, 1, 449, 22_050 * 7, 22_050 * 3_600 + 11_025])
def test_fit_settles_for_pages_short_and_long(rest: int) -> None:
    rate = 22_050

    def spoken(seconds: int) -> int:  # about 2.5 s, longer for every unit said
        h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
        return rate * 2 + rate // 3 * (bool(h) + bool(m) + bool(s)) + (seconds * 7919) % 997

    found = fit(rest=rest, fixed=rate * 9, pause=rate * 6 // 10, rate=rate, spoken=spoken,
                encoded=lambda n: (n // 576 + 3) * 576)
    total = rest + ((rate * 9 + found.slot) // 576 + 3) * 576
    assert isinstance(found, Fit) and found.seconds == round(total / rate)


def test_fit_reports_a_length_that_cannot_settle() -> None:
    # Impossible with real speech (sentences do not grow without bound): still no endless loop.
    with pytest.raises(OpeningError, match="did not settle"):
        fit(rest=0, fixed=0, pause=1, rate=1, spoken=lambda s: s * 2 + 1, encoded=lambda n: n)


def test_probe_time_limit(tmp_path: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(synth.SynthError, match="did not finish within"):
        synth.in_child(time.sleep, 5, timeout_s=0.5)
    assert time.perf_counter() - start < 3
