"""The reader: the real source, fixture documents, and one test per kind of bad input."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exporter.model import (
    Break,
    Callout,
    CodeBlock,
    DefinitionList,
    Emphasis,
    Figure,
    Heading,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Strong,
    Table,
    Text,
    plain_text,
)
from exporter.reader import ReadOptions, SourceError, parse, read
from tests.conftest import FIXTURES, ROOT, SOURCE

INVALID = FIXTURES / "invalid"
WARNINGS = FIXTURES / "warnings"
VALID = FIXTURES / "valid"


def png(width: int = 2, height: int = 1) -> bytes:
    """A real PNG file's bytes."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 160)).save(out, "PNG")
    return out.getvalue()


# fixture file -> (line, words the message must contain)
BAD_INPUTS: dict[str, tuple[int, str]] = {
    "no-front-matter.md": (1, "no 'language' field"),
    "malformed-front-matter.md": (3, "malformed front matter"),
    "missing-field.md": (6, "the page has no title"),
    "empty-heading.md": (13, "an empty heading"),
    "duplicate-id.md": (17, "duplicate heading id 'same'"),
    "raw-html.md": (11, "raw HTML is not allowed"),
    "image-no-alt.md": (11, "has no alt text"),
    "control-character.md": (11, "control character U+0007"),
    "not-utf8.md": (11, "not UTF-8"),
    "broken-anchor.md": (11, "no heading has that id"),
    "unknown-callout.md": (11, "unknown callout kind [!SHOUT]"),
    "javascript-link.md": (11, "'javascript:alert(1)' is not allowed"),
}
# fixture file -> (line, words of the warning): style advice, the export goes on
STYLE_ADVICE: dict[str, tuple[int, str]] = {
    "skipped-level.md": (17, "skipped heading level: H2 then H4; it is treated as H3"),
    "empty-section.md": (13, "the section 'Empty section' is empty"),
    "click-here.md": (11, "link text 'click here' does not say where it goes"),
    "bare-address.md": (11, "link text is a bare address"),
}


def page(body: str, front: str = "title: T\nlanguage: en-GB\n") -> bytes:
    return f"---\n{front}---\n\n{body}".encode()


def test_hsct_source_reads(hsct_doc: object) -> None:
    doc = read(SOURCE)
    assert doc.meta.title == "HSCT (haematopoietic stem cell transplantation)"
    assert doc.meta.language == "en-GB"
    assert doc.meta.helpline == "0808 800 8000"
    assert doc.meta.updated is None  # the page's date is cut off: unknown, not invented
    assert [h.level for h in doc.headings] == [1, 2, 2, 2, 3, 3, 2, 2]
    kinds = [b.kind for b in doc.blocks if isinstance(b, Callout)]
    assert kinds[:2] == ["helpline", "notice"]
    assert kinds.count("related") == 4
    assert doc.warnings == ()
    assert [e.id for e in doc.outline][:2] == ["hsct-haematopoietic-stem-cell-transplantation",
                                                "who-can-hsct-work-for"]


def test_hsct_source_keeps_no_web_furniture() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    for furniture in ("Jump to:", "Back to the top", "We last updated this page on"):
        assert furniture not in text.split("---", 2)[2]


def test_inline_markup_becomes_model_nodes() -> None:
    doc = read(VALID / "nested-levels.md")
    first = doc.blocks[1]
    assert isinstance(first, Paragraph)
    kinds = {type(n) for n in first.children}
    assert {Text, Emphasis, Strong, Link} <= kinds
    assert doc.meta.updated == dt.date(2024, 3, 5)
    lists = [b for b in doc.blocks if isinstance(b, ListBlock)]
    assert [b.ordered for b in lists] == [True, False]
    explicit = [h for h in doc.headings if h.explicit_id]
    assert [h.explicit_id for h in explicit] == ["part-two"]
    assert isinstance(doc.blocks[0], Heading)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_with_line_and_fix(name: str) -> None:
    line, words = BAD_INPUTS[name]
    path = INVALID / name
    with pytest.raises(SourceError) as err:
        read(path)
    messages = [str(p) for p in err.value.problems]
    assert any(words in m for m in messages), messages
    hit = next(p for p in err.value.problems if words in p.message)
    assert hit.line == line
    assert str(hit).startswith(f"{path}:{line}: ")
    assert "Fix: " in str(hit)


