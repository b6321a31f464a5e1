"""Pages at a phone's width (390px) and from the keyboard, in a real browser (headless chromium).

Skipped where chromium or playwright is missing, as tests/test_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.web.app import create_app
from web_support import WEEK, seed, served

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    seeded = seed(tmp_path_factory.mktemp("layout"))
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield url


@pytest.fixture(scope="module")
def phone(base_url) -> Iterator[object]:
    """An admin's tab at a phone's width (admin: the audit log is among the pages)."""
    with chromium() as browser:
        tab = browser.new_context(viewport=PHONE).new_page()
        tab.set_default_timeout(20_000)
        tab.on("dialog", lambda dialog: dialog.accept())
        sign_in(tab, base_url, "admin")
        yield tab


@pytest.mark.parametrize("path", [f"/?week={WEEK}", "/sources", "/audit", "/users", "/digests"])
def test_page_fits_a_phone_without_scrolling_sideways(phone, base_url, path):
    phone.goto(base_url + path)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_editor_item_buttons_fit_a_phone(phone, base_url):
    phone.goto(f"{base_url}/editor?week={WEEK}")
    phone.click("button:has-text('Start the draft')")
    remove = phone.locator("li.item").first.locator("button:has-text('Remove')")
    box = remove.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_after_moving_an_item_the_editor_shows_it_below_the_toolbar(phone, base_url):
    phone.goto(f"{base_url}/editor?week={WEEK}")
    phone.locator("li.item").nth(1).locator("button:has-text('Down')").click()
    phone.wait_for_url("**#item-2")
    toolbar = phone.locator(".toolbar.sticky").bounding_box()
    moved = phone.locator("#item-2").bounding_box()
    assert toolbar is not None and moved is not None
    assert moved["y"] >= toolbar["y"] + toolbar["height"] - 1  # not hidden under the toolbar


def test_a_skip_link_leads_past_the_navigation(phone, base_url):
    phone.goto(f"{base_url}/sources")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Skip to content"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"


def test_a_published_digest_reads_on_a_phone_without_signing_in(phone, base_url):
    phone.goto(f"{base_url}/editor?week={WEEK}")
    if phone.locator("button:has-text('Start the draft')").count():
        phone.click("button:has-text('Start the draft')")
    phone.click("button:has-text('Publish')")
    phone.wait_for_url("**/digests/1")
    visitor = phone.context.browser.new_context(viewport=PHONE)  # no session
    try:
        tab = visitor.new_page()
        tab.goto(f"{base_url}/feed.atom")
        tab.goto(f"{base_url}/public/digests/1")
        assert tab.locator(".house h1").inner_text().startswith("Foreign media digest")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        visitor.close()


_HEADER = """() => {
  const tops = [...document.querySelectorAll('nav.main a')]
    .map(a => Math.round(a.getBoundingClientRect().top));
  return {height: document.querySelector('header.top').getBoundingClientRect().height,
          rows: new Set(tops).size, wide: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize(
    ("width", "rows", "tallest"), [(1280, 1, 60), (800, 1, 100), (390, 2, 180)]
)
def test_the_header_links_wrap_into_rows_not_a_column(phone, base_url, width, rows, tallest):
    """At 800px the seven links stood in a column of four rows between the brand and the
    account (a header 157px tall); they take a row of their own below the two instead."""
    phone.set_viewport_size({"width": width, "height": 900})
    try:
        phone.goto(f"{base_url}/sources")
        header = phone.evaluate(_HEADER)
    finally:
        phone.set_viewport_size(PHONE)
    assert header["rows"] == rows and header["height"] <= tallest, header
    assert header["wide"] <= width
