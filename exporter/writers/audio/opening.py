"""The opening's stated length: chosen so that it is the recording's real length, always.

The opening ends "... and lasts 7 minutes and 9 seconds.", and that sentence is part of what
it measures. Re-speaking until the two agree can oscillate for ever (saying "9" makes the
file round to 8 s, saying "8" makes it round to 9 s). Instead the sentence is given a slot of
fixed length: its speech, then silence up to the slot's end. The total then depends on the
slot, not on the words, so the stated length is computed, not hoped for. The slot only grows
(to fit a longer sentence) and can take only finitely many sizes, so the search always ends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from exporter.segments import whole_seconds

#: More rounds than the slot can need: each round lengthens it to fit a sentence it has seen,
#: and two or three suffice in practice (tested on pages from seconds to hours long).
MAX_ROUNDS = 32


class OpeningError(Exception):
    """The stated length could not be made true (never expected; names the numbers)."""


@dataclass(frozen=True)
class Fit:
    """The length to state and the slot its sentence fills."""

    seconds: int  #: whole seconds to say: the real length, rounded by speech.whole_seconds
    slot: int  #: samples from the start of the length sentence to the end of the opening
    speech: int  #: samples of the length sentence itself (slot - speech is silence)


def fit(rest: int, fixed: int, pause: int, rate: int, spoken: Callable[[int], int],
        encoded: Callable[[int], int], slot: int = 0) -> Fit:
    """The length to announce so that it is the real one.

    rest: samples of every other track, as encoded; fixed: samples of the opening before its
    length sentence; pause: the least silence after that sentence; spoken(s): samples of the
    sentence stating s seconds; encoded(n): samples the MP3 of n samples decodes to; slot: a
    first guess (a generous one settles in one round, at the cost of a little more silence).
    """
    for _ in range(MAX_ROUNDS):
        seconds = whole_seconds((rest + encoded(fixed + slot)) / rate)
        speech = spoken(seconds)
        if speech + pause <= slot:
            return Fit(seconds, slot, speech)
        slot = speech + pause  # grows strictly: the sentence did not fit
    raise OpeningError(f"the opening's stated length did not settle in {MAX_ROUNDS} rounds "
                       f"(other tracks {rest} samples, opening {fixed} + {slot})")