@pytest.mark.parametrize("name", sorted(STYLE_ADVICE))
def test_style_advice_is_a_warning_and_strict_makes_it_an_error(name: str) -> None:
    line, words = STYLE_ADVICE[name]
    path = WARNINGS / name
    doc = read(path)
    hit = [w for w in doc.warnings if words in w]
    assert hit and hit[0].startswith(f"{path}:{line}: warning: "), doc.warnings
    with pytest.raises(SourceError) as err:
        read(path, ReadOptions(strict=True))
    assert any(words in p.message for p in err.value.problems)


def test_skipped_level_is_closed_up_in_the_outline() -> None:
    doc = read(WARNINGS / "skipped-level.md")
    assert [e.level for e in doc.outline] == [1, 2, 3]


def test_every_problem_of_a_run_is_reported_together() -> None:
    with pytest.raises(SourceError) as err:
        read(INVALID / "several-problems.md")
    assert [p.line for p in err.value.problems] == [3, 10, 12]


def test_source_over_the_size_cap_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"x" * 4096)
    with pytest.raises(SourceError) as err:
        read(big, ReadOptions(max_bytes=1024))
    assert "over the 1,024-byte limit" in str(err.value)


def test_default_size_cap_is_a_few_megabytes(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"---\n" + b"a" * (3 * 1024 * 1024))
    with pytest.raises(SourceError, match="limit"):
        read(big)


# The project's styles/settings.yaml names a default language: the CLI then only warns.
CLI_BAD_INPUTS = sorted(set(BAD_INPUTS) - {"no-front-matter.md"})


@pytest.mark.parametrize("name", CLI_BAD_INPUTS)
def test_cli_exits_2_and_writes_nothing(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "exporter", "export", str(INVALID / name), "--to", "html",
         "-o", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{INVALID / name}:{BAD_INPUTS[name][0]}: " in proc.stderr
    assert "nothing was written" in proc.stderr
    assert not out.exists()


def test_cli_prints_warnings_and_strict_refuses(tmp_path: Path) -> None:
    source = WARNINGS / "click-here.md"

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "exporter", "export", str(source), "--to",
                               "html", "-o", str(tmp_path / "out"), *extra],
                              capture_output=True, text=True, cwd=ROOT, timeout=60)

    strict = run("--strict")
    assert strict.returncode == 2 and not (tmp_path / "out").exists()
    assert f"{source}:11: warning: link text 'click here'" in strict.stderr
    relaxed = run()
    assert relaxed.returncode == 0, relaxed.stderr
    assert f"{source}:11: warning: link text 'click here'" in relaxed.stderr


def test_front_matter_types_are_checked() -> None:
    src = (b"---\ntitle: T\nlanguage: english please\npublisher: [P]\nhelpline: 8008000\n"
           b"summary: S\nupdated: sometime\ncolour: red\n---\n\n# T\n\nText.\n")
    with pytest.raises(SourceError) as err:
        parse(src, "t.md")
    text = str(err.value)
    assert "t.md:3: 'language' is not a language tag" in text
    assert "t.md:4: 'publisher' must be text" in text
    assert "t.md:7: 'updated' must be a date" in text
    assert "t.md:8: warning: unknown front-matter field 'colour' is ignored" in text


def test_only_title_and_language_are_required() -> None:
    doc = parse(page("# T\n\nText.\n"), "t.md")
    assert (doc.meta.publisher, doc.meta.helpline, doc.meta.summary) == ("", "", "")


def test_title_from_the_front_matter_when_the_body_has_none() -> None:
    doc = parse(page("Text first.\n\n## A section\n\nMore.\n", "title: Front title\n"
                     "language: cy\n"), "t.md")
    assert [(e.level, e.title) for e in doc.outline] == [(1, "Front title"), (2, "A section")]


