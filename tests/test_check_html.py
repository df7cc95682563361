"""The HTML read-back checks pass on the real page and each fails on a page broken on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.model import Document
from exporter.styles import Styles
from exporter.writers.base import Options
from tests.tamper import build, failed, fresh_copy, only_failures, rehash

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
NAME = "hsct.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, hsct_doc: Document, styles: Styles) -> Path:
    out = tmp_path_factory.mktemp("html") / "output"
    build(out, "html", hsct_doc, styles, Options())
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    return fresh_copy(built, tmp_path / "output")


def edit(out: Path, old: str, new: str) -> None:
    text = (out / NAME).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the page"
    (out / NAME).write_text(text.replace(old, new, 1), encoding="utf-8")
    rehash(out, NAME)


def only(out: Path, check: str) -> str:
    detail = only_failures(out, SOURCE, check)[0].detail
    assert detail.startswith(NAME)
    return detail


def test_real_page_passes_every_check(built: Path) -> None:
    report, names = failed(built, SOURCE)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"html.headings", "html.contents", "html.sentences", "html.language"} <= {
        f.check for f in report.findings}


def test_heading_level_changed(out: Path) -> None:
    edit(out, '<h3 id="relapsing-ms"><span class="section-number">3.1</span> Relapsing MS</h3>',
         '<h4 id="relapsing-ms"><span class="section-number">3.1</span> Relapsing MS</h4>')
    assert "skips from level 2 to level 4" in only(out, "html.headings")


def test_contents_entry_missing(out: Path) -> None:
    edit(out, '<li><a href="#progressive-ms">3.2 Progressive MS</a></li>', "")
    assert "missing under 'How well does HSCT work?': 'Progressive MS'" in only(
        out, "html.contents")


def test_heading_without_its_number(out: Path) -> None:
    edit(out, '<span class="section-number">3.1</span> Relapsing MS', "Relapsing MS")
    assert "heading 'Relapsing MS' has no section number: numbering is on" in only(
        out, "html.numbering")


def test_contents_entry_with_a_wrong_number(out: Path) -> None:
    edit(out, '">3.2 Progressive MS</a>', '">3.3 Progressive MS</a>')
    [_, numbers] = only_failures(out, SOURCE, {"html.contents", "html.numbering"})
    detail = numbers.detail
    assert "contents entry '3.3 Progressive MS' is numbered 3.3; the outline numbers it 3.2" \
        in detail


def test_callout_named_by_its_text(out: Path) -> None:
    # The fault readers met: the box named by its label and its whole first paragraph.
    edit(out, 'role="note" aria-labelledby="callout-24">\n<p class="callout-label" '
         'id="callout-24"><strong>Helpline</strong></p>\n<p>',
         'role="note" aria-labelledby="callout-24 callout-24-text">\n<p class="callout-label" '
         'id="callout-24"><strong>Helpline</strong></p>\n<p id="callout-24-text">')
    assert "callout 'Helpline' is named 'Helpline Questions about MS? Call us on 0808 800 " \
        "8000" in only(out, "html.callouts")


def test_callout_as_a_landmark(out: Path) -> None:
    edit(out, '<aside class="callout callout-notice" role="note"',
         '<aside class="callout callout-notice"')
    assert "callout 'Notice' is a complementary landmark" in only(out, "html.callouts")


def test_sentence_missing(out: Path) -> None:
    edit(out, "Researchers are working hard to find effective treatments for people with "
         "progressive MS.", "")
    assert "Researchers are working hard" in only(out, "html.sentences")


def test_language_wrong(out: Path) -> None:
    edit(out, 'lang="en-GB"', 'lang="en-US"')
    assert "'en-US'" in only(out, "html.language")


# ---------------------------------------------------------------- every structure

EVERY = ROOT / "tests" / "fixtures" / "markup" / "every-structure.md"
EVERY_NAME = "every-structure.html"


@pytest.fixture(scope="module")
def built_every(tmp_path_factory: pytest.TempPathFactory, styles: Styles) -> Path:
    from exporter.manifest import write_manifest
    from exporter.pipeline import JobSpec, run_job
    from exporter.reader import read

    out = tmp_path_factory.mktemp("html-every") / "output"
    result = run_job(JobSpec("html", Options()), read(EVERY), styles, out, "every-structure")
    assert result.ok, result.error
    write_manifest(out, list(result.entries), {"source": str(EVERY)})
    return out


@pytest.fixture
def every(built_every: Path, tmp_path: Path) -> Path:
    return fresh_copy(built_every, tmp_path / "output")


def edit_every(out: Path, old: str, new: str, count: int = 1) -> None:
    text = (out / EVERY_NAME).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in the page"
    (out / EVERY_NAME).write_text(text.replace(old, new, count), encoding="utf-8")
    rehash(out, EVERY_NAME)


def only_every(out: Path, check: str) -> str:
    detail = only_failures(out, EVERY, check)[0].detail
    assert detail.startswith(EVERY_NAME)
    return detail


def test_every_structure_page_passes_every_check(built_every: Path) -> None:
    report, names = failed(built_every, EVERY)
    assert not names, "\n".join(f"{f.check}: {f.detail}" for f in report.failures)
    assert {"html.tables", "html.figures", "html.quotations", "html.notes"} <= {
        f.check for f in report.findings}


def test_table_header_made_a_plain_cell(every: Path) -> None:
    edit_every(every, '<th scope="col" class="align-left">Tip</th>',
               '<td class="align-left">Tip</td>')
    assert "column header 'Tip' is <td>" in only_every(every, "html.tables")


def test_table_header_without_scope(every: Path) -> None:
    edit_every(every, '<th scope="col">Form</th>', "<th>Form</th>")
    assert "'Form' is <th>, not <th scope=\"col\">" in only_every(every, "html.tables")


def test_table_caption_made_a_paragraph(every: Path) -> None:
    # The words are still on the page (sentences pass); the table has lost its name.
    text = (every / EVERY_NAME).read_text(encoding="utf-8")
    start = text.index('<caption id="table-21">')
    end = text.index("</caption>", start)
    caption = text[start:end + len("</caption>")]
    edit_every(every, caption, "")
    edit_every(every, '<div class="table" tabindex="0" role="region" aria-labelledby="table-21">',
               '<p>Tips people with MS shared with us</p>\n<div class="table">')
    assert "no <caption>" in only_every(every, "html.tables")


def test_table_row_lost(every: Path) -> None:
    edit_every(every, '<tr><td class="align-left">Keep cool</td><td class="align-left">Heat can '
               'make fatigue worse.</td><td class="align-right">1</td></tr>',
               '</tbody></table><p>Keep cool Heat can make fatigue worse. 1</p><table><tbody>')
    assert "2 rows, the source has 3" in only_every(every, "html.tables")


def test_picture_alt_text_changed(every: Path) -> None:
    edit_every(every, 'alt="A bar chart: a tall blue bar', 'alt="A photograph: a tall blue bar')
    assert "alt text 'A photograph" in only_every(every, "html.figures")


def test_picture_replaced_by_another(every: Path) -> None:
    import base64
    import re

    text = (every / EVERY_NAME).read_text(encoding="utf-8")
    data = re.search(r'src="data:image/png;base64,([^"]+)"', text)
    assert data
    other = base64.b64encode(base64.b64decode(data.group(1)) + b"\0").decode()
    edit_every(every, data.group(1), other)
    assert "not the source's file" in only_every(every, "html.figures")


def test_picture_pointing_at_a_file(every: Path) -> None:
    import re

    text = (every / EVERY_NAME).read_text(encoding="utf-8")
    data = re.search(r'src="(data:image/png;base64,[^"]+)"', text)
    assert data
    edit_every(every, data.group(1), "bar-chart.png")
    assert "not an embedded picture" in only_every(every, "html.figures")


def test_quotation_no_longer_a_quotation(every: Path) -> None:
    edit_every(every, "<blockquote>\n<p>Planning my rest", "<div>\n<p>Planning my rest")
    edit_every(every, "</blockquote>\n<figcaption>", "</div>\n<figcaption>")
    assert "quotations: 1, the source has 2" in only_every(every, "html.quotations")


def test_quotation_attribution_lost(every: Path) -> None:
    edit_every(every, "</blockquote>\n<figcaption>— Ann, Cardiff</figcaption>\n</figure>",
               "</blockquote>\n</figure>\n<p>— Ann, Cardiff</p>")
    assert "no attribution" in only_every(every, "html.quotations")


def test_note_marker_links_to_the_wrong_note(every: Path) -> None:
    edit_every(every, 'id="note-ref-1" href="#note-1"', 'id="note-ref-1" href="#note-2"')
    assert "marker [1] links to note 2" in only_every(every, "html.notes")


def test_note_without_its_back_link(every: Path) -> None:
    edit_every(every, ' <a class="note-back" href="#note-ref-1" role="doc-backlink">Back to the '
               "text of note 1</a>", "")
    assert "note 1 has no link back to the text" in only_every(every, "html.notes")


def test_note_sentence_lost(every: Path) -> None:
    edit_every(every, "<p>Studies were small, so results may change. ", "<p>")
    assert "Studies were small" in only_every(every, "html.notes")
