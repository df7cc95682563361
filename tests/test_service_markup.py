"""Sizes, lengths and times in words, and escaping, for the service's pages."""

from __future__ import annotations

from exporter.service.markup import (
    attr,
    human_bytes,
    human_duration,
    human_time,
    iso_duration,
    join_words,
    text,
)


def test_human_units() -> None:
    assert human_bytes(999) == "999 bytes"
    assert human_bytes(1_234_567) == "1.2 MB"
    assert human_duration(414.46) == "6 minutes 54 seconds"
    assert human_duration(3600) == "1 hour"
    assert human_duration(0) == "0 seconds"
    assert iso_duration(414.46) == "PT6M54S" and iso_duration(3661) == "PT1H1M1S"
    assert human_time("2025-03-03T14:05:00Z") == "3 March 2025 at 14:05 UTC"
    assert human_time("yesterday") == "yesterday"


def test_words_and_escaping() -> None:
    assert join_words(["a"]) == "a" and join_words(["a", "b", "c"]) == "a, b and c"
    assert attr('"<&') == "&quot;&lt;&amp;" and text('"<') == '"&lt;'
