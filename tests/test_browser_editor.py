"""The digest editor in a real browser (headless Debian chromium), as an editor reads it: every
text box shows its whole text, a change's message is in sight, the users page lines up, and no
page logs an error to the console.

Skipped where chromium or playwright is missing (CI has both), as tests/test_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browser_support import chromium, sign_in  # skips the module without chromium
from mediadigest.web.app import create_app
from web_support import WEEK, seed, served


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    seeded = seed(tmp_path_factory.mktemp("browser-editor"))
    with served(create_app(seeded.settings, engine=seeded.engine)) as url:
        yield url


@pytest.fixture(scope="module")
def console() -> list[str]:
    """Every console error of any page."""
    return []


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def first_page(browser, base_url, console) -> list[str]:
    """What the console said while a new browser opened the sign-in page (the browser asks
    for the site's icon then, once)."""
    tab = browser.new_page()
    tab.on("console", lambda m: m.type == "error" and console.append(m.text))
    tab.goto(f"{base_url}/login")
    tab.wait_for_load_state("networkidle")
    tab.wait_for_timeout(500)  # the icon is asked for after the page has loaded
    said = list(console)
    tab.close()
    return said


@pytest.fixture(scope="module")
def page(browser, base_url, console, first_page) -> Iterator[object]:
    """An admin's tab (admins see every page), with the week's draft started."""
    with browser.new_context(viewport={"width": 1280, "height": 900}) as context:
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.on("console", lambda m: m.type == "error" and console.append(m.text))
        sign_in(tab, base_url, "admin")
        tab.goto(f"{base_url}/editor?week={WEEK}")
        tab.click("button:has-text('Start the draft')")
        tab.wait_for_selector("li.item")
        yield tab


def test_a_new_browser_logs_no_error_on_the_first_page(first_page):
    """It asked for /favicon.ico, which the site does not have: "404 (Not Found)"."""
    assert first_page == []


# (name, how much of its text is hidden) of each text box that must be scrolled to be read.
CLIPPED = """[...document.querySelectorAll('textarea')]
    .filter(t => t.scrollHeight > t.clientHeight + 1)
    .map(t => [t.name, t.scrollHeight - t.clientHeight])"""


def test_every_text_box_of_the_editor_shows_its_whole_text(page):
    """A two-row attribution box hid the end of a three-line attribution: nothing showed
    there was more, and the editor published it unread."""
    assert page.locator("textarea[name=attribution]").count() == 3
    assert page.evaluate(CLIPPED) == []


def test_after_moving_an_item_its_saved_message_is_in_sight(page, base_url):
    """The page went to the moved item and "Saved." stayed at the top, scrolled out of view."""
    page.goto(f"{base_url}/editor?week={WEEK}")
    page.locator("li.item").nth(1).locator("button:has-text('Down')").click()
    page.wait_for_url("**#item-2")
    saved = page.get_by_role("status").filter(has_text="Saved.")
    box = saved.bounding_box()
    toolbar = page.locator(".toolbar.sticky").bounding_box()
    assert box is not None and toolbar is not None
    assert box["y"] >= toolbar["y"] + toolbar["height"] - 1  # not under the sticky toolbar
    assert box["y"] + box["height"] <= page.viewport_size["height"]
    assert page.evaluate("window.scrollY") > 0  # it did go down to the item


@pytest.mark.parametrize("width", [1280, 800])
def test_each_users_role_box_fits_its_roles_with_its_button_beside_it(page, base_url, width):
    """The role box took the column's width and its Change button wrapped underneath."""
    page.set_viewport_size({"width": width, "height": 900})
    try:
        page.goto(f"{base_url}/users")
        rows = page.locator("table.users tbody tr")  # not the API tokens' table below it
        assert rows.count() == 3
        for n in range(rows.count()):
            role = rows.nth(n).locator("select[name=role]").bounding_box()
            change = rows.nth(n).locator("button:has-text('Change')").bounding_box()
            assert role is not None and change is not None
            assert role["width"] <= 160, role  # as wide as "viewer", not the column
            assert change["x"] >= role["x"] + role["width"]  # beside it, on its line
            assert change["y"] < role["y"] + role["height"] <= change["y"] + change["height"] + 4
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize(
    "path",
    ["/", f"/?week={WEEK}", f"/review?week={WEEK}", f"/editor?week={WEEK}", "/archive?q=grain",
     "/sources", "/users", "/digests"],
)  # fmt: skip
def test_no_page_logs_an_error(page, base_url, console, path):
    console.clear()
    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("networkidle")
    assert console == []
