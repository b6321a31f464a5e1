"""Pausing, resuming and renaming a source on the sources page, in a real browser (headless
Debian chromium), as an editor does it: the button, the state it leaves in sight, and the way
back.

Skipped where chromium or playwright is missing (CI has both), as tests/test_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest import store
from mediadigest.web.app import create_app
from web_support import seed, served


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed(tmp_path_factory.mktemp("browser-sources"))


@pytest.fixture(scope="module")
def base_url(seeded) -> Iterator[str]:
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def _tab(browser, base_url: str, name: str, console: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.on("console", lambda m: m.type == "error" and console.append(m.text))
    tab.on("dialog", lambda d: console.append(f"dialog: {d.message}") or d.dismiss())
    sign_in(tab, base_url, name)
    return context, tab


def test_an_editor_pauses_a_source_sees_it_paused_and_resumes_it(browser, base_url, seeded):
    console: list[str] = []
    context, tab = _tab(browser, base_url, "editor", console)
    tab.goto(f"{base_url}/sources")
    row = tab.locator("table.sources tbody tr").first
    assert row.locator(".health").inner_text() != "paused"
    row.locator("button", has_text="Pause").click()
    tab.wait_for_selector("text=not collected until resumed")
    row = tab.locator("table.sources tbody tr").first
    assert row.locator(".health").inner_text() == "paused"
    assert "since" in row.locator("td").first.inner_text()
    assert row.locator("button", has_text="Pause").count() == 0
    with seeded.engine.connect() as conn:
        assert store.list_sources(conn)[0]["paused_at"] is not None
    row.locator("button", has_text="Resume").click()
    tab.wait_for_selector("text=collected from the next run")
    row = tab.locator("table.sources tbody tr").first
    assert row.locator(".health").inner_text() == "new"
    with seeded.engine.connect() as conn:
        assert store.list_sources(conn)[0]["paused_at"] is None
    assert console == []  # no error, and no dialog: a pause asks no confirmation
    context.close()


def test_a_viewer_sees_a_paused_source_as_paused_without_buttons(browser, base_url, seeded):
    with seeded.engine.begin() as conn:
        store.sources.pause_source(conn, store.list_sources(conn)[0]["url"])
    console: list[str] = []
    context, tab = _tab(browser, base_url, "viewer", console)
    tab.goto(f"{base_url}/sources")
    row = tab.locator("table.sources tbody tr").first
    assert row.locator(".health").inner_text() == "paused"
    assert row.locator("button").count() == 0
    assert console == []
    context.close()


def test_an_editor_renames_a_source_and_gives_it_back_its_feeds_name(browser, base_url, seeded):
    console: list[str] = []
    context, tab = _tab(browser, base_url, "editor", console)
    tab.goto(f"{base_url}/sources")
    row = tab.locator("table.sources tbody tr").first
    row.locator("summary", has_text="Rename").click()
    row.get_by_label("Name").fill("Steppe Wire desk")
    row.locator("button", has_text="Save name").click()
    tab.wait_for_selector("text=is now listed as Steppe Wire desk.")
    row = tab.locator("table.sources tbody tr").first
    assert row.locator("td a").first.inner_text() == "Steppe Wire desk"
    row.locator("summary", has_text="Rename").click()
    assert row.get_by_label("Name").input_value() == "Steppe Wire desk"
    row.get_by_label("Name").fill("")
    row.locator("button", has_text="Save name").click()
    tab.wait_for_selector("text=takes its feed's own name at its next collection.")
    with seeded.engine.connect() as conn:
        assert store.list_sources(conn)[0]["title"] is None
    assert console == []  # no error, and no dialog
    context.close()
