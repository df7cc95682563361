"""A collection's download page at 500 pages in headless Chromium: no axe-core violations, reflow
at 400% zoom, the filter working under the service's strict policy, and a plain list without
JavaScript. (Chromium and axe-core as for tests/test_service_browser.py.)"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from exporter.service.app import LOOPBACK_NAMES, create_app
from exporter.service.pages import write_index
from tests import large_collection
from tests.test_service_browser import (  # noqa: F401  # browser: a fixture used here
    _free_port,
    assert_accessible,
    assert_reflows,
    browser,
)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = large_collection.make(tmp_path_factory.mktemp("big") / "output")
    write_index(out)
    return out


@pytest.fixture(scope="module")
def big_server(big: Path) -> Iterator[str]:
    import uvicorn

    app = create_app(big, None, big.parent / "cache", writers=["html", "pdf"],
                     allowed_hosts=LOOPBACK_NAMES)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(bypass_csp=True)  # so that axe-core can be injected
    pg = context.new_page()
    yield pg
    context.close()


def visible_pages(pg: Any) -> int:
    count: int = pg.evaluate("document.querySelectorAll('li.page:not([hidden])').length")
    return count


def test_500_pages_have_no_axe_violations_and_reflow(page: Any, big: Path) -> None:
    url = (big / "index.html").as_uri()
    page.goto(url)
    assert visible_pages(page) == 500
    assert_accessible(page)
    # Some pages' files unfolded, and the filter in use.
    page.evaluate("document.querySelectorAll('details.formats').forEach("
                  "(d, i) => { if (i < 20) { d.open = true; } })")
    page.get_by_label("Find a page by its title, subject or summary").fill("fatigue")
    expect(page.locator("#filter-status")).to_have_text(re.compile(r"^Showing \d+ of 500"))
    assert_accessible(page)
    assert_reflows(page, url)


def test_typing_filters_the_list_under_the_services_strict_policy(browser: Any,  # noqa: F811
                                                                  big_server: str) -> None:
    context = browser.new_context()  # the page's real Content-Security-Policy applies
    pg = context.new_page()
    messages: list[str] = []
    pg.on("console", lambda m: messages.append(m.text))
    pg.goto(f"{big_server}/")
    box = pg.get_by_label("Find a page by its title, subject or summary")
    box.press_sequentially("vitamin d")
    expect(pg.locator("#filter-status")).to_have_text("Showing 34 of 500 pages.")
    assert visible_pages(pg) == 34
    box.press_sequentially(" part 499")
    expect(pg.locator("#filter-status")).to_have_text("Showing 1 of 500 pages.")
    shown = pg.evaluate("[...document.querySelectorAll('section.subject')]"
                        ".filter(s => !s.hidden).map(s => s.querySelector('h2').textContent)")
    assert shown == ["Getting around"]  # subjects with no matching page are out of the way
    box.fill("")
    box.press("Enter")  # the form's submit is handled on the page, not sent
    expect(pg.locator("#filter-status")).to_have_text("Showing all 500 pages.")
    assert visible_pages(pg) == 500 and pg.url == f"{big_server}/"
    context.close()
    assert not [m for m in messages if "Content Security Policy" in m], messages


def test_the_services_page_has_no_axe_violations(page: Any, big_server: str) -> None:
    page.goto(f"{big_server}/?q=sleep")
    assert visible_pages(page) == 33
    assert_accessible(page)


def test_without_javascript_the_page_is_the_plain_list(browser: Any,  # noqa: F811
                                                      big: Path, big_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto((big / "index.html").as_uri())
    assert visible_pages(pg) == 500
    assert not pg.get_by_role("search").is_visible()  # a box that does nothing is not shown
    # The service answers the same box itself.
    pg.goto(f"{big_server}/")
    pg.get_by_label("Find a page by its title, subject or summary").fill("sleep")
    pg.get_by_role("button", name="Find").click()
    pg.wait_for_url(f"{big_server}/?q=sleep")
    assert visible_pages(pg) == 33
    context.close()
