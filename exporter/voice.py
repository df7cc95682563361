"""How written text is said: pace and pauses, lexicon respellings, phone numbers, addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import yaml

from exporter.locale import Messages
from exporter.model import Emphasis, Inline, Link, Strong, plain_text
from exporter.styles import Styles, StylesError
from exporter.yamltext import safe_load

#: UK phone numbers as written in the sources ("0808 800 8000", "020 7946 0000").
_PHONE = re.compile(r"(?<![\w+])0\d{2,4}(?: \d{3,4}){1,2}(?!\w)")
#: A web or e-mail address as link text (what the reader's linkify makes, or an author wrote).
_ADDRESS = re.compile(r"^(?:(?:https?://|www\.)\S+|(?:mailto:)?[^\s@]+@[^\s@]+\.[^\s@]+)$",
                      re.IGNORECASE)
_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
#: Characters of an address said by name; the names come from the catalogue ("address.dot").
ADDRESS_SYMBOLS = {
    ".": "dot", "/": "slash", "@": "at", "-": "dash", "_": "underscore", ":": "colon",
    "?": "question_mark", "=": "equals", "&": "and", "#": "hash", "~": "tilde",
    "%": "percent", "+": "plus",
}  # fmt: skip


@dataclass(frozen=True)
class Lexicon:
    """Whole-word respellings applied to the spoken text only (never to the transcript)."""

    entries: Mapping[str, str]

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One regular expression for every word (compiled once per lexicon)."""
        if not self.entries:
            return None
        # Longest first so "DMTs" wins over "DMT"; lower-case words also match capitalised.
        words = sorted(self.table, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")

    @cached_property
    def table(self) -> dict[str, str]:
        """Each word (and the capitalised form of lower-case words) with its spoken form."""
        out: dict[str, str] = {}
        for word, spoken in self.entries.items():
            out[word] = spoken
            if word[:1].islower():
                out.setdefault(word[:1].upper() + word[1:], spoken[:1].upper() + spoken[1:])
        return out

    def apply(self, text: str) -> str:
        pattern = self.pattern
        if pattern is None:
            return text
        table = self.table
        return pattern.sub(lambda m: table[m.group(1)], text)


@dataclass(frozen=True)
class Voice:
    """Voice, pace and pauses, from styles/audio.yaml and the lexicon it names."""

    rate_wpm: int
    pause_paragraph_ms: int
    pause_item_ms: int
    pause_heading_ms: int
    pause_section_ms: int
    phone_zero: str  #: how a 0 in a phone number is said ("oh" in the UK)
    lexicon: Lexicon
    pause_break_ms: int = 2000  #: at a thematic break: a change of topic

    def spoken(self, text: str) -> str:
        """The text as the engine should say it: digit groups, then lexicon respellings."""
        return self.lexicon.apply(_PHONE.sub(lambda m: self._digits(m.group()), text))

    def _digits(self, number: str) -> str:
        # Read digit by digit, a comma (a short pause) between the groups as written.
        groups = [" ".join(self.phone_zero if d == "0" else d for d in g) for g in number.split()]
        return ", ".join(groups)


def voice_from_styles(styles: Styles, language: str = "en-GB") -> Voice:
    """Read styles/audio.yaml and the lexicon for ``language``; StylesError names the bad
    setting. Respellings and the word for 0 belong to a language: a page in another one gets
    none (the engine reads its own language's words for digits)."""
    cfg = styles.section("audio")
    try:
        lexicon_name = _by_language(cfg.get("lexicon", {"en": "lexicon.yaml"}), language)
        raw = (safe_load(styles.text(lexicon_name)) or {}) if lexicon_name else {}
        if not isinstance(raw, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in raw.items()
        ):
            raise StylesError(f"styles/{lexicon_name}: expected 'WORD: spoken form' lines")
        voice = Voice(
            rate_wpm=int(cfg.get("rate_wpm", 165)),
            pause_paragraph_ms=int(cfg.get("pause_paragraph_ms", 600)),
            pause_item_ms=int(cfg.get("pause_item_ms", 400)),
            pause_heading_ms=int(cfg.get("pause_heading_ms", 800)),
            pause_section_ms=int(cfg.get("pause_section_ms", 1200)),
            phone_zero=_by_language(cfg.get("phone_zero", {"en": "oh"}), language) or "0",
            lexicon=Lexicon(dict(raw)),
            pause_break_ms=int(cfg.get("pause_break_ms", 2000)),
        )
    except (TypeError, ValueError, yaml.YAMLError) as exc:
        raise StylesError(f"styles/audio.yaml: malformed setting: {exc}") from exc
    pauses = [v for k, v in vars(voice).items() if k.startswith("pause_")]
    if any(not 0 <= p <= 10_000 for p in pauses):
        raise StylesError("styles/audio.yaml: pauses must be between 0 and 10000 ms")
    return voice


def _by_language(value: object, language: str) -> str:
    """A setting given for every language ("oh") or per primary language ({en: oh})."""
    if isinstance(value, Mapping):
        found = value.get(language.lower(), value.get(language.split("-")[0].lower(), ""))
        return str(found or "")
    return str(value)


# ---------------------------------------------------------------- addresses


def is_address(link: Link) -> bool:
    """True when a link's text is its own address (a bare web or e-mail address)."""
    text = plain_text(link.children).strip()
    if not text or " " in text:
        return False
    bare = _SCHEME.sub("", link.href)
    return text in (link.href, bare, bare.rstrip("/")) or bool(_ADDRESS.match(text))


def address_words(address: str, words: Messages) -> str:
    """An address as said aloud: "www dot example dot org slash help", "help at example dot
    org". The scheme and a trailing slash are left out; listeners do not need them."""
    bare = _SCHEME.sub("", address.strip()).rstrip("/")
    out: list[str] = []
    for token in re.findall(r"[^\W_]+|\S", bare):
        name = ADDRESS_SYMBOLS.get(token)
        out.append(words(f"address.{name}") if name else token)
    return " ".join(out)


def spoken_inlines(inlines: tuple[Inline, ...], words: Messages) -> str:
    """Like ``plain_text`` (the words as written), with bare addresses said readably."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Link) and is_address(node):
            out.append(address_words(plain_text(node.children), words))
        elif isinstance(node, Link | Emphasis | Strong):
            out.append(spoken_inlines(node.children, words))
        else:
            out.append(plain_text((node,)))
    return "".join(out)