def test_no_front_matter_takes_title_from_heading_and_default_language() -> None:
    doc = parse(b"# Read me\n\nSome text.\n", "README.md", ReadOptions(default_language="en-GB"))
    assert (doc.meta.title, doc.meta.language) == ("Read me", "en-GB")
    assert any("no 'language' in the front matter; en-GB is assumed" in w for w in doc.warnings)


@pytest.mark.parametrize(("value", "code"), [
    (r'"A\nB"', "U+000A"), (r'"A\0B"', "U+0000"), (r'"A\x1bB"', "U+001B"),
    (r'"A\u202eB"', "U+202E"),
])
@pytest.mark.parametrize("field", ["title", "publisher", "helpline", "summary", "subject"])
def test_control_characters_from_yaml_escapes_are_refused(field: str, value: str,
                                                          code: str) -> None:
    if field == "summary" and code == "U+000A":
        pytest.skip("a summary may run over several lines")
    front = "title: T\nlanguage: en-GB\n".replace(f"{field}: T\n", "") + f"{field}: {value}\n"
    with pytest.raises(SourceError) as err:
        parse(page("# T\n\nText.\n", front), "t.md")
    assert any(code in p.message and field in p.message for p in err.value.problems)


def test_yaml_alias_bomb_is_refused_without_expanding_it() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, "
              f"*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(20)]
    front = "title: T\nlanguage: en-GB\n" + "\n".join(lines) + "\n"
    with pytest.raises(SourceError) as err:
        parse(page("# T\n\nText.\n", front), "t.md")
    assert "anchor or alias" in str(err.value)
    assert len(str(err.value)) < 400


def test_deeply_nested_yaml_is_refused() -> None:
    front = "title: T\nlanguage: en-GB\nkeywords: " + "[" * 10000 + "]" * 10000 + "\n"
    with pytest.raises(SourceError, match="nested more than"):
        parse(page("# T\n\nText.\n", front), "t.md")


def test_front_matter_only_is_refused() -> None:
    with pytest.raises(SourceError, match="no text, only headings"):
        parse(page(""), "t.md")


def test_invisible_heading_is_refused() -> None:
    with pytest.raises(SourceError, match="an empty heading"):
        parse(page("# T\n\nText.\n\n## \u200b\u200b\n\nMore.\n"), "t.md")


def test_deep_list_nesting_names_the_real_problem() -> None:
    body = "# T\n\n" + "".join("  " * i + "- level\n" for i in range(12))
    with pytest.raises(SourceError) as err:
        parse(page(body), "t.md")
    assert "nested more than 8 levels deep" in str(err.value)
    assert "empty list item" not in str(err.value)


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "fifo", "folder"])
def test_devices_pipes_and_folders_are_refused_at_once(tmp_path: Path, special: str) -> None:
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "pipe.md"
        os.mkfifo(path)
    elif special == "folder":
        path = tmp_path
    with pytest.raises(SourceError, match="not a text file"):
        read(path)


def test_crlf_and_bom_are_accepted() -> None:
    src = "\ufeff---\r\ntitle: T\r\nlanguage: en-GB\r\npublisher: P\r\nhelpline: \"1\"\r\n" \
          "summary: S\r\n---\r\n\r\n# T\r\n\r\nText.\r\n"
    doc = parse(src.encode(), "t.md")
    assert doc.meta.title == "T"


@pytest.mark.parametrize("path", sorted(VALID.glob("*.md")), ids=lambda p: p.name)
def test_valid_fixtures_read(path: Path) -> None:
    doc = read(path)
    assert doc.headings and doc.headings[0].level == 1
    assert doc.warnings == ()


# ---------------------------------------------------------------- structures beyond text


