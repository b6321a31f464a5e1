"""The editors' week in a real browser (headless Debian chromium): sign in, review, edit, publish.

One server (uvicorn on 127.0.0.1) and one browser serve every test here; screenshots of each
page go to test-artifacts/. Skipped where chromium or playwright is missing (CI has both).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.web.app import create_app
from web_support import PASSWORD, WEEK, seed, served

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    seeded = seed(tmp_path_factory.mktemp("browser"))
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def dialogs() -> list[str]:
    """Every dialog any page opened: confirms are expected, alerts would be an XSS."""
    return []


@pytest.fixture(scope="module")
def page(browser, base_url, dialogs):
    """One signed-in editor's tab, shared by the tests in order (as one working session)."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)

    def answer(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    tab.on("dialog", answer)
    tab.goto(f"{base_url}/login")
    tab.screenshot(path=ARTIFACTS / "login.png")
    tab.fill("input[name=name]", "editor")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button:has-text('Sign in')")
    tab.wait_for_url(f"{base_url}/")
    yield tab
    context.close()


def _shot(tab, name: str) -> None:
    tab.evaluate("window.scrollTo(0, 0)")  # sticky bars belong at the top of the picture
    tab.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def test_signed_in_editor_sees_this_week_with_charts(page, base_url):
    page.goto(f"{base_url}/?week={WEEK}")
    assert page.locator(".stats b").first.inner_text() == "5"
    chart = page.locator("img[alt='Articles per day by outlet country']")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    _shot(page, "this-week")


def test_review_pins_a_story_to_the_top(page, base_url):
    page.goto(f"{base_url}/review?week={WEEK}")
    grain = page.locator("li.story", has_text="Caspian grain exports")
    grain.locator("button:has-text('Pin')").click()
    page.wait_for_selector("li.story.is-pinned")
    assert "Caspian grain exports" in page.locator("li.story").first.inner_text()
    _shot(page, "review")


def test_article_opens_with_its_match_explained(page, base_url):
    page.goto(f"{base_url}/review?week={WEEK}")
    page.locator("li.story a.title", has_text="China sign university").click()
    assert page.locator("h2:has-text('Why it matched')").is_visible()
    assert page.locator("mark.country", has_text="Kazakhstan").count() >= 1
    _shot(page, "article")


def test_editor_edits_an_item_and_publishes_it(page, base_url):
    page.goto(f"{base_url}/editor?week={WEEK}")
    page.click("button:has-text('Start the draft')")
    first = page.locator("li.item").first
    assert "Caspian grain exports" in first.locator("input[name=headline]").input_value()  # pinned
    first.locator("input[name=headline]").fill("Record grain shipments cross the Caspian")
    first.locator("button:has-text('Save item')").click()
    page.wait_for_selector("text=Saved.")
    headline = page.locator("li.item").first.locator("input[name=headline]")
    assert headline.input_value() == "Record grain shipments cross the Caspian"
    _shot(page, "editor")
    page.click("a:has-text('Preview')")
    assert (
        page.locator(".house h3").first.inner_text() == "Record grain shipments cross the Caspian"
    )
    _shot(page, "preview")
    page.goto(f"{base_url}/editor?week={WEEK}")
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Published version 1.")
    _shot(page, "published")


def test_published_digest_exports_as_markdown(page, base_url):
    page.goto(f"{base_url}/digests/1")
    with page.expect_download() as download:
        page.click("a:has-text('Export MD')")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## Record grain shipments cross the Caspian" in text


def test_archive_search_finds_an_article(page, base_url):
    page.goto(f"{base_url}/archive")
    page.fill("input[name=q]", "students")
    page.select_option("select[name=country]", "CN")
    page.click("button:has-text('Search')")
    results = page.locator("ol.results li")
    assert results.count() == 1
    assert "university exchange" in results.first.inner_text()
    assert page.locator("ol.results mark").first.inner_text().startswith("student")
    _shot(page, "archive")


def test_sources_page_shows_health(page, base_url):
    page.goto(f"{base_url}/sources")
    assert page.locator(".health").first.inner_text() == "new"
    _shot(page, "sources")


def test_no_payload_runs_on_any_page(page, base_url, dialogs):
    for path in [
        "/",
        f"/?week={WEEK}",
        f"/review?week={WEEK}",
        f"/editor?week={WEEK}",
        f"/preview?week={WEEK}",
        "/digests/1",
        "/archive?q=wind",
        "/sources",
        "/articles/1?hl=0-80",
        "/articles/4",
    ]:
        page.goto(base_url + path)
        assert page.evaluate("window.__xss") is None, path
    assert all(d.startswith("confirm:") for d in dialogs), dialogs


def test_pages_read_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    sign_in(tab, base_url, "viewer", wait=False)
    tab.goto(f"{base_url}/digests/1")
    assert tab.locator(".house h3").first.inner_text() == "Record grain shipments cross the Caspian"
    assert tab.locator("form[action='/editor/publish']").count() == 0  # a viewer cannot publish
    context.close()
