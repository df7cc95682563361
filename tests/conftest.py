"""Shared test fixtures: the real source, the seed page's sentences, a fresh output folder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from exporter import sentences
from exporter.model import Document
from exporter.outline import Outline
from exporter.reader import read
from exporter.styles import Styles, load_styles

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "hsct.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = ROOT.parent / "shared" / "seed" / "hsct-page.txt"
#: Lines of the web page that are navigation furniture, not content.
FURNITURE = ("Jump to:", "Back to the top", "We last updated this page on")


def seed_sentences() -> list[str]:
    """Every sentence of the seed page's content, in order (furniture dropped, bullets removed)."""
    out: list[str] = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        text = line.strip().lstrip("•").strip()
        if text and not text.startswith(FURNITURE):
            out += sentences.split(text)
    return out


@pytest.fixture(scope="session")
def hsct_sentences() -> list[str]:
    if not SEED.is_file():
        pytest.fail(f"the seed page is missing: {SEED} (../shared must sit beside the project)")
    return seed_sentences()


@pytest.fixture(scope="session")
def hsct_doc() -> Document:
    return read(SOURCE)


@pytest.fixture(scope="session")
def hsct_outline(hsct_doc: Document) -> Outline:
    return hsct_doc.outline


@pytest.fixture(scope="session")
def styles() -> Styles:
    return load_styles()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    d = tmp_path / "output"
    d.mkdir()
    return d


@pytest.fixture
def no_weasyprint_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test on any warning or error from WeasyPrint's logger (it logs, then goes on)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    bad = [
        r for r in caplog.records
        if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING
    ]
    assert not bad, "weasyprint logged: " + "; ".join(r.getMessage() for r in bad)


GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden/* from the current output (review the diff)")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> object:
    """Compare text with tests/golden/<name>; --update-goldens rewrites the file instead."""
    update = bool(request.config.getoption("--update-goldens"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.is_file(), f"no golden file {path}: run pytest --update-goldens and review"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{name} differs from its golden file (pytest --update-goldens)"

    return check
