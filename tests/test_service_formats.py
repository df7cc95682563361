"""Formats as the service sees them: what each writer declares, and fallbacks that never fail."""

from __future__ import annotations

import pytest

from exporter import registry
from exporter.registry import Registered
from exporter.service.formats import UNKNOWN_TYPE, Format, format_of, load


def test_every_installed_writer_describes_itself() -> None:
    formats = load()
    assert {"audio", "docx", "epub", "html", "pdf"} <= set(formats)
    for f in formats.values():
        assert f.writer is not None, f.problem
        assert f.label and f.hint, f"{f.name} gives no label or hint for the download page"
        assert f.writer.files, f"{f.name} declares no kinds of file"
    assert formats["pdf"].label == "Large print PDF" and formats["pdf"].order < 100
    assert load(["pdf"]).keys() == {"pdf"}


def test_files_are_served_as_their_writer_declares() -> None:
    formats = load(["audio", "pdf"])
    assert formats["pdf"].kind_of("x.PDF").media_type == "application/pdf"
    transcript = formats["audio"].kind_of("hsct-audio-transcript.txt")
    assert transcript.media_type == "text/plain; charset=utf-8" and transcript.inline
    assert transcript.role == "transcript"
    playlist = formats["audio"].kind_of("hsct-audio.m3u8")
    assert playlist.media_type == "application/vnd.apple.mpegurl" and not playlist.inline
    # a suffix the writer does not declare is just bytes, named by its suffix
    odd = formats["pdf"].kind_of("notes.mp3")
    assert (odd.media_type, odd.type_name, odd.inline) == (UNKNOWN_TYPE, "MP3", False)
    assert formats["pdf"].kind_of("README").type_name == "file"


def test_the_tools_own_files_are_html_and_json() -> None:
    nobody = Format("")
    index = nobody.kind_of("index.html")
    assert index.media_type == "text/html; charset=utf-8" and index.inline
    for name in ("manifest.json", "check-report.json"):
        kind = nobody.kind_of(name)
        assert kind.media_type == "application/json" and not kind.inline
    assert nobody.kind_of("other.json").media_type == UNKNOWN_TYPE


def test_a_writer_that_cannot_load_keeps_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = registry.available
    monkeypatch.setattr(registry, "available", lambda: {
        **installed(), "shaky": Registered("shaky", "tests.no_such_module:Writer")})
    shaky = load()["shaky"]
    assert shaky.writer is None and "cannot be loaded" in shaky.problem
    assert (shaky.label, shaky.hint, shaky.option_names) == ("shaky", "", frozenset())
    assert shaky.order == 100
    assert shaky.kind_of("a.pdf").media_type == UNKNOWN_TYPE
    assert format_of({}, "gone") == Format("gone")
