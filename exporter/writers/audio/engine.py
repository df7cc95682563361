"""libespeak-ng through ctypes: the voice for a language, text spoken into samples, phonemes.

Synchronous mode: ``speak`` returns when the text is spoken, with every sample, so lengths are
exact and there is no polling loop, no WAV file and no thread. Load this only inside a speech
job's own process (see synth.py): the library keeps state between utterances (its pitch
flutter position, among others), so a process that has spoken once is not a fresh engine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: espeak_AUDIO_OUTPUT: samples handed to our callback, synthesis done in the calling thread.
_SYNCHRONOUS = 2
#: Length of each buffer handed to the callback, in ms (pyttsx3 used the same).
_BUFFER_MS = 1000
#: espeak_Synth flags: UTF-8 text, and a pause at the end of the text as at a sentence end.
_CHARS_UTF8, _ENDPAUSE = 1, 0x1000
_POS_CHARACTER = 1
#: espeak_PARAMETER values.
_RATE, _VOLUME = 1, 2
#: espeak_EVENT_TYPE values this module reads.
_EVENT_LIST_TERMINATED, _EVENT_WORD, _EVENT_SENTENCE, _EVENT_MSG_TERMINATED = 0, 1, 2, 6
#: espeak_TextToPhonemes phonememode: IPA symbols (bit 1).
_PHONEMES_IPA = 0x02
#: Voices that need the separate MBROLA synthesiser, which this project does not install.
_MBROLA = "mb/"


class EngineError(Exception):
    """espeak-ng could not be loaded, or did not do what it was asked."""


@dataclass(frozen=True)
class Library:
    """Which libespeak-ng to load and the folder holding its ``espeak-ng-data``."""

    path: str  #: the shared library file
    data: str | None  #: parent folder of espeak-ng-data; None: the library's built-in default
    origin: str  #: "espeakng-loader" (the Python wheel) or "system"


@dataclass(frozen=True)
class VoiceInfo:
    """One espeak-ng voice and the languages it speaks, as espeak-ng lists them."""

    identifier: str  #: the voice file, e.g. "cel/cy", "gmw/en-US"
    name: str  #: e.g. "Welsh"
    languages: tuple[tuple[int, str], ...]  #: (priority, lower-case tag); lower is preferred


@dataclass(frozen=True)
class Utterance:
    """One text spoken: 16-bit mono samples and where each sentence starts (sample index)."""

    pcm: bytes
    sentences: tuple[int, ...]

    @property
    def samples(self) -> int:
        return len(self.pcm) // 2


def find_library() -> Library | None:
    """The espeakng-loader wheel's library with its own data, else the system's, else None."""
    try:
        import espeakng_loader

        path = Path(espeakng_loader.get_library_path())
        data = Path(espeakng_loader.get_data_path())
        if path.is_file() and data.is_dir():
            return Library(str(path), str(data.parent), "espeakng-loader")
    except (ImportError, RuntimeError, OSError):
        pass
    found = ctypes.util.find_library("espeak-ng")
    return Library(found, None, "system") if found else None


def pick_voice(voices: Sequence[VoiceInfo], language: str) -> VoiceInfo | None:
    """The voice for a BCP 47 tag: an exact language match, else the nearest of the same
    language ("cy-GB" -> "cy", "en-IE" -> "en"), preferring espeak-ng's own priority.
    Never a voice of another language: None when espeak-ng has none."""
    parts = language.lower().replace("_", "-").split("-")
    for cut in range(len(parts), 0, -1):
        want = "-".join(parts[:cut])
        found = sorted((priority, v.identifier, v) for v in voices
                       if not v.identifier.startswith(_MBROLA)
                       for priority, tag in v.languages if tag == want)
        if found:
            return found[0][2]
    return None


def languages_of(voices: Sequence[VoiceInfo], primary: str) -> list[str]:
    """Every tag espeak-ng lists whose primary language is ``primary`` (for messages)."""
    return sorted({tag for v in voices for _, tag in v.languages
                   if tag.split("-")[0] == primary.lower()})


class _Voice(ctypes.Structure):
    _fields_ = (("name", ctypes.c_char_p), ("languages", ctypes.c_void_p),
                ("identifier", ctypes.c_char_p), ("gender", ctypes.c_ubyte),
                ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte), ("xx1", ctypes.c_ubyte),
                ("score", ctypes.c_int), ("spare", ctypes.c_void_p))


class _Event(ctypes.Structure):
    _fields_ = (("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint),
                ("text_position", ctypes.c_int), ("length", ctypes.c_int),
                ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_void_p))


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.POINTER(_Event))


class Engine:
    """An initialised libespeak-ng in this process: one voice, one rate at a time."""

    def __init__(self, library: Library) -> None:
        try:
            lib = ctypes.CDLL(library.path)
        except OSError as exc:
            raise EngineError(f"could not load {library.path} ({exc})") from exc
        _declare(lib)
        data = library.data.encode() if library.data else None
        self.sample_rate = int(lib.espeak_Initialize(_SYNCHRONOUS, _BUFFER_MS, data, 0))
        if self.sample_rate <= 0:
            raise EngineError(f"espeak-ng did not start (data folder: {library.data or 'its own'})")
        self._lib, self.library = lib, library
        self._chunks: list[bytes] = []
        self._sentences: list[int] = []
        self._samples = 0
        self._deadline = float("inf")
        self._overrun = False
        self.on_buffer: Callable[[], None] | None = None  #: test hook, called per buffer
        self._callback = _CALLBACK(self._on_synth)  # kept: the library holds a raw pointer
        lib.espeak_SetSynthCallback(self._callback)
        path = ctypes.c_char_p()
        version = lib.espeak_Info(ctypes.byref(path))
        self.version = (version or b"").decode()
        self.data_path = (path.value or b"").decode()  #: the espeak-ng-data folder in use

    # ------------------------------------------------------------ voices

    def voices(self) -> tuple[VoiceInfo, ...]:
        """Every voice espeak-ng has, with its whole language list (not only the first)."""
        found = self._lib.espeak_ListVoices(None)
        out, i = [], 0
        while found[i]:
            v = found[i].contents
            out.append(VoiceInfo((v.identifier or b"").decode(), (v.name or b"").decode(),
                                 _languages(v.languages)))
            i += 1
        return tuple(out)

    def current_voice(self) -> str:
        """The identifier of the voice espeak-ng will speak with now."""
        v = self._lib.espeak_GetCurrentVoice()
        return (v.contents.identifier or b"").decode() if v else ""

    def select(self, language: str) -> VoiceInfo:
        """Speak ``language`` from now on; EngineError when espeak-ng has no voice for it or
        did not switch (checked by reading the current voice back)."""
        voices = self.voices()
        voice = pick_voice(voices, language)
        if voice is None:
            primary = language.split("-")[0]
            near = languages_of(voices, primary)
            raise EngineError(
                f"espeak-ng has no voice for the language '{language}' (voices it has for "
                f"'{primary}': {', '.join(near) or 'none'}); set 'language' in the source's "
                "front matter to a language espeak-ng speaks, or leave audio out for this page")
        status = self._lib.espeak_SetVoiceByName(voice.identifier.encode())
        if status != 0 or self.current_voice() != voice.identifier:
            raise EngineError(f"espeak-ng did not switch to the voice {voice.identifier} for "
                              f"'{language}' (status {status}, speaking with "
                              f"'{self.current_voice()}')")
        return voice

    def set_rate(self, wpm: int) -> None:
        if not 80 <= wpm <= 450:  # espeak-ng's own range
            raise EngineError(f"speaking rate {wpm} is outside espeak-ng's 80-450 words a minute")
        # Rate, then volume, as pyttsx3 did: the same calls give the same samples as before.
        for parameter, value in ((_RATE, wpm), (_VOLUME, 100)):
            if self._lib.espeak_SetParameter(parameter, value, 0) != 0:
                raise EngineError(f"espeak-ng refused parameter {parameter} = {value}")
        if self._lib.espeak_GetParameter(_RATE, 1) != wpm:
            raise EngineError(f"espeak-ng did not take the rate {wpm}")

    # ------------------------------------------------------------ speaking

    def speak(self, text: str, deadline: float = float("inf")) -> Utterance:
        """The samples of ``text``; EngineError past ``deadline`` (time.monotonic())."""
        data = text.encode("utf-8", "replace")
        self._chunks, self._sentences, self._samples = [], [], 0
        self._deadline, self._overrun = deadline, False
        status = self._lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0,
                                        _CHARS_UTF8 | _ENDPAUSE, None, None)
        if self._overrun:
            raise EngineError(f"espeak-ng did not finish speaking within the time limit "
                              f"(at: {text[:60]!r})")
        if status != 0:
            raise EngineError(f"espeak-ng failed (status {status}) at: {text[:60]!r}")
        return Utterance(b"".join(self._chunks), tuple(self._sentences))

    def _on_synth(self, wav: ctypes._Pointer[ctypes.c_short], n: int,
                  events: ctypes._Pointer[_Event]) -> int:
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            if events[i].type == _EVENT_SENTENCE:
                # audio_position: ms from the start of this text's samples.
                self._sentences.append(events[i].audio_position * self.sample_rate // 1000)
            i += 1
        if n > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, 2 * n))
            self._samples += n
        if self.on_buffer is not None:
            self.on_buffer()
        if time.monotonic() > self._deadline:
            self._overrun = True
            return 1  # non-zero: espeak-ng stops this text
        return 0

    def phonemes(self, text: str) -> str:
        """espeak-ng's IPA for ``text`` in the current voice (what ``espeak-ng -x --ipa`` gives)."""
        buffer = ctypes.create_string_buffer(text.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        out = []
        while pointer.value:
            chunk = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8,
                                                    _PHONEMES_IPA)
            out.append((chunk or b"").decode("utf-8", "replace").strip())
        return " ".join(p for p in out if p)


