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
    edit(out, '<h3 id="relapsing-ms">Relapsing MS</h3>', '<h4 id="relapsing-ms">Relapsing MS</h4>')
    assert "skips from level 2 to level 4" in only(out, "html.headings")


def test_contents_entry_missing(out: Path) -> None:
    edit(out, '<li><a href="#progressive-ms">3.2 Progressive MS</a></li>', "")
    assert "missing under 'How well does HSCT work?': 'Progressive MS'" in only(
        out, "html.contents")


def test_sentence_missing(out: Path) -> None:
    edit(out, "Researchers are working hard to find effective treatments for people with "
         "progressive MS.", "")
    assert "Researchers are working hard" in only(out, "html.sentences")


def test_language_wrong(out: Path) -> None:
    edit(out, 'lang="en-GB"', 'lang="en-US"')
    assert "'en-US'" in only(out, "html.language")