def test_pipe_table_with_caption_after_it() -> None:
    doc = parse(page("# T\n\n| Tip | What it means |\n|:--|--:|\n| Rest | Take *breaks* |\n"
                     "| Pace | Plan |\n\nTable: Tips for fatigue\n"), "t.md")
    [table] = [b for b in doc.blocks if isinstance(b, Table)]
    assert plain_text(table.caption) == "Tips for fatigue"
    assert [plain_text(c.children) for c in table.header] == ["Tip", "What it means"]
    assert [c.align for c in table.header] == ["left", "right"]
    assert [[plain_text(c.children) for c in r] for r in table.rows] == [
        ["Rest", "Take breaks"], ["Pace", "Plan"]]
    assert not any(isinstance(b, Paragraph) for b in doc.blocks)  # the caption is not a line


def test_caption_before_the_table_too() -> None:
    doc = parse(page("# T\n\nTable: Above\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"), "t.md")
    [table] = [b for b in doc.blocks if isinstance(b, Table)]
    assert plain_text(table.caption) == "Above"


def test_image_alone_is_a_figure_with_its_title_as_caption(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "diagram.png").write_bytes(png())
    source = tmp_path / "page.md"
    source.write_bytes(page('# T\n\n![A blue badge on a windscreen](img/diagram.png "Where '
                            'to put it")\n'))
    doc = read(source)
    [figure] = [b for b in doc.blocks if isinstance(b, Figure)]
    assert figure.image.alt == "A blue badge on a windscreen"
    assert plain_text(figure.caption) == "Where to put it"
    assert (figure.image.media_type, figure.image.width, figure.image.height) == (
        "image/png", 2, 1)
    assert figure.image.path == str((tmp_path / "img" / "diagram.png").resolve())


@pytest.mark.parametrize(("src", "words"), [
    ("missing.png", "is not there"),
    ("../outside.png", "outside the source's folder"),
    ("/etc/passwd", "outside the source's folder"),
    ("https://example.org/a.png", "not a file beside the source"),
    ("file:///etc/passwd", "not a file beside the source"),
    ("notes.txt", "not a PNG or JPEG"),
])
def test_images_must_be_png_or_jpeg_files_inside_the_folder(tmp_path: Path, src: str,
                                                           words: str) -> None:
    (tmp_path / "outside.png").write_bytes(png())
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an image")
    source = folder / "page.md"
    source.write_bytes(page(f"# T\n\nIntro.\n\n![A picture]({src})\n"))
    with pytest.raises(SourceError) as err:
        read(source)
    hit = [p for p in err.value.problems if words in p.message]
    assert hit and hit[0].line == 10, [str(p) for p in err.value.problems]


def test_quotation_with_attribution_and_callouts_still_work() -> None:
    doc = parse(page("# T\n\n> I rest before I am tired.\n>\n> — Ann, Cardiff\n\n"
                     "> [!NOTE]\n> A note.\n"), "t.md")
    quote = next(b for b in doc.blocks if isinstance(b, Quote))
    assert plain_text(quote.attribution) == "Ann, Cardiff"
    assert [plain_text(b.children) for b in quote.blocks if isinstance(b, Paragraph)] == [
        "I rest before I am tired."]
    assert any(isinstance(b, Callout) and b.kind == "note" for b in doc.blocks)


def test_footnotes_are_numbered_in_order_of_reference() -> None:
    doc = parse(page("# T\n\nFirst[^b] and second[^a].\n\n[^a]: Note A.\n[^b]: Note B.\n"),
                "t.md")
    para = next(b for b in doc.blocks if isinstance(b, Paragraph))
    refs = [n for n in para.children if isinstance(n, NoteRef)]
    assert [(r.label, r.number) for r in refs] == [("b", 1), ("a", 2)]
    assert [(n.number, plain_text(n.blocks[0].children)) for n in doc.notes
            if isinstance(n.blocks[0], Paragraph)] == [(1, "Note B."), (2, "Note A.")]
    assert plain_text(para.children) == "First and second."


def test_definition_list_code_and_break() -> None:
    doc = parse(page("# T\n\nEfficacy\n: How well it works.\n\n---\n\n```\nmake export\n```\n"),
                "t.md")
    kinds = [type(b) for b in doc.blocks]
    assert kinds == [Heading, DefinitionList, Break, CodeBlock]
    dl = doc.blocks[1]
    assert isinstance(dl, DefinitionList) and plain_text(dl.items[0].term) == "Efficacy"