def _languages(pointer: int | None) -> tuple[tuple[int, str], ...]:
    # espeak_VOICE.languages: repeated (priority byte, zero-terminated tag), then a zero byte.
    # pyttsx3 read only the first entry, so "en" (gmw/en's second language) was never found.
    out: list[tuple[int, str]] = []
    while pointer:
        priority = ctypes.string_at(pointer, 1)[0]
        if priority == 0:
            break
        tag = ctypes.string_at(pointer + 1)
        out.append((priority, tag.decode("ascii", "replace").lower()))
        pointer += len(tag) + 2
    return tuple(out)


def _declare(lib: ctypes.CDLL) -> None:
    """Argument and result types of the functions used (ctypes guesses int otherwise)."""
    c_int, c_char_p, c_void_p = ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p
    lib.espeak_Initialize.argtypes = (c_int, c_int, c_char_p, c_int)
    lib.espeak_Initialize.restype = c_int
    lib.espeak_SetSynthCallback.argtypes = (_CALLBACK,)
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_Info.argtypes = (ctypes.POINTER(c_char_p),)
    lib.espeak_Info.restype = c_char_p
    lib.espeak_ListVoices.argtypes = (c_void_p,)
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_GetCurrentVoice.argtypes = ()
    lib.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
    lib.espeak_SetVoiceByName.argtypes = (c_char_p,)
    lib.espeak_SetVoiceByName.restype = c_int
    lib.espeak_SetParameter.argtypes = (c_int, c_int, c_int)
    lib.espeak_SetParameter.restype = c_int
    lib.espeak_GetParameter.argtypes = (c_int, c_int)
    lib.espeak_GetParameter.restype = c_int
    lib.espeak_Synth.argtypes = (c_char_p, ctypes.c_size_t, ctypes.c_uint, c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), c_void_p)
    lib.espeak_Synth.restype = c_int
    lib.espeak_TextToPhonemes.argtypes = (ctypes.POINTER(c_void_p), c_int, c_int)
    lib.espeak_TextToPhonemes.restype = c_char_p


def loaded_here() -> bool:
    """True when some libespeak-ng is already mapped into this process (so a fork of it would
    not start from a fresh engine)."""
    try:
        with open(f"/proc/{os.getpid()}/maps", encoding="utf-8") as maps:
            return "libespeak-ng" in maps.read()
    except OSError:
        return False
