"""Each lexicon entry earns its place: espeak-ng's phonemes with and without it, compared."""

from __future__ import annotations

import re

import pytest
import yaml

from exporter.styles import load_styles
from exporter.writers.audio import synth

#: Where the word is said: in a sentence, as in a page (espeak-ng reads some words
#: differently alone: "DMTs" loses its plural on its own, not in a sentence).
CARRIER = "They told us about {} today."
_STRESS = re.compile(r"[ˈˌ\s]")


def _lexicon() -> dict[str, str]:
    raw = yaml.safe_load(load_styles().text("lexicon.yaml")) or {}
    assert isinstance(raw, dict)
    return {str(k): str(v) for k, v in raw.items()}


def _phonemes(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    def probe(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        engine, _ = synth.start_engine("en-GB", 175)
        return [(engine.phonemes(CARRIER.format(word)), engine.phonemes(CARRIER.format(said)))
                for word, said in items]

    return synth.in_child(probe, pairs)


def verdict(word: str, plain: str, respelled: str) -> str:
    """Why an entry does not earn its place, or "" when it does.

    - It must change the sounds, not only the stress or the spacing: otherwise espeak-ng
      already says the word (HSCT, MS, MRI are spelt out as letters on their own).
    - It must not stress more syllables than espeak-ng does unless the word is an
      abbreviation (capitals and digits, spelt out letter by letter): respelling an ordinary
      word as several words gives each a stress ("heemuh toe poy etic").
    """
    if _STRESS.sub("", plain) == _STRESS.sub("", respelled):
        return f"{word}: no difference (espeak-ng says /{plain}/ either way, stress aside)"
    abbreviation = re.fullmatch(r"[A-Z0-9][A-Z0-9-]*s?", word) is not None
    if not abbreviation and respelled.count("ˈ") > plain.count("ˈ"):
        return (f"{word}: worse: /{respelled}/ stresses {respelled.count('ˈ')} syllables, "
                f"espeak-ng's own /{plain}/ {plain.count('ˈ')}")
    return ""


def test_every_entry_changes_how_the_word_sounds_and_does_not_make_it_worse() -> None:
    entries = list(_lexicon().items())
    if not entries:
        pytest.skip("the lexicon is empty")
    found = _phonemes(entries)
    problems = [verdict(word, plain, said)
                for (word, _), (plain, said) in zip(entries, found, strict=True)]
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)


@pytest.mark.parametrize(("word", "respelling"), [
    ("haematopoietic", "heemuh toe poy etic"),  # the listener's complaint: four stressed words
    ("HSCT", "H S C T"),  # espeak-ng spells it out already
    ("COVID-19", "covid 19"),
])
def test_the_rule_refuses_the_entries_that_were_dropped(word: str, respelling: str) -> None:
    (plain, said), = _phonemes([(word, respelling)])
    assert verdict(word, plain, said)


def test_the_rule_keeps_an_entry_that_fixes_a_word() -> None:
    (plain, said), = _phonemes([("EDSS", "E D S S")])
    assert "ˈɛds" in plain  # espeak-ng on its own says "eds"
    assert verdict("EDSS", plain, said) == ""