def test_bare_addresses_become_links_without_a_warning() -> None:
    doc = parse(page("# T\n\nSee https://www.mssociety.org.uk or email help@example.org.\n"),
                "t.md")
    links = [n for n in doc.blocks[1].children if isinstance(n, Link)]  # type: ignore[union-attr]
    assert [lk.href for lk in links] == ["https://www.mssociety.org.uk", "mailto:help@example.org"]
    assert doc.warnings == ()


def test_relative_links_resolve_against_base_url_or_stay_text_with_a_warning() -> None:
    body = "# T\n\nRead [your rights at work](../work/rights.html#pay).\n"
    based = parse(page(body, "title: T\nlanguage: en-GB\nbase_url: https://example.org/help/"
                       "fatigue/\n"), "t.md")
    [link] = [n for n in based.blocks[1].children if isinstance(n, Link)]  # type: ignore[union-attr]
    assert link.href == "https://example.org/help/work/rights.html#pay"
    plain = parse(page(body), "t.md")
    assert not any(isinstance(n, Link) for n in plain.blocks[1].children)  # type: ignore[union-attr]
    assert plain_text(plain.blocks[1].children) == "Read your rights at work."  # type: ignore[union-attr]
    assert any("t.md:8: warning: relative link" in w for w in plain.warnings)


def test_html_comments_are_dropped_other_html_refused() -> None:
    doc = parse(page("# T\n\n<!-- editor's note -->\n\nText <!-- aside --> here.\n"), "t.md")
    assert [plain_text(b.children) for b in doc.blocks if isinstance(b, Paragraph)] == [
        "Text  here."]
    with pytest.raises(SourceError, match="raw HTML"):
        parse(page("# T\n\nText <b>bold</b>.\n"), "t.md")


def test_links_by_githubs_heading_ids_reach_the_heading() -> None:
    doc = parse(page("# T\n\nSee [step one](#step-1--install) and [café](#café-ouvert).\n\n"
                     "## Step 1 — Install\n\nText.\n\n## Café ouvert\n\nMore.\n"), "t.md")
    links = [n for n in doc.blocks[1].children if isinstance(n, Link)]  # type: ignore[union-attr]
    ids = {e.title: e.id for e in doc.outline}
    assert [lk.href for lk in links] == [f"#{ids['Step 1 — Install']}",
                                         f"#{ids['Café ouvert']}"]


def test_githubs_alert_kinds_are_callouts() -> None:
    doc = parse(page("# T\n\n> [!TIP]\n> Rest first.\n\n> [!CAUTION]\n> Hot.\n\n"
                     "> [!IMPORTANT]\n> Read this.\n"), "t.md")
    assert [(b.kind, b.label) for b in doc.blocks if isinstance(b, Callout)] == [
        ("tip", "Tip"), ("caution", "Caution"), ("important", "Important")]


def test_a_note_knows_its_own_line() -> None:
    doc = parse(page("# T\n\nText[^a].\n\n[^a]: The note.\n"), "t.md")
    assert [n.line for n in doc.notes] == [10]


def test_addresses_get_one_fragment_and_www_gets_https() -> None:
    doc = parse(page("# T\n\nChat at [our room](https://matrix.to/#/#room:example.org) or see "
                     "www.example.org.\n"), "t.md")
    links = [n for n in doc.blocks[1].children if isinstance(n, Link)]  # type: ignore[union-attr]
    assert [lk.href for lk in links] == ["https://matrix.to/#/%23room:example.org",
                                         "https://www.example.org"]


def test_text_before_the_title_heading_says_so() -> None:
    with pytest.raises(SourceError, match=r"text comes before the title heading \(line 3\)"):
        parse(b"[![badge](b.png)](https://ci.example.org)\n\n# Project\n\nText.\n", "README.md",
              ReadOptions(default_language="en-GB"))
