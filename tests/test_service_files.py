"""File lists: grouped in the writers' order, tracks found by their facts, links named in words."""

from __future__ import annotations

from typing import Any

import pytest

from exporter.service.files import file_label, group_files, is_track, render_group, track_number
from exporter.service.formats import Format, load
from exporter.styles import Styles


def entry(name: str, writer: str, **kw: Any) -> dict[str, Any]:
    return {"file": name, "format": writer, "options": {}, "bytes": 10, "sha256": "0",
            "facts": {}, **kw}


@pytest.fixture(scope="module")
def formats() -> dict[str, Format]:
    return load()


def test_groups_follow_the_writers_order_then_names(formats: dict[str, Format]) -> None:
    entries = [entry("a.zz", "zzz"), entry("a.html", "html"), entry("a.aa", "aaa"),
               entry("a.pdf", "pdf"), entry("a.epub", "epub"), entry("a.docx", "docx"),
               {"file": "loose.bin"}, {"no": "file"}]
    groups = [f.name for f, _ in group_files(entries, formats)]
    assert groups == ["pdf", "docx", "epub", "html", "aaa", "other", "zzz"]


def test_files_sort_by_options_then_name(formats: dict[str, Format]) -> None:
    entries = [
        entry("b-24.pdf", "pdf", options={"size": 24, "scheme": "black-on-white"}),
        entry("a-18-yellow.pdf", "pdf", options={"size": 18, "scheme": "yellow-on-black"}),
        entry("c-18.pdf", "pdf", options={"size": 18, "scheme": "black-on-white"}),
        entry("d-18-wide.pdf", "pdf", options={"size": 18, "scheme": "black-on-white",
                                               "line_spacing": 2.0}),
    ]
    [(_, files)] = group_files(entries, formats)
    assert [e["file"] for e in files] == [
        "c-18.pdf", "d-18-wide.pdf", "a-18-yellow.pdf", "b-24.pdf"]


def test_tracks_are_known_by_their_track_fact_not_their_name(formats: dict[str, Format],
                                                             styles: Styles) -> None:
    entries = [entry("part-two.ogg", "talk", facts={"track": 2, "title": "Two"}),
               entry("whole.ogg", "talk"),
               entry("hsct-audio-03-x.mp3", "audio"),  # a track's name, but no track fact
               entry("part-one.ogg", "talk", facts={"track": 1}),
               entry("flag.ogg", "talk", facts={"track": True})]
    assert [is_track(e) for e in entries] == [True, False, False, True, False]
    assert [track_number(e) for e in entries] == [2, 0, 0, 1, 0]
    groups = dict((f.name, es) for f, es in group_files(entries, formats))
    assert [e["file"] for e in groups["talk"]] == [
        "flag.ogg", "whole.ogg", "part-one.ogg", "part-two.ogg"]
    html = render_group(Format("talk"), groups["talk"], str, styles)
    assert "Track 1</a>" not in html  # labels carry the file type after them
    assert ">Track 1 <span" in html and ">Track 2: Two <span" in html
    assert "(2 files)" in html


def test_link_text_names_the_format_the_role_and_the_options(
        formats: dict[str, Format], styles: Styles) -> None:
    audio, pdf = formats["audio"], formats["pdf"]
    transcript = entry("t.txt", "audio")
    assert file_label(transcript, audio, styles, several_kinds=True) == "Audio, transcript"
    assert file_label(transcript, audio, styles, several_kinds=False) == "Audio"
    big = entry("b.pdf", "pdf", options={"size": 24, "scheme": "yellow-on-black",
                                         "line_spacing": 2.0})
    assert file_label(big, pdf, styles, several_kinds=False) == (
        "Large print PDF, 24 point, yellow on black, line spacing 2")


def test_a_group_has_its_writers_heading_and_hint(formats: dict[str, Format],
                                                  styles: Styles) -> None:
    html = render_group(formats["epub"], [entry("a.epub", "epub")], lambda n: f"/f/{n}", styles)
    assert '<h3 id="files-epub">EPUB e-book</h3>' in html
    assert f'<p class="hint">{formats["epub"].hint}</p>' in html
    assert '<a href="/f/a.epub">EPUB e-book <span class="file-type">(EPUB, 10 bytes)' in html
    unknown = render_group(Format("<odd>"), [entry("a.x", "<odd>")], str, styles, 2)
    assert '<h2 id="files-odd">&lt;odd&gt;</h2>' in unknown and 'class="hint"' not in unknown
